/*
 * Unit: campaign files — the shipped sample parses into the expected struct; broken
 * variants (the sample mutated with jansson) each give their exact JSON path and
 * message, and nothing else; every problem of a file with many is listed; Jalali and
 * Gregorian dates give the same instants; "ends" is inclusive across Tehran midnight;
 * limits, syntax errors, summaries and short-code conflicts.
 */
#include "check.h"
#include "game/campaign.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#ifndef GAMIGATE_CAMPAIGN_SAMPLE
#error "GAMIGATE_CAMPAIGN_SAMPLE must name campaigns/nowruz-1405.json (set by CMake)"
#endif

static const char *const langs[] = {"fa", "en"};
static json_t *sample;

/* 2026-03-20T20:30:00Z: 1405-01-01 00:00 in Tehran (UTC+03:30, no DST since 2022). */
#define NOWRUZ_1405_UTC ((time_t)1774038600)
#define DAY             86400

static struct campaign *
parse_json(json_t *root, struct buf *errors)
{
	char *text = json_dumps(root, JSON_INDENT(2));
	struct campaign *c =
	    campaign_parse(text, strlen(text), "t.json", "Asia/Tehran", langs, 2, errors);
	free(text);
	return c;
}

static struct campaign *
parse_text(const char *text, struct buf *errors)
{
	return campaign_parse(text, strlen(text), "t.json", "Asia/Tehran", langs, 2, errors);
}

/* The value at a JSON path such as "$.wheel.prizes[2]" in root, or NULL. */
static json_t *
at(json_t *root, const char *path)
{
	const char *p = path + 1; /* after '$' */
	json_t *v = root;
	while (v != NULL && *p != '\0') {
		if (*p == '.') {
			char key[64];
			size_t n = strcspn(p + 1, ".[");
			snprintf(key, sizeof(key), "%.*s", (int)n, p + 1);
			v = json_object_get(v, key);
			p += 1 + n;
		} else if (*p == '[') {
			char *end;
			size_t i = strtoul(p + 1, &end, 10);
			v = json_array_get(v, i);
			p = end + 1;
		} else {
			return NULL;
		}
	}
	return v;
}

/* One change to the sample: in the object or array at parent, set key to value (JSON
 * text; NULL deletes). key "[N]" is an array index, "+" appends. */
struct mutation {
	const char *parent, *key, *value;
};

