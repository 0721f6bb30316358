/*
 * Integration: reminders against the real private MariaDB — a due reminder fires once
 * however many nodes tick, a run materialises its segment in batches with each member
 * once (also with two nodes materialising at the same time, and after a node died
 * holding the run), paused reminders do not fire, run-now starts a run, segments pick
 * the right members, and the policies apply to every row created.
 */
#include "check.h"
#include "core/buf.h"
#include "core/tz.h"
#include "send/scheduler.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/reminders.h"
#include "testdb.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct tz *utc;
static struct policy open_policy = {.promo_daily_cap = 5};

static void
add_members(struct db_conn *c, int n)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
	         "INSERT INTO subscribers (msisdn, lang, joined_at, created_at, updated_at)"
	         " SELECT CONCAT('+98912', LPAD(seq, 7, '0')), IF(seq %% 2 = 0, 'en', 'fa'),"
	         " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_1_to_%d",
	         n);
	testdb_exec(c, sql);
}

static struct outbox_env env = {.policy = &open_policy, .default_lang = "fa", .expire_s = 3600};

static struct scheduler_opts
opts(const char *owner, unsigned batch)
{
	struct scheduler_opts o = {.owner = owner,
	                           .langs = scheduler_langs,
	                           .nlangs = scheduler_nlangs,
	                           .default_tz = "UTC",
	                           .env = &env,
	                           .batch = batch,
	                           .max_batches = 1000,
	                           .lease_s = 30,
	                           .now = time(NULL)};
	return o;
}

static enum scheduler_result
add(struct db_conn *c, const char *json)
{
	struct scheduler_opts o = opts("cli", 10);
	struct buf errors = BUF_INIT;
	struct db_error err = {0};
	char id[41];
	enum scheduler_result r =
	    scheduler_add(c, &o, json, strlen(json), "test", id, &errors, &err);
	if (r != SCHEDULER_OK)
		fprintf(stderr, "add: %s%s\n", buf_cstr(&errors), err.msg);
	buf_free(&errors);
	return r;
}

static void
tick(struct db_conn *c, const char *owner, unsigned batch, struct scheduler_stats *st)
{
	struct scheduler_opts o = opts(owner, batch);
	struct db_error err = {0};
	if (scheduler_tick(c, &o, st, &err) < 0)
		fprintf(stderr, "tick: %s\n", err.msg);
}

static void
copy_status(const struct reminder_run_status *st, void *arg)
{
	*(struct reminder_run_status *)arg = *st;
}

static const char daily_all[] =
    "{\"id\": \"hello\", \"schedule\": {\"daily\": \"00:00\"}, \"segment\": {\"type\": \"all\"},"
    " \"text\": {\"fa\": \"salam {points}\", \"en\": \"hello {points}\"}}";

static void
test_fire_once_and_materialise(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("rem_fire", &s);
	struct scheduler_stats st;
	add_members(c, 25);
	testdb_exec(c, "UPDATE subscribers SET points = 7 WHERE id = 2");
	testdb_exec(c, "UPDATE subscribers SET opted_out_at = UTC_TIMESTAMP(6) WHERE id = 3");
	testdb_exec(c, "UPDATE subscribers SET joined_at = NULL WHERE id = 4");
	CHECK(add(c, daily_all) == SCHEDULER_OK);
	CHECK(testdb_value(c, "SELECT next_run_at > UTC_TIMESTAMP(6) FROM reminders") == 1);
	/* Not due yet: nothing happens. */
	tick(c, "A", 10, &st);
	CHECK(st.started == 0 && st.batches == 0);
	/* Due now (as if the time had come). */
	testdb_exec(c, "UPDATE reminders SET next_run_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND");
	tick(c, "A", 10, &st);
	CHECK(st.started == 1);
	CHECK(st.batches == 3); /* 23 members in batches of 10 */
	CHECK(st.queued == 23);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM outbox") == 23);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM outbox WHERE subscriber_id IN (3, 4)") == 0);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM outbox WHERE client_ref = 'rem:1:2' AND"
	                      " text = 'hello 7' AND lang = 'en' AND kind = 'promotional'") == 1);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM outbox WHERE client_ref = 'rem:1:1' AND"
	                      " text = 'salam 0' AND source = 'reminder:1'") == 1);
	CHECK(testdb_value(
	          c, "SELECT CONCAT(status = 'done', members, cursor_id) FROM reminder_runs") ==
	      12325);
	/* The next firing is tomorrow; ticking again changes nothing. */
	CHECK(testdb_value(c, "SELECT next_run_at > UTC_TIMESTAMP(6) FROM reminders") == 1);
	tick(c, "B", 10, &st);
	CHECK(st.started == 0 && st.batches == 0);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM outbox") == 23);

	/* Status figures per run, from the outbox rows. */
	testdb_exec(c, "UPDATE outbox SET state = 'sent' WHERE subscriber_id <= 10");
	testdb_exec(c, "UPDATE outbox SET state = 'delivered' WHERE subscriber_id <= 5");
	testdb_exec(c, "UPDATE outbox SET state = 'failed' WHERE subscriber_id = 25");
	struct reminder_run_status got = {0};
	struct db_error err = {0};
	CHECK(reminders_runs(c, "hello", 5, copy_status, &got, &err) == 0);
	CHECK(got.id == 1 && strcmp(got.status, "done") == 0 && got.members == 23);
	CHECK(got.delivered == 3 && got.sent == 5 && got.failed == 1 && got.queued == 14);
	db_conn_free(c);
	testdb_drop(&s);
}

