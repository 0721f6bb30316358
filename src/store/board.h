/*
 * board (store) — SQL for what the social commands read and record besides referrals:
 * the daily quiz's answers (one per subscriber, campaign and local day, by key), the
 * leaderboard (members by points: subscribers.board_points and its index, see migration
 * 0008), and the day's check-in for the missions overview. Worker threads, inside the caller's
 * transaction.
 */
#ifndef GAMIGATE_STORE_BOARD_H
#define GAMIGATE_STORE_BOARD_H

#include "store/db.h"
#include "store/game.h"

/* Records the subscriber's answer for day_key. 1 recorded; 0 when an answer for that
 * day exists (nothing changed); -1 with err. */
int board_quiz_answer(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
                      const char *day_key, unsigned choice, int correct, struct db_error *err);

/* *answered_r = 1 when the subscriber answered on day_key. 0 ok, -1 with err. */
int board_quiz_answered(struct db_conn *conn, const char *campaign_id, long long subscriber_id,
                        const char *day_key, int *answered_r, struct db_error *err);

/* The streak of the subscriber's check-in on day_key (0 when there is none). 0 ok, -1. */
int board_checkin_streak(struct db_conn *conn, const char *campaign_id, long long subscriber_id,
                         const char *day_key, unsigned *streak_r, struct db_error *err);

struct board_entry {
	char msisdn[17];
	long long points;
};

/* The members with the most points (above 0), best first: at most n into entries, the
 * number in *count_r. Ties come in the index's order. 0 ok, -1 with err. */
int board_top(struct db_conn *conn, struct board_entry *entries, unsigned n, unsigned *count_r,
              struct db_error *err);

/* Counts the members with more points than points, stopping at limit (so the work is
 * bounded: a range of the index, at most limit entries). 0 ok, -1 with err. */
int board_above(struct db_conn *conn, long long points, long long limit, long long *count_r,
                struct db_error *err);

#endif
