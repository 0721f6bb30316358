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

/* What an award gave. */
struct game_award {
	long long points;     /* awarded (0 when the ref was used before) */
	long long chances;    /* awarded (0 when the ref was used before) */
	long long qualifying; /* the subscriber's qualifying points after; -1 unchanged */
};

/* Awards points and chances once per ref (ledger refs "<ref>:p" and "<ref>:c", at most
 * 158 characters): points > 0 open a lot that expires after expiry_days (0 = never)
 * and, when qualifying, count toward tiers (negative points are a debit row); the
 * balances move in the same transaction as their ledger rows (procedure gg_award, one
 * round trip). 0 ok (out filled), -1 with err set. */
int game_award(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
               long long points, long long chances, const char *reason, const char *ref,
               unsigned expiry_days, int qualifying, struct game_award *out, struct db_error *err);

/* Spins the subscriber has made today in the campaign. */
int game_spins_today(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
                     const char *day_key, long *count_r, struct db_error *err);

/* Hands the oldest unused voucher of pool to the subscriber; code_r (101 bytes)
 * receives it. 1 handed, 0 pool empty, -1 with err. */
int game_take_voucher(struct db_conn *conn, const char *pool, long long subscriber_id, char *code_r,
                      struct db_error *err);

/* A wheel prize as gg_spin takes it. */
struct game_spin_prize {
	const char *id;
	long long daily_cap; /* < 0: none */
	long long total_cap; /* < 0: none */
	const char *pool;    /* voucher pool, "" when none */
	long long points;
	long long chances;
};

struct game_spin_args {
	long long subscriber_id;
	const char *day_key;
	unsigned per_day; /* spins allowed a day */
	uint64_t random_value;
	uint64_t total_weight;
	unsigned expiry_days;
	struct game_spin_prize prize;    /* the one the random value drew */
	struct game_spin_prize fallback; /* when the drawn one is not available */
	const char *mission_id;          /* the spin mission, "" when none */
	const char *period_key;          /* its period */
	long long mission_points;
	long long mission_chances;
	const char *mission_pool; /* "" when none */
};

struct game_spin_out {
	int answered;
	int spun;     /* 0: no spins left today (nothing changed) */
	int fallback; /* the fallback prize was awarded */
	char voucher[101];
	long long points;     /* awarded for the prize and the mission */
	long long chances;    /* awarded for the prize and the mission */
	long long qualifying; /* after; -1 unchanged */
	long done;            /* spins before this one today */
};

/* The whole of a spin after the draw, in one round trip (procedure gg_spin): refuses
 * when no spins are left today; takes the drawn prize against its caps and voucher
 * pool, else the fallback (never a second draw); records the spin with its random
 * value; awards the prize (ref "spin:<id>"); completes the spin mission once per period
 * and awards it. 0 ok (out filled), -1 with err set. */
int game_spin(struct db_conn *conn, const struct game_scope *scope, const struct game_spin_args *a,
              struct game_spin_out *out, struct db_error *err);

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
