/*
 * subscribers — SQL for the subscribers table. Worker threads.
 */
#include "store/subscribers.h"
#include "core/buf.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUBSCRIBER_COLUMNS                                                                         \
	"id, msisdn, COALESCE(lang, ''), joined_at IS NOT NULL, opted_out_at IS NOT NULL,"         \
	" points, chances, COALESCE(tier, '')"

/* The SUBSCRIBER_COLUMNS of a row, from v[0] on, into s (which then exists). */
static void
fill_subscriber(const char *const *v, struct subscriber *s)
{
	s->exists = 1;
	s->id = strtoll(v[0], NULL, 10);
	snprintf(s->msisdn, sizeof(s->msisdn), "%s", v[1]);
	snprintf(s->lang, sizeof(s->lang), "%s", v[2]);
	s->member = v[3][0] == '1';
	s->opted_out = v[4][0] == '1';
	s->points = strtoll(v[5], NULL, 10);
	s->chances = strtoll(v[6], NULL, 10);
	snprintf(s->tier, sizeof(s->tier), "%s", v[7]);
}

static int
subscriber_row(const struct db_row *row, void *arg)
{
	fill_subscriber(row->values, arg);
	return 0;
}

struct begin_out {
	struct subscriber *s;
	long *recent;
	int rows;
};

static int
begin_row(const struct db_row *row, void *arg)
{
	struct begin_out *o = arg;
	if (row->ncols != 10) {
		return -1;
	}
	o->rows++;
	*o->recent = strtol(row->values[0], NULL, 10);
	if (row->values[1][0] == '1')
		fill_subscriber(row->values + 2, o->s);
	return 0;
}

#define BEGIN_COLUMNS                                                                              \
	"(SELECT COUNT(*) FROM inbound_messages WHERE msisdn = ?"                                  \
	" AND received_at > UTC_TIMESTAMP(6) - INTERVAL ? SECOND),"                                \
	" s.id IS NOT NULL, COALESCE(s.id, 0), COALESCE(s.msisdn, ''), COALESCE(s.lang, ''),"      \
	" s.joined_at IS NOT NULL, s.opted_out_at IS NOT NULL, COALESCE(s.points, 0),"             \
	" COALESCE(s.chances, 0), COALESCE(s.tier, '')"

int
subscribers_begin(struct db_conn *conn, const char *msisdn, long window_s,
                  enum subscribers_begin_mode mode, struct subscriber *s, long *recent_r,
                  struct db_error *err)
{
	struct begin_out out = {s, recent_r, 0};
	struct db_param p[] = {DB_PARAM_STR(msisdn), DB_PARAM_INT(window_s), DB_PARAM_STR(msisdn)};

	memset(s, 0, sizeof(*s));
	*recent_r = 0;
	switch (mode) {
	case SUBSCRIBERS_READ:
		/* A plain statement: a procedure call costs the server more than the round trip
		 * it saves (bench/README.md). */
		if (db_exec(conn,
		            "SELECT " BEGIN_COLUMNS
		            " FROM (SELECT 1 AS one) d LEFT JOIN subscribers s ON s.msisdn = ?",
		            p, 3, begin_row, &out, NULL, err) < 0)
			return -1;
		break;
	case SUBSCRIBERS_BEGIN_LOCK: {
		struct db_param c[] = {DB_PARAM_STR(msisdn), DB_PARAM_INT(window_s),
		                       DB_PARAM_INT(1)};
		if (db_exec(conn, "CALL gg_inbound_begin(?, ?, ?)", c, 3, begin_row, &out, NULL,
		            err) < 0)
			return -1;
		break;
	}
	case SUBSCRIBERS_LOCK:
		/* Inside the caller's transaction (READ COMMITTED, see db.c: the count sees what
		 * committed before it, whenever the lock was granted). A number seen for the
		 * first time gets its row first. */
		for (int attempt = 0; attempt < 2 && !s->exists; attempt++) {
			if (attempt == 1 &&
			    db_exec(conn,
			            "INSERT INTO subscribers (msisdn, created_at, updated_at)"
			            " VALUES (?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))"
			            " ON DUPLICATE KEY UPDATE id = id",
			            p, 1, NULL, NULL, NULL, err) < 0)
				return -1;
			out.rows = 0;
			if (db_exec(conn,
			            "SELECT " BEGIN_COLUMNS " FROM (SELECT 1 AS one) d LEFT JOIN"
			            " subscribers s ON s.msisdn = ? FOR UPDATE",
			            p, 3, begin_row, &out, NULL, err) < 0)
				return -1;
		}
		break;
	}
	if (out.rows != 1 || (mode != SUBSCRIBERS_READ && !s->exists)) {
		err->code = 0;
		snprintf(err->msg, sizeof(err->msg), "subscriber read answered %d rows, exists %d",
		         out.rows, s->exists);
		return -1;
	}
	return 0;
}

struct many_out {
	struct subscribers_locked *m;
	size_t n;
};

