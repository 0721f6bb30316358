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

int
game_award_points(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
                  long long delta, const char *reason, const char *ref, unsigned expiry_days,
                  int qualifying, long long *qualifying_r, struct db_error *err)
{
	uint64_t affected = 0;
	long long lot = delta > 0 ? delta : 0;
	long long days = delta > 0 ? (long long)expiry_days : 0;
	struct db_param p[] = {
	    DB_PARAM_INT(subscriber_id),
	    DB_PARAM_STR(scope->campaign_id),
	    DB_PARAM_INT(scope->campaign_version),
	    DB_PARAM_INT(delta),
	    DB_PARAM_STR(reason),
	    DB_PARAM_STR(ref),
	    DB_PARAM_INT(lot),
	    DB_PARAM_INT(days),
	    DB_PARAM_INT(days),
	};
	if (db_exec(
	        conn,
	        "INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version, delta,"
	        " reason, ref, remaining, expires_at, created_at)"
	        " VALUES (?, ?, ?, ?, ?, ?, ?, IF(? > 0, " NOW " + INTERVAL ? DAY, NULL), " NOW ")"
	        " ON DUPLICATE KEY UPDATE id = id",
	        p, sizeof(p) / sizeof(p[0]), NULL, NULL, &affected, err) < 0)
		return -1;
	if (affected == 0)
		return 0;
	struct db_param u[] = {DB_PARAM_INT(delta), DB_PARAM_INT(qualifying ? lot : 0),
	                       DB_PARAM_INT(subscriber_id)};
	/* LAST_INSERT_ID(expr) hands the new qualifying points back with the answer to the
	 * UPDATE (db_insert_id), saving the read a tier check would need. */
	if (db_exec(conn,
	            "UPDATE subscribers SET points = points + ?,"
	            " qualifying_points = LAST_INSERT_ID(qualifying_points + ?),"
	            " updated_at = " NOW " WHERE id = ?",
	            u, 3, NULL, NULL, NULL, err) < 0)
		return -1;
	if (qualifying_r != NULL)
		*qualifying_r = (long long)db_insert_id(conn);
	return 1;
}

int
game_award_chances(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
                   long long delta, const char *reason, const char *ref, struct db_error *err)
{
	uint64_t affected = 0;
	struct db_param p[] = {
	    DB_PARAM_INT(subscriber_id),
	    DB_PARAM_STR(scope->campaign_id),
	    DB_PARAM_INT(scope->campaign_version),
	    DB_PARAM_INT(delta),
	    DB_PARAM_STR(reason),
	    DB_PARAM_STR(ref),
	};
	if (db_exec(
	        conn,
	        "INSERT INTO chances_ledger (subscriber_id, campaign_id, campaign_version, delta,"
	        " reason, ref, created_at) VALUES (?, ?, ?, ?, ?, ?, " NOW ")"
	        " ON DUPLICATE KEY UPDATE id = id",
	        p, 6, NULL, NULL, &affected, err) < 0)
		return -1;
	if (affected == 0)
		return 0;
	struct db_param u[] = {DB_PARAM_INT(delta), DB_PARAM_INT(subscriber_id)};
	if (db_exec(conn,
	            "UPDATE subscribers SET chances = chances + ?, updated_at = " NOW
	            " WHERE id = ?",
	            u, 2, NULL, NULL, NULL, err) < 0)
		return -1;
	return 1;
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

/* One counter of a prize (day_key, or '*' for the total) up by one while under cap:
 * created at 1 when missing. 1 taken, 0 at the cap, -1. */
static int
take_counter(struct db_conn *conn, const struct game_scope *scope, const char *prize_id,
             const char *day_key, long long cap, struct db_error *err)
{
	uint64_t affected = 0;
	struct db_param p[] = {DB_PARAM_STR(scope->campaign_id), DB_PARAM_STR(prize_id),
	                       DB_PARAM_STR(day_key), DB_PARAM_INT(cap > 0 ? 1 : 0),
	                       DB_PARAM_INT(cap)};
	/* Affected rows: 1 inserted, 2 raised, 0 left as it was (at the cap). The row lock
	 * makes concurrent spins on any node wait for each other here. */
	if (db_exec(conn,
	            "INSERT INTO wheel_prize_counters (campaign_id, prize_id, day_key, awarded)"
	            " VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
	            " awarded = IF(awarded < ?, awarded + 1, awarded)",
	            p, 5, NULL, NULL, &affected, err) < 0)
		return -1;
	/* A cap of 0 inserts the row at 0: nothing taken. */
	return affected == 2 || (affected == 1 && cap > 0) ? 1 : 0;
}

int
game_take_prize(struct db_conn *conn, const struct game_scope *scope, const char *prize_id,
                const char *day_key, long long daily_cap, long long total_cap, struct db_error *err)
{
	int day_ok = 1, total_ok = 1;
	if (daily_cap >= 0 &&
	    (day_ok = take_counter(conn, scope, prize_id, day_key, daily_cap, err)) < 0)
		return -1;
	if (day_ok == 1 && total_cap >= 0 &&
	    (total_ok = take_counter(conn, scope, prize_id, "*", total_cap, err)) < 0)
		return -1;
	if (day_ok == 1 && total_ok == 0 && daily_cap >= 0) {
		/* The total is used up: give the day's unit back (no savepoint round trips on
		 * the common path). */
		if (game_release_prize(conn, scope, prize_id, day_key, 1, 0, err) < 0)
			return -1;
	}
	return day_ok == 1 && total_ok == 1 ? 1 : 0;
}

int
game_release_prize(struct db_conn *conn, const struct game_scope *scope, const char *prize_id,
                   const char *day_key, int daily, int total, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(scope->campaign_id), DB_PARAM_STR(prize_id),
	                       DB_PARAM_STR(daily ? day_key : ""), DB_PARAM_STR(total ? "*" : "")};
	return db_exec(conn,
	               "UPDATE wheel_prize_counters SET awarded = awarded - 1"
	               " WHERE campaign_id = ? AND prize_id = ? AND day_key IN (?, ?)"
	               " AND awarded > 0",
	               p, 4, NULL, NULL, NULL, err);
}

