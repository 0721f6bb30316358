/*
 * referrals (store) — SQL for referrals and the referrers' cap counters. Worker threads,
 * inside the caller's transaction.
 */
#include "store/referrals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW "UTC_TIMESTAMP(6)"
/* Membership and seconds since joining, both times in UTC on the server whatever the
 * session's time zone. */
#define MEMBER_SQL                                                                                 \
	"SELECT joined_at IS NOT NULL, TIMESTAMPDIFF(SECOND, joined_at, " NOW ")"                  \
	" FROM subscribers WHERE id = ?"

static int
one_value(const struct db_row *row, void *arg)
{
	long long *v = arg;
	*v = row->values[0] != NULL ? strtoll(row->values[0], NULL, 10) : 0;
	return 0;
}

static int
member_row(const struct db_row *row, void *arg)
{
	struct referrals_member *m = arg;
	m->exists = 1;
	m->member = row->values[0][0] == '1';
	m->joined_ago_s = row->values[1] != NULL ? strtoll(row->values[1], NULL, 10) : -1;
	return 0;
}

int
referrals_member_state(struct db_conn *conn, long long id, int lock, struct referrals_member *m,
                       struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_INT(id)};
	memset(m, 0, sizeof(*m));
	m->joined_ago_s = -1;
	return db_exec(conn, lock ? MEMBER_SQL " FOR UPDATE" : MEMBER_SQL, p, 1, member_row, m,
	               NULL, err);
}

int
referrals_referrer_of(struct db_conn *conn, long long referee_id, long long *referrer_r,
                      struct db_error *err)
{
	long long referrer = -1;
	struct db_param p[] = {DB_PARAM_INT(referee_id)};
	if (db_exec(conn, "SELECT referrer_id FROM referrals WHERE referee_id = ?", p, 1, one_value,
	            &referrer, NULL, err) < 0)
		return -1;
	*referrer_r = referrer;
	return referrer >= 0 ? 1 : 0;
}

int
referrals_rewarded(struct db_conn *conn, const char *campaign_id, long long referrer_id,
                   long long *count_r, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(campaign_id), DB_PARAM_INT(referrer_id)};
	*count_r = 0;
	return db_exec(conn,
	               "SELECT rewarded FROM referral_counters WHERE campaign_id = ?"
	               " AND referrer_id = ?",
	               p, 2, one_value, count_r, NULL, err);
}

/* Takes one of the referrer's slots under cap. 1 taken (*count_r = the new count),
 * 0 none left (nothing changed), -1. The UPDATE's row lock is held to the commit. */
static int
take_slot(struct db_conn *conn, const char *campaign_id, long long referrer_id, unsigned cap,
          long long *count_r, struct db_error *err)
{
	uint64_t taken = 0;
	struct db_param k[] = {DB_PARAM_STR(campaign_id), DB_PARAM_INT(referrer_id)};
	struct db_param u[] = {DB_PARAM_STR(campaign_id), DB_PARAM_INT(referrer_id),
	                       DB_PARAM_INT(cap)};
	if (db_exec(conn,
	            "INSERT INTO referral_counters (campaign_id, referrer_id, rewarded)"
	            " VALUES (?, ?, 0) ON DUPLICATE KEY UPDATE rewarded = rewarded",
	            k, 2, NULL, NULL, NULL, err) < 0)
		return -1;
	if (db_exec(conn,
	            "UPDATE referral_counters SET rewarded = rewarded + 1"
	            " WHERE campaign_id = ? AND referrer_id = ? AND rewarded < ?",
	            u, 3, NULL, NULL, &taken, err) < 0)
		return -1;
	if (taken != 1)
		return 0;
	if (referrals_rewarded(conn, campaign_id, referrer_id, count_r, err) < 0)
		return -1;
	return 1;
}

int
referrals_claim(struct db_conn *conn, const struct game_scope *scope, const struct referrals_new *r,
                enum referrals_claim *res_r, long long *id_r, long long *count_r,
                struct db_error *err)
{
	struct db_error ignored;
	uint64_t inserted = 0;
	struct db_param p[] = {
	    DB_PARAM_STR(scope->campaign_id),
	    DB_PARAM_INT(scope->campaign_version),
	    DB_PARAM_INT(r->referrer_id),
	    DB_PARAM_INT(r->referee_id),
	    DB_PARAM_STR(r->pending ? "pending" : "rewarded"),
	    r->pending ? (struct db_param){.type = DB_NULL} : DB_PARAM_STR(r->day_key),
	    r->pending ? (struct db_param){.type = DB_NULL} : DB_PARAM_STR(r->week_key),
	    DB_PARAM_INT(r->pending ? 0 : 1),
	};

