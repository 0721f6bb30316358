/*
 * test_tz — src/core/tz.c: offsets, civil time, local -> UTC and the day/week period
 * keys, in Asia/Tehran above all. glibc is the oracle: for many zones the test sets TZ
 * and compares localtime_r with tz_civil at instants from 1800 to 2200 and at every
 * transition it finds. Hand-made TZif files (truncated, corrupt, hostile, or with one
 * POSIX rule as the footer) go through a temporary TZDIR.
 *
 * Needs the system zone database (tzdata) in /usr/share/zoneinfo.
 */
#include "core/buf.h"
#include "core/tz.h"

#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers ---- */

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

static struct tz *
load(const char *name)
{
	struct tz *tz = NULL;
	const char *error = NULL;
	if (tz_load(name, &tz, &error) < 0) {
		fprintf(stderr, "  tz_load(%s): %s\n", name, error);
		return NULL;
	}
	return tz;
}

/* Unsets TZDIR so both tz.c and glibc read /usr/share/zoneinfo. */
static void
system_tzdir(void)
{
	unsetenv("TZDIR");
}

/* ---- offsets and civil time at known instants ---- */

static const struct {
	const char *zone;
	int y, mo, d, h, mi, s; /* UTC */
	long offset;
} offset_cases[] = {
    {"Asia/Tehran", 2025, 1, 15, 12, 0, 0, 12600},
    {"Asia/Tehran", 2025, 7, 1, 12, 0, 0, 12600}, /* no DST since 2022 */
    {"Asia/Tehran", 2026, 3, 21, 0, 0, 0, 12600},
    {"Asia/Tehran", 2026, 8, 1, 0, 0, 0, 12600},
    {"Asia/Tehran", 2021, 7, 1, 12, 0, 0, 16200}, /* DST still used in 2021 */
    {"Asia/Tehran", 2021, 1, 1, 12, 0, 0, 12600},
    {"Asia/Tehran", 2022, 9, 21, 19, 29, 59, 16200}, /* the last DST ... */
    {"Asia/Tehran", 2022, 9, 21, 19, 30, 0, 12600},  /* ... ends here */
    {"Asia/Tehran", 2100, 6, 1, 0, 0, 0, 12600},     /* after the table: the footer */
    {"UTC", 2026, 3, 21, 0, 0, 0, 0},
    {"UTC", 1800, 1, 1, 0, 0, 0, 0},
    {"Etc/UTC", 2026, 7, 1, 0, 0, 0, 0},
    {"Europe/London", 2025, 7, 1, 12, 0, 0, 3600},
    {"Europe/London", 2025, 1, 15, 12, 0, 0, 0},
    {"Europe/London", 2025, 3, 30, 0, 59, 59, 0},
    {"Europe/London", 2025, 3, 30, 1, 0, 0, 3600},
    {"Europe/London", 2025, 10, 26, 0, 59, 59, 3600},
    {"Europe/London", 2025, 10, 26, 1, 0, 0, 0},
    {"America/New_York", 2025, 3, 9, 6, 59, 59, -18000},  /* 01:59:59 EST */
    {"America/New_York", 2025, 3, 9, 7, 0, 0, -14400},    /* 03:00:00 EDT */
    {"America/New_York", 2025, 11, 2, 5, 59, 59, -14400}, /* 01:59:59 EDT */
    {"America/New_York", 2025, 11, 2, 6, 0, 0, -18000},   /* 01:00:00 EST */
    {"America/New_York", 2100, 7, 1, 0, 0, 0, -14400},    /* footer rules */
    {"America/New_York", 2100, 1, 1, 0, 0, 0, -18000},
    {"Australia/Sydney", 2026, 1, 1, 0, 0, 0, 39600},
    {"Australia/Sydney", 2026, 7, 1, 0, 0, 0, 36000},
    {"Asia/Kolkata", 2026, 1, 1, 0, 0, 0, 19800},
    {"Pacific/Chatham", 2026, 1, 1, 0, 0, 0, 49500},
    {"Pacific/Kiritimati", 2026, 1, 1, 0, 0, 0, 50400},
};

static void
test_offsets(void)
{
	system_tzdir();
	for (size_t i = 0; i < sizeof(offset_cases) / sizeof(offset_cases[0]); i++) {
		struct tz *tz = load(offset_cases[i].zone);
		CHECK(tz != NULL);
		if (tz == NULL)
			continue;
		time_t t = utc(offset_cases[i].y, offset_cases[i].mo, offset_cases[i].d,
		               offset_cases[i].h, offset_cases[i].mi, offset_cases[i].s);
		long off = tz_offset(tz, t);
		if (off != offset_cases[i].offset)
			fprintf(stderr, "  %s at %lld: %ld\n", offset_cases[i].zone, (long long)t,
			        off);
		CHECK(off == offset_cases[i].offset);
		CHECK_STR(tz_name(tz), offset_cases[i].zone);
		tz_free(tz);
	}
}

