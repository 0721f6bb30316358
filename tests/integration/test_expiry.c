/*
 * Integration: points spending, expiry, expiry warnings, redemptions and voucher imports
 * against the real private MariaDB — spending takes the lots that expire first and is
 * refused with nothing changed when the balance is short; expiring twice expires once;
 * a warning goes once per subscriber and day; a redemption is all or nothing; and
 * under 4 threads redeeming while 2 threads run the expiry job, every balance still
 * equals the sum of its ledger and of its lots, and no lot goes below zero.
 *
 * The pure parts (the import file reader, catalog lookup and listing, --now) are
 * tested here too, with tables of cases.
 */
#include "check.h"
#include "core/buf.h"
#include "game/campaign.h"
#include "game/expiry.h"
#include "game/redeem.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/points.h"
#include "store/subscribers.h"
#include "store/vouchers.h"
#include "testdb.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static const char *const langs[] = {"fa", "en"};

/* A campaign in UTC with points that expire after 30 days, warned 7 days before, and a
 * catalog: a voucher, a lottery chance, bonus points. */
static const char campaign_json[] =
    "{\"id\": \"club\", \"name\": {\"fa\": \"باشگاه\", \"en\": \"Club\"},"
    " \"timezone\": \"UTC\", \"starts\": \"2020-01-01\", \"ends\": \"2099-12-31\","
    " \"short_codes\": [\"3000\"],"
    " \"points\": {\"expiry_days\": 30, \"expiry_warning_days\": 7},"
    " \"catalog\": ["
    "  {\"id\": \"data-1g\", \"name\": {\"fa\": \"بسته\", \"en\": \"1 GB\"}, \"cost\": 11,"
    "   \"reward\": {\"voucher_pool\": \"data-1g\"}},"
    "  {\"id\": \"chance\", \"name\": {\"fa\": \"شانس\", \"en\": \"A chance\"}, \"cost\": 7,"
    "   \"reward\": {\"chances\": 1}},"
    "  {\"id\": \"bonus\", \"name\": {\"fa\": \"جایزه\", \"en\": \"Bonus\"}, \"cost\": 5,"
    "   \"reward\": {\"points\": 2}}"
    " ]}";

static struct campaign *
test_campaign(void)
{
	struct buf errors = BUF_INIT;
	struct campaign *c = campaign_parse(campaign_json, sizeof(campaign_json) - 1, "test", "UTC",
	                                    langs, 2, &errors);
	if (c == NULL)
		fprintf(stderr, "campaign: %s", buf_cstr(&errors));
	buf_free(&errors);
	if (c != NULL)
		c->version = 1;
	return c;
}

/* vouchers_read over len bytes of text, through a temporary file. */
static int
read_text(const char *text, size_t len, struct vouchers_file *f, const char **why_r)
{
	FILE *in = tmpfile();
	if (in == NULL || fwrite(text, 1, len, in) != len) {
		fprintf(stderr, "tmpfile failed\n");
		exit(1);
	}
	rewind(in);
	int rc = vouchers_read(in, f, why_r);
	fclose(in);
	return rc;
}

/* n members +98912000000<k> (k from 1), no points yet. */
static void
add_subscribers(struct db_conn *c, int n)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
	         "INSERT INTO subscribers (msisdn, lang, joined_at, created_at, updated_at)"
	         " SELECT CONCAT('+98912', LPAD(seq, 7, '0')), 'en', UTC_TIMESTAMP(6),"
	         " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_1_to_%d",
	         n);
	testdb_exec(c, sql);
}

/* A lot of `points` for subscriber id expiring `expires` ("NULL" or an SQL expression),
 * with the balance moved as the game does. */
static void
add_lot(struct db_conn *c, long long id, long long points, const char *expires, const char *ref)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
	         "INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version, delta,"
	         " reason, ref, remaining, expires_at, created_at) VALUES (%lld, 'club', 1, %lld,"
	         " 'test', '%s', %lld, %s, UTC_TIMESTAMP(6))",
	         id, points, ref, points, expires);
	testdb_exec(c, sql);
	snprintf(sql, sizeof(sql), "UPDATE subscribers SET points = points + %lld WHERE id = %lld",
	         points, id);
	testdb_exec(c, sql);
}

static long long
remaining_of(struct db_conn *c, const char *ref)
{
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT remaining FROM points_ledger WHERE ref = '%s'", ref);
	return testdb_value(c, sql);
}

