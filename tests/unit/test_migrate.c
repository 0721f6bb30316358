/*
 * test_migrate — the pure parts of src/store/migrate.c: splitting migration text into
 * statements, the checksum, and the table of embedded migrations. No database.
 */
#include "store/migrate.h"

#include "check.h"

#include <stdlib.h>
#include <string.h>

#define MAX_STMTS 16

struct collected {
	char *stmts[MAX_STMTS];
	int n;
	int fail_at; /* return -1 on this call (1-based); 0 = never */
};

static int
collect(const char *stmt, void *arg)
{
	struct collected *c = arg;
	if (c->n < MAX_STMTS)
		c->stmts[c->n] = strdup(stmt);
	c->n++;
	return c->fail_at != 0 && c->n == c->fail_at ? -1 : 0;
}

static void
collected_free(struct collected *c)
{
	for (int i = 0; i < c->n && i < MAX_STMTS; i++)
		free(c->stmts[i]);
}

static const struct {
	const char *name;
	const char *sql;
	int count;
	const char *stmts[4];
} split_cases[] = {
    {"two statements on several lines",
     "CREATE TABLE a (\n  id INT\n);\nCREATE TABLE b (\n  id INT\n);\n",
     2,
     {"CREATE TABLE a (\n  id INT\n)", "CREATE TABLE b (\n  id INT\n)"}},
    {"comment lines skipped, also indented",
     "-- header comment\nCREATE TABLE a (\n  -- the key\n  id INT\n);\n\t-- trailer\n",
     1,
     {"CREATE TABLE a (\n  id INT\n)"}},
    {"blank lines", "\n\nSELECT 1;\n\n   \n\t\nSELECT 2;\n\n", 2, {"SELECT 1", "SELECT 2"}},
    {"final statement without ';'", "SELECT 1;\nSELECT 2", 2, {"SELECT 1", "SELECT 2"}},
    {"CRLF line ends",
     "SELECT 1;\r\nCREATE TABLE a (\r\n  id INT\r\n);\r\n",
     2,
     {"SELECT 1", "CREATE TABLE a (\n  id INT\n)"}},
    {"';' in the middle of a line does not split",
     "INSERT INTO t VALUES ('a;b');\nSELECT 1; SELECT 2;\n",
     2,
     {"INSERT INTO t VALUES ('a;b')", "SELECT 1; SELECT 2"}},
    {"';' mid-line then more lines",
     "UPDATE t SET x = 'a;' WHERE\n  y = 1;\n",
     1,
     {"UPDATE t SET x = 'a;' WHERE\n  y = 1"}},
    {"trailing spaces after ';'", "SELECT 1;   \t\nSELECT 2;", 2, {"SELECT 1", "SELECT 2"}},
    {"DELIMITER for a procedure body, then back",
     "DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND //\n"
     "DELIMITER ;\nSELECT 3;\n",
     2,
     {"CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND ", "SELECT 3"}},
    {"lower-case delimiter line, mark of two characters",
     "delimiter $$\nSELECT 1;$$\ndelimiter ;\n",
     1,
     {"SELECT 1;"}},
    {"empty text", "", 0, {NULL}},
    {"only comments and blanks", "-- a\n\n  -- b\n", 0, {NULL}},
};

static void
test_split_table(void)
{
	for (size_t i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		struct collected c = {.n = 0};
		int rc = migrate_split(split_cases[i].sql, collect, &c);
		if (rc != split_cases[i].count || c.n != split_cases[i].count)
			fprintf(stderr, "  case \"%s\": rc %d, calls %d, expected %d\n",
			        split_cases[i].name, rc, c.n, split_cases[i].count);
		CHECK(rc == split_cases[i].count);
		CHECK(c.n == split_cases[i].count);
		for (int j = 0; j < split_cases[i].count && j < c.n; j++)
			CHECK_STR(c.stmts[j], split_cases[i].stmts[j]);
		collected_free(&c);
	}
}

static void
test_split_bad_delimiter(void)
{
	CHECK(migrate_split("DELIMITER 123456789\nSELECT 1;\n", NULL, NULL) == -1);
}

static void
test_split_without_callback(void)
{
	CHECK(migrate_split("SELECT 1;\nSELECT 2;\nSELECT 3", NULL, NULL) == 3);
}

