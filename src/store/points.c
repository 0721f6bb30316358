/*
 * points (store) — spending lots oldest expiry first, expiring lots, expiry warnings.
 * Worker threads or the CLI; see points.h for which calls need a transaction.
 */
#include "store/points.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW          "UTC_TIMESTAMP(6)"
#define LOT_PAGE     64 /* lots read and locked per query */
#define MSISDN_BYTES 17

static int
one_value(const struct db_row *row, void *arg)
{
	long long *v = arg;
	*v = row->values[0] != NULL ? strtoll(row->values[0], NULL, 10) : 0;
	return 0;
}

int
points_lock_subscriber(struct db_conn *conn, long long subscriber_id, long long *balance_r,
                       struct db_error *err)
{
	long long balance = -1;
	struct db_param p[] = {DB_PARAM_INT(subscriber_id)};
	if (db_exec(conn, "SELECT points FROM subscribers WHERE id = ? FOR UPDATE", p, 1, one_value,
	            &balance, NULL, err) < 0)
		return -1;
	if (balance < 0)
		return 0;
	*balance_r = balance;
	return 1;
}

struct lot {
	long long id;
	long long remaining;
	char campaign_id[41];
	unsigned campaign_version;
};

struct lot_page {
	struct lot lots[LOT_PAGE];
	unsigned n;
};

static int
lot_row(const struct db_row *row, void *arg)
{
	struct lot_page *pg = arg;
	if (pg->n == LOT_PAGE)
		return 0;
	struct lot *l = &pg->lots[pg->n++];
	l->id = strtoll(row->values[0], NULL, 10);
	l->remaining = strtoll(row->values[1], NULL, 10);
	l->campaign_id[0] = '\0';
	l->campaign_version = 0;
	if (row->ncols >= 4) {
		snprintf(l->campaign_id, sizeof(l->campaign_id), "%s",
		         row->values[2] != NULL ? row->values[2] : "");
		l->campaign_version = (unsigned)strtoul(row->values[3], NULL, 10);
	}
	return 0;
}

/* Takes amount points from the subscriber's lots, the first to expire first (lots that
 * never expire last, then by age). The lots are locked as they are read. When they hold
 * less than amount (a ledger written by hand), takes what there is. 0 ok, -1. */
static int
take_from_lots(struct db_conn *conn, long long subscriber_id, long long amount,
               struct db_error *err)
{
	long long left = amount;
	struct lot_page pg;

	while (left > 0) {
		struct db_param p[] = {DB_PARAM_INT(subscriber_id)};
		pg.n = 0;
		if (db_exec(conn,
		            "SELECT id, remaining FROM points_ledger"
		            " WHERE subscriber_id = ? AND remaining > 0"
		            " ORDER BY expires_at IS NULL, expires_at, id LIMIT 64 FOR UPDATE",
		            p, 1, lot_row, &pg, NULL, err) < 0)
			return -1;
		if (pg.n == 0)
			return 0;
		for (unsigned i = 0; i < pg.n && left > 0; i++) {
			long long take = pg.lots[i].remaining < left ? pg.lots[i].remaining : left;
			uint64_t affected = 0;
			struct db_param u[] = {DB_PARAM_INT(take), DB_PARAM_INT(pg.lots[i].id),
			                       DB_PARAM_INT(take)};
			if (db_exec(conn,
			            "UPDATE points_ledger SET remaining = remaining - ?"
			            " WHERE id = ? AND remaining >= ?",
			            u, 3, NULL, NULL, &affected, err) < 0)
				return -1;
			if (affected != 1) {
				err->code = 0;
				snprintf(err->msg, sizeof(err->msg),
				         "lot %lld changed while locked", pg.lots[i].id);
				return -1;
			}
			left -= take;
		}
		if (pg.n < LOT_PAGE)
			return 0;
	}
	return 0;
}

int
points_spend(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
             long long amount, const char *reason, const char *ref,
             enum points_spend_result *result_r, long long *balance_r, struct db_error *err)
{
	struct db_error ignored;
	uint64_t affected = 0;
	long long balance = 0;

