/*
 * referral — referral codes applied, rewards, milestones and referral missions (see
 * referral.h). Worker threads, in a transaction.
 */
#include "game/referral.h"
#include "core/buf.h"
#include "core/tz.h"
#include "game/refcode.h"
#include "store/game.h"
#include "store/referrals.h"

#include <stdio.h>
#include <string.h>

/* Gives r to sid once per ref and, when that gave anything, queues the notice
 * template_key for them with the reward and extra (JSON members or "") as values. */
static int
give(struct db_conn *conn, const struct campaign *c, long long sid, const struct campaign_reward *r,
     const char *reason, const char *ref, const char *template_key, const char *extra,
     struct reward_result *rr_r, struct db_error *err)
{
	struct game_scope scope;
	struct buf vars = BUF_INIT;
	int rc = 0;

	if (reward_apply(conn, c, sid, r, reason, ref, 1, rr_r, err) < 0)
		return -1;
	if (template_key == NULL ||
	    (rr_r->points == 0 && rr_r->chances == 0 && rr_r->voucher[0] == '\0'))
		return 0;
	buf_printf(&vars, "{%s\"points\":%lld,\"chances\":%lld", extra, rr_r->points,
	           rr_r->chances);
	if (rr_r->voucher[0] != '\0') {
		buf_puts(&vars, ",\"voucher\":");
		buf_json_str(&vars, rr_r->voucher);
	}
	buf_putc(&vars, '}');
	reward_scope(c, &scope);
	if (game_notify(conn, &scope, sid, "transactional", template_key, buf_cstr(&vars), ref,
	                err) < 0)
		rc = -1;
	buf_free(&vars);
	return rc;
}

int
referral_count_for_mission(struct db_conn *conn, const struct campaign *c,
                           const struct campaign_mission *m, long long referrer, time_t now,
                           long long *count_r, struct db_error *err)
{
	static const enum referrals_period periods[] = {
	    [PERIOD_DAY] = REFERRALS_DAY,
	    [PERIOD_WEEK] = REFERRALS_WEEK,
	    [PERIOD_CAMPAIGN] = REFERRALS_CAMPAIGN,
	};
	char period[11];
	reward_period_key(c, m->period, now, period);
	return referrals_count_period(conn, c->id, referrer, periods[m->period], period, count_r,
	                              err);
}

/* The referrer's "referrals" missions after one more rewarded referral at now: stages
 * at their counts, completion once per period. */
static int
missions_step(struct db_conn *conn, const struct campaign *c, long long referrer, time_t now,
              struct db_error *err)
{
	struct game_scope scope;
	struct reward_result rr;
	char period[11], ref[160], extra[80];
	long long count = 0;

	reward_scope(c, &scope);
	for (unsigned i = 0; i < c->nmissions; i++) {
		const struct campaign_mission *m = &c->missions[i];
		if (m->type != MISSION_REFERRALS)
			continue;
		reward_period_key(c, m->period, now, period);
		if (referral_count_for_mission(conn, c, m, referrer, now, &count, err) < 0)
			return -1;
		snprintf(extra, sizeof(extra), "\"mission\":\"%s\",\"count\":%lld,", m->id, count);
		/* Counts rise by one under the referrer's counter lock: each is seen once. */
		for (unsigned k = 0; k < m->nstages; k++) {
			if (m->stages[k].count != count)
				continue;
			snprintf(ref, sizeof(ref), "stage:%s:%s:%lld:%s:%lld", c->id, m->id,
			         referrer, period, count);
			if (give(conn, c, referrer, &m->stages[k].reward, "mission_stage", ref,
			         "mission_stage", extra, &rr, err) < 0)
				return -1;
		}
		if (count < m->count)
			continue;
		int fresh = game_complete_mission(conn, &scope, referrer, m->id, period, err);
		if (fresh < 0)
			return -1;
		if (fresh == 0)
			continue; /* completed earlier in this period */
		snprintf(ref, sizeof(ref), "mission:%s:%s:%lld:%s", c->id, m->id, referrer, period);
		if (give(conn, c, referrer, &m->reward, "mission", ref, "mission_complete", extra,
		         &rr, err) < 0)
			return -1;
	}
	return 0;
}

/*
 * Gives everything a rewarded referral earns: count is the referrer's rewarded
 * referrals in the campaign including this one. The referee's reward goes to
 * referee_r; with notify_referee they are told by a notice as well (the reply told
 * them nothing yet).
 */
static int
settle(struct db_conn *conn, const struct campaign *c, long long id, long long referrer,
       long long referee, long long count, time_t now, int notify_referee,
       struct reward_result *referee_r, struct db_error *err)
{
	const struct campaign_referral *rp = &c->referral;
	struct reward_result rr;
	char ref[160], extra[48];

