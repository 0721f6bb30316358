/*
 * testdb — integration tests' access to the private MariaDB the ctest fixture started:
 * each test creates its own database (unique name), so tests can run in parallel.
 */
#ifndef GAMIGATE_TESTS_TESTDB_H
#define GAMIGATE_TESTS_TESTDB_H

#include "store/db.h"

/* Creates a fresh database named gg_<tag>_<pid>_<n> and fills settings_r to reach it
 * (strings owned by testdb until testdb_drop). Exits the test with a message when the
 * fixture's server cannot be reached. */
void testdb_create(const char *tag, struct db_settings *settings_r);
/* Drops the database created by testdb_create and frees the settings' strings. */
void testdb_drop(struct db_settings *settings);
/* Runs one SQL statement (no results) on the server as the test user; aborts on error. */
void testdb_sql(const struct db_settings *settings, const char *sql);

/* testdb_create, a connection to it and every migration applied (a failure is
 * printed; the test's own checks then fail). The caller frees the connection. */
struct db_conn *testdb_migrated(const char *tag, struct db_settings *settings_r);
/* The first column of the first row of sql as an integer: -1 for NULL, -999 when the
 * statement failed (printed) or gave no row. */
long long testdb_value(struct db_conn *conn, const char *sql);
/* Runs sql (no results); a failure is printed. */
void testdb_exec(struct db_conn *conn, const char *sql);

#endif
