/*
 * tiers (store) — the tier review's SQL. See tiers.h.
 */
#include "store/tiers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW "UTC_TIMESTAMP(6)"

/* The qualifying points of one ledger row (see tiers.h). */
#define QUALIFYING                                                                                 \
	"CASE WHEN reason = 'refund' THEN 0 WHEN delta > 0 OR reason = 'reversal' THEN delta"      \
	" ELSE 0 END"

struct claim {
	int rows;
	long long after_id;
	int done;
};

static int
claim_row(const struct db_row *row, void *arg)
{
	struct claim *c = arg;
	c->rows++;
	c->after_id = strtoll(row->values[0], NULL, 10);
	c->done = row->values[1] != NULL;
	return 0;
}

int
tiers_review_claim(struct db_conn *conn, const char *campaign_id, const char *period_key,
                   long long *after_id_r, struct db_error *err)
{
	struct claim c = {0, 0, 0};
	struct db_param p[] = {DB_PARAM_STR(campaign_id), DB_PARAM_STR(period_key)};
	if (db_exec(conn,
	            "INSERT INTO tier_reviews (campaign_id, period_key, started_at)"
	            " VALUES (?, ?, " NOW ") ON DUPLICATE KEY UPDATE after_id = after_id",
	            p, 2, NULL, NULL, NULL, err) < 0)
		return -1;
	if (db_exec(conn,
	            "SELECT after_id, done_at FROM tier_reviews"
	            " WHERE campaign_id = ? AND period_key = ? FOR UPDATE",
	            p, 2, claim_row, &c, NULL, err) < 0)
		return -1;
	if (c.rows != 1) {
		err->code = 0;
		snprintf(err->msg, sizeof(err->msg), "tier review %s %s: claim row missing",
		         campaign_id, period_key);
		return -1;
	}
	*after_id_r = c.after_id;
	return c.done ? 0 : 1;
}

int
tiers_review_done(struct db_conn *conn, const char *campaign_id, const char *period_key,
                  struct db_error *err)
{
	struct claim c = {0, 0, 0};
	struct db_param p[] = {DB_PARAM_STR(campaign_id), DB_PARAM_STR(period_key)};
	if (db_exec(conn,
	            "SELECT after_id, done_at FROM tier_reviews"
	            " WHERE campaign_id = ? AND period_key = ?",
	            p, 2, claim_row, &c, NULL, err) < 0)
		return -1;
	return c.rows == 1 && c.done ? 1 : 0;
}

int
tiers_review_advance(struct db_conn *conn, const char *campaign_id, const char *period_key,
                     long long after_id, long long reviewed, long long downgraded,
                     long long upgraded, int done, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_INT(after_id),   DB_PARAM_INT(reviewed),
	                       DB_PARAM_INT(downgraded), DB_PARAM_INT(upgraded),
	                       DB_PARAM_INT(done),       DB_PARAM_STR(campaign_id),
	                       DB_PARAM_STR(period_key)};
	return db_exec(conn,
	               "UPDATE tier_reviews SET after_id = ?, reviewed = reviewed + ?,"
	               " downgraded = downgraded + ?, upgraded = upgraded + ?,"
	               " done_at = IF(?, " NOW ", NULL)"
	               " WHERE campaign_id = ? AND period_key = ?",
	               p, 7, NULL, NULL, NULL, err);
}

struct member_page {
	struct tiers_member *rows;
	unsigned n, max;
};

static int
member_row(const struct db_row *row, void *arg)
{
	struct member_page *pg = arg;
	if (pg->n == pg->max)
		return 0;
	struct tiers_member *m = &pg->rows[pg->n++];
	memset(m, 0, sizeof(*m));
	m->id = strtoll(row->values[0], NULL, 10);
	snprintf(m->msisdn, sizeof(m->msisdn), "%s", row->values[1] != NULL ? row->values[1] : "");
	snprintf(m->tier, sizeof(m->tier), "%s", row->values[2] != NULL ? row->values[2] : "");
	m->qualifying = strtoll(row->values[3], NULL, 10);
	return 0;
}

int
tiers_members_page(struct db_conn *conn, long long after_id, int lock, struct tiers_member *rows,
                   unsigned max, struct db_error *err)
{
	struct member_page pg = {rows, 0, max};
	struct db_param p[] = {DB_PARAM_INT(after_id), DB_PARAM_INT(max)};
	if (db_exec(conn,
	            lock ? "SELECT id, msisdn, tier, qualifying_points FROM subscribers"
	                   " WHERE id > ? AND tier IS NOT NULL ORDER BY id LIMIT ? FOR UPDATE"
	                 : "SELECT id, msisdn, tier, qualifying_points FROM subscribers"
	                   " WHERE id > ? AND tier IS NOT NULL ORDER BY id LIMIT ?",
	            p, 2, member_row, &pg, NULL, err) < 0)
		return -1;
	return (int)pg.n;
}

struct earned_fill {
	struct tiers_member *rows;
	unsigned n;
};

static int
earned_row(const struct db_row *row, void *arg)
{
	struct earned_fill *f = arg;
	long long id = strtoll(row->values[0], NULL, 10);
	for (unsigned i = 0; i < f->n; i++) {
		if (f->rows[i].id != id)
			continue;
		f->rows[i].in_campaign = 1;
		f->rows[i].earned = row->values[1] != NULL ? strtoll(row->values[1], NULL, 10) : 0;
		f->rows[i].since = row->values[2] != NULL ? strtoll(row->values[2], NULL, 10) : 0;
		break;
	}
	return 0;
}

int
tiers_earned(struct db_conn *conn, const char *campaign_id, time_t from, time_t to,
             struct tiers_member *rows, unsigned n, struct db_error *err)
{
	struct earned_fill f = {rows, n};
	if (n == 0)
		return 0;
	struct db_param p[] = {DB_PARAM_INT((long long)from), DB_PARAM_INT((long long)to),
	                       DB_PARAM_INT((long long)to),   DB_PARAM_STR(campaign_id),
	                       DB_PARAM_INT(rows[0].id),      DB_PARAM_INT(rows[n - 1].id)};
	return db_exec(conn,
	               "SELECT subscriber_id,"
	               " SUM(IF(created_at >= FROM_UNIXTIME(?) AND created_at < FROM_UNIXTIME(?),"
	               " " QUALIFYING ", 0)),"
	               " SUM(IF(created_at >= FROM_UNIXTIME(?), " QUALIFYING ", 0))"
	               " FROM points_ledger WHERE campaign_id = ?"
	               " AND subscriber_id BETWEEN ? AND ? GROUP BY subscriber_id",
	               p, 6, earned_row, &f, NULL, err);
}

int
tiers_set(struct db_conn *conn, long long subscriber_id, const char *tier, long long qualifying,
          struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(tier), DB_PARAM_INT(qualifying),
	                       DB_PARAM_INT(subscriber_id)};
	return db_exec(conn,
	               "UPDATE subscribers SET tier = ?, qualifying_points = ?, updated_at = " NOW
	               " WHERE id = ?",
	               p, 3, NULL, NULL, NULL, err);
}
