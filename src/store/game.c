/*
 * game (store) — SQL for ledgers, spins, prize caps, check-ins, missions, vouchers.
 * Worker threads, inside the caller's transaction.
 */
#include "store/game.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW "UTC_TIMESTAMP(6)"

static int
one_value(const struct db_row *row, void *arg)
{
	long long *v = arg;
	*v = row->values[0] != NULL ? strtoll(row->values[0], NULL, 10) : 0;
	return 0;
}

struct award_out {
	struct game_award *a;
	int rows;
};

static long long
num(const char *v, long long if_null)
{
	return v != NULL ? strtoll(v, NULL, 10) : if_null;
}

static int
award_row(const struct db_row *row, void *arg)
{
	struct award_out *o = arg;
	if (row->ncols != 3)
		return -1;
	o->rows++;
	o->a->points = num(row->values[0], 0);
	o->a->chances = num(row->values[1], 0);
	o->a->qualifying = num(row->values[2], -1);
	return 0;
}

int
game_award(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
           long long points, long long chances, const char *reason, const char *ref,
           unsigned expiry_days, int qualifying, struct game_award *out, struct db_error *err)
{
	struct award_out o = {out, 0};
	struct db_param p[] = {
	    DB_PARAM_INT(subscriber_id),
	    DB_PARAM_STR(scope->campaign_id),
	    DB_PARAM_INT(scope->campaign_version),
	    DB_PARAM_INT(points),
	    DB_PARAM_INT(chances),
	    DB_PARAM_STR(reason),
	    DB_PARAM_STR(ref),
	    DB_PARAM_INT(expiry_days),
	    DB_PARAM_INT(qualifying ? 1 : 0),
	};
	memset(out, 0, sizeof(*out));
	out->qualifying = -1;
	if (db_exec(conn, "CALL gg_award(?, ?, ?, ?, ?, ?, ?, ?, ?)", p, 9, award_row, &o, NULL,
	            err) < 0)
		return -1;
	if (o.rows != 1) {
		err->code = 0;
		snprintf(err->msg, sizeof(err->msg), "gg_award answered %d rows", o.rows);
		return -1;
	}
	return 0;
}

static int
code_row(const struct db_row *row, void *arg)
{
	char *code = arg;
	snprintf(code, 101, "%s", row->values[0] != NULL ? row->values[0] : "");
	return 0;
}

int
game_take_voucher(struct db_conn *conn, const char *pool, long long subscriber_id, char *code_r,
                  struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(pool), DB_PARAM_INT(subscriber_id)};
	code_r[0] = '\0';
	if (db_exec(conn, "CALL gg_take_voucher(?, ?)", p, 2, code_row, code_r, NULL, err) < 0)
		return -1;
	return code_r[0] != '\0' ? 1 : 0;
}

int
game_spins_today(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
                 const char *day_key, long *count_r, struct db_error *err)
{
	long long n = 0;
	struct db_param p[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_STR(scope->campaign_id),
	                       DB_PARAM_STR(day_key)};
	if (db_exec(conn,
	            "SELECT COUNT(*) FROM spins WHERE subscriber_id = ? AND campaign_id = ?"
	            " AND day_key = ?",
	            p, 3, one_value, &n, NULL, err) < 0)
		return -1;
	*count_r = (long)n;
	return 0;
}

int
game_checkin(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
             const char *day_key, const char *yesterday_key, unsigned *streak_r,
             struct db_error *err)
{
	long long today = -1, yesterday = 0;
	struct db_param q[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_STR(scope->campaign_id),
	                       DB_PARAM_STR(day_key)};
	const char *sel = "SELECT streak FROM checkins WHERE subscriber_id = ? AND campaign_id = ?"
	                  " AND day_key = ?";
	if (db_exec(conn, sel, q, 3, one_value, &today, NULL, err) < 0)
		return -1;
	if (today >= 0) {
		*streak_r = (unsigned)today;
		return 0;
	}
	struct db_param y[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_STR(scope->campaign_id),
	                       DB_PARAM_STR(yesterday_key)};
	if (db_exec(conn, sel, y, 3, one_value, &yesterday, NULL, err) < 0)
		return -1;
	*streak_r = (unsigned)yesterday + 1;
	struct db_param ins[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_STR(scope->campaign_id),
	                         DB_PARAM_STR(day_key), DB_PARAM_INT(*streak_r)};
	if (db_exec(conn,
	            "INSERT INTO checkins (subscriber_id, campaign_id, day_key, streak, created_at)"
	            " VALUES (?, ?, ?, ?, " NOW ")",
	            ins, 4, NULL, NULL, NULL, err) < 0)
		return -1;
	return 1;
}

int
game_complete_mission(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
                      const char *mission_id, const char *period_key, struct db_error *err)
{
	uint64_t affected = 0;
	struct db_param p[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_STR(scope->campaign_id),
	                       DB_PARAM_STR(mission_id), DB_PARAM_STR(period_key)};
	if (db_exec(conn,
	            "INSERT INTO mission_completions (subscriber_id, campaign_id, mission_id,"
	            " period_key, completed_at) VALUES (?, ?, ?, ?, " NOW ")"
	            " ON DUPLICATE KEY UPDATE completed_at = completed_at",
	            p, 4, NULL, NULL, &affected, err) < 0)
		return -1;
	return affected == 1 ? 1 : 0;
}

int
game_notify(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
            const char *kind, const char *template_key, const char *vars_json, const char *ref,
            struct db_error *err)
{
	uint64_t affected = 0;
	struct db_param p[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_STR(scope->campaign_id),
	                       DB_PARAM_STR(kind),          DB_PARAM_STR(template_key),
	                       DB_PARAM_STR(vars_json),     DB_PARAM_STR(ref)};
	if (db_exec(conn,
	            "INSERT INTO notifications (subscriber_id, campaign_id, kind, template, vars,"
	            " ref, created_at) VALUES (?, ?, ?, ?, ?, ?, " NOW ")"
	            " ON DUPLICATE KEY UPDATE id = id",
	            p, 6, NULL, NULL, &affected, err) < 0)
		return -1;
	return affected == 1 ? 1 : 0;
}

int
game_set_tier(struct db_conn *conn, long long subscriber_id, const char *tier, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(tier), DB_PARAM_INT(subscriber_id)};
	return db_exec(conn, "UPDATE subscribers SET tier = ?, updated_at = " NOW " WHERE id = ?",
	               p, 2, NULL, NULL, NULL, err);
}

struct tier_state {
	long long *qualifying;
	char *tier;
	size_t size;
};

static int
tier_row(const struct db_row *row, void *arg)
{
	struct tier_state *t = arg;
	*t->qualifying = strtoll(row->values[0], NULL, 10);
	snprintf(t->tier, t->size, "%s", row->values[1] != NULL ? row->values[1] : "");
	return 0;
}

int
game_tier_state(struct db_conn *conn, long long subscriber_id, long long *qualifying_r,
                char *tier_r, size_t tier_size, struct db_error *err)
{
	struct tier_state t = {qualifying_r, tier_r, tier_size};
	struct db_param p[] = {DB_PARAM_INT(subscriber_id)};
	*qualifying_r = 0;
	tier_r[0] = '\0';
	return db_exec(conn, "SELECT qualifying_points, tier FROM subscribers WHERE id = ?", p, 1,
	               tier_row, &t, NULL, err);
}