static void
mutate(json_t *root, const struct mutation *m)
{
	json_t *parent = at(root, m->parent);
	json_t *value = NULL;
	if (parent == NULL) {
		fprintf(stderr, "test bug: no %s in the sample\n", m->parent);
		abort();
	}
	if (m->value != NULL) {
		json_error_t jerr;
		value = json_loads(m->value, JSON_DECODE_ANY, &jerr);
		if (value == NULL) {
			fprintf(stderr, "test bug: bad JSON %s: %s\n", m->value, jerr.text);
			abort();
		}
	}
	if (strcmp(m->key, "+") == 0) {
		json_array_append_new(parent, value);
	} else if (m->key[0] == '[') {
		size_t i = strtoul(m->key + 1, NULL, 10);
		if (value == NULL)
			json_array_remove(parent, i);
		else
			json_array_set_new(parent, i, value);
	} else if (value == NULL) {
		json_object_del(parent, m->key);
	} else {
		json_object_set_new(parent, m->key, value);
	}
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;
	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* ---- the sample ---- */

static void
test_sample_parses(void)
{
	struct buf errors = BUF_INIT;
	struct campaign *c =
	    campaign_parse_file(GAMIGATE_CAMPAIGN_SAMPLE, "UTC", langs, 2, &errors);
	CHECK_STR(buf_cstr(&errors), "");
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_STR(c->id, "nowruz-1405");
	CHECK_STR(campaign_text(&c->name, "en"), "Nowruz 1405 Festival");
	CHECK_STR(campaign_text(&c->name, "fa"),
	          "\xd8\xac\xd8\xb4\xd9\x86\xd9\x88\xd8\xa7\xd8\xb1\xd9\x87 "
	          "\xd9\x86\xd9\x88\xd8\xb1\xd9\x88\xd8\xb2 \xdb\xb1\xdb\xb4\xdb\xb0\xdb\xb5");
	/* An unknown language falls back to the first required one. */
	CHECK(campaign_text(&c->name, "de") == campaign_text(&c->name, "fa"));
	CHECK_STR(c->timezone, "Asia/Tehran"); /* the file's zone, not the default */
	CHECK(c->starts == NOWRUZ_1405_UTC);
	CHECK(c->ends == NOWRUZ_1405_UTC + 13 * DAY);
	CHECK(c->nshort_codes == 1 && strcmp(c->short_codes[0], "3000") == 0);
	CHECK(c->expiry_days == 90 && c->expiry_warning_days == 7);

	CHECK(c->nearning == 2);
	CHECK(c->earning[0].event == EVENT_RECHARGE && c->earning[0].per_amount == 10000 &&
	      c->earning[0].points == 1 && c->earning[0].max_points == 500 &&
	      c->earning[0].multiplier == 0 && c->earning[0].window_from_min == -1);
	CHECK(c->earning[1].multiplier == 2 && c->earning[1].window_from_min == 20 * 60 &&
	      c->earning[1].window_to_min == 22 * 60 && c->earning[1].days_mask == 0x7f);

	CHECK(c->ntiers == 3);
	CHECK_STR(c->tiers[0].id, "bronze");
	CHECK(c->tiers[0].min_points == 0 && c->tiers[1].min_points == 500 &&
	      c->tiers[2].min_points == 2000);
	CHECK_STR(campaign_text(&c->tiers[2].name, "en"), "Gold");
	CHECK(c->tier_review == TIER_REVIEW_CAMPAIGN_END);

	CHECK(c->nmissions == 5);
	const struct campaign_mission *m = campaign_mission_of(c, MISSION_CHECKIN);
	CHECK(m != NULL && m->period == PERIOD_DAY && m->reward.points == 5 &&
	      m->streak_days == 7 && m->streak_reward.points == 50 &&
	      m->streak_reward.chances == 1);
	m = campaign_mission_of(c, MISSION_SPIN);
	CHECK(m != NULL && strcmp(m->id, "daily-spin") == 0);
	m = campaign_mission_of(c, MISSION_QUIZ);
	CHECK(m != NULL && m->nquestions == 13);
	if (m != NULL && m->nquestions == 13) {
		CHECK(m->questions[0].year == 2026 && m->questions[0].month == 3 &&
		      m->questions[0].day == 21);
		CHECK(m->questions[12].year == 2026 && m->questions[12].month == 4 &&
		      m->questions[12].day == 2);
		CHECK(m->questions[0].nchoices == 4 && m->questions[0].answer == 2);
		CHECK_STR(campaign_text(&m->questions[0].choices[1], "en"), "7");
		for (unsigned i = 0; i < 13; i++)
			CHECK(m->questions[i].answer >= 1 &&
			      m->questions[i].answer <= m->questions[i].nchoices);
	}
	m = campaign_mission_of(c, MISSION_EVENTS);
	CHECK(m != NULL && m->event == EVENT_RECHARGE && m->count == 3 &&
	      m->period == PERIOD_WEEK && m->nstages == 2 && m->stages[1].count == 2);
	m = campaign_mission_of(c, MISSION_REFERRALS);
	CHECK(m != NULL && m->count == 2 && m->period == PERIOD_CAMPAIGN && m->reward.chances == 2);

	CHECK(c->wheel.enabled && c->wheel.spins_per_day == 1 && c->wheel.nprizes == 6);
	CHECK_STR(c->wheel.prizes[c->wheel.fallback].id, "try-again");
	CHECK(c->wheel.prizes[c->wheel.fallback].daily_cap == -1 &&
	      c->wheel.prizes[c->wheel.fallback].total_cap == -1);
	CHECK_STR(c->wheel.prizes[3].reward.voucher_pool, "snapp-50");
	CHECK(c->wheel.prizes[3].daily_cap == 20 && c->wheel.prizes[3].total_cap == 200);
	CHECK(c->wheel.prizes[0].reward.points == 10 && c->wheel.prizes[0].weight == 400);

	CHECK(c->referral.enabled && c->referral.window_days == 7 && c->referral.cap == 20 &&
	      !c->referral.require_active && c->referral.referrer_reward.points == 50);
	CHECK(c->referral.nmilestones == 2 && c->referral.milestones[0].count == 3 &&
	      c->referral.milestones[1].count == 10);
	CHECK(c->ncatalog == 3 && c->catalog[2].reward.chances == 1 && c->catalog[0].cost == 500);
	CHECK(c->grammar_json != NULL && strstr(c->grammar_json, "eidi") != NULL);
	CHECK(c->source != NULL && strstr(c->source, "\"nowruz-1405\"") != NULL);

	CHECK(!campaign_running(c, c->starts - 1));
	CHECK(campaign_running(c, c->starts));
	CHECK(campaign_running(c, c->ends - 1));
	CHECK(!campaign_running(c, c->ends));

	struct buf line = BUF_INIT;
	campaign_summary(c, &line);
	CHECK_STR(buf_cstr(&line),
	          "nowruz-1405: 2026-03-21 00:00 to 2026-04-02 23:59 Asia/Tehran (Jalali "
	          "1405-01-01 to 1405-01-13), short code 3000, 6 prizes, 5 missions");
	buf_free(&line);
	campaign_free(c);
	buf_free(&errors);
}

/* ---- broken variants: one mistake each ---- */

struct broken {
	struct mutation m[3];
	const char *expect; /* one whole problem line, less "t.json: " and the newline */
	int lines;          /* problem lines expected; 0 = 1 */
};

static const struct broken broken_cases[] = {
    /* top level */
    {.m = {{"$", "id", "\"Nowruz 1405\""}},
     .expect = "$.id: must be 3 to 40 of a-z, 0-9 and '-' (got \"Nowruz 1405\"); use lower case"},
    {.m = {{"$", "id", "\"ab\""}},
     .expect = "$.id: must be 3 to 40 of a-z, 0-9 and '-' (got \"ab\")"},
    {.m = {{"$", "id", NULL}},
     .expect = "$.id: missing; expected the campaign's id, 3 to 40 of a-z, 0-9 and '-', e.g. "
               "\"nowruz-1405\""},
    {.m = {{"$", "nmae", "{}"}}, .expect = "$.nmae: unknown field; did you mean \"name\"?"},
    {.m = {{"$.name", "en", NULL}}, .expect = "$.name.en: missing; every text needs fa and en"},
    {.m = {{"$.name", "fa", "\"\""}},
     .expect = "$.name.fa: is empty; write the text subscribers see"},
    {.m = {{"$.name", "fa", "5"}}, .expect = "$.name.fa: must be a string (got a number)"},
    {.m = {{"$.name", "fa ", "\"x\""}},
     .expect = "$.name[\"fa \"]: not a language code; use 2 to 7 of a-z and '-', e.g. \"fa\" or "
               "\"en\"; did you mean \"fa\"?"},
    {.m = {{"$.name", "en", "\"a\\tb\""}},
     .expect = "$.name.en: contains a control character (U+0009)"},
    {.m = {{"$", "name", "\"Nowruz\""}}, .expect = "$.name: must be an object of language -> text"},
    {.m = {{"$", "timezone", "\"Asia/Teheran\""}},
     .expect = "$.timezone: cannot use \"Asia/Teheran\": unknown time zone; use an IANA name "
               "such as Asia/Tehran or UTC; did you mean \"Asia/Tehran\"?"},
    {.m = {{"$", "starts", "\"1405-01-32\""}},
     .expect = "$.starts: not a date (got \"1405-01-32\")"},
    {.m = {{"$", "starts", "20260321"}},
     .expect = "$.starts: must be a date such as \"1405-01-01\""},
    {.m = {{"$", "ends", "\"1404-12-29\""}},
     .expect = "$.ends: the campaign ends before it starts"},
    {.m = {{"$", "short_codes", "[]"}},
     .expect = "$.short_codes: has 0 entries; expected at least 1"},
    {.m = {{"$.short_codes", "[0]", "3000"}},
     .expect = "$.short_codes[0]: must be a string; write it in quotes: \"3000\""},
    {.m = {{"$.short_codes", "+", "\"12\""}},
     .expect = "$.short_codes[1]: must be 3 to 8 digits 0-9 (got \"12\")"},
    {.m = {{"$.short_codes", "+", "\"3000\""}},
     .expect = "$.short_codes[1]: \"3000\" is listed twice"},
    /* points */
    {.m = {{"$.points", "expiry_days", "0"}},
     .expect = "$.points.expiry_days: must be a whole number from 1 to 3650 (got 0)"},
    {.m = {{"$.points", "expiry_days", "7"}},
     .expect =
         "$.points.expiry_warning_days: a warning 7 days before expiry comes before the points "
         "were earned; make it less than expiry_days (7)"},
    /* earning */
    {.m = {{"$.earning[0]", "per_amount", "\"10000\""}},
     .expect = "$.earning[0].per_amount: must be a whole number from 1 to 1000000000000 (got "
               "\"10000\"); write the number without quotes"},
    {.m = {{"$.earning[0]", "event", "\"topup\""}, {"$.earning[1]", "event", "\"topup\""}},
     .expect = "$.earning[0].event: must be one of: recharge, bundle, bill, custom (got \"topup\")",
     .lines = 2},
    {.m = {{"$.earning[1].window", "from", "\"8pm\""}},
     .expect = "$.earning[1].window.from: must be a local time \"HH:MM\" from 00:00 to 23:59 (got "
               "\"8pm\")"},
    {.m = {{"$.earning[1].window", "to", "\"20:00\""}},
     .expect = "$.earning[1].window.to: the window from 20:00 to 20:00 is empty"},
    {.m = {{"$.earning[1]", "window", NULL}},
     .expect = "$.earning[1].window: missing; a multiplier rule needs a local time window"},
    {.m = {{"$.earning[1]", "multiplier", "1"}},
     .expect = "$.earning[1].multiplier: must be a whole number from 2 to 10 (got 1)"},
    {.m = {{"$.earning[1]", "points", "5"}},
     .expect = "$.earning[1].points: a multiplier rule multiplies what the other rules earn"},
    {.m = {{"$.earning[0]", "event", "\"bill\""}},
     .expect = "$.earning[1].event: nothing earns points for \"recharge\", so this multiplier has "
               "nothing to multiply"},
    {.m = {{"$.earning", "+", "{\"event\": \"recharge\", \"per_amount\": 5000, \"points\": 1}"}},
     .expect =
         "$.earning[2].event: a second points rule for \"recharge\" (the first is $.earning[0])"},
    {.m = {{"$.earning[1].window", "days", "[\"fri\", \"fir\"]"}},
     .expect = "$.earning[1].window.days[1]: must be one of sat, sun, mon, tue, wed, thu, fri (got "
               "\"fir\"); did you mean \"fri\"?"},
    {.m = {{"$.earning[1].window", "days", "[\"fri\", \"fri\"]"}},
     .expect = "$.earning[1].window.days[1]: \"fri\" is listed twice"},
    {.m = {{"$.earning[0]", "max_points", "0"}},
     .expect = "$.earning[0].max_points: must be a whole number from 1 to 100000000 (got 0)"},
    {.m = {{"$.earning[0]", "window", "{\"from\": \"20:00\", \"to\": \"22:00\"}"}},
     .expect = "$.earning[0].window: only a multiplier rule has a window"},
    /* tiers */
    {.m = {{"$.tiers[1]", "min_points", "0"}},
     .expect =
         "$.tiers[1].min_points: tiers are listed by min_points, lowest first: 0 is not above "
         "the previous tier's 0"},
    {.m = {{"$.tiers[0]", "min_points", "10"}},
     .expect =
         "$.tiers[0].min_points: the first tier must start at 0, so that every subscriber has a "
         "tier (got 10)"},
    {.m = {{"$.tiers[2]", "id", "\"silver\""}},
     .expect =
         "$.tiers[2].id: tier id \"silver\" is used twice (also $.tiers[1]); tier ids must be "
         "unique"},
    {.m = {{"$.tiers[0]", "id", "\"a-very-long-tier-id-that-is-past-32\""}},
     .expect = "$.tiers[0].id: must be 1 to 32 of a-z, 0-9 and '-'"},
    {.m = {{"$", "tier_review", "\"yearly\""}},
     .expect = "$.tier_review: must be one of: never, monthly, campaign_end (got \"yearly\")"},
    /* missions */
    {.m = {{"$.missions[0]", "type", "\"chekin\""}},
     .expect = "$.missions[0].type: must be one of: checkin, spin, quiz, events, referrals (got "
               "\"chekin\"); did you mean \"checkin\"?"},
    {.m = {{"$.missions[0]", "period", "\"daily\""}},
     .expect = "$.missions[0].period: must be one of: day, week, campaign (got \"daily\")"},
    {.m = {{"$.missions[1]", "id", "\"daily-checkin\""}},
     .expect = "$.missions[1].id: mission id \"daily-checkin\" is used twice (also $.missions[0])"},
    {.m = {{"$.missions[1]", "questions", "[]"}},
     .expect =
         "$.missions[1].questions: a spin mission has no \"questions\"; only these types have "
         "it: quiz"},
    {.m = {{"$.missions[1]", "reward", NULL}},
     .expect = "$.missions[1].reward: missing; expected a reward such as {\"points\": 10} ({} for "
               "nothing)"},
    {.m = {{"$.missions[0].streak", "days", "30"}},
     .expect =
         "$.missions[0].streak.days: a streak of 30 days cannot be reached in a campaign of 13 "
         "days"},
    {.m = {{"$.missions[0]", "period", "\"week\""}},
     .expect =
         "$.missions[0].period: a streak counts days in a row, so a check-in with a streak must "
         "have the period \"day\""},
    {.m = {{"$.missions[2]", "period", "\"week\""}},
     .expect = "$.missions[2].period: a quiz asks one question a day; its period must be \"day\""},
    {.m = {{"$.missions[2].questions[3]", "answer", "5"}},
     .expect =
         "$.missions[2].questions[3].answer: there are 4 choices; answer is the number of the "
         "right one, counting from 1 (got 5)"},
    {.m = {{"$.missions[2].questions[3]", "answer", "0"}},
     .expect =
         "$.missions[2].questions[3].answer: there are 4 choices; answer is the number of the "
         "right one, counting from 1 (got 0)"},
    {.m = {{"$.missions[2].questions[4]", "date", "\"1405-01-01\""}},
     .expect = "$.missions[2].questions[4].date: 2026-03-21 already has a question "
               "($.missions[2].questions[0]); one question a day"},
    {.m = {{"$.missions[2].questions[12]", "date", "\"2026-04-03\""}},
     .expect =
         "$.missions[2].questions[12].date: 2026-04-03 is outside the campaign (starts to ends); "
         "the question would never be asked"},
    {.m = {{"$.missions[2].questions[0]", "choices", "[{\"fa\": \"x\", \"en\": \"x\"}]"}},
     .expect = "$.missions[2].questions[0].choices: has 1 entry; expected at least 2"},
    {.m = {{"$.missions[2].questions[0].choices[1]", "en", NULL}},
     .expect = "$.missions[2].questions[0].choices[1].en: missing; every text needs fa and en"},
    {.m = {{"$.missions[2].questions[0]", "date", "\"1405-01-01T10:00\""}},
     .expect =
         "$.missions[2].questions[0].date: a question is asked for a whole local day; give the "
         "date without a time"},
    {.m = {{"$.missions[2]", "questions", NULL}},
     .expect = "$.missions[2].questions: missing; expected the questions, one per local day"},
    {.m = {{"$.missions[3]", "count", "0"}},
     .expect = "$.missions[3].count: must be a whole number from 1 to 1000 (got 0)"},
    {.m = {{"$.missions[3].stages[1]", "count", "3"}},
     .expect =
         "$.missions[3].stages[1].count: a stage rewards progress before the mission completes, "
         "so its count must be below the mission's count (3)"},
    {.m = {{"$.missions[3].stages[1]", "count", "1"}},
     .expect = "$.missions[3].stages[1].count: stages are listed by count, lowest first: 1 is not "
               "above 1"},
    {.m = {{"$.missions[3]", "event", NULL}},
     .expect = "$.missions[3].event: missing; expected one of: recharge, bundle, bill, custom"},
    {.m = {{"$.missions[4]", "count", "25"}},
     .expect = "$.missions[4].count: no one can make 25 referrals: $.referral.cap is 20"},
    {.m = {{"$", "referral", NULL}},
     .expect = "$.missions[4].type: a referrals mission needs referral codes; add \"referral\" or "
               "remove the mission"},
    {.m = {{"$", "wheel", NULL}},
     .expect =
         "$.missions[1].type: a spin mission needs a wheel; add \"wheel\" or remove the mission"},
    {.m = {{"$.missions", "+",
            "{\"id\": \"spin-2\", \"type\": \"spin\", \"period\": \"day\", "
            "\"reward\": {}}"}},
     .expect =
         "$.missions[5].type: a second spin mission (the first is $.missions[1]); a campaign has "
         "at most one"},
    /* the wheel */
    {.m = {{"$.wheel.prizes[2]", "weight", "-5"}},
     .expect = "$.wheel.prizes[2].weight: must be a whole number from 1 to 1000000 (got -5)"},
    {.m = {{"$.wheel.prizes[2]", "weight", "2.5"}},
     .expect = "$.wheel.prizes[2].weight: must be a whole number from 1 to 1000000 (got 2.5); no "
               "fractions"},
    {.m = {{"$.wheel", "fallback", "\"snapp-50\""}},
     .expect =
         "$.wheel.fallback: the fallback prize \"snapp-50\" has a daily_cap; the fallback takes "
         "the weight of exhausted prizes, so it must have no cap"},
    {.m = {{"$.wheel", "fallback", "\"try-agian\""}},
     .expect = "$.wheel.fallback: no prize has the id \"try-agian\"; did you mean \"try-again\"?"},
    {.m = {{"$.wheel", "prizes",
            "[{\"id\": \"try-again\", \"name\": {\"fa\": \"x\", \"en\": "
            "\"x\"}, \"weight\": 1, \"reward\": {}}]"}},
     .expect = "$.wheel.prizes: has 1 entry; expected at least 2"},
    {.m = {{"$.wheel.prizes[3]", "daily_cap", "500"}},
     .expect = "$.wheel.prizes[3].daily_cap: 500 a day is more than the total_cap of 200"},
    {.m = {{"$.wheel.prizes[0]", "wieght", "3"}},
     .expect =
         "$.wheel.prizes[0].wieght: unknown field; did you mean \"weight\"? (fields here: id, "
         "name, weight, reward, daily_cap, total_cap)"},
    {.m = {{"$.wheel.prizes[3].reward", "voucher_pool", "\"Snapp 50\""}},
     .expect = "$.wheel.prizes[3].reward.voucher_pool: must be 1 to 40 of a-z, 0-9 and '-' (got "
               "\"Snapp 50\"); use lower case"},
    {.m = {{"$.wheel.prizes[0].reward", "pointz", "10"}},
     .expect = "$.wheel.prizes[0].reward.pointz: unknown field; did you mean \"points\"?"},
    {.m = {{"$.wheel.prizes[0]", "reward", "10"}},
     .expect = "$.wheel.prizes[0].reward: must be a reward: {\"points\": 10}"},
    {.m = {{"$.wheel.prizes[1]", "id", "\"points-10\""}},
     .expect =
         "$.wheel.prizes[1].id: prize id \"points-10\" is used twice (also $.wheel.prizes[0])"},
    {.m = {{"$.wheel", "spins_per_day", "0"}},
     .expect = "$.wheel.spins_per_day: must be a whole number from 1 to 100 (got 0)"},
    /* referral */
    {.m = {{"$.referral", "cap", NULL}},
     .expect = "$.referral.cap: missing; expected a whole number from 1 to 100000"},
    {.m = {{"$.referral", "require_active", "\"no\""}},
     .expect = "$.referral.require_active: must be true or false, without quotes (got a string)"},
    {.m = {{"$.referral.milestones[1]", "count", "2"}},
     .expect = "$.referral.milestones[1].count: milestones are listed by count, lowest first: 2 is "
               "not above 3"},
    {.m = {{"$.referral.milestones[1]", "count", "30"}},
     .expect = "$.referral.milestones[1].count: no referrer can reach 30 referrals: the cap is 20"},
    /* catalog */
    {.m = {{"$.catalog[0]", "cost", "0"}},
     .expect = "$.catalog[0].cost: must be a whole number from 1 to 1000000000 (got 0)"},
    {.m = {{"$.catalog[2]", "reward", "{}"}},
     .expect =
         "$.catalog[2].reward: an item must give something: points, chances or a voucher_pool"},
    {.m = {{"$.catalog[1]", "id", "\"data-1g\""}},
     .expect = "$.catalog[1].id: item id \"data-1g\" is used twice (also $.catalog[0])"},
    /* grammar */
    {.m = {{"$", "grammar", "[]"}},
     .expect = "$.grammar: must be an object in the format of conf/grammar.json"},
};

static void
test_broken_variants(void)
{
	size_t n = sizeof(broken_cases) / sizeof(broken_cases[0]);
	for (size_t i = 0; i < n; i++) {
		const struct broken *b = &broken_cases[i];
		struct buf errors = BUF_INIT;
		char want[600];
		json_t *root = json_deep_copy(sample);
		for (int k = 0; k < 3 && b->m[k].parent != NULL; k++)
			mutate(root, &b->m[k]);
		struct campaign *c = parse_json(root, &errors);
		snprintf(want, sizeof(want), "t.json: %s", b->expect);
		CHECK(c == NULL);
		CHECK_CONTAINS(buf_cstr(&errors), want);
		size_t lines = count_lines(buf_cstr(&errors));
		if (lines != (size_t)(b->lines ? b->lines : 1)) {
			fprintf(stderr, "case %zu (%s): %zu problem lines:\n%s", i, b->expect,
			        lines, buf_cstr(&errors));
			check_failures++;
		}
		campaign_free(c);
		json_decref(root);
		buf_free(&errors);
	}
	printf("     %zu broken variants\n", n);
}

/* A key that is not a name is shown in brackets, quoted. */
static void
test_odd_keys_in_paths(void)
{
	struct buf errors = BUF_INIT;
	json_t *root = json_deep_copy(sample);
	json_object_set_new(at(root, "$.name"), "f\"a ", json_string("x"));
	CHECK(parse_json(root, &errors) == NULL);
	CHECK_CONTAINS(buf_cstr(&errors), "t.json: $.name[\"f\\\"a \"]: not a language code");
	CHECK(count_lines(buf_cstr(&errors)) == 1);
	json_decref(root);
	buf_free(&errors);
}

/* Every problem of a file with many mistakes is listed, in file order. */
static void
test_all_problems_listed(void)
{
	static const struct mutation many[] = {
	    {"$", "id", "\"X\""},
	    {"$", "timezon", "\"UTC\""},
	    {"$.points", "expiry_days", "0"},
	    {"$.tiers[0]", "min_points", "10"},
	    {"$.missions[0]", "type", "\"chekin\""},
	    {"$.missions[2].questions[7]", "answer", "9"},
	    {"$.wheel.prizes[2]", "weight", "-5"},
	    {"$.wheel", "fallback", "\"nothing\""},
	    {"$.referral", "cap", "0"},
	    {"$.catalog[1]", "name", "{\"fa\": \"x\"}"},
	};
	static const char *const expect[] = {
	    "t.json: $.timezon: unknown field; did you mean \"timezone\"?",
	    "t.json: $.id: must be 3 to 40",
	    "t.json: $.points.expiry_days: must be",
	    "t.json: $.tiers[0].min_points: the first tier",
	    "t.json: $.missions[0].type: must be one of",
	    "t.json: $.missions[2].questions[7].answer: there are 4 choices",
	    "t.json: $.wheel.prizes[2].weight: must be",
	    "t.json: $.wheel.fallback: no prize has the id \"nothing\"",
	    "t.json: $.referral.cap: must be a whole number from 1 to 100000 (got 0)",
	    "t.json: $.catalog[1].name.en: missing",
	};
	struct buf errors = BUF_INIT;
	json_t *root = json_deep_copy(sample);
	size_t n = sizeof(many) / sizeof(many[0]);
	for (size_t i = 0; i < n; i++)
		mutate(root, &many[i]);
	CHECK(parse_json(root, &errors) == NULL);
	const char *prev = buf_cstr(&errors);
	for (size_t i = 0; i < n; i++) {
		const char *hit = strstr(buf_cstr(&errors), expect[i]);
		CHECK_CONTAINS(buf_cstr(&errors), expect[i]);
		/* In file order (the unknown field is reported first, with the top level). */
		if (hit != NULL && hit < prev) {
			fprintf(stderr, "out of order: %s\n", expect[i]);
			check_failures++;
		}
		if (hit != NULL)
			prev = hit;
	}
	/* The referrals mission's count (2) is not checked against a broken cap. */
	CHECK(count_lines(buf_cstr(&errors)) == n);
	json_decref(root);
	buf_free(&errors);
}

/* ---- dates ---- */

static struct campaign *
with_window(const char *zone, const char *starts, const char *ends, struct buf *errors)
{
	json_t *root = json_deep_copy(sample);
	json_t *qs = at(root, "$.missions[2]");
	json_object_set_new(root, "timezone", json_string(zone));
	json_object_set_new(root, "starts", json_string(starts));
	json_object_set_new(root, "ends", json_string(ends));
	/* The quiz's dates are about Nowruz 1405; keep only the first question, on the
	 * first day of the window, and no streak (it may not fit a short window). */
	while (json_array_size(json_object_get(qs, "questions")) > 1)
		json_array_remove(json_object_get(qs, "questions"), 1);
	json_object_set_new(at(root, "$.missions[2].questions[0]"), "date",
	                    json_stringn(starts, strcspn(starts, "T")));
	json_object_del(at(root, "$.missions[0]"), "streak");
	struct campaign *c = parse_json(root, errors);
	json_decref(root);
	return c;
}

static void
test_jalali_and_gregorian_agree(void)
{
	struct buf e1 = BUF_INIT, e2 = BUF_INIT, e3 = BUF_INIT;
	struct campaign *j = with_window("Asia/Tehran", "1405-01-01", "1405-01-13", &e1);
	struct campaign *g = with_window("Asia/Tehran", "2026-03-21", "2026-04-02", &e2);
	/* Persian digits too. */
	struct campaign *p = with_window("Asia/Tehran",
	                                 "\xdb\xb1\xdb\xb4\xdb\xb0\xdb\xb5-\xdb\xb0\xdb\xb1-"
	                                 "\xdb\xb0\xdb\xb1",
	                                 "2026-04-02", &e3);
	CHECK_STR(buf_cstr(&e1), "");
	CHECK_STR(buf_cstr(&e2), "");
	CHECK_STR(buf_cstr(&e3), "");
	CHECK(j != NULL && g != NULL && p != NULL);
	if (j != NULL && g != NULL && p != NULL) {
		CHECK(j->starts == g->starts && j->ends == g->ends);
		CHECK(p->starts == g->starts);
		CHECK(j->starts == NOWRUZ_1405_UTC);
	}
	campaign_free(j);
	campaign_free(g);
	campaign_free(p);
	buf_free(&e1);
	buf_free(&e2);
	buf_free(&e3);
}

static void
test_ends_inclusive_across_tehran_midnight(void)
{
	struct buf errors = BUF_INIT;
	/* A one-day campaign: the whole of 1405-01-13 in Tehran, which is
	 * 2026-04-01T20:30Z .. 2026-04-02T20:30Z. */
	struct campaign *c = with_window("Asia/Tehran", "1405-01-13", "1405-01-13", &errors);
	CHECK_STR(buf_cstr(&errors), "");
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK(c->starts == NOWRUZ_1405_UTC + 12 * DAY);
		CHECK(c->ends == NOWRUZ_1405_UTC + 13 * DAY);
		CHECK(campaign_running(c, c->ends - 1));  /* 23:59:59 Tehran */
		CHECK(!campaign_running(c, c->ends));     /* 00:00:00 the next day */
		CHECK(!campaign_running(c, c->ends + 1)); /* already the 14th in Tehran */
		/* 20:30Z: still the 2nd of April in UTC, but the 14th in Tehran. */
		CHECK(c->ends == (time_t)1775161800);
	}
	campaign_free(c);
	buf_reset(&errors);

	/* With a time, ends is that instant. */
	c = with_window("Asia/Tehran", "1405-01-01T08:00", "1405-01-13T23:30", &errors);
	CHECK_STR(buf_cstr(&errors), "");
	if (c != NULL) {
		CHECK(c->starts == NOWRUZ_1405_UTC + 8 * 3600);
		CHECK(c->ends == NOWRUZ_1405_UTC + 12 * DAY + 23 * 3600 + 1800);
	}
	campaign_free(c);
	buf_reset(&errors);

	/* The last day of a Jalali year (1404 has 29 days in Esfand) rolls into Nowruz. */
	c = with_window("Asia/Tehran", "1404-12-29", "1404-12-29", &errors);
	CHECK_STR(buf_cstr(&errors), "");
	if (c != NULL)
		CHECK(c->ends == NOWRUZ_1405_UTC);
	campaign_free(c);
	buf_reset(&errors);

	/* Gregorian month, year and leap-day ends in UTC. */
	c = with_window("UTC", "2026-12-31", "2026-12-31", &errors);
	if (c != NULL)
		CHECK(c->ends == (time_t)1798761600); /* 2027-01-01T00:00Z */
	campaign_free(c);
	c = with_window("UTC", "2028-02-28", "2028-02-28", &errors);
	if (c != NULL)
		CHECK(c->ends == (time_t)1835395200); /* 2028-02-29T00:00Z */
	campaign_free(c);
	CHECK_STR(buf_cstr(&errors), "");
	buf_free(&errors);
}