static void
test_civil(void)
{
	system_tzdir();
	struct tz *tz = load("Asia/Tehran");
	struct tz_civil c;
	CHECK(tz != NULL);
	if (tz == NULL)
		return;
	/* Nowruz 1405 starts at 2026-03-20T20:30:00Z, a Saturday in Tehran */
	tz_civil(tz, utc(2026, 3, 20, 20, 30, 0), &c);
	CHECK(c.year == 2026 && c.month == 3 && c.day == 21);
	CHECK(c.hour == 0 && c.minute == 0 && c.second == 0 && c.weekday == 6);
	tz_civil(tz, utc(2026, 3, 20, 20, 29, 59), &c);
	CHECK(c.year == 2026 && c.month == 3 && c.day == 20);
	CHECK(c.hour == 23 && c.minute == 59 && c.second == 59 && c.weekday == 5);
	/* 2021 summer: +4:30 */
	tz_civil(tz, utc(2021, 7, 1, 12, 0, 0), &c);
	CHECK(c.hour == 16 && c.minute == 30);
	/* before 1970 and far ahead */
	tz_civil(tz, utc(1960, 1, 1, 0, 0, 0), &c);
	CHECK(c.year == 1960 && c.hour == 3 && c.minute == 30 && c.second == 0);
	/* local mean time (+3:25:44) until 1946 */
	tz_civil(tz, utc(1900, 1, 1, 0, 0, 0), &c);
	CHECK(c.year == 1900 && c.hour == 3 && c.minute == 25 && c.second == 44);
	tz_civil(tz, utc(2200, 12, 31, 21, 0, 0), &c);
	CHECK(c.year == 2201 && c.month == 1 && c.day == 1 && c.hour == 0 && c.minute == 30);
	/* instants beyond years 1-9999 are clamped, never garbage */
	tz_civil(tz, (time_t)INT64_MAX, &c);
	CHECK(c.year == 9999);
	tz_civil(tz, (time_t)INT64_MIN, &c);
	CHECK(c.year == 1);
	char key[11];
	tz_day_key(tz, (time_t)INT64_MAX, key);
	CHECK(strlen(key) == 10 && key[0] == '9');
	tz_free(tz);
}

/* ---- period keys ---- */

static const struct {
	const char *zone;
	int y, mo, d, h, mi, s; /* UTC */
	const char *day, *week;
} key_cases[] = {
    /* across Tehran midnight: Friday 2026-03-20 ends, Saturday (Nowruz) begins a week */
    {"Asia/Tehran", 2026, 3, 20, 20, 29, 59, "2026-03-20", "2026-03-14"},
    {"Asia/Tehran", 2026, 3, 20, 20, 30, 0, "2026-03-21", "2026-03-21"},
    /* Sunday and Friday belong to the Saturday before */
    {"Asia/Tehran", 2026, 3, 21, 20, 30, 0, "2026-03-22", "2026-03-21"},
    {"Asia/Tehran", 2026, 3, 27, 8, 30, 0, "2026-03-27", "2026-03-21"},
    {"Asia/Tehran", 2026, 3, 27, 20, 29, 59, "2026-03-27", "2026-03-21"},
    {"Asia/Tehran", 2026, 3, 27, 20, 30, 0, "2026-03-28", "2026-03-28"},
    /* a week across a year end: Thursday 2026-01-01 */
    {"Asia/Tehran", 2026, 1, 1, 6, 0, 0, "2026-01-01", "2025-12-27"},
    /* the UTC date is still the 31st when Tehran's is the 1st */
    {"Asia/Tehran", 2025, 12, 31, 21, 0, 0, "2026-01-01", "2025-12-27"},
    /* summer 2021, +4:30: midnight is 19:30Z */
    {"Asia/Tehran", 2021, 7, 2, 19, 29, 59, "2021-07-02", "2021-06-26"},
    {"Asia/Tehran", 2021, 7, 2, 19, 30, 0, "2021-07-03", "2021-07-03"},
    {"UTC", 1970, 1, 1, 0, 0, 0, "1970-01-01", "1969-12-27"},
    {"UTC", 2026, 3, 21, 0, 0, 0, "2026-03-21", "2026-03-21"},
    {"UTC", 2024, 3, 1, 0, 0, 0, "2024-03-01", "2024-02-24"}, /* after Feb 29 */
    {"America/New_York", 2025, 3, 9, 4, 59, 59, "2025-03-08", "2025-03-08"},
    {"America/New_York", 2025, 3, 9, 5, 0, 0, "2025-03-09", "2025-03-08"},
    {"America/New_York", 2025, 11, 3, 4, 59, 59, "2025-11-02", "2025-11-01"},
    {"America/New_York", 2025, 11, 3, 5, 0, 0, "2025-11-03", "2025-11-01"},
};

