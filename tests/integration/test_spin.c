/*
 * Integration: the spin's store call (game_spin, procedure gg_spin) against the real
 * private MariaDB — daily and total caps, a daily unit given back when the total is
 * used up, a cap of 0, an empty voucher pool falling back with the caps it took given
 * back, one spin a day, the spin mission once, and balances equal to their ledgers;
 * a voucher held by another transaction is skipped, and the last one is waited for.
 */
#include "check.h"
#include "store/db.h"
#include "store/game.h"
#include "store/migrate.h"
#include "testdb.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long long
member(struct db_conn *c, int n)
{
	struct db_error err;
	char msisdn[20];
	snprintf(msisdn, sizeof(msisdn), "+98912%07d", n);
	struct db_param p[] = {DB_PARAM_STR(msisdn)};
	CHECK(db_exec(c,
	              "INSERT INTO subscribers (msisdn, joined_at, created_at, updated_at)"
	              " VALUES (?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
	              p, 1, NULL, NULL, NULL, &err) == 0);
	return (long long)db_insert_id(c);
}

static const struct game_scope scope = {"club", 3};

/* A spin drawing "big" (daily cap, total cap, points 50) with "nothing" as fallback. */
static struct game_spin_out
spin(struct db_conn *c, long long sub, const char *day, long long daily, long long total,
     const char *pool)
{
	struct db_error err;
	struct game_spin_out out;
	struct game_spin_args a = {
	    .subscriber_id = sub,
	    .day_key = day,
	    .per_day = 1,
	    .random_value = 7,
	    .total_weight = 100,
	    .expiry_days = 30,
	    .prize = {"big", daily, total, pool, 50, 1},
	    .fallback = {"nothing", -1, -1, "", 0, 0},
	    .mission_id = "daily-spin",
	    .period_key = day,
	    .mission_points = 2,
	    .mission_chances = 0,
	    .mission_pool = "",
	};
	memset(&out, 0, sizeof(out));
	if (game_spin(c, &scope, &a, &out, &err) < 0) {
		fprintf(stderr, "game_spin: %s\n", err.msg);
		out.answered = -1;
	}
	return out;
}

static void
test_caps_and_give_back(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("spin_caps", &s);
	long long subs[6];
	for (int i = 0; i < 6; i++)
		subs[i] = member(c, i);

	/* Day 1: a daily cap of 2 and a total cap of 3. Two win, the third falls back. */
	struct game_spin_out o = spin(c, subs[0], "2026-12-01", 2, 3, "");
	CHECK(o.spun && !o.fallback && o.points == 52 && o.chances == 1 && o.done == 0);
	CHECK(o.qualifying == 52);
	o = spin(c, subs[1], "2026-12-01", 2, 3, "");
	CHECK(o.spun && !o.fallback);
	o = spin(c, subs[2], "2026-12-01", 2, 3, "");
	CHECK(o.spun && o.fallback && o.points == 2 && o.chances == 0);
	/* The same member again the same day: refused, nothing changes. */
	o = spin(c, subs[0], "2026-12-01", 2, 3, "");
	CHECK(o.answered == 1 && !o.spun && o.done == 1 && o.points == 0);

	/* Day 2: one unit left in the total. The second winner takes the day's unit, finds
	 * the total used up, and gives the day's unit back. */
	o = spin(c, subs[3], "2026-12-02", 2, 3, "");
	CHECK(o.spun && !o.fallback);
	o = spin(c, subs[4], "2026-12-02", 2, 3, "");
	CHECK(o.spun && o.fallback);
	CHECK(testdb_value(
	          c, "SELECT awarded FROM wheel_prize_counters WHERE day_key = '2026-12-02'") == 1);
	CHECK(testdb_value(c, "SELECT awarded FROM wheel_prize_counters WHERE day_key = '*'") == 3);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM spins WHERE awarded_prize = 'big'") == 3);

	/* A cap of 0: never handed out. */
	o = spin(c, subs[5], "2026-12-03", 0, -1, "");
	CHECK(o.spun && o.fallback);
	CHECK(testdb_value(
	          c, "SELECT awarded FROM wheel_prize_counters WHERE day_key = '2026-12-03'") == 0);

	/* The spin mission was paid once per member and day, and every balance is the sum
	 * of its ledger. */
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM mission_completions") == 6);
	CHECK(testdb_value(
	          c, "SELECT COUNT(*) FROM subscribers s WHERE s.points <> (SELECT"
	             " COALESCE(SUM(delta), 0) FROM points_ledger l WHERE l.subscriber_id = s.id)"
	             " OR s.chances <> (SELECT COALESCE(SUM(delta), 0) FROM chances_ledger l"
	             " WHERE l.subscriber_id = s.id)") == 0);
	CHECK(testdb_value(c, "SELECT SUM(points) FROM subscribers") == 3 * 50 + 6 * 2);
	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_empty_pool_falls_back_and_gives_caps_back(void)
{
	struct db_settings s;
	struct db_error err;
	struct db_conn *c = testdb_migrated("spin_pool", &s);
	long long a = member(c, 1), b = member(c, 2);
	CHECK(db_exec_plain(c,
	                    "INSERT INTO vouchers (pool, code, imported_at)"
	                    " VALUES ('snapp', 'CODE-1', UTC_TIMESTAMP(6))",
	                    &err) == 0);

	struct game_spin_out o = spin(c, a, "2026-12-01", 5, 5, "snapp");
	CHECK(o.spun && !o.fallback && strcmp(o.voucher, "CODE-1") == 0);
	o = spin(c, b, "2026-12-01", 5, 5, "snapp");
	CHECK(o.spun && o.fallback && o.voucher[0] == '\0');
	/* Only the first spin keeps its units of the caps. */
	CHECK(testdb_value(
	          c, "SELECT awarded FROM wheel_prize_counters WHERE day_key = '2026-12-01'") == 1);
	CHECK(testdb_value(c, "SELECT awarded FROM wheel_prize_counters WHERE day_key = '*'") == 1);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM vouchers WHERE subscriber_id IS NOT NULL") ==
	      1);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM spins WHERE voucher_code = 'CODE-1'") == 1);
	db_conn_free(c);
	testdb_drop(&s);
}

