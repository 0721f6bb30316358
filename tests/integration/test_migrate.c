/*
 * Integration: migrations against the real private MariaDB — from empty, re-run is a
 * no-op, a newer schema is refused, altered text is refused, two nodes migrating at
 * once apply each migration exactly once.
 */
#include "check.h"
#include "store/db.h"
#include "store/migrate.h"
#include "testdb.h"

#include <pthread.h>
#include <stdlib.h>

static int
count_row(const struct db_row *row, void *arg)
{
	*(long *)arg = strtol(row->values[0], NULL, 10);
	return 0;
}

static long
count_of(struct db_conn *c, const char *sql)
{
	struct db_error err = {0};
	long n = -1;
	if (db_exec(c, sql, NULL, 0, count_row, &n, NULL, &err) < 0)
		fprintf(stderr, "%s: %s\n", sql, err.msg);
	return n;
}

static void
test_from_empty_and_rerun(void)
{
	struct db_settings s;
	struct db_error err = {0};
	int version = -1;
	char *out = NULL;
	size_t outlen = 0;

	testdb_create("mig_empty", &s);
	struct db_conn *c = db_conn_new(&s);
	CHECK(migrate_current(c, &version, &err) == 0);
	CHECK(version == 0);

	FILE *fp = open_memstream(&out, &outlen);
	CHECK(migrate_apply(c, fp, &err) == 0);
	fclose(fp);
	CHECK_CONTAINS(out, "applying 0001_nodes ... ok");
	free(out);
	CHECK(migrate_current(c, &version, &err) == 0);
	CHECK(version == migrate_latest());
	CHECK(count_of(c, "SELECT COUNT(*) FROM schema_migrations") ==
	      (long)migrations_builtin_count);
	CHECK(count_of(c, "SELECT COUNT(*) FROM nodes") == 0);

	/* Again: nothing applied, nothing changed. */
	fp = open_memstream(&out, &outlen);
	CHECK(migrate_apply(c, fp, &err) == 0);
	fclose(fp);
	CHECK_CONTAINS(out, "schema is up to date");
	free(out);
	CHECK(count_of(c, "SELECT COUNT(*) FROM schema_migrations") ==
	      (long)migrations_builtin_count);

	fp = open_memstream(&out, &outlen);
	CHECK(migrate_status(c, fp, &err) == 0);
	fclose(fp);
	CHECK_CONTAINS(out, "applied   0001_nodes");
	CHECK(strstr(out, "pending") == NULL);
	free(out);

	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_newer_schema_refused(void)
{
	struct db_settings s;
	struct db_error err = {0};
	char *out = NULL;
	size_t outlen = 0;

	testdb_create("mig_newer", &s);
	struct db_conn *c = db_conn_new(&s);
	CHECK(migrate_apply(c, NULL, &err) == 0);
	CHECK(db_exec_plain(c,
	                    "INSERT INTO schema_migrations (version, name, checksum, applied_by)"
	                    " VALUES (9999, '9999_from_the_future', '0000000000000000', 'test')",
	                    &err) == 0);
	CHECK(migrate_apply(c, NULL, &err) == -1);
	CHECK_CONTAINS(err.msg, "version 9999");
	CHECK_CONTAINS(err.msg, "run a newer gamigate");
	FILE *fp = open_memstream(&out, &outlen);
	CHECK(migrate_status(c, fp, &err) == 0);
	fclose(fp);
	CHECK_CONTAINS(out, "UNKNOWN   9999_from_the_future");
	CHECK_CONTAINS(out, "the database is newer");
	free(out);
	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_altered_migration_refused(void)
{
	struct db_settings s;
	struct db_error err = {0};

	testdb_create("mig_altered", &s);
	struct db_conn *c = db_conn_new(&s);
	CHECK(migrate_apply(c, NULL, &err) == 0);
	CHECK(db_exec_plain(c,
	                    "UPDATE schema_migrations SET checksum = 'ffffffffffffffff'"
	                    " WHERE version = 1",
	                    &err) == 0);
	CHECK(migrate_apply(c, NULL, &err) == -1);
	CHECK_CONTAINS(err.msg, "0001_nodes was applied with different text");
	db_conn_free(c);
	testdb_drop(&s);
}

static void *
migrate_thread(void *arg)
{
	struct db_error err = {0};
	struct db_conn *c = db_conn_new(arg);
	long rc = migrate_apply(c, NULL, &err);
	if (rc != 0)
		fprintf(stderr, "concurrent migrate: %s\n", err.msg);
	db_conn_free(c);
	db_thread_end();
	return (void *)rc;
}

static void
test_concurrent_nodes_migrate_once(void)
{
	struct db_settings s;
	pthread_t t[4];
	void *rc;

	testdb_create("mig_conc", &s);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, migrate_thread, &s);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], &rc);
		CHECK(rc == (void *)0);
	}
	struct db_conn *c = db_conn_new(&s);
	CHECK(count_of(c, "SELECT COUNT(*) FROM schema_migrations") ==
	      (long)migrations_builtin_count);
	db_conn_free(c);
	testdb_drop(&s);
}

int
main(void)
{
	db_library_init();
	RUN(test_from_empty_and_rerun);
	RUN(test_newer_schema_refused);
	RUN(test_altered_migration_refused);
	RUN(test_concurrent_nodes_migrate_once);
	db_library_end();
	return check_summary();
}
