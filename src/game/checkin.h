/*
 * checkin — the daily check-in (CHECKIN / حضور): once per local day, a streak that grows
 * on consecutive days and breaks on a missed one, the mission's reward every day and
 * the streak bonus every N consecutive days. Worker threads, inside the caller's
 * transaction with the subscriber's row locked.
 */
#ifndef GAMIGATE_GAME_CHECKIN_H
#define GAMIGATE_GAME_CHECKIN_H

#include <time.h>

#include "game/campaign.h"
#include "game/reward.h"
#include "store/db.h"

enum checkin_outcome { CHECKIN_DONE, CHECKIN_ALREADY, CHECKIN_NOT_RUNNING, CHECKIN_NO_MISSION };

struct checkin_result {
	enum checkin_outcome outcome;
	unsigned streak;
	int bonus; /* the streak bonus was given today */
	struct reward_result reward;
	struct reward_result bonus_reward;
};

int checkin_run(struct db_conn *conn, const struct campaign *c, long long subscriber_id, time_t now,
                struct checkin_result *res, struct db_error *err);

#endif
