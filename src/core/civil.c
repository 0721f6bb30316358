/*
 * civil — Gregorian day numbers (Howard Hinnant's days_from_civil and its inverse:
 * years are counted from March so the leap day comes last). Pure; any thread.
 */
#include "core/civil.h"

int64_t
civil_days_from_date(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
civil_date_from_days(int64_t z, int *y_r, int *m_r, int *d_r)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y_r = (int)(yoe + era * 400 + (m <= 2));
	*m_r = m;
	*d_r = (int)(doy - (153 * mp + 2) / 5 + 1);
}

int
civil_is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
civil_month_days(int64_t y, int m)
{
	static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && civil_is_leap(y) ? 29 : days[m - 1];
}
