/*
 * reminder — definitions and schedules (see reminder.h). Any thread.
 */
#include "send/reminder.h"
#include "core/tz.h"
#include "core/xalloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CRON_HORIZON_DAYS (366 * 5)

static const char *const segment_names[] = {
    "all",      "tier",          "not_spun_today", "not_checked_in_today", "points_expiring",
    "inactive", "joined_within", "no_referrals",
};

const char *
reminder_segment_name(enum reminder_segment s)
{
	return segment_names[s];
}

/* ---- cron ---- */

/* Parses one field ("*", "*\/n", "a", "a-b", "a-b/n", comma lists) into bits lo..hi. */
static int
cron_field(const char *s, int lo, int hi, uint64_t *bits_r, int *any_r)
{
	uint64_t bits = 0;
	*any_r = strcmp(s, "*") == 0;
	while (*s != '\0') {
		long a, b, step = 1;
		char *end;
		if (*s == '*') {
			a = lo;
			b = hi;
			end = (char *)s + 1;
		} else {
			if (*s < '0' || *s > '9')
				return -1;
			a = strtol(s, &end, 10);
			b = a;
			if (*end == '-') {
				if (end[1] < '0' || end[1] > '9')
					return -1;
				b = strtol(end + 1, &end, 10);
			}
		}
		if (*end == '/') {
			if (end[1] < '0' || end[1] > '9')
				return -1;
			step = strtol(end + 1, &end, 10);
			if (step < 1)
				return -1;
		}
		if (a < lo || b > hi || a > b)
			return -1;
		for (long v = a; v <= b; v += step)
			bits |= 1ULL << v;
		if (*end == ',')
			end++;
		else if (*end != '\0')
			return -1;
		s = end;
	}
	if (bits == 0)
		return -1;
	*bits_r = bits;
	return 0;
}

int
cron_parse(const char *line, struct cron *c, const char **error_r)
{
	char f[5][64];
	char extra[2];
	memset(c, 0, sizeof(*c));
	if (strlen(line) > 200 || sscanf(line, "%63s %63s %63s %63s %63s %1s", f[0], f[1], f[2],
	                                 f[3], f[4], extra) != 5) {
		*error_r = "a cron line has 5 fields: minute hour day-of-month month weekday";
		return -1;
	}
	uint64_t b;
	int any;
	if (cron_field(f[0], 0, 59, &b, &any) < 0) {
		*error_r = "minute field: expected *, N, N-M, lists and /step within 0-59";
		return -1;
	}
	c->minutes = b;
	if (cron_field(f[1], 0, 23, &b, &any) < 0) {
		*error_r = "hour field: expected *, N, N-M, lists and /step within 0-23";
		return -1;
	}
	c->hours = (uint32_t)b;
	if (cron_field(f[2], 1, 31, &b, &c->days_any) < 0) {
		*error_r = "day-of-month field: expected *, N, N-M, lists and /step within 1-31";
		return -1;
	}
	c->days = (uint32_t)b;
	if (cron_field(f[3], 1, 12, &b, &any) < 0) {
		*error_r = "month field: expected *, N, N-M, lists and /step within 1-12";
		return -1;
	}
	c->months = (uint16_t)b;
	if (cron_field(f[4], 0, 7, &b, &c->weekdays_any) < 0) {
		*error_r = "weekday field: expected *, N, N-M, lists and /step within 0-7 (0 and 7 "
		           "are Sunday)";
		return -1;
	}
	if (b & (1ULL << 7))
		b |= 1;
	c->weekdays = (uint8_t)(b & 0x7f);
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

time_t
cron_next(const struct cron *c, const struct tz *tz, time_t t)
{
	struct tz_civil now;
	tz_civil(tz, t, &now);
	int y = now.year, m = now.month, d = now.day;
	int wd = now.weekday;
	for (int i = 0; i < CRON_HORIZON_DAYS; i++) {
		int day_ok = (c->days >> d) & 1, wd_ok = (c->weekdays >> wd) & 1;
		/* As in cron: with both restricted, either matches. */
		int match = c->days_any && c->weekdays_any ? 1
		            : c->days_any                  ? wd_ok
		            : c->weekdays_any              ? day_ok
		                                           : (day_ok || wd_ok);
		if (((c->months >> m) & 1) && match) {
			for (int h = 0; h < 24; h++) {
				if (!((c->hours >> h) & 1))
					continue;
				for (int mi = 0; mi < 60; mi++) {
					if (!((c->minutes >> mi) & 1))
						continue;
					time_t u = tz_to_utc(tz, y, m, d, h, mi, 0);
					if (u > t)
						return u;
				}
			}
		}
		wd = (wd + 1) % 7;
		if (++d > days_in_month(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	return 0;
}

time_t
reminder_next(const struct reminder *r, time_t t)
{
	switch (r->schedule) {
	case REMINDER_ONCE:
		return r->at > t ? r->at : 0;
	case REMINDER_DAILY: {
		struct tz_civil c;
		tz_civil(r->tz, t, &c);
		for (int i = 0; i < 3; i++) {
			time_t u = tz_to_utc(r->tz, c.year, c.month, c.day + i, r->daily_min / 60,
			                     r->daily_min % 60, 0);
			if (u > t)
				return u;
		}
		return 0;
	}
	case REMINDER_CRON:
		return cron_next(&r->cron, r->tz, t);
	}
	return 0;
}

/* ---- parsing ---- */

struct ctx {
	const char *where;
	struct buf *errors;
	int problems;
};

static void
problem(struct ctx *c, const char *path, const char *msg)
{
	buf_printf(c->errors, "%s: %s: %s\n", c->where, path, msg);
	c->problems++;
}

static int
id_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 40)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		      ch == '_'))
			return 0;
	}
	return 1;
}

