/*
 * tz — IANA time zones read from the system's zone database (/usr/share/zoneinfo, TZif
 * files), without touching the process-wide TZ: a campaign's day, week and quiet hours
 * are computed in its own zone on any thread. Also the period keys the game counts
 * missions by.
 *
 * A struct tz is immutable after tz_load; any thread may use it.
 */
#ifndef GAMIGATE_CORE_TZ_H
#define GAMIGATE_CORE_TZ_H

#include <time.h>

struct tz;

/* Loads a zone by IANA name ("Asia/Tehran", "UTC") from $TZDIR or /usr/share/zoneinfo;
 * "UTC" is built in. Names are letters, digits, '_', '-', '+' and '/' between parts.
 * 0 ok; -1 with *error_r (static text) for a bad name or an unknown, unreadable or
 * corrupt zone file. The caller frees the zone with tz_free. */
int tz_load(const char *name, struct tz **tz_r, const char **error_r);
void tz_free(struct tz *tz);
const char *tz_name(const struct tz *tz);

/* Seconds east of UTC in force at the UTC instant t. Instants outside the years
 * 1-9999 are clamped to them, here and below. */
long tz_offset(const struct tz *tz, time_t t);

/* Local civil time at t: fills year (Gregorian), month 1-12, day 1-31, hour, minute,
 * second and weekday (0 = Sunday .. 6 = Saturday). */
struct tz_civil {
	int year, month, day, hour, minute, second, weekday;
};
void tz_civil(const struct tz *tz, time_t t, struct tz_civil *c_r);

/* The UTC instant of a local civil time (first occurrence when ambiguous; for a time
 * skipped by a DST jump, the instant of the jump: 02:30 on a day that goes from 02:00
 * to 03:00 gives 03:00). Fields out of range are normalised as by mktime. */
time_t tz_to_utc(const struct tz *tz, int year, int month, int day, int hour, int minute,
                 int second);

/* Period keys: "2026-03-21" for the local day of t; the local date of the Saturday that
 * starts t's week (weeks run Saturday to Friday, as in Iran). out holds 11 bytes. */
void tz_day_key(const struct tz *tz, time_t t, char out[11]);
void tz_week_key(const struct tz *tz, time_t t, char out[11]);

#endif
