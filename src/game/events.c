/*
 * events — earning rules and event missions for external events. The arithmetic and
 * the windows are pure; events_record runs one transaction per event on a worker.
 */
#include "game/events.h"
#include "game/referral.h"
#include "core/tz.h"
#include "game/reward.h"
#include "store/events.h"
#include "store/game.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {"recharge", "bundle", "bill", "custom"};

const char *
events_type_name(enum earning_event type)
{
	return (unsigned)type < 4 ? type_names[type] : "?";
}

int
events_type_parse(const char *s, enum earning_event *type_r)
{
	for (unsigned i = 0; i < 4; i++) {
		if (s != NULL && strcmp(s, type_names[i]) == 0) {
			*type_r = (enum earning_event)i;
			return 0;
		}
	}
	return -1;
}

long long
events_rule_points(const struct campaign_earning *rule, long long amount)
{
	long long limit = EVENTS_POINTS_LIMIT;

	if (rule->multiplier != 0 || rule->per_amount <= 0 || rule->points <= 0 || amount <= 0)
		return 0;
	if (rule->max_points > 0 && rule->max_points < limit)
		limit = rule->max_points;
	long long steps = amount / rule->per_amount;
	/* steps x points > limit exactly when steps > floor(limit / points): no overflow. */
	if (steps > limit / rule->points)
		return limit;
	return steps * rule->points;
}

static int
day_in(unsigned mask, int weekday)
{
	return weekday >= 0 && weekday < 7 && ((mask >> weekday) & 1u) != 0;
}

int
events_in_window(const struct campaign_earning *rule, int weekday, int minute)
{
	int from = rule->window_from_min, to = rule->window_to_min;

	if (minute < 0 || minute >= 24 * 60)
		return 0;
	if (from < 0)
		return day_in(rule->days_mask, weekday);
	if (from < to)
		return minute >= from && minute < to && day_in(rule->days_mask, weekday);
	/* Past midnight: the evening part is on the day the window starts, the morning
	 * part on the day after it. */
	if (minute >= from)
		return day_in(rule->days_mask, weekday);
	if (minute < to)
		return day_in(rule->days_mask, (weekday + 6) % 7);
	return 0;
}

void
events_earn(const struct campaign_earning *rules, unsigned nrules, enum earning_event type,
            long long amount, int weekday, int minute, struct events_earning *e)
{
	e->base = 0;
	e->multiplier = 1;
	e->points = 0;
	for (unsigned i = 0; i < nrules; i++) {
		if (rules[i].event == type && rules[i].multiplier == 0) {
			e->base = events_rule_points(&rules[i], amount);
			break;
		}
	}
	/* Overlapping double and triple hours give the triple, not six times. */
	for (unsigned i = 0; i < nrules; i++) {
		if (rules[i].event == type && rules[i].multiplier > e->multiplier &&
		    events_in_window(&rules[i], weekday, minute))
			e->multiplier = rules[i].multiplier;
	}
	e->points = e->base * e->multiplier;
}

void
events_earn_at(const struct campaign *c, enum earning_event type, long long amount, time_t at,
               struct events_earning *e)
{
	struct tz_civil civ;
	tz_civil(c->tz, at, &civ);
	events_earn(c->earning, c->nearning, type, amount, civ.weekday, civ.hour * 60 + civ.minute,
	            e);
}

void
events_period_bounds(const struct campaign *c, enum mission_period period, time_t at,
                     time_t *from_r, time_t *to_r)
{
	struct tz_civil civ;
	time_t from = c->starts, to = c->ends;

	tz_civil(c->tz, at, &civ);
	switch (period) {
	case PERIOD_DAY:
		from = tz_to_utc(c->tz, civ.year, civ.month, civ.day, 0, 0, 0);
		to = tz_to_utc(c->tz, civ.year, civ.month, civ.day + 1, 0, 0, 0);
		break;
	case PERIOD_WEEK: {
		/* Weeks start on Saturday (weekday 6), as tz_week_key counts them. */
		int back = (civ.weekday + 1) % 7;
		from = tz_to_utc(c->tz, civ.year, civ.month, civ.day - back, 0, 0, 0);
		to = tz_to_utc(c->tz, civ.year, civ.month, civ.day - back + 7, 0, 0, 0);
		break;
	}
	case PERIOD_CAMPAIGN:
		break;
	}
	*from_r = from > c->starts ? from : c->starts;
	*to_r = to < c->ends ? to : c->ends;
}

