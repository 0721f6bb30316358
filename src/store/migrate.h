/*
 * migrate — versioned SQL migrations compiled into the binary (src/store/migrations/
 * NNNN_name.sql, embedded at build time), applied in order and recorded in the
 * schema_migrations table with a checksum of their text.
 *
 * MariaDB commits DDL implicitly, so "one transaction each" holds for the bookkeeping
 * and any data statements; migrations are therefore written to be re-runnable
 * (CREATE TABLE IF NOT EXISTS, ADD COLUMN IF NOT EXISTS). A named lock (GET_LOCK) keeps
 * two nodes from migrating at the same time. Main thread only (CLI and serve start-up).
 */
#ifndef GAMIGATE_STORE_MIGRATE_H
#define GAMIGATE_STORE_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store/db.h"

struct migration {
	int version;
	const char *name; /* file name without the .sql */
	const char *sql;
};

/* The migrations this binary knows, ordered by version (generated at build time). */
extern const struct migration migrations_builtin[];
extern const size_t migrations_builtin_count;

/* The newest schema version this binary knows. */
int migrate_latest(void);

/* Reads the database's schema version into version_r (0 for an empty database).
 * 0 ok, -1 with err set. */
int migrate_current(struct db_conn *conn, int *version_r, struct db_error *err);

/* Applies every pending migration, one line of progress each on progress (may be
 * NULL). Refuses a database whose schema is newer than this binary or whose applied
 * migrations differ from the binary's text. 0 ok (also when nothing was pending),
 * -1 with err set. */
int migrate_apply(struct db_conn *conn, FILE *progress, struct db_error *err);

/* Writes one line per migration: applied (when, checksum) or pending, and unknown
 * versions found in the database. 0 ok, -1 with err set. */
int migrate_status(struct db_conn *conn, FILE *out, struct db_error *err);

/* Whether the server's VERSION() text names a MariaDB gamigate runs on: 10.6 or later
 * (JSON_TABLE, SKIP LOCKED). Pure. */
bool migrate_server_supported(const char *version);

/* Splits migration text into statements: a statement ends with ';' at the end of a
 * line; lines starting with "--" are comments. A line "DELIMITER //" between
 * statements makes "//" the end mark instead (for stored procedures, whose bodies hold
 * ';'), as in the mysql client. Calls fn for each statement (a NUL-terminated copy).
 * Returns the number of statements, or -1 if fn failed or a DELIMITER line is empty or
 * longer than 8 characters. */
int migrate_split(const char *sql, int (*fn)(const char *stmt, void *arg), void *arg);

/* 64-bit FNV-1a of the text, as 16 hex digits into out[17]. */
void migrate_checksum(const char *sql, char out[17]);

#endif