static void
test_default_zone(void)
{
	struct buf errors = BUF_INIT;
	json_t *root = json_deep_copy(sample);
	json_object_del(root, "timezone");
	char *text = json_dumps(root, 0);
	struct campaign *c = campaign_parse(text, strlen(text), "t.json", "UTC", langs, 2, &errors);
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK_STR(c->timezone, "UTC");
		CHECK(c->starts == (time_t)1774051200); /* 2026-03-21T00:00Z */
	}
	campaign_free(c);
	free(text);
	json_decref(root);
	buf_free(&errors);
}

/* ---- other accepted forms ---- */

static void
test_accepted_variants(void)
{
	struct buf errors = BUF_INIT;
	json_t *root = json_deep_copy(sample);
	/* Another language, a comment anywhere, a grammar object, days, an overnight window,
	 * points without an expiry section. */
	json_object_set_new(at(root, "$.name"), "de", json_string("Nowruz-Fest"));
	json_object_set_new(at(root, "$.name"), "comment", json_string("the festival's name"));
	json_object_set_new(at(root, "$.wheel"), "comment", json_string("weights sum to 1000"));
	json_object_set_new(root, "grammar", json_loads("{\"commands\": []}", 0, NULL));
	json_object_set_new(at(root, "$.earning[1].window"), "days",
	                    json_loads("[\"thu\", \"fri\"]", 0, NULL));
	json_object_set_new(at(root, "$.earning[1].window"), "from", json_string("22:00"));
	json_object_set_new(at(root, "$.earning[1].window"), "to", json_string("02:00"));
	json_object_del(root, "points");
	struct campaign *c = parse_json(root, &errors);
	CHECK_STR(buf_cstr(&errors), "");
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK_STR(campaign_text(&c->name, "de"), "Nowruz-Fest");
		CHECK(c->name.n == 3); /* the comment is not a language */
		CHECK_STR(c->grammar_json, "{\"commands\":[]}");
		CHECK(c->earning[1].days_mask == ((1u << 4) | (1u << 5)));
		CHECK(c->earning[1].window_from_min == 22 * 60 &&
		      c->earning[1].window_to_min == 120);
		CHECK(c->expiry_days == 0);
	}
	campaign_free(c);
	json_decref(root);

	/* A byte order mark in front is skipped. */
	char *text = json_dumps(sample, 0);
	size_t len = strlen(text);
	char *bom = malloc(len + 4);
	memcpy(bom, "\xEF\xBB\xBF", 3);
	memcpy(bom + 3, text, len + 1);
	buf_reset(&errors);
	c = campaign_parse(bom, len + 3, "t.json", "UTC", langs, 2, &errors);
	CHECK(c != NULL);
	campaign_free(c);
	free(bom);
	free(text);
	buf_free(&errors);
}