	snprintf(ref, sizeof(ref), "referral:%lld:referee", id);
	if (give(conn, c, referee, &rp->referee_reward, "referral", ref,
	         notify_referee ? "referral_activated" : NULL, "", referee_r, err) < 0)
		return -1;
	snprintf(ref, sizeof(ref), "referral:%lld:referrer", id);
	snprintf(extra, sizeof(extra), "\"friends\":%lld,", count);
	if (give(conn, c, referrer, &rp->referrer_reward, "referral", ref, "referral_rewarded",
	         extra, &rr, err) < 0)
		return -1;
	for (unsigned i = 0; i < rp->nmilestones; i++) {
		if (rp->milestones[i].count != count)
			continue;
		snprintf(ref, sizeof(ref), "refms:%s:%lld:%lld", c->id, referrer, count);
		if (give(conn, c, referrer, &rp->milestones[i].reward, "referral_milestone", ref,
		         "referral_milestone", extra, &rr, err) < 0)
			return -1;
	}
	return missions_step(conn, c, referrer, now, err);
}

int
referral_claim(struct db_conn *conn, const struct campaign *c, long long referee_id,
               const char *code, time_t now, struct referral_result *res, struct db_error *err)
{
	const struct campaign_referral *rp = &c->referral;
	struct referrals_member referrer_state, referee_state;
	struct game_scope scope;
	char day[11], week[11];
	long long referrer = 0, other = 0, count = 0;

	memset(res, 0, sizeof(*res));
	if (!campaign_running(c, now)) {
		res->outcome = REFERRAL_NOT_RUNNING;
		return 0;
	}
	if (!rp->enabled) {
		res->outcome = REFERRAL_OFF;
		return 0;
	}
	if (refcode_decode(code, &referrer) != REFCODE_OK) {
		res->outcome = REFERRAL_INVALID;
		return 0;
	}
	int has = referrals_referrer_of(conn, referee_id, &other, err);
	if (has < 0)
		return -1;
	if (has == 1) {
		res->outcome = REFERRAL_ALREADY;
		return 0;
	}
	if (referrer == referee_id) {
		res->outcome = REFERRAL_SELF;
		return 0;
	}
	if (referrals_member_state(conn, referrer, 0, &referrer_state, err) < 0)
		return -1;
	/* A member's row is locked before the loop check: two members naming each other
	 * at the same moment then wait for one another (a deadlock, retried) instead of
	 * both passing the check. */
	if (referrer_state.member &&
	    referrals_member_state(conn, referrer, 1, &referrer_state, err) < 0)
		return -1;
	if (!referrer_state.member) {
		res->outcome = REFERRAL_UNKNOWN;
		return 0;
	}
	has = referrals_referrer_of(conn, referrer, &other, err);
	if (has < 0)
		return -1;
	if (has == 1 && other == referee_id) {
		res->outcome = REFERRAL_MUTUAL;
		return 0;
	}
	if (referrals_member_state(conn, referee_id, 0, &referee_state, err) < 0)
		return -1;
	if (!referee_state.member || referee_state.joined_ago_s < 0 ||
	    referee_state.joined_ago_s > (long long)rp->window_days * 86400) {
		res->outcome = REFERRAL_TOO_LATE;
		return 0;
	}
	if (rp->require_active) {
		/* Only a hint now: the slot is taken when the referral is settled. */
		if (referrals_rewarded(conn, c->id, referrer, &count, err) < 0)
			return -1;
		if (count >= (long long)rp->cap) {
			res->outcome = REFERRAL_CAP;
			return 0;
		}
	}

	reward_scope(c, &scope);
	tz_day_key(c->tz, now, day);
	tz_week_key(c->tz, now, week);
	struct referrals_new r = {
	    .referrer_id = referrer,
	    .referee_id = referee_id,
	    .cap = rp->cap,
	    .pending = rp->require_active,
	    .day_key = day,
	    .week_key = week,
	};
	enum referrals_claim claimed;
	if (referrals_claim(conn, &scope, &r, &claimed, &res->referral_id, &count, err) < 0)
		return -1;
	switch (claimed) {
	case REFERRALS_ALREADY:
		res->outcome = REFERRAL_ALREADY;
		return 0;
	case REFERRALS_CAPPED:
		res->outcome = REFERRAL_CAP;
		return 0;
	case REFERRALS_CLAIMED:
		break;
	}
	if (rp->require_active) {
		res->outcome = REFERRAL_PENDING;
		return 0;
	}
	if (settle(conn, c, res->referral_id, referrer, referee_id, count, now, 0, &res->reward,
	           err) < 0)
		return -1;
	res->outcome = REFERRAL_DONE;
	return 0;
}

int
referral_on_activity(struct db_conn *conn, const struct campaign *c, long long subscriber_id,
                     struct db_error *err)
{
	const struct campaign_referral *rp = &c->referral;
	struct reward_result rr;
	enum referrals_claim settled;
	char day[11], week[11];
	long long id = 0, referrer = 0, count = 0;
	time_t now = time(NULL);

	if (!rp->enabled || !rp->require_active)
		return 0;
	int found = referrals_pending_of(conn, c->id, subscriber_id, &id, &referrer, err);
	if (found <= 0)
		return found;
	tz_day_key(c->tz, now, day);
	tz_week_key(c->tz, now, week);
	if (referrals_activate(conn, c->id, id, referrer, rp->cap, day, week, &settled, &count,
	                       err) < 0)
		return -1;
	if (settled != REFERRALS_CLAIMED)
		return 0;
	if (settle(conn, c, id, referrer, subscriber_id, count, now, 1, &rr, err) < 0)
		return -1;
	return 1;
}
