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

/*
 * Tries to hand out prize i: its caps and its voucher, all or nothing (a taken cap is
 * given back when the voucher pool turns out empty). 1 handed out, 0 not available,
 * -1 with err.
 */
static int
take_prize(struct db_conn *conn, const struct campaign *c, unsigned i, const char *day_key,
           long long subscriber_id, char *voucher_r, struct db_error *err)
{
	const struct campaign_prize *p = &c->wheel.prizes[i];
	struct game_scope scope;
	int capped = p->daily_cap >= 0 || p->total_cap >= 0;

	voucher_r[0] = '\0';
	reward_scope(c, &scope);
	if (capped) {
		int ok =
		    game_take_prize(conn, &scope, p->id, day_key, p->daily_cap, p->total_cap, err);
		if (ok <= 0)
			return ok;
	}
	if (p->reward.voucher_pool[0] == '\0')
		return 1;
	int ok = game_take_voucher(conn, p->reward.voucher_pool, subscriber_id, voucher_r, err);
	if (ok == 0 && capped &&
	    game_release_prize(conn, &scope, p->id, day_key, p->daily_cap >= 0, p->total_cap >= 0,
	                       err) < 0)
		return -1;
	return ok;
}

int
wheel_spin(struct db_conn *conn, const struct campaign *c, long long subscriber_id, time_t now,
           struct spin_result *res, struct db_error *err)
{
	const struct campaign_wheel *w = &c->wheel;
	struct game_scope scope;
	char day_key[11], voucher[101], ref[160];
	long done = 0;

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
	if (game_spins_today(conn, &scope, subscriber_id, day_key, &done, err) < 0)
		return -1;
	if (done >= (long)w->spins_per_day) {
		res->outcome = SPIN_ALREADY_TODAY;
		return 0;
	}

	uint64_t total = wheel_total_weight(w);
	res->random_value = random_below(total);
	res->drawn = res->prize = wheel_pick(w, res->random_value);
	int got = take_prize(conn, c, res->drawn, day_key, subscriber_id, voucher, err);
	if (got < 0)
		return -1;
	if (got == 0) {
		/* Cap reached or pool empty: the declared fallback, never a second draw. */
		res->prize = w->fallback;
		if (take_prize(conn, c, res->prize, day_key, subscriber_id, voucher, err) < 0)
			return -1;
	}

	long long spin_id = 0;
	struct game_spin_row row = {
	    .subscriber_id = subscriber_id,
	    .day_key = day_key,
	    .seq = (unsigned)done + 1,
	    .random_value = res->random_value,
	    .total_weight = total,
	    .drawn_prize = w->prizes[res->drawn].id,
	    .awarded_prize = w->prizes[res->prize].id,
	    .voucher_code = voucher[0] != '\0' ? voucher : NULL,
	};
	if (game_record_spin(conn, &scope, &row, &spin_id, err) < 0)
		return -1;
	snprintf(ref, sizeof(ref), "spin:%lld", spin_id);
	if (reward_apply(conn, c, subscriber_id, &w->prizes[res->prize].reward, "spin", ref, 0,
	                 &res->reward, err) < 0)
		return -1;
	snprintf(res->reward.voucher, sizeof(res->reward.voucher), "%s", voucher);

	/* The daily spin mission, if the campaign has one, completes with the first spin. */
	const struct campaign_mission *m = campaign_mission_of(c, MISSION_SPIN);
	if (m != NULL) {
		char period[11];
		reward_period_key(c, m->period, now, period);
		int fresh = game_complete_mission(conn, &scope, subscriber_id, m->id, period, err);
		if (fresh < 0)
			return -1;
		if (fresh == 1) {
			struct reward_result mr;
			snprintf(ref, sizeof(ref), "mission:%s:%s:%lld:%s", c->id, m->id,
			         subscriber_id, period);
			if (reward_apply(conn, c, subscriber_id, &m->reward, "mission", ref, 1, &mr,
			                 err) < 0)
				return -1;
			res->reward.points += mr.points;
			res->reward.chances += mr.chances;
		}
	}
	res->outcome = SPIN_WON;
	res->left = w->spins_per_day - (unsigned)done - 1;
	return 0;
}
