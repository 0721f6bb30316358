/*
 * draw — the verifiable lottery draw as pure functions (docs/draws.md specifies every
 * byte): the canonical export file of a draw's entries (one line per member:
 * pseudonymous id, masked MSISDN, chances; sorted; ASCII, LF), its parser, and the
 * deterministic choice of winners from (seed, beacon, export hash): a SHA-256 counter
 * stream, 64-bit draws mapped onto the cumulative chance ranges by rejection sampling
 * (no modulo bias), winners removed as they are drawn (a Fenwick tree, so 2 million
 * members stay fast), then backup winners. The published result file and its parser.
 *
 * No SQL, no I/O, no clock, no global state: the same inputs give the same winners bit
 * for bit on every machine. Any thread.
 */
#ifndef GAMIGATE_GAME_DRAW_H
#define GAMIGATE_GAME_DRAW_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/sha256.h"

#define DRAW_ID_MAX      40                  /* a-z, 0-9, '-' */
#define DRAW_PID_LEN     16                  /* lowercase hex digits */
#define DRAW_MASKED_MAX  20                  /* '+', digits and '*' */
#define DRAW_CHANCES_MAX 1000000000000000000 /* per member (10^18) */
#define DRAW_ENTRIES_MAX 50000000            /* members in one export */
#define DRAW_BEACON_MAX  64                  /* bytes of public randomness */
#define DRAW_PICKS_MAX   10000               /* winners + backups */
#define DRAW_CUTOFF_LEN  20                  /* "2026-04-02T20:30:00Z" */

struct draw_entry {
	char pid[DRAW_PID_LEN + 1];
	char masked[DRAW_MASKED_MAX + 1];
	uint64_t chances;
	long long subscriber_id; /* 0 when the entry was read from a file */
};

/* The header line of an export: which draw, its cut-off (UTC), and the totals. */
struct draw_export {
	char draw_id[DRAW_ID_MAX + 1];
	char cutoff[DRAW_CUTOFF_LEN + 1];
	struct draw_entry *entries; /* sorted by pid, unique */
	size_t n;
	uint64_t total; /* sum of chances */
};

/* The pseudonymous id of a member in a draw: the first 8 bytes of
 * SHA-256("gamigate-draw-pid" NUL draw_id NUL msisdn) in lowercase hex. */
void draw_pid(const char *draw_id, const char *msisdn, char out[DRAW_PID_LEN + 1]);

/* 1 when s is a valid draw id (1-40 of a-z, 0-9, '-'). */
int draw_id_valid(const char *s);

/* Sorts entries by pid and fills n and total. -1 with *why_r when two entries share a
 * pid or the total would pass 2^63 - 1. */
int draw_export_finish(struct draw_export *ex, const char **why_r);

/* Appends the export file text (header and one line per entry) to out. */
void draw_export_write(const struct draw_export *ex, struct buf *out);

/*
 * Parses an export file. 0 ok (the caller frees ex with draw_export_free); -1 with a
 * message naming the line and what is wrong in why (why_size bytes); ex is then empty.
 */
int draw_export_parse(const char *data, size_t len, struct draw_export *ex, char *why,
                      size_t why_size);
void draw_export_free(struct draw_export *ex);

/* What the winners are drawn from. */
struct draw_params {
	uint8_t seed[SHA256_BYTES];
	uint8_t export_hash[SHA256_BYTES];
	uint8_t beacon[DRAW_BEACON_MAX];
	size_t beacon_len; /* 0 = no beacon */
	unsigned winners;
	unsigned backups;
	int multiple_wins; /* 1: a member may be drawn again (one chance used per win) */
};

/*
 * Draws winners + backups picks from the chances (in export order): picks_r (room for
 * winners + backups) receives entry indices, the winners first. Fewer picks come out
 * when the chances run out; *npicks_r says how many. 0 ok, -1 out of range parameters
 * (more than DRAW_PICKS_MAX picks, a total past 2^63 - 1).
 */
int draw_select(const uint64_t *chances, size_t n, const struct draw_params *p, size_t *picks_r,
                size_t *npicks_r);

/* One line of a result: the k-th winner or backup. */
struct draw_pick {
	int backup;    /* 0 winner, 1 backup */
	unsigned rank; /* 1-based within winners or within backups */
	char pid[DRAW_PID_LEN + 1];
	char masked[DRAW_MASKED_MAX + 1];
	size_t index; /* into the export's entries; only set by draw_run */
};

struct draw_result {
	char draw_id[DRAW_ID_MAX + 1];
	struct draw_params params;
	struct draw_pick *picks;
	size_t npicks;
};

/* Draws from an export: params.export_hash must already be the export file's hash.
 * 0 ok (free with draw_result_free), -1 as draw_select. */
int draw_run(const struct draw_export *ex, const struct draw_params *params,
             struct draw_result *res);
void draw_result_free(struct draw_result *res);

/* Appends the result file text (docs/draws.md) to out. */
void draw_result_write(const struct draw_result *res, struct buf *out);

/* Parses a result file. 0 ok (free with draw_result_free), -1 with why naming the line. */
int draw_result_parse(const char *data, size_t len, struct draw_result *res, char *why,
                      size_t why_size);

/* Compares a recomputed result with a published one; appends one line for every
 * difference to report. 0 same, -1 different. */
int draw_result_compare(const struct draw_result *computed, const struct draw_result *published,
                        struct buf *report);

#endif
