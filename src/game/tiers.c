/*
 * tiers — the tier review. See tiers.h.
 */
#include "game/tiers.h"
#include "core/tz.h"
#include "game/reward.h"
#include "store/game.h"
#include "store/tiers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_DEFAULT 100
#define BATCH_MAX     1000

int
tiers_due(const struct campaign *c, time_t now, char key_r[24], time_t *from_r, time_t *to_r)
{
	if (c->ntiers == 0 || c->tz == NULL)
		return 0;
	switch (c->tier_review) {
	case TIER_REVIEW_NEVER:
		return 0;
	case TIER_REVIEW_CAMPAIGN_END:
		if (now < c->ends)
			return 0;
		snprintf(key_r, 24, "end");
		*from_r = c->starts;
		*to_r = c->ends;
		return 1;
	case TIER_REVIEW_MONTHLY:
		break;
	}
	struct tz_civil cv;
	tz_civil(c->tz, now, &cv);
	int y = cv.year, m = cv.month - 1;
	if (m == 0) {
		m = 12;
		y--;
	}
	time_t from = tz_to_utc(c->tz, y, m, 1, 0, 0, 0);
	time_t to = tz_to_utc(c->tz, cv.year, cv.month, 1, 0, 0, 0);
	/* Only a month the campaign ran in. */
	if (to <= c->starts || from >= c->ends)
		return 0;
	snprintf(key_r, 24, "%04d-%02d", y, m);
	*from_r = from;
	*to_r = to;
	return 1;
}

/* A change decided in a batch, reported once the batch has committed. */
struct pending_change {
	long long subscriber_id;
	char msisdn[17];
	int from, to;
	long long earned;
};

struct batch {
	const struct tiers_options *opt;
	const struct campaign *c;
	const char *key;
	time_t from, to;
	long long after_id; /* in: where the dry run is; out: where this batch ended */
	struct tiers_member *rows;
	unsigned size;
	/* filled by one attempt of the body */
	int finished; /* 1: done with this batch; 2: it was done before it */
	long long reviewed, down, up;
	struct pending_change *changes;
	unsigned nchanges;
};

/* The tier member m goes to (an index into c->tiers), or -1 when m is not a member. */
static int
review_target(const struct campaign *c, const struct tiers_member *m, int *current_r)
{
	int cur = reward_tier_index(c, m->tier);
	*current_r = cur;
	if (!m->in_campaign || cur < 0)
		return -1;
	if (c->tier_review == TIER_REVIEW_CAMPAIGN_END)
		return 0;
	int t = reward_tier_for(c, m->earned);
	int live = reward_tier_for(c, m->since);
	if (live > t)
		t = live;
	return t < 0 ? 0 : t;
}

static int
batch_body(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct batch *b = arg;
	const struct campaign *c = b->c;
	struct game_scope scope = {c->id, c->version};
	long long after_id = b->after_id;

	b->finished = 0;
	b->reviewed = b->down = b->up = 0;
	b->nchanges = 0;
	if (!b->opt->dry_run) {
		int rc = tiers_review_claim(conn, c->id, b->key, &after_id, err);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			b->finished = 2; /* by another run */
			return 0;
		}
	}
	int n = tiers_members_page(conn, after_id, !b->opt->dry_run, b->rows, b->size, err);
	if (n < 0 || tiers_earned(conn, c->id, b->from, b->to, b->rows, (unsigned)n, err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const struct tiers_member *m = &b->rows[i];
		int cur = -1, target = review_target(c, m, &cur);
		if (target < 0)
			continue;
		b->reviewed++;
		long long qualifying = m->since < 0 ? 0 : m->since;
		if (target != cur) {
			struct pending_change *pc = &b->changes[b->nchanges++];
			pc->subscriber_id = m->id;
			snprintf(pc->msisdn, sizeof(pc->msisdn), "%s", m->msisdn);
			pc->from = cur;
			pc->to = target;
			pc->earned = m->earned;
			if (target < cur)
				b->down++;
			else
				b->up++;
		}
		if (b->opt->dry_run)
			continue;
		if (target == cur && qualifying == m->qualifying)
			continue;
		if (tiers_set(conn, m->id, c->tiers[target].id, qualifying, err) < 0)
			return -1;
		if (target == cur || c->tier_review != TIER_REVIEW_MONTHLY)
			continue;
		char ref[160], vars[80];
		snprintf(ref, sizeof(ref), "%s:%s:%s:%lld", target < cur ? "tierdown" : "tierup",
		         c->id, b->key, m->id);
		snprintf(vars, sizeof(vars), "{\"tier\":\"%s\"}", c->tiers[target].id);
		if (game_notify(conn, &scope, m->id, "transactional",
		                target < cur ? "tier_downgrade" : "tier_upgrade", vars, ref,
		                err) < 0)
			return -1;
	}
	if (n > 0)
		after_id = b->rows[n - 1].id;
	b->finished = (unsigned)n < b->size;
	b->after_id = after_id;
	if (b->opt->dry_run)
		return 0;
	return tiers_review_advance(conn, c->id, b->key, after_id, b->reviewed, b->down, b->up,
	                            b->finished, err);
}

