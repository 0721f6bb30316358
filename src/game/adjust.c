/*
 * adjust — support's corrections. See adjust.h.
 */
#include "game/adjust.h"
#include "game/reward.h"
#include "store/game.h"
#include "store/points.h"
#include "store/subscribers.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int
adjust_ref_ok(const char *ref)
{
	size_t n = strlen(ref);
	if (n == 0 || n > ADJUST_REF_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (ref[i] <= ' ' || ref[i] > '~')
			return 0;
	}
	return 1;
}

static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h * 1099511628211ULL; /* a separator */
}

void
adjust_default_ref(const char *msisdn, long long points, const char *note, const char *campaign_id,
                   time_t now, char out[48])
{
	char num[24], day[16];
	struct tm tm;
	snprintf(num, sizeof(num), "%lld", points);
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y%m%d", &tm);
	uint64_t h = 14695981039346656037ULL;
	h = fnv(h, msisdn);
	h = fnv(h, num);
	h = fnv(h, note);
	h = fnv(h, campaign_id);
	snprintf(out, 48, "auto-%s-%016llx", day, (unsigned long long)h);
}

struct adjust_tx {
	const struct campaign *c;
	const char *msisdn;
	long long points;
	const char *note;
	struct adjust_result *r;
};

static int
adjust_body(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct adjust_tx *t = arg;
	struct adjust_result *r = t->r;
	struct game_scope scope;
	struct subscriber s;
	long long balance = 0;
	char ref[120];

	r->delta = 0;
	r->wanted = 0;
	reward_scope(t->c, &scope);
	if (subscribers_get(conn, t->msisdn, &s, err) < 0)
		return -1;
	if (!s.exists) {
		r->outcome = ADJUST_NO_SUBSCRIBER;
		return 0;
	}
	r->subscriber_id = s.id;
	if (points_lock_subscriber(conn, s.id, &balance, err) < 0)
		return -1;
	r->balance = balance;
	/* game_award appends ":p", so both signs end up keyed r->ledger_ref. */
	snprintf(ref, sizeof(ref), "%.*s", (int)(strlen(r->ledger_ref) - 2), r->ledger_ref);
	if (t->points > 0) {
		struct game_award a;
		if (game_award(conn, &scope, s.id, t->points, 0, "adjust", ref, t->c->expiry_days,
		               1, &a, err) < 0)
			return -1;
		if (a.points == 0) {
			r->outcome = ADJUST_ALREADY;
			return 0;
		}
		if (reward_tier_after(conn, t->c, s.id, a.qualifying, a.points, err) < 0)
			return -1;
		r->delta = a.points;
	} else {
		enum points_spend_result res;
		if (points_spend(conn, &scope, s.id, -t->points, "adjust", r->ledger_ref, &res,
		                 &balance, err) < 0)
			return -1;
		if (res == POINTS_DUPLICATE) {
			r->outcome = ADJUST_ALREADY;
			return 0;
		}
		if (res == POINTS_SHORT) {
			r->outcome = ADJUST_SHORT;
			r->wanted = -t->points;
			return 0;
		}
		r->delta = t->points;
	}
	if (points_correction_note(conn, r->ledger_ref, s.id, r->delta, t->note, err) < 0 ||
	    points_lock_subscriber(conn, s.id, &balance, err) < 0)
		return -1;
	r->balance = balance;
	r->outcome = ADJUST_DONE;
	return 0;
}

int
adjust_points(struct db_conn *conn, const struct campaign *c, const char *msisdn, long long points,
              const char *ref, const char *note, struct adjust_result *r, struct db_error *err)
{
	struct adjust_tx t = {c, msisdn, points, note, r};
	memset(r, 0, sizeof(*r));
	snprintf(r->msisdn, sizeof(r->msisdn), "%s", msisdn);
	snprintf(r->ledger_ref, sizeof(r->ledger_ref), "adjust:%s:p", ref);
	if (points == 0 || !adjust_ref_ok(ref)) {
		err->code = 0;
		snprintf(err->msg, sizeof(err->msg), "adjust_points: bad points or ref");
		return -1;
	}
	return db_tx(conn, adjust_body, &t, err);
}

struct reverse_tx {
	const struct points_row *row;
	unsigned expiry_days;
	const char *note;
	struct adjust_result *r;
};

static int
reverse_body(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct reverse_tx *t = arg;
	struct adjust_result *r = t->r;
	enum points_reverse_result res;
	if (points_reverse(conn, t->row, t->expiry_days, &res, &r->delta, &r->balance, err) < 0)
		return -1;
	switch (res) {
	case POINTS_REVERSED:
		r->outcome = ADJUST_DONE;
		return points_correction_note(conn, r->ledger_ref, t->row->subscriber_id, r->delta,
		                              t->note, err);
	case POINTS_REVERSE_SHORT:
		r->outcome = ADJUST_SHORT;
		r->wanted = -r->delta;
		r->delta = 0;
		return 0;
	case POINTS_REVERSE_DUPLICATE:
		r->outcome = ADJUST_ALREADY;
		return 0;
	case POINTS_REVERSE_NOTHING:
		break;
	}
	r->outcome = ADJUST_NOTHING;
	return 0;
}

int
adjust_reverse(struct db_conn *conn, struct campaign *const *campaigns, unsigned ncampaigns,
               const char *ref, const char *note, struct adjust_result *r, struct db_error *err)
{
	struct points_row row;
	memset(r, 0, sizeof(*r));
	snprintf(r->ledger_ref, sizeof(r->ledger_ref), "reverse:%s", ref);
	int found = points_row_by_ref(conn, ref, &row, err);
	if (found < 0)
		return -1;
	if (found == 0) {
		r->outcome = ADJUST_NO_ROW;
		return 0;
	}
	r->subscriber_id = row.subscriber_id;
	if (points_subscriber_msisdn(conn, row.subscriber_id, r->msisdn, err) < 0)
		return -1;
	if (strncmp(ref, "reverse:", 8) == 0) {
		r->outcome = ADJUST_IS_REVERSAL;
		return 0;
	}
	unsigned days = 0;
	for (unsigned i = 0; i < ncampaigns; i++) {
		if (strcmp(campaigns[i]->id, row.campaign_id) == 0)
			days = campaigns[i]->expiry_days;
	}
	struct reverse_tx t = {&row, days, note, r};
	return db_tx(conn, reverse_body, &t, err);
}
