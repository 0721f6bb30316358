/*
 * campaign_missions — the missions of a campaign file, checked by type: the fields each
 * type has (a field of another type is named as such), check-in streaks, quiz questions
 * with their choices and answer, counts with staged rewards for events and referrals.
 * campaign_missions_check then checks missions against the other sections.
 *
 * Any thread: there is no global state.
 */
#include "game/campaign_missions.h"
#include "core/tz.h"
#include "core/xalloc.h"
#include "game/campaign_sections.h"

#include <string.h>

/* ---- missions ---- */

static const char *const mission_types[] = {"checkin", "spin", "quiz", "events", "referrals"};
static const char *const period_names[] = {"day", "week", "campaign"};
#define T(x) (1u << (x))
#define ALL_TYPES                                                                                  \
	(T(MISSION_CHECKIN) | T(MISSION_SPIN) | T(MISSION_QUIZ) | T(MISSION_EVENTS) |              \
	 T(MISSION_REFERRALS))
static const struct {
	const char *key;
	unsigned types;
} mission_keys[] = {
    {"id", ALL_TYPES},
    {"type", ALL_TYPES},
    {"period", ALL_TYPES},
    {"reward", ALL_TYPES},
    {"streak", T(MISSION_CHECKIN)},
    {"questions", T(MISSION_QUIZ)},
    {"event", T(MISSION_EVENTS)},
    {"count", T(MISSION_EVENTS) | T(MISSION_REFERRALS)},
    {"stages", T(MISSION_EVENTS) | T(MISSION_REFERRALS)},
};
#define N_MISSION_KEYS (sizeof(mission_keys) / sizeof(mission_keys[0]))
static const char *const streak_fields[] = {"days", "reward"};
static const char *const question_fields[] = {"date", "text", "choices", "answer"};
static const char *const stage_fields[] = {"count", "reward"};

/* Reports fields a mission of this type does not have (type < 0: any known field is
 * taken). */
static void
check_mission_fields(struct ck *ck, json_t *v, const char *p, int type)
{
	const char *key;
	json_t *fv;
	const char *names[N_MISSION_KEYS];
	char fp[PATH_BYTES], list[200];

	for (size_t i = 0; i < N_MISSION_KEYS; i++)
		names[i] = mission_keys[i].key;
	json_object_foreach(v, key, fv)
	{
		size_t k = 0;
		if (strcmp(key, "comment") == 0)
			continue;
		while (k < N_MISSION_KEYS && strcmp(key, mission_keys[k].key) != 0)
			k++;
		ck_path_key(fp, p, key);
		if (k == N_MISSION_KEYS) {
			const char *best = ck_closest(key, names, N_MISSION_KEYS);
			ck_list_names(list, sizeof(list), names, N_MISSION_KEYS);
			ck_problem(ck, fp, "unknown field%s%s%s (fields of missions: %s)",
			           best ? "; did you mean \"" : "", best ? best : "",
			           best ? "\"?" : "", list);
			continue;
		}
		if (type < 0 || (mission_keys[k].types & T(type)) != 0)
			continue;
		const char *owners[5];
		size_t n = 0;
		for (int t = 0; t < 5; t++) {
			if (mission_keys[k].types & T(t))
				owners[n++] = mission_types[t];
		}
		ck_list_names(list, sizeof(list), owners, n);
		ck_problem(ck, fp, "a %s mission has no \"%s\"; only these types have it: %s",
		           mission_types[type], key, list);
	}
}

