/*
 * reminder — a reminder's definition, checked, and its schedule. Campaign managers write
 * it as JSON (a file for `gamigate reminder add`, the body of POST /api/v1/reminders):
 *
 *   {"id": "spin-nudge", "campaign": "nowruz-1405",          (campaign optional)
 *    "kind": "promotional",                                  (or "transactional")
 *    "timezone": "Asia/Tehran",                              (default game.timezone)
 *    "schedule": {"at": "2026-03-20 10:00"}                  (once, local time)
 *             | {"daily": "18:30"}                           (every day, local time)
 *             | {"cron": "30 18 * * 0-4"},                   (minute hour day month weekday)
 *    "segment": {"type": "all" | "tier" + "tier" | "not_spun_today" |
 *                "not_checked_in_today" | "points_expiring" + "days" |
 *                "inactive" + "days" | "joined_within" + "days" | "no_referrals"},
 *    "text": {"fa": "...", "en": "..."}}                     ({points}, {tier} filled in)
 *
 * Every mistake is reported with its JSON path; a schedule that never fires (a cron line
 * for 30 February, a once-time in the past) is refused. Pure; any thread.
 */
#ifndef GAMIGATE_SEND_REMINDER_H
#define GAMIGATE_SEND_REMINDER_H

#include <stdint.h>
#include <time.h>

#include "core/buf.h"
#include "send/policy.h"

struct tz;

enum reminder_schedule { REMINDER_ONCE, REMINDER_DAILY, REMINDER_CRON };

enum reminder_segment {
	SEGMENT_ALL,
	SEGMENT_TIER,
	SEGMENT_NOT_SPUN_TODAY,
	SEGMENT_NOT_CHECKED_IN_TODAY,
	SEGMENT_POINTS_EXPIRING,
	SEGMENT_INACTIVE,
	SEGMENT_JOINED_WITHIN,
	SEGMENT_NO_REFERRALS,
};

/* A parsed cron line: bit sets of the allowed values. */
struct cron {
	uint64_t minutes; /* 0-59 */
	uint32_t hours;   /* 0-23 */
	uint32_t days;    /* 1-31 */
	uint16_t months;  /* 1-12 */
	uint8_t weekdays; /* 0-6, Sunday = 0 (7 is Sunday too) */
	int days_any, weekdays_any;
};

#define REMINDER_MAX_LANGS 4

struct reminder {
	char id[41];
	char campaign_id[41]; /* "" = none */
	enum outbox_kind kind;
	struct tz *tz;
	enum reminder_schedule schedule;
	time_t at;        /* ONCE: the UTC instant */
	int daily_min;    /* DAILY: minutes after local midnight */
	struct cron cron; /* CRON */
	enum reminder_segment segment;
	char tier[33];
	long days;
	char langs[REMINDER_MAX_LANGS][3];
	char *texts[REMINDER_MAX_LANGS];
	unsigned nlangs;
};

/* Parses and checks a definition. langs are the languages every reminder must have a
 * text for; default_tz names the zone when the file gives none; now is for "never fires"
 * checks (0 = skip them, when re-reading a stored definition). NULL with one line per
 * problem in errors (each starting with where, e.g. "reminder.json: segment.days: ").
 * Free with reminder_free. */
struct reminder *reminder_parse(const char *json, size_t len, const char *where,
                                const char *const *langs, unsigned nlangs, const char *default_tz,
                                time_t now, struct buf *errors);
void reminder_free(struct reminder *r);

/* The first firing strictly after t, or 0 when there is none (a once-reminder whose time
 * is past, a cron line that never matches within 5 years). */
time_t reminder_next(const struct reminder *r, time_t t);

/* Parses a 5-field cron line. 0 ok, -1 with *error_r (static text). */
int cron_parse(const char *line, struct cron *c, const char **error_r);
/* The first minute strictly after t that matches, in tz; 0 when none within 5 years. */
time_t cron_next(const struct cron *c, const struct tz *tz, time_t t);

/* The text for lang (else the first language's), with {points} and {tier} filled. */
void reminder_render(const struct reminder *r, const char *lang, long long points, const char *tier,
                     struct buf *out);

const char *reminder_segment_name(enum reminder_segment s);

#endif
