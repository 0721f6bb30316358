/*
 * ussd — SQL for ussd_sessions and ussd_steps. Worker threads.
 */
#include "store/ussd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
session_row(const struct db_row *row, void *arg)
{
	struct ussd_session *s = arg;
	snprintf(s->msisdn, sizeof(s->msisdn), "%s", row->values[0]);
	snprintf(s->campaign_id, sizeof(s->campaign_id), "%s", row->values[1]);
	snprintf(s->lang, sizeof(s->lang), "%s", row->values[2]);
	s->ended = strcmp(row->values[3], "open") != 0;
	s->idle_ms = strtoll(row->values[4], NULL, 10) / 1000;
	s->age_ms = strtoll(row->values[5], NULL, 10) / 1000;
	return 0;
}

int
ussd_session_open(struct db_conn *conn, const char *session_id, const char *msisdn,
                  const char *service_code, const char *campaign_id, const char *lang,
                  struct ussd_session *s_r, struct db_error *err)
{
	uint64_t affected = 0;
	memset(s_r, 0, sizeof(*s_r));
	struct db_param ins[] = {DB_PARAM_STR(session_id), DB_PARAM_STR(msisdn),
	                         DB_PARAM_STR(service_code), DB_PARAM_STR(campaign_id),
	                         DB_PARAM_STR(lang)};
	if (db_exec(conn,
	            "INSERT IGNORE INTO ussd_sessions (session_id, msisdn, service_code,"
	            " campaign_id, lang, started_at, last_at)"
	            " VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
	            ins, 5, NULL, NULL, &affected, err) < 0)
		return -1;
	s_r->created = affected > 0;
	struct db_param p[] = {DB_PARAM_STR(session_id)};
	return db_exec(conn,
	               "SELECT msisdn, campaign_id, lang, status,"
	               " TIMESTAMPDIFF(MICROSECOND, last_at, UTC_TIMESTAMP(6)),"
	               " TIMESTAMPDIFF(MICROSECOND, started_at, UTC_TIMESTAMP(6))"
	               " FROM ussd_sessions WHERE session_id = ? FOR UPDATE",
	               p, 1, session_row, s_r, NULL, err);
}

int
ussd_session_set_lang(struct db_conn *conn, const char *session_id, const char *lang,
                      struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(lang), DB_PARAM_STR(session_id)};
	return db_exec(conn, "UPDATE ussd_sessions SET lang = ? WHERE session_id = ?", p, 2, NULL,
	               NULL, NULL, err);
}

static int
stored_row(const struct db_row *row, void *arg)
{
	struct ussd_stored *s = arg;
	s->found = 1;
	snprintf(s->response, sizeof(s->response), "%s", row->values[0]);
	snprintf(s->full_reply, sizeof(s->full_reply), "%s",
	         row->values[1] != NULL ? row->values[1] : "");
	return 0;
}

int
ussd_step_find(struct db_conn *conn, const char *session_id, const char *text, size_t len,
               struct ussd_stored *out, struct db_error *err)
{
	memset(out, 0, sizeof(*out));
	struct db_param p[] = {DB_PARAM_STR(session_id), {.type = DB_STR, .s = text, .len = len}};
	return db_exec(conn,
	               "SELECT response, full_reply FROM ussd_steps"
	               " WHERE session_id = ? AND text = ?",
	               p, 2, stored_row, out, NULL, err);
}

static struct db_param
str_or_null(const char *s)
{
	if (s == NULL)
		return (struct db_param){.type = DB_NULL};
	return DB_PARAM_STR(s);
}

int
ussd_step_insert(struct db_conn *conn, const char *session_id, const char *text, size_t len,
                 const char *response, const char *full_reply, const char *command,
                 const char *screen, unsigned page, int ended, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(session_id),
	                       {.type = DB_STR, .s = text, .len = len},
	                       DB_PARAM_STR(response),
	                       str_or_null(full_reply),
	                       str_or_null(command)};
	if (db_exec(conn,
	            "INSERT INTO ussd_steps (session_id, text, response, full_reply, command,"
	            " created_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))",
	            p, 5, NULL, NULL, NULL, err) < 0)
		return -1;
	struct db_param u[] = {str_or_null(screen),
	                       DB_PARAM_INT((long long)page),
	                       {.type = DB_STR, .s = text, .len = len},
	                       DB_PARAM_INT(ended ? 1 : 0),
	                       DB_PARAM_INT(ended ? 1 : 0),
	                       DB_PARAM_STR(session_id)};
	return db_exec(conn,
	               "UPDATE ussd_sessions SET screen = ?, page = ?, last_text = ?,"
	               " steps = steps + 1, last_at = UTC_TIMESTAMP(6),"
	               " status = IF(? = 1, 'ended', status),"
	               " ended_at = IF(? = 1, UTC_TIMESTAMP(6), ended_at)"
	               " WHERE session_id = ?",
	               u, 6, NULL, NULL, NULL, err);
}

static int
found_row(const struct db_row *row, void *arg)
{
	(void)row;
	*(int *)arg = 1;
	return 0;
}

int
ussd_session_close(struct db_conn *conn, const char *session_id, const char *status, int *found_r,
                   struct db_error *err)
{
	struct db_param q[] = {DB_PARAM_STR(session_id)};
	struct db_param p[] = {DB_PARAM_STR(status), DB_PARAM_STR(session_id)};
	*found_r = 0;
	if (db_exec(conn, "SELECT 1 FROM ussd_sessions WHERE session_id = ? FOR UPDATE", q, 1,
	            found_row, found_r, NULL, err) < 0)
		return -1;
	if (!*found_r)
		return 0;
	return db_exec(conn,
	               "UPDATE ussd_sessions SET status = ?,"
	               " ended_at = COALESCE(ended_at, UTC_TIMESTAMP(6)) WHERE session_id = ?",
	               p, 2, NULL, NULL, NULL, err);
}

int
ussd_purge(struct db_conn *conn, long keep_s, long limit, long long *deleted_r,
           struct db_error *err)
{
	uint64_t a = 0, b = 0;
	struct db_param p[] = {DB_PARAM_INT(keep_s), DB_PARAM_INT(limit)};
	*deleted_r = 0;
	if (db_exec(conn,
	            "DELETE FROM ussd_steps WHERE created_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND"
	            " LIMIT ?",
	            p, 2, NULL, NULL, &a, err) < 0)
		return -1;
	if (db_exec(conn,
	            "DELETE FROM ussd_sessions WHERE last_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND"
	            " LIMIT ?",
	            p, 2, NULL, NULL, &b, err) < 0)
		return -1;
	*deleted_r = (long long)(a + b);
	return 0;
}
