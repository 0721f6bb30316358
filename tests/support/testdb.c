/*
 * testdb — fresh databases on the fixture's private MariaDB for integration tests.
 */
#include "testdb.h"
#include "core/xalloc.h"
#include "store/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static char *
socket_path(void)
{
	const char *file = getenv("GAMIGATE_TEST_DB_SOCKET_FILE");
	char line[512];
	FILE *fp;

	if (file == NULL) {
		fprintf(stderr, "GAMIGATE_TEST_DB_SOCKET_FILE is not set: run this test through "
		                "ctest (its db fixture starts the private MariaDB)\n");
		exit(1);
	}
	fp = fopen(file, "r");
	if (fp == NULL || fgets(line, sizeof(line), fp) == NULL) {
		fprintf(stderr, "%s: cannot read the socket path; did the db_start fixture run?\n",
		        file);
		exit(1);
	}
	fclose(fp);
	line[strcspn(line, "\n")] = '\0';
	return xstrdup(line);
}

void
testdb_sql(const struct db_settings *s, const char *sql)
{
	struct db_settings server = *s;
	struct db_error err = {0};
	server.name = (char *)"";
	struct db_conn *c = db_conn_new(&server);
	if (db_exec_plain(c, sql, &err) < 0) {
		fprintf(stderr, "testdb: %s: %s\n", sql, err.msg);
		exit(1);
	}
	db_conn_free(c);
}

void
testdb_create(const char *tag, struct db_settings *s)
{
	unsigned r = 0;
	char sql[256];

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = 0;
	memset(s, 0, sizeof(*s));
	s->socket = socket_path();
	s->host = xstrdup("localhost");
	s->user = xstrdup("gamigate");
	s->password = xstrdup("gamigate");
	s->name = xasprintf("gg_%s_%ld_%u", tag, (long)getpid(), r % 100000);
	s->connect_timeout_s = 5;
	s->read_timeout_s = 30;
	s->write_timeout_s = 30;
	snprintf(sql, sizeof(sql), "CREATE DATABASE `%s` CHARACTER SET utf8mb4", s->name);
	testdb_sql(s, sql);
}

void
testdb_drop(struct db_settings *s)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS `%s`", s->name);
	testdb_sql(s, sql);
	free(s->socket);
	free(s->host);
	free(s->user);
	free(s->password);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

struct db_conn *
testdb_migrated(const char *tag, struct db_settings *s)
{
	struct db_error err = {0};
	testdb_create(tag, s);
	struct db_conn *c = db_conn_new(s);
	if (migrate_apply(c, NULL, &err) < 0)
		fprintf(stderr, "migrate: %s\n", err.msg);
	return c;
}

static int
value_row(const struct db_row *row, void *arg)
{
	*(long long *)arg = row->values[0] != NULL ? strtoll(row->values[0], NULL, 10) : -1;
	return 0;
}

long long
testdb_value(struct db_conn *c, const char *sql)
{
	struct db_error err = {0};
	long long n = -999;
	if (db_exec(c, sql, NULL, 0, value_row, &n, NULL, &err) < 0)
		fprintf(stderr, "%s: %s\n", sql, err.msg);
	return n;
}

void
testdb_exec(struct db_conn *c, const char *sql)
{
	struct db_error err = {0};
	if (db_exec_plain(c, sql, &err) < 0)
		fprintf(stderr, "%s: %s\n", sql, err.msg);
}
