/*
 * Integration: the wheel's spins (game/wheel.c wheel_spin_many over store/spins.c)
 * against the real private MariaDB — many members' spins made at once as a group commit
 * makes them: daily and total caps across calls, an empty voucher pool
 * falling back without counting a unit, one spin a day (a member twice in one call), the
 * spin mission paid once (also when its award is in the ledger already), balances equal
 * to their ledgers, tiers moved with them (the entry tier silently, an upgrade with its
 * notice), concurrent batches on several connections never passing a cap;
 * and vouchers held by another transaction skipped, the last one waited for.
 */
#include "check.h"
#include "core/buf.h"
#include "game/campaign.h"
#include "game/wheel.h"
#include "store/db.h"
#include "store/game.h"
#include "store/spins.h"
#include "store/subscribers.h"
#include "testdb.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const langs[] = {"fa", "en"};

/* 2026-12-01 12:00 UTC and the days after. */
#define DAY1   ((time_t)1796126400)
#define DAY(n) (DAY1 + (time_t)((n)-1) * 86400)

/* A campaign "id" (UTC) whose wheel has "big" (50 points and a chance; caps and pool as
 * given, -1 / "" for none) drawn almost always (weight 999999 of 1000000) and "nothing"
 * as the fallback, spins_per_day spins a day, and a daily spin mission worth 2 points. */
static struct campaign *
make_campaign(const char *id, long long daily, long long total, const char *pool,
              unsigned spins_per_day)
{
	char json[4096], caps[128] = "", vpool[96] = "";
	struct buf errors = BUF_INIT;
	if (daily >= 0)
		snprintf(caps, sizeof(caps), ", \"daily_cap\": %lld", daily);
	if (total >= 0)
		snprintf(caps + strlen(caps), sizeof(caps) - strlen(caps), ", \"total_cap\": %lld",
		         total);
	if (pool[0] != '\0')
		snprintf(vpool, sizeof(vpool), ", \"voucher_pool\": \"%s\"", pool);
	snprintf(
	    json, sizeof(json),
	    "{\"id\": \"%s\", \"name\": {\"fa\": \"x\", \"en\": \"x\"}, \"timezone\": \"UTC\","
	    " \"short_codes\": [\"3000\"], \"starts\": \"2026-11-01\", \"ends\": \"2026-12-31\","
	    " \"points\": {\"expiry_days\": 30},"
	    " \"tiers\": [{\"id\": \"bronze\", \"name\": {\"fa\": \"b\", \"en\": \"b\"},"
	    "  \"min_points\": 0}, {\"id\": \"silver\", \"name\": {\"fa\": \"s\", \"en\": \"s\"},"
	    "  \"min_points\": 100}],"
	    " \"missions\": [{\"id\": \"daily-spin\", \"type\": \"spin\", \"period\": \"day\","
	    "  \"reward\": {\"points\": 2}}],"
	    " \"wheel\": {\"spins_per_day\": %u, \"fallback\": \"nothing\", \"prizes\": ["
	    "  {\"id\": \"big\", \"name\": {\"fa\": \"b\", \"en\": \"b\"}, \"weight\": 999999,"
	    "   \"reward\": {\"points\": 50, \"chances\": 1%s}%s},"
	    "  {\"id\": \"nothing\", \"name\": {\"fa\": \"n\", \"en\": \"n\"}, \"weight\": 1,"
	    "   \"reward\": {}}]}}",
	    id, spins_per_day, vpool, caps);
	struct campaign *c = campaign_parse(json, strlen(json), "test", "UTC", langs, 2, &errors);
	if (c == NULL)
		fprintf(stderr, "campaign: %s\n", buf_cstr(&errors));
	buf_free(&errors);
	return c;
}

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

/* Spins of subs[0..n) at now in one transaction; reqs receive the results. */
static int
spin_all(struct db_conn *c, const struct campaign *camp, const long long *subs, size_t n,
         time_t now, struct wheel_spin_req *reqs)
{
	struct db_error err;
	struct wheel_spin_req *ptrs[64];
	for (size_t i = 0; i < n; i++) {
		reqs[i] =
		    (struct wheel_spin_req){.campaign = camp, .subscriber_id = subs[i], .now = now};
		ptrs[i] = &reqs[i];
	}
	if (db_exec_plain(c, "START TRANSACTION", &err) < 0 ||
	    wheel_spin_many(c, ptrs, n, &err) < 0) {
		fprintf(stderr, "wheel_spin_many: %s\n", err.msg);
		db_exec_plain(c, "ROLLBACK", &err);
		return -1;
	}
	return db_exec_plain(c, "COMMIT", &err);
}

