/*
 * board (store) — SQL for quiz answers, the leaderboard and the missions overview.
 * Worker threads, inside the caller's transaction.
 */
#include "store/board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
one_value(const struct db_row *row, void *arg)
{
	long long *v = arg;
	*v = row->values[0] != NULL ? strtoll(row->values[0], NULL, 10) : 0;
	return 0;
}

int
board_quiz_answer(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
                  const char *day_key, unsigned choice, int correct, struct db_error *err)
{
	uint64_t affected = 0;
	struct db_param p[] = {DB_PARAM_INT(subscriber_id),
	                       DB_PARAM_STR(scope->campaign_id),
	                       DB_PARAM_INT(scope->campaign_version),
	                       DB_PARAM_STR(day_key),
	                       DB_PARAM_INT(choice),
	                       DB_PARAM_INT(correct ? 1 : 0)};
	if (db_exec(conn,
	            "INSERT INTO quiz_answers (subscriber_id, campaign_id, campaign_version,"
	            " day_key, choice, correct, created_at)"
	            " VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))"
	            " ON DUPLICATE KEY UPDATE choice = choice",
	            p, 6, NULL, NULL, &affected, err) < 0)
		return -1;
	return affected == 1 ? 1 : 0;
}

int
board_quiz_answered(struct db_conn *conn, const char *campaign_id, long long subscriber_id,
                    const char *day_key, int *answered_r, struct db_error *err)
{
	long long n = 0;
	struct db_param p[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_STR(campaign_id),
	                       DB_PARAM_STR(day_key)};
	if (db_exec(conn,
	            "SELECT COUNT(*) FROM quiz_answers WHERE subscriber_id = ? AND campaign_id = ?"
	            " AND day_key = ?",
	            p, 3, one_value, &n, NULL, err) < 0)
		return -1;
	*answered_r = n > 0;
	return 0;
}

int
board_checkin_streak(struct db_conn *conn, const char *campaign_id, long long subscriber_id,
                     const char *day_key, unsigned *streak_r, struct db_error *err)
{
	long long streak = 0;
	struct db_param p[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_STR(campaign_id),
	                       DB_PARAM_STR(day_key)};
	if (db_exec(conn,
	            "SELECT streak FROM checkins WHERE subscriber_id = ? AND campaign_id = ?"
	            " AND day_key = ?",
	            p, 3, one_value, &streak, NULL, err) < 0)
		return -1;
	*streak_r = (unsigned)streak;
	return 0;
}

struct top_out {
	struct board_entry *entries;
	unsigned max, n;
};

static int
top_row(const struct db_row *row, void *arg)
{
	struct top_out *o = arg;
	if (o->n == o->max)
		return 0;
	snprintf(o->entries[o->n].msisdn, sizeof(o->entries[0].msisdn), "%s", row->values[0]);
	o->entries[o->n].points = strtoll(row->values[1], NULL, 10);
	o->n++;
	return 0;
}

int
board_top(struct db_conn *conn, struct board_entry *entries, unsigned n, unsigned *count_r,
          struct db_error *err)
{
	struct top_out o = {entries, n, 0};
	struct db_param p[] = {DB_PARAM_INT(n)};
	*count_r = 0;
	/* The order is the index's (board_points, id) backwards: its last n entries. */
	if (db_exec(conn,
	            "SELECT msisdn, board_points FROM subscribers WHERE board_points > 0"
	            " ORDER BY board_points DESC, id DESC LIMIT ?",
	            p, 1, top_row, &o, NULL, err) < 0)
		return -1;
	*count_r = o.n;
	return 0;
}

int
board_above(struct db_conn *conn, long long points, long long limit, long long *count_r,
            struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_INT(points), DB_PARAM_INT(limit)};
	*count_r = 0;
	return db_exec(conn,
	               "SELECT COUNT(*) FROM (SELECT 1 FROM subscribers WHERE board_points > ?"
	               " LIMIT ?) above",
	               p, 2, one_value, count_r, NULL, err);
}
