/*
 * reminders (store) — SQL for reminders and runs (see reminders.h). Worker threads.
 */
#include "store/reminders.h"
#include "core/buf.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW "UTC_TIMESTAMP(6)"

static struct db_param
time_or_null(time_t t)
{
	if (t == 0)
		return (struct db_param){.type = DB_NULL};
	return DB_PARAM_INT((long long)t);
}

int
reminders_put(struct db_conn *conn, const char *id, const char *campaign_id, const char *definition,
              time_t next_run, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(id),
	                       campaign_id[0] != '\0' ? DB_PARAM_STR(campaign_id)
	                                              : (struct db_param){.type = DB_NULL},
	                       DB_PARAM_STR(definition), time_or_null(next_run)};
	return db_exec(conn,
	               "INSERT INTO reminders (id, campaign_id, definition, status, next_run_at,"
	               " created_at, updated_at) VALUES (?, ?, ?, 'active', FROM_UNIXTIME(?), " NOW
	               ", " NOW ") ON DUPLICATE KEY UPDATE campaign_id = VALUES(campaign_id),"
	               " definition = VALUES(definition), status = 'active',"
	               " next_run_at = VALUES(next_run_at), updated_at = VALUES(updated_at)",
	               p, 4, NULL, NULL, NULL, err);
}

#define ROW_COLUMNS                                                                                \
	"id, COALESCE(campaign_id, ''), status,"                                                   \
	" COALESCE(DATE_FORMAT(next_run_at, '%Y-%m-%dT%H:%i:%sZ'), ''), definition,"               \
	" COALESCE(UNIX_TIMESTAMP(next_run_at), 0)"

struct rows {
	struct reminder_row *rows;
	unsigned n, max;
	time_t *scheduled;
	void (*fn)(const struct reminder_row *r, void *arg);
	void *arg;
};

static void
fill(struct reminder_row *r, const struct db_row *row)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", row->values[0]);
	snprintf(r->campaign_id, sizeof(r->campaign_id), "%s", row->values[1]);
	snprintf(r->status, sizeof(r->status), "%s", row->values[2]);
	snprintf(r->next_run_at, sizeof(r->next_run_at), "%s", row->values[3]);
}

static int
rows_row(const struct db_row *row, void *arg)
{
	struct rows *l = arg;
	if (l->fn != NULL) {
		struct reminder_row r;
		fill(&r, row);
		r.definition = (char *)row->values[4];
		l->fn(&r, l->arg);
		return 0;
	}
	if (l->n >= l->max)
		return 0;
	fill(&l->rows[l->n], row);
	l->rows[l->n].definition = xstrdup(row->values[4]);
	if (l->scheduled != NULL)
		l->scheduled[l->n] = (time_t)strtoll(row->values[5], NULL, 10);
	l->n++;
	return 0;
}

int
reminders_get(struct db_conn *conn, const char *id, struct reminder_row *r, struct db_error *err)
{
	struct rows l = {r, 0, 1, NULL, NULL, NULL};
	struct db_param p[] = {DB_PARAM_STR(id)};
	if (db_exec(conn, "SELECT " ROW_COLUMNS " FROM reminders WHERE id = ?", p, 1, rows_row, &l,
	            NULL, err) < 0)
		return -1;
	return l.n == 1 ? 1 : 0;
}

int
reminders_list(struct db_conn *conn, void (*fn)(const struct reminder_row *r, void *arg), void *arg,
               struct db_error *err)
{
	struct rows l = {NULL, 0, 0, NULL, fn, arg};
	return db_exec(conn, "SELECT " ROW_COLUMNS " FROM reminders ORDER BY id", NULL, 0, rows_row,
	               &l, NULL, err);
}

int
reminders_set(struct db_conn *conn, const char *id, const char *status, time_t next_run,
              struct db_error *err)
{
	uint64_t affected = 0;
	int found = 0;
	struct db_param p[] = {DB_PARAM_STR(status), time_or_null(next_run), DB_PARAM_STR(id)};
	if (db_exec(conn,
	            "UPDATE reminders SET status = ?, next_run_at = FROM_UNIXTIME(?),"
	            " updated_at = " NOW " WHERE id = ?",
	            p, 3, NULL, NULL, &affected, err) < 0)
		return -1;
	if (affected > 0)
		return 1;
	struct reminder_row r;
	found = reminders_get(conn, id, &r, err);
	if (found == 1)
		free(r.definition);
	return found;
}

