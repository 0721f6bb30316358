/*
 * pool — worker threads with one MariaDB connection each, a bounded job queue and a
 * completion list drained on the event-loop thread.
 *
 * Locking: one mutex guards the queue, the completion list and the counters; workers
 * sleep on a condition variable. The loop is woken with event_active(), which is
 * thread-safe once evthread_use_pthreads() was called.
 */
#include "store/pool.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <event2/event.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct db_job {
	const struct db_batch_kind *kind; /* NULL: always alone */
	db_job_run_fn *run;
	db_job_done_fn *done;
	void *arg;
	int result;
	struct db_error err;
	struct db_job *next;
};

struct db_pool {
	struct event_base *base;
	struct event *wake;
	struct db_settings settings;
	pthread_t *threads;
	unsigned nthreads;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct db_job *head, *tail; /* waiting jobs */
	struct db_job *done_head, *done_tail;
	unsigned queued, queue_max, busy, batch_max;
	bool closing;
	uint64_t completed, errors, rejected, batches, batched_jobs, batch_failures;
};

/* The most jobs a batch holds whatever the setting: bounds the worker's array. */
#define BATCH_LIMIT 64

static void
list_push(struct db_job **head, struct db_job **tail, struct db_job *job)
{
	job->next = NULL;
	if (*tail != NULL)
		(*tail)->next = job;
	else
		*head = job;
	*tail = job;
}

/* Whether a job among the n taken has job's key (see db_batch_kind.key). */
static bool
key_taken(struct db_job *const *jobs, unsigned n, const struct db_job *job)
{
	if (job->kind->key == NULL)
		return false;
	const char *k = job->kind->key(job->arg);
	if (k == NULL)
		return false;
	for (unsigned i = 0; i < n; i++) {
		const char *other = jobs[i]->kind->key(jobs[i]->arg);
		if (other != NULL && strcmp(other, k) == 0)
			return true;
	}
	return false;
}

/* With the mutex held: takes the first queued job and, when it has a batch kind, up to
 * batch_max - 1 more queued jobs of that kind (in queue order) into jobs. Returns how
 * many were taken (0 when the queue is empty). */
static unsigned
take_jobs(struct db_pool *pool, struct db_job **jobs)
{
	struct db_job *first = pool->head;
	unsigned n = 0;

	if (first == NULL)
		return 0;
	pool->head = first->next;
	if (pool->head == NULL)
		pool->tail = NULL;
	jobs[n++] = first;
	if (first->kind != NULL) {
		struct db_job *prev = NULL, *j = pool->head;
		while (j != NULL && n < pool->batch_max) {
			struct db_job *next = j->next;
			if (j->kind == first->kind && !key_taken(jobs, n, j)) {
				if (prev != NULL)
					prev->next = next;
				else
					pool->head = next;
				if (pool->tail == j)
					pool->tail = prev;
				jobs[n++] = j;
			} else {
				prev = j;
			}
			j = next;
		}
	}
	pool->queued -= n;
	return n;
}

/* Runs n >= 2 jobs of one kind in one transaction. 0 committed (their results are
 * set), -1 rolled back (nothing of them stays; they must run alone). */
static int
run_batch(struct db_conn *conn, struct db_job **jobs, unsigned n)
{
	struct db_error err, ignored;
	void *args[BATCH_LIMIT];

	for (unsigned i = 0; i < n; i++)
		args[i] = jobs[i]->arg;
	if (db_exec_plain(conn, "START TRANSACTION", &err) < 0)
		return -1;
	if (jobs[0]->kind->begin != NULL && jobs[0]->kind->begin(conn, args, n, &err) < 0)
		goto fail;
	for (unsigned i = 0; i < n; i++) {
		memset(&jobs[i]->err, 0, sizeof(jobs[i]->err));
		if (jobs[i]->kind->part(conn, jobs[i]->arg, &err) < 0)
			goto fail;
		jobs[i]->result = 0;
	}
	if (jobs[0]->kind->finish != NULL && jobs[0]->kind->finish(conn, args, n, &err) < 0)
		goto fail;
	if (db_exec_plain(conn, "COMMIT", &err) == 0)
		return 0;
fail:
	db_exec_plain(conn, "ROLLBACK", &ignored);
	return -1;
}

static void *
worker_main(void *arg)
{
	struct db_pool *pool = arg;
	struct db_conn *conn = db_conn_new(&pool->settings);
	struct db_job *jobs[BATCH_LIMIT];

	for (;;) {
		pthread_mutex_lock(&pool->mu);
		while (pool->head == NULL && !pool->closing)
			pthread_cond_wait(&pool->cv, &pool->mu);
		unsigned n = take_jobs(pool, jobs);
		if (n == 0) {
			pthread_mutex_unlock(&pool->mu);
			break; /* closing and nothing left */
		}
		pool->busy++;
		pthread_mutex_unlock(&pool->mu);

		int batched = n > 1 ? run_batch(conn, jobs, n) : -1;
		if (batched < 0) {
			/* Alone: a single job, or every job of a batch that was rolled back. */
			for (unsigned i = 0; i < n; i++) {
				memset(&jobs[i]->err, 0, sizeof(jobs[i]->err));
				jobs[i]->result = jobs[i]->run(conn, jobs[i]->arg, &jobs[i]->err);
			}
		}

		pthread_mutex_lock(&pool->mu);
		pool->busy--;
		if (n > 1) {
			if (batched == 0) {
				pool->batches++;
				pool->batched_jobs += n;
			} else {
				pool->batch_failures++;
			}
		}
		for (unsigned i = 0; i < n; i++) {
			pool->completed++;
			if (jobs[i]->result < 0)
				pool->errors++;
			list_push(&pool->done_head, &pool->done_tail, jobs[i]);
		}
		pthread_mutex_unlock(&pool->mu);
		event_active(pool->wake, EV_READ, 0);
	}
	db_conn_free(conn);
	db_thread_end();
	return NULL;
}