static int
hhmm(const char *s, int *min_r)
{
	return policy_parse_hhmm(s, min_r);
}

static void
parse_schedule(struct ctx *c, struct reminder *r, json_t *s, time_t now)
{
	const char *key;
	json_t *v;
	if (!json_is_object(s) || json_object_size(s) != 1) {
		problem(c, "schedule",
		        "expected one of {\"at\": \"YYYY-MM-DD HH:MM\"}, {\"daily\": \"HH:MM\"}, "
		        "{\"cron\": \"m h dom mon dow\"}");
		return;
	}
	json_object_foreach(s, key, v)
	{
		const char *text = json_string_value(v);
		if (text == NULL) {
			problem(c, "schedule", "the value must be a string");
			return;
		}
		if (strcmp(key, "at") == 0) {
			int y, mo, d, h, mi;
			char tail[2];
			r->schedule = REMINDER_ONCE;
			if (sscanf(text, "%4d-%2d-%2d %2d:%2d%1s", &y, &mo, &d, &h, &mi, tail) !=
			        5 ||
			    y < 2000 || y > 2100 || mo < 1 || mo > 12 || d < 1 ||
			    d > days_in_month(y, mo) || h > 23 || mi > 59 || h < 0 || mi < 0) {
				problem(c, "schedule.at",
				        "expected a local time \"YYYY-MM-DD HH:MM\"");
				return;
			}
			r->at = tz_to_utc(r->tz, y, mo, d, h, mi, 0);
			if (now != 0 && r->at <= now)
				problem(c, "schedule.at", "is in the past: it would never fire");
		} else if (strcmp(key, "daily") == 0) {
			r->schedule = REMINDER_DAILY;
			if (hhmm(text, &r->daily_min) < 0)
				problem(c, "schedule.daily",
				        "expected a local time of day \"HH:MM\"");
		} else if (strcmp(key, "cron") == 0) {
			const char *why = NULL;
			r->schedule = REMINDER_CRON;
			if (cron_parse(text, &r->cron, &why) < 0)
				problem(c, "schedule.cron", why);
			else if (now != 0 && cron_next(&r->cron, r->tz, now) == 0)
				problem(c, "schedule.cron",
				        "never fires (no such date within 5 years)");
		} else {
			problem(c, "schedule", "expected \"at\", \"daily\" or \"cron\"");
		}
	}
}

static void
parse_segment(struct ctx *c, struct reminder *r, json_t *s)
{
	const char *type = json_string_value(json_object_get(s, "type"));
	if (!json_is_object(s) || type == NULL) {
		problem(c, "segment.type",
		        "missing; expected all, tier, not_spun_today, "
		        "not_checked_in_today, points_expiring, inactive, "
		        "joined_within or no_referrals");
		return;
	}
	size_t n = sizeof(segment_names) / sizeof(segment_names[0]);
	size_t i;
	for (i = 0; i < n && strcmp(segment_names[i], type) != 0; i++)
		;
	if (i == n) {
		problem(c, "segment.type",
		        "unknown segment; expected all, tier, not_spun_today, "
		        "not_checked_in_today, points_expiring, inactive, "
		        "joined_within or no_referrals");
		return;
	}
	r->segment = (enum reminder_segment)i;
	if (r->segment == SEGMENT_TIER) {
		const char *tier = json_string_value(json_object_get(s, "tier"));
		if (tier == NULL || !id_valid(tier) || strlen(tier) >= sizeof(r->tier))
			problem(c, "segment.tier", "expected the id of a tier of the campaign");
		else
			snprintf(r->tier, sizeof(r->tier), "%s", tier);
	}
	if (r->segment == SEGMENT_POINTS_EXPIRING || r->segment == SEGMENT_INACTIVE ||
	    r->segment == SEGMENT_JOINED_WITHIN) {
		json_t *days = json_object_get(s, "days");
		if (!json_is_integer(days) || json_integer_value(days) < 1 ||
		    json_integer_value(days) > 3650)
			problem(c, "segment.days", "expected a whole number of days, 1-3650");
		else
			r->days = (long)json_integer_value(days);
	}
}

