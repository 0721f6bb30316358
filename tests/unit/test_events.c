/*
 * test_events — the pure parts of src/game/events.c: what a points rule earns (steps,
 * caps, saturation), multiplier windows (plain, up to 24:00, past midnight, day masks),
 * what an event earns under a campaign's rules at a Tehran time, ISO 8601 times, and
 * the UTC bounds of mission periods. Needs tzdata for Asia/Tehran.
 */
#include "core/tz.h"
#include "game/events.h"

#include "check.h"

#include <string.h>
#include <time.h>

#define SUN      0
#define MON      1
#define TUE      2
#define WED      3
#define THU      4
#define FRI      5
#define SAT      6
#define ALL      0x7fu
#define HM(h, m) ((h)*60 + (m))

static time_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return timegm(&tm);
}

static struct campaign_earning
points_rule(enum earning_event ev, long long per, long long pts, long long max)
{
	struct campaign_earning r;
	memset(&r, 0, sizeof(r));
	r.event = ev;
	r.per_amount = per;
	r.points = pts;
	r.max_points = max;
	r.window_from_min = r.window_to_min = -1;
	r.days_mask = ALL;
	return r;
}

static struct campaign_earning
multiplier_rule(enum earning_event ev, int mult, int from, int to, unsigned days)
{
	struct campaign_earning r;
	memset(&r, 0, sizeof(r));
	r.event = ev;
	r.multiplier = mult;
	r.window_from_min = from;
	r.window_to_min = to;
	r.days_mask = days;
	return r;
}

/* ---- points rules ---- */

static const struct {
	long long per, points, max, amount, want;
} point_cases[] = {
    {10000, 1, 0, 0, 0},
    {10000, 1, 0, 9999, 0},
    {10000, 1, 0, 10000, 1},
    {10000, 1, 0, 19999, 1},
    {10000, 1, 0, 20000, 2},
    {1000, 3, 0, 7500, 21},
    {10000, 1, 500, 4999999, 499},
    {10000, 1, 500, 5000000, 500},
    {10000, 1, 500, 50000000, 500},
    {10000, 5, 12, 30000, 12}, /* the cap is not a multiple of a step */
    {10000, 1, 0, -5, 0},
    {1, 1000000, 0, EVENTS_AMOUNT_MAX, EVENTS_POINTS_LIMIT}, /* saturates */
    {1, 1000000, 100000000, EVENTS_AMOUNT_MAX, 100000000},   /* the cap wins */
    {7, 3, 0, 2333333333337LL, 999999999999LL},              /* 333333333333 steps: just below */
    {7, 3, 0, 2333333333338LL, EVENTS_POINTS_LIMIT},         /* one step more: saturates */
};

static void
test_rule_points(void)
{
	for (size_t i = 0; i < sizeof(point_cases) / sizeof(point_cases[0]); i++) {
		struct campaign_earning r = points_rule(EVENT_RECHARGE, point_cases[i].per,
		                                        point_cases[i].points, point_cases[i].max);
		long long got = events_rule_points(&r, point_cases[i].amount);
		if (got != point_cases[i].want)
			fprintf(stderr, "  point case %zu: got %lld, want %lld\n", i, got,
			        point_cases[i].want);
		CHECK(got == point_cases[i].want);
	}
	/* A multiplier rule earns nothing by itself. */
	struct campaign_earning m = multiplier_rule(EVENT_RECHARGE, 2, HM(20, 0), HM(22, 0), ALL);
	CHECK(events_rule_points(&m, 1000000) == 0);
}

/* ---- windows ---- */