struct code_out {
	char *code;
};

static int
code_row(const struct db_row *row, void *arg)
{
	struct code_out *o = arg;
	snprintf(o->code, 101, "%s", row->values[0] != NULL ? row->values[0] : "");
	return 0;
}

int
game_take_voucher(struct db_conn *conn, const char *pool, long long subscriber_id, char *code_r,
                  struct db_error *err)
{
	uint64_t affected = 0;
	struct code_out out = {code_r};
	struct db_param p[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_STR(pool)};
	code_r[0] = '\0';
	/* LAST_INSERT_ID(id) remembers which row this UPDATE took, for the SELECT below. */
	if (db_exec(conn,
	            "UPDATE vouchers SET subscriber_id = ?, assigned_at = " NOW ","
	            " id = LAST_INSERT_ID(id)"
	            " WHERE pool = ? AND subscriber_id IS NULL ORDER BY id LIMIT 1",
	            p, 2, NULL, NULL, &affected, err) < 0)
		return -1;
	if (affected == 0)
		return 0;
	if (db_exec(conn, "SELECT code FROM vouchers WHERE id = LAST_INSERT_ID()", NULL, 0,
	            code_row, &out, NULL, err) < 0)
		return -1;
	return 1;
}

int
game_record_spin(struct db_conn *conn, const struct game_scope *scope,
                 const struct game_spin_row *r, long long *id_r, struct db_error *err)
{
	struct db_param p[] = {
	    DB_PARAM_INT(r->subscriber_id),
	    DB_PARAM_STR(scope->campaign_id),
	    DB_PARAM_INT(scope->campaign_version),
	    DB_PARAM_STR(r->day_key),
	    DB_PARAM_INT(r->seq),
	    DB_PARAM_INT((long long)r->random_value),
	    DB_PARAM_INT((long long)r->total_weight),
	    DB_PARAM_STR(r->drawn_prize),
	    DB_PARAM_STR(r->awarded_prize),
	    r->voucher_code != NULL ? DB_PARAM_STR(r->voucher_code)
	                            : (struct db_param){.type = DB_NULL},
	};
	if (db_exec(conn,
	            "INSERT INTO spins (subscriber_id, campaign_id, campaign_version, day_key, seq,"
	            " random_value, total_weight, drawn_prize, awarded_prize, voucher_code,"
	            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " NOW ")",
	            p, sizeof(p) / sizeof(p[0]), NULL, NULL, NULL, err) < 0)
		return -1;
	*id_r = (long long)db_insert_id(conn);
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