static void
parse_question(struct ck *ck, json_t *v, const char *p, void *out)
{
	struct campaign_question *q = out;
	char fp[PATH_BYTES], cp[PATH_BYTES];
	struct civil_time ct;
	bool has_time = false;
	size_t i;
	json_t *cv;
	long long answer = 0;

	if (!json_is_object(v)) {
		ck_problem(
		    ck, p,
		    "must be a question: {\"date\": ..., \"text\": {...}, \"choices\": [...], "
		    "\"answer\": 1} (got %s)",
		    ck_type_name(v));
		return;
	}
	ck_check_fields(ck, v, p, question_fields, 4);
	if (ck_get_date(ck, v, p, "date", true, &ct, &has_time) == 0) {
		ck_path_key(fp, p, "date");
		if (has_time)
			ck_problem(ck, fp,
			           "a question is asked for a whole local day; give the date "
			           "without a time");
		else
			q->year = ct.year, q->month = ct.month, q->day = ct.day;
	}
	ck_get_text(ck, v, p, "text", &q->text);
	json_t *choices = ck_get_list(ck, v, p, "choices", true, 2, CAMPAIGN_MAX_CHOICES,
	                              "2 to 8 choices, each a text in every language");
	if (choices != NULL) {
		q->nchoices = (unsigned)json_array_size(choices);
		q->choices = xcalloc(q->nchoices, sizeof(*q->choices));
		ck_path_key(fp, p, "choices");
		json_array_foreach(choices, i, cv)
		{
			ck_path_idx(cp, fp, i);
			ck_parse_text(ck, cv, cp, &q->choices[i]);
		}
	}
	ck_path_key(fp, p, "answer");
	json_t *av = json_object_get(v, "answer");
	if (av == NULL) {
		ck_problem(ck, fp,
		           "missing; expected the number of the right choice, counting from 1");
	} else if (q->nchoices > 0 && json_is_integer(av) &&
	           (json_integer_value(av) < 1 || json_integer_value(av) > q->nchoices)) {
		ck_problem(
		    ck, fp,
		    "there are %u choices; answer is the number of the right one, counting from "
		    "1 (got %" JSON_INTEGER_FORMAT ")",
		    q->nchoices, json_integer_value(av));
	} else if (ck_int_value(ck, av, fp, 1, CAMPAIGN_MAX_CHOICES, &answer) == 1) {
		q->answer = (unsigned)answer;
	}
}

static void
parse_stages(struct ck *ck, json_t *v, const char *p, struct campaign_mission *m, int count_ok)
{
	char sp[PATH_BYTES], fp[PATH_BYTES];
	size_t i;
	json_t *sv;
	long long prev = 0;
	json_t *list =
	    ck_get_list(ck, v, p, "stages", false, 1, CAMPAIGN_MAX_STAGES,
	                "staged rewards before the mission completes, e.g. [{\"count\": 1, "
	                "\"reward\": {\"points\": 5}}]");
	if (list == NULL)
		return;
	m->nstages = (unsigned)json_array_size(list);
	m->stages = xcalloc(m->nstages, sizeof(*m->stages));
	ck_path_key(fp, p, "stages");
	json_array_foreach(list, i, sv)
	{
		struct campaign_stage *s = &m->stages[i];
		ck_path_idx(sp, fp, i);
		if (!json_is_object(sv)) {
			ck_problem(ck, sp,
			           "must be a stage {\"count\": n, \"reward\": {...}} (got %s)",
			           ck_type_name(sv));
			continue;
		}
		ck_check_fields(ck, sv, sp, stage_fields, 2);
		int ok = ck_get_int(ck, sv, sp, "count", true, 1, 1000, 0, &s->count);
		ck_get_reward(ck, sv, sp, "reward", true, &s->reward);
		char cp[PATH_BYTES];
		ck_path_key(cp, sp, "count");
		if (ok == 1 && s->count <= prev)
			ck_problem(ck, cp,
			           "stages are listed by count, lowest first: %lld is not above "
			           "%lld",
			           s->count, prev);
		else if (ok == 1 && count_ok == 1 && s->count >= m->count)
			ck_problem(ck, cp,
			           "a stage rewards progress before the mission completes, so its "
			           "count must be below the mission's count (%lld)",
			           m->count);
		if (ok == 1)
			prev = s->count;
	}
}