struct taker {
	struct db_settings *s;
	long long sub;
	char code[101];
	int rc;
};

/* Takes a code from pool "p" in a transaction of its own connection, and commits. */
static void *
take_in_thread(void *arg)
{
	struct taker *t = arg;
	struct db_error err;
	struct db_conn *c = db_conn_new(t->s);
	t->rc = -1;
	if (db_exec_plain(c, "START TRANSACTION", &err) == 0) {
		t->rc = game_take_voucher(c, "p", t->sub, t->code, &err);
		db_exec_plain(c, "COMMIT", &err);
	}
	db_conn_free(c);
	db_thread_end();
	return NULL;
}

static void
test_vouchers_held_by_others(void)
{
	struct db_settings s;
	struct db_error err;
	struct db_conn *c = testdb_migrated("spin_skip", &s);
	long long a = member(c, 1), b = member(c, 2);
	CHECK(db_exec_plain(c,
	                    "INSERT INTO vouchers (pool, code, imported_at) VALUES"
	                    " ('p', 'ONE', UTC_TIMESTAMP(6)), ('p', 'TWO', UTC_TIMESTAMP(6))",
	                    &err) == 0);
	char code[101];

	/* A holds ONE (not committed): B takes TWO at once instead of waiting. */
	CHECK(db_exec_plain(c, "START TRANSACTION", &err) == 0);
	CHECK(game_take_voucher(c, "p", a, code, &err) == 1 && strcmp(code, "ONE") == 0);
	struct taker tb = {&s, b, "", 0};
	pthread_t th;
	pthread_create(&th, NULL, take_in_thread, &tb);
	pthread_join(th, NULL);
	CHECK(tb.rc == 1 && strcmp(tb.code, "TWO") == 0);

	/* A holds the last free code and rolls back: a taker waiting for it gets it; the
	 * pool is not called empty while that code might still come free. */
	CHECK(db_exec_plain(c, "ROLLBACK", &err) == 0);
	CHECK(db_exec_plain(c, "START TRANSACTION", &err) == 0);
	CHECK(game_take_voucher(c, "p", a, code, &err) == 1 && strcmp(code, "ONE") == 0);
	struct taker tc = {&s, member(c, 3), "", 0};
	pthread_create(&th, NULL, take_in_thread, &tc);
	usleep(300 * 1000); /* let it reach the lock wait */
	CHECK(db_exec_plain(c, "ROLLBACK", &err) == 0);
	pthread_join(th, NULL);
	CHECK(tc.rc == 1 && strcmp(tc.code, "ONE") == 0);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM vouchers WHERE subscriber_id IS NULL") == 0);

	/* Now empty: a clear 0. */
	CHECK(game_take_voucher(c, "p", a, code, &err) == 0 && code[0] == '\0');
	db_conn_free(c);
	testdb_drop(&s);
}

int
main(void)
{
	db_library_init();
	RUN(test_caps_and_give_back);
	RUN(test_empty_pool_falls_back_and_gives_caps_back);
	RUN(test_vouchers_held_by_others);
	db_library_end();
	return check_summary();
}