/* Subscribers whose balance differs from their ledger, or from what their lots hold. */
static long long
inconsistent(struct db_conn *c)
{
	return testdb_value(c, "SELECT COUNT(*) FROM subscribers s WHERE s.points <>"
	                       " (SELECT COALESCE(SUM(delta), 0) FROM points_ledger l"
	                       "  WHERE l.subscriber_id = s.id)"
	                       " OR s.points <> (SELECT COALESCE(SUM(remaining), 0) FROM"
	                       "  points_ledger l WHERE l.subscriber_id = s.id)"
	                       " OR s.points < 0");
}

struct spend_tx {
	struct game_scope scope;
	long long id, amount;
	const char *ref;
	enum points_spend_result result;
	long long balance;
};

static int
spend_body(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct spend_tx *t = arg;
	return points_spend(conn, &t->scope, t->id, t->amount, "test", t->ref, &t->result,
	                    &t->balance, err);
}

static int
spend(struct db_conn *c, long long id, long long amount, const char *ref,
      enum points_spend_result *result_r, long long *balance_r)
{
	struct db_error err = {0};
	struct spend_tx t = {{"club", 1}, id, amount, ref, POINTS_SHORT, -1};
	int rc = db_tx(c, spend_body, &t, &err);
	if (rc < 0)
		fprintf(stderr, "spend: %s\n", err.msg);
	*result_r = t.result;
	*balance_r = t.balance;
	return rc;
}

