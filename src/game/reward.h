/*
 * reward — gives a campaign reward (points, lottery chances, a voucher) to a subscriber
 * inside the caller's transaction, idempotently on a reference. Worker threads.
 */
#ifndef GAMIGATE_GAME_REWARD_H
#define GAMIGATE_GAME_REWARD_H

#include "game/campaign.h"
#include "store/db.h"
#include "store/game.h"

struct reward_result {
	long long points;
	long long chances;
	char voucher[101];   /* "" when none */
	int voucher_missing; /* the pool was empty */
};

/* Applies r; ref is the idempotency key (suffixes keep its parts apart). A voucher is
 * taken only when take_voucher is set (the wheel takes its own). 0 ok, -1 with err. */
int reward_apply(struct db_conn *conn, const struct campaign *c, long long subscriber_id,
                 const struct campaign_reward *r, const char *reason, const char *ref,
                 int take_voucher, struct reward_result *res_r, struct db_error *err);

/* Moves the subscriber up to the tier their qualifying points reach (never down) and
 * queues a "tier_upgrade" notification when that is above the entry tier. Called after
 * every award of points. 0 ok, -1 with err. */
int reward_update_tier(struct db_conn *conn, const struct campaign *c, long long subscriber_id,
                       struct db_error *err);

/* The tier a member at qualifying points whose tier is current ("" none) moves up to
 * (its index), or -1 when the tier stays. Pure. */
int reward_tier_move(const struct campaign *c, long long qualifying, const char *current);

/* Queues the "tier_upgrade" notification of a move from current to tier index target
 * (none for the entry tier given to a member without one). 0 ok, -1 with err. */
int reward_tier_notify(struct db_conn *conn, const struct campaign *c, long long subscriber_id,
                       int target, const char *current, struct db_error *err);

/* After an award of lot qualifying points that left the subscriber at qualifying (-1:
 * unknown, nothing awarded): reward_update_tier, but only when the award can have
 * changed the tier. 0 ok, -1 with err set. */
int reward_tier_after(struct db_conn *conn, const struct campaign *c, long long subscriber_id,
                      long long qualifying, long long lot, struct db_error *err);

/* The index of the highest tier whose minimum the qualifying points reach (-1: none). */
int reward_tier_for(const struct campaign *c, long long qualifying);
/* The index of the tier called id (-1: not one of the campaign's). */
int reward_tier_index(const struct campaign *c, const char *id);

/* The key of the period containing now for a mission period: the local day
 * ("2026-03-21"), the Saturday starting the local week, or "campaign". */
void reward_period_key(const struct campaign *c, enum mission_period period, time_t now,
                       char out[11]);

/* The scope of awards made for campaign c. */
void reward_scope(const struct campaign *c, struct game_scope *scope_r);

/* A member whose awards reward_award_many writes, as read under its row's lock. */
struct reward_member {
	long long subscriber_id;
	long long qualifying; /* qualifying points before the awards */
	const char *tier;     /* the tier before, "" when none */
};

/* Writes n awards of c with a few statements for all of them (store/spins.h
 * game_award_many; a ref used before fails the statement) and moves each member's tier
 * with its balance when the awards' qualifying points reach a higher one, queuing the
 * upgrade notice. members[0..nmem) must hold every member the awards name, once. 0 ok,
 * -1 with err. */
int reward_award_many(struct db_conn *conn, const struct campaign *c, struct game_award_row *aw,
                      size_t n, const struct reward_member *members, size_t nmem,
                      struct db_error *err);

#endif
