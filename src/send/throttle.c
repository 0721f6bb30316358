/*
 * throttle — token bucket, backoff, Retry-After, circuit breaker (see throttle.h).
 */
#include "send/throttle.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
bucket_init(struct bucket *b, double rate, double burst, double now)
{
	b->rate = rate;
	b->burst = burst < 1 ? 1 : burst;
	b->tokens = b->burst;
	b->last = now;
}

static void
refill(struct bucket *b, double now)
{
	if (now > b->last) {
		b->tokens += (now - b->last) * b->rate;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
	}
	b->last = now;
}

int
bucket_take(struct bucket *b, double now)
{
	refill(b, now);
	if (b->tokens < 1 - 1e-9) /* rounding must not hold a token back */
		return 0;
	b->tokens = b->tokens < 1 ? 0 : b->tokens - 1;
	return 1;
}

double
bucket_wait(struct bucket *b, double now)
{
	refill(b, now);
	if (b->tokens >= 1 - 1e-9)
		return 0;
	return (1 - b->tokens) / b->rate;
}

double
backoff_delay(unsigned attempt, double base, double max, uint64_t rnd)
{
	double d = base;
	for (unsigned i = 1; i < attempt && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	double frac = (double)(rnd >> 11) / (double)(1ULL << 53); /* [0, 1) */
	return d / 2 + frac * (d / 2);
}

static int
month_index(const char *m)
{
	static const char *const names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	for (int i = 0; i < 12; i++) {
		if (strncasecmp(m, names[i], 3) == 0)
			return i;
	}
	return -1;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), m 1-12. */
static long long
days_from_civil(long long y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
retry_after_parse(const char *value, time_t now, double *s_r)
{
	while (*value == ' ' || *value == '\t')
		value++;
	if (isdigit((unsigned char)*value)) {
		char *end;
		long long v = strtoll(value, &end, 10);
		while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		if (*end != '\0' || v < 0 || v > 86400LL * 365)
			return -1;
		*s_r = (double)v;
		return 0;
	}
	/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
	char wday[4], mon[4], zone[4];
	int day, year, hh, mm, ss;
	if (strlen(value) > 40 || sscanf(value, "%3s, %d %3s %d %d:%d:%d %3s", wday, &day, mon,
	                                 &year, &hh, &mm, &ss, zone) != 8)
		return -1;
	int mi = month_index(mon);
	if (mi < 0 || day < 1 || day > 31 || year < 1970 || year > 9999 || hh > 23 || mm > 59 ||
	    ss > 60 || strcmp(zone, "GMT") != 0)
		return -1;
	long long t = days_from_civil(year, mi + 1, day) * 86400 + hh * 3600 + mm * 60 + ss;
	double d = (double)(t - (long long)now);
	*s_r = d > 0 ? d : 0;
	return 0;
}

void
breaker_init(struct breaker *b, unsigned threshold, double open_s)
{
	memset(b, 0, sizeof(*b));
	b->threshold = threshold < 1 ? 1 : threshold;
	b->open_s = open_s;
}

int
breaker_allow(struct breaker *b, double now)
{
	switch (b->state) {
	case BREAKER_CLOSED:
		return 1;
	case BREAKER_OPEN:
		if (now < b->open_until)
			return 0;
		b->state = BREAKER_HALF_OPEN;
		b->probing = 0;
		/* fall through */
	case BREAKER_HALF_OPEN:
		if (b->probing)
			return 0;
		b->probing = 1;
		return 1;
	}
	return 0;
}

void
breaker_success(struct breaker *b)
{
	b->state = BREAKER_CLOSED;
	b->failures = 0;
	b->probing = 0;
}

void
breaker_failure(struct breaker *b, double now)
{
	b->failures++;
	if (b->state == BREAKER_HALF_OPEN ||
	    (b->state == BREAKER_CLOSED && b->failures >= b->threshold)) {
		b->state = BREAKER_OPEN;
		b->open_until = now + b->open_s;
		b->probing = 0;
		b->opened++;
	}
}

const char *
breaker_state_name(enum breaker_state s)
{
	return s == BREAKER_CLOSED ? "closed" : s == BREAKER_OPEN ? "open" : "half_open";
}