static void
test_spend_oldest_first(void)
{
	struct db_settings s;
	enum points_spend_result r;
	long long balance = 0;
	struct db_conn *c = testdb_migrated("exp_spend", &s);

	add_subscribers(c, 1);
	add_lot(c, 1, 30, "UTC_TIMESTAMP(6) + INTERVAL 10 DAY", "lot-a");
	add_lot(c, 1, 20, "UTC_TIMESTAMP(6) + INTERVAL 5 DAY", "lot-b");
	add_lot(c, 1, 50, "NULL", "lot-c");
	add_lot(c, 1, 10, "UTC_TIMESTAMP(6) + INTERVAL 5 DAY", "lot-d");

	/* 25: all of b (expires first), 5 of d (same day, younger). */
	CHECK(spend(c, 1, 25, "spend-1", &r, &balance) == 0);
	CHECK(r == POINTS_SPENT && balance == 85);
	CHECK(remaining_of(c, "lot-b") == 0 && remaining_of(c, "lot-d") == 5);
	CHECK(remaining_of(c, "lot-a") == 30 && remaining_of(c, "lot-c") == 50);
	CHECK(testdb_value(c, "SELECT delta FROM points_ledger WHERE ref = 'spend-1'") == -25);

	/* 60: the rest of d, all of a, then the lot that never expires. */
	CHECK(spend(c, 1, 60, "spend-2", &r, &balance) == 0);
	CHECK(r == POINTS_SPENT && balance == 25);
	CHECK(remaining_of(c, "lot-d") == 0 && remaining_of(c, "lot-a") == 0);
	CHECK(remaining_of(c, "lot-c") == 25);
	CHECK(inconsistent(c) == 0);

	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_short_balance_changes_nothing(void)
{
	struct db_settings s;
	enum points_spend_result r;
	long long balance = 0;
	struct db_conn *c = testdb_migrated("exp_short", &s);

	add_subscribers(c, 1);
	add_lot(c, 1, 10, "UTC_TIMESTAMP(6) + INTERVAL 1 DAY", "lot-a");
	add_lot(c, 1, 5, "NULL", "lot-b");
	long long rows = testdb_value(c, "SELECT COUNT(*) FROM points_ledger");

	CHECK(spend(c, 1, 16, "too-much", &r, &balance) == 0);
	CHECK(r == POINTS_SHORT && balance == 15);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_ledger") == rows);
	CHECK(remaining_of(c, "lot-a") == 10 && remaining_of(c, "lot-b") == 5);
	CHECK(testdb_value(c, "SELECT points FROM subscribers WHERE id = 1") == 15);

	/* The whole balance is fine; the same ref again changes nothing. */
	CHECK(spend(c, 1, 15, "all", &r, &balance) == 0);
	CHECK(r == POINTS_SPENT && balance == 0);
	add_lot(c, 1, 40, "NULL", "lot-c");
	CHECK(spend(c, 1, 15, "all", &r, &balance) == 0);
	CHECK(r == POINTS_DUPLICATE && balance == 40);
	CHECK(remaining_of(c, "lot-c") == 40);
	CHECK(inconsistent(c) == 0);

	/* Nobody can spend what they do not have, even by asking for a negative amount. */
	struct db_error err = {0};
	struct spend_tx t = {{"club", 1}, 1, -5, "negative", POINTS_SHORT, -1};
	CHECK(db_tx(c, spend_body, &t, &err) == -1);

	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_expiry_twice_is_once(void)
{
	struct db_settings s;
	struct db_error err = {0};
	struct expiry_stats st;
	enum points_spend_result r;
	long long balance;
	struct db_conn *c = testdb_migrated("exp_twice", &s);

	add_subscribers(c, 3);
	add_lot(c, 1, 20, "UTC_TIMESTAMP(6) - INTERVAL 1 DAY", "s1-old");
	add_lot(c, 1, 7, "UTC_TIMESTAMP(6) + INTERVAL 3 DAY", "s1-new");
	add_lot(c, 2, 9, "UTC_TIMESTAMP(6) - INTERVAL 2 HOUR", "s2-old");
	add_lot(c, 2, 4, "NULL", "s2-never");
	add_lot(c, 3, 6, "UTC_TIMESTAMP(6) + INTERVAL 1 DAY", "s3-new");
	/* 15 spent: the old lot first, so only 5 of it are left to expire. */
	CHECK(spend(c, 1, 15, "s1-spend", &r, &balance) == 0 && r == POINTS_SPENT);

	struct expiry_options dry = {.now = time(NULL), .dry_run = 1};
	CHECK(expiry_run(c, &dry, &st, &err) == 0);
	CHECK(st.subscribers == 2 && st.lots == 2 && st.points == 14);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_ledger WHERE reason = 'expiry'") == 0);

	struct expiry_options opt = {.now = time(NULL), .batch = 1};
	CHECK(expiry_run(c, &opt, &st, &err) == 0);
	CHECK(st.subscribers == 2 && st.lots == 2 && st.points == 14 && !st.more);
	CHECK(testdb_value(c, "SELECT points FROM subscribers WHERE id = 1") == 7);
	CHECK(testdb_value(c, "SELECT points FROM subscribers WHERE id = 2") == 4);
	CHECK(testdb_value(c, "SELECT points FROM subscribers WHERE id = 3") == 6);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_ledger WHERE reason = 'expiry'") == 2);
	CHECK(testdb_value(c, "SELECT l.delta FROM points_ledger l JOIN points_ledger o"
	                      " ON l.ref = CONCAT('expire:', o.id) WHERE o.ref = 's1-old'") == -5);

	/* Again: nothing left to expire. */
	CHECK(expiry_run(c, &opt, &st, &err) == 0);
	CHECK(st.subscribers == 0 && st.lots == 0 && st.points == 0);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_ledger WHERE reason = 'expiry'") == 2);

	/* A later run (here: as if four days from now) takes the lots that expire by then. */
	opt.now = time(NULL) + 4 * 86400;
	CHECK(expiry_run(c, &opt, &st, &err) == 0);
	CHECK(st.subscribers == 2 && st.lots == 2 && st.points == 13);
	CHECK(testdb_value(c, "SELECT SUM(points) FROM subscribers") == 4);
	CHECK(testdb_value(
	          c, "SELECT COUNT(*) FROM points_ledger WHERE open_expires_at IS NOT NULL") == 0);
	CHECK(inconsistent(c) == 0);

	/* A batch limit stops early and says so. */
	add_lot(c, 1, 1, "UTC_TIMESTAMP(6) - INTERVAL 1 DAY", "late-1");
	add_lot(c, 2, 1, "UTC_TIMESTAMP(6) - INTERVAL 1 DAY", "late-2");
	struct expiry_options one = {.now = time(NULL), .batch = 1, .max_batches = 1};
	CHECK(expiry_run(c, &one, &st, &err) == 0);
	CHECK(st.lots == 1 && st.more == 1);
	CHECK(expiry_run(c, &one, &st, &err) == 0);
	CHECK(st.lots == 1);
	CHECK(expiry_run(c, &one, &st, &err) == 0);
	CHECK(st.lots == 0 && st.more == 0);
	CHECK(inconsistent(c) == 0);

	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_warning_once_per_subscriber_and_day(void)
{
	struct db_settings s;
	struct db_error err = {0};
	struct expiry_stats st;
	struct campaign *camp = test_campaign();
	struct db_conn *c = testdb_migrated("exp_warn", &s);
	time_t now = time(NULL);
	/* Noon UTC three days ahead, so two lots an hour apart share the day. */
	time_t day3 = now - now % 86400 + 3 * 86400 + 12 * 3600;
	char expr[96], day_key[16], sql[256];

	if (camp == NULL) {
		CHECK(camp != NULL);
		return;
	}
	add_subscribers(c, 3);
	snprintf(expr, sizeof(expr), "FROM_UNIXTIME(%lld)", (long long)day3);
	add_lot(c, 1, 10, expr, "w1-a");
	snprintf(expr, sizeof(expr), "FROM_UNIXTIME(%lld)", (long long)day3 + 3600);
	add_lot(c, 1, 15, expr, "w1-b");
	snprintf(expr, sizeof(expr), "FROM_UNIXTIME(%lld)", (long long)day3);
	add_lot(c, 2, 5, expr, "w2-a");
	add_lot(c, 3, 8, "UTC_TIMESTAMP(6) + INTERVAL 20 DAY", "w3-later");
	struct tm tm;
	gmtime_r(&day3, &tm);
	strftime(day_key, sizeof(day_key), "%Y-%m-%d", &tm);

	struct campaign *list[] = {camp};
	struct expiry_options dry = {.now = now, .dry_run = 1, .campaigns = list, .ncampaigns = 1};
	CHECK(expiry_run(c, &dry, &st, &err) == 0);
	CHECK(st.warnings == 2);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM notifications") == 0);

	struct expiry_options opt = {.now = now, .campaigns = list, .ncampaigns = 1};
	CHECK(expiry_run(c, &opt, &st, &err) == 0);
	CHECK(st.warnings == 2);
	CHECK(testdb_value(c,
	                   "SELECT COUNT(*) FROM notifications WHERE template = 'points_expiring'"
	                   " AND kind = 'transactional' AND status = 'pending'") == 2);
	snprintf(sql, sizeof(sql),
	         "SELECT COUNT(*) FROM notifications WHERE subscriber_id = 1 AND"
	         " vars = '{\"points\":\"25\",\"date\":\"%s\"}'",
	         day_key);
	CHECK(testdb_value(c, sql) == 1);
	snprintf(sql, sizeof(sql),
	         "SELECT COUNT(*) FROM notifications WHERE subscriber_id = 2 AND"
	         " ref = 'expwarn:club:2:%s'",
	         day_key);
	CHECK(testdb_value(c, sql) == 1);
	/* Days 0-7 are done, with or without lots. */
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_warning_days") == 8);

	/* Again, and again with the record of done days gone: still one warning each. */
	CHECK(expiry_run(c, &opt, &st, &err) == 0);
	CHECK(st.warnings == 0);
	testdb_exec(c, "DELETE FROM points_warning_days");
	CHECK(expiry_run(c, &opt, &st, &err) == 0);
	CHECK(st.warnings == 0);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM notifications") == 2);

	/* Thirteen days on, the third subscriber's lot comes into the window. */
	opt.now = now + 13 * 86400;
	CHECK(expiry_run(c, &opt, &st, &err) == 0);
	CHECK(st.warnings == 1);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM notifications WHERE subscriber_id = 3") == 1);

	db_conn_free(c);
	testdb_drop(&s);
	campaign_free(camp);
}

struct redeem_tx {
	const struct campaign *c;
	const char *msisdn;
	unsigned item;
	struct redeem_result res;
};

static int
redeem_body(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct redeem_tx *t = arg;
	struct subscriber s;
	if (subscribers_lock(conn, t->msisdn, &s, err) < 0)
		return -1;
	return redeem_item(conn, t->c, t->item, s.id, &t->res, err);
}

static void
import_codes(struct db_conn *c, const char *pool, const char *text, long long *imported_r)
{
	struct vouchers_file f;
	struct db_error err = {0};
	const char *why = NULL;
	CHECK(read_text(text, strlen(text), &f, &why) == 0);
	if (vouchers_import(c, pool, &f, imported_r, &err) < 0)
		fprintf(stderr, "import: %s\n", err.msg);
	vouchers_file_free(&f);
}

static void
test_redeem_all_or_nothing(void)
{
	struct db_settings s;
	struct db_error err = {0};
	struct campaign *camp = test_campaign();
	struct db_conn *c = testdb_migrated("exp_redeem", &s);
	long long imported = 0;

	if (camp == NULL) {
		CHECK(camp != NULL);
		return;
	}
	add_subscribers(c, 2);
	add_lot(c, 1, 30, "UTC_TIMESTAMP(6) + INTERVAL 9 DAY", "r-a");
	import_codes(c, "data-1g", "code\nONLY-ONE\n", &imported);
	CHECK(imported == 1);

	struct redeem_tx t = {camp, "+989120000001", 0, {0}};
	CHECK(db_tx(c, redeem_body, &t, &err) == 0);
	CHECK(t.res.outcome == REDEEM_DONE && t.res.balance == 19);
	CHECK_STR(t.res.reward.voucher, "ONLY-ONE");
	CHECK(testdb_value(c, "SELECT subscriber_id FROM vouchers WHERE code = 'ONLY-ONE'") == 1);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM redemptions WHERE item_id = 'data-1g' AND"
	                      " cost = 11 AND voucher_code = 'ONLY-ONE'") == 1);
	CHECK(testdb_value(c, "SELECT delta FROM points_ledger WHERE ref = CONCAT('redeem:',"
	                      " (SELECT id FROM redemptions))") == -11);

	/* The pool is empty now: refused, nothing spent, nothing recorded. */
	long long rows = testdb_value(c, "SELECT COUNT(*) FROM points_ledger");
	CHECK(db_tx(c, redeem_body, &t, &err) == 0);
	CHECK(t.res.outcome == REDEEM_NO_STOCK && t.res.balance == 19);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_ledger") == rows);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM redemptions") == 1);
	CHECK(testdb_value(c, "SELECT points FROM subscribers WHERE id = 1") == 19);

	/* A chance (7) twice, then 5 left: too few for a third. */
	t.item = 1;
	CHECK(db_tx(c, redeem_body, &t, &err) == 0 && t.res.outcome == REDEEM_DONE);
	CHECK(db_tx(c, redeem_body, &t, &err) == 0 && t.res.outcome == REDEEM_DONE);
	CHECK(t.res.balance == 5 && t.res.reward.chances == 1);
	CHECK(db_tx(c, redeem_body, &t, &err) == 0);
	CHECK(t.res.outcome == REDEEM_SHORT && t.res.balance == 5);
	CHECK(testdb_value(c, "SELECT chances FROM subscribers WHERE id = 1") == 2);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM redemptions") == 3);

	/* Bonus points (cost 5, gives 2): the whole balance goes, a new lot comes. */
	t.item = 2;
	CHECK(db_tx(c, redeem_body, &t, &err) == 0);
	CHECK(t.res.outcome == REDEEM_DONE && t.res.balance == 2 && t.res.reward.points == 2);
	CHECK(remaining_of(c, "r-a") == 0);
	CHECK(testdb_value(c, "SELECT points FROM subscribers WHERE id = 1") == 2);
	CHECK(inconsistent(c) == 0);

	/* Someone without points. */
	struct redeem_tx u = {camp, "+989120000002", 1, {0}};
	CHECK(db_tx(c, redeem_body, &u, &err) == 0);
	CHECK(u.res.outcome == REDEEM_SHORT && u.res.balance == 0);

	db_conn_free(c);
	testdb_drop(&s);
	campaign_free(camp);
}

