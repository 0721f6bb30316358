/*
 * Integration: daily check-ins (game/checkin.c checkin_run_many over store/checkins.c)
 * against the real private MariaDB, many members at once as a group commit makes them:
 * streaks that grow on consecutive days and break on a missed one, the bonus every N
 * days, once a day (also for a member twice in one call), an award already in the
 * ledger not made again, the reward's vouchers until the pool is empty, tiers and
 * balances equal to their ledgers.
 */
#include "check.h"
#include "core/buf.h"
#include "game/campaign.h"
#include "game/checkin.h"
#include "store/db.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const langs[] = {"fa", "en"};

/* 2026-12-01 12:00 UTC and the days after. */
#define DAY(n) ((time_t)1796126400 + (time_t)((n)-1) * 86400)

/* Check-in worth 5 points (and a code of pool "gift" when with_pool), a bonus of 50
 * points and a chance every 3 days in a row; bronze from 0, silver from 100. */
static struct campaign *
make_campaign(int with_pool)
{
	char json[2048];
	struct buf errors = BUF_INIT;
	snprintf(
	    json, sizeof(json),
	    "{\"id\": \"club\", \"name\": {\"fa\": \"x\", \"en\": \"x\"}, \"timezone\": \"UTC\","
	    " \"short_codes\": [\"3000\"], \"starts\": \"2026-11-01\", \"ends\": \"2026-12-31\","
	    " \"points\": {\"expiry_days\": 30},"
	    " \"tiers\": [{\"id\": \"bronze\", \"name\": {\"fa\": \"b\", \"en\": \"b\"},"
	    "  \"min_points\": 0}, {\"id\": \"silver\", \"name\": {\"fa\": \"s\", \"en\": \"s\"},"
	    "  \"min_points\": 100}],"
	    " \"missions\": [{\"id\": \"daily-checkin\", \"type\": \"checkin\", \"period\": "
	    "\"day\","
	    "  \"reward\": {\"points\": 5%s},"
	    "  \"streak\": {\"days\": 3, \"reward\": {\"points\": 50, \"chances\": 1}}}]}",
	    with_pool ? ", \"voucher_pool\": \"gift\"" : "");
	struct campaign *c = campaign_parse(json, strlen(json), "test", "UTC", langs, 2, &errors);
	if (c == NULL)
		fprintf(stderr, "campaign: %s\n", buf_cstr(&errors));
	buf_free(&errors);
	return c;
}

static long long
member(struct db_conn *c, int n)
{
	char sql[256];
	snprintf(sql, sizeof(sql),
	         "INSERT INTO subscribers (msisdn, joined_at, created_at, updated_at)"
	         " VALUES ('+98912%07d', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
	         n);
	testdb_exec(c, sql);
	return testdb_value(c, "SELECT MAX(id) FROM subscribers");
}

/* Check-ins of subs[0..n) at now in one transaction. */
static int
checkin_all(struct db_conn *c, const struct campaign *camp, const long long *subs, size_t n,
            time_t now, struct checkin_req *reqs)
{
	struct db_error err;
	struct checkin_req *ptrs[16];
	for (size_t i = 0; i < n; i++) {
		reqs[i] =
		    (struct checkin_req){.campaign = camp, .subscriber_id = subs[i], .now = now};
		ptrs[i] = &reqs[i];
	}
	if (db_exec_plain(c, "START TRANSACTION", &err) < 0 ||
	    checkin_run_many(c, ptrs, n, &err) < 0) {
		fprintf(stderr, "checkin_run_many: %s\n", err.msg);
		db_exec_plain(c, "ROLLBACK", &err);
		return -1;
	}
	return db_exec_plain(c, "COMMIT", &err);
}

static void
check_balances(struct db_conn *c)
{
	CHECK(testdb_value(c,
	                   "SELECT COUNT(*) FROM subscribers s WHERE s.points <> (SELECT"
	                   " COALESCE(SUM(delta), 0) FROM points_ledger l WHERE"
	                   " l.subscriber_id = s.id) OR s.chances <> (SELECT COALESCE(SUM(delta),"
	                   " 0) FROM chances_ledger l WHERE l.subscriber_id = s.id)") == 0);
}