static const struct {
	int from, to;
	unsigned days;
	int weekday, minute, want;
} window_cases[] = {
    /* 20:00-22:00 every day: from included, to excluded */
    {HM(20, 0), HM(22, 0), ALL, MON, HM(19, 59), 0},
    {HM(20, 0), HM(22, 0), ALL, MON, HM(20, 0), 1},
    {HM(20, 0), HM(22, 0), ALL, MON, HM(21, 59), 1},
    {HM(20, 0), HM(22, 0), ALL, MON, HM(22, 0), 0},
    {HM(20, 0), HM(22, 0), ALL, MON, HM(8, 0), 0},
    /* 22:00-02:00 across midnight, every day */
    {HM(22, 0), HM(2, 0), ALL, TUE, HM(21, 59), 0},
    {HM(22, 0), HM(2, 0), ALL, TUE, HM(22, 0), 1},
    {HM(22, 0), HM(2, 0), ALL, TUE, HM(23, 59), 1},
    {HM(22, 0), HM(2, 0), ALL, WED, HM(0, 0), 1},
    {HM(22, 0), HM(2, 0), ALL, WED, HM(1, 59), 1},
    {HM(22, 0), HM(2, 0), ALL, WED, HM(2, 0), 0},
    {HM(22, 0), HM(2, 0), ALL, WED, HM(12, 0), 0},
    /* 22:00-02:00 on Thursdays: Thursday night into Friday morning */
    {HM(22, 0), HM(2, 0), 1u << THU, THU, HM(23, 0), 1},
    {HM(22, 0), HM(2, 0), 1u << THU, FRI, HM(1, 0), 1},
    {HM(22, 0), HM(2, 0), 1u << THU, THU, HM(1, 0), 0}, /* that one began on Wednesday */
    {HM(22, 0), HM(2, 0), 1u << THU, FRI, HM(23, 0), 0},
    {HM(22, 0), HM(2, 0), 1u << THU, WED, HM(23, 0), 0},
    /* Saturday night to Sunday: the week wraps */
    {HM(22, 0), HM(2, 0), 1u << SAT, SUN, HM(0, 30), 1},
    {HM(22, 0), HM(2, 0), 1u << SUN, SUN, HM(0, 30), 0},
    /* up to 24:00 */
    {HM(20, 0), HM(24, 0), 1u << FRI, FRI, HM(23, 59), 1},
    {HM(20, 0), HM(24, 0), 1u << FRI, SAT, HM(0, 0), 0},
    /* from midnight */
    {HM(0, 0), HM(6, 0), 1u << SAT, SAT, HM(0, 0), 1},
    {HM(0, 0), HM(6, 0), 1u << SAT, FRI, HM(23, 59), 0},
    /* days masks on a plain window */
    {HM(20, 0), HM(22, 0), (1u << THU) | (1u << FRI), THU, HM(21, 0), 1},
    {HM(20, 0), HM(22, 0), (1u << THU) | (1u << FRI), FRI, HM(20, 30), 1},
    {HM(20, 0), HM(22, 0), (1u << THU) | (1u << FRI), SAT, HM(21, 0), 0},
    /* nonsense input holds nothing */
    {HM(20, 0), HM(22, 0), ALL, 7, HM(21, 0), 0},
    {HM(20, 0), HM(22, 0), ALL, MON, 24 * 60, 0},
};

static void
test_windows(void)
{
	for (size_t i = 0; i < sizeof(window_cases) / sizeof(window_cases[0]); i++) {
		struct campaign_earning r =
		    multiplier_rule(EVENT_RECHARGE, 2, window_cases[i].from, window_cases[i].to,
		                    window_cases[i].days);
		int got = events_in_window(&r, window_cases[i].weekday, window_cases[i].minute);
		if (got != window_cases[i].want)
			fprintf(stderr, "  window case %zu: got %d, want %d\n", i, got,
			        window_cases[i].want);
		CHECK(got == window_cases[i].want);
	}
	/* A rule without a window holds all day on its days. */
	struct campaign_earning all = points_rule(EVENT_BILL, 1, 1, 0);
	all.days_mask = 1u << MON;
	CHECK(events_in_window(&all, MON, HM(3, 0)) == 1);
	CHECK(events_in_window(&all, TUE, HM(3, 0)) == 0);
}

/* ---- a campaign's rules together ---- */

static const struct {
	enum earning_event type;
	long long amount;
	int weekday, minute;
	long long base;
	int mult;
	long long points;
} earn_cases[] = {
    {EVENT_RECHARGE, 50000, MON, HM(12, 0), 5, 1, 5},
    {EVENT_RECHARGE, 50000, MON, HM(20, 0), 5, 2, 10},
    {EVENT_RECHARGE, 50000, MON, HM(22, 0), 5, 1, 5},
    /* Thursday 21:00-23:00 is triple and overlaps the double: the largest applies */
    {EVENT_RECHARGE, 50000, THU, HM(21, 30), 5, 3, 15},
    {EVENT_RECHARGE, 50000, THU, HM(22, 30), 5, 3, 15},
    {EVENT_RECHARGE, 50000, THU, HM(20, 30), 5, 2, 10},
    /* the cap applies to what the rule earns, then the multiplier */
    {EVENT_RECHARGE, 1000000000, MON, HM(12, 0), 500, 1, 500},
    {EVENT_RECHARGE, 1000000000, MON, HM(21, 0), 500, 2, 1000},
    /* a bundle has its own rule and no multiplier */
    {EVENT_BUNDLE, 7000, MON, HM(21, 0), 14, 1, 14},
    /* no points rule for bills; the bill multiplier has nothing to multiply */
    {EVENT_BILL, 500000, MON, HM(21, 0), 0, 5, 0},
    {EVENT_CUSTOM, 1, MON, HM(21, 0), 0, 1, 0},
    {EVENT_RECHARGE, 0, MON, HM(21, 0), 0, 2, 0},
};

