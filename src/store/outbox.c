/*
 * outbox (store) — SQL for the outbox and the notifications feed (see outbox.h).
 * Worker threads.
 */
#include "store/outbox.h"

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

/* Claiming: ids first (locked, skipping rows another node holds), then one lease per
 * row, then the rows themselves by the claim's token. */
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

#define CLAIM_CHUNK 32 /* db.c takes at most 64 parameters */
#define Q4          "?, ?, ?, ?, "
#define Q16         Q4 Q4 Q4 Q4

/* One UPDATE per CLAIM_CHUNK claimed rows: id IN (32 placeholders). */
static const char claim_sql[] =
    "UPDATE outbox SET state = 'sending', lease_owner = ?, lease_until = " NOW
    " + INTERVAL ? SECOND, attempts = attempts + 1 WHERE id IN (" Q16 Q4 Q4 Q4 "?, ?, ?, ?)";

struct claim_ctx {
	const char *token;
	unsigned lease_s, max;
	struct id_list ids;
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
	/* One statement per CLAIM_CHUNK rows, always with CLAIM_CHUNK placeholders (a short
	 * chunk repeats its last id) so that its text, and its prepared statement, stay one. */
	for (unsigned i = 0; i < c->ids.n; i += CLAIM_CHUNK) {
		struct db_param u[2 + CLAIM_CHUNK];
		u[0] = DB_PARAM_STR(c->token);
		u[1] = DB_PARAM_INT(c->lease_s);
		for (unsigned k = 0; k < CLAIM_CHUNK; k++) {
			unsigned at = i + k < c->ids.n ? i + k : c->ids.n - 1;
			u[2 + k] = DB_PARAM_INT(c->ids.ids[at]);
		}
		if (db_exec(conn, claim_sql, u, 2 + CLAIM_CHUNK, NULL, NULL, NULL, err) < 0)
			return -1;
	}
	return 0;
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
	return 0;
}

int
outbox_claim(struct db_conn *conn, const char *token, unsigned lease_s, unsigned max,
             struct outbox_item *items, unsigned *n_r, struct db_error *err)
{
	struct claim_ctx c = {.token = token, .lease_s = lease_s, .max = max};
	int rc = -1;

	*n_r = 0;
	c.ids.ids = calloc(max > 0 ? max : 1, sizeof(long long));
	c.ids.max = max;
	if (c.ids.ids == NULL)
		abort();
	if (db_tx(conn, claim_tx, &c, err) < 0)
		goto out;
	if (c.ids.n > 0) {
		struct item_list l = {items, 0, max};
		struct db_param p[] = {DB_PARAM_STR(token)};
		if (db_exec(
		        conn,
		        "SELECT id, subscriber_id, client_ref, kind, msisdn, text, attempts,"
		        " expires_at < " NOW " FROM outbox"
		        " WHERE lease_owner = ? AND state = 'sending' ORDER BY priority DESC, id",
		        p, 1, item_row, &l, NULL, err) < 0)
			goto out;
		*n_r = l.n;
	}
	rc = 0;
out:
	free(c.ids.ids);
	return rc;
}

struct report_ctx {
	const struct outbox_report *r;
	size_t n;
	unsigned max_attempts;
};

