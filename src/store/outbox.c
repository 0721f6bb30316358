/*
 * outbox (store) — SQL for the outbox and the notifications feed (see outbox.h).
 * Worker threads.
 */
#include "store/outbox.h"
#include "core/buf.h"
#include "core/xalloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW "UTC_TIMESTAMP(6)"

static struct db_param
opt_str(const char *s)
{
	if (s == NULL)
		return (struct db_param){.type = DB_NULL};
	return DB_PARAM_STR(s);
}

int
outbox_insert(struct db_conn *conn, const struct outbox_new *m, struct db_error *err)
{
	uint64_t affected = 0;
	struct db_param p[] = {
	    DB_PARAM_STR(m->client_ref),
	    DB_PARAM_STR(m->kind),
	    m->subscriber_id > 0 ? DB_PARAM_INT(m->subscriber_id)
	                         : (struct db_param){.type = DB_NULL},
	    DB_PARAM_STR(m->msisdn),
	    DB_PARAM_STR(m->text),
	    opt_str(m->lang),
	    opt_str(m->campaign_id),
	    opt_str(m->source),
	    DB_PARAM_INT(m->priority),
	    DB_PARAM_INT(m->segments),
	    DB_PARAM_STR(m->state),
	    DB_PARAM_INT((long long)m->not_before),
	    DB_PARAM_INT((long long)m->expires_at),
	    opt_str(m->error),
	    DB_PARAM_STR(m->state),
	};
	if (db_exec(conn,
	            "INSERT INTO outbox (client_ref, kind, subscriber_id, msisdn, text, lang,"
	            " campaign_id, source, priority, segments, state, not_before, expires_at,"
	            " last_error, done_at, created_at)"
	            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?),"
	            " ?, IF(? = 'queued', NULL, " NOW "), " NOW ")"
	            " ON DUPLICATE KEY UPDATE id = id",
	            p, sizeof(p) / sizeof(p[0]), NULL, NULL, &affected, err) < 0)
		return -1;
	return affected == 1 ? 1 : 0;
}

static int
member_row(const struct db_row *row, void *arg)
{
	struct outbox_member *m = arg;
	m->exists = 1;
	snprintf(m->msisdn, sizeof(m->msisdn), "%s", row->values[0]);
	snprintf(m->lang, sizeof(m->lang), "%s", row->values[1] != NULL ? row->values[1] : "");
	m->opted_out = row->values[2][0] == '1';
	m->promo_blocked = row->values[3][0] == '1';
	return 0;
}

static int
count_row(const struct db_row *row, void *arg)
{
	*(long long *)arg = strtoll(row->values[0] != NULL ? row->values[0] : "0", NULL, 10);
	return 0;
}

int
outbox_member_get(struct db_conn *conn, long long subscriber_id, time_t day_start, long long at_row,
                  struct outbox_member *m, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_INT(subscriber_id)};
	long long n = 0;

	memset(m, 0, sizeof(*m));
	if (db_exec(conn,
	            "SELECT msisdn, lang, opted_out_at IS NOT NULL, promo_blocked_at IS NOT NULL"
	            " FROM subscribers WHERE id = ?",
	            p, 1, member_row, m, NULL, err) < 0)
		return -1;
	if (!m->exists)
		return 0;
	struct db_param q[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_INT(at_row),
	                       DB_PARAM_INT(at_row), DB_PARAM_INT((long long)day_start),
	                       DB_PARAM_INT((long long)day_start + 86400)};
	if (db_exec(conn,
	            "SELECT COUNT(*) FROM outbox WHERE subscriber_id = ? AND kind = 'promotional'"
	            " AND IF(? = 0, state IN ('queued', 'sending', 'sent', 'delivered'),"
	            " state IN ('sent', 'delivered') OR (state = 'sending' AND id < ?))"
	            " AND COALESCE(sent_at, not_before) >= FROM_UNIXTIME(?)"
	            " AND COALESCE(sent_at, not_before) < FROM_UNIXTIME(?)",
	            q, 5, count_row, &n, NULL, err) < 0)
		return -1;
	m->promo_today = (long)n;
	return 0;
}

/* Claiming: ids first (locked, skipping rows another node holds), then one lease for
 * them all, then the rows themselves with what the policies need, by their ids. A list
 * of ids or of results goes to the server as one JSON parameter read by JSON_TABLE: one
 * statement for the whole claim or result batch, whatever its size. */
struct id_list {
	long long *ids;
	unsigned n, max;
};