static void
test_import_is_idempotent_and_exact(void)
{
	struct db_settings s;
	struct db_error err = {0};
	struct vouchers_stock st;
	long long imported = 0;
	struct db_conn *c = testdb_migrated("exp_import", &s);

	import_codes(c, "snapp", "AB-1\nab-1\nAB-2\n", &imported);
	CHECK(imported == 3); /* codes are exact: ab-1 is not AB-1 */
	import_codes(c, "snapp", "AB-2\nAB-3\n", &imported);
	CHECK(imported == 1);
	import_codes(c, "other", "AB-1\n", &imported);
	CHECK(imported == 1); /* pools are apart */
	CHECK(vouchers_pool_stock(c, "snapp", &st, &err) == 0);
	CHECK(st.total == 4 && st.free_codes == 4);
	CHECK(vouchers_pool_stock(c, "none", &st, &err) == 0);
	CHECK(st.total == 0 && st.free_codes == 0);

	struct vouchers_stock *rows = NULL;
	size_t n = 0;
	CHECK(vouchers_list(c, &rows, &n, &err) == 0);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(rows[0].pool, "other");
		CHECK_STR(rows[1].pool, "snapp");
		CHECK(rows[1].total == 4);
	}
	struct buf low = BUF_INIT;
	expiry_describe_low(rows, n, &low);
	CHECK_STR(buf_cstr(&low), "other (1 free of 1), snapp (4 free of 4)");
	buf_free(&low);
	free(rows);

	db_conn_free(c);
	testdb_drop(&s);
}

