/*
 * jalali — Solar Hijri (Jalali) <-> Gregorian conversion and date parsing.
 *
 * The leap years follow K. M. Borkowski's arithmetic ("The Persian calendar for 3000
 * years", Earth, Moon and Planets 74, 1996), the algorithm behind jalaali-js: between
 * "break" years the calendar runs in regular 33-year cycles with 8 leap years each, and
 * the break table keeps it in step with the astronomical vernal equinox at Tehran. It
 * is exact (matches the official calendar) for Jalali years 1-3177, the range accepted
 * here.
 *
 * Invariants: Jalali months 1-6 have 31 days, 7-11 have 30, Esfand (12) has 29 or 30;
 * a Jalali year starts on the Gregorian day of Nowruz (March 19-22).
 * Threads: pure functions, no state; any thread.
 */
#include "core/jalali.h"
#include "core/civil.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define JALALI_MIN_YEAR 1
#define JALALI_MAX_YEAR 3177
/* The longest accepted input is "YYYY-MM-DDTHH:MM:SS" in two-byte digits: 14 digits of
 * two bytes and 5 separators. Anything longer is refused before it is looked at. */
#define DATE_MAX_INPUT 64

/* Years at which the 33-year cycle pattern restarts (Borkowski's table). The last entry
 * is the first year the table no longer covers. */
static const int jalali_breaks[] = {-61,  9,    38,   199,  426,  686,  756,  818,  1111, 1181,
                                    1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178};

/* What a Jalali year needs for conversion: whether it is leap and the day of March
 * (in Gregorian year jy + 621) on which it begins. jy must be in range. */
struct jalali_year {
	int leap;
	int march_day;
};

static void
jalali_year_info(int jy, struct jalali_year *info_r)
{
	/* Count the Jalali leap years since the table's origin: 8 per full 33-year cycle
	 * plus one every 4 years in a partial cycle, interval by interval. */
	int leaps = -14;
	int start = jalali_breaks[0];
	int jump = 0;
	for (size_t i = 1; i < sizeof(jalali_breaks) / sizeof(jalali_breaks[0]); i++) {
		jump = jalali_breaks[i] - start;
		if (jy < jalali_breaks[i])
			break;
		leaps += jump / 33 * 8 + jump % 33 / 4;
		start = jalali_breaks[i];
	}
	int n = jy - start; /* years into the current interval, >= 0 */
	leaps += n / 33 * 8 + (n % 33 + 3) / 4;
	if (jump % 33 == 4 && jump - n == 4)
		leaps++;

	/* Gregorian leap days up to the same year; the difference moves Nowruz within
	 * March. */
	int gy = jy + 621;
	int gregorian_leaps = gy / 4 - (gy / 100 + 1) * 3 / 4 - 150;
	info_r->march_day = 20 + leaps - gregorian_leaps;

	/* Position in the 33-year cycle: years 1, 5, 9, ..., 29 of a cycle are leap. The
	 * last few years of an interval belong to the next interval's cycle. */
	if (jump - n < 6)
		n = n - jump + (jump + 4) / 33 * 33;
	info_r->leap = (n + 1) % 33 % 4 == 1;
}

static int
jalali_year_valid(int jy)
{
	return jy >= JALALI_MIN_YEAR && jy <= JALALI_MAX_YEAR;
}

int
jalali_is_leap(int jy)
{
	struct jalali_year info;
	if (!jalali_year_valid(jy))
		return 0;
	jalali_year_info(jy, &info);
	return info.leap;
}

static int
jalali_month_days(int jm, int leap)
{
	if (jm <= 6)
		return 31;
	if (jm <= 11)
		return 30;
	return leap ? 30 : 29;
}

int
jalali_to_gregorian(int jy, int jm, int jd, int *gy_r, int *gm_r, int *gd_r)
{
	struct jalali_year info;
	if (!jalali_year_valid(jy) || jm < 1 || jm > 12 || jd < 1)
		return -1;
	jalali_year_info(jy, &info);
	if (jd > jalali_month_days(jm, info.leap))
		return -1;
	int day_of_year = jm <= 6 ? (jm - 1) * 31 : 186 + (jm - 7) * 30;
	int64_t days = civil_days_from_date(jy + 621, 3, info.march_day) + day_of_year + jd - 1;
	civil_date_from_days(days, gy_r, gm_r, gd_r);
	return 0;
}

int
gregorian_to_jalali(int gy, int gm, int gd, int *jy_r, int *jm_r, int *jd_r)
{
	struct jalali_year info;
	/* The Jalali year that starts in March of gy; earlier days belong to the one before. */
	if (gy < JALALI_MIN_YEAR + 621 || gy > JALALI_MAX_YEAR + 621 || gm < 1 || gm > 12 ||
	    gd < 1 || gd > civil_month_days(gy, gm))
		return -1;
	int jy = gy - 621;
	int64_t days = civil_days_from_date(gy, gm, gd);
	jalali_year_info(jy, &info);
	int64_t nowruz = civil_days_from_date(gy, 3, info.march_day);
	if (days < nowruz) {
		jy--;
		if (!jalali_year_valid(jy))
			return -1;
		jalali_year_info(jy, &info);
		nowruz = civil_days_from_date(gy - 1, 3, info.march_day);
	}
	int day_of_year = (int)(days - nowruz); /* 0-365 */
	if (day_of_year < 186) {
		*jm_r = 1 + day_of_year / 31;
		*jd_r = 1 + day_of_year % 31;
	} else {
		*jm_r = 7 + (day_of_year - 186) / 30;
		*jd_r = 1 + (day_of_year - 186) % 30;
	}
	*jy_r = jy;
	return 0;
}

