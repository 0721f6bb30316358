/*
 * Integration: the tier review (game/tiers.h) and support's corrections (game/adjust.h)
 * against the real private MariaDB.
 *
 * Review: a monthly review moves members down, up or nowhere by what they earned in
 * the month, never below the entry tier nor below what they earned since; qualifying
 * points restart at the new month's; a downgrade is notified once; running it again
 * changes nothing; four nodes reviewing at once while members keep earning review every
 * member once, and qualifying points equal the ledger's afterwards; campaign_end puts
 * everyone back on the entry tier; a dry run changes nothing.
 *
 * Corrections: +N is a new lot, -N spends oldest expiry first, a short balance is
 * refused with nothing changed, a REF applies once, a reversal takes an award back
 * from its own lot first (then the others) and gives a debit back as a lot, once, even
 * from four threads at once; the balance always equals the ledger's sum and the lots'.
 */
#include "check.h"
#include "core/buf.h"
#include "game/adjust.h"
#include "game/campaign.h"
#include "game/expiry.h"
#include "game/tiers.h"
#include "store/db.h"
#include "store/game.h"
#include "store/migrate.h"
#include "testdb.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const langs[] = {"fa", "en"};

#define CAMPAIGN_HEAD                                                                              \
	"{\"id\": \"club\", \"name\": {\"fa\": \"باشگاه\", \"en\": \"Club\"},"               \
	" \"timezone\": \"UTC\", \"short_codes\": [\"3000\"],"                                     \
	" \"points\": {\"expiry_days\": 30},"                                                      \
	" \"tiers\": ["                                                                            \
	"  {\"id\": \"bronze\", \"name\": {\"fa\": \"برنز\", \"en\": \"Bronze\"}, "            \
	"\"min_points\": 0},"                                                                      \
	"  {\"id\": \"silver\", \"name\": {\"fa\": \"نقره\", \"en\": \"Silver\"},"             \
	" \"min_points\": 100},"                                                                   \
	"  {\"id\": \"gold\", \"name\": {\"fa\": \"طلا\", \"en\": \"Gold\"}, \"min_points\": "  \
	"300}],"

static struct campaign *
make_campaign(const char *review, const char *starts, const char *ends)
{
	char json[2048];
	struct buf errors = BUF_INIT;
	snprintf(json, sizeof(json),
	         CAMPAIGN_HEAD " \"tier_review\": \"%s\", \"starts\": \"%s\", \"ends\": \"%s\"}",
	         review, starts, ends);
	struct campaign *c = campaign_parse(json, strlen(json), "test", "UTC", langs, 2, &errors);
	if (c == NULL)
		fprintf(stderr, "campaign: %s", buf_cstr(&errors));
	buf_free(&errors);
	if (c != NULL)
		c->version = 1;
	return c;
}

/* n members +98912000000<k> (ids 1..n), no points, tier `tier` (NULL: none). */
static void
add_subscribers(struct db_conn *c, int n, const char *tier)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
	         "INSERT INTO subscribers (msisdn, lang, joined_at, created_at, updated_at, tier)"
	         " SELECT CONCAT('+98912', LPAD(seq, 7, '0')), 'en', UTC_TIMESTAMP(6),"
	         " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), %s%s%s FROM seq_1_to_%d",
	         tier != NULL ? "'" : "", tier != NULL ? tier : "NULL", tier != NULL ? "'" : "", n);
	testdb_exec(c, sql);
}

/* A lot of points for subscriber id of campaign camp created at `at` (SQL), the balance
 * and qualifying points moved as the game does. */
static void
add_points(struct db_conn *c, long long id, const char *camp, long long points, const char *at,
           const char *ref, const char *expires)
{
	char sql[640];
	snprintf(sql, sizeof(sql),
	         "INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version, delta,"
	         " reason, ref, remaining, expires_at, created_at) VALUES (%lld, '%s', 1, %lld,"
	         " 'test', '%s', %lld, %s, %s)",
	         id, camp, points, ref, points, expires, at);
	testdb_exec(c, sql);
	snprintf(sql, sizeof(sql),
	         "UPDATE subscribers SET points = points + %lld,"
	         " qualifying_points = qualifying_points + %lld WHERE id = %lld",
	         points, points, id);
	testdb_exec(c, sql);
}