static void
test_keys(void)
{
	system_tzdir();
	for (size_t i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
		struct tz *tz = load(key_cases[i].zone);
		char day[11], week[11];
		CHECK(tz != NULL);
		if (tz == NULL)
			continue;
		time_t t = utc(key_cases[i].y, key_cases[i].mo, key_cases[i].d, key_cases[i].h,
		               key_cases[i].mi, key_cases[i].s);
		tz_day_key(tz, t, day);
		tz_week_key(tz, t, week);
		CHECK_STR(day, key_cases[i].day);
		CHECK_STR(week, key_cases[i].week);
		tz_free(tz);
	}
}

/* Every hour of 2026 in Tehran: the week key is a Saturday at most 6 days back, and it
 * changes exactly when a Saturday begins. */
static void
test_week_key_sweep(void)
{
	system_tzdir();
	struct tz *tz = load("Asia/Tehran");
	CHECK(tz != NULL);
	if (tz == NULL)
		return;
	char prev[11] = "";
	int changes = 0, bad = 0;
	for (time_t t = utc(2026, 1, 1, 0, 0, 0); t < utc(2027, 1, 1, 0, 0, 0); t += 1800) {
		char week[11];
		struct tz_civil c;
		tz_week_key(tz, t, week);
		tz_civil(tz, t, &c);
		if (prev[0] != '\0' && strcmp(prev, week) != 0) {
			changes++;
			bad += c.weekday != 6 || c.hour != 0 || c.minute != 0;
		}
		memcpy(prev, week, sizeof(prev));
	}
	CHECK(changes == 52);
	CHECK(bad == 0);
	tz_free(tz);
}

/* ---- local -> UTC ---- */

static const struct {
	const char *zone;
	int y, mo, d, h, mi, s;       /* local */
	int uy, umo, ud, uh, umi, us; /* expected UTC */
} to_utc_cases[] = {
    {"Asia/Tehran", 2026, 3, 21, 0, 0, 0, 2026, 3, 20, 20, 30, 0},
    {"Asia/Tehran", 2025, 7, 1, 12, 0, 0, 2025, 7, 1, 8, 30, 0},
    /* 2021: 00:00-01:00 on 22 March was skipped; the day began at 01:00 (20:30Z) */
    {"Asia/Tehran", 2021, 3, 22, 0, 0, 0, 2021, 3, 21, 20, 30, 0},
    {"Asia/Tehran", 2021, 3, 22, 0, 30, 0, 2021, 3, 21, 20, 30, 0},
    {"Asia/Tehran", 2021, 3, 22, 1, 0, 0, 2021, 3, 21, 20, 30, 0},
    /* ... and 23:00-24:00 on 21 September came twice: the first is in DST */
    {"Asia/Tehran", 2021, 9, 21, 23, 30, 0, 2021, 9, 21, 19, 0, 0},
    {"Asia/Tehran", 2021, 9, 22, 0, 0, 0, 2021, 9, 21, 20, 30, 0},
    {"UTC", 2026, 3, 21, 0, 0, 0, 2026, 3, 21, 0, 0, 0},
    {"America/New_York", 2025, 3, 9, 2, 30, 0, 2025, 3, 9, 7, 0, 0}, /* gap */
    {"America/New_York", 2025, 3, 9, 3, 0, 0, 2025, 3, 9, 7, 0, 0},
    {"America/New_York", 2025, 3, 9, 1, 59, 59, 2025, 3, 9, 6, 59, 59},
    {"America/New_York", 2025, 11, 2, 1, 30, 0, 2025, 11, 2, 5, 30, 0}, /* twice */
    {"America/New_York", 2025, 11, 2, 2, 0, 0, 2025, 11, 2, 7, 0, 0},
    {"Europe/London", 2025, 3, 30, 1, 30, 0, 2025, 3, 30, 1, 0, 0},    /* gap */
    {"Europe/London", 2025, 10, 26, 1, 30, 0, 2025, 10, 26, 0, 30, 0}, /* twice */
    /* out-of-range fields are normalised as mktime does */
    {"UTC", 2025, 14, 1, 0, 0, 0, 2026, 2, 1, 0, 0, 0},
    {"UTC", 2026, 3, 0, 24, 0, 0, 2026, 3, 1, 0, 0, 0},
    {"UTC", 2026, 0, 1, 0, 0, -1, 2025, 11, 30, 23, 59, 59},
};

static void
test_to_utc(void)
{
	system_tzdir();
	for (size_t i = 0; i < sizeof(to_utc_cases) / sizeof(to_utc_cases[0]); i++) {
		struct tz *tz = load(to_utc_cases[i].zone);
		CHECK(tz != NULL);
		if (tz == NULL)
			continue;
		time_t got = tz_to_utc(tz, to_utc_cases[i].y, to_utc_cases[i].mo, to_utc_cases[i].d,
		                       to_utc_cases[i].h, to_utc_cases[i].mi, to_utc_cases[i].s);
		time_t want = utc(to_utc_cases[i].uy, to_utc_cases[i].umo, to_utc_cases[i].ud,
		                  to_utc_cases[i].uh, to_utc_cases[i].umi, to_utc_cases[i].us);
		if (got != want)
			fprintf(stderr, "  case %zu (%s): got %lld, want %lld\n", i,
			        to_utc_cases[i].zone, (long long)got, (long long)want);
		CHECK(got == want);
		tz_free(tz);
	}
}

