/*
 * missions — today's progress for the missions overview (see missions.h).
 */
#include "game/missions.h"
#include "core/tz.h"
#include "game/events.h"
#include "game/quiz.h"
#include "game/referral.h"
#include "game/reward.h"
#include "store/board.h"
#include "store/events.h"
#include "store/game.h"

#include <string.h>

int
missions_progress(struct db_conn *conn, const struct campaign *c, long long subscriber_id,
                  time_t now, struct missions_progress *p, struct db_error *err)
{
	struct game_scope scope;
	char today[11], yesterday[11];

	memset(p, 0, sizeof(*p));
	reward_scope(c, &scope);
	tz_day_key(c->tz, now, today);

	if (campaign_mission_of(c, MISSION_CHECKIN) != NULL) {
		struct tz_civil civ;
		p->has_checkin = 1;
		if (board_checkin_streak(conn, c->id, subscriber_id, today, &p->streak, err) < 0)
			return -1;
		p->checked_in = p->streak > 0;
		if (!p->checked_in) {
			/* An instant of yesterday: today's local midnight minus a moment. */
			tz_civil(c->tz, now, &civ);
			tz_day_key(c->tz,
			           tz_to_utc(c->tz, civ.year, civ.month, civ.day, 0, 0, 0) - 1,
			           yesterday);
			if (board_checkin_streak(conn, c->id, subscriber_id, yesterday, &p->streak,
			                         err) < 0)
				return -1;
		}
	}
	if (c->wheel.enabled) {
		p->has_wheel = 1;
		p->spins_per_day = c->wheel.spins_per_day;
		if (game_spins_today(conn, &scope, subscriber_id, today, &p->spins, err) < 0)
			return -1;
	}
	if (quiz_today(c, now) != NULL) {
		p->has_quiz = 1;
		if (board_quiz_answered(conn, c->id, subscriber_id, today, &p->quiz_answered, err) <
		    0)
			return -1;
	}
	p->events = campaign_mission_of(c, MISSION_EVENTS);
	if (p->events != NULL) {
		time_t from, to;
		events_period_bounds(c, p->events->period, now, &from, &to);
		if (events_store_count(conn, subscriber_id, events_type_name(p->events->event),
		                       from, to, &p->events_done, err) < 0)
			return -1;
	}
	p->referrals = campaign_mission_of(c, MISSION_REFERRALS);
	if (p->referrals != NULL) {
		if (referral_count_for_mission(conn, c, p->referrals, subscriber_id, now,
		                               &p->referrals_done, err) < 0)
			return -1;
	}
	return 0;
}