	*result_r = POINTS_SHORT;
	if (amount <= 0) {
		err->code = 0;
		snprintf(err->msg, sizeof(err->msg), "points_spend: amount %lld is not positive",
		         amount);
		return -1;
	}
	if (db_exec_plain(conn, "SAVEPOINT points_spend", err) < 0)
		return -1;
	/* The ledger row first: a reused ref stops everything before the balance moves. */
	struct db_param l[] = {
	    DB_PARAM_INT(subscriber_id),
	    DB_PARAM_STR(scope->campaign_id),
	    DB_PARAM_INT(scope->campaign_version),
	    DB_PARAM_INT(-amount),
	    DB_PARAM_STR(reason),
	    DB_PARAM_STR(ref),
	};
	if (db_exec(
	        conn,
	        "INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version, delta,"
	        " reason, ref, remaining, expires_at, created_at)"
	        " VALUES (?, ?, ?, ?, ?, ?, 0, NULL, " NOW ") ON DUPLICATE KEY UPDATE id = id",
	        l, 6, NULL, NULL, &affected, err) < 0)
		return -1;
	if (affected == 0) {
		*result_r = POINTS_DUPLICATE;
		goto done;
	}
	/* The database keeps the balance from going negative, whatever C believed. */
	struct db_param u[] = {DB_PARAM_INT(amount), DB_PARAM_INT(subscriber_id),
	                       DB_PARAM_INT(amount)};
	if (db_exec(conn,
	            "UPDATE subscribers SET points = points - ?, updated_at = " NOW
	            " WHERE id = ? AND points >= ?",
	            u, 3, NULL, NULL, &affected, err) < 0)
		return -1;
	if (affected != 1) {
		if (db_exec_plain(conn, "ROLLBACK TO SAVEPOINT points_spend", err) < 0)
			return -1;
		*result_r = POINTS_SHORT;
		goto done;
	}
	if (take_from_lots(conn, subscriber_id, amount, err) < 0)
		return -1;
	*result_r = POINTS_SPENT;
done:
	db_exec_plain(conn, "RELEASE SAVEPOINT points_spend", &ignored);
	if (balance_r != NULL) {
		if (points_lock_subscriber(conn, subscriber_id, &balance, err) < 0)
			return -1;
		*balance_r = balance;
	}
	return 0;
}

struct id_list {
	long long *ids;
	unsigned n, max;
};

static int
id_row(const struct db_row *row, void *arg)
{
	struct id_list *l = arg;
	if (l->n < l->max)
		l->ids[l->n++] = strtoll(row->values[0], NULL, 10);
	return 0;
}

int
points_expired_subscribers(struct db_conn *conn, time_t now, long long after_id, long long *ids_r,
                           unsigned max, struct db_error *err)
{
	struct id_list list = {ids_r, 0, max};
	struct db_param p[] = {DB_PARAM_INT((long long)now), DB_PARAM_INT(after_id),
	                       DB_PARAM_INT(max)};
	if (db_exec(conn,
	            "SELECT DISTINCT subscriber_id FROM points_ledger"
	            " WHERE open_expires_at <= FROM_UNIXTIME(?) AND subscriber_id > ?"
	            " ORDER BY subscriber_id LIMIT ?",
	            p, 3, id_row, &list, NULL, err) < 0)
		return -1;
	return (int)list.n;
}

int
points_expire_subscriber(struct db_conn *conn, long long subscriber_id, time_t now,
                         struct points_expired *sum_r, struct db_error *err)
{
	struct lot_page pg;
	long long balance = 0;
	char ref[40];

	if (points_lock_subscriber(conn, subscriber_id, &balance, err) < 0)
		return -1;
	for (;;) {
		struct db_param p[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_INT((long long)now)};
		pg.n = 0;
		if (db_exec(conn,
		            "SELECT id, remaining, campaign_id, campaign_version FROM points_ledger"
		            " WHERE subscriber_id = ? AND remaining > 0"
		            " AND expires_at <= FROM_UNIXTIME(?)"
		            " ORDER BY expires_at, id LIMIT 64 FOR UPDATE",
		            p, 2, lot_row, &pg, NULL, err) < 0)
			return -1;
		for (unsigned i = 0; i < pg.n; i++) {
			const struct lot *lot = &pg.lots[i];
			/* Never below zero, even if something spent points without their lots. */
			long long amount = lot->remaining < balance ? lot->remaining : balance;
			uint64_t affected = 0;
			snprintf(ref, sizeof(ref), "expire:%lld", lot->id);
			struct db_param l[] = {
			    DB_PARAM_INT(subscriber_id),
			    DB_PARAM_STR(lot->campaign_id),
			    DB_PARAM_INT(lot->campaign_version),
			    DB_PARAM_INT(-amount),
			    DB_PARAM_STR(ref),
			};
			if (db_exec(conn,
			            "INSERT INTO points_ledger (subscriber_id, campaign_id,"
			            " campaign_version, delta, reason, ref, remaining, expires_at,"
			            " created_at) VALUES (?, ?, ?, ?, 'expiry', ?, 0, NULL, " NOW
			            ")"
			            " ON DUPLICATE KEY UPDATE id = id",
			            l, 5, NULL, NULL, &affected, err) < 0)
				return -1;
			/* affected == 0: expired before (its points are gone already); the lot
			 * only needs closing. */
			struct db_param c[] = {DB_PARAM_INT(lot->id)};
			if (db_exec(conn, "UPDATE points_ledger SET remaining = 0 WHERE id = ?", c,
			            1, NULL, NULL, NULL, err) < 0)
				return -1;
			if (affected == 0)
				continue;
			sum_r->lots++;
			if (amount == 0)
				continue;
			struct db_param u[] = {DB_PARAM_INT(amount), DB_PARAM_INT(subscriber_id),
			                       DB_PARAM_INT(amount)};
			if (db_exec(conn,
			            "UPDATE subscribers SET points = points - ?, updated_at = " NOW
			            " WHERE id = ? AND points >= ?",
			            u, 3, NULL, NULL, &affected, err) < 0)
				return -1;
			if (affected != 1) {
				err->code = 0;
				snprintf(err->msg, sizeof(err->msg),
				         "subscriber %lld changed while locked", subscriber_id);
				return -1;
			}
			balance -= amount;
			sum_r->points += amount;
		}
		if (pg.n < LOT_PAGE)
			return 0;
	}
}

