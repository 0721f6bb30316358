/*
 * policy — quiet hours, caps, STOP and blocks (see policy.h). Any thread.
 */
#include "send/policy.h"
#include "core/tz.h"

#include <string.h>

int
policy_parse_hhmm(const char *s, int *min_r)
{
	if (s == NULL || strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++) {
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	}
	int h = (s[0] - '0') * 10 + (s[1] - '0');
	int m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	*min_r = h * 60 + m;
	return 0;
}

int
policy_quiet(const struct policy *p, time_t now, time_t *end_r)
{
	struct tz_civil c;
	int start = p->quiet_start_min, end = p->quiet_end_min;

	if (start == end)
		return 0;
	tz_civil(p->tz, now, &c);
	int m = c.hour * 60 + c.minute;
	int quiet = start < end ? (m >= start && m < end) : (m >= start || m < end);
	if (!quiet)
		return 0;
	/* The window opens at end: later today when we are before it, else tomorrow. */
	int day = c.day + (m >= end ? 1 : 0);
	*end_r = tz_to_utc(p->tz, c.year, c.month, day, end / 60, end % 60, 0);
	return 1;
}

time_t
policy_day_start(const struct policy *p, time_t now)
{
	struct tz_civil c;
	tz_civil(p->tz, now, &c);
	return tz_to_utc(p->tz, c.year, c.month, c.day, 0, 0, 0);
}

enum policy_verdict
policy_check(const struct policy *p, enum outbox_kind kind, const struct policy_member *m,
             time_t now, time_t *wait_until_r, const char **reason_r)
{
	if (kind == OUTBOX_REPLY)
		return POLICY_SEND;
	if (m->opted_out) {
		*reason_r = "opted out (STOP)";
		return POLICY_DROP;
	}
	if (kind == OUTBOX_TRANSACTIONAL)
		return POLICY_SEND;
	if (m->promo_blocked) {
		*reason_r = "blocked by the operator for promotional messages";
		return POLICY_DROP;
	}
	if (m->promo_today >= p->promo_daily_cap) {
		*reason_r = "daily cap of promotional messages reached";
		return POLICY_DROP;
	}
	if (policy_quiet(p, now, wait_until_r))
		return POLICY_WAIT;
	return POLICY_SEND;
}

static const char *const kind_names[] = {"reply", "transactional", "promotional"};

const char *
outbox_kind_name(enum outbox_kind kind)
{
	return kind_names[kind];
}

int
outbox_kind_parse(const char *s, enum outbox_kind *kind_r)
{
	for (int i = 0; i < 3; i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*kind_r = (enum outbox_kind)i;
			return 0;
		}
	}
	return -1;
}