/* Loop thread: hands every finished job to its done callback. */
static void
drain_done(struct db_pool *pool)
{
	pthread_mutex_lock(&pool->mu);
	struct db_job *job = pool->done_head;
	pool->done_head = pool->done_tail = NULL;
	pthread_mutex_unlock(&pool->mu);
	while (job != NULL) {
		struct db_job *next = job->next;
		job->done(job->arg, job->result, &job->err);
		free(job);
		job = next;
	}
}

static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	drain_done(arg);
}

struct db_pool *
db_pool_new(struct event_base *base, const struct db_settings *settings, unsigned workers,
            unsigned queue_max)
{
	struct db_pool *pool = xcalloc(1, sizeof(*pool));

	pool->base = base;
	db_settings_copy(&pool->settings, settings);
	pool->queue_max = queue_max;
	pool->batch_max = 1;
	pthread_mutex_init(&pool->mu, NULL);
	pthread_cond_init(&pool->cv, NULL);
	pool->wake = event_new(base, -1, EV_PERSIST, wake_cb, pool);
	event_add(pool->wake, NULL);
	pool->threads = xcalloc(workers, sizeof(pthread_t));
	for (unsigned i = 0; i < workers; i++) {
		if (pthread_create(&pool->threads[i], NULL, worker_main, pool) != 0) {
			log_msg(LOG_ERROR, "cannot start database worker %u", i);
			abort();
		}
		pool->nthreads++;
	}
	return pool;
}

void
db_pool_set_batch_max(struct db_pool *pool, unsigned batch_max)
{
	pthread_mutex_lock(&pool->mu);
	pool->batch_max = batch_max < 1 ? 1 : batch_max > BATCH_LIMIT ? BATCH_LIMIT : batch_max;
	pthread_mutex_unlock(&pool->mu);
}

int
db_pool_submit(struct db_pool *pool, db_job_run_fn *run, db_job_done_fn *done, void *arg)
{
	return db_pool_submit_batchable(pool, NULL, run, done, arg);
}

int
db_pool_submit_batchable(struct db_pool *pool, const struct db_batch_kind *kind, db_job_run_fn *run,
                         db_job_done_fn *done, void *arg)
{
	pthread_mutex_lock(&pool->mu);
	if (pool->closing || pool->queued >= pool->queue_max) {
		pool->rejected++;
		pthread_mutex_unlock(&pool->mu);
		return -1;
	}
	struct db_job *job = xcalloc(1, sizeof(*job));
	job->kind = kind;
	job->run = run;
	job->done = done;
	job->arg = arg;
	list_push(&pool->head, &pool->tail, job);
	pool->queued++;
	pthread_cond_signal(&pool->cv);
	pthread_mutex_unlock(&pool->mu);
	return 0;
}

void
db_pool_stats(struct db_pool *pool, struct db_pool_stats *s)
{
	pthread_mutex_lock(&pool->mu);
	s->workers = pool->nthreads;
	s->busy = pool->busy;
	s->queued = pool->queued;
	s->queue_max = pool->queue_max;
	s->completed = pool->completed;
	s->errors = pool->errors;
	s->rejected = pool->rejected;
	s->batches = pool->batches;
	s->batched_jobs = pool->batched_jobs;
	s->batch_failures = pool->batch_failures;
	pthread_mutex_unlock(&pool->mu);
}

void
db_pool_free(struct db_pool *pool, int abandon)
{
	if (pool == NULL)
		return;
	pthread_mutex_lock(&pool->mu);
	pool->closing = true;
	if (abandon) {
		struct db_job *job = pool->head;
		while (job != NULL) {
			struct db_job *next = job->next;
			free(job);
			job = next;
		}
		pool->head = pool->tail = NULL;
		pool->queued = 0;
	}
	pthread_cond_broadcast(&pool->cv);
	pthread_mutex_unlock(&pool->mu);
	for (unsigned i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	if (abandon) {
		struct db_job *job = pool->done_head;
		while (job != NULL) {
			struct db_job *next = job->next;
			free(job);
			job = next;
		}
		pool->done_head = pool->done_tail = NULL;
	} else {
		drain_done(pool);
	}
	event_free(pool->wake);
	pthread_cond_destroy(&pool->cv);
	pthread_mutex_destroy(&pool->mu);
	free(pool->threads);
	db_settings_clear(&pool->settings);
	free(pool);
}