/* ---- glibc as the oracle ---- */

static const char *const oracle_zones[] = {
    "Asia/Tehran",
    "UTC",
    "Europe/London",
    "America/New_York",
    "Europe/Dublin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
    "America/Santiago",
    "Pacific/Apia",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Asia/Kolkata",
    "Africa/Casablanca",
    "Asia/Jerusalem",
    "America/Nuuk",
    "Antarctica/Troll",
    "America/St_Johns",
    "Europe/Moscow",
    "Africa/Cairo",
    "Asia/Gaza",
    "America/Havana",
    "Pacific/Norfolk",
    "Asia/Kathmandu",
    "Etc/GMT+5",
    "Etc/GMT-14",
    "EST5EDT",
    "Europe/Berlin",
    "Asia/Dubai",
    "America/Los_Angeles",
};

struct oracle_stats {
	long instants, transitions, mismatches;
};

static void
oracle_compare(const struct tz *tz, const char *zone, time_t t, struct oracle_stats *st)
{
	struct tm tm;
	struct tz_civil c;
	st->instants++;
	if (localtime_r(&t, &tm) == NULL)
		return;
	tz_civil(tz, t, &c);
	long off = tz_offset(tz, t);
	if (off != tm.tm_gmtoff || c.year != tm.tm_year + 1900 || c.month != tm.tm_mon + 1 ||
	    c.day != tm.tm_mday || c.hour != tm.tm_hour || c.minute != tm.tm_min ||
	    c.second != tm.tm_sec || c.weekday != tm.tm_wday) {
		if (st->mismatches++ < 10)
			fprintf(stderr,
			        "  %s at %lld: tz %ld %04d-%02d-%02d %02d:%02d:%02d, "
			        "glibc %ld %04d-%02d-%02d %02d:%02d:%02d\n",
			        zone, (long long)t, off, c.year, c.month, c.day, c.hour, c.minute,
			        c.second, (long)tm.tm_gmtoff, tm.tm_year + 1900, tm.tm_mon + 1,
			        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	}
}

static long
glibc_offset(time_t t)
{
	struct tm tm;
	return localtime_r(&t, &tm) != NULL ? tm.tm_gmtoff : 0;
}

/* Compares one zone from 1800 to 2200 every 5 days and 17 minutes; where glibc's
 * offset changes between two samples, finds the transition to the second and
 * compares the seconds around it, and checks tz_to_utc there too. */
static void
oracle_zone(const char *zone, struct oracle_stats *st)
{
	struct tz *tz = load(zone);
	CHECK(tz != NULL);
	if (tz == NULL)
		return;
	setenv("TZ", zone, 1);
	tzset();
	const time_t step = 5 * 86400 + 17 * 60;
	time_t prev = utc(1800, 1, 1, 0, 0, 0);
	long prev_off = glibc_offset(prev);
	for (time_t t = prev + step; t < utc(2200, 1, 1, 0, 0, 0); t += step) {
		oracle_compare(tz, zone, t, st);
		long off = glibc_offset(t);
		if (off != prev_off) {
			time_t lo = prev, hi = t; /* offset(lo) != offset(hi) */
			while (hi - lo > 1) {
				time_t mid = lo + (hi - lo) / 2;
				if (glibc_offset(mid) == prev_off)
					lo = mid;
				else
					hi = mid;
			}
			st->transitions++;
			for (time_t u = hi - 2; u <= hi + 1; u++)
				oracle_compare(tz, zone, u, st);
		}
		prev = t;
		prev_off = off;
	}
	tz_free(tz);
}

static void
test_oracle_glibc(void)
{
	struct oracle_stats st = {0};
	system_tzdir();
	for (size_t i = 0; i < sizeof(oracle_zones) / sizeof(oracle_zones[0]); i++)
		oracle_zone(oracle_zones[i], &st);
	unsetenv("TZ");
	tzset();
	printf("     glibc oracle: %zu zones, %ld instants, %ld transitions, %ld mismatches\n",
	       sizeof(oracle_zones) / sizeof(oracle_zones[0]), st.instants, st.transitions,
	       st.mismatches);
	CHECK(st.mismatches == 0);
	CHECK(st.transitions > 2000);
}

/* tz_to_utc(tz_civil(t)) is t, or the first of two instants with the same local time;
 * checked every 7 hours and 3 minutes from 1900 to 2100 in zones with DST. */
static void
test_to_utc_round_trip(void)
{
	static const char *const zones[] = {"Asia/Tehran", "America/New_York", "Europe/Dublin",
	                                    "Australia/Lord_Howe", "America/Nuuk"};
	long checked = 0, earlier = 0, bad = 0;
	system_tzdir();
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		struct tz *tz = load(zones[i]);
		CHECK(tz != NULL);
		if (tz == NULL)
			continue;
		for (time_t t = utc(1900, 1, 1, 0, 0, 0); t < utc(2100, 1, 1, 0, 0, 0);
		     t += 7 * 3600 + 180) {
			struct tz_civil c, c2;
			tz_civil(tz, t, &c);
			time_t u =
			    tz_to_utc(tz, c.year, c.month, c.day, c.hour, c.minute, c.second);
			tz_civil(tz, u, &c2);
			checked++;
			if (u != t)
				earlier++;
			if (u > t || t - u > 3 * 3600 || memcmp(&c, &c2, sizeof(c)) != 0) {
				if (bad++ < 5)
					fprintf(stderr, "  %s at %lld: %lld\n", zones[i],
					        (long long)t, (long long)u);
			}
		}
		tz_free(tz);
	}
	CHECK(checked > 1000000);
	CHECK(earlier > 0);
	CHECK(bad == 0);
}

