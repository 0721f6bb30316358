/*
 * game (store) — SQL for the game's state: the points and chances ledgers with the
 * balances they move, spins and prize cap counters, check-ins, mission completions and
 * vouchers. Every function runs inside the caller's transaction on a worker thread;
 * invariants are enforced by keys and conditional updates, never by read-then-write.
 */
#ifndef GAMIGATE_STORE_GAME_H
#define GAMIGATE_STORE_GAME_H

#include <stdint.h>
#include <time.h>

#include "store/db.h"

/* Which campaign (and version) an award belongs to. */
struct game_scope {
	const char *campaign_id;
	unsigned campaign_version;
};

/* Adds points (delta > 0 earns a lot that expires after expiry_days; 0 = never) with a
 * ledger row keyed by ref, and moves the balance (and the qualifying points when
 * qualifying). When awarded and qualifying_r is not NULL, the subscriber's qualifying
 * points after the award go there. Returns 1 when awarded, 0 when ref was already used
 * (nothing changed), -1 with err set. */
int game_award_points(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
                      long long delta, const char *reason, const char *ref, unsigned expiry_days,
                      int qualifying, long long *qualifying_r, struct db_error *err);

/* Adds lottery chances with a ledger row keyed by ref. 1 / 0 / -1 as above. */
int game_award_chances(struct db_conn *conn, const struct game_scope *scope,
                       long long subscriber_id, long long delta, const char *reason,
                       const char *ref, struct db_error *err);

/* Spins the subscriber has made today in the campaign. */
int game_spins_today(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
                     const char *day_key, long *count_r, struct db_error *err);

/* Takes one unit of a capped prize for day_key, atomically against both caps
 * (daily_cap / total_cap < 0 = none). 1 taken, 0 exhausted (nothing changed), -1. */
int game_take_prize(struct db_conn *conn, const struct game_scope *scope, const char *prize_id,
                    const char *day_key, long long daily_cap, long long total_cap,
                    struct db_error *err);

/* Gives back a unit taken by game_take_prize (of the day's counter if daily, of the
 * total if total), in the same transaction. 0 ok, -1. */
int game_release_prize(struct db_conn *conn, const struct game_scope *scope, const char *prize_id,
                       const char *day_key, int daily, int total, struct db_error *err);

/* Hands one unused voucher of pool to the subscriber; code_r (101 bytes) receives it.
 * 1 handed, 0 pool empty, -1 with err. */
int game_take_voucher(struct db_conn *conn, const char *pool, long long subscriber_id, char *code_r,
                      struct db_error *err);

struct game_spin_row {
	long long subscriber_id;
	const char *day_key;
	unsigned seq;
	uint64_t random_value;
	uint64_t total_weight;
	const char *drawn_prize;
	const char *awarded_prize;
	const char *voucher_code; /* NULL when none */
};

/* Records a spin; its id goes to id_r. A duplicate (subscriber, day, seq) fails with
 * err->code 1062. */
int game_record_spin(struct db_conn *conn, const struct game_scope *scope,
                     const struct game_spin_row *row, long long *id_r, struct db_error *err);

/* Records today's check-in. Returns 1 with the streak (yesterday's + 1, else 1) in
 * streak_r, 0 when already checked in today (streak_r = today's streak), -1. */
int game_checkin(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
                 const char *day_key, const char *yesterday_key, unsigned *streak_r,
                 struct db_error *err);

/* Marks a mission complete for a period. 1 newly completed, 0 already, -1. */
int game_complete_mission(struct db_conn *conn, const struct game_scope *scope,
                          long long subscriber_id, const char *mission_id, const char *period_key,
                          struct db_error *err);

/* Queues a notification (kind "transactional" or "promotional"; template key and its
 * placeholder values as a JSON object text) once per ref. 1 queued, 0 already, -1. */
int game_notify(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
                const char *kind, const char *template_key, const char *vars_json, const char *ref,
                struct db_error *err);

/* Moves the subscriber to tier (its id in the campaign). 0 ok, -1 with err. */
int game_set_tier(struct db_conn *conn, long long subscriber_id, const char *tier,
                  struct db_error *err);

/* Reads the subscriber's qualifying points and tier ("" when none). 0 ok, -1. */
int game_tier_state(struct db_conn *conn, long long subscriber_id, long long *qualifying_r,
                    char *tier_r, size_t tier_size, struct db_error *err);

#endif