static void
test_streaks_bonus_and_once_a_day(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("checkin_streak", &s);
	struct campaign *camp = make_campaign(0);
	struct checkin_req r[3];
	CHECK(camp != NULL);
	if (camp == NULL)
		return;
	long long a = member(c, 1), b = member(c, 2);
	long long both[2] = {a, b}, twice[3] = {a, b, a};

	/* Day 1: both check in; a's second request in the same call is "already". */
	CHECK(checkin_all(c, camp, twice, 3, DAY(1), r) == 0);
	CHECK(r[0].res.outcome == CHECKIN_DONE && r[0].res.streak == 1 &&
	      r[0].res.reward.points == 5 && !r[0].res.bonus);
	CHECK(r[1].res.outcome == CHECKIN_DONE && r[1].res.streak == 1);
	CHECK(r[2].res.outcome == CHECKIN_ALREADY && r[2].res.streak == 1);
	/* Day 2: both; day 3: only a, whose streak of 3 earns the bonus. */
	CHECK(checkin_all(c, camp, both, 2, DAY(2), r) == 0);
	CHECK(r[0].res.streak == 2 && r[1].res.streak == 2);
	CHECK(checkin_all(c, camp, both, 1, DAY(3), r) == 0);
	CHECK(r[0].res.outcome == CHECKIN_DONE && r[0].res.streak == 3 && r[0].res.bonus &&
	      r[0].res.bonus_reward.points == 50 && r[0].res.bonus_reward.chances == 1);
	/* Day 4: b missed day 3, so its streak starts again. */
	CHECK(checkin_all(c, camp, both, 2, DAY(4), r) == 0);
	CHECK(r[0].res.streak == 4 && !r[0].res.bonus);
	CHECK(r[1].res.streak == 1);

	CHECK(testdb_value(c, "SELECT COUNT(*) FROM checkins") == 7);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM mission_completions") == 7);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_ledger WHERE reason = 'streak'") == 1);
	CHECK(testdb_value(c, "SELECT points FROM subscribers WHERE id = 1") == 4 * 5 + 50);
	CHECK(testdb_value(c, "SELECT chances FROM subscribers WHERE id = 1") == 1);
	/* 70 qualifying points: still bronze (given with the first award, no notice). */
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM subscribers WHERE tier = 'bronze'") == 2);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM notifications") == 0);
	check_balances(c);
	campaign_free(camp);
	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_award_in_ledger_and_vouchers(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("checkin_ref", &s);
	struct campaign *camp = make_campaign(1);
	struct checkin_req r[3];
	CHECK(camp != NULL);
	if (camp == NULL)
		return;
	long long subs[3] = {member(c, 1), member(c, 2), member(c, 3)};
	testdb_exec(c, "INSERT INTO vouchers (pool, code, imported_at) VALUES"
	               " ('gift', 'G-1', UTC_TIMESTAMP(6))");
	/* Member 1's check-in award of day 1 is in the ledger already (its check-in row was
	 * deleted by hand): the check-in is recorded, the award is not made again. */
	testdb_exec(c, "INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version,"
	               " delta, reason, ref, remaining, created_at) VALUES (1, 'club', 0, 5,"
	               " 'checkin', 'checkin:club:1:2026-12-01:p', 5, UTC_TIMESTAMP(6))");
	testdb_exec(c, "UPDATE subscribers SET points = 5, qualifying_points = 5 WHERE id = 1");

	CHECK(checkin_all(c, camp, subs, 3, DAY(1), r) == 0);
	CHECK(r[0].res.outcome == CHECKIN_DONE && r[0].res.reward.points == 0);
	CHECK(r[0].res.reward.voucher[0] == '\0' && !r[0].res.reward.voucher_missing);
	/* One code for two members: the first has it, the second is told the pool is empty. */
	CHECK(r[1].res.reward.points == 5 && strcmp(r[1].res.reward.voucher, "G-1") == 0);
	CHECK(r[2].res.reward.points == 5 && r[2].res.reward.voucher_missing);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_ledger WHERE reason = 'checkin'") == 3);
	CHECK(testdb_value(c, "SELECT subscriber_id FROM vouchers WHERE code = 'G-1'") == 2);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM checkins") == 3);
	check_balances(c);
	campaign_free(camp);
	db_conn_free(c);
	testdb_drop(&s);
}

int
main(void)
{
	db_library_init();
	RUN(test_streaks_bonus_and_once_a_day);
	RUN(test_award_in_ledger_and_vouchers);
	db_library_end();
	return check_summary();
}
