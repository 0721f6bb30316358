/*
 * Unit: the outbound path's pure logic — token bucket, backoff with jitter, Retry-After,
 * circuit breaker, policies (STOP, blocks, caps, quiet hours across Tehran midnight),
 * provider request building and answer classification, delivery-report status mapping.
 */
#include "check.h"
#include "core/config.h"
#include "core/tz.h"
#include "http/dlr.h"
#include "send/policy.h"
#include "send/provider.h"
#include "send/reminder.h"
#include "send/throttle.h"

#include <stdlib.h>
#include <string.h>

static void
test_bucket(void)
{
	struct bucket b;
	bucket_init(&b, 10, 10, 100.0);
	int taken = 0;
	while (bucket_take(&b, 100.0))
		taken++;
	CHECK(taken == 10); /* the burst */
	CHECK(bucket_wait(&b, 100.0) > 0.09 && bucket_wait(&b, 100.0) <= 0.1);
	CHECK(!bucket_take(&b, 100.05));
	CHECK(bucket_take(&b, 100.1)); /* one token per 0.1 s */
	CHECK(!bucket_take(&b, 100.1));
	/* Long idle refills to the burst, not beyond. */
	taken = 0;
	while (bucket_take(&b, 1000.0))
		taken++;
	CHECK(taken == 10);
	/* Over one simulated second at 10/s, about 10 go. */
	bucket_init(&b, 10, 1, 0);
	taken = 0;
	for (int ms = 0; ms <= 1000; ms++)
		taken += bucket_take(&b, ms / 1000.0);
	CHECK(taken >= 10 && taken <= 11);
}

static void
test_backoff(void)
{
	/* attempt 1: base, 2: 2*base, ...; jitter keeps it in [d/2, d]. */
	CHECK(backoff_delay(1, 2, 600, 0) == 1.0);
	CHECK(backoff_delay(1, 2, 600, UINT64_MAX) > 1.99 &&
	      backoff_delay(1, 2, 600, UINT64_MAX) <= 2.0);
	CHECK(backoff_delay(3, 2, 600, 0) == 4.0);
	CHECK(backoff_delay(30, 2, 600, 0) == 300.0); /* capped at max */
	CHECK(backoff_delay(30, 2, 600, UINT64_MAX) <= 600.0);
	for (unsigned a = 1; a < 40; a++) {
		double d = backoff_delay(a, 0.5, 60, (uint64_t)a * 0x9e3779b97f4a7c15ULL);
		CHECK(d > 0 && d <= 60);
	}
}

static void
test_retry_after(void)
{
	double s = -1;
	CHECK(retry_after_parse("120", 0, &s) == 0 && s == 120);
	CHECK(retry_after_parse(" 7\r\n", 0, &s) == 0 && s == 7);
	CHECK(retry_after_parse("-1", 0, &s) < 0);
	CHECK(retry_after_parse("12abc", 0, &s) < 0);
	CHECK(retry_after_parse("", 0, &s) < 0);
	/* 2015-10-21 07:28:00 UTC = 1445412480 */
	CHECK(retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470, &s) == 0 && s == 10);
	CHECK(retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490, &s) == 0 && s == 0);
	CHECK(retry_after_parse("Wed, 21 Foo 2015 07:28:00 GMT", 0, &s) < 0);
}

static void
test_breaker(void)
{
	struct breaker b;
	breaker_init(&b, 3, 30);
	CHECK(breaker_allow(&b, 0));
	breaker_failure(&b, 0);
	breaker_failure(&b, 0);
	CHECK(b.state == BREAKER_CLOSED);
	breaker_success(&b); /* a success resets the count */
	breaker_failure(&b, 1);
	breaker_failure(&b, 1);
	CHECK(b.state == BREAKER_CLOSED);
	breaker_failure(&b, 1);
	CHECK(b.state == BREAKER_OPEN);
	CHECK(!breaker_allow(&b, 10));
	CHECK(!breaker_allow(&b, 30.9));
	CHECK(breaker_allow(&b, 31)); /* one probe */
	CHECK(b.state == BREAKER_HALF_OPEN);
	CHECK(!breaker_allow(&b, 31)); /* only one */
	breaker_failure(&b, 32);       /* the probe failed: open again */
	CHECK(b.state == BREAKER_OPEN && b.open_until == 62);
	CHECK(breaker_allow(&b, 62));
	breaker_success(&b);
	CHECK(b.state == BREAKER_CLOSED);
	CHECK(breaker_allow(&b, 62) && breaker_allow(&b, 62));
	CHECK(b.opened == 2);
}

