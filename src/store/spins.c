/*
 * spins (store) — set-based SQL for the spins of one transaction (see spins.h).
 * Worker threads.
 */
#include "store/spins.h"
#include "core/buf.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW "UTC_TIMESTAMP(6)"

static long long
num(const char *v, long long if_null)
{
	return v != NULL ? strtoll(v, NULL, 10) : if_null;
}

struct members_out {
	struct spins_member *m;
	size_t n;
};

static int
member_row(const struct db_row *row, void *arg)
{
	struct members_out *o = arg;
	if (row->ncols != 5)
		return -1;
	long long id = num(row->values[0], 0);
	for (size_t i = 0; i < o->n; i++) {
		if (o->m[i].subscriber_id == id) {
			o->m[i].done = (long)num(row->values[1], 0);
			o->m[i].mission_done = num(row->values[2], 0) != 0;
			o->m[i].qualifying = num(row->values[3], 0);
			snprintf(o->m[i].tier, sizeof(o->m[i].tier), "%s",
			         row->values[4] != NULL ? row->values[4] : "");
		}
	}
	return 0;
}

int
spins_members(struct db_conn *conn, const char *campaign_id, const char *day_key,
              const char *mission_id, const char *period_key, struct spins_member *m, size_t n,
              struct db_error *err)
{
	struct buf ids = BUF_INIT;
	struct members_out o = {m, n};
	for (size_t i = 0; i < n; i++) {
		m[i].done = 0;
		m[i].mission_done = 0;
		m[i].qualifying = 0;
		m[i].tier[0] = '\0';
	}
	buf_putc(&ids, '[');
	for (size_t i = 0; i < n; i++)
		buf_printf(&ids, "%s%lld", i > 0 ? "," : "", m[i].subscriber_id);
	buf_putc(&ids, ']');
	/* The mission's award ref (game/wheel.c), "mission:<campaign>:<mission>:<id>:<period>":
	 * an award made already counts as done, so that it is never made twice. */
	char pre[100], post[24];
	snprintf(pre, sizeof(pre), "mission:%s:%s:", campaign_id, mission_id);
	snprintf(post, sizeof(post), ":%s", period_key);
	struct db_param p[] = {DB_PARAM_STR(campaign_id), DB_PARAM_STR(day_key),
	                       DB_PARAM_STR(campaign_id), DB_PARAM_STR(mission_id),
	                       DB_PARAM_STR(period_key),  DB_PARAM_STR(pre),
	                       DB_PARAM_STR(post),        DB_PARAM_STR(pre),
	                       DB_PARAM_STR(post),        DB_PARAM_STR(buf_cstr(&ids))};
	int rc = db_exec(conn,
	                 "SELECT j.id,"
	                 " (SELECT COUNT(*) FROM spins s WHERE s.subscriber_id = j.id"
	                 "  AND s.campaign_id = ? AND s.day_key = ?),"
	                 " EXISTS (SELECT 1 FROM mission_completions c WHERE c.subscriber_id = j.id"
	                 "  AND c.campaign_id = ? AND c.mission_id = ? AND c.period_key = ?)"
	                 " OR EXISTS (SELECT 1 FROM points_ledger l"
	                 "  WHERE l.ref = CONCAT(?, j.id, ?, ':p'))"
	                 " OR EXISTS (SELECT 1 FROM chances_ledger l"
	                 "  WHERE l.ref = CONCAT(?, j.id, ?, ':c')),"
	                 " u.qualifying_points, u.tier"
	                 " FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$')) j"
	                 " JOIN subscribers u ON u.id = j.id",
	                 p, 10, member_row, &o, NULL, err);
	buf_free(&ids);
	return rc;
}

struct counters_out {
	struct spins_counter *c;
	size_t n;
};

static int
counter_row(const struct db_row *row, void *arg)
{
	struct counters_out *o = arg;
	if (row->ncols != 3 || row->values[0] == NULL)
		return -1;
	for (size_t i = 0; i < o->n; i++) {
		if (strcmp(o->c[i].prize_id, row->values[0]) == 0) {
			if (num(row->values[1], 0))
				o->c[i].total = num(row->values[2], 0);
			else
				o->c[i].day = num(row->values[2], 0);
		}
	}
	return 0;
}