static void
set_tier(struct db_conn *c, long long id, const char *tier)
{
	char sql[200];
	snprintf(sql, sizeof(sql), "UPDATE subscribers SET tier = '%s' WHERE id = %lld", tier, id);
	testdb_exec(c, sql);
}

static int
tier_is(struct db_conn *c, long long id, const char *tier)
{
	char sql[200];
	snprintf(sql, sizeof(sql),
	         "SELECT COUNT(*) FROM subscribers WHERE id = %lld AND tier = '%s'", id, tier);
	return testdb_value(c, sql) == 1;
}

static long long
qualifying_of(struct db_conn *c, long long id)
{
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT qualifying_points FROM subscribers WHERE id = %lld", id);
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

static time_t
at(const char *iso)
{
	time_t t = 0;
	const char *why = NULL;
	if (expiry_parse_now(iso, &t, &why) < 0)
		fprintf(stderr, "bad time %s\n", iso);
	return t;
}

struct seen {
	int n;
	char line[16][96];
};

static void
on_change(const struct tiers_change *ch, void *arg)
{
	struct seen *s = arg;
	if (s->n < 16)
		snprintf(s->line[s->n++], sizeof(s->line[0]), "%lld %s>%s %s", ch->subscriber_id,
		         ch->from, ch->to, ch->period_key);
}

static int
seen_has(const struct seen *s, const char *line)
{
	for (int i = 0; i < s->n; i++) {
		if (strcmp(s->line[i], line) == 0)
			return 1;
	}
	return 0;
}

static void
test_monthly_review(void)
{
	struct db_settings s;
	struct db_error err = {0};
	struct db_conn *c = testdb_migrated("tiers_monthly", &s);
	struct campaign *camp = make_campaign("monthly", "2026-01-01", "2026-12-31");
	struct tiers_stats st;
	struct seen seen = {0};

	CHECK(camp != NULL);
	if (camp == NULL)
		return;
	add_subscribers(c, 8, NULL);
	const char *april = "'2026-04-15 12:00:00'", *may = "'2026-05-01 10:00:00'";
	set_tier(c, 1, "gold"); /* 350 in April: stays */
	add_points(c, 1, "club", 350, april, "a1", "NULL");
	set_tier(c, 2, "gold"); /* 120 in April: silver */
	add_points(c, 2, "club", 120, april, "a2", "NULL");
	set_tier(c, 3, "silver"); /* 10 in April: bronze */
	add_points(c, 3, "club", 10, april, "a3", "NULL");
	set_tier(c, 4, "silver"); /* nothing in April (March only): the entry tier */
	add_points(c, 4, "club", 500, "'2026-03-30 23:59:59'", "a4", "NULL");
	set_tier(c, 5, "bronze"); /* 150 in April and never upgraded: silver */
	add_points(c, 5, "club", 150, april, "a5", "NULL");
	set_tier(c, 6, "gold"); /* nothing in April, 400 in May already: stays */
	add_points(c, 6, "club", 400, may, "a6", "NULL");
	set_tier(c, 7, "gold"); /* another campaign's: untouched */
	add_points(c, 7, "other", 5, april, "a7", "NULL");
	/* 8 has no tier: not a member */
	add_points(c, 8, "club", 5, "'2026-04-30 23:59:59'", "a8", "NULL");
	testdb_exec(c, "UPDATE subscribers SET tier = NULL WHERE id = 8");

	/* Before the month is over nothing is due. */
	struct campaign *list[] = {camp};
	struct tiers_options opt = {.now = at("2026-04-30T23:00:00Z"),
	                            .batch = 2,
	                            .campaigns = list,
	                            .ncampaigns = 1,
	                            .change = on_change,
	                            .arg = &seen};
	char key[24];
	time_t from, to;
	CHECK(tiers_due(camp, opt.now, key, &from, &to) == 1);
	CHECK_STR(key, "2026-03");

	/* A dry run lists the changes and changes nothing. */
	opt.now = at("2026-05-02");
	opt.dry_run = 1;
	CHECK(tiers_review_run(c, &opt, &st, &err) == 0);
	CHECK(st.reviewed == 6 && st.downgraded == 3 && st.upgraded == 1);
	CHECK(seen.n == 4 && seen_has(&seen, "2 gold>silver 2026-04") &&
	      seen_has(&seen, "5 bronze>silver 2026-04"));
	CHECK(tier_is(c, 2, "gold") && qualifying_of(c, 2) == 120);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM tier_reviews") == 0);

	seen.n = 0;
	opt.dry_run = 0;
	CHECK(tiers_review_run(c, &opt, &st, &err) == 0);
	CHECK(st.reviews == 1 && st.reviewed == 6 && st.downgraded == 3 && st.upgraded == 1);
	CHECK(seen.n == 4);
	CHECK(tier_is(c, 1, "gold") && tier_is(c, 2, "silver") && tier_is(c, 3, "bronze"));
	CHECK(tier_is(c, 4, "bronze") && tier_is(c, 5, "silver") && tier_is(c, 6, "gold"));
	CHECK(tier_is(c, 7, "gold"));
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM subscribers WHERE id = 8 AND tier IS NULL") ==
	      1);
	/* Qualifying points restart at what May brought. */
	CHECK(qualifying_of(c, 1) == 0 && qualifying_of(c, 2) == 0 && qualifying_of(c, 6) == 400);
	CHECK(qualifying_of(c, 7) == 5 && qualifying_of(c, 8) == 5);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM notifications WHERE template = 'tier_downgrade'"
	                      " AND kind = 'transactional'") == 3);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM notifications WHERE template = 'tier_downgrade'"
	                      " AND subscriber_id = 2 AND vars = '{\"tier\":\"silver\"}'"
	                      " AND ref = 'tierdown:club:2026-04:2'") == 1);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM notifications WHERE template = 'tier_upgrade'"
	                      " AND subscriber_id = 5") == 1);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM tier_reviews WHERE campaign_id = 'club'"
	                      " AND period_key = '2026-04' AND done_at IS NOT NULL AND reviewed = 6"
	                      " AND downgraded = 3 AND upgraded = 1") == 1);

	/* Again, later that month: nothing. */
	seen.n = 0;
	opt.now = at("2026-05-20");
	CHECK(tiers_review_run(c, &opt, &st, &err) == 0);
	CHECK(st.reviews == 0 && st.reviewed == 0 && seen.n == 0);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM notifications") == 4);

	/* A campaign without a review, or before the campaign, does nothing. */
	struct campaign *never = make_campaign("never", "2026-01-01", "2026-12-31");
	CHECK(never != NULL && tiers_due(never, opt.now, key, &from, &to) == 0);
	CHECK(tiers_due(camp, at("2026-01-15"), key, &from, &to) == 0);
	CHECK(tiers_due(camp, at("2027-03-15"), key, &from, &to) == 0);
	CHECK(tiers_due(camp, at("2027-01-15"), key, &from, &to) == 1);
	CHECK_STR(key, "2026-12");
	campaign_free(never);
	campaign_free(camp);
	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_campaign_end_review(void)
{
	struct db_settings s;
	struct db_error err = {0};
	struct db_conn *c = testdb_migrated("tiers_end", &s);
	struct campaign *camp = make_campaign("campaign_end", "2026-01-01", "2026-03-31");
	struct tiers_stats st;

	CHECK(camp != NULL);
	if (camp == NULL)
		return;
	add_subscribers(c, 3, NULL);
	set_tier(c, 1, "gold");
	add_points(c, 1, "club", 900, "'2026-02-01'", "e1", "NULL");
	set_tier(c, 2, "silver");
	add_points(c, 2, "club", 100, "'2026-03-30'", "e2", "NULL");
	set_tier(c, 3, "bronze");
	add_points(c, 3, "club", 1, "'2026-03-30'", "e3", "NULL");

	struct campaign *list[] = {camp};
	struct tiers_options opt = {.now = at("2026-03-30"), .campaigns = list, .ncampaigns = 1};
	CHECK(tiers_review_run(c, &opt, &st, &err) == 0);
	CHECK(st.reviewed == 0 && tier_is(c, 1, "gold"));
	opt.now = at("2026-04-01T00:00:01Z");
	CHECK(tiers_review_run(c, &opt, &st, &err) == 0);
	CHECK(st.reviews == 1 && st.reviewed == 3 && st.downgraded == 2);
	CHECK(tier_is(c, 1, "bronze") && tier_is(c, 2, "bronze") && tier_is(c, 3, "bronze"));
	CHECK(testdb_value(c, "SELECT SUM(qualifying_points) FROM subscribers") == 0);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM notifications") == 0);
	/* Spendable points stay. */
	CHECK(testdb_value(c, "SELECT points FROM subscribers WHERE id = 1") == 900);
	CHECK(tiers_review_run(c, &opt, &st, &err) == 0 && st.reviewed == 0);
	campaign_free(camp);
	db_conn_free(c);
	testdb_drop(&s);
}

