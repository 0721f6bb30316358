/*
 * Integration: the worker pool with a real event loop and real connections — every
 * job's done callback runs once, on the loop thread; a full queue refuses at once;
 * shutdown delivers the jobs still queued; batchable jobs queued together share one
 * commit, and a batch that fails is rolled back and its jobs run alone.
 */
#include "check.h"
#include "store/pool.h"
#include "testdb.h"

#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* When set, a done callback that brings the count to wait_for ends the loop. */
static struct event_base *wait_base;
static int wait_for;

static void
count_done(int *done)
{
	(*done)++;
	if (wait_base != NULL && *done == wait_for)
		event_base_loopexit(wait_base, NULL);
}

static void
gate_done(void *arg, int result, const struct db_error *err)
{
	(void)result;
	(void)err;
	count_done(arg);
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

/* Group commit: a batchable job inserts its key, marked by how it ran. */
struct bjob {
	const char *key;
	const char *group; /* the batch key in round 3 */
	int *done;
	int result;
	unsigned err_code;
};

static int
bjob_insert(struct db_conn *conn, const struct bjob *j, const char *mode, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(j->key), DB_PARAM_STR(mode)};
	return db_exec(conn, "INSERT INTO batch_t (k, mode) VALUES (?, ?)", p, 2, NULL, NULL, NULL,
	               err);
}

static int
bjob_part(struct db_conn *conn, void *arg, struct db_error *err)
{
	return bjob_insert(conn, arg, "batch", err);
}

static int
bjob_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	return bjob_insert(conn, arg, "alone", err);
}

static void
bjob_done(void *arg, int result, const struct db_error *err)
{
	struct bjob *j = arg;
	j->result = result;
	j->err_code = err->code;
	count_done(j->done);
}

static const struct db_batch_kind bkind = {.part = bjob_part};

static const char *
bjob_group(const void *arg)
{
	return ((const struct bjob *)arg)->group;
}

static const struct db_batch_kind bkind_keyed = {.part = bjob_part, .key = bjob_group};

/* A begin hook: one row "B<n>" for the batch, written before any part (a part reads it
 * back in the same transaction); a batch holding key "z" makes it fail. */
static int begin_calls;

static int
bjob_begin(struct db_conn *conn, void *const *args, unsigned n, struct db_error *err)
{
	char key[8];
	begin_calls++;
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(((const struct bjob *)args[i])->key, "z") == 0) {
			err->code = 0;
			snprintf(err->msg, sizeof(err->msg), "begin refuses z");
			return -1;
		}
	}
	snprintf(key, sizeof(key), "B%u", n);
	struct db_param p[] = {DB_PARAM_STR(key)};
	return db_exec(conn, "INSERT INTO batch_t (k, mode) VALUES (?, 'begin')", p, 1, NULL, NULL,
	               NULL, err);
}

/* A part that finds its batch's begin row first. */
static int
bjob_part_after_begin(struct db_conn *conn, void *arg, struct db_error *err)
{
	long n = -1;
	if (db_exec(conn, "SELECT COUNT(*) FROM batch_t WHERE mode = 'begin'", NULL, 0, row_value,
	            &n, NULL, err) < 0)
		return -1;
	if (n != 1) {
		err->code = 0;
		snprintf(err->msg, sizeof(err->msg), "no begin row before the part");
		return -1;
	}
	return bjob_insert(conn, arg, "batch", err);
}

static const struct db_batch_kind bkind_begin = {.part = bjob_part_after_begin,
                                                 .begin = bjob_begin};

static void
hold_worker(struct db_pool *pool, int *done)
{
	pthread_mutex_lock(&gate_mu);
	gate_open = 0;
	gate_entered = 0;
	pthread_mutex_unlock(&gate_mu);
	CHECK(db_pool_submit(pool, gate_run, gate_done, done) == 0);
	pthread_mutex_lock(&gate_mu);
	while (gate_entered == 0)
		pthread_cond_wait(&gate_cv, &gate_mu);
	pthread_mutex_unlock(&gate_mu);
}

