/*
 * scheduler — reminders in motion: starting the firings that are due (each once, on
 * whichever node gets there first), materialising a run's segment into the outbox in
 * batches (each member at most once per run: client_ref "rem:<run>:<subscriber>"; the
 * policies are checked as each row is created), and the manager's operations (add,
 * pause, resume, run now). Every node may call scheduler_tick: the database decides who
 * does what (SKIP LOCKED claims, unique firings, leased runs with a cursor).
 *
 * Worker threads (a pool job) and the CLI.
 */
#ifndef GAMIGATE_SEND_SCHEDULER_H
#define GAMIGATE_SEND_SCHEDULER_H

#include <time.h>

#include "core/buf.h"
#include "send/outbox.h"
#include "store/db.h"

struct scheduler_opts {
	const char *owner;        /* lease owner: node name */
	const char *const *langs; /* languages every reminder needs a text for */
	unsigned nlangs;
	const char *default_tz; /* game.timezone */
	const struct outbox_env *env;
	unsigned batch;       /* members per transaction */
	unsigned max_batches; /* per tick */
	unsigned lease_s;
	time_t now;
};

struct scheduler_stats {
	unsigned started; /* firings started */
	unsigned batches;
	unsigned long long queued, refused;
	int more; /* work left: call again soon */
};

/* Starts due firings and materialises up to opts->max_batches batches. 0 ok, -1. */
int scheduler_tick(struct db_conn *conn, const struct scheduler_opts *opts,
                   struct scheduler_stats *st_r, struct db_error *err);

enum scheduler_result { SCHEDULER_OK, SCHEDULER_INVALID, SCHEDULER_NOT_FOUND, SCHEDULER_DB };

/* Checks and stores a reminder definition (replacing one with the same id).
 * SCHEDULER_INVALID with errors filled; SCHEDULER_DB with err. *id_r gets the id. */
enum scheduler_result scheduler_add(struct db_conn *conn, const struct scheduler_opts *opts,
                                    const char *json, size_t len, const char *where, char id_r[41],
                                    struct buf *errors, struct db_error *err);

/* pause | resume | run-now for id. */
enum scheduler_result scheduler_pause(struct db_conn *conn, const char *id, struct db_error *err);
enum scheduler_result scheduler_resume(struct db_conn *conn, const struct scheduler_opts *opts,
                                       const char *id, struct db_error *err);
enum scheduler_result scheduler_run_now(struct db_conn *conn, const char *id, time_t now,
                                        struct db_error *err);

/* The languages reminders need texts for (those the shipped templates have). */
extern const char *const scheduler_langs[];
extern const unsigned scheduler_nlangs;

#endif