/* Runs the due review of one campaign. 0 ok, -1 with err. *batches_r counts the
 * transactions. */
static int
review_campaign(struct db_conn *conn, const struct tiers_options *opt, const struct campaign *c,
                struct tiers_stats *st, unsigned *batches_r, struct db_error *err)
{
	char key[24];
	time_t from, to;
	if (!tiers_due(c, opt->now, key, &from, &to))
		return 0;
	int done = tiers_review_done(conn, c->id, key, err);
	if (done != 0)
		return done < 0 ? -1 : 0;

	unsigned size = opt->batch == 0 ? BATCH_DEFAULT : opt->batch;
	if (size > BATCH_MAX)
		size = BATCH_MAX;
	struct batch b = {.opt = opt, .c = c, .key = key, .from = from, .to = to, .size = size};
	b.rows = calloc(size, sizeof(*b.rows));
	b.changes = calloc(size, sizeof(*b.changes));
	if (b.rows == NULL || b.changes == NULL)
		abort();
	int rc = 0;
	for (;;) {
		if (opt->max_batches > 0 && *batches_r >= opt->max_batches) {
			st->more = 1;
			break;
		}
		int r = opt->dry_run ? batch_body(conn, &b, err) : db_tx(conn, batch_body, &b, err);
		if (r < 0) {
			rc = -1;
			break;
		}
		(*batches_r)++;
		st->reviewed += b.reviewed;
		st->downgraded += b.down;
		st->upgraded += b.up;
		for (unsigned i = 0; i < b.nchanges && opt->change != NULL; i++) {
			const struct pending_change *pc = &b.changes[i];
			struct tiers_change ch = {c->id,
			                          key,
			                          pc->subscriber_id,
			                          pc->msisdn,
			                          pc->from >= 0 ? c->tiers[pc->from].id : "",
			                          c->tiers[pc->to].id,
			                          pc->earned};
			opt->change(&ch, opt->arg);
		}
		if (opt->progress != NULL)
			opt->progress(st, opt->arg);
		if (b.finished) {
			st->reviews += b.finished == 1;
			break;
		}
	}
	free(b.rows);
	free(b.changes);
	return rc;
}

int
tiers_review_run(struct db_conn *conn, const struct tiers_options *opt, struct tiers_stats *st_r,
                 struct db_error *err)
{
	unsigned batches = 0;
	memset(st_r, 0, sizeof(*st_r));
	for (unsigned i = 0; i < opt->ncampaigns; i++) {
		const struct campaign *c = opt->campaigns[i];
		if (opt->campaign_id != NULL && strcmp(opt->campaign_id, c->id) != 0)
			continue;
		if (review_campaign(conn, opt, c, st_r, &batches, err) < 0)
			return -1;
		if (st_r->more)
			break;
	}
	return 0;
}
