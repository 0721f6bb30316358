/*
 * db — one MariaDB connection and the only way the rest of the store runs SQL:
 * prepared statements (cached per connection), a row callback for results, and one
 * transaction helper that retries deadlocks, lock wait timeouts and Galera
 * certification failures with backoff, and reconnects after the server went away.
 *
 * A struct db_conn belongs to exactly one thread (a pool worker, the health checker or
 * the CLI); it is never shared.
 */
#ifndef GAMIGATE_STORE_DB_H
#define GAMIGATE_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db_settings {
	char *host;
	unsigned port;
	char *socket; /* NULL or "" = TCP */
	char *user;
	char *password;
	char *name;
	unsigned connect_timeout_s;
	unsigned read_timeout_s;
	unsigned write_timeout_s;
};

struct db_error {
	unsigned code; /* MariaDB error number, 0 for gamigate's own errors */
	char msg[256];
};

enum db_param_type { DB_NULL, DB_INT, DB_STR };

struct db_param {
	enum db_param_type type;
	long long i;
	const char *s;
	size_t len;
};

#define DB_PARAM_INT(v)                                                                            \
	(struct db_param)                                                                          \
	{                                                                                          \
		.type = DB_INT, .i = (v)                                                           \
	}
#define DB_PARAM_STR(v)                                                                            \
	(struct db_param)                                                                          \
	{                                                                                          \
		.type = DB_STR, .s = (v), .len = strlen(v)                                         \
	}

/* One result row: values as text (NULL for SQL NULL), lengths alongside. */
struct db_row {
	unsigned ncols;
	const char *const *values;
	const unsigned long *lengths;
};

/* Called once per row; return 0 to go on, -1 to stop with an error already set. */
typedef int db_row_fn(const struct db_row *row, void *arg);

struct db_conn;
struct config;

/* Deep-copies src into dst (NULL strings become ""); release with db_settings_clear. */
void db_settings_copy(struct db_settings *dst, const struct db_settings *src);
void db_settings_clear(struct db_settings *s);

/* Points settings at the [database] values of cfg (no copies: cfg must outlive it). */
void db_settings_from_config(const struct config *cfg, struct db_settings *settings_r);

/* Copies the settings; does not connect yet. */
struct db_conn *db_conn_new(const struct db_settings *settings);
void db_conn_free(struct db_conn *conn);

/* Connects if not connected. 0 ok, -1 with err set. */
int db_conn_ensure(struct db_conn *conn, struct db_error *err);
/* Drops the connection (and its statements); the next call reconnects. */
void db_conn_close(struct db_conn *conn);
/* The settings conn was made with (for a second connection of the same thread's work). */
const struct db_settings *db_conn_settings(const struct db_conn *conn);

/* Pings the server, reconnecting once if needed. 0 ok, -1 with err set. */
int db_conn_ping(struct db_conn *conn, struct db_error *err);

/* Runs sql with params as a prepared statement (cached per connection by text).
 * fn, if not NULL, is called for every result row. affected_r, if not NULL, receives the
 * affected-row count. 0 ok, -1 with err set. */
int db_exec(struct db_conn *conn, const char *sql, const struct db_param *params, size_t nparams,
            db_row_fn *fn, void *arg, uint64_t *affected_r, struct db_error *err);

/* Runs statements that cannot be prepared (DDL in migrations, locks). Never feed it
 * outside input. 0 ok, -1 with err set. */
int db_exec_plain(struct db_conn *conn, const char *sql, struct db_error *err);

/* Runs an INSERT (or UPDATE) once for each of nrows rows of ncols params in one round
 * trip (MariaDB array binding). params is row by row: params[row * ncols + col]; in one
 * column every row is a string or every row an integer (or NULL). Used only by
 * statements that run in bulk (the statement is cached by its text). Meant for a
 * transaction that is rolled back when it fails. 0 ok, -1 with err set. */
int db_exec_bulk(struct db_conn *conn, const char *sql, const struct db_param *params, size_t nrows,
                 size_t ncols, struct db_error *err);

/* The id the last db_exec on conn generated (AUTO_INCREMENT), or the value it gave
 * LAST_INSERT_ID(expr); 0 when none. No round trip. */
uint64_t db_insert_id(const struct db_conn *conn);

/* The body of one transaction: runs inside START TRANSACTION; returns 0 to commit,
 * -1 to roll back (with err set). It may run several times: keep it free of side
 * effects outside the database. */
typedef int db_tx_fn(struct db_conn *conn, void *arg, struct db_error *err);

/* Runs fn in a transaction, retrying deadlocks (1213, also Galera certification
 * failures), lock wait timeouts (1205) and lost connections with exponential backoff
 * and jitter, up to a few attempts. 0 committed, -1 with err set. */
int db_tx(struct db_conn *conn, db_tx_fn *fn, void *arg, struct db_error *err);

/* Like db_tx, but without the START TRANSACTION round trip: fn's first statement opens
 * the transaction itself (a procedure such as gg_inbound_begin). If fn returns 0
 * without a transaction open, that is reported as an error (its statements have
 * committed one by one). 0 committed, -1 with err set. */
int db_tx_opened(struct db_conn *conn, db_tx_fn *fn, void *arg, struct db_error *err);

/* Runs fn with each statement committing on its own (no START TRANSACTION / COMMIT
 * round trips), retrying like db_tx. Only for bodies whose single write is their last
 * statement, so that a retry never repeats a committed write. 0 ok, -1 with err set. */
int db_autocommit(struct db_conn *conn, db_tx_fn *fn, void *arg, struct db_error *err);

/* True for errors worth retrying the whole transaction for. */
bool db_error_retryable(unsigned code);
/* True for errors that mean the connection is gone. */
bool db_error_disconnected(unsigned code);

/* Process-wide counters (atomic): transaction retries and reconnects so far. */
uint64_t db_stat_retries(void);
uint64_t db_stat_reconnects(void);

/* Call once from the main thread before any thread connects, and once at exit. */
void db_library_init(void);
void db_library_end(void);
/* Each thread that uses a connection calls this before it exits. */
void db_thread_end(void);

#endif
