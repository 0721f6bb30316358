/*
 * wheel — weighted draws with atomic caps. wheel_spin: worker threads, in a transaction.
 */
#include "game/wheel.h"
#include "core/random.h"
#include "core/tz.h"
#include "core/xalloc.h"
#include "store/spins.h"

#include <stdio.h>
#include <stdlib.h>
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

/* A prize with something to count or hand out: its draws go through the counters. */
static int
prize_limited(const struct campaign_prize *p)
{
	return p->daily_cap >= 0 || p->total_cap >= 0 || p->reward.voucher_pool[0] != '\0';
}

/* One group: spins of one campaign on one local day (and mission period), of different
 * members. */
struct spin_group {
	const struct campaign *c;
	char day_key[11];
	char period[11];
	struct wheel_spin_req **reqs;
	size_t n;
};

/* Takes the drawn prizes that have caps or vouchers for the group's allowed spins (ok[i]):
 * each such prize is counted once for all its draws; the draws it cannot serve (cap
 * reached, pool empty) get the fallback (fallback[i] = 1). Voucher codes go into the
 * requests' results. */
static int
take_limited(struct db_conn *conn, struct spin_group *g, const int *ok, int *fallback,
             struct db_error *err)
{
	const struct campaign_wheel *w = &g->c->wheel;
	struct spins_counter *cnt = xcalloc(w->nprizes, sizeof(*cnt));
	long long *subs = xcalloc(g->n, sizeof(*subs));
	char(*codes)[101] = xcalloc(g->n, sizeof(*codes));
	size_t *which = xcalloc(g->n, sizeof(*which));
	size_t ncnt = 0;
	int rc = -1;

	for (unsigned p = 0; p < w->nprizes; p++) {
		for (size_t i = 0; i < g->n; i++) {
			if (ok[i] && g->reqs[i]->res.drawn == p && prize_limited(&w->prizes[p])) {
				cnt[ncnt++].prize_id = w->prizes[p].id;
				break;
			}
		}
	}
	if (ncnt == 0) {
		rc = 0;
		goto out;
	}
	/* Prizes at a cap already are seen without taking their counters' locks (hot rows:
	 * every spin that draws them would queue on the lock). */
	if (spins_counters(conn, g->c->id, g->day_key, cnt, ncnt, err) < 0)
		goto out;
	for (size_t k = 0; k < ncnt; k++) {
		unsigned p = 0;
		while (strcmp(w->prizes[p].id, cnt[k].prize_id) != 0)
			p++;
		const struct campaign_prize *pz = &w->prizes[p];
		size_t want = 0;
		for (size_t i = 0; i < g->n; i++) {
			if (ok[i] && g->reqs[i]->res.drawn == p)
				which[want++] = i;
		}
		long granted = (long)want;
		int capped = pz->daily_cap >= 0 || pz->total_cap >= 0;
		if ((pz->daily_cap >= 0 && cnt[k].day >= pz->daily_cap) ||
		    (pz->total_cap >= 0 && cnt[k].total >= pz->total_cap))
			granted = 0;
		else if (capped &&
		         spins_units_lock(conn, g->c->id, pz->id, g->day_key, pz->daily_cap,
		                          pz->total_cap, (long)want, &granted, err) < 0)
			goto out;
		size_t given = (size_t)granted;
		if (given > 0 && pz->reward.voucher_pool[0] != '\0') {
			for (size_t j = 0; j < given; j++)
				subs[j] = g->reqs[which[j]]->subscriber_id;
			if (game_take_vouchers(conn, pz->reward.voucher_pool, subs, given, codes,
			                       &given, err) < 0)
				goto out;
			for (size_t j = 0; j < given; j++)
				snprintf(g->reqs[which[j]]->res.reward.voucher,
				         sizeof(g->reqs[which[j]]->res.reward.voucher), "%s",
				         codes[j]);
		}
		if (capped && spins_units_add(conn, g->c->id, pz->id, g->day_key, pz->daily_cap,
		                              pz->total_cap, (long)given, err) < 0)
			goto out;
		for (size_t j = given; j < want; j++)
			fallback[which[j]] = 1;
	}
	rc = 0;
out:
	free(cnt);
	free(subs);
	free(codes);
	free(which);
	return rc;
}