struct preview {
	long long *subscribers;
	struct points_expired *sum;
};

static int
preview_row(const struct db_row *row, void *arg)
{
	struct preview *pv = arg;
	*pv->subscribers = strtoll(row->values[0], NULL, 10);
	pv->sum->lots = strtoll(row->values[1], NULL, 10);
	pv->sum->points = row->values[2] != NULL ? strtoll(row->values[2], NULL, 10) : 0;
	return 0;
}

int
points_expiry_preview(struct db_conn *conn, time_t now, long long *subscribers_r,
                      struct points_expired *sum_r, struct db_error *err)
{
	struct preview pv = {subscribers_r, sum_r};
	struct db_param p[] = {DB_PARAM_INT((long long)now)};
	*subscribers_r = 0;
	memset(sum_r, 0, sizeof(*sum_r));
	return db_exec(conn,
	               "SELECT COUNT(DISTINCT subscriber_id), COUNT(*), SUM(remaining)"
	               " FROM points_ledger WHERE open_expires_at <= FROM_UNIXTIME(?)",
	               p, 1, preview_row, &pv, NULL, err);
}

struct due_list {
	struct points_due *rows;
	unsigned n, max;
};

static int
due_row(const struct db_row *row, void *arg)
{
	struct due_list *l = arg;
	if (l->n < l->max) {
		l->rows[l->n].subscriber_id = strtoll(row->values[0], NULL, 10);
		l->rows[l->n].points = strtoll(row->values[1], NULL, 10);
		l->n++;
	}
	return 0;
}

int
points_due_page(struct db_conn *conn, const char *campaign_id, time_t now, time_t from, time_t to,
                long long after_id, struct points_due *rows_r, unsigned max, struct db_error *err)
{
	struct due_list list = {rows_r, 0, max};
	struct db_param p[] = {DB_PARAM_INT((long long)from), DB_PARAM_INT((long long)to),
	                       DB_PARAM_INT((long long)now),  DB_PARAM_STR(campaign_id),
	                       DB_PARAM_INT(after_id),        DB_PARAM_INT(max)};
	/* GROUP BY before LIMIT: a subscriber's lots are never split between pages. */
	if (db_exec(conn,
	            "SELECT subscriber_id, SUM(remaining) FROM points_ledger"
	            " WHERE open_expires_at >= FROM_UNIXTIME(?)"
	            " AND open_expires_at < FROM_UNIXTIME(?)"
	            " AND open_expires_at > FROM_UNIXTIME(?)"
	            " AND campaign_id = ? AND subscriber_id > ?"
	            " GROUP BY subscriber_id ORDER BY subscriber_id LIMIT ?",
	            p, 6, due_row, &list, NULL, err) < 0)
		return -1;
	return (int)list.n;
}

int
points_warning_day_done(struct db_conn *conn, const char *campaign_id, const char *day_key,
                        struct db_error *err)
{
	long long n = 0;
	struct db_param p[] = {DB_PARAM_STR(campaign_id), DB_PARAM_STR(day_key)};
	if (db_exec(
	        conn,
	        "SELECT COUNT(*) FROM points_warning_days WHERE campaign_id = ? AND day_key = ?", p,
	        2, one_value, &n, NULL, err) < 0)
		return -1;
	return n > 0 ? 1 : 0;
}