static void
test_split_callback_stops(void)
{
	const char *sql = "SELECT 1;\nSELECT 2;\nSELECT 3;\n";
	struct collected c = {.fail_at = 2};
	CHECK(migrate_split(sql, collect, &c) == -1);
	CHECK(c.n == 2); /* the third statement is never handed over */
	collected_free(&c);

	/* A failure on the final statement without ';' is reported too. */
	struct collected d = {.fail_at = 2};
	CHECK(migrate_split("SELECT 1;\nSELECT 2", collect, &d) == -1);
	CHECK(d.n == 2);
	collected_free(&d);

	struct collected e = {.fail_at = 1};
	CHECK(migrate_split(sql, collect, &e) == -1);
	CHECK(e.n == 1);
	collected_free(&e);
}

static int
is_lower_hex(const char *s)
{
	for (; *s != '\0'; s++) {
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	}
	return 1;
}

static void
test_checksum(void)
{
	char a[17], b[17], c[17], d[17];

	/* Published 64-bit FNV-1a test vectors. */
	migrate_checksum("", a);
	CHECK_STR(a, "cbf29ce484222325");
	migrate_checksum("a", a);
	CHECK_STR(a, "af63dc4c8601ec8c");
	migrate_checksum("foobar", a);
	CHECK_STR(a, "85944171f73967e8");

	migrate_checksum("CREATE TABLE a (id INT);", a);
	migrate_checksum("CREATE TABLE a (id INT);", b);
	migrate_checksum("CREATE TABLE a (id INT); ", c);
	migrate_checksum("CREATE TABLE b (id INT);", d);
	CHECK(strlen(a) == 16);
	CHECK(is_lower_hex(a));
	CHECK_STR(a, b);
	CHECK(strcmp(a, c) != 0);
	CHECK(strcmp(a, d) != 0);
	for (size_t i = 0; i < migrations_builtin_count; i++) {
		migrate_checksum(migrations_builtin[i].sql, a);
		CHECK(strlen(a) == 16 && is_lower_hex(a));
	}
}

static void
test_builtin_table(void)
{
	CHECK(migrations_builtin_count >= 1);
	if (migrations_builtin_count == 0)
		return;
	for (size_t i = 0; i < migrations_builtin_count; i++) {
		const struct migration *m = &migrations_builtin[i];
		char prefix[8];
		CHECK(m->version >= 1);
		CHECK(m->name != NULL && m->sql != NULL);
		if (m->name == NULL || m->sql == NULL)
			continue;
		if (i > 0)
			CHECK(m->version > migrations_builtin[i - 1].version);
		snprintf(prefix, sizeof(prefix), "%04d_", m->version);
		if (strncmp(m->name, prefix, 5) != 0)
			fprintf(stderr, "  migration %s does not start with %s\n", m->name, prefix);
		CHECK(strncmp(m->name, prefix, 5) == 0);
		/* Every migration holds at least one statement. */
		CHECK(migrate_split(m->sql, NULL, NULL) >= 1);
	}
	CHECK(migrate_latest() == migrations_builtin[migrations_builtin_count - 1].version);
	CHECK(migrate_latest() >= 1);
}

static void
test_server_supported(void)
{
	CHECK(migrate_server_supported("10.11.6-MariaDB-0+deb12u1"));
	CHECK(migrate_server_supported("10.6.0-MariaDB"));
	CHECK(migrate_server_supported("11.4.2-MariaDB-log"));
	CHECK(!migrate_server_supported("10.5.23-MariaDB-0+deb11u1"));
	CHECK(!migrate_server_supported("10.3.39-MariaDB"));
	CHECK(!migrate_server_supported("8.0.36")); /* MySQL: other SQL */
	CHECK(!migrate_server_supported(""));
	CHECK(!migrate_server_supported(NULL));
	CHECK(!migrate_server_supported("MariaDB"));
}

int
main(void)
{
	RUN(test_split_table);
	RUN(test_split_bad_delimiter);
	RUN(test_split_without_callback);
	RUN(test_split_callback_stops);
	RUN(test_checksum);
	RUN(test_builtin_table);
	RUN(test_server_supported);
	return check_summary();
}
