/*
 * events (store) — SQL for the events table. Worker threads.
 */
#include "store/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ER_DUP_ENTRY 1062

/* "YYYY-MM-DD HH:MM:SS" in UTC (the session's time zone is +00:00). */
static void
format_utc(time_t t, char out[32])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

static time_t
parse_utc(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (s == NULL || sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

struct lock_out {
	long long id;
	int member;
};

static int
lock_row(const struct db_row *row, void *arg)
{
	struct lock_out *o = arg;
	o->id = strtoll(row->values[0], NULL, 10);
	o->member = row->values[1] != NULL && row->values[1][0] == '1';
	return 0;
}

int
events_store_lock_subscriber(struct db_conn *conn, const char *msisdn, long long *id_r,
                             int *member_r, struct db_error *err)
{
	struct lock_out o = {0, 0};
	struct db_param p[] = {DB_PARAM_STR(msisdn)};
	if (db_exec(conn,
	            "SELECT id, joined_at IS NOT NULL FROM subscribers WHERE msisdn = ? FOR UPDATE",
	            p, 1, lock_row, &o, NULL, err) < 0)
		return -1;
	*id_r = o.id;
	*member_r = o.member;
	return 0;
}

int
events_store_insert(struct db_conn *conn, const struct events_store_row *r, struct db_error *err)
{
	char at[32];
	format_utc(r->at, at);
	struct db_param p[] = {
	    DB_PARAM_STR(r->event_id),
	    DB_PARAM_STR(r->msisdn),
	    r->subscriber_id > 0 ? DB_PARAM_INT(r->subscriber_id)
	                         : (struct db_param){.type = DB_NULL},
	    DB_PARAM_STR(r->type),
	    DB_PARAM_INT(r->amount),
	    DB_PARAM_STR(at),
	};
	/* A plain INSERT: the primary key decides. A second transaction inserting the same
	 * id waits on the first one's lock and then fails with a duplicate key, which ends
	 * only this statement, not the transaction. */
	if (db_exec(conn,
	            "INSERT INTO events (event_id, msisdn, subscriber_id, type, amount, at, result,"
	            " created_at) VALUES (?, ?, ?, ?, ?, ?, '', UTC_TIMESTAMP(6))",
	            p, sizeof(p) / sizeof(p[0]), NULL, NULL, NULL, err) == 0)
		return 1;
	return err->code == ER_DUP_ENTRY ? 0 : -1;
}

int
events_store_set_result(struct db_conn *conn, const char *event_id, const char *result_json,
                        struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(result_json), DB_PARAM_STR(event_id)};
	return db_exec(conn, "UPDATE events SET result = ? WHERE event_id = ?", p, 2, NULL, NULL,
	               NULL, err);
}

static int
found_row(const struct db_row *row, void *arg)
{
	struct events_store_found *f = arg;
	f->found = 1;
	snprintf(f->msisdn, sizeof(f->msisdn), "%s", row->values[0] ? row->values[0] : "");
	snprintf(f->type, sizeof(f->type), "%s", row->values[1] ? row->values[1] : "");
	f->amount = row->values[2] ? strtoll(row->values[2], NULL, 10) : 0;
	f->at = parse_utc(row->values[3]);
	if (row->values[4] != NULL)
		buf_append(&f->result, row->values[4], row->lengths[4]);
	return 0;
}

int
events_store_find(struct db_conn *conn, const char *event_id, struct events_store_found *f,
                  struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(event_id)};
	f->found = 0;
	return db_exec(conn,
	               "SELECT msisdn, type, amount, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s'), result"
	               " FROM events WHERE event_id = ?",
	               p, 1, found_row, f, NULL, err);
}

static int
count_row(const struct db_row *row, void *arg)
{
	*(long long *)arg = row->values[0] != NULL ? strtoll(row->values[0], NULL, 10) : 0;
	return 0;
}

int
events_store_count(struct db_conn *conn, long long subscriber_id, const char *type, time_t from,
                   time_t to, long long *count_r, struct db_error *err)
{
	char f[32], t[32];
	format_utc(from, f);
	format_utc(to, t);
	struct db_param p[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_STR(type), DB_PARAM_STR(f),
	                       DB_PARAM_STR(t)};
	*count_r = 0;
	return db_exec(conn,
	               "SELECT COUNT(*) FROM events WHERE subscriber_id = ? AND type = ?"
	               " AND at >= ? AND at < ? LOCK IN SHARE MODE",
	               p, 4, count_row, count_r, NULL, err);
}