/* ---- 4 threads redeeming while 2 threads expire ---- */

#define CONC_SUBSCRIBERS 200
#define CONC_SECONDS     4

struct conc {
	struct db_settings *s;
	const struct campaign *c;
	atomic_int stop;
	atomic_long redeemed, refused, expired_lots, errors;
};

static void *
redeemer(void *arg)
{
	struct conc *k = arg;
	struct db_conn *c = db_conn_new(k->s);
	struct db_error err = {0};
	unsigned seed = (unsigned)(uintptr_t)&err;
	char msisdn[20];

	while (!atomic_load(&k->stop)) {
		snprintf(msisdn, sizeof(msisdn), "+98912%07d",
		         1 + rand_r(&seed) % CONC_SUBSCRIBERS);
		struct redeem_tx t = {k->c, msisdn, (unsigned)rand_r(&seed) % 3, {0}};
		if (db_tx(c, redeem_body, &t, &err) < 0) {
			fprintf(stderr, "redeem: %s\n", err.msg);
			atomic_fetch_add(&k->errors, 1);
		} else if (t.res.outcome == REDEEM_DONE) {
			atomic_fetch_add(&k->redeemed, 1);
		} else {
			atomic_fetch_add(&k->refused, 1);
		}
	}
	db_conn_free(c);
	db_thread_end();
	return NULL;
}