static void
release_worker(void)
{
	pthread_mutex_lock(&gate_mu);
	gate_open = 1;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mu);
}

/* Runs the loop until wait_for done callbacks came (30 s only against a hang). */
static void
run_until(struct event_base *base, int n)
{
	struct timeval guard = {30, 0};
	wait_base = base;
	wait_for = n;
	event_base_loopexit(base, &guard);
	event_base_dispatch(base);
	wait_base = NULL;
}

static long
count_rows(struct db_conn *conn, const char *sql)
{
	struct db_error err;
	long n = -1;
	CHECK(db_exec(conn, sql, NULL, 0, row_value, &n, NULL, &err) == 0);
	return n;
}

static void
test_batches_share_a_commit_and_fall_back_alone(void)
{
	struct db_settings s;
	struct db_error err;
	testdb_create("pool_batch", &s);
	struct db_conn *conn = db_conn_new(&s);
	CHECK(db_exec_plain(conn,
	                    "CREATE TABLE batch_t (k VARCHAR(8) PRIMARY KEY, mode VARCHAR(8))"
	                    " ENGINE=InnoDB",
	                    &err) == 0);
	struct event_base *base = event_base_new();
	struct db_pool *pool = db_pool_new(base, &s, 1, 100);
	db_pool_set_batch_max(pool, 4);
	int done = 0;

	/* Round 1: while the one worker is held, five batchable jobs and a plain one queue;
	 * the first four share a transaction, the plain one and the fifth run alone. */
	struct bjob r1[5] = {{"a", NULL, &done, 9, 0},
	                     {"b", NULL, &done, 9, 0},
	                     {"c", NULL, &done, 9, 0},
	                     {"d", NULL, &done, 9, 0},
	                     {"e", NULL, &done, 9, 0}};
	hold_worker(pool, &done);
	CHECK(db_pool_submit_batchable(pool, &bkind, bjob_run, bjob_done, &r1[0]) == 0);
	CHECK(db_pool_submit(pool, gate_run, gate_done, &done) == 0);
	for (int i = 1; i < 5; i++)
		CHECK(db_pool_submit_batchable(pool, &bkind, bjob_run, bjob_done, &r1[i]) == 0);
	release_worker();
	run_until(base, 7);
	CHECK(done == 7);
	for (int i = 0; i < 5; i++)
		CHECK(r1[i].result == 0);
	CHECK(count_rows(conn, "SELECT COUNT(*) FROM batch_t WHERE mode = 'batch'") == 4);
	CHECK(count_rows(conn, "SELECT COUNT(*) FROM batch_t WHERE mode = 'alone' AND k = 'e'") ==
	      1);
	struct db_pool_stats st;
	db_pool_stats(pool, &st);
	CHECK(st.batches == 1);
	CHECK(st.batched_jobs == 4);
	CHECK(st.batch_failures == 0);

	/* Round 2: "c" is a duplicate. The batch rolls back (nothing of "f" or "g" stays from
	 * it), every job runs alone: "f", "g" and "h" are stored once, "c" fails on its own. */
	done = 0;
	struct bjob r2[4] = {{"f", NULL, &done, 9, 0},
	                     {"g", NULL, &done, 9, 0},
	                     {"c", NULL, &done, 9, 0},
	                     {"h", NULL, &done, 9, 0}};
	hold_worker(pool, &done);
	for (int i = 0; i < 4; i++)
		CHECK(db_pool_submit_batchable(pool, &bkind, bjob_run, bjob_done, &r2[i]) == 0);
	release_worker();
	run_until(base, 5);
	CHECK(done == 5);
	CHECK(r2[0].result == 0 && r2[1].result == 0 && r2[3].result == 0);
	CHECK(r2[2].result == -1 && r2[2].err_code == 1062);
	CHECK(count_rows(conn, "SELECT COUNT(*) FROM batch_t WHERE k IN ('f', 'g', 'h')"
	                       " AND mode = 'alone'") == 3);
	CHECK(count_rows(conn, "SELECT COUNT(*) FROM batch_t") == 8);
	db_pool_stats(pool, &st);
	CHECK(st.batches == 1);
	CHECK(st.batch_failures == 1);
	CHECK(st.errors == 1);

	/* Round 3: jobs with one key never share a batch: "i" and "k" (group x) and "j"
	 * (group y) queue together; "i" and "j" share one, "k" waits for the next. */
	done = 0;
	struct bjob r3[3] = {
	    {"i", "x", &done, 9, 0}, {"k", "x", &done, 9, 0}, {"j", "y", &done, 9, 0}};
	hold_worker(pool, &done);
	for (int i = 0; i < 3; i++)
		CHECK(db_pool_submit_batchable(pool, &bkind_keyed, bjob_run, bjob_done, &r3[i]) ==
		      0);
	release_worker();
	run_until(base, 4);
	CHECK(done == 4);
	CHECK(r3[0].result == 0 && r3[1].result == 0 && r3[2].result == 0);
	CHECK(count_rows(conn, "SELECT COUNT(*) FROM batch_t WHERE k IN ('i', 'j')"
	                       " AND mode = 'batch'") == 2);
	CHECK(count_rows(conn, "SELECT COUNT(*) FROM batch_t WHERE k = 'k' AND mode = 'alone'") ==
	      1);
	db_pool_stats(pool, &st);
	CHECK(st.batches == 2);

	/* Round 4: a begin hook runs once per batch, before its parts and in its
	 * transaction; when it fails the batch rolls back and its jobs run alone. */
	done = 0;
	testdb_exec(conn, "DELETE FROM batch_t");
	struct bjob r4[3] = {
	    {"m", NULL, &done, 9, 0}, {"n", NULL, &done, 9, 0}, {"o", NULL, &done, 9, 0}};
	hold_worker(pool, &done);
	for (int i = 0; i < 3; i++)
		CHECK(db_pool_submit_batchable(pool, &bkind_begin, bjob_run, bjob_done, &r4[i]) ==
		      0);
	release_worker();
	run_until(base, 4);
	CHECK(done == 4 && begin_calls == 1);
	CHECK(r4[0].result == 0 && r4[1].result == 0 && r4[2].result == 0);
	CHECK(count_rows(conn, "SELECT COUNT(*) FROM batch_t WHERE k = 'B3' AND mode = 'begin'") ==
	      1);
	CHECK(count_rows(conn, "SELECT COUNT(*) FROM batch_t WHERE mode = 'batch'") == 3);

	done = 0;
	testdb_exec(conn, "DELETE FROM batch_t");
	struct bjob r5[2] = {{"y", NULL, &done, 9, 0}, {"z", NULL, &done, 9, 0}};
	hold_worker(pool, &done);
	for (int i = 0; i < 2; i++)
		CHECK(db_pool_submit_batchable(pool, &bkind_begin, bjob_run, bjob_done, &r5[i]) ==
		      0);
	release_worker();
	run_until(base, 3);
	CHECK(done == 3 && begin_calls == 2);
	CHECK(r5[0].result == 0 && r5[1].result == 0);
	CHECK(count_rows(conn, "SELECT COUNT(*) FROM batch_t WHERE mode = 'begin'") == 0);
	CHECK(count_rows(conn, "SELECT COUNT(*) FROM batch_t WHERE mode = 'alone'") == 2);
	db_pool_stats(pool, &st);
	CHECK(st.batch_failures == 2);

	db_pool_free(pool, 0);
	event_base_free(base);
	db_conn_free(conn);
	testdb_drop(&s);
}

int
main(void)
{
	evthread_use_pthreads();
	db_library_init();
	RUN(test_jobs_complete_on_loop_thread);
	RUN(test_full_queue_refuses_at_once);
	RUN(test_batches_share_a_commit_and_fall_back_alone);
	db_library_end();
	libevent_global_shutdown();
	return check_summary();
}