int
reminders_set_status(struct db_conn *conn, const char *id, const char *status, struct db_error *err)
{
	uint64_t affected = 0;
	struct db_param p[] = {DB_PARAM_STR(status), DB_PARAM_STR(id)};
	if (db_exec(conn, "UPDATE reminders SET status = ?, updated_at = " NOW " WHERE id = ?", p,
	            2, NULL, NULL, &affected, err) < 0)
		return -1;
	return affected > 0 ? 1 : 0;
}

int
reminders_due(struct db_conn *conn, unsigned max, struct reminder_row *rows, unsigned *n_r,
              time_t *scheduled_r, struct db_error *err)
{
	struct rows l = {rows, 0, max, scheduled_r, NULL, NULL};
	struct db_param p[] = {DB_PARAM_INT(max)};
	if (db_exec(conn,
	            "SELECT " ROW_COLUMNS " FROM reminders WHERE status = 'active' AND"
	            " next_run_at <= " NOW " ORDER BY next_run_at LIMIT ? FOR UPDATE SKIP LOCKED",
	            p, 1, rows_row, &l, NULL, err) < 0)
		return -1;
	*n_r = l.n;
	return 0;
}

int
reminders_start_run(struct db_conn *conn, const char *id, time_t scheduled_for,
                    struct db_error *err)
{
	uint64_t affected = 0;
	struct db_param p[] = {DB_PARAM_STR(id), DB_PARAM_INT((long long)scheduled_for)};
	if (db_exec(conn,
	            "INSERT INTO reminder_runs (reminder_id, scheduled_for, status, started_at)"
	            " VALUES (?, FROM_UNIXTIME(?), 'running', " NOW ")"
	            " ON DUPLICATE KEY UPDATE id = id",
	            p, 2, NULL, NULL, &affected, err) < 0)
		return -1;
	return affected == 1 ? 1 : 0;
}

struct take {
	const char *owner;
	unsigned lease_s;
	long long id;
	char reminder_id[41];
};

static int
take_row(const struct db_row *row, void *arg)
{
	struct take *t = arg;
	t->id = strtoll(row->values[0], NULL, 10);
	snprintf(t->reminder_id, sizeof(t->reminder_id), "%s", row->values[1]);
	return 0;
}

static int
take_tx(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct take *t = arg;
	t->id = 0;
	struct db_param q[] = {DB_PARAM_STR(t->owner)};
	if (db_exec(conn,
	            "SELECT id, reminder_id FROM reminder_runs WHERE status = 'running' AND"
	            " (lease_until IS NULL OR lease_until < " NOW " OR lease_owner = ?)"
	            " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
	            q, 1, take_row, t, NULL, err) < 0)
		return -1;
	if (t->id == 0)
		return 0;
	struct db_param p[] = {DB_PARAM_STR(t->owner), DB_PARAM_INT(t->lease_s),
	                       DB_PARAM_INT(t->id)};
	return db_exec(conn,
	               "UPDATE reminder_runs SET lease_owner = ?, lease_until = " NOW
	               " + INTERVAL ? SECOND WHERE id = ?",
	               p, 3, NULL, NULL, NULL, err);
}

int
reminders_take_run(struct db_conn *conn, const char *owner, unsigned lease_s, long long *run_id_r,
                   char reminder_id[41], struct db_error *err)
{
	struct take t = {.owner = owner, .lease_s = lease_s};
	if (db_tx(conn, take_tx, &t, err) < 0)
		return -1;
	if (t.id == 0)
		return 0;
	*run_id_r = t.id;
	snprintf(reminder_id, 41, "%s", t.reminder_id);
	return 1;
}

static int
cursor_row(const struct db_row *row, void *arg)
{
	*(long long *)arg = strtoll(row->values[0], NULL, 10);
	return 0;
}

int
reminders_lock_run(struct db_conn *conn, long long run_id, const char *owner, long long *cursor_r,
                   struct db_error *err)
{
	long long cursor = -1;
	struct db_param p[] = {DB_PARAM_INT(run_id), DB_PARAM_STR(owner)};
	if (db_exec(conn,
	            "SELECT cursor_id FROM reminder_runs WHERE id = ? AND lease_owner = ? AND"
	            " status = 'running' FOR UPDATE",
	            p, 2, cursor_row, &cursor, NULL, err) < 0)
		return -1;
	if (cursor < 0)
		return 0;
	*cursor_r = cursor;
	return 1;
}

