/*
 * test_jalali — src/core/jalali.c: Jalali <-> Gregorian conversion (known dates, leap
 * years, every day of 1390-1420 both ways) and date_parse (Persian and Arabic-Indic
 * digits, exact widths, one clear error per kind of mistake).
 */
#include "core/jalali.h"

#include "check.h"

#include <stdint.h>

/* Dates from the official calendar (Nowruz, Yalda, leap days, Bahman 22 ...). */
static const struct {
	int jy, jm, jd;
	int gy, gm, gd;
} known_dates[] = {
    {1405, 1, 1, 2026, 3, 21},   /* Nowruz 1405 */
    {1404, 1, 1, 2025, 3, 21},   /* Nowruz 1404 */
    {1403, 1, 1, 2024, 3, 20},   /* Nowruz 1403 */
    {1399, 1, 1, 2020, 3, 20},   /* Nowruz 1399 */
    {1400, 1, 1, 2021, 3, 21},   /* Nowruz 1400 */
    {1403, 12, 30, 2025, 3, 20}, /* leap day of 1403 */
    {1399, 12, 30, 2021, 3, 20}, /* leap day of 1399 */
    {1408, 12, 30, 2030, 3, 20}, /* leap day of 1408 */
    {1404, 12, 29, 2026, 3, 20}, /* last day of common 1404 */
    {1404, 9, 30, 2025, 12, 21}, /* Yalda night */
    {1404, 10, 11, 2026, 1, 1},
    {1379, 10, 11, 2000, 12, 31}, /* after a Gregorian leap day */
    {1357, 11, 22, 1979, 2, 11},
    {1354, 1, 1, 1975, 3, 21},
    {1300, 1, 1, 1921, 3, 21},
    {1375, 12, 30, 1997, 3, 20},
    {1387, 1, 1, 2008, 3, 20},
    {1402, 6, 31, 2023, 9, 22}, /* last 31-day month ends */
    {1402, 7, 1, 2023, 9, 23},
    {1404, 6, 31, 2025, 9, 22},
    {1404, 7, 1, 2025, 9, 23},
    {1420, 12, 30, 2042, 3, 20},
    {1200, 1, 1, 1821, 3, 21},
    {1210, 1, 1, 1831, 3, 21}, /* a break year of the 33-year cycles */
    {1635, 1, 1, 2256, 3, 20}, /* the next one */
    {1600, 12, 29, 2222, 3, 20},
    {1, 1, 1, 622, 3, 22},
    /* around the break years, where the cycle arithmetic has its special cases */
    {5, 1, 1, 626, 3, 22},
    {752, 1, 1, 1373, 3, 21},
    {1176, 12, 30, 1798, 3, 20},
    {1177, 1, 1, 1798, 3, 21},
    {1177, 12, 29, 1799, 3, 20},
    {1178, 1, 1, 1799, 3, 21},
    {1206, 1, 1, 1827, 3, 22},
    {1209, 12, 29, 1831, 3, 20},
    {1634, 12, 29, 2256, 3, 19},
    {2093, 1, 1, 2714, 3, 22},
    {2094, 12, 29, 2716, 3, 20},
    {3000, 12, 30, 3622, 3, 20},
    {3177, 1, 1, 3798, 3, 20},
};

static void
test_known_dates(void)
{
	for (size_t i = 0; i < sizeof(known_dates) / sizeof(known_dates[0]); i++) {
		int y = 0, m = 0, d = 0;
		CHECK(jalali_to_gregorian(known_dates[i].jy, known_dates[i].jm, known_dates[i].jd,
		                          &y, &m, &d) == 0);
		if (y != known_dates[i].gy || m != known_dates[i].gm || d != known_dates[i].gd)
			fprintf(stderr, "  %d-%02d-%02d -> %d-%02d-%02d\n", known_dates[i].jy,
			        known_dates[i].jm, known_dates[i].jd, y, m, d);
		CHECK(y == known_dates[i].gy && m == known_dates[i].gm && d == known_dates[i].gd);
		if (known_dates[i].gy < 623)
			continue; /* before the range gregorian_to_jalali accepts */
		CHECK(gregorian_to_jalali(known_dates[i].gy, known_dates[i].gm, known_dates[i].gd,
		                          &y, &m, &d) == 0);
		CHECK(y == known_dates[i].jy && m == known_dates[i].jm && d == known_dates[i].jd);
	}
}

