/*
 * checkin — daily check-in with streaks. Worker threads, in a transaction.
 */
#include "game/checkin.h"
#include "core/tz.h"
#include "core/xalloc.h"
#include "store/checkins.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The local day of now and the day before, in c's zone. */
static void
days_of(const struct campaign *c, time_t now, char today[11], char yesterday[11])
{
	tz_day_key(c->tz, now, today);
	/* The local day before today: an instant inside it is today's local midnight minus
	 * a moment, whatever the zone's offset. */
	struct tz_civil civ;
	tz_civil(c->tz, now, &civ);
	time_t midnight = tz_to_utc(c->tz, civ.year, civ.month, civ.day, 0, 0, 0);
	tz_day_key(c->tz, midnight - 1, yesterday);
}

/* Hands the vouchers of a reward to the members who[0..k) (their results in res[]),
 * each a code or voucher_missing. */
static int
give_vouchers(struct db_conn *conn, const char *pool, const long long *who,
              struct reward_result *const *res, size_t k, struct db_error *err)
{
	if (pool[0] == '\0' || k == 0)
		return 0;
	char(*codes)[101] = xcalloc(k, sizeof(*codes));
	size_t got = 0;
	int rc = game_take_vouchers(conn, pool, who, k, codes, &got, err);
	for (size_t i = 0; rc == 0 && i < k; i++) {
		if (i < got)
			snprintf(res[i]->voucher, sizeof(res[i]->voucher), "%s", codes[i]);
		else
			res[i]->voucher_missing = 1;
	}
	free(codes);
	return rc;
}