static void
parse_mission(struct ck *ck, json_t *v, const char *p, void *out)
{
	struct campaign_mission *m = out;
	char fp[PATH_BYTES];

	if (!json_is_object(v)) {
		ck_problem(
		    ck, p,
		    "must be a mission: {\"id\": ..., \"type\": ..., \"period\": ..., \"reward\": "
		    "{...}} (got %s)",
		    ck_type_name(v));
		return;
	}
	int type = ck_get_enum(ck, v, p, "type", true, mission_types, 5, -1);
	check_mission_fields(ck, v, p, type);
	ck_get_id(ck, v, p, "id", 1, 40, m->id);
	int period = ck_get_enum(ck, v, p, "period", true, period_names, 3, -1);
	ck_get_reward(ck, v, p, "reward", true, &m->reward);
	if (type >= 0)
		m->type = (enum mission_type)type;
	if (period >= 0)
		m->period = (enum mission_period)period;

	switch (type) {
	case MISSION_CHECKIN: {
		json_t *s = json_object_get(v, "streak");
		long long days = 0;
		if (s == NULL)
			break;
		ck_path_key(fp, p, "streak");
		if (!json_is_object(s)) {
			ck_problem(
			    ck, fp,
			    "must be {\"days\": 7, \"reward\": {...}}: a bonus for checking in so "
			    "many days in a row (got %s)",
			    ck_type_name(s));
			break;
		}
		ck_check_fields(ck, s, fp, streak_fields, 2);
		if (ck_get_int(ck, s, fp, "days", true, 2, 365, 0, &days) == 1)
			m->streak_days = (unsigned)days;
		ck_get_reward(ck, s, fp, "reward", true, &m->streak_reward);
		if (period >= 0 && period != PERIOD_DAY) {
			ck_path_key(fp, p, "period");
			ck_problem(ck, fp,
			           "a streak counts days in a row, so a check-in with a streak "
			           "must have the period \"day\"");
		}
		break;
	}
	case MISSION_QUIZ: {
		if (period >= 0 && period != PERIOD_DAY) {
			ck_path_key(fp, p, "period");
			ck_problem(ck, fp,
			           "a quiz asks one question a day; its period must be \"day\"");
		}
		json_t *qs = ck_get_list(ck, v, p, "questions", true, 1, CAMPAIGN_MAX_QUESTIONS,
		                         "the questions, one per local day");
		if (qs == NULL)
			break;
		m->nquestions = (unsigned)json_array_size(qs);
		ck_path_key(fp, p, "questions");
		m->questions =
		    ck_parse_list(ck, qs, fp, sizeof(*m->questions), parse_question, NULL);
		break;
	}
	case MISSION_EVENTS:
	case MISSION_REFERRALS: {
		if (type == MISSION_EVENTS) {
			int ev = ck_get_enum(ck, v, p, "event", true, campaign_sections_event_names,
			                     4, -1);
			if (ev >= 0)
				m->event = (enum earning_event)ev;
		}
		int ok = ck_get_int(ck, v, p, "count", true, 1, 1000, 0, &m->count);
		parse_stages(ck, v, p, m, ok);
		break;
	}
	default:
		break;
	}
}

/* Checks across a quiz's questions: dates inside the campaign, one question a day. */
static void
check_questions(struct ck *ck, const struct campaign_mission *m, const char *p)
{
	char qp[PATH_BYTES];
	for (unsigned i = 0; i < m->nquestions; i++) {
		const struct campaign_question *q = &m->questions[i];
		if (q->year == 0)
			continue;
		ck_pathf(qp, "%s.questions[%u].date", p, i);
		for (unsigned j = 0; j < i; j++) {
			const struct campaign_question *o = &m->questions[j];
			if (o->year == q->year && o->month == q->month && o->day == q->day) {
				ck_problem(
				    ck, qp,
				    "%04d-%02d-%02d already has a question (%s.questions[%u]); one "
				    "question a day",
				    q->year, q->month, q->day, p, j);
				break;
			}
		}
		if (!ck->window_ok)
			continue;
		int y = q->year, mo = q->month, d = q->day;
		time_t day_start = tz_to_utc(ck->tz, y, mo, d, 0, 0, 0);
		ck_next_day(&y, &mo, &d);
		time_t day_end = tz_to_utc(ck->tz, y, mo, d, 0, 0, 0);
		if (day_end <= ck->starts || day_start >= ck->ends)
			ck_problem(ck, qp,
			           "%04d-%02d-%02d is outside the campaign (starts to ends); the "
			           "question would never be asked",
			           q->year, q->month, q->day);
	}
}

