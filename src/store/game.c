/*
 * game (store) — SQL for ledgers, spins, prize caps, check-ins, missions, vouchers.
 * Worker threads, inside the caller's transaction.
 */
#include "store/game.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW "UTC_TIMESTAMP(6)"

static int
one_value(const struct db_row *row, void *arg)
{
	long long *v = arg;
	*v = row->values[0] != NULL ? strtoll(row->values[0], NULL, 10) : 0;
	return 0;
}

struct award_out {
	struct game_award *a;
	int rows;
};

static long long
num(const char *v, long long if_null)
{
	return v != NULL ? strtoll(v, NULL, 10) : if_null;
}

static int
award_row(const struct db_row *row, void *arg)
{
	struct award_out *o = arg;
	if (row->ncols != 3)
		return -1;
	o->rows++;
	o->a->points = num(row->values[0], 0);
	o->a->chances = num(row->values[1], 0);
	o->a->qualifying = num(row->values[2], -1);
	return 0;
}

int
game_award(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
           long long points, long long chances, const char *reason, const char *ref,
           unsigned expiry_days, int qualifying, struct game_award *out, struct db_error *err)
{
	struct award_out o = {out, 0};
	struct db_param p[] = {
	    DB_PARAM_INT(subscriber_id),
	    DB_PARAM_STR(scope->campaign_id),
	    DB_PARAM_INT(scope->campaign_version),
	    DB_PARAM_INT(points),
	    DB_PARAM_INT(chances),
	    DB_PARAM_STR(reason),
	    DB_PARAM_STR(ref),
	    DB_PARAM_INT(expiry_days),
	    DB_PARAM_INT(qualifying ? 1 : 0),
	};
	memset(out, 0, sizeof(*out));
	out->qualifying = -1;
	if (db_exec(conn, "CALL gg_award(?, ?, ?, ?, ?, ?, ?, ?, ?)", p, 9, award_row, &o, NULL,
	            err) < 0)
		return -1;
	if (o.rows != 1) {
		err->code = 0;
		snprintf(err->msg, sizeof(err->msg), "gg_award answered %d rows", o.rows);
		return -1;
	}
	return 0;
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
game_take_vouchers(struct db_conn *conn, const char *pool, const long long *subscriber_ids,
                   size_t n, char (*codes)[101], size_t *got_r, struct db_error *err)
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

int
game_take_voucher(struct db_conn *conn, const char *pool, long long subscriber_id, char *code_r,
                  struct db_error *err)
{
	char codes[1][101] = {""};
	size_t got = 0;
	code_r[0] = '\0';
	if (game_take_vouchers(conn, pool, &subscriber_id, 1, codes, &got, err) < 0)
		return -1;
	snprintf(code_r, 101, "%s", codes[0]);
	return got == 1 ? 1 : 0;
}

int
game_spins_today(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
                 const char *day_key, long *count_r, struct db_error *err)
{
	long long n = 0;
	struct db_param p[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_STR(scope->campaign_id),
	                       DB_PARAM_STR(day_key)};
	if (db_exec(conn,
	            "SELECT COUNT(*) FROM spins WHERE subscriber_id = ? AND campaign_id = ?"
	            " AND day_key = ?",
	            p, 3, one_value, &n, NULL, err) < 0)
		return -1;
	*count_r = (long)n;
	return 0;
}

int
game_complete_mission(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
                      const char *mission_id, const char *period_key, struct db_error *err)
{
	uint64_t affected = 0;
	struct db_param p[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_STR(scope->campaign_id),
	                       DB_PARAM_STR(mission_id), DB_PARAM_STR(period_key)};
	if (db_exec(conn,
	            "INSERT INTO mission_completions (subscriber_id, campaign_id, mission_id,"
	            " period_key, completed_at) VALUES (?, ?, ?, ?, " NOW ")"
	            " ON DUPLICATE KEY UPDATE completed_at = completed_at",
	            p, 4, NULL, NULL, &affected, err) < 0)
		return -1;
	return affected == 1 ? 1 : 0;
}

int
game_notify(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
            const char *kind, const char *template_key, const char *vars_json, const char *ref,
            struct db_error *err)
{
	uint64_t affected = 0;
	struct db_param p[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_STR(scope->campaign_id),
	                       DB_PARAM_STR(kind),          DB_PARAM_STR(template_key),
	                       DB_PARAM_STR(vars_json),     DB_PARAM_STR(ref)};
	if (db_exec(conn,
	            "INSERT INTO notifications (subscriber_id, campaign_id, kind, template, vars,"
	            " ref, created_at) VALUES (?, ?, ?, ?, ?, ?, " NOW ")"
	            " ON DUPLICATE KEY UPDATE id = id",
	            p, 6, NULL, NULL, &affected, err) < 0)
		return -1;
	return affected == 1 ? 1 : 0;
}

int
game_set_tier(struct db_conn *conn, long long subscriber_id, const char *tier, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(tier), DB_PARAM_INT(subscriber_id)};
	return db_exec(conn, "UPDATE subscribers SET tier = ?, updated_at = " NOW " WHERE id = ?",
	               p, 2, NULL, NULL, NULL, err);
}

struct tier_state {
	long long *qualifying;
	char *tier;
	size_t size;
};

static int
tier_row(const struct db_row *row, void *arg)
{
	struct tier_state *t = arg;
	*t->qualifying = strtoll(row->values[0], NULL, 10);
	snprintf(t->tier, t->size, "%s", row->values[1] != NULL ? row->values[1] : "");
	return 0;
}

int
game_tier_state(struct db_conn *conn, long long subscriber_id, long long *qualifying_r,
                char *tier_r, size_t tier_size, struct db_error *err)
{
	struct tier_state t = {qualifying_r, tier_r, tier_size};
	struct db_param p[] = {DB_PARAM_INT(subscriber_id)};
	*qualifying_r = 0;
	tier_r[0] = '\0';
	return db_exec(conn, "SELECT qualifying_points, tier FROM subscribers WHERE id = ?", p, 1,
	               tier_row, &t, NULL, err);
}

int
game_complete_missions(struct db_conn *conn, const char *campaign_id, const char *mission_id,
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
game_award_many(struct db_conn *conn, const char *campaign_id, unsigned version,
                unsigned expiry_days, const struct game_award_row *a, size_t n,
                struct db_error *err)
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