int
spins_counters(struct db_conn *conn, const char *campaign_id, const char *day_key,
               struct spins_counter *c, size_t n, struct db_error *err)
{
	struct counters_out o = {c, n};
	for (size_t i = 0; i < n; i++)
		c[i].day = c[i].total = -1;
	struct db_param p[] = {DB_PARAM_STR(campaign_id), DB_PARAM_STR(day_key)};
	return db_exec(conn,
	               "SELECT prize_id, day_key = '*', awarded FROM wheel_prize_counters"
	               " WHERE campaign_id = ? AND day_key IN (?, '*')",
	               p, 2, counter_row, &o, NULL, err);
}

/* The day key of each counter a prize has: its own day for a daily cap, '*' for a total
 * cap; a prize with one cap names the same row twice. */
static void
counter_keys(const char *day_key, long long daily_cap, long long total_cap, const char **k1,
             const char **k2)
{
	*k1 = daily_cap >= 0 ? day_key : "*";
	*k2 = total_cap >= 0 ? "*" : day_key;
}

struct locked_out {
	long long day, total;
};

static int
locked_row(const struct db_row *row, void *arg)
{
	struct locked_out *o = arg;
	if (row->ncols != 2)
		return -1;
	if (num(row->values[0], 0))
		o->total = num(row->values[1], 0);
	else
		o->day = num(row->values[1], 0);
	return 0;
}

int
spins_units_lock(struct db_conn *conn, const char *campaign_id, const char *prize_id,
                 const char *day_key, long long daily_cap, long long total_cap, long want,
                 long *granted_r, struct db_error *err)
{
	const char *k1, *k2;
	struct locked_out o = {0, 0};

	*granted_r = 0;
	counter_keys(day_key, daily_cap, total_cap, &k1, &k2);
	/* Creates the missing counters and locks both (the upsert locks a row it finds). */
	struct db_param up[] = {DB_PARAM_STR(campaign_id), DB_PARAM_STR(prize_id),
	                        DB_PARAM_STR(k1),          DB_PARAM_STR(campaign_id),
	                        DB_PARAM_STR(prize_id),    DB_PARAM_STR(k2)};
	if (db_exec(conn,
	            "INSERT INTO wheel_prize_counters (campaign_id, prize_id, day_key, awarded)"
	            " VALUES (?, ?, ?, 0), (?, ?, ?, 0) ON DUPLICATE KEY UPDATE awarded = awarded",
	            up, 6, NULL, NULL, NULL, err) < 0)
		return -1;
	/* Locked by this transaction: the plain read sees their last committed values. */
	struct db_param rd[] = {DB_PARAM_STR(campaign_id), DB_PARAM_STR(prize_id), DB_PARAM_STR(k1),
	                        DB_PARAM_STR(k2)};
	if (db_exec(conn,
	            "SELECT day_key = '*', awarded FROM wheel_prize_counters"
	            " WHERE campaign_id = ? AND prize_id = ? AND day_key IN (?, ?)",
	            rd, 4, locked_row, &o, NULL, err) < 0)
		return -1;
	long long left = want;
	if (daily_cap >= 0 && daily_cap - o.day < left)
		left = daily_cap - o.day;
	if (total_cap >= 0 && total_cap - o.total < left)
		left = total_cap - o.total;
	*granted_r = left > 0 ? (long)left : 0;
	return 0;
}

int
spins_units_add(struct db_conn *conn, const char *campaign_id, const char *prize_id,
                const char *day_key, long long daily_cap, long long total_cap, long n,
                struct db_error *err)
{
	const char *k1, *k2;
	if (n <= 0)
		return 0;
	counter_keys(day_key, daily_cap, total_cap, &k1, &k2);
	struct db_param p[] = {DB_PARAM_INT(n), DB_PARAM_STR(campaign_id), DB_PARAM_STR(prize_id),
	                       DB_PARAM_STR(k1), DB_PARAM_STR(k2)};
	return db_exec(conn,
	               "UPDATE wheel_prize_counters SET awarded = awarded + ?"
	               " WHERE campaign_id = ? AND prize_id = ? AND day_key IN (?, ?)",
	               p, 5, NULL, NULL, NULL, err);
}

