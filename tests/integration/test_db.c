/*
 * Integration: the db module against the real private MariaDB — prepared statements
 * with parameters, rows of every shape, the transaction helper's retry on a real
 * deadlock, reconnection after the server killed the connection, and no retry for
 * errors that retrying cannot fix.
 */
#include "check.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "store/db.h"
#include "testdb.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct rows {
	int n;
	char *first[4];
	int nulls;
};

static int
collect(const struct db_row *row, void *arg)
{
	struct rows *r = arg;
	if (r->n < 4)
		r->first[r->n] = xstrdup(row->values[0] != NULL ? row->values[0] : "(null)");
	for (unsigned i = 0; i < row->ncols; i++)
		r->nulls += row->values[i] == NULL;
	r->n++;
	return 0;
}

static void
rows_free(struct rows *r)
{
	for (int i = 0; i < r->n && i < 4; i++)
		free(r->first[i]);
	memset(r, 0, sizeof(*r));
}

static void
test_params_and_rows(void)
{
	struct db_settings s;
	struct db_error err = {0};
	struct rows r = {0};
	uint64_t affected = 0;
	struct buf long_text = BUF_INIT;

	testdb_create("db_rows", &s);
	struct db_conn *c = db_conn_new(&s);
	CHECK(db_exec_plain(c, "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(2000), n BIGINT)",
	                    &err) == 0);
	for (int i = 0; i < 1500; i++)
		buf_putc(&long_text, (char)('a' + i % 26));
	const char *persian = "گردونه ۱۲۳";
	struct db_param p1[] = {DB_PARAM_INT(1), DB_PARAM_STR(persian), DB_PARAM_INT(-5)};
	struct db_param p2[] = {DB_PARAM_INT(2), DB_PARAM_STR(long_text.data), {.type = DB_NULL}};
	const char *ins = "INSERT INTO t (id, name, n) VALUES (?, ?, ?)";
	CHECK(db_exec(c, ins, p1, 3, NULL, NULL, &affected, &err) == 0);
	CHECK(affected == 1);
	CHECK(db_exec(c, ins, p2, 3, NULL, NULL, &affected, &err) == 0);

	/* A duplicate key is an error with MariaDB's code, not a crash. */
	CHECK(db_exec(c, ins, p1, 3, NULL, NULL, NULL, &err) == -1);
	CHECK(err.code == 1062);

	CHECK(db_exec(c, "SELECT name, n FROM t ORDER BY id", NULL, 0, collect, &r, NULL, &err) ==
	      0);
	CHECK(r.n == 2);
	CHECK_STR(r.first[0], persian);
	CHECK(r.first[1] != NULL && strcmp(r.first[1], long_text.data) == 0); /* > 256 bytes */
	CHECK(r.nulls == 1);
	rows_free(&r);

	struct db_param q[] = {DB_PARAM_INT(-5)};
	CHECK(db_exec(c, "SELECT CAST(id AS CHAR) FROM t WHERE n = ?", q, 1, collect, &r, NULL,
	              &err) == 0);
	CHECK(r.n == 1);
	CHECK_STR(r.first[0], "1");
	rows_free(&r);

	/* Wrong parameter count is refused before reaching the server. */
	CHECK(db_exec(c, ins, p1, 2, NULL, NULL, NULL, &err) == -1);
	CHECK_CONTAINS(err.msg, "parameter count");

	buf_free(&long_text);
	db_conn_free(c);
	testdb_drop(&s);
}

struct deadlock_arg {
	struct db_settings *s;
	pthread_barrier_t *barrier;
	int first, second;
	int attempts;
	int rc;
};

static int
deadlock_body(struct db_conn *c, void *arg, struct db_error *err)
{
	struct deadlock_arg *a = arg;
	struct db_param p1[] = {DB_PARAM_INT(a->first)};
	struct db_param p2[] = {DB_PARAM_INT(a->second)};
	const char *upd = "UPDATE t SET v = v + 1 WHERE id = ?";
	if (db_exec(c, upd, p1, 1, NULL, NULL, NULL, err) < 0)
		return -1;
	if (a->attempts++ == 0)
		pthread_barrier_wait(a->barrier); /* both hold their first row now */
	return db_exec(c, upd, p2, 1, NULL, NULL, NULL, err);
}

static void *
deadlock_thread(void *arg)
{
	struct deadlock_arg *a = arg;
	struct db_error err = {0};
	struct db_conn *c = db_conn_new(a->s);
	a->rc = db_tx(c, deadlock_body, a, &err);
	if (a->rc != 0)
		fprintf(stderr, "deadlock thread: %s\n", err.msg);
	db_conn_free(c);
	db_thread_end();
	return NULL;
}

static void
test_tx_retries_real_deadlock(void)
{
	struct db_settings s;
	struct db_error err = {0};
	struct rows r = {0};
	pthread_barrier_t barrier;
	pthread_t t1, t2;

	testdb_create("db_deadlock", &s);
	struct db_conn *c = db_conn_new(&s);
	CHECK(db_exec_plain(c, "CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB",
	                    &err) == 0);
	CHECK(db_exec_plain(c, "INSERT INTO t VALUES (1, 0), (2, 0)", &err) == 0);
	pthread_barrier_init(&barrier, NULL, 2);
	uint64_t retries_before = db_stat_retries();
	struct deadlock_arg a = {&s, &barrier, 1, 2, 0, -1};
	struct deadlock_arg b = {&s, &barrier, 2, 1, 0, -1};
	pthread_create(&t1, NULL, deadlock_thread, &a);
	pthread_create(&t2, NULL, deadlock_thread, &b);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	CHECK(a.rc == 0);
	CHECK(b.rc == 0);
	CHECK(a.attempts + b.attempts >= 3); /* one of them ran twice */
	CHECK(db_stat_retries() > retries_before);
	/* Both transactions committed exactly once: each row was incremented twice. */
	CHECK(db_exec(c, "SELECT CAST(SUM(v) AS CHAR) FROM t", NULL, 0, collect, &r, NULL, &err) ==
	      0);
	CHECK_STR(r.first[0], "4");
	rows_free(&r);
	pthread_barrier_destroy(&barrier);
	db_conn_free(c);
	testdb_drop(&s);
}