int
points_warning_day_mark(struct db_conn *conn, const char *campaign_id, const char *day_key,
                        long long warned, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(campaign_id), DB_PARAM_STR(day_key),
	                       DB_PARAM_INT(warned)};
	return db_exec(conn,
	               "INSERT INTO points_warning_days (campaign_id, day_key, warned, done_at)"
	               " VALUES (?, ?, ?, " NOW ") ON DUPLICATE KEY UPDATE warned = warned",
	               p, 3, NULL, NULL, NULL, err);
}

int
points_redemption_add(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
                      const char *item_id, long long cost, long long *id_r, struct db_error *err)
{
	long long id = 0;
	struct db_param p[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_STR(scope->campaign_id),
	                       DB_PARAM_INT(scope->campaign_version), DB_PARAM_STR(item_id),
	                       DB_PARAM_INT(cost)};
	if (db_exec(
	        conn,
	        "INSERT INTO redemptions (subscriber_id, campaign_id, campaign_version, item_id,"
	        " cost, created_at) VALUES (?, ?, ?, ?, ?, " NOW ")",
	        p, 5, NULL, NULL, NULL, err) < 0)
		return -1;
	if (db_exec(conn, "SELECT LAST_INSERT_ID()", NULL, 0, one_value, &id, NULL, err) < 0)
		return -1;
	*id_r = id;
	return 0;
}

int
points_redemption_set(struct db_conn *conn, long long id, long long points, long long chances,
                      const char *voucher, struct db_error *err)
{
	struct db_param p[] = {
	    DB_PARAM_INT(points),
	    DB_PARAM_INT(chances),
	    voucher != NULL ? DB_PARAM_STR(voucher) : (struct db_param){.type = DB_NULL},
	    DB_PARAM_INT(id),
	};
	return db_exec(
	    conn, "UPDATE redemptions SET points = ?, chances = ?, voucher_code = ? WHERE id = ?",
	    p, 4, NULL, NULL, NULL, err);
}

static int
points_row_fill(const struct db_row *row, void *arg)
{
	struct points_row *r = arg;
	r->id = strtoll(row->values[0], NULL, 10);
	r->subscriber_id = strtoll(row->values[1], NULL, 10);
	r->delta = strtoll(row->values[2], NULL, 10);
	r->remaining = strtoll(row->values[3], NULL, 10);
	snprintf(r->campaign_id, sizeof(r->campaign_id), "%s", row->values[4]);
	r->campaign_version = (unsigned)strtoul(row->values[5], NULL, 10);
	snprintf(r->reason, sizeof(r->reason), "%s", row->values[6]);
	snprintf(r->ref, sizeof(r->ref), "%s", row->values[7]);
	return 0;
}

int
points_row_by_ref(struct db_conn *conn, const char *ref, struct points_row *row_r,
                  struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(ref)};
	row_r->id = -1;
	if (db_exec(conn,
	            "SELECT id, subscriber_id, delta, remaining, campaign_id, campaign_version,"
	            " reason, ref FROM points_ledger WHERE ref = ?",
	            p, 1, points_row_fill, row_r, NULL, err) < 0)
		return -1;
	return row_r->id >= 0 ? 1 : 0;
}

int
points_reverse(struct db_conn *conn, const struct points_row *row, unsigned expiry_days,
               enum points_reverse_result *result_r, long long *delta_r, long long *balance_r,
               struct db_error *err)
{
	struct db_error ignored;
	uint64_t affected = 0;
	long long balance = 0, amount = row->delta > 0 ? row->delta : -row->delta;
	int award = row->delta > 0;
	char ref[140];