static const struct {
	int jy;
	int leap;
} leap_years[] = {
    {1370, 1}, {1375, 1}, {1387, 1}, {1391, 1}, {1395, 1}, {1399, 1}, {1403, 1},
    {1408, 1}, {1412, 1}, {1416, 1}, {1420, 1}, {1424, 1}, {1400, 0}, {1401, 0},
    {1402, 0}, {1404, 0}, {1405, 0}, {1406, 0}, {1407, 0}, {0, 0},    {3178, 0},
};

static void
test_leap_years(void)
{
	for (size_t i = 0; i < sizeof(leap_years) / sizeof(leap_years[0]); i++) {
		if (jalali_is_leap(leap_years[i].jy) != leap_years[i].leap)
			fprintf(stderr, "  year %d\n", leap_years[i].jy);
		CHECK(jalali_is_leap(leap_years[i].jy) == leap_years[i].leap);
	}
	/* Between the break years 1210 and 1635 the calendar follows the plain 33-year
	 * rule; outside that stretch the two are known to part. */
	int differ = 0;
	for (int jy = 1210; jy < 1634; jy++)
		differ += jalali_is_leap(jy) != ((25 * jy + 11) % 33 < 8);
	CHECK(differ == 0);
}

static const struct {
	int y, m, d;
} bad_jalali[] = {
    {1404, 12, 30}, /* 1404 is not leap */
    {1405, 12, 30}, {1403, 12, 31}, {1403, 7, 31}, {1403, 11, 31}, {1403, 6, 32}, {1403, 0, 1},
    {1403, 13, 1},  {1403, 1, 0},   {1403, 1, -1}, {0, 1, 1},      {3178, 1, 1},  {-5, 1, 1},
};

static const struct {
	int y, m, d;
} bad_gregorian[] = {
    {2025, 2, 29}, {1900, 2, 29}, {2025, 4, 31}, {2025, 13, 1}, {2025, 0, 1},
    {2025, 1, 0},  {2025, 1, 32}, {100, 1, 1},   {9999, 1, 1},  {621, 3, 21},
};

static void
test_impossible_dates(void)
{
	int y, m, d;
	for (size_t i = 0; i < sizeof(bad_jalali) / sizeof(bad_jalali[0]); i++)
		CHECK(jalali_to_gregorian(bad_jalali[i].y, bad_jalali[i].m, bad_jalali[i].d, &y, &m,
		                          &d) == -1);
	for (size_t i = 0; i < sizeof(bad_gregorian) / sizeof(bad_gregorian[0]); i++)
		CHECK(gregorian_to_jalali(bad_gregorian[i].y, bad_gregorian[i].m,
		                          bad_gregorian[i].d, &y, &m, &d) == -1);
	/* 2000 is a Gregorian leap year, 1900 and 2100 are not. */
	CHECK(gregorian_to_jalali(2000, 2, 29, &y, &m, &d) == 0);
	CHECK(y == 1378 && m == 12 && d == 10);
	CHECK(gregorian_to_jalali(2100, 2, 29, &y, &m, &d) == -1);
}

/* The day after a Gregorian date, computed the long way (independent of jalali.c). */
static void
next_gregorian_day(int *y, int *m, int *d)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
	int len = *m == 2 && leap ? 29 : days[*m - 1];
	if (++*d > len) {
		*d = 1;
		if (++*m > 12) {
			*m = 1;
			++*y;
		}
	}
}

/* Every day of 1390-1420: Jalali -> Gregorian -> Jalali is the identity, and the
 * Gregorian dates follow each other day by day with no gap or repeat. */
