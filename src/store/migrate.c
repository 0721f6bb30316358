/*
 * migrate — applies the embedded SQL migrations and keeps schema_migrations.
 * Main thread only.
 */
#include "store/migrate.h"
#include "core/buf.h"
#include "core/xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define LOCK_NAME      "gamigate.migrate"
#define LOCK_TIMEOUT_S 60
#define MAX_KNOWN      4096

static const char create_table_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT UNSIGNED NOT NULL PRIMARY KEY,"
    " name VARCHAR(200) NOT NULL,"
    " checksum CHAR(16) NOT NULL,"
    " applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
    " applied_by VARCHAR(200) NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

int
migrate_latest(void)
{
	return migrations_builtin_count > 0
	           ? migrations_builtin[migrations_builtin_count - 1].version
	           : 0;
}

void
migrate_checksum(const char *sql, char out[17])
{
	uint64_t h = 14695981039346656037ULL;
	for (const unsigned char *p = (const unsigned char *)sql; *p != '\0'; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

int
migrate_split(const char *sql, int (*fn)(const char *stmt, void *arg), void *arg)
{
	struct buf stmt = BUF_INIT;
	int count = 0;
	const char *p = sql;
	char delim[9] = ";"; /* "DELIMITER //" changes it, as in the mysql client */
	size_t dlen = 1;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		const char *line = p;
		p += len + (nl != NULL ? 1 : 0);

		size_t start = 0;
		while (start < len && (line[start] == ' ' || line[start] == '\t'))
			start++;
		if (len - start >= 2 && line[start] == '-' && line[start + 1] == '-')
			continue;
		size_t end = len;
		while (end > start &&
		       (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r'))
			end--;
		if (end == start)
			continue;
		if (stmt.len == 0 && end - start > 10 &&
		    strncasecmp(line + start, "DELIMITER ", 10) == 0) {
			size_t d = start + 10;
			while (d < end && line[d] == ' ')
				d++;
			if (end - d == 0 || end - d >= sizeof(delim)) {
				buf_free(&stmt);
				return -1;
			}
			memcpy(delim, line + d, end - d);
			delim[end - d] = '\0';
			dlen = end - d;
			continue;
		}
		bool last = end - start >= dlen && memcmp(line + end - dlen, delim, dlen) == 0;
		if (stmt.len > 0)
			buf_putc(&stmt, '\n');
		buf_append(&stmt, line, last ? end - dlen : end);
		if (last) {
			if (stmt.len > 0) {
				count++;
				if (fn != NULL && fn(buf_cstr(&stmt), arg) < 0) {
					buf_free(&stmt);
					return -1;
				}
			}
			buf_reset(&stmt);
		}
	}
	if (stmt.len > 0) {
		/* A final statement without ';' still counts. */
		count++;
		if (fn != NULL && fn(buf_cstr(&stmt), arg) < 0)
			count = -1;
	}
	buf_free(&stmt);
	return count;
}

struct applied {
	int version;
	char name[201];
	char checksum[17];
	char applied_at[40];
};

struct applied_list {
	struct applied *items;
	size_t n;
};

static int
collect_applied(const struct db_row *row, void *arg)
{
	struct applied_list *l = arg;
	if (l->n >= MAX_KNOWN)
		return 0;
	struct applied *a = &l->items[l->n++];
	a->version = (int)strtol(row->values[0], NULL, 10);
	snprintf(a->name, sizeof(a->name), "%s", row->values[1] ? row->values[1] : "");
	snprintf(a->checksum, sizeof(a->checksum), "%s", row->values[2] ? row->values[2] : "");
	snprintf(a->applied_at, sizeof(a->applied_at), "%s", row->values[3] ? row->values[3] : "");
	return 0;
}

static int
table_exists_row(const struct db_row *row, void *arg)
{
	(void)row;
	*(bool *)arg = true;
	return 0;
}

/* Loads schema_migrations (empty when the table does not exist). */
static int
load_applied(struct db_conn *conn, struct applied_list *l, struct db_error *err)
{
	bool exists = false;
	l->n = 0;
	if (db_exec(conn,
	            "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
	            " AND TABLE_NAME = 'schema_migrations'",
	            NULL, 0, table_exists_row, &exists, NULL, err) < 0)
		return -1;
	if (!exists)
		return 0;
	return db_exec(
	    conn,
	    "SELECT version, name, checksum, DATE_FORMAT(applied_at, '%Y-%m-%d %H:%i:%sZ')"
	    " FROM schema_migrations ORDER BY version",
	    NULL, 0, collect_applied, l, NULL, err);
}

int
migrate_current(struct db_conn *conn, int *version_r, struct db_error *err)
{
	struct applied_list l = {xcalloc(MAX_KNOWN, sizeof(struct applied)), 0};
	int rc = load_applied(conn, &l, err);
	if (rc == 0)
		*version_r = l.n > 0 ? l.items[l.n - 1].version : 0;
	free(l.items);
	return rc;
}

static const struct migration *
builtin_find(int version)
{
	for (size_t i = 0; i < migrations_builtin_count; i++) {
		if (migrations_builtin[i].version == version)
			return &migrations_builtin[i];
	}
	return NULL;
}

/* Checks what is applied against what this binary knows. 0 ok, -1 with err set. */
static int
check_applied(const struct applied_list *l, struct db_error *err)
{
	int latest = migrate_latest();
	for (size_t i = 0; i < l->n; i++) {
		const struct applied *a = &l->items[i];
		const struct migration *m = builtin_find(a->version);
		char sum[17];
		if (a->version > latest) {
			err->code = 0;
			snprintf(err->msg, sizeof(err->msg),
			         "the database schema is at version %d (%.60s), newer than the %d "
			         "this gamigate knows; run a newer gamigate against this database",
			         l->items[l->n - 1].version, l->items[l->n - 1].name, latest);
			return -1;
		}
		if (m == NULL)
			continue;
		migrate_checksum(m->sql, sum);
		if (strcmp(sum, a->checksum) != 0) {
			err->code = 0;
			snprintf(
			    err->msg, sizeof(err->msg),
			    "migration %.60s was applied with different text (checksum %s, this "
			    "binary has %s); migrations must never change once released",
			    m->name, a->checksum, sum);
			return -1;
		}
	}
	return 0;
}

static int
lock_row(const struct db_row *row, void *arg)
{
	*(int *)arg = row->values[0] != NULL ? (int)strtol(row->values[0], NULL, 10) : 0;
	return 0;
}

static int
run_statement(const char *stmt, void *arg)
{
	struct db_conn *conn = ((void **)arg)[0];
	struct db_error *err = ((void **)arg)[1];
	return db_exec_plain(conn, stmt, err);
}

static int
apply_one(struct db_conn *conn, const struct migration *m, struct db_error *err)
{
	struct db_error ignored;
	char sum[17];
	char host[128] = "";
	char by[200];
	void *ctx[2] = {conn, err};

	migrate_checksum(m->sql, sum);
	gethostname(host, sizeof(host) - 1);
	snprintf(by, sizeof(by), "%s pid %ld", host, (long)getpid());
	if (db_exec_plain(conn, "START TRANSACTION", err) < 0)
		return -1;
	if (migrate_split(m->sql, run_statement, ctx) < 0)
		goto fail;
	struct db_param p[] = {DB_PARAM_INT(m->version), DB_PARAM_STR(m->name), DB_PARAM_STR(sum),
	                       DB_PARAM_STR(by)};
	if (db_exec(conn,
	            "INSERT INTO schema_migrations (version, name, checksum, applied_by)"
	            " VALUES (?, ?, ?, ?)",
	            p, 4, NULL, NULL, NULL, err) < 0)
		goto fail;
	if (db_exec_plain(conn, "COMMIT", err) < 0)
		goto fail;
	return 0;
fail:
	db_exec_plain(conn, "ROLLBACK", &ignored);
	{
		char inner[sizeof(err->msg)];
		snprintf(inner, sizeof(inner), "%s", err->msg);
		snprintf(err->msg, sizeof(err->msg), "migration %s failed: %.200s", m->name, inner);
	}
	return -1;
}

bool
migrate_server_supported(const char *version)
{
	unsigned major = 0, minor = 0;
	if (version == NULL || strstr(version, "MariaDB") == NULL ||
	    sscanf(version, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 10 || (major == 10 && minor >= 6);
}

static int
version_row(const struct db_row *row, void *arg)
{
	snprintf(arg, 128, "%s", row->ncols == 1 && row->values[0] != NULL ? row->values[0] : "");
	return 0;
}

/* Refuses a server gamigate's SQL does not run on, saying what is needed. */
static int
check_server(struct db_conn *conn, struct db_error *err)
{
	char version[128] = "";
	if (db_exec(conn, "SELECT VERSION()", NULL, 0, version_row, version, NULL, err) < 0)
		return -1;
	if (migrate_server_supported(version))
		return 0;
	err->code = 0;
	snprintf(err->msg, sizeof(err->msg),
	         "the database server is \"%s\"; gamigate needs MariaDB 10.6 or later (Debian 12"
	         " ships 10.11: apt-get install mariadb-server)",
	         version);
	return -1;
}

int
migrate_apply(struct db_conn *conn, FILE *progress, struct db_error *err)
{
	struct applied_list l = {xcalloc(MAX_KNOWN, sizeof(struct applied)), 0};
	struct db_error ignored;
	int got = 0, rc = -1, applied = 0;
	struct db_param lp[] = {DB_PARAM_STR(LOCK_NAME), DB_PARAM_INT(LOCK_TIMEOUT_S)};

	if (check_server(conn, err) < 0 ||
	    db_exec(conn, "SELECT GET_LOCK(?, ?)", lp, 2, lock_row, &got, NULL, err) < 0)
		goto out_free;
	if (got != 1) {
		err->code = 0;
		snprintf(err->msg, sizeof(err->msg),
		         "another gamigate is migrating this database (lock %s held for more "
		         "than %d s); try again when it is done",
		         LOCK_NAME, LOCK_TIMEOUT_S);
		goto out_free;
	}
	if (db_exec_plain(conn, create_table_sql, err) < 0 || load_applied(conn, &l, err) < 0 ||
	    check_applied(&l, err) < 0)
		goto out;
	int current = l.n > 0 ? l.items[l.n - 1].version : 0;
	for (size_t i = 0; i < migrations_builtin_count; i++) {
		const struct migration *m = &migrations_builtin[i];
		bool done = false;
		for (size_t j = 0; j < l.n && !done; j++)
			done = l.items[j].version == m->version;
		if (done)
			continue;
		if (progress != NULL)
			fprintf(progress, "applying %s ... ", m->name);
		if (apply_one(conn, m, err) < 0) {
			if (progress != NULL)
				fprintf(progress, "failed\n");
			goto out;
		}
		if (progress != NULL)
			fprintf(progress, "ok\n");
		applied++;
		current = m->version;
	}
	if (progress != NULL) {
		if (applied == 0)
			fprintf(progress, "schema is up to date (version %d)\n", current);
		else
			fprintf(progress, "applied %d migration%s; schema is at version %d\n",
			        applied, applied == 1 ? "" : "s", current);
	}
	rc = 0;
out : {
	struct db_param rp[] = {DB_PARAM_STR(LOCK_NAME)};
	db_exec(conn, "SELECT RELEASE_LOCK(?)", rp, 1, NULL, NULL, NULL, &ignored);
}
out_free:
	free(l.items);
	return rc;
}

int
migrate_status(struct db_conn *conn, FILE *out, struct db_error *err)
{
	struct applied_list l = {xcalloc(MAX_KNOWN, sizeof(struct applied)), 0};
	int pending = 0;

	if (load_applied(conn, &l, err) < 0) {
		free(l.items);
		return -1;
	}
	for (size_t i = 0; i < migrations_builtin_count; i++) {
		const struct migration *m = &migrations_builtin[i];
		const struct applied *a = NULL;
		char sum[17];
		for (size_t j = 0; j < l.n && a == NULL; j++) {
			if (l.items[j].version == m->version)
				a = &l.items[j];
		}
		migrate_checksum(m->sql, sum);
		if (a == NULL) {
			fprintf(out, "pending   %s\n", m->name);
			pending++;
		} else if (strcmp(a->checksum, sum) != 0) {
			fprintf(out, "CHANGED   %s (applied %s with checksum %s, binary has %s)\n",
			        m->name, a->applied_at, a->checksum, sum);
		} else {
			fprintf(out, "applied   %s (%s)\n", m->name, a->applied_at);
		}
	}
	for (size_t j = 0; j < l.n; j++) {
		if (builtin_find(l.items[j].version) == NULL)
			fprintf(out, "UNKNOWN   %s (version %d is not in this binary)\n",
			        l.items[j].name, l.items[j].version);
	}
	int current = l.n > 0 ? l.items[l.n - 1].version : 0;
	fprintf(out, "database schema version %d; this binary knows up to %d", current,
	        migrate_latest());
	if (current > migrate_latest())
		fprintf(out, " -- the database is newer: run a newer gamigate\n");
	else if (pending > 0)
		fprintf(out, " -- %d pending: run gamigate migrate\n", pending);
	else
		fprintf(out, "\n");
	free(l.items);
	return 0;
}