void
campaign_missions_parse(struct ck *ck, json_t *root, struct campaign *c)
{
	json_t *v =
	    ck_get_list(ck, root, "$", "missions", false, 0, CAMPAIGN_MAX_MISSIONS,
	                "missions, e.g. [{\"id\": \"daily-checkin\", \"type\": \"checkin\", "
	                "\"period\": \"day\", \"reward\": {\"points\": 5}}]");
	if (v == NULL)
		return;
	c->nmissions = (unsigned)json_array_size(v);
	c->missions =
	    ck_parse_list(ck, v, "$.missions", sizeof(*c->missions), parse_mission, "mission id");
}

/* ---- checks across sections ---- */

void
campaign_missions_check(struct ck *ck, json_t *root, struct campaign *c)
{
	char p[PATH_BYTES];
	int first_of[5] = {-1, -1, -1, -1, -1};
	json_t *ms = json_object_get(root, "missions");

	for (unsigned i = 0; i < c->nmissions; i++) {
		const struct campaign_mission *m = &c->missions[i];
		json_t *mv = json_array_get(ms, i);
		/* Only missions whose type parsed: an unparsed one reads as checkin. */
		int type = -1;
		json_t *tv = json_object_get(mv, "type");
		for (int t = 0; t < 5 && json_is_string(tv); t++) {
			if (strcmp(json_string_value(tv), mission_types[t]) == 0)
				type = t;
		}
		if (type < 0)
			continue;
		ck_pathf(p, "$.missions[%u].type", i);
		if ((type == MISSION_CHECKIN || type == MISSION_SPIN || type == MISSION_QUIZ) &&
		    first_of[type] >= 0)
			ck_problem(ck, p,
			           "a second %s mission (the first is $.missions[%d]); a campaign "
			           "has at most one",
			           mission_types[type], first_of[type]);
		if (first_of[type] < 0)
			first_of[type] = (int)i;
		if (type == MISSION_SPIN && !c->wheel.enabled)
			ck_problem(ck, p,
			           "a spin mission needs a wheel; add \"wheel\" or remove the "
			           "mission");
		if (type == MISSION_REFERRALS && !c->referral.enabled)
			ck_problem(ck, p,
			           "a referrals mission needs referral codes; add \"referral\" or "
			           "remove the mission");
		if (type == MISSION_REFERRALS && c->referral.enabled && c->referral.cap > 0 &&
		    m->count > (long long)c->referral.cap) {
			ck_pathf(p, "$.missions[%u].count", i);
			ck_problem(ck, p, "no one can make %lld referrals: $.referral.cap is %u",
			           m->count, c->referral.cap);
		}
		if (type == MISSION_QUIZ) {
			ck_pathf(p, "$.missions[%u]", i);
			check_questions(ck, m, p);
		}
		if (type == MISSION_CHECKIN && m->streak_days > 0 && ck->window_ok) {
			long long days = (long long)((ck->ends - ck->starts + 86399) / 86400);
			ck_pathf(p, "$.missions[%u].streak.days", i);
			if (m->streak_days > days)
				ck_problem(ck, p,
				           "a streak of %u days cannot be reached in a campaign of "
				           "%lld days",
				           m->streak_days, days);
		}
	}
}
