/*
 * civil — proleptic Gregorian calendar arithmetic shared by the time zone and Jalali
 * code: day numbers since 1970-01-01 and back, leap years, month lengths. Pure; any
 * thread.
 */
#ifndef GAMIGATE_CORE_CIVIL_H
#define GAMIGATE_CORE_CIVIL_H

#include <stdint.h>

/* Days since 1970-01-01 of a date (month 1-12). */
int64_t civil_days_from_date(int64_t y, int m, int d);
/* The date of a day number (the inverse of civil_days_from_date). */
void civil_date_from_days(int64_t z, int *y_r, int *m_r, int *d_r);
/* 1 for a Gregorian leap year. */
int civil_is_leap(int64_t y);
/* Days in month m (1-12) of year y. */
int civil_month_days(int64_t y, int m);

#endif