static long long
count(struct db_conn *c, const char *sql)
{
	return testdb_value(c, sql);
}

/* Every balance is the sum of its ledger. */
static void
check_balances(struct db_conn *c)
{
	CHECK(count(c, "SELECT COUNT(*) FROM subscribers s WHERE s.points <> (SELECT"
	               " COALESCE(SUM(delta), 0) FROM points_ledger l WHERE l.subscriber_id = s.id)"
	               " OR s.chances <> (SELECT COALESCE(SUM(delta), 0) FROM chances_ledger l"
	               " WHERE l.subscriber_id = s.id) OR s.qualifying_points <> (SELECT"
	               " COALESCE(SUM(delta), 0) FROM points_ledger l WHERE l.subscriber_id = s.id"
	               " AND delta > 0)") == 0);
}

static void
test_caps_across_batches(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("spin_caps", &s);
	struct campaign *camp = make_campaign("club", 2, 3, "", 1);
	struct wheel_spin_req r[6];
	long long subs[6];
	CHECK(camp != NULL);
	if (camp == NULL)
		return;
	for (int i = 0; i < 6; i++)
		subs[i] = member(c, i);

	/* Day 1, six members at once: the daily cap of 2 lets two of those who drew "big"
	 * have it; the others fall back. */
	CHECK(spin_all(c, camp, subs, 6, DAY(1), r) == 0);
	int won = 0, fell = 0;
	for (int i = 0; i < 6; i++) {
		CHECK(r[i].res.outcome == SPIN_WON && r[i].res.left == 0);
		if (r[i].res.prize == 0) {
			won++;
			CHECK(r[i].res.reward.points == 52 && r[i].res.reward.chances == 1);
		} else {
			fell++;
			CHECK(r[i].res.reward.points == 2 && r[i].res.reward.chances == 0);
		}
	}
	long long drew = count(c, "SELECT COUNT(*) FROM spins WHERE drawn_prize = 'big'");
	CHECK(won == (drew < 2 ? drew : 2) && won + fell == 6);
	CHECK(count(c, "SELECT COUNT(*) FROM spins WHERE awarded_prize = 'big'") == won);
	CHECK(count(c, "SELECT awarded FROM wheel_prize_counters WHERE day_key = '2026-12-01'") ==
	      won);

	/* The same members again that day: refused, nothing changes. */
	CHECK(spin_all(c, camp, subs, 6, DAY(1) + 3600, r) == 0);
	for (int i = 0; i < 6; i++)
		CHECK(r[i].res.outcome == SPIN_ALREADY_TODAY);
	CHECK(count(c, "SELECT COUNT(*) FROM spins") == 6);

	/* Day 2: the total cap of 3 leaves one unit whatever the day allows. */
	CHECK(spin_all(c, camp, subs, 6, DAY(2), r) == 0);
	int won2 = 0;
	for (int i = 0; i < 6; i++)
		won2 += r[i].res.outcome == SPIN_WON && r[i].res.prize == 0;
	CHECK(won + won2 == 3 || drew < 2);
	CHECK(count(c, "SELECT awarded FROM wheel_prize_counters WHERE day_key = '*'") ==
	      won + won2);

	/* The spin mission was paid once per member and day; every spin is recorded with
	 * its random value; balances match their ledgers. */
	CHECK(count(c, "SELECT COUNT(*) FROM mission_completions") == 12);
	CHECK(count(c, "SELECT COUNT(*) FROM points_ledger WHERE reason = 'mission'") == 12);
	CHECK(count(c, "SELECT COUNT(*) FROM spins WHERE random_value >= total_weight") == 0);
	CHECK(count(c, "SELECT COUNT(DISTINCT random_value) FROM spins") > 1);
	CHECK(count(c, "SELECT SUM(points) FROM subscribers") == (won + won2) * 50 + 12 * 2);
	check_balances(c);
	campaign_free(camp);
	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_member_twice_in_one_call(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("spin_twice", &s);
	struct campaign *one = make_campaign("one", -1, -1, "", 1);
	struct campaign *two = make_campaign("two", -1, -1, "", 2);
	struct wheel_spin_req r[3];
	long long a = member(c, 1), b = member(c, 2);
	long long subs[3] = {a, b, a};
	CHECK(one != NULL && two != NULL);
	if (one == NULL || two == NULL)
		return;

	/* One spin a day: the member's second request in the same call is refused. */
	CHECK(spin_all(c, one, subs, 3, DAY(1), r) == 0);
	CHECK(r[0].res.outcome == SPIN_WON && r[1].res.outcome == SPIN_WON);
	CHECK(r[2].res.outcome == SPIN_ALREADY_TODAY);
	/* Two a day: both are made, one after the other (seq 1 and 2), the mission once. */
	CHECK(spin_all(c, two, subs, 3, DAY(1), r) == 0);
	CHECK(r[0].res.outcome == SPIN_WON && r[0].res.left == 1);
	CHECK(r[2].res.outcome == SPIN_WON && r[2].res.left == 0);
	CHECK(count(c, "SELECT MAX(seq) FROM spins WHERE campaign_id = 'two'") == 2);
	CHECK(count(c, "SELECT COUNT(*) FROM mission_completions WHERE campaign_id = 'two'") == 2);
	check_balances(c);
	campaign_free(one);
	campaign_free(two);
	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_mission_award_already_in_ledger(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("spin_missionref", &s);
	struct campaign *camp = make_campaign("club", -1, -1, "", 1);
	struct wheel_spin_req r[2];
	long long subs[2] = {member(c, 1), member(c, 2)};
	char sql[512];
	CHECK(camp != NULL);
	if (camp == NULL)
		return;
	/* Member 1's award for today's spin mission is in the ledger, though its completion
	 * row is not (restored from a backup, deleted by hand): it is not paid again, and
	 * the other member's spin is not held up by it. */
	snprintf(sql, sizeof(sql),
	         "INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version, delta,"
	         " reason, ref, remaining, created_at) VALUES (%lld, 'club', 0, 2, 'mission',"
	         " 'mission:club:daily-spin:%lld:2026-12-01:p', 2, UTC_TIMESTAMP(6))",
	         subs[0], subs[0]);
	testdb_exec(c, sql);
	snprintf(sql, sizeof(sql),
	         "UPDATE subscribers SET points = 2, qualifying_points = 2"
	         " WHERE id = %lld",
	         subs[0]);
	testdb_exec(c, sql);

	CHECK(spin_all(c, camp, subs, 2, DAY(1), r) == 0);
	CHECK(r[0].res.outcome == SPIN_WON && r[1].res.outcome == SPIN_WON);
	CHECK(count(c, "SELECT COUNT(*) FROM points_ledger WHERE reason = 'mission'") == 2);
	CHECK(count(c, "SELECT COUNT(*) FROM mission_completions") == 1);
	check_balances(c);
	campaign_free(camp);
	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_tiers_move_with_the_balances(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("spin_tiers", &s);
	struct campaign *camp = make_campaign("club", -1, -1, "", 1);
	struct wheel_spin_req r[3];
	long long subs[3] = {member(c, 1), member(c, 2), member(c, 3)};
	char sql[256];
	CHECK(camp != NULL);
	if (camp == NULL)
		return;
	/* Member 2 is bronze with 90 qualifying points: "big" (50) and the mission (2) take
	 * it past silver's 100. Member 3 is silver already. */
	snprintf(sql, sizeof(sql),
	         "UPDATE subscribers SET tier = 'bronze', points = 90,"
	         " qualifying_points = 90 WHERE id = %lld",
	         subs[1]);
	testdb_exec(c, sql);
	snprintf(sql, sizeof(sql), "UPDATE subscribers SET tier = 'silver' WHERE id = %lld",
	         subs[2]);
	testdb_exec(c, sql);
	snprintf(sql, sizeof(sql),
	         "INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version, delta,"
	         " reason, ref, remaining, created_at) VALUES (%lld, 'club', 0, 90, 'event', 'e1',"
	         " 90, UTC_TIMESTAMP(6))",
	         subs[1]);
	testdb_exec(c, sql);

	CHECK(spin_all(c, camp, subs, 3, DAY(1), r) == 0);
	long long big = count(c, "SELECT COUNT(*) FROM spins WHERE subscriber_id = 2"
	                         " AND awarded_prize = 'big'");
	/* The first award gives the entry tier, without a notice. */
	CHECK(count(c, "SELECT COUNT(*) FROM subscribers WHERE id = 1 AND tier = 'bronze'") == 1);
	/* 90 + 52 reaches silver (with the rare "nothing" drawn, 92 does not). */
	CHECK(count(c, "SELECT COUNT(*) FROM subscribers WHERE id = 2 AND tier = 'silver'") == big);
	CHECK(count(c, "SELECT COUNT(*) FROM notifications WHERE template = 'tier_upgrade'") ==
	      big);
	CHECK(count(c, "SELECT COUNT(*) FROM notifications WHERE template = 'tier_upgrade'"
	               " AND subscriber_id = 2 AND ref = 'tier:club:2:silver'") == big);
	/* Never down. */
	CHECK(count(c, "SELECT COUNT(*) FROM subscribers WHERE id = 3 AND tier = 'silver'") == 1);
	check_balances(c);
	campaign_free(camp);
	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_empty_pool_falls_back(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("spin_pool", &s);
	struct campaign *camp = make_campaign("club", 5, 5, "snapp", 1);
	struct wheel_spin_req r[3];
	long long subs[3] = {member(c, 1), member(c, 2), member(c, 3)};
	CHECK(camp != NULL);
	if (camp == NULL)
		return;
	testdb_exec(c, "INSERT INTO vouchers (pool, code, imported_at)"
	               " VALUES ('snapp', 'CODE-1', UTC_TIMESTAMP(6))");

	CHECK(spin_all(c, camp, subs, 3, DAY(1), r) == 0);
	int with = 0;
	for (int i = 0; i < 3; i++) {
		CHECK(r[i].res.outcome == SPIN_WON);
		if (r[i].res.reward.voucher[0] != '\0') {
			with++;
			CHECK(strcmp(r[i].res.reward.voucher, "CODE-1") == 0 &&
			      r[i].res.prize == 0);
		} else {
			CHECK(r[i].res.prize == 1);
		}
	}
	long long drew = count(c, "SELECT COUNT(*) FROM spins WHERE drawn_prize = 'big'");
	CHECK(with == (drew > 0 ? 1 : 0));
	/* Only the unit handed out is counted. */
	CHECK(count(c, "SELECT awarded FROM wheel_prize_counters WHERE day_key = '2026-12-01'") ==
	      with);
	CHECK(count(c, "SELECT awarded FROM wheel_prize_counters WHERE day_key = '*'") == with);
	CHECK(count(c, "SELECT COUNT(*) FROM vouchers WHERE subscriber_id IS NOT NULL") == with);
	CHECK(count(c, "SELECT COUNT(*) FROM spins WHERE voucher_code = 'CODE-1'") == with);
	check_balances(c);
	campaign_free(camp);
	db_conn_free(c);
	testdb_drop(&s);
}

/* Concurrent batches: threads on their own connections, each spinning groups of members
 * (locked first, as the inbound batch does) against one daily cap. */
struct spinner {
	struct db_settings *s;
	const struct campaign *camp;
	long long first; /* its members: first .. first + 40 */
	int failures;
};

struct spin_tx {
	const struct campaign *camp;
	long long *subs;
	size_t n;
};

static int
spin_tx_body(struct db_conn *c, void *arg, struct db_error *err)
{
	struct spin_tx *t = arg;
	struct subscribers_locked m[8];
	struct wheel_spin_req reqs[8], *ptrs[8];
	char msisdn[8][20];
	for (size_t i = 0; i < t->n; i++) {
		snprintf(msisdn[i], sizeof(msisdn[i]), "+98912%07lld", t->subs[i]);
		m[i].msisdn = msisdn[i];
	}
	if (subscribers_lock_many(c, m, t->n, 60, err) < 0)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		if (!m[i].s.exists) {
			err->code = 0;
			snprintf(err->msg, sizeof(err->msg), "member %s not locked", msisdn[i]);
			return -1;
		}
		reqs[i] = (struct wheel_spin_req){
		    .campaign = t->camp, .subscriber_id = m[i].s.id, .now = DAY(1)};
		ptrs[i] = &reqs[i];
	}
	return wheel_spin_many(c, ptrs, t->n, err);
}

static void *
spinner_main(void *arg)
{
	struct spinner *sp = arg;
	struct db_error err;
	struct db_conn *c = db_conn_new(sp->s);
	for (long long k = 0; k < 40; k += 8) {
		long long subs[8];
		for (int i = 0; i < 8; i++)
			subs[i] = sp->first + k + i; /* the n of member(c, n) */
		struct spin_tx t = {sp->camp, subs, 8};
		if (db_tx(c, spin_tx_body, &t, &err) < 0) {
			fprintf(stderr, "spin batch: %s\n", err.msg);
			sp->failures++;
		}
	}
	db_conn_free(c);
	db_thread_end();
	return NULL;
}

static void
test_concurrent_batches_keep_the_cap(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("spin_conc", &s);
	struct campaign *camp = make_campaign("club", 7, -1, "", 1);
	struct spinner sp[4];
	pthread_t th[4];
	CHECK(camp != NULL);
	if (camp == NULL)
		return;
	for (int i = 0; i < 160; i++)
		member(c, i);
	for (int t = 0; t < 4; t++) {
		sp[t] = (struct spinner){&s, camp, t * 40, 0};
		pthread_create(&th[t], NULL, spinner_main, &sp[t]);
	}
	for (int t = 0; t < 4; t++) {
		pthread_join(th[t], NULL);
		CHECK(sp[t].failures == 0);
	}
	long long drew = count(c, "SELECT COUNT(*) FROM spins WHERE drawn_prize = 'big'");
	CHECK(count(c, "SELECT COUNT(*) FROM spins") == 160);
	CHECK(count(c, "SELECT COUNT(*) FROM spins WHERE awarded_prize = 'big'") ==
	      (drew < 7 ? drew : 7));
	CHECK(count(c, "SELECT awarded FROM wheel_prize_counters") == (drew < 7 ? drew : 7));
	CHECK(count(c, "SELECT COUNT(*) FROM mission_completions") == 160);
	check_balances(c);
	campaign_free(camp);
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
	size_t got = 0;
	char codes[1][101] = {""};
	t->rc = -1;
	if (db_exec_plain(c, "START TRANSACTION", &err) == 0 &&
	    game_take_vouchers(c, "p", &t->sub, 1, codes, &got, &err) == 0) {
		t->rc = (int)got;
		snprintf(t->code, sizeof(t->code), "%s", codes[0]);
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
	testdb_exec(c, "INSERT INTO vouchers (pool, code, imported_at) VALUES"
	               " ('p', 'ONE', UTC_TIMESTAMP(6)), ('p', 'TWO', UTC_TIMESTAMP(6))");
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
	CHECK(count(c, "SELECT COUNT(*) FROM vouchers WHERE subscriber_id IS NULL") == 0);

	/* Now empty: a clear 0, from both ways of taking a code. */
	CHECK(game_take_voucher(c, "p", a, code, &err) == 0 && code[0] == '\0');
	struct taker td = {&s, a, "", 0};
	pthread_create(&th, NULL, take_in_thread, &td);
	pthread_join(th, NULL);
	CHECK(td.rc == 0 && td.code[0] == '\0');
	db_conn_free(c);
	testdb_drop(&s);
}

int
main(void)
{
	db_library_init();
	RUN(test_caps_across_batches);
	RUN(test_member_twice_in_one_call);
	RUN(test_mission_award_already_in_ledger);
	RUN(test_tiers_move_with_the_balances);
	RUN(test_empty_pool_falls_back);
	RUN(test_concurrent_batches_keep_the_cap);
	RUN(test_vouchers_held_by_others);
	db_library_end();
	return check_summary();
}