/* ---- names ---- */

static const char *const bad_names[] = {
    "../etc/passwd",
    "Mars/Olympus",
    "",
    "/etc/localtime",
    "Asia/../../etc/passwd",
    "Asia/./Tehran",
    "Asia//Tehran",
    "Asia/Tehran/",
    "Asia",
    "Asia/Tehran\n",
    "Asia Tehran",
    "right/../UTC",
    "utc",
    "Asia/Tehran;rm",
};

static void
test_bad_names(void)
{
	system_tzdir();
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		struct tz *tz = NULL;
		const char *error = NULL;
		CHECK(tz_load(bad_names[i], &tz, &error) == -1);
		CHECK(error != NULL && *error != '\0');
	}
	char longname[400];
	memset(longname, 'A', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	struct tz *tz = NULL;
	const char *error = NULL;
	CHECK(tz_load(longname, &tz, &error) == -1);
	CHECK(tz_load(NULL, &tz, &error) == -1);
	CHECK_STR(error, "invalid time zone name");
	CHECK(tz_load("Mars/Olympus", &tz, &error) == -1);
	CHECK_STR(error, "unknown time zone");
}

/* ---- hand-made files in a temporary TZDIR ---- */

static char tzdir[64];

static void
write_file(const char *name, const void *data, size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tzdir, name);
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK(fwrite(data, 1, len, f) == len);
	fclose(f);
}

static void
remove_file(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tzdir, name);
	unlink(path);
}

static void
put32(struct buf *b, uint32_t v)
{
	unsigned char p[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
	                      (unsigned char)(v >> 8), (unsigned char)v};
	buf_append(b, p, 4);
}

static void
put64(struct buf *b, int64_t v)
{
	put32(b, (uint32_t)((uint64_t)v >> 32));
	put32(b, (uint32_t)v);
}

/* Header with counts isut, isstd, leap, time, type, char. */
static void
put_header(struct buf *b, char version, const uint32_t counts[6])
{
	buf_append(b, "TZif", 4);
	buf_putc(b, version);
	buf_append(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15);
	for (int i = 0; i < 6; i++)
		put32(b, counts[i]);
}

struct zone_spec {
	size_t ntrans;
	const int64_t *times;
	const uint8_t *types;
	size_t ntypes;
	const int32_t *offsets;
	const uint8_t *isdst;
};

/* One data block: transitions, types (abbreviation "ZZZ" for all), no leap seconds. */
static void
put_block(struct buf *b, const struct zone_spec *z, int time_size)
{
	for (size_t i = 0; i < z->ntrans; i++) {
		if (time_size == 8)
			put64(b, z->times[i]);
		else
			put32(b, (uint32_t)(int32_t)z->times[i]);
	}
	buf_append(b, z->types, z->ntrans);
	for (size_t i = 0; i < z->ntypes; i++) {
		put32(b, (uint32_t)z->offsets[i]);
		buf_putc(b, (char)z->isdst[i]);
		buf_putc(b, 0);
	}
	buf_append(b, "ZZZ", 4);
}

/* A version 1 file, or a version 2 file with the same data twice and a footer. */
static void
make_tzif(struct buf *b, char version, const struct zone_spec *z, const char *footer)
{
	uint32_t counts[6] = {0, 0, 0, (uint32_t)z->ntrans, (uint32_t)z->ntypes, 4};
	put_header(b, version, counts);
	put_block(b, z, 4);
	if (version == '\0')
		return;
	put_header(b, version, counts);
	put_block(b, z, 8);
	buf_putc(b, '\n');
	buf_puts(b, footer);
	buf_putc(b, '\n');
}

static int
setup_tzdir(void)
{
	snprintf(tzdir, sizeof(tzdir), "/tmp/gamigate-tz-XXXXXX");
	if (mkdtemp(tzdir) == NULL)
		return -1;
	setenv("TZDIR", tzdir, 1);
	return 0;
}