int
reminders_advance_run(struct db_conn *conn, long long run_id, long long cursor, long long members,
                      long long refused, int done, unsigned lease_s, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_INT(cursor), DB_PARAM_INT(members), DB_PARAM_INT(refused),
	                       DB_PARAM_INT(done),   DB_PARAM_INT(done),    DB_PARAM_INT(lease_s),
	                       DB_PARAM_INT(run_id)};
	return db_exec(conn,
	               "UPDATE reminder_runs SET cursor_id = ?, members = members + ?,"
	               " refused = refused + ?, status = IF(? = 1, 'done', status),"
	               " finished_at = IF(? = 1, " NOW ", NULL),"
	               " lease_until = " NOW " + INTERVAL ? SECOND WHERE id = ?",
	               p, 7, NULL, NULL, NULL, err);
}

/* Appends the segment's conditions (fixed fragments per segment type, in enum
 * reminder_segment order: no outside text ever goes into the statement, only into its
 * parameters) and their parameters. -1 for an unknown type. */
static int
segment_where(const struct segment_query *q, struct buf *sql, struct db_param *p, size_t *np)
{
	static const char *const where[] = {
	    "",
	    " AND s.tier = ?",
	    " AND NOT EXISTS (SELECT 1 FROM spins x WHERE x.subscriber_id = s.id AND"
	    " x.day_key = ? AND (? = '' OR x.campaign_id = ?))",
	    " AND NOT EXISTS (SELECT 1 FROM checkins x WHERE x.subscriber_id = s.id AND"
	    " x.day_key = ? AND (? = '' OR x.campaign_id = ?))",
	    " AND EXISTS (SELECT 1 FROM points_ledger l WHERE l.subscriber_id = s.id AND"
	    " l.remaining > 0 AND l.expires_at > " NOW " AND l.expires_at <= " NOW
	    " + INTERVAL ? DAY)",
	    " AND NOT EXISTS (SELECT 1 FROM inbound_messages m WHERE m.msisdn = s.msisdn AND"
	    " m.received_at >= " NOW " - INTERVAL ? DAY)",
	    " AND s.joined_at >= " NOW " - INTERVAL ? DAY",
	    " AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.referrer_id = s.id)",
	};
	if (q->type < 0 || (size_t)q->type >= sizeof(where) / sizeof(where[0]))
		return -1;
	buf_puts(sql, " AND s.joined_at IS NOT NULL");
	if (!q->include_opted_out)
		buf_puts(sql, " AND s.opted_out_at IS NULL");
	buf_puts(sql, where[q->type]);
	switch (q->type) {
	case 1:
		p[(*np)++] = DB_PARAM_STR(q->tier);
		break;
	case 2:
	case 3:
		p[(*np)++] = DB_PARAM_STR(q->day_key);
		p[(*np)++] = DB_PARAM_STR(q->campaign);
		p[(*np)++] = DB_PARAM_STR(q->campaign);
		break;
	case 4:
	case 5:
	case 6:
		p[(*np)++] = DB_PARAM_INT(q->days);
		break;
	default:
		break;
	}
	return 0;
}

static int
unknown_segment(const struct segment_query *q, struct db_error *err)
{
	err->code = 0;
	snprintf(err->msg, sizeof(err->msg), "unknown segment %d", q->type);
	return -1;
}

struct seg_next {
	unsigned n;
	long long last;
};

static int
seg_next_row(const struct db_row *row, void *arg)
{
	struct seg_next *x = arg;
	x->n = (unsigned)strtoul(row->values[0], NULL, 10);
	if (row->values[1] != NULL)
		x->last = strtoll(row->values[1], NULL, 10);
	return 0;
}

int
reminders_segment_next(struct db_conn *conn, const struct segment_query *q, long long after,
                       unsigned max, unsigned *n_r, long long *last_r, struct db_error *err)
{
	struct db_param p[8];
	size_t np = 0;
	struct buf sql = BUF_INIT;
	struct seg_next x = {0, after};

	buf_puts(&sql, "SELECT COUNT(*), MAX(t.id) FROM (SELECT s.id FROM subscribers s"
	               " WHERE s.id > ?");
	p[np++] = DB_PARAM_INT(after);
	if (segment_where(q, &sql, p, &np) < 0) {
		buf_free(&sql);
		return unknown_segment(q, err);
	}
	buf_puts(&sql, " ORDER BY s.id LIMIT ?) t");
	p[np++] = DB_PARAM_INT(max);
	int rc = db_exec(conn, buf_cstr(&sql), p, np, seg_next_row, &x, NULL, err);
	buf_free(&sql);
	*n_r = x.n;
	*last_r = x.last;
	return rc;
}

