/*
 * reward — campaign rewards into the ledgers. Worker threads.
 */
#include "game/reward.h"
#include "core/tz.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
reward_period_key(const struct campaign *c, enum mission_period period, time_t now, char out[11])
{
	switch (period) {
	case PERIOD_DAY:
		tz_day_key(c->tz, now, out);
		return;
	case PERIOD_WEEK:
		tz_week_key(c->tz, now, out);
		return;
	case PERIOD_CAMPAIGN:
		break;
	}
	snprintf(out, 11, "campaign");
}

void
reward_scope(const struct campaign *c, struct game_scope *scope)
{
	scope->campaign_id = c->id;
	scope->campaign_version = c->version;
}

int
reward_tier_for(const struct campaign *c, long long qualifying)
{
	int best = -1;
	for (unsigned i = 0; i < c->ntiers; i++) {
		if (qualifying >= c->tiers[i].min_points)
			best = (int)i;
	}
	return best;
}

int
reward_tier_index(const struct campaign *c, const char *id)
{
	for (unsigned i = 0; i < c->ntiers; i++) {
		if (strcmp(c->tiers[i].id, id) == 0)
			return (int)i;
	}
	return -1;
}

int
reward_tier_move(const struct campaign *c, long long qualifying, const char *current)
{
	int target = reward_tier_for(c, qualifying);
	/* Up only: a tier goes down at the campaign's review, never on a spend. */
	return target >= 0 && target > reward_tier_index(c, current) ? target : -1;
}

int
reward_tier_notify(struct db_conn *conn, const struct campaign *c, long long subscriber_id,
                   int target, const char *current, struct db_error *err)
{
	char ref[160], vars[128];
	struct game_scope scope;

	if (reward_tier_index(c, current) < 0 && target == 0)
		return 0; /* the entry tier is no news */
	reward_scope(c, &scope);
	if (c->tier_review == TIER_REVIEW_MONTHLY) {
		/* A tier lost at a monthly review can be won back, and that is news again. */
		struct tz_civil now;
		tz_civil(c->tz, time(NULL), &now);
		snprintf(ref, sizeof(ref), "tier:%s:%lld:%s:%04d-%02d", c->id, subscriber_id,
		         c->tiers[target].id, now.year, now.month);
	} else {
		snprintf(ref, sizeof(ref), "tier:%s:%lld:%s", c->id, subscriber_id,
		         c->tiers[target].id);
	}
	snprintf(vars, sizeof(vars), "{\"tier\":\"%s\"}", c->tiers[target].id);
	return game_notify(conn, &scope, subscriber_id, "transactional", "tier_upgrade", vars, ref,
	                   err) < 0
	           ? -1
	           : 0;
}

int
reward_update_tier(struct db_conn *conn, const struct campaign *c, long long subscriber_id,
                   struct db_error *err)
{
	long long qualifying = 0;
	char current[33];

	if (c->ntiers == 0)
		return 0;
	if (game_tier_state(conn, subscriber_id, &qualifying, current, sizeof(current), err) < 0)
		return -1;
	int target = reward_tier_move(c, qualifying, current);
	if (target < 0)
		return 0;
	if (game_set_tier(conn, subscriber_id, c->tiers[target].id, err) < 0)
		return -1;
	return reward_tier_notify(conn, c, subscriber_id, target, current, err);
}

/* Whether an award of lot qualifying points that left the subscriber at qualifying can
 * have changed the tier: it crossed a tier's minimum, or it was the first (the entry
 * tier is given then). Tiers follow qualifying points up only, so otherwise the stored
 * tier is right already and reading it would be a wasted round trip. */
static int
tier_may_change(const struct campaign *c, long long qualifying, long long lot)
{
	return qualifying - lot <= 0 ||
	       reward_tier_for(c, qualifying) != reward_tier_for(c, qualifying - lot);
}

int
reward_tier_after(struct db_conn *conn, const struct campaign *c, long long subscriber_id,
                  long long qualifying, long long lot, struct db_error *err)
{
	if (c->ntiers == 0 || qualifying < 0 || lot <= 0 || !tier_may_change(c, qualifying, lot))
		return 0;
	return reward_update_tier(conn, c, subscriber_id, err);
}

int
reward_apply(struct db_conn *conn, const struct campaign *c, long long subscriber_id,
             const struct campaign_reward *r, const char *reason, const char *ref, int take_voucher,
             struct reward_result *res, struct db_error *err)
{
	struct game_scope scope;

	memset(res, 0, sizeof(*res));
	reward_scope(c, &scope);
	if (r->points != 0 || r->chances != 0) {
		struct game_award a;
		if (game_award(conn, &scope, subscriber_id, r->points, r->chances, reason, ref,
		               c->expiry_days, 1, &a, err) < 0)
			return -1;
		res->points = a.points;
		res->chances = a.chances;
		if (reward_tier_after(conn, c, subscriber_id, a.qualifying, a.points, err) < 0)
			return -1;
	}
	if (take_voucher && r->voucher_pool[0] != '\0') {
		int rc = game_take_voucher(conn, r->voucher_pool, subscriber_id, res->voucher, err);
		if (rc < 0)
			return -1;
		res->voucher_missing = rc == 0;
	}
	return 0;
}

int
reward_award_many(struct db_conn *conn, const struct campaign *c, struct game_award_row *aw,
                  size_t n, const struct reward_member *members, size_t nmem, struct db_error *err)
{
	int *target = xcalloc(nmem > 0 ? nmem : 1, sizeof(*target));
	int rc = -1;

	/* Each member's tier moves with its balance, from the points and tier read under
	 * its lock, on its first award's row. */
	for (size_t k = 0; k < nmem; k++) {
		long long lots = 0;
		size_t first = n;
		for (size_t i = 0; i < n; i++) {
			if (aw[i].subscriber_id != members[k].subscriber_id)
				continue;
			if (first == n)
				first = i;
			lots += aw[i].points > 0 ? aw[i].points : 0;
		}
		target[k] = lots > 0 && c->ntiers > 0
		                ? reward_tier_move(c, members[k].qualifying + lots, members[k].tier)
		                : -1;
		if (target[k] >= 0)
			aw[first].tier = c->tiers[target[k]].id;
	}
	if (game_award_many(conn, c->id, c->version, c->expiry_days, aw, n, err) < 0)
		goto out;
	for (size_t k = 0; k < nmem; k++) {
		if (target[k] >= 0 && reward_tier_notify(conn, c, members[k].subscriber_id,
		                                         target[k], members[k].tier, err) < 0)
			goto out;
	}
	rc = 0;
out:
	free(target);
	return rc;
}
