/*
 * referral — a new member names the friend who brought them (REF <code>, JOIN <code>),
 * by the friend's referral code (game/refcode.h).
 *
 * The rules, in the order they are checked (each refusal has its own outcome):
 *   - the campaign runs and has a "referral" object;
 *   - the code is well formed and its check matches;
 *   - the referee has no referrer yet (ever, in any campaign: a unique key);
 *   - the code is not the referee's own;
 *   - the code is a member's;
 *   - the referrer was not brought by this referee (no two-member loops);
 *   - the referee joined at most referral.window_days ago;
 *   - the referrer has had fewer than referral.cap referrals rewarded in the campaign
 *     (a conditional UPDATE of a counter row: the database holds the cap).
 * Then both sides get their rewards (ledger refs "referral:<id>:referee|referrer", so
 * once per referral), the referrer a milestone reward when their count reaches one
 * (once each: the count rises one at a time under the counter's row lock), and the
 * campaign's "referrals" missions count the referrer's rewarded referrals in their
 * period (stages at their counts; completion once per period). The referrer is told by
 * a queued notification ("referral_rewarded", "referral_milestone", "mission_stage",
 * "mission_complete").
 *
 * With referral.require_active, an accepted referral stays pending and nothing is
 * given until the referee's first event: the events code calls referral_on_activity,
 * which takes the cap slot then (a referrer who reached the cap meanwhile gets
 * nothing: the referral is marked capped) and gives everything above, telling the
 * referee too ("referral_activated").
 *
 * Worker threads, inside the caller's transaction, with the referee's subscriber row
 * locked (subscribers_lock or events_store_lock_subscriber); the referrer's row is
 * locked after it, the order in which every award locks the two.
 */
#ifndef GAMIGATE_GAME_REFERRAL_H
#define GAMIGATE_GAME_REFERRAL_H

#include <time.h>

#include "game/campaign.h"
#include "game/reward.h"
#include "store/db.h"

enum referral_outcome {
	REFERRAL_DONE,        /* both sides rewarded */
	REFERRAL_PENDING,     /* accepted; rewards wait for the referee's first event */
	REFERRAL_NOT_RUNNING, /* no campaign running */
	REFERRAL_OFF,         /* the campaign has no referral program */
	REFERRAL_INVALID,     /* not a code, or a typo (its check fails) */
	REFERRAL_ALREADY,     /* the referee has a referrer already */
	REFERRAL_SELF,        /* the referee's own code */
	REFERRAL_UNKNOWN,     /* a well-formed code that is no member's */
	REFERRAL_MUTUAL,      /* the referrer was brought by this referee */
	REFERRAL_TOO_LATE,    /* joined more than window_days ago */
	REFERRAL_CAP,         /* the referrer has no referrals left under the cap */
};

struct referral_result {
	enum referral_outcome outcome;
	long long referral_id;       /* DONE, PENDING */
	struct reward_result reward; /* the referee's (DONE) */
};

/* Applies the code the member referee_id sent at now. 0 ok (res filled), -1 with err. */
int referral_claim(struct db_conn *conn, const struct campaign *c, long long referee_id,
                   const char *code, time_t now, struct referral_result *res, struct db_error *err);

/* The referrer's rewarded referrals in the current period (at now) of the "referrals"
 * mission m, as that mission counts them. 0 ok, -1 with err. */
int referral_count_for_mission(struct db_conn *conn, const struct campaign *c,
                               const struct campaign_mission *m, long long referrer, time_t now,
                               long long *count_r, struct db_error *err);

/* The member subscriber_id was active (an event of theirs was applied in campaign c):
 * settles their pending referral in c, if any. Idempotent: a referral is settled once.
 * 1 when one was rewarded now, 0 when there was nothing to do (none pending, the
 * campaign does not wait for activity, or the referrer's cap was reached: the referral
 * is then marked capped), -1 with err. */
int referral_on_activity(struct db_conn *conn, const struct campaign *c, long long subscriber_id,
                         struct db_error *err);

#endif