int
reminders_materialise(struct db_conn *conn, const struct materialise_args *a, long long *inserted_r,
                      long long *refused_r, struct db_error *err)
{
	struct db_param p[40];
	size_t np = 0;
	struct buf sql = BUF_INIT;
	char prefix[48], source[48];
	uint64_t inserted = 0;
	long long refused = 0;
	int rc = -1;

	snprintf(prefix, sizeof(prefix), "rem:%lld:", a->run_id);
	snprintf(source, sizeof(source), "reminder:%lld", a->run_id);
	/* One statement for the whole batch: each member's text in their language with
	 * {points} and {tier} filled, the policies of a creation (blocked, the daily cap of
	 * promotional messages, the length) as the reason a row is recorded 'failed'. */
	buf_puts(&sql, "INSERT INTO outbox (client_ref, kind, subscriber_id, msisdn, text, lang,"
	               " campaign_id, source, segments, state, not_before, expires_at, last_error,"
	               " done_at, created_at)"
	               " SELECT CONCAT(?, m.id), ?, m.id, m.msisdn,"
	               " REPLACE(REPLACE(IF(m.lang = ?, ?, ?), '{points}', m.points), '{tier}',"
	               " m.tier), m.lang, ?, ?, IF(m.lang = ?, ?, ?),"
	               " IF(m.refusal IS NULL, 'queued', 'failed'), FROM_UNIXTIME(?),"
	               " FROM_UNIXTIME(?), m.refusal, IF(m.refusal IS NULL, NULL, " NOW "), " NOW
	               " FROM (SELECT s.id, s.msisdn, s.points, COALESCE(s.tier, '') AS tier,"
	               " COALESCE(NULLIF(s.lang, ''), ?) AS lang,"
	               " COALESCE(?, CASE WHEN ? = 0 THEN NULL"
	               " WHEN s.promo_blocked_at IS NOT NULL THEN"
	               " 'blocked by the operator for promotional messages'"
	               " WHEN COALESCE(c.n, 0) >= ? THEN"
	               " 'daily cap of promotional messages reached' END) AS refusal"
	               " FROM subscribers s"
	               /* The cap's count for the whole batch in one range of
	                * outbox_subscriber_day (empty unless a member has promotional
	                * rows), instead of one look-up per member. */
	               " LEFT JOIN (SELECT o.subscriber_id, COUNT(*) AS n FROM outbox o"
	               " WHERE ? = 1 AND o.subscriber_id > ? AND o.subscriber_id <= ? AND"
	               " o.kind = 'promotional' AND o.state IN ('queued', 'sending', 'sent',"
	               " 'delivered') AND COALESCE(o.sent_at, o.not_before) >= FROM_UNIXTIME(?)"
	               " AND COALESCE(o.sent_at, o.not_before) < FROM_UNIXTIME(?)"
	               " GROUP BY o.subscriber_id) c ON c.subscriber_id = s.id"
	               " WHERE s.id > ? AND s.id <= ?");
	p[np++] = DB_PARAM_STR(prefix);
	p[np++] = DB_PARAM_STR(a->kind);
	p[np++] = DB_PARAM_STR(a->lang0);
	p[np++] = DB_PARAM_STR(a->text0);
	p[np++] = DB_PARAM_STR(a->text1);
	p[np++] =
	    a->campaign != NULL ? DB_PARAM_STR(a->campaign) : (struct db_param){.type = DB_NULL};
	p[np++] = DB_PARAM_STR(source);
	p[np++] = DB_PARAM_STR(a->lang0);
	p[np++] = DB_PARAM_INT(a->segments0);
	p[np++] = DB_PARAM_INT(a->segments1);
	p[np++] = DB_PARAM_INT((long long)a->not_before);
	p[np++] = DB_PARAM_INT((long long)a->expires_at);
	p[np++] = DB_PARAM_STR(a->default_lang);
	p[np++] =
	    a->too_long != NULL ? DB_PARAM_STR(a->too_long) : (struct db_param){.type = DB_NULL};
	p[np++] = DB_PARAM_INT(a->promotional);
	p[np++] = DB_PARAM_INT(a->cap);
	p[np++] = DB_PARAM_INT(a->promotional);
	p[np++] = DB_PARAM_INT(a->after);
	p[np++] = DB_PARAM_INT(a->upto);
	p[np++] = DB_PARAM_INT((long long)a->day_start);
	p[np++] = DB_PARAM_INT((long long)a->day_start + 86400);
	p[np++] = DB_PARAM_INT(a->after);
	p[np++] = DB_PARAM_INT(a->upto);
	if (segment_where(a->q, &sql, p, &np) < 0) {
		unknown_segment(a->q, err);
		goto out;
	}
	buf_puts(&sql, ") m ON DUPLICATE KEY UPDATE id = outbox.id");
	if (db_exec(conn, buf_cstr(&sql), p, np, NULL, NULL, &inserted, err) < 0)
		goto out;
	struct db_param q[] = {DB_PARAM_STR(source), DB_PARAM_INT(a->after), DB_PARAM_INT(a->upto)};
	if (db_exec(conn,
	            "SELECT COUNT(*) FROM outbox WHERE source = ? AND state = 'failed' AND"
	            " subscriber_id > ? AND subscriber_id <= ?",
	            q, 3, cursor_row, &refused, NULL, err) < 0)
		goto out;
	*inserted_r = (long long)inserted;
	*refused_r = refused;
	rc = 0;
out:
	buf_free(&sql);
	return rc;
}