static void
test_earn(void)
{
	struct campaign_earning rules[] = {
	    points_rule(EVENT_RECHARGE, 10000, 1, 500),
	    multiplier_rule(EVENT_RECHARGE, 2, HM(20, 0), HM(22, 0), ALL),
	    multiplier_rule(EVENT_RECHARGE, 3, HM(21, 0), HM(23, 0), 1u << THU),
	    points_rule(EVENT_BUNDLE, 1000, 2, 0),
	    multiplier_rule(EVENT_BILL, 5, HM(0, 0), HM(24, 0), ALL),
	};
	for (size_t i = 0; i < sizeof(earn_cases) / sizeof(earn_cases[0]); i++) {
		struct events_earning e;
		events_earn(rules, sizeof(rules) / sizeof(rules[0]), earn_cases[i].type,
		            earn_cases[i].amount, earn_cases[i].weekday, earn_cases[i].minute, &e);
		if (e.base != earn_cases[i].base || e.multiplier != earn_cases[i].mult ||
		    e.points != earn_cases[i].points)
			fprintf(stderr, "  earn case %zu: got %lld x %d = %lld\n", i, e.base,
			        e.multiplier, e.points);
		CHECK(e.base == earn_cases[i].base);
		CHECK(e.multiplier == earn_cases[i].mult);
		CHECK(e.points == earn_cases[i].points);
	}
}

/* The sample's rules at UTC instants: Tehran is UTC+03:30, so 20:00-22:00 local is
 * 16:30-18:30 UTC. */
static void
test_earn_at_tehran(void)
{
	struct campaign c;
	const char *error = NULL;
	struct campaign_earning rules[] = {
	    points_rule(EVENT_RECHARGE, 10000, 1, 500),
	    multiplier_rule(EVENT_RECHARGE, 2, HM(20, 0), HM(22, 0), ALL),
	};
	static const struct {
		int h, mi, s;
		long long points;
	} at[] = {
	    {16, 29, 59, 3}, {16, 30, 0, 6}, {18, 29, 59, 6}, {18, 30, 0, 3}, {4, 0, 0, 3},
	};

	memset(&c, 0, sizeof(c));
	if (tz_load("Asia/Tehran", &c.tz, &error) < 0) {
		fprintf(stderr, "  Asia/Tehran: %s\n", error);
		CHECK(0);
		return;
	}
	c.earning = rules;
	c.nearning = 2;
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		struct events_earning e;
		events_earn_at(&c, EVENT_RECHARGE, 30000,
		               utc(2026, 4, 1, at[i].h, at[i].mi, at[i].s), &e);
		if (e.points != at[i].points)
			fprintf(stderr, "  tehran case %zu: got %lld\n", i, e.points);
		CHECK(e.points == at[i].points);
	}
	tz_free(c.tz);
}

/* ---- ISO 8601 ---- */

static const struct {
	const char *text;
	int ok;
	int y, mo, d, h, mi, s; /* UTC when ok */
} time_cases[] = {
    {"2026-03-21T18:30:00Z", 1, 2026, 3, 21, 18, 30, 0},
    {"2026-03-21t18:30:00z", 1, 2026, 3, 21, 18, 30, 0},
    {"2026-03-21 18:30:00Z", 1, 2026, 3, 21, 18, 30, 0},
    {"2026-03-21T18:30Z", 1, 2026, 3, 21, 18, 30, 0},
    {"2026-03-21T18:30:05.123456Z", 1, 2026, 3, 21, 18, 30, 5},
    {"2026-03-21T22:00:00+03:30", 1, 2026, 3, 21, 18, 30, 0},
    {"2026-03-21T22:00:00+0330", 1, 2026, 3, 21, 18, 30, 0},
    {"2026-03-21T01:00:00-05", 1, 2026, 3, 21, 6, 0, 0},
    {"2026-03-21T01:00:00+03:30", 1, 2026, 3, 20, 21, 30, 0},
    {"2024-02-29T00:00:00Z", 1, 2024, 2, 29, 0, 0, 0},
    {"2026-03-21T18:30:00", 0, 0, 0, 0, 0, 0, 0}, /* no zone */
    {"2025-02-29T00:00:00Z", 0, 0, 0, 0, 0, 0, 0},
    {"2026-13-01T00:00:00Z", 0, 0, 0, 0, 0, 0, 0},
    {"2026-03-21T24:00:00Z", 0, 0, 0, 0, 0, 0, 0},
    {"2026-03-21T18:60:00Z", 0, 0, 0, 0, 0, 0, 0},
    {"2026-03-21T18:30:00.Z", 0, 0, 0, 0, 0, 0, 0},
    {"2026-03-21T18:30:00Zjunk", 0, 0, 0, 0, 0, 0, 0},
    {"2026-03-21T18:30:00+15:00", 0, 0, 0, 0, 0, 0, 0},
    {"1969-12-31T23:59:59Z", 0, 0, 0, 0, 0, 0, 0},
    {"2026-3-21T18:30:00Z", 0, 0, 0, 0, 0, 0, 0},
    {"1405-01-01T00:00:00Z", 0, 0, 0, 0, 0, 0, 0}, /* Jalali years are not for the API */
    {"", 0, 0, 0, 0, 0, 0, 0},
    {"yesterday", 0, 0, 0, 0, 0, 0, 0},
};