/* ---- syntax, limits, files ---- */

static void
test_syntax_errors(void)
{
	struct buf errors = BUF_INIT;
	CHECK(parse_text("{\"id\": \"abc\",\n  \"name\": }", &errors) == NULL);
	CHECK_CONTAINS(buf_cstr(&errors), "t.json:2:11: JSON syntax error:");
	buf_reset(&errors);
	CHECK(parse_text("{\"id\": \"abc\",\n\"id\": \"abd\"}", &errors) == NULL);
	CHECK_CONTAINS(buf_cstr(&errors), "t.json:2:");
	CHECK_CONTAINS(buf_cstr(&errors), "duplicate object key");
	buf_reset(&errors);
	CHECK(parse_text("[1, 2]", &errors) == NULL);
	CHECK_STR(buf_cstr(&errors), "t.json: $: expected an object {\"id\": ..., \"name\": ..., "
	                             "...} at the top level (got a list)\n");
	buf_reset(&errors);
	CHECK(parse_text("", &errors) == NULL);
	CHECK_CONTAINS(buf_cstr(&errors), "t.json");
	buf_reset(&errors);
	CHECK(parse_text("{}", &errors) == NULL);
	CHECK_CONTAINS(buf_cstr(&errors), "t.json: $.id: missing");
	CHECK_CONTAINS(buf_cstr(&errors), "t.json: $.name: missing");
	CHECK_CONTAINS(buf_cstr(&errors), "t.json: $.starts: missing");
	CHECK_CONTAINS(buf_cstr(&errors), "t.json: $.ends: missing");
	CHECK_CONTAINS(buf_cstr(&errors), "t.json: $.short_codes: missing");
	CHECK(count_lines(buf_cstr(&errors)) == 5);
	buf_free(&errors);
}