/* ---- ISO 8601 times ---- */

/* n digits at *p as a number; -1 when they are not all digits. */
static int
digits(const char **p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char ch = (*p)[i];
		if (ch < '0' || ch > '9')
			return -1;
		v = v * 10 + (ch - '0');
	}
	*p += n;
	return v;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long
days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
events_parse_time(const char *s, time_t *t_r, const char **error_r)
{
	static const char *const form =
	    "must be an ISO 8601 time with a zone, e.g. \"2026-03-21T18:30:00Z\"";
	const char *p = s;
	int y, mo, d, h, mi, sec = 0;
	long offset = 0;

	*error_r = form;
	if (s == NULL)
		return -1;
	if ((y = digits(&p, 4)) < 0 || *p++ != '-' || (mo = digits(&p, 2)) < 0 || *p++ != '-' ||
	    (d = digits(&p, 2)) < 0)
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if ((h = digits(&p, 2)) < 0 || *p++ != ':' || (mi = digits(&p, 2)) < 0)
		return -1;
	if (*p == ':') {
		p++;
		if ((sec = digits(&p, 2)) < 0)
			return -1;
		if (*p == '.' || *p == ',') {
			p++;
			if (*p < '0' || *p > '9')
				return -1;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;
		int oh = digits(&p, 2), om = 0;
		if (oh < 0)
			return -1;
		if (*p == ':')
			p++;
		if (*p != '\0' && (om = digits(&p, 2)) < 0)
			return -1;
		if (oh > 14 || om > 59) {
			*error_r = "has a zone offset out of range (at most 14:00)";
			return -1;
		}
		offset = sign * (oh * 3600L + om * 60L);
	} else {
		*error_r = *p == '\0' ? "needs a zone: add \"Z\" for UTC, e.g. "
		                        "\"2026-03-21T18:30:00Z\""
		                      : form;
		return -1;
	}
	if (*p != '\0')
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || sec > 59) {
		*error_r = "is not a valid date and time (years from 1970)";
		return -1;
	}
	long long t = days_from_civil(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL + sec - offset;
	if (t < 0) {
		*error_r = "is before 1970";
		return -1;
	}
	*t_r = (time_t)t;
	*error_r = NULL;
	return 0;
}

/* ---- recording an event ---- */

struct record_tx {
	const struct campaign *const *campaigns;
	unsigned ncampaigns;
	const struct events_input *in;
	/* results, reset at each attempt */
	int duplicate;
	long long points, chances;
	struct buf missions; /* JSON array elements */
	const char *note;
	int rules_seen; /* a running campaign has a points rule or a mission for the type */
	int running;    /* running campaigns */
};

static void
tx_reset(struct record_tx *tx)
{
	tx->duplicate = 0;
	tx->points = tx->chances = 0;
	buf_reset(&tx->missions);
	tx->note = NULL;
	tx->rules_seen = 0;
	tx->running = 0;
}

/*
 * Gives a mission's (or a stage's) reward once per ref, and queues a notice for the
 * subscriber when it gave anything (a voucher code is of no use unannounced).
 */
static int
give(struct db_conn *conn, const struct campaign *c, long long sid,
     const struct campaign_mission *m, long long count, const struct campaign_reward *r,
     const char *reason, const char *ref, struct record_tx *tx, struct db_error *err)
{
	struct reward_result rr;
	struct game_scope scope;
	struct buf vars = BUF_INIT;
	int rc = 0;

	if (reward_apply(conn, c, sid, r, reason, ref, 1, &rr, err) < 0)
		return -1;
	tx->points += rr.points;
	tx->chances += rr.chances;
	if (rr.points == 0 && rr.chances == 0 && rr.voucher[0] == '\0')
		return 0;
	buf_puts(&vars, "{\"mission\":");
	buf_json_str(&vars, m->id);
	buf_printf(&vars, ",\"count\":%lld,\"points\":%lld,\"chances\":%lld", count, rr.points,
	           rr.chances);
	if (rr.voucher[0] != '\0') {
		buf_puts(&vars, ",\"voucher\":");
		buf_json_str(&vars, rr.voucher);
	}
	buf_putc(&vars, '}');
	reward_scope(c, &scope);
	if (game_notify(conn, &scope, sid, "transactional",
	                strcmp(reason, "mission") == 0 ? "mission_complete" : "mission_stage",
	                buf_cstr(&vars), ref, err) < 0)
		rc = -1;
	buf_free(&vars);
	return rc;
}

/* Counts the member's events for an "events" mission and pays stages and completion. */
static int
mission_step(struct db_conn *conn, const struct campaign *c, const struct campaign_mission *m,
             long long sid, struct record_tx *tx, struct db_error *err)
{
	const struct events_input *in = tx->in;
	struct game_scope scope;
	char period[11], ref[160];
	time_t from, to;
	long long count = 0;

	events_period_bounds(c, m->period, in->at, &from, &to);
	if (events_store_count(conn, sid, events_type_name(m->event), from, to, &count, err) < 0)
		return -1;
	reward_period_key(c, m->period, in->at, period);
	/* The subscriber's row is locked, so each count is seen by exactly one event: a
	 * stage pays when the count reaches it, once (and its ref keeps it so). */
	for (unsigned k = 0; k < m->nstages; k++) {
		const struct campaign_stage *st = &m->stages[k];
		if (st->count != count)
			continue;
		snprintf(ref, sizeof(ref), "stage:%s:%s:%lld:%s:%lld", c->id, m->id, sid, period,
		         st->count);
		if (give(conn, c, sid, m, count, &st->reward, "mission_stage", ref, tx, err) < 0)
			return -1;
	}
	if (count < m->count)
		return 0;
	reward_scope(c, &scope);
	int fresh = game_complete_mission(conn, &scope, sid, m->id, period, err);
	if (fresh < 0)
		return -1;
	if (fresh == 0)
		return 0; /* completed earlier in this period */
	snprintf(ref, sizeof(ref), "mission:%s:%s:%lld:%s", c->id, m->id, sid, period);
	if (give(conn, c, sid, m, count, &m->reward, "mission", ref, tx, err) < 0)
		return -1;
	if (tx->missions.len > 0)
		buf_putc(&tx->missions, ',');
	buf_json_str(&tx->missions, m->id);
	return 0;
}

static int
apply_campaign(struct db_conn *conn, const struct campaign *c, long long sid, struct record_tx *tx,
               struct db_error *err)
{
	const struct events_input *in = tx->in;
	struct events_earning e;
	char ref[160];

	for (unsigned i = 0; i < c->nearning; i++) {
		if (c->earning[i].event == in->type && c->earning[i].multiplier == 0)
			tx->rules_seen = 1;
	}
	events_earn_at(c, in->type, in->amount, in->at, &e);
	if (e.points > 0) {
		struct campaign_reward r;
		struct reward_result rr;
		memset(&r, 0, sizeof(r));
		r.points = e.points;
		snprintf(ref, sizeof(ref), "event:%s:%s", c->id, in->event_id);
		if (reward_apply(conn, c, sid, &r, "event", ref, 0, &rr, err) < 0)
			return -1;
		tx->points += rr.points;
	}
	for (unsigned i = 0; i < c->nmissions; i++) {
		const struct campaign_mission *m = &c->missions[i];
		if (m->type != MISSION_EVENTS || m->event != in->type)
			continue;
		tx->rules_seen = 1;
		if (mission_step(conn, c, m, sid, tx, err) < 0)
			return -1;
	}
	/* A referral that waits for the referee's first activity pays out now. */
	if (referral_on_activity(conn, c, sid, err) < 0)
		return -1;
	return 0;
}

static void
result_json(const struct record_tx *tx, struct buf *out)
{
	buf_reset(out);
	buf_puts(out, "{\"event_id\":");
	buf_json_str(out, tx->in->event_id);
	buf_printf(out, ",\"status\":\"applied\",\"points\":%lld,\"chances\":%lld,\"missions\":[",
	           tx->points, tx->chances);
	if (tx->missions.len > 0)
		buf_append(out, tx->missions.data, tx->missions.len);
	buf_putc(out, ']');
	if (tx->note != NULL) {
		buf_puts(out, ",\"note\":");
		buf_json_str(out, tx->note);
	}
	buf_puts(out, "}");
}

struct record_ctx {
	struct record_tx tx;
	struct buf *result;
};

static int
record_body(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct record_ctx *rc = arg;
	struct record_tx *tx = &rc->tx;
	const struct events_input *in = tx->in;
	long long sid = 0;
	int member = 0;

	tx_reset(tx);
	/* Lock the member first: a member's events then run one after the other, and the
	 * mission counts below see every event committed before this one. */
	if (events_store_lock_subscriber(conn, in->msisdn, &sid, &member, err) < 0)
		return -1;
	struct events_store_row row = {
	    .event_id = in->event_id,
	    .msisdn = in->msisdn,
	    .subscriber_id = member ? sid : 0,
	    .type = events_type_name(in->type),
	    .amount = in->amount,
	    .at = in->at,
	};
	int fresh = events_store_insert(conn, &row, err);
	if (fresh < 0)
		return -1;
	if (fresh == 0) {
		tx->duplicate = 1; /* nothing written: the commit only releases the lock */
		return 0;
	}
	if (!member) {
		tx->note = "not a member: the event is recorded and earns nothing";
	} else {
		for (unsigned i = 0; i < tx->ncampaigns; i++) {
			const struct campaign *c = tx->campaigns[i];
			if (!campaign_running(c, in->at))
				continue;
			tx->running++;
			if (apply_campaign(conn, c, sid, tx, err) < 0)
				return -1;
		}
		if (tx->running == 0)
			tx->note = "no campaign runs at the event's time: recorded, earns nothing";
		else if (!tx->rules_seen)
			tx->note = "no running campaign rewards events of this type";
	}
	result_json(tx, rc->result);
	return events_store_set_result(conn, in->event_id, buf_cstr(rc->result), err);
}

/* The stored result of a duplicate, with its status changed (and a note when the
 * replay is not the same event). */
static int
stored_result(struct db_conn *conn, const struct events_input *in, struct buf *out,
              struct db_error *err)
{
	struct events_store_found f;
	json_error_t jerr;
	json_t *o = NULL;
	char *text;
	int rc = -1;

	memset(&f, 0, sizeof(f));
	if (events_store_find(conn, in->event_id, &f, err) < 0)
		goto out;
	if (f.found)
		o = json_loadb(f.result.data != NULL ? f.result.data : "", f.result.len, 0, &jerr);
	if (!json_is_object(o)) {
		err->code = 0;
		snprintf(err->msg, sizeof(err->msg), "the stored result of event %s is %s",
		         in->event_id, f.found ? "unreadable" : "missing");
		goto out;
	}
	json_object_set_new(o, "status", json_string("duplicate"));
	if (strcmp(f.msisdn, in->msisdn) != 0 || strcmp(f.type, events_type_name(in->type)) != 0 ||
	    f.amount != in->amount || (in->at_given && f.at != in->at))
		json_object_set_new(
		    o, "note",
		    json_string("this event_id was first used for a different event "
		                "(number, type, amount or time): its result stands "
		                "and this one changed nothing"));
	text = json_dumps(o, JSON_COMPACT);
	if (text == NULL) {
		err->code = 0;
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto out;
	}
	buf_reset(out);
	buf_puts(out, text);
	free(text);
	rc = 0;
out:
	json_decref(o);
	buf_free(&f.result);
	return rc;
}

int
events_record(struct db_conn *conn, const struct campaign *const *campaigns, unsigned ncampaigns,
              const struct events_input *in, struct buf *result_r, int *duplicate_r,
              struct db_error *err)
{
	struct record_ctx rc;
	int ret;

	memset(&rc, 0, sizeof(rc));
	rc.tx.campaigns = campaigns;
	rc.tx.ncampaigns = ncampaigns;
	rc.tx.in = in;
	rc.result = result_r;
	*duplicate_r = 0;
	ret = db_tx(conn, record_body, &rc, err);
	if (ret == 0 && rc.tx.duplicate) {
		/* Outside the transaction: a fresh read sees the first copy, committed. */
		*duplicate_r = 1;
		ret = stored_result(conn, in, result_r, err);
	}
	buf_free(&rc.tx.missions);
	return ret;
}