#define MEMBERS 300
#define NODES   4

struct node_arg {
	struct db_settings *s;
	struct campaign *camp;
	struct tiers_stats st;
	int rc;
};

static void *
review_node(void *arg)
{
	struct node_arg *a = arg;
	struct db_error err = {0};
	struct db_conn *c = db_conn_new(a->s);
	struct campaign *list[] = {a->camp};
	struct tiers_options opt = {
	    .now = at("2026-05-02"), .batch = 7, .campaigns = list, .ncampaigns = 1};
	a->rc = tiers_review_run(c, &opt, &a->st, &err);
	if (a->rc < 0)
		fprintf(stderr, "review: %s\n", err.msg);
	db_conn_free(c);
	return NULL;
}

struct player_arg {
	struct db_settings *s;
	atomic_int *stop;
	int awards;
};

static int
award_body(struct db_conn *conn, void *arg, struct db_error *err)
{
	long long *k = arg;
	struct game_scope scope = {"club", 1};
	struct game_award a;
	char ref[40];
	snprintf(ref, sizeof(ref), "play:%lld", *k);
	return game_award(conn, &scope, 1 + *k % MEMBERS, 40, 0, "test", ref, 30, 1, &a, err);
}

static void *
player(void *arg)
{
	struct player_arg *a = arg;
	struct db_error err = {0};
	struct db_conn *c = db_conn_new(a->s);
	for (long long k = 0; k < 400 && !atomic_load(a->stop); k++) {
		long long key = k * 7919;
		if (db_tx(c, award_body, &key, &err) < 0)
			fprintf(stderr, "award: %s\n", err.msg);
		else
			a->awards++;
	}
	db_conn_free(c);
	return NULL;
}