static void
test_limits(void)
{
	struct buf errors = BUF_INIT;
	json_t *root = json_deep_copy(sample);
	json_t *prizes = at(root, "$.wheel.prizes");
	while (json_array_size(prizes) <= CAMPAIGN_MAX_PRIZES) {
		json_t *p = json_deep_copy(json_array_get(prizes, 0));
		char id[16];
		snprintf(id, sizeof(id), "p%zu", json_array_size(prizes));
		json_object_set_new(p, "id", json_string(id));
		json_array_append_new(prizes, p);
	}
	json_t *qs = at(root, "$.missions[2].questions");
	while (json_array_size(qs) <= CAMPAIGN_MAX_QUESTIONS)
		json_array_append(qs, json_array_get(qs, 0));
	struct campaign *c = parse_json(root, &errors);
	CHECK(c == NULL);
	CHECK_CONTAINS(buf_cstr(&errors),
	               "t.json: $.wheel.prizes: has 65 entries; at most 64 are allowed");
	CHECK_CONTAINS(buf_cstr(&errors),
	               "t.json: $.missions[2].questions: has 401 entries; at most 400 are allowed");
	json_decref(root);
	buf_reset(&errors);

	/* More than 1 MiB is refused before parsing. */
	size_t big = CAMPAIGN_FILE_MAX + 1;
	char *text = malloc(big);
	memset(text, ' ', big);
	text[0] = '{';
	text[big - 1] = '}';
	CHECK(campaign_parse(text, big, "t.json", "UTC", langs, 2, &errors) == NULL);
	CHECK_STR(buf_cstr(&errors),
	          "t.json: the file has 1048577 bytes; a campaign file may have at most 1048576 "
	          "(1 MiB)\n");
	free(text);
	buf_reset(&errors);

	/* Thousands of mistakes: the first CAMPAIGN_MAX_PROBLEMS lines and a count. */
	root = json_deep_copy(sample);
	for (int i = 0; i < 1000; i++) {
		char key[16];
		snprintf(key, sizeof(key), "junk%d", i);
		json_object_set_new(root, key, json_true());
	}
	CHECK(parse_json(root, &errors) == NULL);
	CHECK(count_lines(buf_cstr(&errors)) == CAMPAIGN_MAX_PROBLEMS + 1);
	CHECK_CONTAINS(buf_cstr(&errors), "t.json: ... and 800 more problems\n");
	json_decref(root);
	buf_free(&errors);
}