static void *
expirer(void *arg)
{
	struct conc *k = arg;
	struct db_conn *c = db_conn_new(k->s);
	struct db_error err = {0};
	struct expiry_stats st;
	struct campaign *list[] = {(struct campaign *)k->c};

	while (!atomic_load(&k->stop)) {
		struct expiry_options opt = {
		    .now = time(NULL), .batch = 16, .campaigns = list, .ncampaigns = 1};
		if (expiry_run(c, &opt, &st, &err) < 0) {
			fprintf(stderr, "expire: %s\n", err.msg);
			atomic_fetch_add(&k->errors, 1);
		}
		atomic_fetch_add(&k->expired_lots, st.lots);
	}
	db_conn_free(c);
	db_thread_end();
	return NULL;
}

static void
test_redeem_and_expire_concurrently(void)
{
	struct db_settings s;
	struct db_error err = {0};
	struct expiry_stats st;
	struct campaign *camp = test_campaign();
	struct db_conn *c = testdb_migrated("exp_conc", &s);
	struct conc k = {.s = &s, .c = camp};
	pthread_t t[6];
	char sql[600];

	if (camp == NULL) {
		CHECK(camp != NULL);
		return;
	}
	add_subscribers(c, CONC_SUBSCRIBERS);
	/* Five lots each: expired, expiring during the run (0-3 s from now), in a few days
	 * (warned), in a month, never. */
	static const char *const when[] = {
	    "UTC_TIMESTAMP(6) - INTERVAL 1 + seq % 5 HOUR",
	    "UTC_TIMESTAMP(6) + INTERVAL (seq % 4000) * 1000 MICROSECOND",
	    "UTC_TIMESTAMP(6) + INTERVAL 1 + seq % 6 DAY",
	    "UTC_TIMESTAMP(6) + INTERVAL 30 DAY",
	    "NULL",
	};
	for (int i = 0; i < 5; i++) {
		snprintf(
		    sql, sizeof(sql),
		    "INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version,"
		    " delta, reason, ref, remaining, expires_at, created_at)"
		    " SELECT seq, 'club', 1, 5 + (seq * %d) %% 17, 'test', CONCAT('lot-%d-', seq),"
		    " 5 + (seq * %d) %% 17, %s, UTC_TIMESTAMP(6) FROM seq_1_to_%d",
		    i + 3, i, i + 3, when[i], CONC_SUBSCRIBERS);
		testdb_exec(c, sql);
	}
	testdb_exec(c, "UPDATE subscribers s SET points = (SELECT SUM(delta) FROM points_ledger l"
	               " WHERE l.subscriber_id = s.id)");
	/* Enough codes that the pool never runs dry here. */
	struct buf codes = BUF_INIT;
	for (int i = 0; i < 3000; i++)
		buf_printf(&codes, "CODE-%05d\n", i);
	long long imported = 0;
	import_codes(c, "data-1g", buf_cstr(&codes), &imported);
	buf_free(&codes);
	CHECK(imported == 3000);

	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, redeemer, &k);
	for (int i = 4; i < 6; i++)
		pthread_create(&t[i], NULL, expirer, &k);
	sleep(CONC_SECONDS);
	atomic_store(&k.stop, 1);
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	printf("     %ld redeemed, %ld refused, %ld lots expired, %ld errors, %llu retries\n",
	       atomic_load(&k.redeemed), atomic_load(&k.refused), atomic_load(&k.expired_lots),
	       atomic_load(&k.errors), (unsigned long long)db_stat_retries());

	CHECK(atomic_load(&k.errors) == 0);
	CHECK(atomic_load(&k.redeemed) > 0 && atomic_load(&k.expired_lots) > 0);
	CHECK(inconsistent(c) == 0);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_ledger WHERE remaining < 0") == 0);
	CHECK(testdb_value(
	          c, "SELECT COUNT(*) FROM points_ledger WHERE delta < 0 AND remaining <> 0") == 0);
	/* Every voucher handed out belongs to one redemption of it. */
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM vouchers WHERE subscriber_id IS NOT NULL") ==
	      testdb_value(c, "SELECT COUNT(*) FROM redemptions WHERE item_id = 'data-1g'"));
	/* One more run expires whatever is due, and leaves everything consistent. */
	struct expiry_options opt = {.now = time(NULL)};
	CHECK(expiry_run(c, &opt, &st, &err) == 0);
	CHECK(testdb_value(c,
	                   "SELECT COUNT(*) FROM points_ledger WHERE expires_at <= UTC_TIMESTAMP()"
	                   " AND remaining > 0") == 0);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_ledger WHERE reason = 'expiry'") ==
	      testdb_value(
	          c, "SELECT COUNT(DISTINCT ref) FROM points_ledger WHERE reason = 'expiry'"));
	CHECK(inconsistent(c) == 0);
	/* Each subscriber with lots due in 1-6 days was warned once per day. */
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM notifications") > 0);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM notifications") ==
	      testdb_value(c, "SELECT COUNT(DISTINCT subscriber_id, JSON_VALUE(vars, '$.date'))"
	                      " FROM notifications"));

	db_conn_free(c);
	testdb_drop(&s);
	campaign_free(camp);
}

