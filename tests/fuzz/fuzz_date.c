/*
 * libFuzzer target: date_parse on any bytes (as a NUL-terminated copy). It must never
 * crash, and when it accepts the input the result is a real Gregorian date and time;
 * a Jalali input also survives the trip back to Jalali and forth again.
 */
#include "core/jalali.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
month_days(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	struct civil_time t;
	const char *error = NULL;
	memcpy(in, data, size);
	in[size] = '\0';
	if (date_parse(in, &t, &error) == 0) {
		if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > month_days(t.year, t.month))
			abort();
		if (t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59 || t.second < 0 ||
		    t.second > 59)
			abort();
		if (t.year < 622 || t.year > 9999)
			abort();
		if (t.was_jalali) {
			int jy, jm, jd, gy, gm, gd;
			if (gregorian_to_jalali(t.year, t.month, t.day, &jy, &jm, &jd) < 0 ||
			    jy >= 1700 || jalali_to_gregorian(jy, jm, jd, &gy, &gm, &gd) < 0 ||
			    gy != t.year || gm != t.month || gd != t.day)
				abort();
		}
	} else if (error == NULL || *error == '\0') {
		abort();
	}
	free(in);
	return 0;
}
