/*
 * game (store) — SQL for the game's state: the points and chances ledgers with the
 * balances they move, spins and prize cap counters, check-ins, mission completions and
 * vouchers. Every function runs inside the caller's transaction on a worker thread;
 * invariants are enforced by keys and conditional updates, never by read-then-write.
 */
#ifndef GAMIGATE_STORE_GAME_H
#define GAMIGATE_STORE_GAME_H

#include <stddef.h>
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

/* Hands up to n free codes of pool, oldest first, to subscriber_ids[0..] in order: codes
 * that another transaction holds are skipped, and only when too few are left is there
 * a wait for them (so an empty pool is never announced while a code may still come
 * free). codes[i] (101 bytes each) receives member i's code; got_r how many got one
 * (members 0..got-1). 0 ok, -1. */
int game_take_vouchers(struct db_conn *conn, const char *pool, const long long *subscriber_ids,
                       size_t n, char (*codes)[101], size_t *got_r, struct db_error *err);

/* Hands the oldest unused voucher of pool to the subscriber; code_r (101 bytes)
 * receives it. 1 handed, 0 pool empty, -1 with err. */
int game_take_voucher(struct db_conn *conn, const char *pool, long long subscriber_id, char *code_r,
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

/* The set-based forms below serve a whole group commit at once (game/wheel.c,
 * game/checkin.c): array-bound rows, one statement each. */

/* Records n completions of a mission for a period (a completion already there fails on
 * the key). One statement. 0 ok, -1. */
int game_complete_missions(struct db_conn *conn, const char *campaign_id, const char *mission_id,
                           const char *period_key, const long long *subscriber_ids, size_t n,
                           struct db_error *err);

/* One award: a ledger row per kind with a non-zero amount (refs "<ref>:p", "<ref>:c"). */
struct game_award_row {
	long long subscriber_id;
	long long points; /* > 0 opens a lot (expiring, qualifying); < 0 a debit */
	long long chances;
	const char *reason;
	char ref[150];
	const char *tier; /* the member's new tier, NULL when it stays */
};

/* Writes n awards of a campaign version to the ledgers (points lots expire after
 * expiry_days, 0 = never, and count as qualifying) and moves the balances of their
 * members by the sums (and their tier, when an award names one), in at most three
 * statements. A ref used before fails on its key.
 * 0 ok, -1. */
int game_award_many(struct db_conn *conn, const char *campaign_id, unsigned version,
                    unsigned expiry_days, const struct game_award_row *a, size_t n,
                    struct db_error *err);

#endif
