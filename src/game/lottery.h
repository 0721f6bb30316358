/*
 * lottery — the use cases of verifiable draws on top of the store: commit (a sealed
 * seed from getrandom and its published SHA-256), freeze (the canonical export of the
 * entries at the cut-off and its hash), run (the seed revealed, the winners drawn by
 * src/game/draw.c, stored, notified through the notifications queue), verify a finished
 * draw against the database, and the audit rows of each (docs/draws.md).
 *
 * Every refusal is an outcome with a message that says what does not match and what to
 * do next; nothing changes on a refusal. Any thread with its own db_conn (the CLI).
 */
#ifndef GAMIGATE_GAME_LOTTERY_H
#define GAMIGATE_GAME_LOTTERY_H

#include <time.h>

#include "core/buf.h"
#include "game/campaign.h"
#include "game/draw.h"
#include "store/db.h"
#include "store/draws.h"

enum lottery_outcome {
	LOTTERY_OK,
	LOTTERY_FAILED,            /* the database failed: err is set */
	LOTTERY_UNKNOWN_DRAW,      /* no campaign defines it, or it was never committed */
	LOTTERY_ALREADY_COMMITTED, /* commit twice */
	LOTTERY_TOO_LATE,          /* commit at or after the cut-off */
	LOTTERY_NOT_COMMITTED,     /* freeze or run before commit */
	LOTTERY_TOO_EARLY,         /* freeze or run before the cut-off */
	LOTTERY_NOT_FROZEN,        /* run before freeze */
	LOTTERY_ALREADY_DONE,      /* run twice: the stored result is in out */
	LOTTERY_ENTRIES_CHANGED,   /* the ledger no longer gives the frozen export */
	LOTTERY_BEACON,            /* beacon missing, or given for a draw that names none */
	LOTTERY_SEED_MISMATCH,     /* the sealed seed does not hash to the commitment */
	LOTTERY_MISMATCH,          /* verify: the recomputed result differs */
};

struct lottery_ctx {
	struct db_conn *conn;
	time_t now;
	const char *actor; /* user@host, for the audit rows */
	char why[600];     /* the message of a refusal */
	struct db_error err;
};

/* Commits draw_id of one of the campaigns: seed from getrandom, sealed; the commitment
 * (hex) into seed_sha256_r; announces it when the draw says so (*announced_r members).
 */
enum lottery_outcome lottery_commit(struct lottery_ctx *ctx, struct campaign *const *campaigns,
                                    unsigned ncampaigns, const char *draw_id,
                                    char seed_sha256_r[65], long long *announced_r);

/* Builds the canonical export of a committed draw from the ledger into export_r (its
 * text) and ex_r (parsed, with subscriber ids; free with draw_export_free), hash in
 * hash_r. Refuses before the cut-off. */
enum lottery_outcome lottery_export(struct lottery_ctx *ctx, const char *draw_id,
                                    struct draws_row *row_r, struct buf *export_r,
                                    struct draw_export *ex_r, uint8_t hash_r[SHA256_BYTES]);

/* Freezes: the export (into export_r) and its hash stored once. A frozen draw is not
 * frozen again: its export is rebuilt and checked against the stored hash instead. */
enum lottery_outcome lottery_freeze(struct lottery_ctx *ctx, const char *draw_id,
                                    struct buf *export_r, char export_sha256_r[65]);

/* Runs a frozen draw: beacon (beacon_len 0 = none) mixed in; the result file into
 * result_r; winners notified. A finished draw is refused with its stored result in
 * result_r. */
enum lottery_outcome lottery_run(struct lottery_ctx *ctx, const char *draw_id,
                                 const uint8_t *beacon, size_t beacon_len, struct buf *result_r);

/* Recomputes a finished draw from the ledger and its revealed seed, compares with the
 * stored result (differences into report) and records a verify audit row. */
enum lottery_outcome lottery_verify(struct lottery_ctx *ctx, const char *draw_id,
                                    struct buf *report);

#endif