static struct tz *tehran;

static time_t
tehran_at(int y, int mo, int d, int h, int mi)
{
	return tz_to_utc(tehran, y, mo, d, h, mi, 0);
}

static void
test_policy_quiet_hours(void)
{
	struct policy p = {.tz = tehran, .promo_daily_cap = 2};
	time_t until = 0;
	const char *why = NULL;
	struct policy_member m = {0};

	CHECK(policy_parse_hhmm("22:00", &p.quiet_start_min) == 0 && p.quiet_start_min == 1320);
	CHECK(policy_parse_hhmm("08:00", &p.quiet_end_min) == 0 && p.quiet_end_min == 480);
	CHECK(policy_parse_hhmm("24:00", &p.quiet_end_min) < 0);
	CHECK(policy_parse_hhmm("8:00", &p.quiet_end_min) < 0);
	CHECK(p.quiet_end_min == 480);

	/* 21:59 Tehran: promotional goes. 22:00: waits until 08:00 the next morning. */
	CHECK(policy_check(&p, OUTBOX_PROMOTIONAL, &m, tehran_at(2026, 3, 20, 21, 59), &until,
	                   &why) == POLICY_SEND);
	CHECK(policy_check(&p, OUTBOX_PROMOTIONAL, &m, tehran_at(2026, 3, 20, 22, 0), &until,
	                   &why) == POLICY_WAIT);
	CHECK(until == tehran_at(2026, 3, 21, 8, 0));
	/* Across Tehran midnight: 23:59 and 00:01 wait for the same morning. */
	CHECK(policy_check(&p, OUTBOX_PROMOTIONAL, &m, tehran_at(2026, 3, 20, 23, 59), &until,
	                   &why) == POLICY_WAIT);
	CHECK(until == tehran_at(2026, 3, 21, 8, 0));
	CHECK(policy_check(&p, OUTBOX_PROMOTIONAL, &m, tehran_at(2026, 3, 21, 0, 1), &until,
	                   &why) == POLICY_WAIT);
	CHECK(until == tehran_at(2026, 3, 21, 8, 0));
	CHECK(policy_check(&p, OUTBOX_PROMOTIONAL, &m, tehran_at(2026, 3, 21, 7, 59), &until,
	                   &why) == POLICY_WAIT);
	CHECK(policy_check(&p, OUTBOX_PROMOTIONAL, &m, tehran_at(2026, 3, 21, 8, 0), &until,
	                   &why) == POLICY_SEND);
	/* 08:00 Tehran is 04:30 UTC (no DST in Iran since 2022). */
	CHECK(tehran_at(2026, 3, 21, 8, 0) % 86400 == 4 * 3600 + 30 * 60);
	/* Transactional and replies skip quiet hours. */
	CHECK(policy_check(&p, OUTBOX_TRANSACTIONAL, &m, tehran_at(2026, 3, 20, 23, 0), &until,
	                   &why) == POLICY_SEND);
	CHECK(policy_check(&p, OUTBOX_REPLY, &m, tehran_at(2026, 3, 20, 23, 0), &until, &why) ==
	      POLICY_SEND);
	/* A daytime window (13:00-14:00) and none at all (equal ends). */
	p.quiet_start_min = 13 * 60;
	p.quiet_end_min = 14 * 60;
	CHECK(policy_check(&p, OUTBOX_PROMOTIONAL, &m, tehran_at(2026, 3, 20, 13, 30), &until,
	                   &why) == POLICY_WAIT);
	CHECK(until == tehran_at(2026, 3, 20, 14, 0));
	CHECK(policy_check(&p, OUTBOX_PROMOTIONAL, &m, tehran_at(2026, 3, 20, 23, 30), &until,
	                   &why) == POLICY_SEND);
	p.quiet_end_min = p.quiet_start_min;
	CHECK(policy_check(&p, OUTBOX_PROMOTIONAL, &m, tehran_at(2026, 3, 20, 13, 30), &until,
	                   &why) == POLICY_SEND);
}