struct reminder *
reminder_parse(const char *json, size_t len, const char *where, const char *const *langs,
               unsigned nlangs, const char *default_tz, time_t now, struct buf *errors)
{
	struct ctx c = {where, errors, 0};
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	struct reminder *r = xcalloc(1, sizeof(*r));
	const char *why = NULL;

	if (root == NULL || !json_is_object(root)) {
		buf_printf(errors, "%s:%d: not a JSON object: %s\n", where, jerr.line,
		           root == NULL ? jerr.text : "expected {...}");
		json_decref(root);
		reminder_free(r);
		return NULL;
	}
	const char *known[] = {"id", "campaign", "kind", "timezone", "schedule", "segment", "text"};
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v)
	{
		size_t i;
		for (i = 0; i < sizeof(known) / sizeof(known[0]) && strcmp(known[i], key) != 0; i++)
			;
		if (i == sizeof(known) / sizeof(known[0]))
			problem(&c, key,
			        "unknown key (expected id, campaign, kind, timezone, schedule, "
			        "segment, text)");
	}
	const char *id = json_string_value(json_object_get(root, "id"));
	if (id == NULL || !id_valid(id))
		problem(&c, "id", "expected 1-40 of a-z, 0-9, '-' and '_'");
	else
		snprintf(r->id, sizeof(r->id), "%s", id);
	json_t *camp = json_object_get(root, "campaign");
	if (camp != NULL) {
		if (!json_is_string(camp) || !id_valid(json_string_value(camp)))
			problem(&c, "campaign", "expected a campaign id");
		else
			snprintf(r->campaign_id, sizeof(r->campaign_id), "%s",
			         json_string_value(camp));
	}
	r->kind = OUTBOX_PROMOTIONAL;
	json_t *kind = json_object_get(root, "kind");
	if (kind != NULL &&
	    (!json_is_string(kind) || outbox_kind_parse(json_string_value(kind), &r->kind) < 0 ||
	     r->kind == OUTBOX_REPLY))
		problem(&c, "kind", "expected \"promotional\" or \"transactional\"");
	json_t *tzj = json_object_get(root, "timezone");
	const char *zone_name = tzj != NULL ? json_string_value(tzj) : default_tz;
	if (zone_name == NULL || tz_load(zone_name, &r->tz, &why) < 0) {
		problem(&c, "timezone", why != NULL ? why : "expected an IANA zone name");
		tz_load("UTC", &r->tz, &why);
	}
	json_t *sched = json_object_get(root, "schedule");
	if (sched == NULL)
		problem(&c, "schedule", "missing");
	else
		parse_schedule(&c, r, sched, now);
	json_t *seg = json_object_get(root, "segment");
	if (seg == NULL)
		problem(&c, "segment", "missing");
	else
		parse_segment(&c, r, seg);
	json_t *text = json_object_get(root, "text");
	if (!json_is_object(text)) {
		problem(&c, "text", "expected {\"fa\": \"...\", \"en\": \"...\"}");
	} else {
		for (unsigned i = 0; i < nlangs && i < REMINDER_MAX_LANGS; i++) {
			const char *t = json_string_value(json_object_get(text, langs[i]));
			char path[16];
			snprintf(path, sizeof(path), "text.%s", langs[i]);
			if (t == NULL || t[0] == '\0' || strlen(t) > 1000) {
				problem(
				    &c, path,
				    "missing: every language needs a text (at most 1000 bytes)");
				continue;
			}
			snprintf(r->langs[r->nlangs], sizeof(r->langs[0]), "%s", langs[i]);
			r->texts[r->nlangs++] = xstrdup(t);
		}
	}
	json_decref(root);
	if (c.problems > 0) {
		reminder_free(r);
		return NULL;
	}
	return r;
}

void
reminder_free(struct reminder *r)
{
	if (r == NULL)
		return;
	for (unsigned i = 0; i < r->nlangs; i++)
		free(r->texts[i]);
	tz_free(r->tz);
	free(r);
}

void
reminder_render(const struct reminder *r, const char *lang, long long points, const char *tier,
                struct buf *out)
{
	const char *t = r->texts[0];
	for (unsigned i = 0; i < r->nlangs; i++) {
		if (strcmp(r->langs[i], lang) == 0)
			t = r->texts[i];
	}
	while (*t != '\0') {
		if (strncmp(t, "{points}", 8) == 0) {
			buf_printf(out, "%lld", points);
			t += 8;
		} else if (strncmp(t, "{tier}", 6) == 0) {
			buf_puts(out, tier);
			t += 6;
		} else {
			buf_putc(out, *t++);
		}
	}
}