	*result_r = POINTS_REVERSE_NOTHING;
	*delta_r = 0;
	if (points_lock_subscriber(conn, row->subscriber_id, &balance, err) < 0)
		return -1;
	*balance_r = balance;
	if (award) {
		/* What expired of the award's lot has left the balance already. */
		long long expired = 0;
		snprintf(ref, sizeof(ref), "expire:%lld", row->id);
		struct db_param e[] = {DB_PARAM_STR(ref)};
		if (db_exec(conn, "SELECT -delta FROM points_ledger WHERE ref = ?", e, 1, one_value,
		            &expired, NULL, err) < 0)
			return -1;
		amount -= expired > 0 ? expired : 0;
	}
	if (amount <= 0)
		return 0;
	snprintf(ref, sizeof(ref), "reverse:%s", row->ref);
	if (db_exec_plain(conn, "SAVEPOINT points_reverse", err) < 0)
		return -1;
	/* The compensating row first: a second reversal stops before anything moves. */
	struct db_param l[] = {
	    DB_PARAM_INT(row->subscriber_id),
	    DB_PARAM_STR(row->campaign_id),
	    DB_PARAM_INT(row->campaign_version),
	    DB_PARAM_INT(award ? -amount : amount),
	    DB_PARAM_STR(award ? "reversal" : "refund"),
	    DB_PARAM_STR(ref),
	    DB_PARAM_INT(award ? 0 : amount),
	    DB_PARAM_INT(award ? 0 : (long long)expiry_days),
	    DB_PARAM_INT((long long)expiry_days),
	};
	if (db_exec(
	        conn,
	        "INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version, delta,"
	        " reason, ref, remaining, expires_at, created_at)"
	        " VALUES (?, ?, ?, ?, ?, ?, ?, IF(? > 0, " NOW " + INTERVAL ? DAY, NULL), " NOW
	        ") ON DUPLICATE KEY UPDATE id = id",
	        l, 9, NULL, NULL, &affected, err) < 0)
		return -1;
	if (affected == 0) {
		*result_r = POINTS_REVERSE_DUPLICATE;
		goto done;
	}
	if (!award) {
		struct db_param u[] = {DB_PARAM_INT(amount), DB_PARAM_INT(row->subscriber_id)};
		if (db_exec(conn,
		            "UPDATE subscribers SET points = points + ?, updated_at = " NOW
		            " WHERE id = ?",
		            u, 2, NULL, NULL, NULL, err) < 0)
			return -1;
		*result_r = POINTS_REVERSED;
		*delta_r = amount;
		goto done;
	}
	/* The database keeps the balance from going negative, whatever C believed. */
	struct db_param u[] = {DB_PARAM_INT(amount), DB_PARAM_INT(amount),
	                       DB_PARAM_INT(row->subscriber_id), DB_PARAM_INT(amount)};
	if (db_exec(conn,
	            "UPDATE subscribers SET points = points - ?,"
	            " qualifying_points = GREATEST(qualifying_points - ?, 0), updated_at = " NOW
	            " WHERE id = ? AND points >= ?",
	            u, 4, NULL, NULL, &affected, err) < 0)
		return -1;
	if (affected != 1) {
		if (db_exec_plain(conn, "ROLLBACK TO SAVEPOINT points_reverse", err) < 0)
			return -1;
		*result_r = POINTS_REVERSE_SHORT;
		*delta_r = -amount; /* what it would have been */
		goto done;
	}
	/* The award's own lot first, then the others. */
	long long own = 0;
	struct db_param o[] = {DB_PARAM_INT(row->id)};
	if (db_exec(conn, "SELECT remaining FROM points_ledger WHERE id = ? FOR UPDATE", o, 1,
	            one_value, &own, NULL, err) < 0)
		return -1;
	long long take = own < amount ? own : amount;
	if (take > 0) {
		struct db_param t[] = {DB_PARAM_INT(take), DB_PARAM_INT(row->id)};
		if (db_exec(conn, "UPDATE points_ledger SET remaining = remaining - ? WHERE id = ?",
		            t, 2, NULL, NULL, NULL, err) < 0)
			return -1;
	}
	if (amount > take && take_from_lots(conn, row->subscriber_id, amount - take, err) < 0)
		return -1;
	*result_r = POINTS_REVERSED;
	*delta_r = -amount;
done:
	db_exec_plain(conn, "RELEASE SAVEPOINT points_reverse", &ignored);
	if (points_lock_subscriber(conn, row->subscriber_id, &balance, err) < 0)
		return -1;
	*balance_r = balance;
	return 0;
}

int
points_correction_note(struct db_conn *conn, const char *ledger_ref, long long subscriber_id,
                       long long delta, const char *note, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(ledger_ref), DB_PARAM_INT(subscriber_id),
	                       DB_PARAM_INT(delta), DB_PARAM_STR(note)};
	return db_exec(conn,
	               "INSERT INTO points_corrections (ledger_ref, subscriber_id, delta, note,"
	               " created_at) VALUES (?, ?, ?, ?, " NOW ") ON DUPLICATE KEY UPDATE"
	               " note = note",
	               p, 4, NULL, NULL, NULL, err);
}

static int
msisdn_row(const struct db_row *row, void *arg)
{
	snprintf(arg, MSISDN_BYTES, "%s", row->values[0] != NULL ? row->values[0] : "");
	return 0;
}

int
points_subscriber_msisdn(struct db_conn *conn, long long subscriber_id, char *msisdn_r,
                         struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_INT(subscriber_id)};
	msisdn_r[0] = '\0';
	return db_exec(conn, "SELECT msisdn FROM subscribers WHERE id = ?", p, 1, msisdn_row,
	               msisdn_r, NULL, err);
}
