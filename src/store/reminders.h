/*
 * reminders (store) — SQL for reminders and their runs (migration 0009). A firing is
 * started once (unique (reminder_id, scheduled_for)); a run is materialised under a
 * lease in batches that walk subscribers by id from the run's cursor, each batch one
 * transaction with the run row locked, so a run interrupted anywhere goes on from its
 * last committed batch, on any node.
 *
 * Worker threads (pool jobs) and the CLI.
 */
#ifndef GAMIGATE_STORE_REMINDERS_H
#define GAMIGATE_STORE_REMINDERS_H

#include <stddef.h>
#include <time.h>

#include "store/db.h"

struct reminder_row {
	char id[41];
	char campaign_id[41];
	char status[13];
	char next_run_at[32]; /* "" = never */
	char *definition;     /* owned by the callback's caller; copy to keep */
};

/* Stores (or replaces) a reminder, active, with its next firing (0 = none). 0 ok. */
int reminders_put(struct db_conn *conn, const char *id, const char *campaign_id,
                  const char *definition, time_t next_run, struct db_error *err);

/* Reads one reminder into r (definition malloc'd: free it). 1 found, 0 not, -1 err. */
int reminders_get(struct db_conn *conn, const char *id, struct reminder_row *r,
                  struct db_error *err);

/* Calls fn for every reminder, by id. 0 ok, -1 with err. */
int reminders_list(struct db_conn *conn, void (*fn)(const struct reminder_row *r, void *arg),
                   void *arg, struct db_error *err);

/* Sets status (and next_run_at; 0 = NULL) of id. 1 changed, 0 no such reminder, -1. */
int reminders_set(struct db_conn *conn, const char *id, const char *status, time_t next_run,
                  struct db_error *err);

/* Sets the status of id, keeping its next firing. 1 changed, 0 no such reminder, -1. */
int reminders_set_status(struct db_conn *conn, const char *id, const char *status,
                         struct db_error *err);

/* Inside the caller's transaction: locks up to max active reminders whose next firing
 * has come (SKIP LOCKED) and copies them into rows (definitions malloc'd). 0 ok. */
int reminders_due(struct db_conn *conn, unsigned max, struct reminder_row *rows, unsigned *n_r,
                  time_t *scheduled_r, struct db_error *err);

/* Creates the run of id's firing at scheduled_for unless it exists. 1 created, 0 it
 * existed, -1 with err. */
int reminders_start_run(struct db_conn *conn, const char *id, time_t scheduled_for,
                        struct db_error *err);

/* Takes one running run whose lease is free, ran out or is owner's own (a node goes on
 * with its run on its next tick), for lease_s seconds (its own transaction). 1 with *run_id_r and
 * reminder_id, 0 none, -1 with err. */
int reminders_take_run(struct db_conn *conn, const char *owner, unsigned lease_s,
                       long long *run_id_r, char reminder_id[41], struct db_error *err);

/* Inside the caller's transaction: locks the run; 1 with *cursor_r while owner holds
 * it and it is running, 0 when not (another node took it over, or it ended). */
int reminders_lock_run(struct db_conn *conn, long long run_id, const char *owner,
                       long long *cursor_r, struct db_error *err);

/* Records a batch: new cursor, counts added, the lease renewed; done ends the run. */
int reminders_advance_run(struct db_conn *conn, long long run_id, long long cursor,
                          long long members, long long refused, int done, unsigned lease_s,
                          struct db_error *err);

/* The segment's query parameters. */
struct segment_query {
	int type;             /* enum reminder_segment */
	const char *campaign; /* "" = any campaign */
	const char *tier;
	long days;
	const char *day_key;   /* today in the reminder's zone, for *_today */
	int include_opted_out; /* 0: opted-out members are left out up front */
};

/* The next batch of the segment: *n_r of the (up to max) members with id > after, by
 * id, and *last_r the id of the last of them (after when there is none), counted in the
 * server without reading the members out. 0 ok, -1 with err. */
int reminders_segment_next(struct db_conn *conn, const struct segment_query *q, long long after,
                           unsigned max, unsigned *n_r, long long *last_r, struct db_error *err);

/* A batch of a run to write into the outbox in one statement: the segment's members
 * with after < id <= upto. */
struct materialise_args {
	long long run_id;
	const struct segment_query *q;
	long long after, upto;
	const char *kind;  /* "promotional" | "transactional" */
	int promotional;   /* 1: the block and the daily cap apply */
	const char *lang0; /* members in lang0 get text0, the others text1 */
	const char *text0, *text1;
	unsigned segments0, segments1;
	const char *default_lang; /* for members without a language */
	const char *campaign;     /* NULL = none */
	time_t not_before, expires_at;
	time_t day_start; /* the local day of the cap */
	long cap;
	const char *too_long; /* non-NULL: every row is refused with this reason */
};

/* Writes the batch (rows that exist already are left alone: a repeat changes nothing).
 * *inserted_r rows written, *refused_r of them refused by a policy. 0 ok, -1. */
int reminders_materialise(struct db_conn *conn, const struct materialise_args *a,
                          long long *inserted_r, long long *refused_r, struct db_error *err);

/* One run with its outbox figures. */
struct reminder_run_status {
	long long id;
	char reminder_id[41];
	char scheduled_for[32];
	char status[13];
	long long members, refused;
	long long queued, sending, sent, delivered, failed, expired;
};

/* Calls fn for the last limit runs (of reminder_id, or of all when ""), newest first. */
int reminders_runs(struct db_conn *conn, const char *reminder_id, unsigned limit,
                   void (*fn)(const struct reminder_run_status *s, void *arg), void *arg,
                   struct db_error *err);

#endif
