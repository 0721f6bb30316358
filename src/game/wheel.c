/*
 * wheel — weighted draws with atomic caps. wheel_spin: worker threads, in a transaction.
 */
#include "game/wheel.h"
#include "core/random.h"
#include "core/tz.h"
#include "store/game.h"

#include <stdio.h>
#include <string.h>

uint64_t
wheel_total_weight(const struct campaign_wheel *w)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < w->nprizes; i++)
		total += w->prizes[i].weight;
	return total;
}

unsigned
wheel_pick(const struct campaign_wheel *w, uint64_t r)
{
	for (unsigned i = 0; i < w->nprizes; i++) {
		if (r < w->prizes[i].weight)
			return i;
		r -= w->prizes[i].weight;
	}
	return w->nprizes - 1; /* r out of range: cannot happen with r < total */
}

/* The prize as the store takes it. */
static struct game_spin_prize
spin_prize(const struct campaign_prize *p)
{
	return (struct game_spin_prize){
	    .id = p->id,
	    .daily_cap = p->daily_cap,
	    .total_cap = p->total_cap,
	    .pool = p->reward.voucher_pool,
	    .points = p->reward.points,
	    .chances = p->reward.chances,
	};
}

int
wheel_spin(struct db_conn *conn, const struct campaign *c, long long subscriber_id, time_t now,
           struct spin_result *res, struct db_error *err)
{
	const struct campaign_wheel *w = &c->wheel;
	struct game_scope scope;
	struct game_spin_out out;
	char day_key[11], period[11] = "";

	memset(res, 0, sizeof(*res));
	if (!w->enabled || w->nprizes == 0) {
		res->outcome = SPIN_NO_WHEEL;
		return 0;
	}
	if (!campaign_running(c, now)) {
		res->outcome = SPIN_NOT_RUNNING;
		return 0;
	}
	reward_scope(c, &scope);
	tz_day_key(c->tz, now, day_key);

	/* The draw is made here, from the OS's randomness; the store takes the prize (or
	 * the declared fallback, never a second draw), records and awards, in one call. */
	uint64_t total = wheel_total_weight(w);
	res->random_value = random_below(total);
	res->drawn = wheel_pick(w, res->random_value);
	const struct campaign_mission *m = campaign_mission_of(c, MISSION_SPIN);
	if (m != NULL)
		reward_period_key(c, m->period, now, period);
	struct game_spin_args a = {
	    .subscriber_id = subscriber_id,
	    .day_key = day_key,
	    .per_day = w->spins_per_day,
	    .random_value = res->random_value,
	    .total_weight = total,
	    .expiry_days = c->expiry_days,
	    .prize = spin_prize(&w->prizes[res->drawn]),
	    .fallback = spin_prize(&w->prizes[w->fallback]),
	    .mission_id = m != NULL ? m->id : "",
	    .period_key = period,
	    .mission_points = m != NULL ? m->reward.points : 0,
	    .mission_chances = m != NULL ? m->reward.chances : 0,
	    .mission_pool = m != NULL ? m->reward.voucher_pool : "",
	};
	if (game_spin(conn, &scope, &a, &out, err) < 0)
		return -1;
	if (!out.spun) {
		res->outcome = SPIN_ALREADY_TODAY;
		return 0;
	}
	res->prize = out.fallback ? w->fallback : res->drawn;
	res->reward.points = out.points;
	res->reward.chances = out.chances;
	snprintf(res->reward.voucher, sizeof(res->reward.voucher), "%s", out.voucher);
	if (out.points > 0 &&
	    reward_tier_after(conn, c, subscriber_id, out.qualifying, out.points, err) < 0)
		return -1;
	res->outcome = SPIN_WON;
	res->left = w->spins_per_day - (unsigned)out.done - 1;
	return 0;
}