struct ids_out {
	struct spins_row *rows;
	size_t n, found;
};

static int
id_row(const struct db_row *row, void *arg)
{
	struct ids_out *o = arg;
	if (row->ncols != 3)
		return -1;
	long long sub = num(row->values[0], 0), seq = num(row->values[1], 0);
	for (size_t i = 0; i < o->n; i++) {
		if (o->rows[i].subscriber_id == sub && o->rows[i].seq == seq &&
		    o->rows[i].id == 0) {
			o->rows[i].id = num(row->values[2], 0);
			o->found++;
			break;
		}
	}
	return 0;
}

#define SPIN_COLUMNS 10

int
spins_insert(struct db_conn *conn, const char *campaign_id, unsigned version, const char *day_key,
             uint64_t total_weight, struct spins_row *rows, size_t n, struct db_error *err)
{
	if (n == 0)
		return 0;
	struct db_param *p = xcalloc(n * SPIN_COLUMNS, sizeof(*p));
	struct buf keys = BUF_INIT;
	buf_putc(&keys, '[');
	for (size_t i = 0; i < n; i++) {
		struct db_param *r = &p[i * SPIN_COLUMNS];
		rows[i].id = 0;
		r[0] = DB_PARAM_INT(rows[i].subscriber_id);
		r[1] = DB_PARAM_STR(campaign_id);
		r[2] = DB_PARAM_INT(version);
		r[3] = DB_PARAM_STR(day_key);
		r[4] = DB_PARAM_INT(rows[i].seq);
		r[5] = DB_PARAM_INT((long long)rows[i].random_value);
		r[6] = DB_PARAM_INT((long long)total_weight);
		r[7] = DB_PARAM_STR(rows[i].drawn);
		r[8] = DB_PARAM_STR(rows[i].awarded);
		r[9] = rows[i].voucher != NULL ? DB_PARAM_STR(rows[i].voucher)
		                               : (struct db_param){.type = DB_NULL};
		buf_printf(&keys, "%s[%lld,%ld]", i > 0 ? "," : "", rows[i].subscriber_id,
		           rows[i].seq);
	}
	buf_putc(&keys, ']');
	int rc = db_exec_bulk(
	    conn,
	    "INSERT INTO spins (subscriber_id, campaign_id, campaign_version,"
	    " day_key, seq, random_value, total_weight, drawn_prize, awarded_prize,"
	    " voucher_code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " NOW ") /* bulk */",
	    p, n, SPIN_COLUMNS, err);
	free(p);
	if (rc == 0 && n == 1) {
		rows[0].id = (long long)db_insert_id(conn);
	} else if (rc == 0) {
		/* The ids, for the ledger refs "spin:<id>" (ids of one statement need not be
		 * consecutive: Galera interleaves them). */
		struct ids_out o = {rows, n, 0};
		struct db_param q[] = {DB_PARAM_STR(buf_cstr(&keys)), DB_PARAM_STR(campaign_id),
		                       DB_PARAM_STR(day_key)};
		rc = db_exec(conn,
		             "SELECT s.subscriber_id, s.seq, s.id FROM JSON_TABLE(?, '$[*]' COLUMNS"
		             " (sub BIGINT UNSIGNED PATH '$[0]', seq INT UNSIGNED PATH '$[1]')) j"
		             " JOIN spins s ON s.subscriber_id = j.sub AND s.campaign_id = ?"
		             " AND s.day_key = ? AND s.seq = j.seq",
		             q, 3, id_row, &o, NULL, err);
		if (rc == 0 && o.found != n) {
			err->code = 0;
			snprintf(err->msg, sizeof(err->msg), "spins: %zu of %zu ids read back",
			         o.found, n);
			rc = -1;
		}
	}
	buf_free(&keys);
	return rc;
}
