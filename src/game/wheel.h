/*
 * wheel — the once-a-day prize wheel: N spins per subscriber per local day, weighted
 * prizes drawn from the OS CSPRNG without modulo bias, per-prize daily and total caps
 * consumed atomically with the award (a prize whose cap is reached, or whose voucher
 * pool is empty, falls to the campaign's declared fallback prize; never a silent
 * re-spin), and every spin recorded with its random value and campaign version.
 *
 * wheel_pick and wheel_total_weight are pure (any thread); wheel_spin runs inside the
 * caller's transaction on a worker, with the subscriber's row already locked.
 */
#ifndef GAMIGATE_GAME_WHEEL_H
#define GAMIGATE_GAME_WHEEL_H

#include <stdint.h>
#include <time.h>

#include "game/campaign.h"
#include "game/reward.h"
#include "store/db.h"

enum spin_outcome { SPIN_WON, SPIN_ALREADY_TODAY, SPIN_NOT_RUNNING, SPIN_NO_WHEEL };

struct spin_result {
	enum spin_outcome outcome;
	unsigned prize; /* index of the prize awarded (SPIN_WON) */
	unsigned drawn; /* index of the prize drawn (differs after a fallback) */
	unsigned left;  /* spins left today */
	uint64_t random_value;
	struct reward_result reward;
};

/* Sum of the prizes' weights. */
uint64_t wheel_total_weight(const struct campaign_wheel *w);
/* The prize a value r in [0, total weight) lands on: prizes take consecutive ranges in
 * the order of the file. */
unsigned wheel_pick(const struct campaign_wheel *w, uint64_t r);

/* One spin to make: who, in which campaign, when; res is filled by wheel_spin_many. */
struct wheel_spin_req {
	const struct campaign *campaign;
	long long subscriber_id;
	time_t now;
	struct spin_result res;
};

/* Makes n spins in one transaction with a few statements for all of them (store/spins.h):
 * draws, caps and vouchers, fallbacks, the spin rows, the spin mission, the awards and
 * tiers. The members' rows must be locked by the caller. Spins of one member are made
 * one after the other. 0 ok (every res filled), -1 with err (roll back). */
int wheel_spin_many(struct db_conn *conn, struct wheel_spin_req *const *reqs, size_t n,
                    struct db_error *err);

/* One spin for subscriber_id at time now (wheel_spin_many of one). 0 ok (res filled),
 * -1 with err. */
int wheel_spin(struct db_conn *conn, const struct campaign *c, long long subscriber_id, time_t now,
               struct spin_result *res, struct db_error *err);

#endif