/* The spins of one group, each member once. */
static int
spin_group_run(struct db_conn *conn, struct spin_group *g, struct db_error *err)
{
	const struct campaign *c = g->c;
	const struct campaign_wheel *w = &c->wheel;
	const struct campaign_mission *m = campaign_mission_of(c, MISSION_SPIN);
	uint64_t total = wheel_total_weight(w);
	size_t n = g->n, nrows = 0, nmission = 0, naward = 0;
	struct spins_member *mem = xcalloc(n, sizeof(*mem));
	struct spins_row *rows = xcalloc(n, sizeof(*rows));
	struct game_award_row *aw = xcalloc(n * 2, sizeof(*aw));
	long long *done_ids = xcalloc(n, sizeof(*done_ids));
	int *ok = xcalloc(n, sizeof(*ok)), *fallback = xcalloc(n, sizeof(*fallback));
	int *new_mission = xcalloc(n, sizeof(*new_mission));
	size_t *row_of = xcalloc(n, sizeof(*row_of));
	struct reward_member *who = xcalloc(n, sizeof(*who));
	size_t nwho = 0;
	int rc = -1;

	for (size_t i = 0; i < n; i++)
		mem[i].subscriber_id = g->reqs[i]->subscriber_id;
	if (spins_members(conn, c->id, g->day_key, m != NULL ? m->id : "", g->period, mem, n, err) <
	    0)
		goto out;
	/* The draws are made here, from the OS's randomness, one per spin; the store takes
	 * the prize or the declared fallback (never a second draw). */
	for (size_t i = 0; i < n; i++) {
		struct spin_result *res = &g->reqs[i]->res;
		ok[i] = mem[i].done < (long)w->spins_per_day;
		if (!ok[i]) {
			res->outcome = SPIN_ALREADY_TODAY;
			continue;
		}
		res->random_value = random_below(total);
		res->drawn = wheel_pick(w, res->random_value);
	}
	if (take_limited(conn, g, ok, fallback, err) < 0)
		goto out;

	for (size_t i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		struct spin_result *res = &g->reqs[i]->res;
		res->prize = fallback[i] ? w->fallback : res->drawn;
		row_of[i] = nrows;
		rows[nrows++] = (struct spins_row){
		    .subscriber_id = mem[i].subscriber_id,
		    .seq = mem[i].done + 1,
		    .random_value = res->random_value,
		    .drawn = w->prizes[res->drawn].id,
		    .awarded = w->prizes[res->prize].id,
		    .voucher = res->reward.voucher[0] != '\0' ? res->reward.voucher : NULL,
		};
		if (m != NULL && !mem[i].mission_done) {
			new_mission[i] = 1;
			done_ids[nmission++] = mem[i].subscriber_id;
		}
	}
	if (spins_insert(conn, c->id, c->version, g->day_key, total, rows, nrows, err) < 0 ||
	    (m != NULL &&
	     game_complete_missions(conn, c->id, m->id, g->period, done_ids, nmission, err) < 0))
		goto out;
	if (m != NULL && m->reward.voucher_pool[0] != '\0' && nmission > 0) {
		/* The mission's code is handed out as a reward of its own (not in the reply). */
		char(*codes)[101] = xcalloc(nmission, sizeof(*codes));
		size_t got;
		int vrc = game_take_vouchers(conn, m->reward.voucher_pool, done_ids, nmission,
		                             codes, &got, err);
		free(codes);
		if (vrc < 0)
			goto out;
	}

	for (size_t i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		const struct campaign_reward *r = &w->prizes[g->reqs[i]->res.prize].reward;
		struct game_award_row *a = &aw[naward++];
		*a = (struct game_award_row){.subscriber_id = mem[i].subscriber_id,
		                             .points = r->points,
		                             .chances = r->chances,
		                             .reason = "spin"};
		snprintf(a->ref, sizeof(a->ref), "spin:%lld", rows[row_of[i]].id);
		if (new_mission[i]) {
			a = &aw[naward++];
			*a = (struct game_award_row){.subscriber_id = mem[i].subscriber_id,
			                             .points = m->reward.points,
			                             .chances = m->reward.chances,
			                             .reason = "mission"};
			snprintf(a->ref, sizeof(a->ref), "mission:%s:%s:%lld:%s", c->id, m->id,
			         mem[i].subscriber_id, g->period);
		}
	}
	for (size_t i = 0, k = 0; i < n; i++) {
		if (!ok[i])
			continue;
		struct spin_result *res = &g->reqs[i]->res;
		for (int part = 0; part < 1 + new_mission[i]; part++, k++) {
			res->reward.points += aw[k].points;
			res->reward.chances += aw[k].chances;
		}
		res->outcome = SPIN_WON;
		res->left = w->spins_per_day - (unsigned)mem[i].done - 1;
		who[nwho++] =
		    (struct reward_member){mem[i].subscriber_id, mem[i].qualifying, mem[i].tier};
	}
	if (reward_award_many(conn, c, aw, naward, who, nwho, err) < 0)
		goto out;
	rc = 0;
out:
	free(mem);
	free(rows);
	free(aw);
	free(done_ids);
	free(ok);
	free(fallback);
	free(new_mission);
	free(row_of);
	free(who);
	return rc;
}

