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

struct codes_out {
	long long *ids;
	char (*codes)[101];
	size_t n, got;
};

static int
code_row(const struct db_row *row, void *arg)
{
	struct codes_out *o = arg;
	if (row->ncols != 2 || row->values[1] == NULL)
		return -1;
	if (o->got < o->n) {
		o->ids[o->got] = num(row->values[0], 0);
		snprintf(o->codes[o->got], sizeof(o->codes[0]), "%s", row->values[1]);
		o->got++;
	}
	return 0;
}

/* Gives the codes o->ids[from..o->got) to subscriber_ids[from..] in one statement. */
static int
assign_codes(struct db_conn *conn, const struct codes_out *o, size_t from,
             const long long *subscriber_ids, struct db_error *err)
{
	size_t k = o->got - from;
	if (k == 0)
		return 0;
	struct db_param *p = xcalloc(k * 2, sizeof(*p));
	for (size_t i = 0; i < k; i++) {
		p[i * 2] = DB_PARAM_INT(subscriber_ids[from + i]);
		p[i * 2 + 1] = DB_PARAM_INT(o->ids[from + i]);
	}
	int rc = db_exec_bulk(conn,
	                      "UPDATE vouchers SET subscriber_id = ?, assigned_at = " NOW
	                      " WHERE id = ? AND subscriber_id IS NULL /* bulk */",
	                      p, k, 2, err);
	free(p);
	return rc;
}