/* Reads one decimal digit at *p: ASCII, Extended Arabic-Indic (Persian, U+06F0-U+06F9,
 * UTF-8 DB B0-DB B9) or Arabic-Indic (U+0660-U+0669, UTF-8 D9 A0-D9 A9). Returns its
 * value and advances *p past it, or -1 without moving. */
static int
date_digit(const unsigned char **p)
{
	const unsigned char *s = *p;
	if (s[0] >= '0' && s[0] <= '9') {
		*p = s + 1;
		return s[0] - '0';
	}
	if ((s[0] == 0xDB && s[1] >= 0xB0 && s[1] <= 0xB9) ||
	    (s[0] == 0xD9 && s[1] >= 0xA0 && s[1] <= 0xA9)) {
		*p = s + 2;
		return s[1] & 0x0F;
	}
	return -1;
}

/* Reads exactly width digits into *value_r. 0 ok, -1 if a non-digit comes first. */
static int
date_number(const unsigned char **p, int width, int *value_r)
{
	int value = 0;
	for (int i = 0; i < width; i++) {
		int digit = date_digit(p);
		if (digit < 0)
			return -1;
		value = value * 10 + digit;
	}
	*value_r = value;
	return 0;
}

/* Consumes the character c at *p. 0 ok, -1 if something else is there. */
static int
date_expect(const unsigned char **p, char c)
{
	if (**p != (unsigned char)c)
		return -1;
	(*p)++;
	return 0;
}

/* Checks a date in its own calendar and turns it into a Gregorian one in out. */
static int
date_check_day(int year, int month, int day, struct civil_time *out, const char **error_r)
{
	if (year == 0) {
		*error_r = "year must be 0001-9999";
		return -1;
	}
	if (month < 1 || month > 12) {
		*error_r = "month must be 01-12";
		return -1;
	}
	if (day < 1 || day > 31) {
		*error_r = "day must be 01-31";
		return -1;
	}
	if (year < 1700) {
		int leap = jalali_is_leap(year);
		if (day > jalali_month_days(month, leap)) {
			*error_r = month == 12 && day == 30
			               ? "Esfand 30 exists only in a Jalali leap year"
			               : "day is past the end of the Jalali month";
			return -1;
		}
		out->was_jalali = 1;
		return jalali_to_gregorian(year, month, day, &out->year, &out->month, &out->day);
	}
	if (day > civil_month_days(year, month)) {
		*error_r = month == 2 && day == 29 ? "February 29 exists only in a leap year"
		                                   : "day is past the end of the month";
		return -1;
	}
	out->was_jalali = 0;
	out->year = year;
	out->month = month;
	out->day = day;
	return 0;
}

int
date_parse(const char *s, struct civil_time *out, const char **error_r)
{
	const char *error_dummy;
	struct civil_time result;
	int year, month, day;
	if (error_r == NULL)
		error_r = &error_dummy;
	if (s == NULL || *s == '\0') {
		*error_r = "no date given";
		return -1;
	}
	if (strnlen(s, DATE_MAX_INPUT + 1) > DATE_MAX_INPUT) {
		*error_r = "date is too long";
		return -1;
	}

	const unsigned char *p = (const unsigned char *)s;
	if (date_number(&p, 4, &year) < 0 || date_expect(&p, '-') < 0 ||
	    date_number(&p, 2, &month) < 0 || date_expect(&p, '-') < 0 ||
	    date_number(&p, 2, &day) < 0 || (*p != '\0' && *p != 'T' && *p != ' ')) {
		*error_r = "date must be YYYY-MM-DD (optionally followed by HH:MM or HH:MM:SS)";
		return -1;
	}
	memset(&result, 0, sizeof(result));
	if (*p != '\0') {
		p++;
		if (date_number(&p, 2, &result.hour) < 0 || date_expect(&p, ':') < 0 ||
		    date_number(&p, 2, &result.minute) < 0 ||
		    (*p == ':' && (p++, date_number(&p, 2, &result.second) < 0))) {
			*error_r = "time must be HH:MM or HH:MM:SS";
			return -1;
		}
		if (*p != '\0') {
			*error_r = "unexpected text after the time";
			return -1;
		}
	}
	if (date_check_day(year, month, day, &result, error_r) < 0)
		return -1;
	if (result.hour > 23) {
		*error_r = "hour must be 00-23";
		return -1;
	}
	if (result.minute > 59) {
		*error_r = "minute must be 00-59";
		return -1;
	}
	if (result.second > 59) {
		*error_r = "second must be 00-59";
		return -1;
	}
	*out = result;
	return 0;
}