static void
test_round_trip_every_day(void)
{
	int gy = 2011, gm = 3, gd = 21; /* 1390-01-01 */
	int days = 0, failures = 0;
	for (int jy = 1390; jy <= 1420; jy++) {
		int leap = jalali_is_leap(jy), year_days = 0;
		for (int jm = 1; jm <= 12; jm++) {
			int len = jm <= 6 ? 31 : jm <= 11 ? 30 : leap ? 30 : 29;
			int y, m, d, y2, m2, d2;
			for (int jd = 1; jd <= len; jd++) {
				days++;
				year_days++;
				if (jalali_to_gregorian(jy, jm, jd, &y, &m, &d) < 0 ||
				    gregorian_to_jalali(y, m, d, &y2, &m2, &d2) < 0 || y != gy ||
				    m != gm || d != gd || y2 != jy || m2 != jm || d2 != jd) {
					if (failures++ < 5)
						fprintf(stderr, "  %d-%02d-%02d\n", jy, jm, jd);
				}
				next_gregorian_day(&gy, &gm, &gd);
			}
			CHECK(jalali_to_gregorian(jy, jm, len + 1, &y, &m, &d) == -1);
		}
		CHECK(year_days == (leap ? 366 : 365));
	}
	CHECK(failures == 0);
	CHECK(days > 11000);
	/* 1421-01-01 follows 1420-12-30 */
	int y, m, d;
	CHECK(jalali_to_gregorian(1421, 1, 1, &y, &m, &d) == 0);
	CHECK(y == gy && m == gm && d == gd);
}

/* Every Gregorian day of 2000-2050 converts and comes back. */
static void
test_gregorian_round_trip(void)
{
	int gy = 2000, gm = 1, gd = 1, failures = 0;
	int pjy = 1378, pjm = 10, pjd = 10; /* 1999-12-31 */
	while (gy <= 2050) {
		int jy, jm, jd, y, m, d;
		int ok = gregorian_to_jalali(gy, gm, gd, &jy, &jm, &jd) == 0 &&
		         jalali_to_gregorian(jy, jm, jd, &y, &m, &d) == 0 && y == gy && m == gm &&
		         d == gd;
		/* the Jalali date moves on by exactly one day too */
		int next = (jy == pjy && jm == pjm && jd == pjd + 1) ||
		           (jy == pjy && jm == pjm + 1 && jd == 1) ||
		           (jy == pjy + 1 && jm == 1 && jd == 1 && pjm == 12);
		if ((!ok || !next) && failures++ < 5)
			fprintf(stderr, "  %d-%02d-%02d\n", gy, gm, gd);
		pjy = jy;
		pjm = jm;
		pjd = jd;
		next_gregorian_day(&gy, &gm, &gd);
	}
	CHECK(failures == 0);
}

static const struct {
	const char *in;
	int y, m, d, hh, mm, ss, jalali;
} parse_ok[] = {
    {"1405-01-01", 2026, 3, 21, 0, 0, 0, 1},
    {"\xdb\xb1\xdb\xb4\xdb\xb0\xdb\xb5-\xdb\xb0\xdb\xb1-\xdb\xb0\xdb\xb1", 2026, 3, 21, 0, 0, 0,
     1}, /* ۱۴۰۵-۰۱-۰۱ */
    {"\xd9\xa1\xd9\xa4\xd9\xa0\xd9\xa5-\xd9\xa0\xd9\xa1-\xd9\xa0\xd9\xa1", 2026, 3, 21, 0, 0, 0,
     1}, /* ١٤٠٥-٠١-٠١ */
    {"14\xdb\xb0"
     "5-01-01",
     2026, 3, 21, 0, 0, 0, 1}, /* digits mixed */
    {"2026-03-21", 2026, 3, 21, 0, 0, 0, 0},
    {"2026-03-21T08:30", 2026, 3, 21, 8, 30, 0, 0},
    {"2026-03-21 08:30:15", 2026, 3, 21, 8, 30, 15, 0},
    {"1403-12-30 23:59:59", 2025, 3, 20, 23, 59, 59, 1},
    {"\xdb\xb1\xdb\xb4\xdb\xb0\xdb\xb4-\xdb\xb0\xdb\xb9-\xdb\xb3\xdb\xb0 "
     "\xdb\xb2\xdb\xb0:\xdb\xb0\xdb\xb0",
     2025, 12, 21, 20, 0, 0, 1}, /* ۱۴۰۴-۰۹-۳۰ ۲۰:۰۰ */
    {"1404-09-30T00:00:00", 2025, 12, 21, 0, 0, 0, 1},
    {"1699-12-29", 2321, 3, 20, 0, 0, 0, 1}, /* the last Jalali-looking year */
    {"1700-01-01", 1700, 1, 1, 0, 0, 0, 0},  /* the first Gregorian one */
    {"2024-02-29", 2024, 2, 29, 0, 0, 0, 0},
    {"2000-02-29T23:59", 2000, 2, 29, 23, 59, 0, 0},
    {"9999-12-31", 9999, 12, 31, 0, 0, 0, 0},
    {"0001-01-01", 622, 3, 22, 0, 0, 0, 1},
};

