/*
 * db — one MariaDB connection: prepared statements, rows, transactions with retry.
 *
 * Invariants: a connection is used by one thread only; its statement cache is dropped
 * whenever the connection is dropped; every error leaves the connection either usable or
 * closed (never half-open), so the next call starts clean.
 *
 * Sessions run at READ COMMITTED: every plain read sees what committed before it began.
 * A game transaction locks its subscriber row first and then reads (spins today,
 * today's check-in); under REPEATABLE READ a snapshot taken before the lock was granted
 * (by the rate count, or by another message sharing the transaction) would miss what
 * the lock holder committed. It also takes no gap locks, which keeps inserts of
 * different numbers from waiting on each other.
 */
#include "store/db.h"
#include "core/config.h"
#include "core/xalloc.h"

#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define STMT_CACHE_MAX  64
#define TX_ATTEMPTS     6
#define COL_BUF_INITIAL 256
#define MAX_COLS        64

struct stmt_entry {
	char *sql;
	MYSQL_STMT *stmt;
};

struct db_conn {
	struct db_settings s;
	MYSQL *mysql;
	struct stmt_entry cache[STMT_CACHE_MAX];
	size_t ncache;
	uint64_t insert_id; /* of the last db_exec */
};

static atomic_uint_fast64_t stat_retries;
static atomic_uint_fast64_t stat_reconnects;

uint64_t
db_stat_retries(void)
{
	return atomic_load(&stat_retries);
}

uint64_t
db_stat_reconnects(void)
{
	return atomic_load(&stat_reconnects);
}

void
db_library_init(void)
{
	mysql_library_init(0, NULL, NULL);
}

void
db_library_end(void)
{
	mysql_library_end();
}

void
db_thread_end(void)
{
	mysql_thread_end();
}