int
spins_vouchers(struct db_conn *conn, const char *pool, const long long *subscriber_ids, size_t n,
               char (*codes)[101], size_t *got_r, struct db_error *err)
{
	struct codes_out o = {xcalloc(n > 0 ? n : 1, sizeof(long long)), codes, n, 0};
	int rc = -1;

	*got_r = 0;
	if (n == 0) {
		free(o.ids);
		return 0;
	}
	struct db_param p[] = {DB_PARAM_STR(pool), DB_PARAM_INT((long long)n)};
	if (db_exec(conn,
	            "SELECT id, code FROM vouchers WHERE pool = ? AND subscriber_id IS NULL"
	            " ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED",
	            p, 2, code_row, &o, NULL, err) < 0 ||
	    assign_codes(conn, &o, 0, subscriber_ids, err) < 0)
		goto out;
	if (o.got < n) {
		/* Too few free codes no one holds: wait for the held ones (they may be given
		 * back); the codes just assigned no longer match. */
		size_t from = o.got;
		struct db_param q[] = {DB_PARAM_STR(pool), DB_PARAM_INT((long long)(n - from))};
		if (db_exec(conn,
		            "SELECT id, code FROM vouchers WHERE pool = ? AND subscriber_id IS NULL"
		            " ORDER BY id LIMIT ? FOR UPDATE",
		            q, 2, code_row, &o, NULL, err) < 0 ||
		    assign_codes(conn, &o, from, subscriber_ids, err) < 0)
			goto out;
	}
	*got_r = o.got;
	rc = 0;
out:
	free(o.ids);
	return rc;
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

int
spins_missions(struct db_conn *conn, const char *campaign_id, const char *mission_id,
               const char *period_key, const long long *subscriber_ids, size_t n,
               struct db_error *err)
{
	if (n == 0)
		return 0;
	struct db_param *p = xcalloc(n * 4, sizeof(*p));
	for (size_t i = 0; i < n; i++) {
		p[i * 4] = DB_PARAM_INT(subscriber_ids[i]);
		p[i * 4 + 1] = DB_PARAM_STR(campaign_id);
		p[i * 4 + 2] = DB_PARAM_STR(mission_id);
		p[i * 4 + 3] = DB_PARAM_STR(period_key);
	}
	int rc = db_exec_bulk(conn,
	                      "INSERT INTO mission_completions (subscriber_id, campaign_id,"
	                      " mission_id, period_key, completed_at) VALUES (?, ?, ?, ?, " NOW
	                      ") /* bulk */",
	                      p, n, 4, err);
	free(p);
	return rc;
}

#define POINTS_COLUMNS  9
#define CHANCES_COLUMNS 6
#define BALANCE_COLUMNS 5

int
spins_awards(struct db_conn *conn, const char *campaign_id, unsigned version, unsigned expiry_days,
             const struct spins_award *a, size_t n, struct db_error *err)
{
	struct db_param *pts = xcalloc(n * POINTS_COLUMNS + 1, sizeof(*pts));
	struct db_param *chs = xcalloc(n * CHANCES_COLUMNS + 1, sizeof(*chs));
	struct db_param *bal = xcalloc(n * BALANCE_COLUMNS + 1, sizeof(*bal));
	char(*refs)[2][160] = xcalloc(n + 1, sizeof(*refs));
	size_t np = 0, nc = 0, nb = 0;
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		long long lot = a[i].points > 0 ? a[i].points : 0;
		if (a[i].points != 0) {
			struct db_param *r = &pts[np++ * POINTS_COLUMNS];
			unsigned days = lot > 0 ? expiry_days : 0;
			snprintf(refs[i][0], sizeof(refs[i][0]), "%s:p", a[i].ref);
			r[0] = DB_PARAM_INT(a[i].subscriber_id);
			r[1] = DB_PARAM_STR(campaign_id);
			r[2] = DB_PARAM_INT(version);
			r[3] = DB_PARAM_INT(a[i].points);
			r[4] = DB_PARAM_STR(a[i].reason);
			r[5] = DB_PARAM_STR(refs[i][0]);
			r[6] = DB_PARAM_INT(lot);
			r[7] = DB_PARAM_INT(days);
			r[8] = DB_PARAM_INT(days);
		}
		if (a[i].chances != 0) {
			struct db_param *r = &chs[nc++ * CHANCES_COLUMNS];
			snprintf(refs[i][1], sizeof(refs[i][1]), "%s:c", a[i].ref);
			r[0] = DB_PARAM_INT(a[i].subscriber_id);
			r[1] = DB_PARAM_STR(campaign_id);
			r[2] = DB_PARAM_INT(version);
			r[3] = DB_PARAM_INT(a[i].chances);
			r[4] = DB_PARAM_STR(a[i].reason);
			r[5] = DB_PARAM_STR(refs[i][1]);
		}
		if (a[i].points == 0 && a[i].chances == 0)
			continue;
		/* One balance row per member: the sums of its awards. */
		size_t k = 0;
		while (k < nb && bal[k * BALANCE_COLUMNS + 4].i != a[i].subscriber_id)
			k++;
		struct db_param *b = &bal[k * BALANCE_COLUMNS];
		if (k == nb) {
			b[0] = DB_PARAM_INT(0);
			b[1] = DB_PARAM_INT(0);
			b[2] = DB_PARAM_INT(0);
			b[3] = (struct db_param){.type = DB_NULL};
			b[4] = DB_PARAM_INT(a[i].subscriber_id);
			nb++;
		}
		b[0].i += a[i].points;
		b[1].i += lot;
		b[2].i += a[i].chances;
		if (a[i].tier != NULL)
			b[3] = DB_PARAM_STR(a[i].tier);
	}
	if (np > 0 &&
	    db_exec_bulk(
	        conn,
	        "INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version,"
	        " delta, reason, ref, remaining, expires_at, created_at) VALUES (?, ?, ?, ?,"
	        " ?, ?, ?, IF(? > 0, " NOW " + INTERVAL ? DAY, NULL), " NOW ") /* bulk */",
	        pts, np, POINTS_COLUMNS, err) < 0)
		goto out;
	if (nc > 0 &&
	    db_exec_bulk(conn,
	                 "INSERT INTO chances_ledger (subscriber_id, campaign_id, campaign_version,"
	                 " delta, reason, ref, created_at) VALUES (?, ?, ?, ?, ?, ?, " NOW
	                 ") /* bulk */",
	                 chs, nc, CHANCES_COLUMNS, err) < 0)
		goto out;
	if (nb > 0 &&
	    db_exec_bulk(conn,
	                 "UPDATE subscribers SET points = points + ?,"
	                 " qualifying_points = qualifying_points + ?, chances = chances + ?,"
	                 " tier = COALESCE(?, tier), updated_at = " NOW " WHERE id = ? /* bulk */",
	                 bal, nb, BALANCE_COLUMNS, err) < 0)
		goto out;
	rc = 0;
out:
	free(pts);
	free(chs);
	free(bal);
	free(refs);
	return rc;
}