static void
test_policy_stop_block_cap(void)
{
	struct policy p = {
	    .tz = tehran, .quiet_start_min = 1320, .quiet_end_min = 480, .promo_daily_cap = 2};
	time_t noon = tehran_at(2026, 3, 20, 12, 0), until = 0;
	const char *why = NULL;

	struct policy_member stopped = {.opted_out = 1};
	CHECK(policy_check(&p, OUTBOX_PROMOTIONAL, &stopped, noon, &until, &why) == POLICY_DROP);
	CHECK(policy_check(&p, OUTBOX_TRANSACTIONAL, &stopped, noon, &until, &why) == POLICY_DROP);
	CHECK_CONTAINS(why, "STOP");
	CHECK(policy_check(&p, OUTBOX_REPLY, &stopped, noon, &until, &why) == POLICY_SEND);

	struct policy_member blocked = {.promo_blocked = 1};
	CHECK(policy_check(&p, OUTBOX_PROMOTIONAL, &blocked, noon, &until, &why) == POLICY_DROP);
	CHECK(policy_check(&p, OUTBOX_TRANSACTIONAL, &blocked, noon, &until, &why) == POLICY_SEND);

	struct policy_member capped = {.promo_today = 2};
	CHECK(policy_check(&p, OUTBOX_PROMOTIONAL, &capped, noon, &until, &why) == POLICY_DROP);
	CHECK_CONTAINS(why, "cap");
	CHECK(policy_check(&p, OUTBOX_TRANSACTIONAL, &capped, noon, &until, &why) == POLICY_SEND);
	capped.promo_today = 1;
	CHECK(policy_check(&p, OUTBOX_PROMOTIONAL, &capped, noon, &until, &why) == POLICY_SEND);
	/* STOP wins over quiet hours too: dropped, not waiting. */
	CHECK(policy_check(&p, OUTBOX_PROMOTIONAL, &stopped, tehran_at(2026, 3, 20, 23, 0), &until,
	                   &why) == POLICY_DROP);

	/* The cap's day is the Tehran day: 23:59 and 00:01 are different days, whose starts
	 * are Tehran midnights (20:30 UTC the evening before). */
	time_t d1 = policy_day_start(&p, tehran_at(2026, 3, 20, 23, 59));
	time_t d2 = policy_day_start(&p, tehran_at(2026, 3, 21, 0, 1));
	CHECK(d1 == tehran_at(2026, 3, 20, 0, 0));
	CHECK(d2 == tehran_at(2026, 3, 21, 0, 0));
	CHECK(d2 - d1 == 86400);
	CHECK(d2 % 86400 == 20 * 3600 + 30 * 60);

	enum outbox_kind k;
	CHECK(outbox_kind_parse("promotional", &k) == 0 && k == OUTBOX_PROMOTIONAL);
	CHECK(outbox_kind_parse("spam", &k) < 0);
	CHECK_STR(outbox_kind_name(OUTBOX_TRANSACTIONAL), "transactional");
}