static void
test_concurrent_review(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("tiers_nodes", &s);
	struct campaign *camp = make_campaign("monthly", "2026-01-01", "2026-12-31");
	char sql[512];
	atomic_int stop = 0;

	CHECK(camp != NULL);
	if (camp == NULL)
		return;
	add_subscribers(c, MEMBERS, "gold");
	/* Every member: 350 in March, 20 in April, so all go down to bronze. */
	snprintf(sql, sizeof(sql),
	         "INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version, delta,"
	         " reason, ref, remaining, expires_at, created_at)"
	         " SELECT seq, 'club', 1, 350, 'test', CONCAT('m', seq), 350, NULL,"
	         " '2026-03-10' FROM seq_1_to_%d UNION ALL"
	         " SELECT seq, 'club', 1, 20, 'test', CONCAT('p', seq), 20, NULL, '2026-04-10'"
	         " FROM seq_1_to_%d",
	         MEMBERS, MEMBERS);
	testdb_exec(c, sql);
	testdb_exec(c, "UPDATE subscribers SET points = 370, qualifying_points = 370");

	pthread_t nodes[NODES], play;
	struct node_arg na[NODES];
	struct player_arg pa = {&s, &stop, 0};
	pthread_create(&play, NULL, player, &pa);
	for (int i = 0; i < NODES; i++) {
		na[i] = (struct node_arg){&s, camp, {0}, 0};
		pthread_create(&nodes[i], NULL, review_node, &na[i]);
	}
	long long reviewed = 0, down = 0, reviews = 0;
	for (int i = 0; i < NODES; i++) {
		pthread_join(nodes[i], NULL);
		CHECK(na[i].rc == 0);
		reviewed += na[i].st.reviewed;
		down += na[i].st.downgraded;
		reviews += na[i].st.reviews;
	}
	atomic_store(&stop, 1);
	pthread_join(play, NULL);
	printf("  %d awards while %d nodes reviewed\n", pa.awards, NODES);
	CHECK(reviewed == MEMBERS);
	CHECK(reviews == 1);
	CHECK(down == MEMBERS);
	CHECK(testdb_value(
	          c, "SELECT COUNT(*) FROM notifications WHERE template = 'tier_downgrade'") ==
	      MEMBERS);
	CHECK(testdb_value(c, "SELECT COUNT(DISTINCT subscriber_id) FROM notifications") ==
	      MEMBERS);
	CHECK(testdb_value(c, "SELECT reviewed FROM tier_reviews WHERE period_key = '2026-04'") ==
	      MEMBERS);
	/* Qualifying points are exactly what was earned after April, whatever came when. */
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM subscribers s WHERE s.qualifying_points <>"
	                      " (SELECT COALESCE(SUM(delta), 0) FROM points_ledger l"
	                      "  WHERE l.subscriber_id = s.id AND l.created_at >= '2026-05-01')") ==
	      0);
	/* Nobody earned 100 since (two awards of 40 at most): all went down. */
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM subscribers WHERE tier = 'gold'") == 0);
	CHECK(inconsistent(c) == 0);
	campaign_free(camp);
	db_conn_free(c);
	testdb_drop(&s);
}