static void
test_utc_without_database(void)
{
	CHECK(setup_tzdir() == 0);
	struct tz *tz = load("UTC");
	CHECK(tz != NULL);
	if (tz != NULL) {
		CHECK(tz_offset(tz, utc(2026, 3, 21, 0, 0, 0)) == 0);
		CHECK(tz_to_utc(tz, 2026, 3, 21, 0, 0, 0) == utc(2026, 3, 21, 0, 0, 0));
		tz_free(tz);
	}
	struct tz *missing = NULL;
	const char *error = NULL;
	CHECK(tz_load("Asia/Tehran", &missing, &error) == -1);
	CHECK_STR(error, "unknown time zone");
	rmdir(tzdir);
}

/* A version 1 file is read from its 32-bit block. */
static void
test_version1_file(void)
{
	static const int64_t times[] = {0, 1000000};
	static const uint8_t types[] = {1, 0};
	static const int32_t offsets[] = {3600, 7200};
	static const uint8_t isdst[] = {0, 1};
	const struct zone_spec z = {2, times, types, 2, offsets, isdst};
	struct buf b = BUF_INIT;
	CHECK(setup_tzdir() == 0);
	make_tzif(&b, '\0', &z, NULL);
	write_file("V1", b.data, b.len);
	struct tz *tz = load("V1");
	CHECK(tz != NULL);
	if (tz != NULL) {
		CHECK(tz_offset(tz, -1) == 3600);
		CHECK(tz_offset(tz, 0) == 7200);
		CHECK(tz_offset(tz, 999999) == 7200);
		CHECK(tz_offset(tz, 1000000) == 3600);
		CHECK(tz_offset(tz, 2000000000) == 3600);
		tz_free(tz);
	}
	remove_file("V1");
	rmdir(tzdir);
	buf_free(&b);
}

/* POSIX TZ strings as footers of files without transitions, compared with glibc
 * reading the same string from TZ. */
static const char *const footer_rules[] = {
    "<+0330>-3:30",
    "EST5EDT,M3.2.0,M11.1.0",
    "CET-1CEST,M3.5.0,M10.5.0/3",
    "AEST-10AEDT,M10.1.0,M4.1.0/3",
    "IST-1GMT0,M10.5.0,M3.5.0/1",
    "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
    "IST-2IDT,M3.4.4/26,M10.5.0",
    "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
    "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
    "XXX3YYY,J60/2,J300/2",
    "XXX3YYY,59/2,300",
    "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",
    "NZST-12NZDT,M9.5.0,M4.1.0/3",
    "<+00>0<+02>-2,M3.5.0/1,M10.5.0/3",
    "HST10",
    "<-0930>9:30",
};

static void
test_footer_rules(void)
{
	static const int64_t no_times[1] = {0};
	static const uint8_t no_types[1] = {0};
	static const int32_t offsets[] = {0};
	static const uint8_t isdst[] = {0};
	const struct zone_spec z = {0, no_times, no_types, 1, offsets, isdst};
	long compared = 0, mismatches = 0;
	CHECK(setup_tzdir() == 0);
	for (size_t i = 0; i < sizeof(footer_rules) / sizeof(footer_rules[0]); i++) {
		struct buf b = BUF_INIT;
		make_tzif(&b, '3', &z, footer_rules[i]);
		write_file("Rule", b.data, b.len);
		buf_free(&b);
		struct tz *tz = load("Rule");
		CHECK(tz != NULL);
		if (tz == NULL)
			continue;
		setenv("TZ", footer_rules[i], 1);
		tzset();
		for (time_t t = utc(1971, 1, 1, 0, 0, 0); t < utc(2101, 1, 1, 0, 0, 0);
		     t += 86400 + 3607) {
			long off = tz_offset(tz, t);
			compared++;
			if (off != glibc_offset(t) && mismatches++ < 10)
				fprintf(stderr, "  %s at %lld: %ld, glibc %ld\n", footer_rules[i],
				        (long long)t, off, glibc_offset(t));
			/* the seconds around each change too */
			time_t lo = t - 86400 - 3607, hi = t;
			if (tz_offset(tz, lo) != off) {
				while (hi - lo > 1) {
					time_t mid = lo + (hi - lo) / 2;
					if (tz_offset(tz, mid) == off)
						hi = mid;
					else
						lo = mid;
				}
				for (time_t u = hi - 2; u <= hi + 1; u++)
					if (tz_offset(tz, u) != glibc_offset(u) &&
					    mismatches++ < 10)
						fprintf(stderr, "  %s at %lld: %ld, glibc %ld\n",
						        footer_rules[i], (long long)u,
						        tz_offset(tz, u), glibc_offset(u));
			}
		}
		tz_free(tz);
	}
	unsetenv("TZ");
	tzset();
	remove_file("Rule");
	rmdir(tzdir);
	printf("     footer rules: %zu rules, %ld instants\n",
	       sizeof(footer_rules) / sizeof(footer_rules[0]), compared);
	CHECK(mismatches == 0);
}