static struct config *
test_config(void)
{
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;
	const char *sets[] = {
	    "outbox.public_url=http://gg.example:8080/",
	    "outbox.dlr_secret=dlr-secret-0123456789",
	    "outbox.kannel_url=http://127.0.0.1:13013/cgi-bin/sendsms",
	    "outbox.kannel_password=kannel-pass-0123456789",
	    "outbox.http_url=http://api.example/send",
	    "outbox.http_auth_header=Authorization: Bearer abc",
	    "outbox.http_from=Club",
	    "outbox.twilio_url=http://twilio.example/",
	    "outbox.twilio_sid=AC123",
	    "outbox.twilio_token=twilio-token-0123456789",
	    "outbox.twilio_from=+15550001",
	};
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		CHECK(config_set(cfg, sets[i], &errors) == 0);
	if (errors.len > 0)
		fprintf(stderr, "%s", buf_cstr(&errors));
	buf_free(&errors);
	return cfg;
}

static void
test_kannel_request(void)
{
	struct config *cfg = test_config();
	struct provider_request req;
	const char *why = NULL;
	struct provider_msg en = {"r:1", "+989121234567", "Hello & bye"};
	CHECK(provider_kannel.build(cfg, &en, &req, &why) == 0);
	CHECK(req.body == NULL); /* GET */
	CHECK_CONTAINS(req.url,
	               "http://127.0.0.1:13013/cgi-bin/sendsms?username=gamigate&password="
	               "kannel-pass-0123456789&from=3000&to=%2B989121234567&text=Hello%20%26%20bye"
	               "&charset=UTF-8&coding=0&dlr-mask=31&dlr-url=");
	/* The DLR URL, encoded once, keeps Kannel's %d and %A for Kannel to fill. */
	CHECK_CONTAINS(req.url,
	               "dlr-url=http%3A%2F%2Fgg.example%3A8080%2Fdlr%2Fkannel%3Fsecret%3Ddlr-"
	               "secret-0123456789%26ref%3Dr%253A1%26type%3D%25d%26smsc_reply%3D%25A");
	provider_request_free(&req);
	struct provider_msg fa = {"r:2", "+989121234567", "سلام"};
	CHECK(provider_kannel.build(cfg, &fa, &req, &why) == 0);
	CHECK_CONTAINS(req.url, "&coding=2&");
	CHECK_CONTAINS(req.url, "text=%D8%B3%D9%84%D8%A7%D9%85");
	provider_request_free(&req);

	/* Answers: 202 "0: Accepted", "3: Queued" ok; 503 retried; 403 permanent. */
	struct provider_result res;
	provider_classify(&provider_kannel, cfg, 1, 202, "0: Accepted for delivery", 24, &res);
	CHECK(res.outcome == SEND_OK && res.error[0] == '\0');
	provider_classify(&provider_kannel, cfg, 1, 202, "3: Queued for later delivery", 28, &res);
	CHECK(res.outcome == SEND_OK && res.error[0] == '\0');
	provider_classify(&provider_kannel, cfg, 1, 503, "4: Temporary failure", 21, &res);
	CHECK(res.outcome == SEND_RETRY);
	CHECK_CONTAINS(res.error, "HTTP 503 4: Temporary failure");
	provider_classify(&provider_kannel, cfg, 1, 403, "Authorization failed", 20, &res);
	CHECK(res.outcome == SEND_FAIL);
	provider_classify(&provider_kannel, cfg, 1, 429, "", 0, &res);
	CHECK(res.outcome == SEND_RETRY);
	provider_classify(&provider_kannel, cfg, 0, 0, NULL, 0, &res);
	CHECK(res.outcome == SEND_RETRY);
	config_free(cfg);
}