static void
test_parse_file_errors(void)
{
	struct buf errors = BUF_INIT;
	CHECK(campaign_parse_file("/nonexistent/c.json", "UTC", langs, 2, &errors) == NULL);
	CHECK_STR(
	    buf_cstr(&errors),
	    "/nonexistent/c.json: cannot open the campaign file: No such file or directory\n");
	buf_reset(&errors);
	CHECK(campaign_parse_file("/", "UTC", langs, 2, &errors) == NULL);
	CHECK_CONTAINS(buf_cstr(&errors), "/: ");
	buf_free(&errors);
}

static void
test_conflicts(void)
{
	struct buf errors = BUF_INIT;
	const char *code = NULL;
	struct campaign *a = with_window("Asia/Tehran", "1405-01-01", "1405-01-13", &errors);
	struct campaign *b = with_window("Asia/Tehran", "1405-01-13", "1405-01-20", &errors);
	struct campaign *later = with_window("Asia/Tehran", "1405-01-14", "1405-01-20", &errors);
	CHECK_STR(buf_cstr(&errors), "");
	if (a != NULL && b != NULL && later != NULL) {
		/* The same id is a new version, not a conflict. */
		CHECK(campaign_conflict(a, b, &code) == 0);
		snprintf(b->id, sizeof(b->id), "other");
		snprintf(later->id, sizeof(later->id), "later");
		CHECK(campaign_conflict(a, b, &code) == 1);
		CHECK_STR(code, "3000");
		CHECK(campaign_conflict(a, later, &code) == 0); /* back to back */
		free(b->short_codes[0]);
		b->short_codes[0] = strdup("3001");
		CHECK(campaign_conflict(a, b, &code) == 0);
	}
	campaign_free(a);
	campaign_free(b);
	campaign_free(later);
	buf_free(&errors);
}

int
main(void)
{
	json_error_t jerr;
	sample = json_load_file(GAMIGATE_CAMPAIGN_SAMPLE, JSON_REJECT_DUPLICATES, &jerr);
	if (sample == NULL) {
		fprintf(stderr, "%s: %s\n", GAMIGATE_CAMPAIGN_SAMPLE, jerr.text);
		return 1;
	}
	RUN(test_sample_parses);
	RUN(test_broken_variants);
	RUN(test_odd_keys_in_paths);
	RUN(test_all_problems_listed);
	RUN(test_jalali_and_gregorian_agree);
	RUN(test_ends_inclusive_across_tehran_midnight);
	RUN(test_default_zone);
	RUN(test_accepted_variants);
	RUN(test_syntax_errors);
	RUN(test_limits);
	RUN(test_parse_file_errors);
	RUN(test_conflicts);
	json_decref(sample);
	return check_summary();
}
