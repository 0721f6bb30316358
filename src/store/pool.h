/*
 * pool — worker threads, each owning one MariaDB connection, fed by one bounded queue.
 *
 * The event loop submits a job (run on a worker, done back on the loop thread). Workers
 * wake the loop with event_active() on one persistent event; its callback drains every
 * finished job. When the queue is full, db_pool_submit fails at once so the caller can
 * answer 503 instead of waiting. Jobs cannot be cancelled once submitted, so each must
 * be idempotent on its natural key.
 *
 * Group commit: jobs submitted with a batch kind may share one transaction. A worker
 * that takes such a job also takes the jobs of the same kind queued behind it (up to
 * the batch size), runs each one's statements in one transaction and commits once: one
 * commit and one log flush for many messages under load, while a lone job (an idle
 * queue) runs alone as usual. If anything in the batch fails (a deadlock, a duplicate
 * key, a lost connection), the batch is rolled back and every job in it runs again
 * alone, with its own run function, so each job's outcome is its own. Results are
 * handed to done only after the commit.
 *
 * db_pool_new/submit/stats/free: event-loop thread only (stats may be read anywhere).
 * The run callback: a worker thread. The done callback: the event-loop thread.
 * Requires evthread_use_pthreads() before the event base was created.
 */
#ifndef GAMIGATE_STORE_POOL_H
#define GAMIGATE_STORE_POOL_H

#include <stdint.h>

#include "store/db.h"

struct event_base;
struct db_pool;

/* Runs on a worker with its connection; the result is handed to done. Fill err on -1. */
typedef int db_job_run_fn(struct db_conn *conn, void *arg, struct db_error *err);
/* Runs on the loop thread with run's result and error; owns arg from here on. */
typedef void db_job_done_fn(void *arg, int result, const struct db_error *err);

struct db_pool_stats {
	unsigned workers;
	unsigned busy;
	unsigned queued;
	unsigned queue_max;
	uint64_t completed;
	uint64_t errors;
	uint64_t rejected;
	uint64_t batches;        /* transactions that committed two jobs or more */
	uint64_t batched_jobs;   /* the jobs they held */
	uint64_t batch_failures; /* batches rolled back (their jobs then ran alone) */
};

/* A kind of job that can share a transaction with others of its kind. */
struct db_batch_kind {
	/* The job's statements inside the batch's open transaction; must neither begin nor
	 * end one, and must leave its results in arg. 0 ok, -1 with err (the batch is
	 * rolled back and every job runs alone). */
	int (*part)(struct db_conn *conn, void *arg, struct db_error *err);
	/* Optional: right after the batch's transaction opened, before any part, with the
	 * args of the whole batch in queue order (e.g. one statement locking the rows every
	 * part is about to lock). 0 ok, -1 with err (the batch is rolled back as above). */
	int (*begin)(struct db_conn *conn, void *const *args, unsigned n, struct db_error *err);
	/* Optional: after every part, before the commit, with the args of the whole batch
	 * in queue order (e.g. one statement writing what each part left to write).
	 * 0 ok, -1 with err (the batch is rolled back as above). */
	int (*finish)(struct db_conn *conn, void *const *args, unsigned n, struct db_error *err);
	/* Optional: jobs with equal keys never share a batch (the later one waits for the
	 * next), e.g. two messages from one number, so that each sees what the other
	 * wrote (its rate count, its spin). NULL key: no constraint. */
	const char *(*key)(const void *arg);
};

/* Starts workers threads (they connect lazily, on their first job). */
struct db_pool *db_pool_new(struct event_base *base, const struct db_settings *settings,
                            unsigned workers, unsigned queue_max);

/* Queues a job. 0 queued (done will be called exactly once), -1 queue full or closing
 * (done will not be called; the caller still owns arg). */
int db_pool_submit(struct db_pool *pool, db_job_run_fn *run, db_job_done_fn *done, void *arg);

/* As db_pool_submit, for a job that may run in a batch of its kind (see above); run is
 * how it runs alone. */
int db_pool_submit_batchable(struct db_pool *pool, const struct db_batch_kind *kind,
                             db_job_run_fn *run, db_job_done_fn *done, void *arg);

/* The most jobs one batch may hold (1 = no batching; the default). Before the first
 * submit. */
void db_pool_set_batch_max(struct db_pool *pool, unsigned batch_max);

void db_pool_stats(struct db_pool *pool, struct db_pool_stats *stats_r);

/* Stops accepting jobs, lets workers finish the jobs already queued and running,
 * delivers their done callbacks, joins the threads and frees the pool. With
 * abandon = 1, jobs still queued are dropped without calling done (used when the
 * shutdown grace period ran out and their requests are gone). */
void db_pool_free(struct db_pool *pool, int abandon);

#endif