static void
test_http_and_twilio_request(void)
{
	struct config *cfg = test_config();
	struct provider_request req;
	const char *why = NULL;
	struct provider_msg m = {"n:7", "+989121234567", "Hi \"you\""};

	CHECK(provider_http.build(cfg, &m, &req, &why) == 0);
	CHECK_STR(req.url, "http://api.example/send");
	CHECK_STR(req.body,
	          "{\"to\":\"+989121234567\",\"text\":\"Hi \\\"you\\\"\",\"from\":\"Club\","
	          "\"client_ref\":\"n:7\",\"callback_url\":\"http://gg.example:8080/dlr/http?"
	          "secret=dlr-secret-0123456789&ref=n%3A7\"}");
	CHECK(req.nheaders == 2);
	CHECK_STR(req.headers[0], "Content-Type: application/json");
	CHECK_STR(req.headers[1], "Authorization: Bearer abc");
	provider_request_free(&req);

	struct buf errors = BUF_INIT;
	CHECK(config_set(cfg, "outbox.http_format=form", &errors) == 0);
	CHECK(config_set(cfg, "outbox.http_field_to=msisdn", &errors) == 0);
	CHECK(config_set(cfg, "outbox.http_field_callback=", &errors) == 0);
	buf_free(&errors);
	CHECK(provider_http.build(cfg, &m, &req, &why) == 0);
	CHECK_STR(req.body,
	          "msisdn=%2B989121234567&text=Hi%20%22you%22&from=Club&client_ref=n%3A7");
	CHECK_STR(req.headers[0], "Content-Type: application/x-www-form-urlencoded");
	provider_request_free(&req);

	struct provider_result res;
	const char *ans = "{\"id\": \"abc-123\", \"status\": \"queued\"}";
	provider_classify(&provider_http, cfg, 1, 200, ans, strlen(ans), &res);
	CHECK(res.outcome == SEND_OK);
	CHECK_STR(res.provider_id, "abc-123");
	provider_classify(&provider_http, cfg, 1, 200, "not json", 8, &res);
	CHECK(res.outcome == SEND_OK && res.provider_id[0] == '\0');
	provider_classify(&provider_http, cfg, 1, 400, "{\"error\":\"bad number\"}", 22, &res);
	CHECK(res.outcome == SEND_FAIL);

	CHECK(provider_twilio.build(cfg, &m, &req, &why) == 0);
	CHECK_STR(req.url, "http://twilio.example/2010-04-01/Accounts/AC123/Messages.json");
	CHECK_STR(req.body,
	          "To=%2B989121234567&From=%2B15550001&Body=Hi%20%22you%22&StatusCallback="
	          "http%3A%2F%2Fgg.example%3A8080%2Fdlr%2Ftwilio%3Fsecret%3Ddlr-secret-"
	          "0123456789%26ref%3Dn%253A7");
	CHECK_STR(req.userpwd, "AC123:twilio-token-0123456789");
	provider_request_free(&req);
	ans = "{\"sid\":\"SM42\",\"status\":\"queued\"}";
	provider_classify(&provider_twilio, cfg, 1, 201, ans, strlen(ans), &res);
	CHECK(res.outcome == SEND_OK);
	CHECK_STR(res.provider_id, "SM42");

	/* Without a URL there is no request, and the reason says which key. */
	CHECK(config_set(cfg, "outbox.http_url=", &errors) == 0);
	CHECK(provider_http.build(cfg, &m, &req, &why) < 0);
	CHECK_CONTAINS(why, "outbox.http_url");
	buf_free(&errors);
	config_free(cfg);
}

