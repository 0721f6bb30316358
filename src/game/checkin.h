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

/* One check-in to make: who, in which campaign, when; res is filled by
 * checkin_run_many. */
struct checkin_req {
	const struct campaign *campaign;
	long long subscriber_id;
	time_t now;
	struct checkin_result res;
};

/* Makes n check-ins in one transaction with a few statements for all of them
 * (store/checkins.h): the streaks, the check-in rows, the mission, the day's reward and
 * the streak bonus (each once per day: an award already in the ledger is not made
 * again), their vouchers, the tiers. The members' rows must be locked by the caller; a
 * member's second request in one call answers "already". 0 ok (every res filled), -1
 * with err (roll back). */
int checkin_run_many(struct db_conn *conn, struct checkin_req *const *reqs, size_t n,
                     struct db_error *err);

/* One check-in (checkin_run_many of one). 0 ok (res filled), -1 with err. */
int checkin_run(struct db_conn *conn, const struct campaign *c, long long subscriber_id, time_t now,
                struct checkin_result *res, struct db_error *err);

#endif