static int
id_row(const struct db_row *row, void *arg)
{
	struct id_list *l = arg;
	if (l->n < l->max)
		l->ids[l->n++] = strtoll(row->values[0], NULL, 10);
	return 0;
}

/* "[1,2,3]": integers only, no outside text. */
static void
ids_json(const long long *ids, unsigned n, struct buf *out)
{
	buf_putc(out, '[');
	for (unsigned i = 0; i < n; i++)
		buf_printf(out, "%s%lld", i > 0 ? "," : "", ids[i]);
	buf_putc(out, ']');
}

#define JSON_IDS "JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$')) j"

struct claim_ctx {
	const char *token;
	unsigned lease_s, max;
	struct id_list ids;
	struct buf json;
};

static int
claim_tx(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct claim_ctx *c = arg;
	c->ids.n = 0;
	struct db_param p[] = {DB_PARAM_INT(c->max)};
	if (db_exec(conn,
	            "SELECT id FROM outbox WHERE state = 'queued' AND not_before <= " NOW
	            " LIMIT ? FOR UPDATE SKIP LOCKED",
	            p, 1, id_row, &c->ids, NULL, err) < 0)
		return -1;
	if (c->ids.n < c->max) {
		struct id_list more = {c->ids.ids + c->ids.n, 0, c->max - c->ids.n};
		struct db_param q[] = {DB_PARAM_INT(more.max)};
		if (db_exec(conn,
		            "SELECT id FROM outbox WHERE state = 'sending' AND lease_until < " NOW
		            " LIMIT ? FOR UPDATE SKIP LOCKED",
		            q, 1, id_row, &more, NULL, err) < 0)
			return -1;
		c->ids.n += more.n;
	}
	if (c->ids.n == 0)
		return 0;
	buf_reset(&c->json);
	ids_json(c->ids.ids, c->ids.n, &c->json);
	struct db_param u[] = {{.type = DB_STR, .s = buf_cstr(&c->json), .len = c->json.len},
	                       DB_PARAM_STR(c->token),
	                       DB_PARAM_INT(c->lease_s)};
	return db_exec(conn,
	               "UPDATE outbox o JOIN " JSON_IDS " ON o.id = j.id SET o.state = 'sending',"
	               " o.lease_owner = ?, o.lease_until = " NOW " + INTERVAL ? SECOND,"
	               " o.attempts = o.attempts + 1",
	               u, 3, NULL, NULL, NULL, err);
}

struct item_list {
	struct outbox_item *items;
	unsigned n, max;
};

static int
item_row(const struct db_row *row, void *arg)
{
	struct item_list *l = arg;
	if (l->n >= l->max)
		return 0;
	struct outbox_item *it = &l->items[l->n++];
	memset(it, 0, sizeof(*it));
	it->id = strtoll(row->values[0], NULL, 10);
	it->subscriber_id = row->values[1] != NULL ? strtoll(row->values[1], NULL, 10) : 0;
	snprintf(it->client_ref, sizeof(it->client_ref), "%s", row->values[2]);
	snprintf(it->kind, sizeof(it->kind), "%s", row->values[3]);
	snprintf(it->msisdn, sizeof(it->msisdn), "%s", row->values[4]);
	snprintf(it->text, sizeof(it->text), "%s", row->values[5]);
	it->attempts = (unsigned)strtoul(row->values[6], NULL, 10);
	it->expired = row->values[7][0] == '1';
	it->member.exists = row->values[8][0] == '1';
	it->member.opted_out = row->values[9][0] == '1';
	it->member.promo_blocked = row->values[10][0] == '1';
	it->member.promo_today = strtol(row->values[11], NULL, 10);
	return 0;
}