struct runs_ctx {
	struct reminder_run_status *list;
	unsigned n, max;
};

static int
run_row(const struct db_row *row, void *arg)
{
	struct runs_ctx *c = arg;
	if (c->n >= c->max)
		return 0;
	struct reminder_run_status *s = &c->list[c->n++];
	memset(s, 0, sizeof(*s));
	s->id = strtoll(row->values[0], NULL, 10);
	snprintf(s->reminder_id, sizeof(s->reminder_id), "%s", row->values[1]);
	snprintf(s->scheduled_for, sizeof(s->scheduled_for), "%s", row->values[2]);
	snprintf(s->status, sizeof(s->status), "%s", row->values[3]);
	s->members = strtoll(row->values[4], NULL, 10);
	s->refused = strtoll(row->values[5], NULL, 10);
	return 0;
}

static int
state_row(const struct db_row *row, void *arg)
{
	struct reminder_run_status *s = arg;
	long long n = strtoll(row->values[1], NULL, 10);
	const char *st = row->values[0];
	if (strcmp(st, "queued") == 0)
		s->queued = n;
	else if (strcmp(st, "sending") == 0)
		s->sending = n;
	else if (strcmp(st, "sent") == 0)
		s->sent = n;
	else if (strcmp(st, "delivered") == 0)
		s->delivered = n;
	else if (strcmp(st, "failed") == 0)
		s->failed = n;
	else if (strcmp(st, "expired") == 0)
		s->expired = n;
	return 0;
}

int
reminders_runs(struct db_conn *conn, const char *reminder_id, unsigned limit,
               void (*fn)(const struct reminder_run_status *s, void *arg), void *arg,
               struct db_error *err)
{
	struct runs_ctx c = {xcalloc(limit > 0 ? limit : 1, sizeof(*c.list)), 0, limit};
	struct db_param p[] = {DB_PARAM_STR(reminder_id), DB_PARAM_STR(reminder_id),
	                       DB_PARAM_INT(limit)};
	int rc = -1;
	if (db_exec(conn,
	            "SELECT id, reminder_id, DATE_FORMAT(scheduled_for, '%Y-%m-%dT%H:%i:%sZ'),"
	            " status, members, refused FROM reminder_runs"
	            " WHERE (? = '' OR reminder_id = ?) ORDER BY id DESC LIMIT ?",
	            p, 3, run_row, &c, NULL, err) < 0)
		goto out;
	for (unsigned i = 0; i < c.n; i++) {
		char source[48];
		snprintf(source, sizeof(source), "reminder:%lld", c.list[i].id);
		struct db_param q[] = {DB_PARAM_STR(source)};
		if (db_exec(conn,
		            "SELECT state, COUNT(*) FROM outbox WHERE source = ? GROUP BY state", q,
		            1, state_row, &c.list[i], NULL, err) < 0)
			goto out;
		fn(&c.list[i], arg);
	}
	rc = 0;
out:
	free(c.list);
	return rc;
}