/* One group: check-ins of one campaign on one local day, of different members. */
static int
checkin_group(struct db_conn *conn, const struct campaign *c, const char *today,
              const char *yesterday, struct checkin_req **reqs, size_t n, struct db_error *err)
{
	const struct campaign_mission *m = campaign_mission_of(c, MISSION_CHECKIN);
	struct checkins_member *mem = xcalloc(n, sizeof(*mem));
	long long *ids = xcalloc(n, sizeof(*ids)), *mission_ids = xcalloc(n, sizeof(*ids));
	long long *vwho = xcalloc(n, sizeof(*vwho));
	struct reward_result **vres = xcalloc(n, sizeof(*vres));
	unsigned *streaks = xcalloc(n, sizeof(*streaks));
	struct game_award_row *aw = xcalloc(n * 2, sizeof(*aw));
	struct reward_member *who = xcalloc(n, sizeof(*who));
	size_t nnew = 0, nmission = 0, naw = 0, nwho = 0, nv;
	int rc = -1;

	for (size_t i = 0; i < n; i++)
		mem[i].subscriber_id = reqs[i]->subscriber_id;
	if (checkins_members(conn, c->id, m->id, today, yesterday, mem, n, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct checkin_result *res = &reqs[i]->res;
		if (mem[i].today >= 0) {
			res->outcome = CHECKIN_ALREADY;
			res->streak = (unsigned)mem[i].today;
			continue;
		}
		res->outcome = CHECKIN_DONE;
		res->streak = (unsigned)mem[i].yesterday + 1;
		res->bonus = m->streak_days > 0 && res->streak % m->streak_days == 0;
		ids[nnew] = mem[i].subscriber_id;
		streaks[nnew++] = res->streak;
		if (!mem[i].mission_done)
			mission_ids[nmission++] = mem[i].subscriber_id;
		/* An award already in the ledger (a check-in row deleted by hand) is not made
		 * again, like any award with a ref. */
		if (!mem[i].awarded && (m->reward.points != 0 || m->reward.chances != 0)) {
			aw[naw] = (struct game_award_row){mem[i].subscriber_id,
			                                  m->reward.points,
			                                  m->reward.chances,
			                                  "checkin",
			                                  "",
			                                  NULL};
			snprintf(aw[naw++].ref, sizeof(aw[0].ref), "checkin:%s:%lld:%s", c->id,
			         mem[i].subscriber_id, today);
			res->reward.points = m->reward.points;
			res->reward.chances = m->reward.chances;
		}
		if (res->bonus && !mem[i].bonus_awarded &&
		    (m->streak_reward.points != 0 || m->streak_reward.chances != 0)) {
			aw[naw] = (struct game_award_row){mem[i].subscriber_id,
			                                  m->streak_reward.points,
			                                  m->streak_reward.chances,
			                                  "streak",
			                                  "",
			                                  NULL};
			snprintf(aw[naw++].ref, sizeof(aw[0].ref), "streak:%s:%lld:%s", c->id,
			         mem[i].subscriber_id, today);
			res->bonus_reward.points = m->streak_reward.points;
			res->bonus_reward.chances = m->streak_reward.chances;
		}
		who[nwho++] =
		    (struct reward_member){mem[i].subscriber_id, mem[i].qualifying, mem[i].tier};
	}
	if (checkins_insert(conn, c->id, today, ids, streaks, nnew, err) < 0 ||
	    game_complete_missions(conn, c->id, m->id, today, mission_ids, nmission, err) < 0 ||
	    reward_award_many(conn, c, aw, naw, who, nwho, err) < 0)
		goto out;
	/* Vouchers of the day's reward, then of the streak bonus. */
	nv = 0;
	for (size_t i = 0; i < n; i++) {
		if (reqs[i]->res.outcome == CHECKIN_DONE && !mem[i].awarded) {
			vwho[nv] = mem[i].subscriber_id;
			vres[nv++] = &reqs[i]->res.reward;
		}
	}
	if (give_vouchers(conn, m->reward.voucher_pool, vwho, vres, nv, err) < 0)
		goto out;
	nv = 0;
	for (size_t i = 0; i < n; i++) {
		if (reqs[i]->res.outcome == CHECKIN_DONE && reqs[i]->res.bonus &&
		    !mem[i].bonus_awarded) {
			vwho[nv] = mem[i].subscriber_id;
			vres[nv++] = &reqs[i]->res.bonus_reward;
		}
	}
	if (give_vouchers(conn, m->streak_reward.voucher_pool, vwho, vres, nv, err) < 0)
		goto out;
	rc = 0;
out:
	free(mem);
	free(ids);
	free(mission_ids);
	free(vwho);
	free(vres);
	free(streaks);
	free(aw);
	free(who);
	return rc;
}

int
checkin_run_many(struct db_conn *conn, struct checkin_req *const *reqs, size_t n,
                 struct db_error *err)
{
	struct checkin_req **todo = xcalloc(n > 0 ? n : 1, sizeof(*todo));
	struct checkin_req **group = xcalloc(n > 0 ? n : 1, sizeof(*group));
	size_t ntodo = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const struct campaign *c = reqs[i]->campaign;
		memset(&reqs[i]->res, 0, sizeof(reqs[i]->res));
		if (campaign_mission_of(c, MISSION_CHECKIN) == NULL)
			reqs[i]->res.outcome = CHECKIN_NO_MISSION;
		else if (!campaign_running(c, reqs[i]->now))
			reqs[i]->res.outcome = CHECKIN_NOT_RUNNING;
		else
			todo[ntodo++] = reqs[i];
	}
	/* Groups of one campaign and day, each member at most once in a group. */
	while (ntodo > 0 && rc == 0) {
		const struct campaign *c = todo[0]->campaign;
		char today[11], yesterday[11];
		size_t left = 0, ng = 0;
		days_of(c, todo[0]->now, today, yesterday);
		for (size_t i = 0; i < ntodo; i++) {
			struct checkin_req *r = todo[i];
			char day[11], before[11];
			int same = r->campaign == c;
			if (same) {
				days_of(c, r->now, day, before);
				same = strcmp(day, today) == 0;
			}
			for (size_t j = 0; same && j < ng; j++)
				same = group[j]->subscriber_id != r->subscriber_id;
			if (same)
				group[ng++] = r;
			else
				todo[left++] = r;
		}
		ntodo = left;
		rc = checkin_group(conn, c, today, yesterday, group, ng, err);
	}
	free(todo);
	free(group);
	return rc;
}

int
checkin_run(struct db_conn *conn, const struct campaign *c, long long subscriber_id, time_t now,
            struct checkin_result *res, struct db_error *err)
{
	struct checkin_req req = {.campaign = c, .subscriber_id = subscriber_id, .now = now};
	struct checkin_req *one = &req;
	if (checkin_run_many(conn, &one, 1, err) < 0)
		return -1;
	*res = req.res;
	return 0;
}