int
outbox_claim(struct db_conn *conn, const char *token, unsigned lease_s, unsigned max,
             time_t day_start, struct outbox_item *items, unsigned *n_r, struct db_error *err)
{
	struct claim_ctx c = {.token = token, .lease_s = lease_s, .max = max, .json = BUF_INIT};
	int rc = -1;

	*n_r = 0;
	c.ids.ids = xcalloc(max > 0 ? max : 1, sizeof(long long));
	c.ids.max = max;
	if (db_tx(conn, claim_tx, &c, err) < 0)
		goto out;
	if (c.ids.n > 0) {
		/* The member's STOP and block, and for a promotional row the count of the
		 * cap as outbox_member_get counts it at send time (sent today, or being sent
		 * with a lower id), all in the read of the claimed rows. */
		struct item_list l = {items, 0, max};
		struct db_param p[] = {DB_PARAM_INT((long long)day_start),
		                       DB_PARAM_INT((long long)day_start + 86400),
		                       {.type = DB_STR, .s = buf_cstr(&c.json), .len = c.json.len},
		                       DB_PARAM_STR(token)};
		if (db_exec(conn,
		            "SELECT o.id, o.subscriber_id, o.client_ref, o.kind, o.msisdn, o.text,"
		            " o.attempts, o.expires_at < " NOW ", s.id IS NOT NULL,"
		            " s.opted_out_at IS NOT NULL, s.promo_blocked_at IS NOT NULL,"
		            " IF(o.kind = 'promotional' AND s.id IS NOT NULL, (SELECT COUNT(*) FROM"
		            " outbox x WHERE x.subscriber_id = o.subscriber_id AND"
		            " x.kind = 'promotional' AND (x.state IN ('sent', 'delivered') OR"
		            " (x.state = 'sending' AND x.id < o.id))"
		            " AND COALESCE(x.sent_at, x.not_before) >= FROM_UNIXTIME(?)"
		            " AND COALESCE(x.sent_at, x.not_before) < FROM_UNIXTIME(?)), 0)"
		            " FROM " JSON_IDS " JOIN outbox o ON o.id = j.id"
		            " LEFT JOIN subscribers s ON s.id = o.subscriber_id"
		            " WHERE o.lease_owner = ? AND o.state = 'sending'"
		            " ORDER BY o.priority DESC, o.id",
		            p, 4, item_row, &l, NULL, err) < 0)
			goto out;
		*n_r = l.n;
	}
	rc = 0;
out:
	free(c.ids.ids);
	buf_free(&c.json);
	return rc;
}

/* Results: one statement per kind of result for the whole batch, each row updated only
 * while it is still 'sending' under the token of its claim. */
#define JSON_REPORTS                                                                               \
	"JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$.i',"                             \
	" tok VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci PATH '$.t',"           \
	" prov VARCHAR(16) CHARACTER SET utf8mb4 PATH '$.p',"                                      \
	" pid VARCHAR(80) CHARACTER SET utf8mb4 PATH '$.d',"                                       \
	" err VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.e',"                                      \
	" st VARCHAR(12) CHARACTER SET utf8mb4 PATH '$.s',"                                        \
	" us BIGINT PATH '$.u')) j ON o.id = j.id"

#define REPORT_WHERE " WHERE o.state = 'sending' AND o.lease_owner = j.tok"

static const char *const report_sql[] = {
    [OUTBOX_SENT] = "UPDATE outbox o JOIN " JSON_REPORTS " SET o.state = 'sent', o.sent_at = " NOW
                    ", o.provider = j.prov,"
                    " o.provider_id = COALESCE(o.provider_id, NULLIF(j.pid, '')),"
                    " o.last_error = NULLIF(j.err, ''), o.lease_owner = NULL,"
                    " o.lease_until = NULL" REPORT_WHERE,
    [OUTBOX_RETRY] = "UPDATE outbox o JOIN " JSON_REPORTS
                     " SET o.state = IF(o.attempts >= ?, 'failed', 'queued'),"
                     " o.done_at = IF(o.attempts >= ?, " NOW ", NULL),"
                     " o.not_before = " NOW " + INTERVAL j.us MICROSECOND, o.provider = j.prov,"
                     " o.last_error = j.err, o.lease_owner = NULL,"
                     " o.lease_until = NULL" REPORT_WHERE,
    [OUTBOX_FAILED] = "UPDATE outbox o JOIN " JSON_REPORTS " SET o.state = j.st, o.done_at = " NOW
                      ", o.last_error = j.err, o.lease_owner = NULL,"
                      " o.lease_until = NULL" REPORT_WHERE,
    [OUTBOX_EXPIRED] = NULL, /* with OUTBOX_FAILED: the state is in the row */
    [OUTBOX_DEFER] = "UPDATE outbox o JOIN " JSON_REPORTS
                     " SET o.state = 'queued', o.attempts = GREATEST(o.attempts, 1) - 1,"
                     " o.not_before = " NOW " + INTERVAL j.us MICROSECOND,"
                     " o.last_error = NULLIF(j.err, ''), o.lease_owner = NULL,"
                     " o.lease_until = NULL" REPORT_WHERE,
};

/* A JSON string for s; bytes that are not UTF-8 (a provider's answer may hold any)
 * become '?' rather than losing the row's result. */