/* ---- pure parts ---- */

static void
test_import_file_reader(void)
{
	static const struct {
		const char *text;
		size_t ncodes;
		unsigned long bad, duplicates;
		const char *report; /* vouchers_report with file name "f" */
	} cases[] = {
	    {"code\nA1\nA2\n", 2, 0, 0, ""},
	    {"\xEF\xBB\xBF"
	     "Code\r\nA1\r\n\r\n  A2  \r\n",
	     2, 0, 0, ""},
	    {"A1\nA2\nA1\n\ncode\n", 3, 0, 1, "f:3: duplicate of line 1; skipped\n"},
	    {"\"A1\"\n\"\"\n\" A2 \"\n", 2, 1, 0, "f:2: an empty code; skipped\n"},
	    {"A1,2026\nA;2\nA\"3\nA\tB\n", 0, 4, 0,
	     "f:1: more than one column (',' at character 3); one code per line; skipped\n"
	     "f:2: more than one column (';' at character 2); one code per line; skipped\n"
	     "f:3: a stray double quote at character 2; skipped\n"
	     "f:4: not printable ASCII (byte 0x09 at character 2); codes are letters, digits "
	     "and punctuation; skipped\n"},
	    {"\xD8\xA7\xD8\xA8\nok", 1, 1, 0,
	     "f:1: not printable ASCII (byte 0xd8 at character 1); codes are letters, digits and "
	     "punctuation; skipped\n"},
	    {"", 0, 0, 0, ""},
	    {"\n\n  \n", 0, 0, 0, ""},
	    {"with space inside\n", 1, 0, 0, ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vouchers_file f;
		struct buf report = BUF_INIT;
		const char *why = NULL;
		CHECK(read_text(cases[i].text, strlen(cases[i].text), &f, &why) == 0);
		vouchers_report(&f, "f", "p", &report);
		if (f.ncodes != cases[i].ncodes || f.bad != cases[i].bad ||
		    f.duplicates != cases[i].duplicates)
			fprintf(stderr, "case %zu: %zu codes, %lu bad, %lu duplicates\n", i,
			        f.ncodes, f.bad, f.duplicates);
		CHECK(f.ncodes == cases[i].ncodes);
		CHECK(f.bad == cases[i].bad);
		CHECK(f.duplicates == cases[i].duplicates);
		CHECK_STR(buf_cstr(&report), cases[i].report);
		buf_free(&report);
		vouchers_file_free(&f);
	}

	/* 100 characters are fine, 101 are not, and a line of 5000 neither. */
	struct buf text = BUF_INIT;
	for (int i = 0; i < 100; i++)
		buf_putc(&text, 'x');
	buf_puts(&text, "\ny");
	for (int i = 0; i < 100; i++)
		buf_putc(&text, 'x');
	buf_putc(&text, '\n');
	for (int i = 0; i < 5000; i++)
		buf_putc(&text, 'z');
	buf_puts(&text, "\nlast");
	struct vouchers_file f;
	const char *why = NULL;
	CHECK(read_text(buf_cstr(&text), text.len, &f, &why) == 0);
	CHECK(f.ncodes == 2 && f.bad == 2 && f.lines == 4);
	CHECK(f.nproblems == 2 && f.problems[0].line == 2 && f.problems[1].line == 3);
	if (f.ncodes == 2)
		CHECK_STR(f.codes[1].code, "last");
	vouchers_file_free(&f);
	buf_free(&text);

	/* Many distinct codes: the duplicate set grows and still finds repeats. */
	struct buf many = BUF_INIT;
	for (int i = 0; i < 20000; i++)
		buf_printf(&many, "C%d\n", i);
	buf_puts(&many, "C19999\nC0\n");
	CHECK(read_text(buf_cstr(&many), many.len, &f, &why) == 0);
	CHECK(f.ncodes == 20000 && f.duplicates == 2);
	vouchers_file_free(&f);
	buf_free(&many);

	CHECK(vouchers_pool_valid("snapp-50") == 1);
	CHECK(vouchers_pool_valid("") == 0);
	CHECK(vouchers_pool_valid("Snapp") == 0);
	CHECK(vouchers_pool_valid("a b") == 0);
	CHECK(vouchers_low(9, 20) == 1 && vouchers_low(10, 20) == 0);
	CHECK(vouchers_low(99, 1000) == 1 && vouchers_low(100, 1000) == 0);
}

static void
test_catalog_lookup_and_list(void)
{
	struct campaign *camp = test_campaign();
	char out[96];
	static const struct {
		const char *arg;
		int want;
	} cases[] = {
	    {"1", 0},       {"3", 2},       {"0", -1},      {"4", -1},        {"01", 0},
	    {"data-1g", 0}, {"DATA-1G", 0}, {"data 1g", 0}, {"data_1g", 0},   {" chance ", 1},
	    {"bonus-", 2},  {"", -1},       {"nope", -1},   {"99999999", -1},
	};
	if (camp == NULL) {
		CHECK(camp != NULL);
		return;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = redeem_find(camp, cases[i].arg);
		if (got != cases[i].want)
			fprintf(stderr, "redeem_find(\"%s\") = %d, want %d\n", cases[i].arg, got,
			        cases[i].want);
		CHECK(got == cases[i].want);
	}
	redeem_list(camp, out, sizeof(out));
	CHECK_STR(out, "1) data-1g: 11, 2) chance: 7, 3) bonus: 5");
	redeem_list(camp, out, 30);
	CHECK_STR(out, "1) data-1g: 11, ...");
	redeem_list(camp, out, 8);
	CHECK_STR(out, "...");
	campaign_free(camp);
}

static void
test_parse_now(void)
{
	time_t t = 0;
	const char *why = NULL;
	CHECK(expiry_parse_now("2026-05-01", &t, &why) == 0 && t == 1777593600);
	CHECK(expiry_parse_now("2026-05-01T10:30:00Z", &t, &why) == 0 && t == 1777631400);
	CHECK(expiry_parse_now("2026-05-01 10:30", &t, &why) == 0 && t == 1777631400);
	CHECK(expiry_parse_now("1405-02-11", &t, &why) == 0 && t == 1777593600);
	CHECK(expiry_parse_now("2026-13-01", &t, &why) == -1 && why != NULL);
	CHECK(expiry_parse_now("", &t, &why) == -1);
	CHECK(expiry_parse_now("tomorrow", &t, &why) == -1);
}

int
main(void)
{
	db_library_init();
	RUN(test_import_file_reader);
	RUN(test_catalog_lookup_and_list);
	RUN(test_parse_now);
	RUN(test_spend_oldest_first);
	RUN(test_short_balance_changes_nothing);
	RUN(test_expiry_twice_is_once);
	RUN(test_warning_once_per_subscriber_and_day);
	RUN(test_redeem_all_or_nothing);
	RUN(test_import_is_idempotent_and_exact);
	RUN(test_redeem_and_expire_concurrently);
	db_library_end();
	return check_summary();
}