struct ticker {
	struct db_settings *s;
	char owner[8];
	unsigned long long queued;
};

static void *
ticker_run(void *arg)
{
	struct ticker *t = arg;
	struct db_conn *c = db_conn_new(t->s);
	struct scheduler_stats st;
	for (int i = 0; i < 30; i++) {
		struct scheduler_opts o = opts(t->owner, 50);
		o.max_batches = 2;
		struct db_error err = {0};
		if (scheduler_tick(c, &o, &st, &err) < 0)
			fprintf(stderr, "tick %s: %s\n", t->owner, err.msg);
		t->queued += st.queued;
	}
	db_conn_free(c);
	db_thread_end();
	return NULL;
}

static void
test_two_nodes_never_double(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("rem_two", &s);
	add_members(c, 1000);
	CHECK(add(c, daily_all) == SCHEDULER_OK);
	testdb_exec(c, "UPDATE reminders SET next_run_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND");
	struct ticker t[2] = {{&s, "A", 0}, {&s, "B", 0}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, ticker_run, &t[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM reminder_runs") == 1);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM outbox") == 1000);
	CHECK(testdb_value(c, "SELECT COUNT(DISTINCT subscriber_id) FROM outbox") == 1000);
	CHECK(t[0].queued + t[1].queued == 1000);
	CHECK(testdb_value(c, "SELECT status = 'done' FROM reminder_runs") == 1);
	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_run_taken_over_after_lease(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("rem_lease", &s);
	struct scheduler_stats st;
	add_members(c, 30);
	CHECK(add(c, daily_all) == SCHEDULER_OK);
	struct db_error err = {0};
	CHECK(scheduler_run_now(c, "hello", time(NULL), &err) == SCHEDULER_OK);
	/* Node A materialises one batch of 10, then dies holding the run. */
	struct scheduler_opts o = opts("A", 10);
	o.max_batches = 1;
	o.lease_s = 1;
	CHECK(scheduler_tick(c, &o, &st, &err) == 0);
	CHECK(st.queued == 10 && st.more);
	/* B cannot take it while A's lease holds. */
	tick(c, "B", 10, &st);
	CHECK(st.batches == 0);
	sleep(2);
	tick(c, "B", 10, &st);
	CHECK(st.queued == 20);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM outbox") == 30);
	CHECK(testdb_value(c, "SELECT COUNT(DISTINCT subscriber_id) FROM outbox") == 30);
	CHECK(scheduler_run_now(c, "nope", time(NULL), &err) == SCHEDULER_NOT_FOUND);
	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_pause_resume(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("rem_pause", &s);
	struct scheduler_stats st;
	struct db_error err = {0};
	add_members(c, 3);
	CHECK(add(c, daily_all) == SCHEDULER_OK);
	CHECK(scheduler_pause(c, "hello", &err) == SCHEDULER_OK);
	testdb_exec(c, "UPDATE reminders SET next_run_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND");
	tick(c, "A", 10, &st);
	CHECK(st.started == 0);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM outbox") == 0);
	struct scheduler_opts o = opts("cli", 10);
	CHECK(scheduler_resume(c, &o, "hello", &err) == SCHEDULER_OK);
	CHECK(testdb_value(c, "SELECT status = 'active' AND next_run_at > UTC_TIMESTAMP(6) FROM"
	                      " reminders") == 1);
	CHECK(scheduler_pause(c, "nope", &err) == SCHEDULER_NOT_FOUND);
	db_conn_free(c);
	testdb_drop(&s);
}

static long long
segment_count(struct db_conn *c, const char *segment_json)
{
	char json[600];
	struct scheduler_stats st;
	struct db_error err = {0};
	testdb_exec(c, "DELETE FROM outbox");
	testdb_exec(c, "DELETE FROM reminder_runs");
	snprintf(
	    json, sizeof(json),
	    "{\"id\": \"seg\", \"kind\": \"transactional\", \"schedule\": {\"daily\": \"00:00\"},"
	    " \"segment\": %s, \"text\": {\"fa\": \"x\", \"en\": \"y\"}}",
	    segment_json);
	if (add(c, json) != SCHEDULER_OK)
		return -1;
	scheduler_run_now(c, "seg", time(NULL), &err);
	tick(c, "A", 100, &st);
	return testdb_value(c, "SELECT COUNT(*) FROM outbox");
}

static void
test_segments(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("rem_seg", &s);
	add_members(c, 6);
	char day[11];
	tz_day_key(utc, time(NULL), day);
	char sql[400];
	testdb_exec(c, "UPDATE subscribers SET tier = 'gold' WHERE id IN (1, 2)");
	snprintf(sql, sizeof(sql),
	         "INSERT INTO spins (subscriber_id, campaign_id, campaign_version, day_key, seq,"
	         " random_value, total_weight, drawn_prize, awarded_prize, created_at) VALUES"
	         " (1, 'c', 1, '%s', 1, 0, 1, 'p', 'p', UTC_TIMESTAMP(6)),"
	         " (2, 'c', 1, '2000-01-01', 1, 0, 1, 'p', 'p', UTC_TIMESTAMP(6))",
	         day);
	testdb_exec(c, sql);
	snprintf(sql, sizeof(sql),
	         "INSERT INTO checkins (subscriber_id, campaign_id, day_key, streak, created_at)"
	         " VALUES (1, 'c', '%s', 1, UTC_TIMESTAMP(6)), (3, 'c', '%s', 1, UTC_TIMESTAMP(6))",
	         day, day);
	testdb_exec(c, sql);
	testdb_exec(
	    c,
	    "INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version, delta,"
	    " reason, ref, remaining, expires_at, created_at) VALUES"
	    " (4, 'c', 1, 10, 't', 'l1', 10, UTC_TIMESTAMP(6) + INTERVAL 2 DAY, UTC_TIMESTAMP(6)),"
	    " (5, 'c', 1, 10, 't', 'l2', 10, UTC_TIMESTAMP(6) + INTERVAL 9 DAY, UTC_TIMESTAMP(6)),"
	    " (6, 'c', 1, 10, 't', 'l3', 0, UTC_TIMESTAMP(6) + INTERVAL 1 DAY, UTC_TIMESTAMP(6))");
	testdb_exec(
	    c, "INSERT INTO inbound_messages (adapter, provider_id, msisdn, recipient, raw_text,"
	       " raw_charset, text, outcome, reply, received_at) VALUES"
	       " ('json', 'a', '+989120000005', '3000', 'x', 'utf-8', 'x', 'replied', '',"
	       " UTC_TIMESTAMP(6) - INTERVAL 1 DAY)");
	testdb_exec(
	    c,
	    "UPDATE subscribers SET joined_at = UTC_TIMESTAMP(6) - INTERVAL 40 DAY WHERE id > 2");
	testdb_exec(c,
	            "INSERT INTO referrals (campaign_id, campaign_version, referrer_id, referee_id,"
	            " status, created_at) VALUES ('c', 1, 6, 5, 'rewarded', UTC_TIMESTAMP(6))");

	CHECK(segment_count(c, "{\"type\": \"all\"}") == 6);
	CHECK(segment_count(c, "{\"type\": \"tier\", \"tier\": \"gold\"}") == 2);
	CHECK(segment_count(c, "{\"type\": \"not_spun_today\"}") == 5);
	CHECK(segment_count(c, "{\"type\": \"not_checked_in_today\"}") == 4);
	CHECK(segment_count(c, "{\"type\": \"points_expiring\", \"days\": 3}") == 1);
	CHECK(segment_count(c, "{\"type\": \"inactive\", \"days\": 7}") == 5);
	CHECK(segment_count(c, "{\"type\": \"joined_within\", \"days\": 30}") == 2);
	CHECK(segment_count(c, "{\"type\": \"no_referrals\"}") == 5);
	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_policies_apply_to_runs(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("rem_policy", &s);
	struct scheduler_stats st;
	struct db_error err = {0};
	add_members(c, 4);
	/* Member 1 got their promotional messages for today already (cap 5). */
	testdb_exec(c,
	            "INSERT INTO outbox (client_ref, kind, subscriber_id, msisdn, text, state,"
	            " not_before, expires_at, created_at, sent_at)"
	            " SELECT CONCAT('old:', seq), 'promotional', 1, '+989120000001', 'x', 'sent',"
	            " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL 1 HOUR, UTC_TIMESTAMP(6),"
	            " UTC_TIMESTAMP(6) FROM seq_1_to_5");
	testdb_exec(c, "UPDATE subscribers SET promo_blocked_at = UTC_TIMESTAMP(6) WHERE id = 2");
	CHECK(add(c, daily_all) == SCHEDULER_OK);
	CHECK(scheduler_run_now(c, "hello", time(NULL), &err) == SCHEDULER_OK);
	tick(c, "A", 10, &st);
	CHECK(st.queued == 2 && st.refused == 2);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM outbox WHERE source = 'reminder:1' AND state ="
	                      " 'failed'") == 2);
	CHECK(testdb_value(c, "SELECT refused FROM reminder_runs") == 2);
	db_conn_free(c);
	testdb_drop(&s);
}

static void
test_quiet_hours_and_length_in_runs(void)
{
	struct db_settings s;
	struct db_conn *c = testdb_migrated("rem_quiet", &s);
	struct scheduler_stats st;
	struct db_error err = {0};
	add_members(c, 3);
	CHECK(add(c, daily_all) == SCHEDULER_OK);
	/* Quiet hours hold now: the promotional rows are queued for when they end. */
	struct tz_civil now;
	tz_civil(utc, time(NULL), &now);
	int m = now.hour * 60 + now.minute;
	struct policy quiet = {.tz = utc,
	                       .quiet_start_min = (m + 1440 - 5) % 1440,
	                       .quiet_end_min = (m + 60) % 1440,
	                       .promo_daily_cap = 5};
	struct outbox_env saved = env;
	env.policy = &quiet;
	CHECK(scheduler_run_now(c, "hello", time(NULL), &err) == SCHEDULER_OK);
	tick(c, "A", 10, &st);
	CHECK(st.queued == 3);
	CHECK(testdb_value(c, "SELECT COUNT(*) FROM outbox WHERE state = 'queued' AND not_before >"
	                      " UTC_TIMESTAMP(6) + INTERVAL 50 MINUTE") == 3);
	/* Texts longer than the provider takes are refused, all of them, with the reason. */
	env = saved;
	env.max_segments = 1;
	char json[800], text[300];
	memset(text, 'x', 200);
	text[200] = '\0';
	snprintf(json, sizeof(json),
	         "{\"id\": \"long\", \"kind\": \"transactional\", \"schedule\": {\"daily\":"
	         " \"00:00\"}, \"segment\": {\"type\": \"all\"}, \"text\": {\"fa\": \"%s\","
	         " \"en\": \"%s\"}}",
	         text, text);
	CHECK(add(c, json) == SCHEDULER_OK);
	CHECK(scheduler_run_now(c, "long", time(NULL), &err) == SCHEDULER_OK);
	tick(c, "A", 10, &st);
	CHECK(st.refused == 3 && st.queued == 0);
	CHECK(testdb_value(c,
	                   "SELECT COUNT(*) FROM outbox WHERE source = 'reminder:2' AND state ="
	                   " 'failed' AND last_error LIKE 'text too long%' AND segments = 2") == 3);
	env = saved;
	db_conn_free(c);
	testdb_drop(&s);
}

int
main(void)
{
	const char *why = NULL;
	db_library_init();
	tz_load("UTC", &utc, &why);
	open_policy.tz = utc;
	RUN(test_fire_once_and_materialise);
	RUN(test_two_nodes_never_double);
	RUN(test_run_taken_over_after_lease);
	RUN(test_pause_resume);
	RUN(test_segments);
	RUN(test_policies_apply_to_runs);
	RUN(test_quiet_hours_and_length_in_runs);
	tz_free(utc);
	db_library_end();
	return check_summary();
}