static long long
remaining_of(struct db_conn *c, const char *ref)
{
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT remaining FROM points_ledger WHERE ref = '%s'", ref);
	return testdb_value(c, sql);
}

static long long
balance_of(struct db_conn *c, long long id)
{
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT points FROM subscribers WHERE id = %lld", id);
	return testdb_value(c, sql);
}

static void
test_adjust(void)
{
	struct db_settings s;
	struct db_error err = {0};
	struct db_conn *c = testdb_migrated("tiers_adjust", &s);
	struct campaign *camp = make_campaign("monthly", "2020-01-01", "2099-12-31");
	struct adjust_result r;
	const char *m1 = "+989120000001";

	CHECK(camp != NULL);
	if (camp == NULL)
		return;
	add_subscribers(c, 2, NULL);
	add_points(c, 1, "club", 100, "UTC_TIMESTAMP(6)", "lot-x",
	           "UTC_TIMESTAMP(6) + INTERVAL 10 DAY");
	testdb_exec(c, "UPDATE subscribers SET qualifying_points = 0");

	/* +50: a lot expiring like the campaign's points, counting toward tiers. */
	CHECK(adjust_points(c, camp, m1, 50, "a1", "ticket 1: missed recharge", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_DONE && r.delta == 50 && r.balance == 150);
	CHECK_STR(r.ledger_ref, "adjust:a1:p");
	CHECK(remaining_of(c, "adjust:a1:p") == 50);
	CHECK(testdb_value(c, "SELECT DATEDIFF(expires_at, created_at) FROM points_ledger"
	                      " WHERE ref = 'adjust:a1:p'") == 30);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_ledger WHERE ref = 'adjust:a1:p'"
	                      " AND reason = 'adjust' AND campaign_id = 'club'") == 1);
	CHECK(qualifying_of(c, 1) == 50);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_corrections WHERE ledger_ref ="
	                      " 'adjust:a1:p' AND note = 'ticket 1: missed recharge'") == 1);
	/* The same REF again, with either sign: nothing. */
	CHECK(adjust_points(c, camp, m1, 50, "a1", "again", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_ALREADY && r.balance == 150);
	CHECK(adjust_points(c, camp, m1, -5, "a1", "again", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_ALREADY && balance_of(c, 1) == 150);

	/* -20: from the lot that expires first. */
	CHECK(adjust_points(c, camp, m1, -20, "a2", "ticket 2", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_DONE && r.delta == -20 && r.balance == 130);
	CHECK(remaining_of(c, "lot-x") == 80 && remaining_of(c, "adjust:a1:p") == 50);
	CHECK(qualifying_of(c, 1) == 50);
	CHECK(inconsistent(c) == 0);

	/* More than the balance: refused, nothing changed. */
	CHECK(adjust_points(c, camp, m1, -131, "a3", "too much", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_SHORT && r.balance == 130 && r.wanted == 131);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_ledger WHERE ref = 'adjust:a3:p'") == 0);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_corrections WHERE ledger_ref ="
	                      " 'adjust:a3:p'") == 0);
	CHECK(remaining_of(c, "lot-x") == 80 && balance_of(c, 1) == 130);

	/* Nobody by that number. */
	CHECK(adjust_points(c, camp, "+989129999999", 5, "a4", "who", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_NO_SUBSCRIBER);

	/* Reverse the +50: from its own lot, with its qualifying points; once. */
	CHECK(adjust_reverse(c, &camp, 1, "adjust:a1:p", "wrong number", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_DONE && r.delta == -50 && r.balance == 80);
	CHECK(remaining_of(c, "adjust:a1:p") == 0 && remaining_of(c, "lot-x") == 80);
	CHECK(qualifying_of(c, 1) == 0);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_ledger WHERE ref = 'reverse:adjust:a1:p'"
	                      " AND delta = -50 AND reason = 'reversal'") == 1);
	CHECK(testdb_value(c, "SELECT delta FROM points_ledger WHERE ref = 'adjust:a1:p'") == 50);
	CHECK(adjust_reverse(c, &camp, 1, "adjust:a1:p", "again", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_ALREADY && r.balance == 80);

	/* Reverse the -20: a new lot of 20 that does not count toward tiers. */
	CHECK(adjust_reverse(c, &camp, 1, "adjust:a2:p", "refund", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_DONE && r.delta == 20 && r.balance == 100);
	CHECK(remaining_of(c, "reverse:adjust:a2:p") == 20);
	CHECK(testdb_value(c, "SELECT DATEDIFF(expires_at, created_at) FROM points_ledger"
	                      " WHERE ref = 'reverse:adjust:a2:p' AND reason = 'refund'") == 30);
	CHECK(qualifying_of(c, 1) == 0);
	CHECK(inconsistent(c) == 0);

	/* A reversal is not reversed; unknown refs are not found. */
	CHECK(adjust_reverse(c, &camp, 1, "reverse:adjust:a2:p", "x", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_IS_REVERSAL);
	CHECK(adjust_reverse(c, &camp, 1, "nope", "x", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_NO_ROW);

	/* An award whose points are spent: refused, nothing changed. */
	CHECK(adjust_points(c, camp, m1, -90, "a5", "spend", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_DONE && r.balance == 10);
	CHECK(adjust_reverse(c, &camp, 1, "lot-x", "x", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_SHORT && r.balance == 10);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_ledger WHERE ref = 'reverse:lot-x'") ==
	      0);
	CHECK(inconsistent(c) == 0);

	/* Its own lot partly spent: the rest comes from the other lots. */
	const char *m2 = "+989120000002";
	add_points(c, 2, "club", 100, "UTC_TIMESTAMP(6)", "b-1",
	           "UTC_TIMESTAMP(6) + INTERVAL 5 DAY");
	CHECK(adjust_points(c, camp, m2, 40, "b2", "bonus", &r, &err) == 0 && r.balance == 140);
	CHECK(adjust_points(c, camp, m2, -120, "b3", "spend", &r, &err) == 0 && r.balance == 20);
	CHECK(remaining_of(c, "b-1") == 0 && remaining_of(c, "adjust:b2:p") == 20);
	add_points(c, 2, "club", 100, "UTC_TIMESTAMP(6)", "b-4", "NULL");
	CHECK(adjust_reverse(c, &camp, 1, "adjust:b2:p", "x", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_DONE && r.delta == -40 && r.balance == 80);
	CHECK(remaining_of(c, "adjust:b2:p") == 0 && remaining_of(c, "b-4") == 80);
	CHECK(inconsistent(c) == 0);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM points_ledger WHERE remaining < 0") == 0);

	/* An award whose lot expired in part: only the rest is taken back; expired whole:
	 * nothing to reverse. */
	add_points(c, 2, "club", 100, "UTC_TIMESTAMP(6)", "x-1", "NULL");
	CHECK(adjust_points(c, camp, m2, -110, "x2", "spend", &r, &err) == 0 && r.balance == 70);
	CHECK(remaining_of(c, "x-1") == 70 && remaining_of(c, "b-4") == 0);
	testdb_exec(
	    c, "INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version, delta,"
	       " reason, ref, remaining, expires_at, created_at) SELECT 2, 'club', 1, -70,"
	       " 'expiry', CONCAT('expire:', id), 0, NULL, UTC_TIMESTAMP(6) FROM points_ledger"
	       " WHERE ref = 'x-1'");
	testdb_exec(c, "UPDATE points_ledger SET remaining = 0 WHERE ref = 'x-1'");
	testdb_exec(c, "UPDATE subscribers SET points = points - 70 WHERE id = 2");
	CHECK(inconsistent(c) == 0 && balance_of(c, 2) == 0);
	CHECK(adjust_points(c, camp, m2, 50, "x3", "goodwill", &r, &err) == 0 && r.balance == 50);
	CHECK(adjust_reverse(c, &camp, 1, "x-1", "x", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_DONE && r.delta == -30 && r.balance == 20);
	CHECK(inconsistent(c) == 0);
	add_points(c, 2, "club", 5, "UTC_TIMESTAMP(6)", "x-4", "NULL");
	testdb_exec(
	    c, "INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version, delta,"
	       " reason, ref, remaining, expires_at, created_at) SELECT 2, 'club', 1, -5,"
	       " 'expiry', CONCAT('expire:', id), 0, NULL, UTC_TIMESTAMP(6) FROM points_ledger"
	       " WHERE ref = 'x-4'");
	testdb_exec(c, "UPDATE points_ledger SET remaining = 0 WHERE ref = 'x-4'");
	testdb_exec(c, "UPDATE subscribers SET points = points - 5 WHERE id = 2");
	CHECK(adjust_reverse(c, &camp, 1, "x-4", "x", &r, &err) == 0);
	CHECK(r.outcome == ADJUST_NOTHING && balance_of(c, 2) == 20);
	CHECK(inconsistent(c) == 0);

	/* The default REF: the same command the same day is the same REF. */
	char r1[48], r2[48], r3[48];
	adjust_default_ref(m1, 5, "x", "club", 1777593600, r1);
	adjust_default_ref(m1, 5, "x", "club", 1777593600 + 3600, r2);
	adjust_default_ref(m1, 6, "x", "club", 1777593600, r3);
	CHECK(strcmp(r1, r2) == 0 && strcmp(r1, r3) != 0 && strncmp(r1, "auto-20260501-", 14) == 0);
	CHECK(adjust_ref_ok(r1) && !adjust_ref_ok("") && !adjust_ref_ok("a b"));
	campaign_free(camp);
	db_conn_free(c);
	testdb_drop(&s);
}

struct rev_arg {
	struct db_settings *s;
	struct campaign *camp;
	enum adjust_outcome out;
};

static void *
reverser(void *arg)
{
	struct rev_arg *a = arg;
	struct db_error err = {0};
	struct adjust_result r;
	struct db_conn *c = db_conn_new(a->s);
	a->out = ADJUST_NO_ROW;
	if (adjust_reverse(c, &a->camp, 1, "r-1", "race", &r, &err) < 0)
		fprintf(stderr, "reverse: %s\n", err.msg);
	else
		a->out = r.outcome;
	db_conn_free(c);
	return NULL;
}

static void
test_reverse_concurrently(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("tiers_reverse", &s);
	struct campaign *camp = make_campaign("never", "2020-01-01", "2099-12-31");
	pthread_t t[4];
	struct rev_arg a[4];
	int done = 0, already = 0;

	add_subscribers(c, 1, NULL);
	add_points(c, 1, "club", 70, "UTC_TIMESTAMP(6)", "r-1", "NULL");
	add_points(c, 1, "club", 70, "UTC_TIMESTAMP(6)", "r-2", "NULL");
	for (int i = 0; i < 4; i++) {
		a[i] = (struct rev_arg){&s, camp, ADJUST_NO_ROW};
		pthread_create(&t[i], NULL, reverser, &a[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		done += a[i].out == ADJUST_DONE;
		already += a[i].out == ADJUST_ALREADY;
	}
	CHECK(done == 1 && already == 3);
	CHECK(balance_of(c, 1) == 70 && remaining_of(c, "r-1") == 0);
	CHECK(inconsistent(c) == 0);
	campaign_free(camp);
	db_conn_free(c);
	testdb_drop(&s);
}

int
main(void)
{
	db_library_init();
	RUN(test_monthly_review);
	RUN(test_campaign_end_review);
	RUN(test_concurrent_review);
	RUN(test_adjust);
	RUN(test_reverse_concurrently);
	db_library_end();
	return check_summary();
}