static int
report_one(struct db_conn *conn, const struct outbox_report *r, unsigned max_attempts,
           struct db_error *err)
{
	long long delay_us = (long long)(r->delay_s * 1e6);
	switch (r->kind) {
	case OUTBOX_SENT: {
		struct db_param p[] = {DB_PARAM_STR(r->provider), DB_PARAM_STR(r->provider_id),
		                       DB_PARAM_STR(r->error), DB_PARAM_INT(r->id),
		                       DB_PARAM_STR(r->token)};
		return db_exec(conn,
		               "UPDATE outbox SET state = 'sent', sent_at = " NOW ", provider = ?,"
		               " provider_id = COALESCE(provider_id, NULLIF(?, '')),"
		               " last_error = NULLIF(?, ''), lease_owner = NULL, lease_until = NULL"
		               " WHERE id = ? AND state = 'sending' AND lease_owner = ?",
		               p, 5, NULL, NULL, NULL, err);
	}
	case OUTBOX_RETRY: {
		struct db_param p[] = {DB_PARAM_INT(max_attempts), DB_PARAM_INT(max_attempts),
		                       DB_PARAM_INT(delay_us),     DB_PARAM_STR(r->provider),
		                       DB_PARAM_STR(r->error),     DB_PARAM_INT(r->id),
		                       DB_PARAM_STR(r->token)};
		return db_exec(conn,
		               "UPDATE outbox SET state = IF(attempts >= ?, 'failed', 'queued'),"
		               " done_at = IF(attempts >= ?, " NOW ", NULL),"
		               " not_before = " NOW " + INTERVAL ? MICROSECOND, provider = ?,"
		               " last_error = ?, lease_owner = NULL, lease_until = NULL"
		               " WHERE id = ? AND state = 'sending' AND lease_owner = ?",
		               p, 7, NULL, NULL, NULL, err);
	}
	case OUTBOX_FAILED:
	case OUTBOX_EXPIRED: {
		struct db_param p[] = {
		    DB_PARAM_STR(r->kind == OUTBOX_FAILED ? "failed" : "expired"),
		    DB_PARAM_STR(r->error), DB_PARAM_INT(r->id), DB_PARAM_STR(r->token)};
		return db_exec(conn,
		               "UPDATE outbox SET state = ?, done_at = " NOW ", last_error = ?,"
		               " lease_owner = NULL, lease_until = NULL"
		               " WHERE id = ? AND state = 'sending' AND lease_owner = ?",
		               p, 4, NULL, NULL, NULL, err);
	}
	case OUTBOX_DEFER: {
		struct db_param p[] = {DB_PARAM_INT(delay_us), DB_PARAM_STR(r->error),
		                       DB_PARAM_INT(r->id), DB_PARAM_STR(r->token)};
		return db_exec(
		    conn,
		    "UPDATE outbox SET state = 'queued', attempts = GREATEST(attempts, 1) - 1,"
		    " not_before = " NOW " + INTERVAL ? MICROSECOND,"
		    " last_error = NULLIF(?, ''), lease_owner = NULL, lease_until = NULL"
		    " WHERE id = ? AND state = 'sending' AND lease_owner = ?",
		    p, 4, NULL, NULL, NULL, err);
	}
	}
	return 0;
}

/* A plain success (no provider id, no remark) can share one UPDATE with others of its
 * claim and provider. */
static int
plain_sent(const struct outbox_report *r)
{
	return r->kind == OUTBOX_SENT && r->provider_id[0] == '\0' && r->error[0] == '\0';
}

static const char sent_chunk_sql[] =
    "UPDATE outbox SET state = 'sent', sent_at = " NOW ", provider = ?, lease_owner = NULL,"
    " lease_until = NULL WHERE state = 'sending' AND lease_owner = ? AND id IN (" Q16 Q4 Q4 Q4
    "?, ?, ?, ?)";

static int
report_tx(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct report_ctx *c = arg;
	for (size_t i = 0; i < c->n;) {
		const struct outbox_report *r = &c->r[i];
		if (!plain_sent(r)) {
			if (report_one(conn, r, c->max_attempts, err) < 0)
				return -1;
			i++;
			continue;
		}
		/* Up to CLAIM_CHUNK plain successes in a row with the same token and provider. */
		size_t k = i + 1;
		while (k < c->n && k - i < CLAIM_CHUNK && plain_sent(&c->r[k]) &&
		       strcmp(c->r[k].token, r->token) == 0 &&
		       strcmp(c->r[k].provider, r->provider) == 0)
			k++;
		struct db_param p[2 + CLAIM_CHUNK];
		p[0] = DB_PARAM_STR(r->provider);
		p[1] = DB_PARAM_STR(r->token);
		for (size_t j = 0; j < CLAIM_CHUNK; j++)
			p[2 + j] = DB_PARAM_INT(c->r[i + j < k ? i + j : k - 1].id);
		if (db_exec(conn, sent_chunk_sql, p, 2 + CLAIM_CHUNK, NULL, NULL, NULL, err) < 0)
			return -1;
		i = k;
	}
	return 0;
}

int
outbox_report_apply(struct db_conn *conn, const struct outbox_report *reports, size_t n,
                    unsigned max_attempts, struct db_error *err)
{
	struct report_ctx c = {reports, n, max_attempts};
	if (n == 0)
		return 0;
	return db_tx(conn, report_tx, &c, err);
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