static int
select_one(struct db_conn *c, void *arg, struct db_error *err)
{
	return db_exec(c, "SELECT 1", NULL, 0, collect, arg, NULL, err);
}

static void
test_reconnects_after_kill(void)
{
	struct db_settings s;
	struct db_error err = {0};
	struct rows r = {0};
	char sql[64];

	testdb_create("db_kill", &s);
	struct db_conn *c = db_conn_new(&s);
	CHECK(db_exec(c, "SELECT CAST(CONNECTION_ID() AS CHAR)", NULL, 0, collect, &r, NULL,
	              &err) == 0);
	snprintf(sql, sizeof(sql), "KILL CONNECTION %s", r.first[0]);
	rows_free(&r);
	testdb_sql(&s, sql);

	uint64_t reconnects_before = db_stat_reconnects();
	CHECK(db_tx(c, select_one, &r, &err) == 0);
	CHECK(r.n == 1);
	CHECK(db_stat_reconnects() > reconnects_before);
	rows_free(&r);
	db_conn_free(c);
	testdb_drop(&s);
}

/* db_autocommit: the same retry policy without a transaction; its write commits at
 * once (visible to another connection without any COMMIT). */
static int
insert_row(struct db_conn *c, void *arg, struct db_error *err)
{
	(*(int *)arg)++;
	return db_exec_plain(c, "INSERT INTO t VALUES (1)", err);
}

static void
test_autocommit_retries_and_commits(void)
{
	struct db_settings s;
	struct db_error err = {0};
	struct rows r = {0};
	char sql[64];
	int calls = 0;

	testdb_create("db_autocommit", &s);
	struct db_conn *c = db_conn_new(&s);
	CHECK(db_exec_plain(c, "CREATE TABLE t (id INT PRIMARY KEY)", &err) == 0);
	CHECK(db_exec(c, "SELECT CAST(CONNECTION_ID() AS CHAR)", NULL, 0, collect, &r, NULL,
	              &err) == 0);
	snprintf(sql, sizeof(sql), "KILL CONNECTION %s", r.first[0]);
	rows_free(&r);
	testdb_sql(&s, sql);
	uint64_t retries_before = db_stat_retries();
	CHECK(db_autocommit(c, insert_row, &calls, &err) == 0);
	CHECK(calls == 2); /* the killed connection failed once, the retry reconnected */
	CHECK(db_stat_retries() > retries_before);
	/* Visible from another connection: committed without a COMMIT. */
	struct db_conn *other = db_conn_new(&s);
	CHECK(db_exec(other, "SELECT CAST(COUNT(*) AS CHAR) FROM t", NULL, 0, collect, &r, NULL,
	              &err) == 0);
	CHECK_STR(r.first[0], "1");
	rows_free(&r);
	/* A duplicate key is not retried. */
	calls = 0;
	CHECK(db_autocommit(c, insert_row, &calls, &err) == -1);
	CHECK(err.code == 1062);
	CHECK(calls == 1);
	db_conn_free(other);
	db_conn_free(c);
	testdb_drop(&s);
}

static int
bad_sql(struct db_conn *c, void *arg, struct db_error *err)
{
	(*(int *)arg)++;
	return db_exec(c, "SELEC 1", NULL, 0, NULL, NULL, NULL, err);
}

static void
test_syntax_error_not_retried(void)
{
	struct db_settings s;
	struct db_error err = {0};
	int calls = 0;

	testdb_create("db_syntax", &s);
	struct db_conn *c = db_conn_new(&s);
	CHECK(db_tx(c, bad_sql, &calls, &err) == -1);
	CHECK(err.code == 1064);
	CHECK(calls == 1);
	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_unreachable_server_is_an_error(void)
{
	struct db_settings s = {0};
	struct db_error err = {0};
	s.host = (char *)"localhost";
	s.socket = (char *)"/nonexistent/gamigate-test.sock";
	s.user = (char *)"gamigate";
	s.password = (char *)"x";
	s.name = (char *)"x";
	s.connect_timeout_s = 1;
	s.read_timeout_s = 1;
	s.write_timeout_s = 1;
	struct db_conn *c = db_conn_new(&s);
	CHECK(db_conn_ping(c, &err) == -1);
	CHECK(err.code == 2002);
	CHECK(err.msg[0] != '\0');
	db_conn_free(c);
}

int
main(void)
{
	db_library_init();
	RUN(test_params_and_rows);
	RUN(test_tx_retries_real_deadlock);
	RUN(test_reconnects_after_kill);
	RUN(test_syntax_error_not_retried);
	RUN(test_autocommit_retries_and_commits);
	RUN(test_unreachable_server_is_an_error);
	db_library_end();
	return check_summary();
}