static json_t *
jstr(const char *s)
{
	json_t *v = json_string(s);
	if (v != NULL)
		return v;
	char clean[256];
	size_t i;
	for (i = 0; s[i] != '\0' && i < sizeof(clean) - 1; i++)
		clean[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	clean[i] = '\0';
	return json_string(clean);
}

static enum outbox_report_kind
report_group(enum outbox_report_kind k)
{
	return k == OUTBOX_EXPIRED ? OUTBOX_FAILED : k;
}

struct report_ctx {
	const struct outbox_report *r;
	size_t n;
	unsigned max_attempts;
	char *json[OUTBOX_DEFER + 1]; /* per group; NULL: none of that kind */
};

static int
report_tx(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct report_ctx *c = arg;
	for (int k = 0; k <= OUTBOX_DEFER; k++) {
		if (c->json[k] == NULL)
			continue;
		struct db_param p[] = {DB_PARAM_STR(c->json[k]), DB_PARAM_INT(c->max_attempts),
		                       DB_PARAM_INT(c->max_attempts)};
		if (db_exec(conn, report_sql[k], p, k == OUTBOX_RETRY ? 3 : 1, NULL, NULL, NULL,
		            err) < 0)
			return -1;
	}
	return 0;
}

int
outbox_report_apply(struct db_conn *conn, const struct outbox_report *reports, size_t n,
                    unsigned max_attempts, struct db_error *err)
{
	struct report_ctx c = {reports, n, max_attempts, {NULL}};
	json_t *groups[OUTBOX_DEFER + 1] = {NULL};
	int rc;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct outbox_report *r = &reports[i];
		enum outbox_report_kind g = report_group(r->kind);
		if (groups[g] == NULL)
			groups[g] = json_array();
		json_t *o =
		    json_pack("{sIsososososssI}", "i", (json_int_t)r->id, "t", jstr(r->token), "p",
		              jstr(r->provider), "d", jstr(r->provider_id), "e", jstr(r->error),
		              "s", r->kind == OUTBOX_EXPIRED ? "expired" : "failed", "u",
		              (json_int_t)(r->delay_s * 1e6));
		if (o == NULL || json_array_append_new(groups[g], o) < 0)
			abort(); /* out of memory: every string above is valid */
	}
	for (int k = 0; k <= OUTBOX_DEFER; k++) {
		if (groups[k] == NULL)
			continue;
		c.json[k] = json_dumps(groups[k], JSON_COMPACT);
		json_decref(groups[k]);
		if (c.json[k] == NULL)
			abort();
	}
	rc = db_tx(conn, report_tx, &c, err);
	for (int k = 0; k <= OUTBOX_DEFER; k++)
		free(c.json[k]);
	return rc;
}

struct dlr_ctx {
	const char *ref, *provider_id, *status;
	int rank, blocked;
	int outcome;
	double latency;
};

static int
latency_row(const struct db_row *row, void *arg)
{
	if (row->values[0] != NULL)
		*(double *)arg = strtod(row->values[0], NULL) / 1e6;
	return 0;
}

static int
exists_row(const struct db_row *row, void *arg)
{
	(void)row;
	*(int *)arg = 1;
	return 0;
}

static int
dlr_tx(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct dlr_ctx *c = arg;
	const char *state = c->rank == 3 ? "delivered" : c->rank == 4 ? "failed" : "expired";
	uint64_t affected = 0;
	struct db_param p[] = {DB_PARAM_STR(c->status), DB_PARAM_INT(c->rank),
	                       DB_PARAM_INT(c->rank),   DB_PARAM_STR(state),
	                       DB_PARAM_INT(c->rank),   DB_PARAM_STR(c->provider_id),
	                       DB_PARAM_STR(c->ref),    DB_PARAM_INT(c->rank)};

	c->outcome = 0;
	if (c->rank > 0 && db_exec(conn,
	                           "UPDATE outbox SET dlr_status = ?, dlr_rank = ?,"
	                           " state = IF(? >= 3, ?, state),"
	                           " done_at = IF(? >= 3, " NOW ", done_at),"
	                           " provider_id = COALESCE(provider_id, NULLIF(?, ''))"
	                           " WHERE client_ref = ? AND dlr_rank < ? AND dlr_rank < 3",
	                           p, 8, NULL, NULL, &affected, err) < 0)
		return -1;
	c->latency = -1;
	if (affected > 0) {
		c->outcome = 1;
		if (c->rank >= 3) {
			struct db_param q[] = {DB_PARAM_STR(c->ref)};
			if (db_exec(
			        conn,
			        "SELECT TIMESTAMPDIFF(MICROSECOND, sent_at, done_at) FROM outbox"
			        " WHERE client_ref = ?",
			        q, 1, latency_row, &c->latency, NULL, err) < 0)
				return -1;
		}
	} else {
		int found = 0;
		struct db_param q[] = {DB_PARAM_STR(c->ref)};
		if (db_exec(conn, "SELECT 1 FROM outbox WHERE client_ref = ?", q, 1, exists_row,
		            &found, NULL, err) < 0)
			return -1;
		c->outcome = found ? 0 : -1;
	}
	if (c->blocked && c->outcome >= 0) {
		struct db_param q[] = {DB_PARAM_STR(c->ref)};
		if (db_exec(conn,
		            "UPDATE subscribers s JOIN outbox o ON o.subscriber_id = s.id"
		            " SET s.promo_blocked_at = " NOW
		            " WHERE o.client_ref = ? AND s.promo_blocked_at IS NULL",
		            q, 1, NULL, NULL, NULL, err) < 0)
			return -1;
	}
	return 0;
}