static int
many_row(const struct db_row *row, void *arg)
{
	struct many_out *o = arg;
	if (row->ncols != 11 || row->values[0] == NULL)
		return -1;
	for (size_t i = 0; i < o->n; i++) {
		if (strcmp(o->m[i].msisdn, row->values[0]) == 0) {
			o->m[i].recent = strtol(row->values[1], NULL, 10);
			if (row->values[2][0] == '1')
				fill_subscriber(row->values + 3, &o->m[i].s);
		}
	}
	return 0;
}

static int
by_msisdn(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
subscribers_lock_many(struct db_conn *conn, struct subscribers_locked *m, size_t n, long window_s,
                      struct db_error *err)
{
	struct buf json = BUF_INIT;
	const char **sorted = xcalloc(n > 0 ? n : 1, sizeof(*sorted));
	struct many_out o = {m, n};

	for (size_t i = 0; i < n; i++) {
		memset(&m[i].s, 0, sizeof(m[i].s));
		m[i].recent = 0;
		sorted[i] = m[i].msisdn;
	}
	qsort(sorted, n, sizeof(*sorted), by_msisdn);
	buf_putc(&json, '[');
	for (size_t i = 0; i < n; i++) {
		buf_puts(&json, i > 0 ? "," : "");
		buf_json_str(&json, sorted[i]);
	}
	buf_putc(&json, ']');
	struct db_param p[] = {DB_PARAM_INT(window_s), DB_PARAM_STR(buf_cstr(&json))};
	int rc =
	    db_exec(conn,
	            "SELECT j.m, (SELECT COUNT(*) FROM inbound_messages i WHERE i.msisdn = j.m"
	            " AND i.received_at > UTC_TIMESTAMP(6) - INTERVAL ? SECOND),"
	            " s.id IS NOT NULL, COALESCE(s.id, 0), COALESCE(s.msisdn, ''),"
	            " COALESCE(s.lang, ''), s.joined_at IS NOT NULL, s.opted_out_at IS NOT NULL,"
	            " COALESCE(s.points, 0), COALESCE(s.chances, 0), COALESCE(s.tier, '')"
	            " FROM JSON_TABLE(?, '$[*]' COLUMNS (m VARCHAR(16) CHARACTER SET utf8mb4"
	            " COLLATE utf8mb4_unicode_ci PATH '$')) j"
	            " LEFT JOIN subscribers s ON s.msisdn = j.m FOR UPDATE",
	            p, 2, many_row, &o, NULL, err);
	buf_free(&json);
	free(sorted);
	return rc;
}

int
subscribers_get(struct db_conn *conn, const char *msisdn, struct subscriber *s,
                struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(msisdn)};
	memset(s, 0, sizeof(*s));
	return db_exec(conn, "SELECT " SUBSCRIBER_COLUMNS " FROM subscribers WHERE msisdn = ?", p,
	               1, subscriber_row, s, NULL, err);
}

int
subscribers_lock(struct db_conn *conn, const char *msisdn, struct subscriber *s,
                 struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(msisdn)};
	memset(s, 0, sizeof(*s));
	if (db_exec(conn,
	            "INSERT INTO subscribers (msisdn, created_at, updated_at)"
	            " VALUES (?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))"
	            " ON DUPLICATE KEY UPDATE id = id",
	            p, 1, NULL, NULL, NULL, err) < 0)
		return -1;
	if (db_exec(conn,
	            "SELECT " SUBSCRIBER_COLUMNS " FROM subscribers WHERE msisdn = ? FOR UPDATE", p,
	            1, subscriber_row, s, NULL, err) < 0)
		return -1;
	if (!s->exists) {
		err->code = 0;
		snprintf(err->msg, sizeof(err->msg), "subscriber row vanished after insert");
		return -1;
	}
	return 0;
}

int
subscribers_join(struct db_conn *conn, long long id, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_INT(id)};
	return db_exec(conn,
	               "UPDATE subscribers SET joined_at = COALESCE(joined_at, UTC_TIMESTAMP(6)),"
	               " opted_out_at = NULL, updated_at = UTC_TIMESTAMP(6) WHERE id = ?",
	               p, 1, NULL, NULL, NULL, err);
}

int
subscribers_set_opt_out(struct db_conn *conn, long long id, int out, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_INT(id)};
	return db_exec(conn,
	               out ? "UPDATE subscribers SET opted_out_at = COALESCE(opted_out_at,"
	                     " UTC_TIMESTAMP(6)), updated_at = UTC_TIMESTAMP(6) WHERE id = ?"
	                   : "UPDATE subscribers SET opted_out_at = NULL,"
	                     " updated_at = UTC_TIMESTAMP(6) WHERE id = ?",
	               p, 1, NULL, NULL, NULL, err);
}

int
subscribers_set_lang(struct db_conn *conn, long long id, const char *lang, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(lang), DB_PARAM_INT(id)};
	return db_exec(
	    conn, "UPDATE subscribers SET lang = ?, updated_at = UTC_TIMESTAMP(6) WHERE id = ?", p,
	    2, NULL, NULL, NULL, err);
}