static void
test_parse_time(void)
{
	for (size_t i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		time_t t = 0;
		const char *error = NULL;
		int rc = events_parse_time(time_cases[i].text, &t, &error);
		if ((rc == 0) != time_cases[i].ok)
			fprintf(stderr, "  time case %zu (%s): rc %d (%s)\n", i, time_cases[i].text,
			        rc, error ? error : "");
		CHECK((rc == 0) == time_cases[i].ok);
		if (rc == 0 && time_cases[i].ok)
			CHECK(t == utc(time_cases[i].y, time_cases[i].mo, time_cases[i].d,
			               time_cases[i].h, time_cases[i].mi, time_cases[i].s));
		if (rc != 0)
			CHECK(error != NULL && error[0] != '\0');
	}
	time_t t;
	const char *error = NULL;
	CHECK(events_parse_time(NULL, &t, &error) == -1);
	CHECK(events_parse_time("2026-03-21T18:30:00", &t, &error) == -1);
	CHECK_CONTAINS(error, "add \"Z\"");
}

/* ---- mission periods ---- */

static void
test_period_bounds(void)
{
	struct campaign c;
	const char *error = NULL;
	time_t from, to;

	memset(&c, 0, sizeof(c));
	if (tz_load("Asia/Tehran", &c.tz, &error) < 0) {
		CHECK(0);
		return;
	}
	/* The campaign runs from 2026-03-21 00:00 Tehran (20 March 20:30 UTC) for a month. */
	c.starts = utc(2026, 3, 20, 20, 30, 0);
	c.ends = utc(2026, 4, 20, 20, 30, 0);
	/* Wednesday 2026-04-01 01:00 Tehran = Tuesday 31 March 21:30 UTC. */
	time_t at = utc(2026, 3, 31, 21, 30, 0);
	events_period_bounds(&c, PERIOD_DAY, at, &from, &to);
	CHECK(from == utc(2026, 3, 31, 20, 30, 0));
	CHECK(to == utc(2026, 4, 1, 20, 30, 0));
	/* Its week began on Saturday 2026-03-28 (Tehran). */
	events_period_bounds(&c, PERIOD_WEEK, at, &from, &to);
	CHECK(from == utc(2026, 3, 27, 20, 30, 0));
	CHECK(to == utc(2026, 4, 3, 20, 30, 0));
	/* A Saturday is the first day of its own week. */
	events_period_bounds(&c, PERIOD_WEEK, utc(2026, 3, 27, 21, 0, 0), &from, &to);
	CHECK(from == utc(2026, 3, 27, 20, 30, 0));
	/* The first week is cut to the campaign's start (a Saturday: 2026-03-21). */
	events_period_bounds(&c, PERIOD_WEEK, utc(2026, 3, 22, 12, 0, 0), &from, &to);
	CHECK(from == c.starts);
	CHECK(to == utc(2026, 3, 27, 20, 30, 0));
	/* ...and the last week to its end. */
	events_period_bounds(&c, PERIOD_WEEK, utc(2026, 4, 19, 12, 0, 0), &from, &to);
	CHECK(to == c.ends);
	events_period_bounds(&c, PERIOD_CAMPAIGN, at, &from, &to);
	CHECK(from == c.starts && to == c.ends);
	tz_free(c.tz);
}

static void
test_types(void)
{
	enum earning_event t;
	CHECK(events_type_parse("recharge", &t) == 0 && t == EVENT_RECHARGE);
	CHECK(events_type_parse("bundle", &t) == 0 && t == EVENT_BUNDLE);
	CHECK(events_type_parse("bill", &t) == 0 && t == EVENT_BILL);
	CHECK(events_type_parse("custom", &t) == 0 && t == EVENT_CUSTOM);
	CHECK(events_type_parse("Recharge", &t) == -1);
	CHECK(events_type_parse("", &t) == -1);
	CHECK_STR(events_type_name(EVENT_BILL), "bill");
}

int
main(void)
{
	RUN(test_rule_points);
	RUN(test_windows);
	RUN(test_earn);
	RUN(test_earn_at_tehran);
	RUN(test_parse_time);
	RUN(test_period_bounds);
	RUN(test_types);
	return check_summary();
}
