/*
 * tiers — the tier review: tiers go up live (game/reward.h) and down only here, at the
 * period review the campaign's "tier_review" defines.
 *
 * monthly: once the local month (campaign time zone, Gregorian months) has ended, each
 * member's tier becomes the tier for the qualifying points earned in that month from
 * the campaign (never below the entry tier, and never below what they have earned in
 * the new month so far, which the live upgrades already gave them); qualifying_points
 * becomes the points earned since the month ended, so POINTS shows and live upgrades
 * count the current period. A member who goes down gets a "tier_downgrade"
 * notification ({"tier": id}, ref "tierdown:<campaign>:<month>:<subscriber>"). Only the
 * last month that ended is reviewed (a month the daemon missed is not reviewed late).
 *
 * campaign_end: once the campaign has ended, every member goes back to the entry tier
 * and qualifying_points restarts (at what was earned from the campaign after its end,
 * normally 0). No notification: the campaign is over.
 *
 * Members are subscribers holding one of the campaign's tiers and having ledger rows of
 * it. A review is claimed in tier_reviews keyed (campaign, period) and goes in batches,
 * each one transaction that locks the review row, then the batch's subscriber rows in
 * id order (as every writer of points does), so it runs once even when started twice or
 * on several nodes at once, and members can keep playing meanwhile.
 *
 * Runs on whatever thread owns the connection; the campaigns are only read.
 */
#ifndef GAMIGATE_GAME_TIERS_H
#define GAMIGATE_GAME_TIERS_H

#include <time.h>

#include "game/campaign.h"
#include "store/db.h"

struct tiers_stats {
	long long reviews;    /* reviews finished by this run (dry run: that would run) */
	long long reviewed;   /* members reviewed */
	long long downgraded; /* (dry run: would be) */
	long long upgraded;
	int more; /* stopped at max_batches with work left */
};

/* One member whose tier changes (or would, in a dry run). */
struct tiers_change {
	const char *campaign_id;
	const char *period_key;
	long long subscriber_id;
	const char *msisdn;
	const char *from, *to;
	long long earned; /* qualifying points of the period reviewed */
};

struct tiers_options {
	time_t now;
	int dry_run;                       /* read only: report the changes, change nothing */
	unsigned batch;                    /* members per transaction; 0 = 100 */
	unsigned max_batches;              /* stop after this many transactions; 0 = when done */
	const char *campaign_id;           /* only this campaign; NULL = all */
	struct campaign *const *campaigns; /* the active campaigns */
	unsigned ncampaigns;
	/* After every batch with the totals so far (may be NULL). */
	void (*progress)(const struct tiers_stats *so_far, void *arg);
	/* For every member whose tier changes, after its batch committed (may be NULL). */
	void (*change)(const struct tiers_change *ch, void *arg);
	void *arg;
};

/* The review period of campaign c due at now: 1 with its key ("2026-05" or "end") and
 * its UTC bounds [from, to); 0 when none is due (tier_review "never", no tiers, the
 * first month not over yet). */
int tiers_due(const struct campaign *c, time_t now, char key_r[24], time_t *from_r, time_t *to_r);

/* Runs the reviews due at opt->now. 0 ok (stats filled), -1 with err (the batches
 * before stay done; the next run carries on). */
int tiers_review_run(struct db_conn *conn, const struct tiers_options *opt,
                     struct tiers_stats *st_r, struct db_error *err);

#endif