/* "EST5EDT,0/0,J365/25" is DST all year (RFC 8536 3.3.1): DST ends at the very instant
 * it starts again. glibc is no oracle here: it computes the changes for the UTC year,
 * so it gives EST for the first hours of each UTC year. */
static void
test_footer_dst_all_year(void)
{
	static const int64_t no_times[1] = {0};
	static const uint8_t no_types[1] = {0};
	static const int32_t offsets[] = {-14400};
	static const uint8_t isdst[] = {1};
	const struct zone_spec z = {0, no_times, no_types, 1, offsets, isdst};
	struct buf b = BUF_INIT;
	CHECK(setup_tzdir() == 0);
	make_tzif(&b, '3', &z, "EST5EDT,0/0,J365/25");
	write_file("AllYear", b.data, b.len);
	buf_free(&b);
	struct tz *tz = load("AllYear");
	CHECK(tz != NULL);
	if (tz != NULL) {
		int bad = 0;
		for (time_t t = utc(2020, 1, 1, 0, 0, 0); t < utc(2031, 1, 1, 0, 0, 0); t += 1799)
			bad += tz_offset(tz, t) != -14400;
		for (int y = 2020; y <= 2030; y++)
			for (time_t t = utc(y, 1, 1, 4, 59, 58); t <= utc(y, 1, 1, 5, 0, 1); t++)
				bad += tz_offset(tz, t) != -14400;
		CHECK(bad == 0);
		CHECK(tz_to_utc(tz, 2026, 1, 1, 0, 0, 0) == utc(2026, 1, 1, 4, 0, 0));
		tz_free(tz);
	}
	remove_file("AllYear");
	rmdir(tzdir);
}

static const char *const bad_footers[] = {
    "", /* placeholder: an empty footer is valid, see below */
    "X0",
    "EST",
    "EST5EDT,M3.2.0",
    "EST5EDT,M13.2.0,M11.1.0",
    "EST5EDT,M3.6.0,M11.1.0",
    "EST5EDT,M3.2.7,M11.1.0",
    "EST5EDT,J0,J365",
    "EST5EDT,366,1",
    "EST25",
    "EST5EDT,M3.2.0/168,M11.1.0",
    "<+0330-3:30",
    "EST5EDT,M3.2.0,M11.1.0x",
    "EST5:60",
    "EST5EDT4:00:60,M3.2.0,M11.1.0",
};