static void
test_dlr_mapping(void)
{
	struct dlr_report r;
	const char *why = NULL;

	CHECK(dlr_parse("kannel", "secret=x&ref=n%3A7&type=1&smsc_reply=", NULL, 0, &r, &why) == 0);
	CHECK_STR(r.ref, "n:7");
	CHECK(r.state == DLR_DELIVERED && !r.blocked);
	CHECK(dlr_parse("kannel", "ref=a&type=8", NULL, 0, &r, &why) == 0 &&
	      r.state == DLR_ACCEPTED);
	CHECK(dlr_parse("kannel", "ref=a&type=4", NULL, 0, &r, &why) == 0 &&
	      r.state == DLR_ACCEPTED);
	CHECK(dlr_parse("kannel", "ref=a&type=2", NULL, 0, &r, &why) == 0 && r.state == DLR_FAILED);
	CHECK(!r.blocked);
	CHECK(dlr_parse("kannel", "ref=a&type=16&smsc_reply=id%3A1%20stat%3AREJECTD%20err%3A045",
	                NULL, 0, &r, &why) == 0);
	CHECK(r.state == DLR_FAILED && r.blocked);
	CHECK(dlr_parse("kannel", "ref=a&type=99", NULL, 0, &r, &why) == 0 &&
	      r.state == DLR_UNKNOWN);
	CHECK(dlr_parse("kannel", "ref=a", NULL, 0, &r, &why) < 0);
	CHECK(dlr_parse("kannel", "type=1", NULL, 0, &r, &why) < 0);
	CHECK(dlr_parse("kannel", "ref=a&type=x1", NULL, 0, &r, &why) < 0);
	CHECK(dlr_parse("kannel", "ref=a&type=%zz", NULL, 0, &r, &why) < 0);

	CHECK(dlr_parse("http", "ref=r1", "status=DELIVERED&id=p-9", 23, &r, &why) == 0);
	CHECK(r.state == DLR_DELIVERED);
	CHECK_STR(r.provider_id, "p-9");
	CHECK(dlr_parse("http", "ref=r1&status=blocked", NULL, 0, &r, &why) == 0);
	CHECK(r.state == DLR_FAILED && r.blocked);
	CHECK(dlr_parse("http", "ref=r1&status=expired", NULL, 0, &r, &why) == 0 &&
	      r.state == DLR_EXPIRED);
	CHECK(dlr_parse("http", "ref=r1&status=whatever", NULL, 0, &r, &why) == 0 &&
	      r.state == DLR_UNKNOWN);
	CHECK(dlr_parse("http", "ref=r1", NULL, 0, &r, &why) < 0);

	const char *tw = "MessageSid=SM1&MessageStatus=undelivered&ErrorCode=30007";
	CHECK(dlr_parse("twilio", "secret=x&ref=n%3A1", tw, strlen(tw), &r, &why) == 0);
	CHECK(r.state == DLR_FAILED && r.blocked);
	CHECK_STR(r.provider_id, "SM1");
	tw = "MessageSid=SM1&MessageStatus=delivered";
	CHECK(dlr_parse("twilio", "ref=n%3A1", tw, strlen(tw), &r, &why) == 0);
	CHECK(r.state == DLR_DELIVERED && !r.blocked);
	tw = "MessageSid=SM1&MessageStatus=sent";
	CHECK(dlr_parse("twilio", "ref=n%3A1", tw, strlen(tw), &r, &why) == 0 &&
	      r.state == DLR_ACCEPTED);

	CHECK(dlr_parse("nope", "ref=a", NULL, 0, &r, &why) < 0);
	/* A ref longer than any of ours is refused, not cut. */
	char longq[200];
	snprintf(longq, sizeof(longq), "ref=%0100d&type=1", 0);
	CHECK(dlr_parse("kannel", longq, NULL, 0, &r, &why) < 0);
}

static const char *const langs[] = {"fa", "en"};

static struct reminder *
parse(const char *json, time_t now, struct buf *errors)
{
	buf_reset(errors);
	return reminder_parse(json, strlen(json), "r.json", langs, 2, "Asia/Tehran", now, errors);
}

