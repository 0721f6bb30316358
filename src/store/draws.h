/*
 * draws (store) — SQL for verifiable draws (migration 0011): the draw rows and their
 * status, the sealed seeds, the entries of a draw read from chances_ledger, results and
 * winners, and the hash-chained audit table. src/game/lottery.c runs the use cases on
 * top of these; docs/draws.md describes the audit chain's hash.
 *
 * Any thread with its own struct db_conn (the CLI, a pool worker). Functions marked
 * "in a transaction" run inside the caller's db_tx.
 */
#ifndef GAMIGATE_STORE_DRAWS_H
#define GAMIGATE_STORE_DRAWS_H

#include <stddef.h>
#include <time.h>

#include "core/buf.h"
#include "store/db.h"

#define DRAWS_TIME_LEN 26 /* "YYYY-MM-DD HH:MM:SS.ffffff" */

struct draws_row {
	char draw_id[41];
	char campaign_id[41];
	unsigned campaign_version;
	time_t cutoff; /* UTC */
	unsigned winners;
	unsigned backups;
	int multiple_wins;
	long long beacon_round; /* 0 = none */
	char status[17];        /* "committed", "frozen", "done" */
	char seed_sha256[65];
	char committed_at[DRAWS_TIME_LEN + 1];
	char committed_by[129];
	char export_sha256[65]; /* "" until frozen */
	long long entries;
	long long chances;
	char frozen_at[DRAWS_TIME_LEN + 1];
	char beacon[129]; /* hex, "" = none or not run yet */
	char result_sha256[65];
	char run_at[DRAWS_TIME_LEN + 1];
};

/* Reads draw id into *r (without the result text). 1 found, 0 no such draw, -1 err. */
int draws_get(struct db_conn *conn, const char *id, struct draws_row *r, struct db_error *err);

/* Every draw of a campaign (or of all when campaign_id is NULL), by cut-off, into a new
 * array (free() it). 0 ok, -1 with err. */
int draws_list(struct db_conn *conn, const char *campaign_id, struct draws_row **rows_r,
               size_t *n_r, struct db_error *err);

/* In a transaction: creates the draw (status committed) from r's definition, commitment
 * and committed_by, and seals seed_hex. 1 created, 0 a draw with that id exists already
 * (nothing changed), -1 err. */
int draws_commit(struct db_conn *conn, const struct draws_row *r, const char *seed_hex,
                 struct db_error *err);

/* In a transaction: queues the promotional notice "draw_commitment" (vars_json) once
 * per member who has chances in the campaign and has not opted out (ref
 * "draw:<id>:commit:<subscriber>"). *queued_r: how many were queued. 0 ok, -1 err. */
int draws_announce(struct db_conn *conn, const char *campaign_id, const char *draw_id,
                   const char *vars_json, long long *queued_r, struct db_error *err);

/* One member's entry: the sum of their chances before the cut-off (> 0 only). */
typedef int draws_entry_fn(long long subscriber_id, const char *msisdn, long long chances,
                           void *arg);

/* Calls fn for every member with a positive sum of the campaign's chances created
 * before cutoff (UTC). 0 ok, -1 err (or fn's -1, with err set by the caller). */
int draws_entries(struct db_conn *conn, const char *campaign_id, time_t cutoff, draws_entry_fn *fn,
                  void *arg, struct db_error *err);

/* A member's chances in a campaign before a time (or all, when before is 0). */
int draws_member_chances(struct db_conn *conn, long long subscriber_id, const char *campaign_id,
                         time_t before, long long *chances_r, struct db_error *err);

/* In a transaction: committed -> frozen with the export's hash and totals. 1 done, 0 the
 * draw was not in status committed (nothing changed), -1 err. */
int draws_freeze(struct db_conn *conn, const char *id, const char *export_sha256, long long entries,
                 long long chances, struct db_error *err);

/* In a transaction: the sealed seed (64 hex digits). 1 found, 0 none, -1 err. */
int draws_seed(struct db_conn *conn, const char *id, char seed_r[65], struct db_error *err);

struct draws_winner {
	unsigned pick; /* 0-based order of drawing */
	int backup;
	unsigned rank;
	long long subscriber_id;
	const char *pid;
	const char *masked;
};

/* In a transaction: frozen -> done with the result file text, its hash and the beacon
 * (hex or ""), and the winners. 1 done, 0 the draw was not frozen (nothing changed),
 * -1 err. */
int draws_finish(struct db_conn *conn, const char *id, const char *beacon_hex, const char *result,
                 const char *result_sha256, const struct draws_winner *w, size_t n,
                 struct db_error *err);

/* The stored result file text of a finished draw into out. 1 found, 0 none, -1 err. */
int draws_result(struct db_conn *conn, const char *id, struct buf *out, struct db_error *err);

/* The winners of a finished draw, by pick, into a new array (free() it; the pid and
 * masked strings live in the same block). 0 ok, -1 err. */
int draws_winners(struct db_conn *conn, const char *id, struct draws_winner **w_r, size_t *n_r,
                  struct db_error *err);

/* In a transaction: appends an audit row (action: commit, freeze, run, verify, notify,
 * refuse; details at most 1000 bytes) to the chain; *hash_r (65 bytes, may be NULL)
 * receives its hash. 0 ok, -1 err. */
int draws_audit_append(struct db_conn *conn, const char *draw_id, const char *action,
                       const char *actor, const char *details, char *hash_r, struct db_error *err);

struct draws_audit_report {
	long long rows;   /* rows read */
	long long broken; /* rows whose hash or link does not match */
	char head[65];    /* the hash the chain ends with (what to publish) */
};

/* Walks the whole chain in id order, recomputing every hash; appends one line per row
 * of draw_id (all rows when NULL) to listing, and one line per problem to problems.
 * 0 done (report filled; problems empty when the chain is whole), -1 err. */
int draws_audit_check(struct db_conn *conn, const char *draw_id, struct buf *listing,
                      struct buf *problems, struct draws_audit_report *report,
                      struct db_error *err);

/* The hash of an audit row as docs/draws.md defines it, into out (65 bytes). */
void draws_audit_hash(const char *prev_hash, const char *draw_id, const char *action,
                      const char *actor, const char *at_utc, const char *details, char *out);

#endif
