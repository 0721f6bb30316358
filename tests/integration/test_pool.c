/*
 * Integration: the worker pool with a real event loop and real connections — every
 * job's done callback runs once, on the loop thread; a full queue refuses at once;
 * shutdown delivers the jobs still queued.
 */
#include "check.h"
#include "store/pool.h"
#include "testdb.h"

#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <stdlib.h>

struct counter {
	struct event_base *base;
	pthread_t loop_thread;
	int done, ok, wrong_thread, expected;
};

struct job {
	struct counter *cnt;
	long value;
};

static int
row_value(const struct db_row *row, void *arg)
{
	*(long *)arg = strtol(row->values[0], NULL, 10);
	return 0;
}

static int
job_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct job *j = arg;
	struct db_param p[] = {DB_PARAM_INT(j->value)};
	long got = -1;
	if (db_exec(conn, "SELECT ? * 2", p, 1, row_value, &got, NULL, err) < 0)
		return -1;
	return got == j->value * 2 ? 0 : -1;
}

static void
job_done(void *arg, int result, const struct db_error *err)
{
	struct job *j = arg;
	struct counter *cnt = j->cnt;
	(void)err;
	cnt->done++;
	cnt->ok += result == 0;
	cnt->wrong_thread += !pthread_equal(pthread_self(), cnt->loop_thread);
	if (cnt->done == cnt->expected)
		event_base_loopexit(cnt->base, NULL);
	free(j);
}

static void
test_jobs_complete_on_loop_thread(void)
{
	struct db_settings s;
	testdb_create("pool_jobs", &s);
	struct event_base *base = event_base_new();
	struct counter cnt = {base, pthread_self(), 0, 0, 0, 200};
	struct db_pool *pool = db_pool_new(base, &s, 4, 1000);

	for (int i = 0; i < cnt.expected; i++) {
		struct job *j = malloc(sizeof(*j));
		j->cnt = &cnt;
		j->value = i;
		CHECK(db_pool_submit(pool, job_run, job_done, j) == 0);
	}
	struct timeval guard = {30, 0}; /* only against a hang */
	event_base_loopexit(base, &guard);
	event_base_dispatch(base);
	CHECK(cnt.done == cnt.expected);
	CHECK(cnt.ok == cnt.expected);
	CHECK(cnt.wrong_thread == 0);
	struct db_pool_stats st;
	db_pool_stats(pool, &st);
	CHECK(st.completed == (uint64_t)cnt.expected);
	CHECK(st.errors == 0);
	db_pool_free(pool, 0);
	event_base_free(base);
	testdb_drop(&s);
}

/* A job that holds its worker until released. */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_entered;

static int
gate_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	(void)conn;
	(void)arg;
	(void)err;
	pthread_mutex_lock(&gate_mu);
	gate_entered++;
	pthread_cond_broadcast(&gate_cv);
	while (!gate_open)
		pthread_cond_wait(&gate_cv, &gate_mu);
	pthread_mutex_unlock(&gate_mu);
	return 0;
}

static void
gate_done(void *arg, int result, const struct db_error *err)
{
	(void)result;
	(void)err;
	(*(int *)arg)++;
}

static void
test_full_queue_refuses_at_once(void)
{
	struct db_settings s;
	testdb_create("pool_full", &s);
	struct event_base *base = event_base_new();
	struct db_pool *pool = db_pool_new(base, &s, 1, 2);
	int done = 0;

	CHECK(db_pool_submit(pool, gate_run, gate_done, &done) == 0);
	pthread_mutex_lock(&gate_mu);
	while (gate_entered == 0)
		pthread_cond_wait(&gate_cv, &gate_mu); /* the worker is busy now */
	pthread_mutex_unlock(&gate_mu);
	CHECK(db_pool_submit(pool, gate_run, gate_done, &done) == 0);
	CHECK(db_pool_submit(pool, gate_run, gate_done, &done) == 0);
	CHECK(db_pool_submit(pool, gate_run, gate_done, &done) == -1); /* queue full */

	struct db_pool_stats st;
	db_pool_stats(pool, &st);
	CHECK(st.busy == 1);
	CHECK(st.queued == 2);
	CHECK(st.rejected == 1);

	pthread_mutex_lock(&gate_mu);
	gate_open = 1;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mu);
	/* Shutdown finishes what was queued and delivers every done callback. */
	db_pool_free(pool, 0);
	CHECK(done == 3);
	event_base_free(base);
	testdb_drop(&s);
}

int
main(void)
{
	evthread_use_pthreads();
	db_library_init();
	RUN(test_jobs_complete_on_loop_thread);
	RUN(test_full_queue_refuses_at_once);
	db_library_end();
	libevent_global_shutdown();
	return check_summary();
}