static void
test_cron(void)
{
	struct cron c;
	const char *why = NULL;
	CHECK(cron_parse("30 18 * * *", &c, &why) == 0);
	/* 18:29 Tehran -> 18:30 the same day; 18:30 -> the next day. */
	CHECK(cron_next(&c, tehran, tehran_at(2026, 3, 20, 18, 29)) ==
	      tehran_at(2026, 3, 20, 18, 30));
	CHECK(cron_next(&c, tehran, tehran_at(2026, 3, 20, 18, 30)) ==
	      tehran_at(2026, 3, 21, 18, 30));
	/* Every 15 minutes from 23:50 crosses Tehran midnight. */
	CHECK(cron_parse("*/15 * * * *", &c, &why) == 0);
	CHECK(cron_next(&c, tehran, tehran_at(2026, 3, 20, 23, 50)) ==
	      tehran_at(2026, 3, 21, 0, 0));
	/* Weekdays: 2026-03-20 is a Friday (5); "0 9 * * 6" is the next Saturday. */
	CHECK(cron_parse("0 9 * * 6", &c, &why) == 0);
	CHECK(cron_next(&c, tehran, tehran_at(2026, 3, 20, 12, 0)) == tehran_at(2026, 3, 21, 9, 0));
	CHECK(cron_parse("0 9 * * 7", &c, &why) == 0); /* 7 = Sunday */
	CHECK(cron_next(&c, tehran, tehran_at(2026, 3, 20, 12, 0)) == tehran_at(2026, 3, 22, 9, 0));
	/* Lists and ranges; 29 February fires only in leap years. */
	CHECK(cron_parse("0 8,20 1-5 1 *", &c, &why) == 0);
	CHECK(cron_next(&c, tehran, tehran_at(2026, 1, 1, 9, 0)) == tehran_at(2026, 1, 1, 20, 0));
	CHECK(cron_parse("0 0 29 2 *", &c, &why) == 0);
	CHECK(cron_next(&c, tehran, tehran_at(2026, 3, 1, 0, 0)) == tehran_at(2028, 2, 29, 0, 0));
	/* Never: 30 February. */
	CHECK(cron_parse("0 0 30 2 *", &c, &why) == 0);
	CHECK(cron_next(&c, tehran, tehran_at(2026, 3, 1, 0, 0)) == 0);
	/* Bad lines say which field. */
	CHECK(cron_parse("60 * * * *", &c, &why) < 0);
	CHECK_CONTAINS(why, "minute");
	CHECK(cron_parse("* 24 * * *", &c, &why) < 0);
	CHECK_CONTAINS(why, "hour");
	CHECK(cron_parse("* * * *", &c, &why) < 0);
	CHECK(cron_parse("* * * * * *", &c, &why) < 0);
	CHECK(cron_parse("*/0 * * * *", &c, &why) < 0);
	CHECK(cron_parse("5-1 * * * *", &c, &why) < 0);
	CHECK(cron_parse("a * * * *", &c, &why) < 0);
}

