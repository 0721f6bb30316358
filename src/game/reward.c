/*
 * reward — campaign rewards into the ledgers. Worker threads.
 */
#include "game/reward.h"
#include "core/tz.h"

#include <stdio.h>
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
reward_apply(struct db_conn *conn, const struct campaign *c, long long subscriber_id,
             const struct campaign_reward *r, const char *reason, const char *ref, int take_voucher,
             struct reward_result *res, struct db_error *err)
{
	struct game_scope scope;
	char key[160];

	memset(res, 0, sizeof(*res));
	reward_scope(c, &scope);
	if (r->points != 0) {
		snprintf(key, sizeof(key), "%s:p", ref);
		int rc = game_award_points(conn, &scope, subscriber_id, r->points, reason, key,
		                           c->expiry_days, 1, err);
		if (rc < 0)
			return -1;
		res->points = rc == 1 ? r->points : 0;
	}
	if (r->chances != 0) {
		snprintf(key, sizeof(key), "%s:c", ref);
		int rc =
		    game_award_chances(conn, &scope, subscriber_id, r->chances, reason, key, err);
		if (rc < 0)
			return -1;
		res->chances = rc == 1 ? r->chances : 0;
	}
	if (take_voucher && r->voucher_pool[0] != '\0') {
		int rc = game_take_voucher(conn, r->voucher_pool, subscriber_id, res->voucher, err);
		if (rc < 0)
			return -1;
		res->voucher_missing = rc == 0;
	}
	return 0;
}
