/*
 * missions — a member's progress on today's missions, for MISSIONS / ماموریت: the
 * check-in (done today, and the streak it keeps alive), the day's spins, the day's
 * quiz question, and the count toward the campaign's first "events" and first
 * "referrals" missions in their current periods (what the events and referral code
 * count when they pay those missions).
 *
 * Worker threads, inside the caller's transaction. Read only.
 */
#ifndef GAMIGATE_GAME_MISSIONS_H
#define GAMIGATE_GAME_MISSIONS_H

#include <time.h>

#include "game/campaign.h"
#include "store/db.h"

struct missions_progress {
	int has_checkin;
	int checked_in;  /* today */
	unsigned streak; /* today's; else yesterday's, which a check-in today extends */
	int has_wheel;
	long spins; /* today */
	unsigned spins_per_day;
	int has_quiz; /* a question is asked today */
	int quiz_answered;
	const struct campaign_mission *events; /* NULL when the campaign has none */
	long long events_done;                 /* in its current period */
	const struct campaign_mission *referrals;
	long long referrals_done;
};

/* Reads the member's progress at now in campaign c. 0 ok, -1 with err. */
int missions_progress(struct db_conn *conn, const struct campaign *c, long long subscriber_id,
                      time_t now, struct missions_progress *p_r, struct db_error *err);

#endif
