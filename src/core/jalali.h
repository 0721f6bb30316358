/*
 * jalali — the Solar Hijri (Jalali) calendar that Iranian campaign managers plan in, and
 * date parsing that accepts it beside ISO Gregorian dates. Pure functions; any thread.
 */
#ifndef GAMIGATE_CORE_JALALI_H
#define GAMIGATE_CORE_JALALI_H

/* Converts between Jalali and Gregorian dates (Jalali years 1-3177; Gregorian years
 * 623-3798 the other way). 0 ok, -1 for an impossible or out-of-range date (month 13,
 * 30 Esfand in a common year...). */
int jalali_to_gregorian(int jy, int jm, int jd, int *gy_r, int *gm_r, int *gd_r);
int gregorian_to_jalali(int gy, int gm, int gd, int *jy_r, int *jm_r, int *jd_r);
/* 1 when the Jalali year has 30 days in Esfand; 0 otherwise and out of range. */
int jalali_is_leap(int jy);

/* Parses "YYYY-MM-DD", optionally followed by "THH:MM" or " HH:MM" (and ":SS"). A year
 * below 1700 is Jalali (1405-01-01 is Nowruz 2026), otherwise Gregorian; Persian
 * and Arabic-Indic digits are accepted; every field has exactly its width. The result
 * is always Gregorian. 0 ok; -1 with *error_r (static text such as "month must be
 * 01-12"), out untouched. */
struct civil_time {
	int year, month, day, hour, minute, second;
	int was_jalali;
};
int date_parse(const char *s, struct civil_time *out, const char **error_r);

#endif
