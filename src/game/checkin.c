/*
 * checkin — daily check-in with streaks. Worker threads, in a transaction.
 */
#include "game/checkin.h"
#include "core/tz.h"
#include "store/game.h"

#include <stdio.h>
#include <string.h>

int
checkin_run(struct db_conn *conn, const struct campaign *c, long long subscriber_id, time_t now,
            struct checkin_result *res, struct db_error *err)
{
	const struct campaign_mission *m = campaign_mission_of(c, MISSION_CHECKIN);
	struct game_scope scope;
	char today[11], yesterday[11], ref[160];

	memset(res, 0, sizeof(*res));
	if (m == NULL) {
		res->outcome = CHECKIN_NO_MISSION;
		return 0;
	}
	if (!campaign_running(c, now)) {
		res->outcome = CHECKIN_NOT_RUNNING;
		return 0;
	}
	reward_scope(c, &scope);
	tz_day_key(c->tz, now, today);
	/* The local day before today: an instant inside it is today's local midnight minus
	 * a moment, whatever the zone's offset. */
	struct tz_civil civ;
	tz_civil(c->tz, now, &civ);
	time_t midnight = tz_to_utc(c->tz, civ.year, civ.month, civ.day, 0, 0, 0);
	tz_day_key(c->tz, midnight - 1, yesterday);

	int fresh = game_checkin(conn, &scope, subscriber_id, today, yesterday, &res->streak, err);
	if (fresh < 0)
		return -1;
	if (fresh == 0) {
		res->outcome = CHECKIN_ALREADY;
		return 0;
	}
	if (game_complete_mission(conn, &scope, subscriber_id, m->id, today, err) < 0)
		return -1;
	snprintf(ref, sizeof(ref), "checkin:%s:%lld:%s", c->id, subscriber_id, today);
	if (reward_apply(conn, c, subscriber_id, &m->reward, "checkin", ref, 1, &res->reward, err) <
	    0)
		return -1;
	if (m->streak_days > 0 && res->streak % m->streak_days == 0) {
		snprintf(ref, sizeof(ref), "streak:%s:%lld:%s", c->id, subscriber_id, today);
		if (reward_apply(conn, c, subscriber_id, &m->streak_reward, "streak", ref, 1,
		                 &res->bonus_reward, err) < 0)
			return -1;
		res->bonus = 1;
	}
	res->outcome = CHECKIN_DONE;
	return 0;
}