static void
test_reminder_definitions(void)
{
	struct buf e = BUF_INIT;
	time_t now = tehran_at(2026, 3, 20, 12, 0);
	struct reminder *r = parse(
	    "{\"id\": \"spin-nudge\", \"campaign\": \"nowruz-1405\","
	    " \"schedule\": {\"daily\": \"18:30\"}, \"segment\": {\"type\": \"not_spun_today\"},"
	    " \"text\": {\"fa\": \"\u06af\u0631\u062f\u0648\u0646\u0647 {points}\", \"en\": "
	    "\"Spin! You have {points} "
	    "points ({tier}).\"}}",
	    now, &e);
	CHECK(r != NULL);
	if (r == NULL) {
		fprintf(stderr, "%s", buf_cstr(&e));
		buf_free(&e);
		return;
	}
	CHECK_STR(r->id, "spin-nudge");
	CHECK(r->kind == OUTBOX_PROMOTIONAL);
	CHECK(r->segment == SEGMENT_NOT_SPUN_TODAY);
	CHECK(reminder_next(r, now) == tehran_at(2026, 3, 20, 18, 30));
	CHECK(reminder_next(r, tehran_at(2026, 3, 20, 23, 0)) == tehran_at(2026, 3, 21, 18, 30));
	struct buf out = BUF_INIT;
	reminder_render(r, "en", 120, "gold", &out);
	CHECK_STR(buf_cstr(&out), "Spin! You have 120 points (gold).");
	buf_reset(&out);
	reminder_render(r, "xx", 5, "", &out); /* unknown language: the first one */
	CHECK_STR(buf_cstr(&out), "گردونه 5");
	buf_free(&out);
	reminder_free(r);

	r = parse(
	    "{\"id\": \"once\", \"kind\": \"transactional\", \"schedule\": {\"at\": "
	    "\"2026-03-21 10:00\"}, \"segment\": {\"type\": \"points_expiring\", \"days\": 3},"
	    " \"text\": {\"fa\": \"x\", \"en\": \"y\"}}",
	    now, &e);
	CHECK(r != NULL && r->kind == OUTBOX_TRANSACTIONAL && r->days == 3);
	if (r != NULL) {
		CHECK(reminder_next(r, now) == tehran_at(2026, 3, 21, 10, 0));
		CHECK(reminder_next(r, tehran_at(2026, 3, 21, 10, 0)) == 0); /* once */
	}
	reminder_free(r);

	/* Bad input: every mistake, with its path. */
	CHECK(parse("{\"id\": \"Bad Id\", \"schedule\": {\"cron\": \"0 0 30 2 *\"},"
	            " \"segment\": {\"type\": \"vip\"}, \"text\": {\"en\": \"hi\"}, \"colour\": 1}",
	            now, &e) == NULL);
	CHECK_CONTAINS(buf_cstr(&e), "r.json: id: ");
	CHECK_CONTAINS(buf_cstr(&e), "r.json: schedule.cron: never fires");
	CHECK_CONTAINS(buf_cstr(&e), "r.json: segment.type: unknown segment");
	CHECK_CONTAINS(buf_cstr(&e), "r.json: text.fa: missing");
	CHECK_CONTAINS(buf_cstr(&e), "r.json: colour: unknown key");
	CHECK(
	    parse(
	        "{\"id\": \"a\", \"schedule\": {\"at\": \"2020-01-01 10:00\"},"
	        " \"segment\": {\"type\": \"inactive\"}, \"text\": {\"fa\": \"x\", \"en\": \"y\"}}",
	        now, &e) == NULL);
	CHECK_CONTAINS(buf_cstr(&e), "schedule.at: is in the past");
	CHECK_CONTAINS(buf_cstr(&e), "segment.days: expected");
	CHECK(parse("{\"id\": \"a\", \"schedule\": {\"daily\": \"25:00\"},"
	            " \"segment\": {\"type\": \"tier\"}, \"kind\": \"reply\","
	            " \"timezone\": \"Mars/Olympus\", \"text\": {\"fa\": \"x\", \"en\": \"y\"}}",
	            now, &e) == NULL);
	CHECK_CONTAINS(buf_cstr(&e), "schedule.daily");
	CHECK_CONTAINS(buf_cstr(&e), "segment.tier");
	CHECK_CONTAINS(buf_cstr(&e), "kind: ");
	CHECK_CONTAINS(buf_cstr(&e), "timezone: ");
	CHECK(parse("[1]", now, &e) == NULL);
	CHECK(parse("{", now, &e) == NULL);
	CHECK_CONTAINS(buf_cstr(&e), "not a JSON object");
	CHECK(parse("{\"id\": \"a\", \"id\": \"b\"}", now, &e) == NULL);
	/* Stored definitions are re-read without the "never fires" check. */
	r = parse("{\"id\": \"a\", \"schedule\": {\"at\": \"2020-01-01 10:00\"},"
	          " \"segment\": {\"type\": \"all\"}, \"text\": {\"fa\": \"x\", \"en\": \"y\"}}",
	          0, &e);
	CHECK(r != NULL && reminder_next(r, now) == 0);
	reminder_free(r);
	buf_free(&e);
}

int
main(void)
{
	const char *why = NULL;
	if (tz_load("Asia/Tehran", &tehran, &why) < 0) {
		fprintf(stderr, "cannot load Asia/Tehran: %s\n", why);
		return 1;
	}
	RUN(test_bucket);
	RUN(test_backoff);
	RUN(test_retry_after);
	RUN(test_breaker);
	RUN(test_policy_quiet_hours);
	RUN(test_policy_stop_block_cap);
	RUN(test_kannel_request);
	RUN(test_http_and_twilio_request);
	RUN(test_dlr_mapping);
	RUN(test_cron);
	RUN(test_reminder_definitions);
	tz_free(tehran);
	return check_summary();
}