/* Corrupt and hostile files: every one is refused with -1, none crashes. */
static void
test_corrupt_files(void)
{
	CHECK(setup_tzdir() == 0);
	struct tz *tz = NULL;
	const char *error = NULL;

	/* the real Asia/Tehran cut short at every length */
	FILE *f = fopen("/usr/share/zoneinfo/Asia/Tehran", "rb");
	CHECK(f != NULL);
	unsigned char tehran[8192];
	size_t len = f != NULL ? fread(tehran, 1, sizeof(tehran), f) : 0;
	if (f != NULL)
		fclose(f);
	CHECK(len > 100 && len < sizeof(tehran));
	int accepted = 0;
	for (size_t n = 0; n < len; n++) {
		write_file("Cut", tehran, n);
		if (tz_load("Cut", &tz, &error) == 0) {
			accepted++;
			tz_free(tz);
		}
	}
	CHECK(accepted == 0);
	write_file("Cut", tehran, len);
	CHECK(tz_load("Cut", &tz, &error) == 0);
	if (tz != NULL) {
		CHECK(tz_offset(tz, utc(2026, 3, 21, 0, 0, 0)) == 12600);
		tz_free(tz);
	}

	/* random byte changes: loaded or refused, and when loaded every lookup works */
	unsigned seed = 12345;
	int loaded = 0;
	for (int round = 0; round < 3000; round++) {
		unsigned char copy[8192];
		memcpy(copy, tehran, len);
		int flips = 1 + round % 4;
		for (int k = 0; k < flips; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % len;
			seed = seed * 1103515245u + 12345u;
			copy[at] = (unsigned char)(seed >> 16);
		}
		write_file("Flip", copy, len);
		if (tz_load("Flip", &tz, &error) == 0) {
			loaded++;
			for (time_t t = -4000000000LL; t < 6000000000LL; t += 99999937) {
				long off = tz_offset(tz, t);
				struct tz_civil c;
				char key[11];
				CHECK(off > -26 * 3600 && off < 26 * 3600);
				tz_civil(tz, t, &c);
				tz_week_key(tz, t, key);
				time_t u = tz_to_utc(tz, c.year, c.month, c.day, c.hour, c.minute,
				                     c.second);
				CHECK(u <= t);
			}
			tz_free(tz);
		} else {
			CHECK(error != NULL);
		}
	}
	CHECK(loaded > 0);

	/* hostile headers */
	static const uint32_t hostile[][6] = {
	    {0, 0, 0, 0xFFFFFFFFu, 1, 4}, /* huge transition count */
	    {0, 0, 0, 0, 0xFFFFFFFFu, 4}, /* huge type count */
	    {0, 0, 0, 0, 1, 0xFFFFFFFFu}, /* huge abbreviation count */
	    {0, 0, 0, 0, 0, 4},           /* no types */
	    {0, 0, 0, 0, 1, 0},           /* no abbreviations */
	    {0, 0, 1, 0, 1, 4},           /* leap seconds */
	    {0, 3, 0, 0, 1, 4},           /* isstd count != type count */
	    {0, 0, 0, 2000, 1, 4},        /* more than the file holds */
	};
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		struct buf b = BUF_INIT;
		put_header(&b, '\0', hostile[i]);
		for (int k = 0; k < 64; k++)
			put32(&b, 0);
		write_file("Hostile", b.data, b.len);
		CHECK(tz_load("Hostile", &tz, &error) == -1);
		buf_free(&b);
	}

	/* bad data inside well-formed counts */
	static const int64_t times[] = {100, 50};
	static const uint8_t types[] = {0, 0};
	static const uint8_t bad_index[] = {0, 7};
	static const int32_t offsets[] = {0};
	static const int32_t huge_offset[] = {200000};
	static const int32_t min_offset[] = {INT32_MIN};
	static const uint8_t isdst[] = {0};
	static const uint8_t isdst_bad[] = {2};
	static const int64_t ok_times[] = {50, 100};
	const struct zone_spec bad_specs[] = {
	    {2, times, types, 1, offsets, isdst},        /* times not increasing */
	    {2, ok_times, bad_index, 1, offsets, isdst}, /* type index out of range */
	    {2, ok_times, types, 1, huge_offset, isdst}, /* offset beyond 26 h */
	    {2, ok_times, types, 1, min_offset, isdst},  /* INT32_MIN */
	    {2, ok_times, types, 1, offsets, isdst_bad}, /* isdst not 0/1 */
	};
	for (size_t i = 0; i < sizeof(bad_specs) / sizeof(bad_specs[0]); i++) {
		struct buf b = BUF_INIT;
		make_tzif(&b, '2', &bad_specs[i], "UTC0");
		write_file("Bad", b.data, b.len);
		CHECK(tz_load("Bad", &tz, &error) == -1);
		buf_free(&b);
	}

	/* footers */
	const struct zone_spec plain = {2, ok_times, types, 1, offsets, isdst};
	for (size_t i = 0; i < sizeof(bad_footers) / sizeof(bad_footers[0]); i++) {
		struct buf b = BUF_INIT;
		make_tzif(&b, '2', &plain, bad_footers[i]);
		write_file("Footer", b.data, b.len);
		int ret = tz_load("Footer", &tz, &error);
		if (i == 0) {
			CHECK(ret == 0); /* empty footer: the last type goes on */
			if (ret == 0) {
				CHECK(tz_offset(tz, 4000000000LL) == 0);
				tz_free(tz);
			}
		} else {
			if (ret == 0) {
				fprintf(stderr, "  footer accepted: %s\n", bad_footers[i]);
				tz_free(tz);
			}
			CHECK(ret == -1);
		}
		buf_free(&b);
	}
	struct buf b = BUF_INIT;
	make_tzif(&b, '2', &plain, "UTC0");
	b.len--; /* no newline after the footer */
	write_file("Footer", b.data, b.len);
	CHECK(tz_load("Footer", &tz, &error) == -1);
	buf_reset(&b);
	/* too large */
	make_tzif(&b, '2', &plain, "UTC0");
	for (int k = 0; k < 300 * 1024; k++)
		buf_putc(&b, '\n');
	write_file("Large", b.data, b.len);
	CHECK(tz_load("Large", &tz, &error) == -1);
	CHECK_STR(error, "time zone file is too large");
	buf_reset(&b);
	/* not TZif at all, and a directory */
	write_file("Text", "Asia/Tehran\n", 12);
	CHECK(tz_load("Text", &tz, &error) == -1);
	CHECK_STR(error, "corrupt time zone file");
	CHECK(tz_load("Nothing", &tz, &error) == -1);
	buf_free(&b);

	remove_file("Cut");
	remove_file("Flip");
	remove_file("Hostile");
	remove_file("Bad");
	remove_file("Footer");
	remove_file("Large");
	remove_file("Text");
	rmdir(tzdir);
	system_tzdir();
	CHECK(tz_load("Asia", &tz, &error) == -1); /* a directory */
}

int
main(void)
{
	RUN(test_offsets);
	RUN(test_civil);
	RUN(test_keys);
	RUN(test_week_key_sweep);
	RUN(test_to_utc);
	RUN(test_oracle_glibc);
	RUN(test_to_utc_round_trip);
	RUN(test_bad_names);
	RUN(test_utc_without_database);
	RUN(test_version1_file);
	RUN(test_footer_rules);
	RUN(test_footer_dst_all_year);
	RUN(test_corrupt_files);
	return check_summary();
}
