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

#endif
