/*
 * referrals (store) — SQL for who brought whom: the referrals table (one referrer per
 * referee, by a unique key) and the per-referrer counters that enforce the cap with a
 * conditional UPDATE. Worker threads, inside the caller's transaction, with the
 * referee's subscriber row already locked (so one referee's codes are handled one
 * after the other); a referrer's counter row is locked by the UPDATE that takes a slot,
 * which orders that referrer's referrals across nodes.
 */
#ifndef GAMIGATE_STORE_REFERRALS_H
#define GAMIGATE_STORE_REFERRALS_H

#include "store/db.h"
#include "store/game.h"

struct referrals_member {
	int exists;
	int member;
	long long joined_ago_s; /* seconds since joining (UTC); -1 when not a member */
};

/* Reads whether subscriber id exists and is a member, and since when; with lock, the
 * row is read FOR UPDATE (use it on an id known to exist: a locking read of a missing id
 * would lock the gap where new subscribers are inserted). 0 ok, -1. */
int referrals_member_state(struct db_conn *conn, long long id, int lock,
                           struct referrals_member *m_r, struct db_error *err);

/* The referrer of referee, in any campaign and any status: 1 found (*referrer_r), 0 none,
 * -1 with err. */
int referrals_referrer_of(struct db_conn *conn, long long referee_id, long long *referrer_r,
                          struct db_error *err);

/* How many referrals of referrer were rewarded in the campaign. 0 ok, -1. */
int referrals_rewarded(struct db_conn *conn, const char *campaign_id, long long referrer_id,
                       long long *count_r, struct db_error *err);

enum referrals_claim {
	REFERRALS_CLAIMED,
	REFERRALS_ALREADY, /* the referee has a referrer already: nothing changed */
	REFERRALS_CAPPED,  /* no slot left under the cap: nothing changed (claim) or the
	                      referral is marked 'capped' (activate) */
};

struct referrals_new {
	long long referrer_id;
	long long referee_id;
	unsigned cap;
	int pending;          /* keep it pending: no slot is taken, no period keys */
	const char *day_key;  /* the local day and week of the rewards (unless pending) */
	const char *week_key; /* (tz_day_key / tz_week_key) */
};

/* Records a referral. Unless pending, one of the referrer's cap slots is taken in the
 * same step: when none is left nothing is recorded (REFERRALS_CAPPED). On
 * REFERRALS_CLAIMED, *id_r is the referral's id and *count_r the referrer's rewarded
 * referrals in the campaign including this one (0 when pending). 0 ok, -1 with err. */
int referrals_claim(struct db_conn *conn, const struct game_scope *scope,
                    const struct referrals_new *r, enum referrals_claim *res_r, long long *id_r,
                    long long *count_r, struct db_error *err);

/* The referee's pending referral in the campaign, locked: 1 found (*id_r, *referrer_r),
 * 0 none, -1 with err. */
int referrals_pending_of(struct db_conn *conn, const char *campaign_id, long long referee_id,
                         long long *id_r, long long *referrer_r, struct db_error *err);

/* Settles a pending referral (found by referrals_pending_of): takes a cap slot and marks
 * it rewarded in day_key / week_key (REFERRALS_CLAIMED, *count_r as for claim), or
 * marks it capped when none is left (REFERRALS_CAPPED). 0 ok, -1 with err. */
int referrals_activate(struct db_conn *conn, const char *campaign_id, long long id,
                       long long referrer_id, unsigned cap, const char *day_key,
                       const char *week_key, enum referrals_claim *res_r, long long *count_r,
                       struct db_error *err);

enum referrals_period { REFERRALS_DAY, REFERRALS_WEEK, REFERRALS_CAMPAIGN };

/* Rewarded referrals of referrer in the campaign whose rewards fell in the period key
 * (a day key, a week key, or any for REFERRALS_CAMPAIGN). 0 ok, -1 with err. */
int referrals_count_period(struct db_conn *conn, const char *campaign_id, long long referrer_id,
                           enum referrals_period period, const char *key, long long *count_r,
                           struct db_error *err);

#endif