int
wheel_spin_many(struct db_conn *conn, struct wheel_spin_req *const *reqs, size_t n,
                struct db_error *err)
{
	struct wheel_spin_req **todo = xcalloc(n > 0 ? n : 1, sizeof(*todo));
	struct spin_group g = {.reqs = xcalloc(n > 0 ? n : 1, sizeof(*g.reqs))};
	size_t ntodo = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const struct campaign *c = reqs[i]->campaign;
		memset(&reqs[i]->res, 0, sizeof(reqs[i]->res));
		if (!c->wheel.enabled || c->wheel.nprizes == 0)
			reqs[i]->res.outcome = SPIN_NO_WHEEL;
		else if (!campaign_running(c, reqs[i]->now))
			reqs[i]->res.outcome = SPIN_NOT_RUNNING;
		else
			todo[ntodo++] = reqs[i];
	}
	/* Groups of one campaign, day and period, each member at most once in a group (a
	 * member's second spin goes to a later group, which sees the first). */
	while (ntodo > 0 && rc == 0) {
		size_t left = 0;
		g.c = todo[0]->campaign;
		g.n = 0;
		tz_day_key(g.c->tz, todo[0]->now, g.day_key);
		const struct campaign_mission *m = campaign_mission_of(g.c, MISSION_SPIN);
		g.period[0] = '\0';
		if (m != NULL)
			reward_period_key(g.c, m->period, todo[0]->now, g.period);
		for (size_t i = 0; i < ntodo; i++) {
			struct wheel_spin_req *r = todo[i];
			char day[11], period[11] = "";
			int same = r->campaign == g.c;
			if (same) {
				tz_day_key(g.c->tz, r->now, day);
				if (m != NULL)
					reward_period_key(g.c, m->period, r->now, period);
				same = strcmp(day, g.day_key) == 0 && strcmp(period, g.period) == 0;
			}
			for (size_t j = 0; same && j < g.n; j++)
				same = g.reqs[j]->subscriber_id != r->subscriber_id;
			if (same)
				g.reqs[g.n++] = r;
			else
				todo[left++] = r;
		}
		ntodo = left;
		rc = spin_group_run(conn, &g, err);
	}
	free(todo);
	free(g.reqs);
	return rc;
}

int
wheel_spin(struct db_conn *conn, const struct campaign *c, long long subscriber_id, time_t now,
           struct spin_result *res, struct db_error *err)
{
	struct wheel_spin_req req = {.campaign = c, .subscriber_id = subscriber_id, .now = now};
	struct wheel_spin_req *one = &req;
	if (wheel_spin_many(conn, &one, 1, err) < 0)
		return -1;
	*res = req.res;
	return 0;
}