static void
test_parse_ok(void)
{
	for (size_t i = 0; i < sizeof(parse_ok) / sizeof(parse_ok[0]); i++) {
		struct civil_time t;
		const char *error = NULL;
		int ret = date_parse(parse_ok[i].in, &t, &error);
		if (ret != 0) {
			fprintf(stderr, "  %s: %s\n", parse_ok[i].in, error);
			CHECK(ret == 0);
			continue;
		}
		CHECK(t.year == parse_ok[i].y && t.month == parse_ok[i].m &&
		      t.day == parse_ok[i].d);
		CHECK(t.hour == parse_ok[i].hh && t.minute == parse_ok[i].mm &&
		      t.second == parse_ok[i].ss);
		CHECK(t.was_jalali == parse_ok[i].jalali);
	}
}

static const struct {
	const char *in;
	const char *error; /* a part of the message */
} parse_bad[] = {
    {"", "no date given"},
    {"1405-1-1", "YYYY-MM-DD"},
    {"1405/01/01", "YYYY-MM-DD"},
    {"14050101", "YYYY-MM-DD"},
    {"21-03-2026", "YYYY-MM-DD"},
    {" 2026-03-21", "YYYY-MM-DD"},
    {"2026-03-21x", "YYYY-MM-DD"},
    {"2026-03-211", "YYYY-MM-DD"},
    {"20260-03-21", "YYYY-MM-DD"},
    {"2026-03-21\xdb", "YYYY-MM-DD"}, /* cut in the middle of a Persian digit */
    {"\xdb\xb1\xdb\xb4\xdb\xb0-01-01", "YYYY-MM-DD"},
    {"1405-13-01", "month must be 01-12"},
    {"1405-00-10", "month must be 01-12"},
    {"1405-01-32", "day must be 01-31"},
    {"1405-01-00", "day must be 01-31"},
    {"1404-12-30", "Esfand 30"},
    {"1405-07-31", "past the end of the Jalali month"},
    {"1405-12-31", "past the end of the Jalali month"},
    {"2025-02-29", "February 29"},
    {"1900-02-29", "February 29"},
    {"2025-04-31", "past the end of the month"},
    {"0000-01-01", "year must be"},
    {"2026-03-21T24:00", "hour must be 00-23"},
    {"2026-03-21T23:60", "minute must be 00-59"},
    {"2026-03-21T23:59:60", "second must be 00-59"},
    {"2026-03-21T8:30", "HH:MM"},
    {"2026-03-21T08", "HH:MM"},
    {"2026-03-21T08:30:", "HH:MM"},
    {"2026-03-21 ", "HH:MM"},
    {"2026-03-21T08:3", "HH:MM"},
    {"2026-03-21T08:30Z", "unexpected text"},
    {"2026-03-21T08:30:15.5", "unexpected text"},
    {"2026-03-21T08:30+03:30", "unexpected text"},
    {"2026-03-21 08:30:15 ", "unexpected text"},
    {"2026-03-21T08:30:15:15", "unexpected text"},
    {"2026-03-21T00:00:00000000000000000000000000000000000000000000000000000", "too long"},
};

static void
test_parse_errors(void)
{
	for (size_t i = 0; i < sizeof(parse_bad) / sizeof(parse_bad[0]); i++) {
		struct civil_time t = {0};
		const char *error = NULL;
		if (date_parse(parse_bad[i].in, &t, &error) != -1) {
			fprintf(stderr, "  accepted: %s\n", parse_bad[i].in);
			CHECK(0);
			continue;
		}
		CHECK_CONTAINS(error, parse_bad[i].error);
	}
	struct civil_time t;
	CHECK(date_parse(NULL, &t, NULL) == -1);
}

int
main(void)
{
	RUN(test_known_dates);
	RUN(test_leap_years);
	RUN(test_impossible_dates);
	RUN(test_round_trip_every_day);
	RUN(test_gregorian_round_trip);
	RUN(test_parse_ok);
	RUN(test_parse_errors);
	return check_summary();
}