int
outbox_dlr_apply(struct db_conn *conn, const char *ref, const char *provider_id, const char *status,
                 int rank, int blocked, int *outcome_r, double *latency_r, struct db_error *err)
{
	struct dlr_ctx c = {ref, provider_id, status, rank, blocked, 0, -1};
	if (db_tx(conn, dlr_tx, &c, err) < 0)
		return -1;
	*outcome_r = c.outcome;
	*latency_r = c.latency;
	return 0;
}

struct notif_list {
	struct outbox_notification *list;
	unsigned n, max;
};

static int
notif_row(const struct db_row *row, void *arg)
{
	struct notif_list *l = arg;
	if (l->n >= l->max)
		return 0;
	struct outbox_notification *x = &l->list[l->n++];
	memset(x, 0, sizeof(*x));
	x->id = strtoll(row->values[0], NULL, 10);
	x->subscriber_id = strtoll(row->values[1], NULL, 10);
	snprintf(x->campaign_id, sizeof(x->campaign_id), "%s",
	         row->values[2] != NULL ? row->values[2] : "");
	snprintf(x->kind, sizeof(x->kind), "%s", row->values[3]);
	snprintf(x->template_key, sizeof(x->template_key), "%s", row->values[4]);
	if (row->lengths[5] >= sizeof(x->vars))
		x->vars[0] = '\0'; /* too long to be ours: rendered without values */
	else
		snprintf(x->vars, sizeof(x->vars), "%s", row->values[5]);
	return 0;
}

int
outbox_notifications_pending(struct db_conn *conn, unsigned max, struct outbox_notification *list,
                             unsigned *n_r, struct db_error *err)
{
	struct notif_list l = {list, 0, max};
	struct db_param p[] = {DB_PARAM_INT(max)};
	if (db_exec(conn,
	            "SELECT id, subscriber_id, campaign_id, kind, template, vars FROM notifications"
	            " WHERE status = 'pending' ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED",
	            p, 1, notif_row, &l, NULL, err) < 0)
		return -1;
	*n_r = l.n;
	return 0;
}

int
outbox_notification_mark(struct db_conn *conn, long long id, const char *status,
                         struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(status), DB_PARAM_INT(id)};
	return db_exec(conn,
	               "UPDATE notifications SET status = ? WHERE id = ? AND status = 'pending'", p,
	               2, NULL, NULL, NULL, err);
}

static int
counts_row(const struct db_row *row, void *arg)
{
	struct outbox_counts *c = arg;
	long long n = strtoll(row->values[1], NULL, 10);
	const char *s = row->values[0];
	if (strcmp(s, "queued") == 0)
		c->queued = n;
	else if (strcmp(s, "sending") == 0)
		c->sending = n;
	else if (strcmp(s, "sent") == 0)
		c->sent = n;
	else if (strcmp(s, "delivered") == 0)
		c->delivered = n;
	else if (strcmp(s, "failed") == 0)
		c->failed = n;
	else if (strcmp(s, "expired") == 0)
		c->expired = n;
	return 0;
}

int
outbox_counts_get(struct db_conn *conn, struct outbox_counts *c, struct db_error *err)
{
	memset(c, 0, sizeof(*c));
	if (db_exec(conn, "SELECT state, COUNT(*) FROM outbox GROUP BY state", NULL, 0, counts_row,
	            c, NULL, err) < 0)
		return -1;
	return db_exec(conn,
	               "SELECT COUNT(*) FROM outbox WHERE state = 'queued' AND not_before <= " NOW,
	               NULL, 0, count_row, &c->due, NULL, err);
}
