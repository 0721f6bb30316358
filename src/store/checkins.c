/*
 * checkins (store) — set-based SQL for the check-ins of one transaction (see
 * checkins.h). Worker threads.
 */
#include "store/checkins.h"
#include "core/buf.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long long
num(const char *v, long long if_null)
{
	return v != NULL ? strtoll(v, NULL, 10) : if_null;
}

struct members_out {
	struct checkins_member *m;
	size_t n;
};

static int
member_row(const struct db_row *row, void *arg)
{
	struct members_out *o = arg;
	if (row->ncols != 8)
		return -1;
	long long id = num(row->values[0], 0);
	for (size_t i = 0; i < o->n; i++) {
		struct checkins_member *m = &o->m[i];
		if (m->subscriber_id != id)
			continue;
		m->today = (long)num(row->values[1], -1);
		m->yesterday = (long)num(row->values[2], 0);
		m->mission_done = num(row->values[3], 0) != 0;
		m->awarded = num(row->values[4], 0) != 0;
		m->bonus_awarded = num(row->values[5], 0) != 0;
		m->qualifying = num(row->values[6], 0);
		snprintf(m->tier, sizeof(m->tier), "%s",
		         row->values[7] != NULL ? row->values[7] : "");
	}
	return 0;
}

int
checkins_members(struct db_conn *conn, const char *campaign_id, const char *mission_id,
                 const char *today, const char *yesterday, struct checkins_member *m, size_t n,
                 struct db_error *err)
{
	struct buf ids = BUF_INIT;
	struct members_out o = {m, n};
	char checkin_pre[64], streak_pre[64], post[16];

	buf_putc(&ids, '[');
	for (size_t i = 0; i < n; i++) {
		m[i].today = -1;
		m[i].yesterday = 0;
		m[i].mission_done = m[i].awarded = m[i].bonus_awarded = 0;
		m[i].qualifying = 0;
		m[i].tier[0] = '\0';
		buf_printf(&ids, "%s%lld", i > 0 ? "," : "", m[i].subscriber_id);
	}
	buf_putc(&ids, ']');
	snprintf(checkin_pre, sizeof(checkin_pre), "checkin:%s:", campaign_id);
	snprintf(streak_pre, sizeof(streak_pre), "streak:%s:", campaign_id);
	snprintf(post, sizeof(post), ":%s", today);
	struct db_param p[] = {
	    DB_PARAM_STR(campaign_id),   DB_PARAM_STR(today),       DB_PARAM_STR(campaign_id),
	    DB_PARAM_STR(yesterday),     DB_PARAM_STR(campaign_id), DB_PARAM_STR(mission_id),
	    DB_PARAM_STR(today),         DB_PARAM_STR(checkin_pre), DB_PARAM_STR(post),
	    DB_PARAM_STR(checkin_pre),   DB_PARAM_STR(post),        DB_PARAM_STR(streak_pre),
	    DB_PARAM_STR(post),          DB_PARAM_STR(streak_pre),  DB_PARAM_STR(post),
	    DB_PARAM_STR(buf_cstr(&ids))};
	int rc = db_exec(
	    conn,
	    "SELECT j.id,"
	    " (SELECT streak FROM checkins c WHERE c.subscriber_id = j.id AND c.campaign_id = ?"
	    "  AND c.day_key = ?),"
	    " (SELECT streak FROM checkins c WHERE c.subscriber_id = j.id AND c.campaign_id = ?"
	    "  AND c.day_key = ?),"
	    " EXISTS (SELECT 1 FROM mission_completions c WHERE c.subscriber_id = j.id"
	    "  AND c.campaign_id = ? AND c.mission_id = ? AND c.period_key = ?),"
	    " EXISTS (SELECT 1 FROM points_ledger l WHERE l.ref = CONCAT(?, j.id, ?, ':p'))"
	    " OR EXISTS (SELECT 1 FROM chances_ledger l WHERE l.ref = CONCAT(?, j.id, ?, ':c')),"
	    " EXISTS (SELECT 1 FROM points_ledger l WHERE l.ref = CONCAT(?, j.id, ?, ':p'))"
	    " OR EXISTS (SELECT 1 FROM chances_ledger l WHERE l.ref = CONCAT(?, j.id, ?, ':c')),"
	    " u.qualifying_points, u.tier"
	    " FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$')) j"
	    " JOIN subscribers u ON u.id = j.id",
	    p, sizeof(p) / sizeof(p[0]), member_row, &o, NULL, err);
	buf_free(&ids);
	return rc;
}

int
checkins_insert(struct db_conn *conn, const char *campaign_id, const char *day_key,
                const long long *subscriber_ids, const unsigned *streaks, size_t n,
                struct db_error *err)
{
	if (n == 0)
		return 0;
	struct db_param *p = xcalloc(n * 4, sizeof(*p));
	for (size_t i = 0; i < n; i++) {
		p[i * 4] = DB_PARAM_INT(subscriber_ids[i]);
		p[i * 4 + 1] = DB_PARAM_STR(campaign_id);
		p[i * 4 + 2] = DB_PARAM_STR(day_key);
		p[i * 4 + 3] = DB_PARAM_INT(streaks[i]);
	}
	int rc = db_exec_bulk(conn,
	                      "INSERT INTO checkins (subscriber_id, campaign_id, day_key, streak,"
	                      " created_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6)) /* bulk */",
	                      p, n, 4, err);
	free(p);
	return rc;
}