static void
set_error(struct db_error *err, unsigned code, const char *msg)
{
	err->code = code;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

static void
set_mysql_error(struct db_error *err, MYSQL *m)
{
	set_error(err, mysql_errno(m), mysql_error(m));
}

bool
db_error_disconnected(unsigned code)
{
	return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST ||
	       code == CR_SERVER_LOST_EXTENDED || code == CR_CONNECTION_ERROR ||
	       code == CR_CONN_HOST_ERROR || code == ER_CONNECTION_KILLED || code == 4031 ||
	       code == CR_COMMANDS_OUT_OF_SYNC || code == ER_SERVER_SHUTDOWN;
}

bool
db_error_retryable(unsigned code)
{
	/* 1213 is also what Galera returns when certification fails; 1047 is a Galera node
	 * that is not ready yet. */
	return code == ER_LOCK_DEADLOCK || code == ER_LOCK_WAIT_TIMEOUT ||
	       code == ER_UNKNOWN_COM_ERROR || db_error_disconnected(code);
}

void
db_settings_from_config(const struct config *cfg, struct db_settings *s)
{
	s->host = cfg->db_host;
	s->port = (unsigned)cfg->db_port;
	s->socket = cfg->db_socket;
	s->user = cfg->db_user;
	s->password = cfg->db_password;
	s->name = cfg->db_name;
	s->connect_timeout_s = (unsigned)cfg->db_connect_timeout_s;
	s->read_timeout_s = (unsigned)cfg->db_read_timeout_s;
	s->write_timeout_s = (unsigned)cfg->db_write_timeout_s;
}

void
db_settings_copy(struct db_settings *dst, const struct db_settings *src)
{
	*dst = *src;
	dst->host = xstrdup(src->host != NULL ? src->host : "127.0.0.1");
	dst->socket = xstrdup(src->socket != NULL ? src->socket : "");
	dst->user = xstrdup(src->user != NULL ? src->user : "");
	dst->password = xstrdup(src->password != NULL ? src->password : "");
	dst->name = xstrdup(src->name != NULL ? src->name : "");
}

void
db_settings_clear(struct db_settings *s)
{
	free(s->host);
	free(s->socket);
	free(s->user);
	free(s->password);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

struct db_conn *
db_conn_new(const struct db_settings *settings)
{
	struct db_conn *c = xcalloc(1, sizeof(*c));
	db_settings_copy(&c->s, settings);
	return c;
}

void
db_conn_close(struct db_conn *c)
{
	for (size_t i = 0; i < c->ncache; i++) {
		mysql_stmt_close(c->cache[i].stmt);
		free(c->cache[i].sql);
	}
	c->ncache = 0;
	if (c->mysql != NULL) {
		mysql_close(c->mysql);
		c->mysql = NULL;
	}
}

void
db_conn_free(struct db_conn *c)
{
	if (c == NULL)
		return;
	db_conn_close(c);
	db_settings_clear(&c->s);
	free(c);
}

int
db_conn_ensure(struct db_conn *c, struct db_error *err)
{
	static const char init_sql[] =
	    "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,"
	    "NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION',"
	    " tx_isolation = 'READ-COMMITTED'";
	const bool *no = &(bool){false};
	unsigned ct = c->s.connect_timeout_s, rt = c->s.read_timeout_s, wt = c->s.write_timeout_s;

	if (c->mysql != NULL)
		return 0;
	c->mysql = mysql_init(NULL);
	if (c->mysql == NULL) {
		set_error(err, 0, "mysql_init failed (out of memory)");
		return -1;
	}
	mysql_optionsv(c->mysql, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_optionsv(c->mysql, MYSQL_OPT_READ_TIMEOUT, &rt);
	mysql_optionsv(c->mysql, MYSQL_OPT_WRITE_TIMEOUT, &wt);
	mysql_optionsv(c->mysql, MYSQL_OPT_RECONNECT, no);
	mysql_optionsv(c->mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_optionsv(c->mysql, MYSQL_INIT_COMMAND, init_sql);
	bool use_socket = c->s.socket[0] != '\0';
	if (mysql_real_connect(c->mysql, use_socket ? "localhost" : c->s.host, c->s.user,
	                       c->s.password, c->s.name[0] != '\0' ? c->s.name : NULL,
	                       use_socket ? 0 : c->s.port, use_socket ? c->s.socket : NULL,
	                       0) == NULL) {
		set_mysql_error(err, c->mysql);
		mysql_close(c->mysql);
		c->mysql = NULL;
		return -1;
	}
	return 0;
}

const struct db_settings *
db_conn_settings(const struct db_conn *c)
{
	return &c->s;
}

int
db_conn_ping(struct db_conn *c, struct db_error *err)
{
	if (c->mysql != NULL && mysql_ping(c->mysql) == 0)
		return 0;
	if (c->mysql != NULL)
		atomic_fetch_add(&stat_reconnects, 1);
	db_conn_close(c);
	return db_conn_ensure(c, err);
}

/* After an error: drop the connection if it is gone, so the next call reconnects. */
static void
after_error(struct db_conn *c, struct db_error *err)
{
	if (db_error_disconnected(err->code)) {
		db_conn_close(c);
		atomic_fetch_add(&stat_reconnects, 1);
	}
}

static MYSQL_STMT *
stmt_get(struct db_conn *c, const char *sql, struct db_error *err)
{
	for (size_t i = 0; i < c->ncache; i++) {
		if (c->cache[i].sql == sql || strcmp(c->cache[i].sql, sql) == 0)
			return c->cache[i].stmt;
	}
	MYSQL_STMT *stmt = mysql_stmt_init(c->mysql);
	if (stmt == NULL) {
		set_mysql_error(err, c->mysql);
		return NULL;
	}
	if (mysql_stmt_prepare(stmt, sql, strlen(sql)) != 0) {
		set_error(err, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
		mysql_stmt_close(stmt);
		return NULL;
	}
	if (c->ncache == STMT_CACHE_MAX) {
		/* A full cache means an unusual workload; start over rather than track age. */
		for (size_t i = 0; i < c->ncache; i++) {
			mysql_stmt_close(c->cache[i].stmt);
			free(c->cache[i].sql);
		}
		c->ncache = 0;
	}
	c->cache[c->ncache].sql = xstrdup(sql);
	c->cache[c->ncache].stmt = stmt;
	c->ncache++;
	return stmt;
}

/* Fetches every row of an executed statement into fn. 0 ok, -1 with err set. */
static int
fetch_rows(MYSQL_STMT *stmt, db_row_fn *fn, void *arg, struct db_error *err)
{
	MYSQL_RES *meta = mysql_stmt_result_metadata(stmt);
	unsigned ncols;
	MYSQL_BIND binds[MAX_COLS];
	char *bufs[MAX_COLS];
	size_t caps[MAX_COLS];
	unsigned long lengths[MAX_COLS];
	my_bool nulls[MAX_COLS];
	const char *values[MAX_COLS];
	int rc = 0;

	if (meta == NULL)
		return 0; /* no result set */
	ncols = mysql_num_fields(meta);
	mysql_free_result(meta);
	if (ncols > MAX_COLS) {
		set_error(err, 0, "too many result columns");
		mysql_stmt_free_result(stmt);
		return -1;
	}
	memset(binds, 0, sizeof(binds));
	for (unsigned i = 0; i < ncols; i++) {
		caps[i] = COL_BUF_INITIAL;
		bufs[i] = xmalloc(caps[i]);
		binds[i].buffer_type = MYSQL_TYPE_STRING;
		binds[i].buffer = bufs[i];
		binds[i].buffer_length = caps[i] - 1;
		binds[i].length = &lengths[i];
		binds[i].is_null = &nulls[i];
	}
	if (mysql_stmt_bind_result(stmt, binds) != 0) {
		set_error(err, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
		rc = -1;
		goto out;
	}
	for (;;) {
		int f = mysql_stmt_fetch(stmt);
		if (f == MYSQL_NO_DATA)
			break;
		if (f == 1) {
			set_error(err, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
			rc = -1;
			goto out;
		}
		for (unsigned i = 0; i < ncols; i++) {
			if (nulls[i]) {
				values[i] = NULL;
				continue;
			}
			if (lengths[i] + 1 > caps[i]) {
				/* Truncated: grow this column's buffer and fetch it again. */
				caps[i] = lengths[i] + 1;
				bufs[i] = xrealloc(bufs[i], caps[i]);
				binds[i].buffer = bufs[i];
				binds[i].buffer_length = caps[i] - 1;
				if (mysql_stmt_fetch_column(stmt, &binds[i], i, 0) != 0) {
					set_error(err, mysql_stmt_errno(stmt),
					          mysql_stmt_error(stmt));
					rc = -1;
					goto out;
				}
				/* The next row rebinds with the larger buffers. */
				mysql_stmt_bind_result(stmt, binds);
			}
			bufs[i][lengths[i]] = '\0';
			values[i] = bufs[i];
		}
		if (rc == 0 && fn != NULL) {
			struct db_row row = {ncols, values, lengths};
			if (fn(&row, arg) < 0) {
				if (err->msg[0] == '\0')
					set_error(err, 0, "row handler failed");
				rc = -1;
				/* keep fetching so the connection stays in sync */
			}
		}
	}
out:
	mysql_stmt_free_result(stmt);
	for (unsigned i = 0; i < ncols; i++)
		free(bufs[i]);
	return rc;
}

int
db_exec(struct db_conn *c, const char *sql, const struct db_param *params, size_t nparams,
        db_row_fn *fn, void *arg, uint64_t *affected_r, struct db_error *err)
{
	MYSQL_BIND binds[MAX_COLS];
	MYSQL_STMT *stmt;

	err->code = 0;
	err->msg[0] = '\0';
	if (nparams > MAX_COLS) {
		set_error(err, 0, "too many parameters");
		return -1;
	}
	if (db_conn_ensure(c, err) < 0)
		return -1;
	stmt = stmt_get(c, sql, err);
	if (stmt == NULL) {
		after_error(c, err);
		return -1;
	}
	if (mysql_stmt_param_count(stmt) != nparams) {
		set_error(err, 0, "parameter count does not match the statement");
		return -1;
	}
	memset(binds, 0, sizeof(binds));
	for (size_t i = 0; i < nparams; i++) {
		switch (params[i].type) {
		case DB_NULL:
			binds[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		case DB_INT:
			binds[i].buffer_type = MYSQL_TYPE_LONGLONG;
			binds[i].buffer = (void *)&params[i].i;
			break;
		case DB_STR:
			binds[i].buffer_type = MYSQL_TYPE_STRING;
			binds[i].buffer = (void *)params[i].s;
			binds[i].buffer_length = params[i].len;
			break;
		}
	}
	if ((nparams > 0 && mysql_stmt_bind_param(stmt, binds) != 0) ||
	    mysql_stmt_execute(stmt) != 0) {
		set_error(err, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
		after_error(c, err);
		return -1;
	}
	if (affected_r != NULL)
		*affected_r = mysql_stmt_affected_rows(stmt);
	c->insert_id = mysql_stmt_insert_id(stmt);
	if (fetch_rows(stmt, fn, arg, err) < 0) {
		after_error(c, err);
		return -1;
	}
	/* A CALL answers with its result sets and then a status; every one of them is read
	 * (rows of later sets go to fn too) so the connection stays in sync. */
	while (mysql_stmt_more_results(stmt)) {
		int next = mysql_stmt_next_result(stmt);
		if (next > 0) {
			set_error(err, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
			after_error(c, err);
			return -1;
		}
		if (next < 0)
			break;
		if (fetch_rows(stmt, fn, arg, err) < 0) {
			after_error(c, err);
			return -1;
		}
	}
	return 0;
}

int
db_exec_bulk(struct db_conn *c, const char *sql, const struct db_param *params, size_t nrows,
             size_t ncols, struct db_error *err)
{
	MYSQL_BIND binds[MAX_COLS];
	MYSQL_STMT *stmt;
	unsigned int array_size = (unsigned int)nrows;
	int rc = -1;

	err->code = 0;
	err->msg[0] = '\0';
	if (ncols == 0 || ncols > MAX_COLS || nrows == 0) {
		set_error(err, 0, "bulk: bad shape");
		return -1;
	}
	if (db_conn_ensure(c, err) < 0)
		return -1;
	stmt = stmt_get(c, sql, err);
	if (stmt == NULL) {
		after_error(c, err);
		return -1;
	}
	if (mysql_stmt_param_count(stmt) != ncols) {
		set_error(err, 0, "parameter count does not match the statement");
		return -1;
	}
	/* Column-wise arrays: one buffer per column, one value (and length and indicator)
	 * per row; a column's rows are all strings or all integers (NULL in either). */
	void **values = xcalloc(ncols * nrows, sizeof(void *));
	long long *ints = xcalloc(ncols * nrows, sizeof(long long));
	unsigned long *lengths = xcalloc(ncols * nrows, sizeof(unsigned long));
	char *indicators = xcalloc(ncols * nrows, 1);
	memset(binds, 0, sizeof(binds));
	for (size_t col = 0; col < ncols; col++) {
		enum db_param_type type = DB_NULL;
		for (size_t r = 0; r < nrows; r++) {
			const struct db_param *p = &params[r * ncols + col];
			size_t k = col * nrows + r;
			if (p->type == DB_NULL) {
				indicators[k] = STMT_INDICATOR_NULL;
				continue;
			}
			if (type != DB_NULL && type != p->type) {
				set_error(err, 0, "bulk: a column mixes strings and integers");
				goto out;
			}
			type = p->type;
			if (p->type == DB_INT) {
				ints[k] = p->i;
			} else {
				values[k] = (void *)p->s;
				lengths[k] = (unsigned long)p->len;
			}
		}
		binds[col].buffer_type = type == DB_INT ? MYSQL_TYPE_LONGLONG : MYSQL_TYPE_STRING;
		binds[col].buffer =
		    type == DB_INT ? (void *)&ints[col * nrows] : (void *)&values[col * nrows];
		binds[col].length = &lengths[col * nrows];
		binds[col].u.indicator = &indicators[col * nrows];
	}
	if (mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &array_size) != 0 ||
	    mysql_stmt_bind_param(stmt, binds) != 0 || mysql_stmt_execute(stmt) != 0) {
		set_error(err, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
		after_error(c, err);
		goto out;
	}
	c->insert_id = mysql_stmt_insert_id(stmt);
	rc = 0;
out:
	free(values);
	free(ints);
	free(lengths);
	free(indicators);
	return rc;
}

uint64_t
db_insert_id(const struct db_conn *c)
{
	return c->insert_id;
}

int
db_exec_plain(struct db_conn *c, const char *sql, struct db_error *err)
{
	err->code = 0;
	err->msg[0] = '\0';
	if (db_conn_ensure(c, err) < 0)
		return -1;
	if (mysql_real_query(c->mysql, sql, strlen(sql)) != 0) {
		set_mysql_error(err, c->mysql);
		after_error(c, err);
		return -1;
	}
	/* Discard any result set so the connection stays in sync. */
	MYSQL_RES *res = mysql_store_result(c->mysql);
	if (res != NULL)
		mysql_free_result(res);
	return 0;
}

static unsigned
random_u32(void)
{
	unsigned v = 0;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (unsigned)time(NULL);
	return v;
}

/* Sleeps 20 ms * 2^attempt (capped at 1 s), with up to half of it added as jitter so
 * nodes that collided do not collide again. */
static void
backoff(int attempt)
{
	long ms = 20L << (attempt < 6 ? attempt : 6);
	if (ms > 1000)
		ms = 1000;
	ms += (long)(random_u32() % (unsigned)(ms / 2 + 1));
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

int
db_autocommit(struct db_conn *c, db_tx_fn *fn, void *arg, struct db_error *err)
{
	for (int attempt = 0;; attempt++) {
		if (fn(c, arg, err) == 0)
			return 0;
		if (!db_error_retryable(err->code) || attempt + 1 >= TX_ATTEMPTS)
			return -1;
		atomic_fetch_add(&stat_retries, 1);
		backoff(attempt);
	}
}

/* db_tx and db_tx_opened: begin says whether START TRANSACTION is sent first. */
static int
tx_run(struct db_conn *c, db_tx_fn *fn, void *arg, bool begin, struct db_error *err)
{
	struct db_error ignored;

	for (int attempt = 0;; attempt++) {
		int rc = begin ? db_exec_plain(c, "START TRANSACTION", err) : 0;
		if (rc == 0)
			rc = fn(c, arg, err);
		if (rc == 0 && !begin && !(c->mysql->server_status & SERVER_STATUS_IN_TRANS)) {
			/* A body that promised to open the transaction and did not: its
			 * statements have committed one by one. A bug; say so loudly. */
			set_error(err, 0, "transaction body did not open a transaction");
			return -1;
		}
		if (rc == 0)
			rc = db_exec_plain(c, "COMMIT", err);
		if (rc == 0)
			return 0;
		if (c->mysql != NULL)
			db_exec_plain(c, "ROLLBACK", &ignored);
		if (!db_error_retryable(err->code) || attempt + 1 >= TX_ATTEMPTS)
			return -1;
		atomic_fetch_add(&stat_retries, 1);
		backoff(attempt);
	}
}

int
db_tx(struct db_conn *c, db_tx_fn *fn, void *arg, struct db_error *err)
{
	return tx_run(c, fn, arg, true, err);
}

int
db_tx_opened(struct db_conn *c, db_tx_fn *fn, void *arg, struct db_error *err)
{
	return tx_run(c, fn, arg, false, err);
}