	*id_r = *count_r = 0;
	if (db_exec_plain(conn, "SAVEPOINT referral_claim", err) < 0)
		return -1;
	if (db_exec(conn,
	            "INSERT INTO referrals (campaign_id, campaign_version, referrer_id, referee_id,"
	            " status, day_key, week_key, created_at, rewarded_at)"
	            " VALUES (?, ?, ?, ?, ?, ?, ?, " NOW ", IF(? = 1, " NOW ", NULL))"
	            " ON DUPLICATE KEY UPDATE id = id",
	            p, sizeof(p) / sizeof(p[0]), NULL, NULL, &inserted, err) < 0)
		return -1;
	if (inserted != 1) {
		db_exec_plain(conn, "RELEASE SAVEPOINT referral_claim", &ignored);
		*res_r = REFERRALS_ALREADY;
		return 0;
	}
	if (db_exec(conn, "SELECT LAST_INSERT_ID()", NULL, 0, one_value, id_r, NULL, err) < 0)
		return -1;
	if (!r->pending) {
		int got = take_slot(conn, scope->campaign_id, r->referrer_id, r->cap, count_r, err);
		if (got < 0)
			return -1;
		if (got == 0) {
			if (db_exec_plain(conn, "ROLLBACK TO SAVEPOINT referral_claim", err) < 0)
				return -1;
			db_exec_plain(conn, "RELEASE SAVEPOINT referral_claim", &ignored);
			*id_r = 0;
			*res_r = REFERRALS_CAPPED;
			return 0;
		}
	}
	if (db_exec_plain(conn, "RELEASE SAVEPOINT referral_claim", err) < 0)
		return -1;
	*res_r = REFERRALS_CLAIMED;
	return 0;
}

struct pending_out {
	long long *id, *referrer;
	int found;
};

static int
pending_row(const struct db_row *row, void *arg)
{
	struct pending_out *o = arg;
	*o->id = strtoll(row->values[0], NULL, 10);
	*o->referrer = strtoll(row->values[1], NULL, 10);
	o->found = 1;
	return 0;
}

int
referrals_pending_of(struct db_conn *conn, const char *campaign_id, long long referee_id,
                     long long *id_r, long long *referrer_r, struct db_error *err)
{
	struct pending_out o = {id_r, referrer_r, 0};
	struct db_param p[] = {DB_PARAM_INT(referee_id), DB_PARAM_STR(campaign_id)};
	*id_r = *referrer_r = 0;
	if (db_exec(conn,
	            "SELECT id, referrer_id FROM referrals WHERE referee_id = ? AND campaign_id = ?"
	            " AND status = 'pending' FOR UPDATE",
	            p, 2, pending_row, &o, NULL, err) < 0)
		return -1;
	return o.found;
}

int
referrals_activate(struct db_conn *conn, const char *campaign_id, long long id,
                   long long referrer_id, unsigned cap, const char *day_key, const char *week_key,
                   enum referrals_claim *res_r, long long *count_r, struct db_error *err)
{
	*count_r = 0;
	int got = take_slot(conn, campaign_id, referrer_id, cap, count_r, err);
	if (got < 0)
		return -1;
	if (got == 0) {
		struct db_param c[] = {DB_PARAM_INT(id)};
		*res_r = REFERRALS_CAPPED;
		return db_exec(conn,
		               "UPDATE referrals SET status = 'capped' WHERE id = ?"
		               " AND status = 'pending'",
		               c, 1, NULL, NULL, NULL, err);
	}
	struct db_param p[] = {DB_PARAM_STR(day_key), DB_PARAM_STR(week_key), DB_PARAM_INT(id)};
	*res_r = REFERRALS_CLAIMED;
	return db_exec(conn,
	               "UPDATE referrals SET status = 'rewarded', day_key = ?, week_key = ?,"
	               " rewarded_at = " NOW " WHERE id = ? AND status = 'pending'",
	               p, 3, NULL, NULL, NULL, err);
}

int
referrals_count_period(struct db_conn *conn, const char *campaign_id, long long referrer_id,
                       enum referrals_period period, const char *key, long long *count_r,
                       struct db_error *err)
{
	static const char *const sql[] = {
	    [REFERRALS_DAY] = "SELECT COUNT(*) FROM referrals WHERE campaign_id = ?"
	                      " AND referrer_id = ? AND status = 'rewarded' AND day_key = ?",
	    [REFERRALS_WEEK] = "SELECT COUNT(*) FROM referrals WHERE campaign_id = ?"
	                       " AND referrer_id = ? AND status = 'rewarded' AND week_key = ?",
	    [REFERRALS_CAMPAIGN] = "SELECT COUNT(*) FROM referrals WHERE campaign_id = ?"
	                           " AND referrer_id = ? AND status = 'rewarded'",
	};
	struct db_param p[] = {DB_PARAM_STR(campaign_id), DB_PARAM_INT(referrer_id),
	                       DB_PARAM_STR(key != NULL ? key : "")};
	*count_r = 0;
	return db_exec(conn, sql[period], p, period == REFERRALS_CAMPAIGN ? 2 : 3, one_value,
	               count_r, NULL, err);
}
