/*
 * tiers (store) — SQL for the tier review (game/tiers.h): the review claims in
 * tier_reviews, the members a review goes through, what they earned in a period, and
 * setting a member's tier and qualifying points.
 *
 * What counts as qualifying in the ledger: every positive row except a refund (a debit
 * given back, reason "refund"), minus the award reversals (reason "reversal"). Worker
 * threads or the CLI, inside the caller's transaction unless a comment says otherwise.
 */
#ifndef GAMIGATE_STORE_TIERS_H
#define GAMIGATE_STORE_TIERS_H

#include <time.h>

#include "store/db.h"

/* A member as the review sees them. */
struct tiers_member {
	long long id;
	char msisdn[17];
	char tier[33];
	long long qualifying; /* subscribers.qualifying_points */
	int in_campaign;      /* has ledger rows of the campaign */
	long long earned;     /* qualifying points earned in the period reviewed */
	long long since;      /* qualifying points earned after it */
};

/* Locks the review of (campaign, period), creating it when new. 1 with *after_id_r (the
 * last subscriber id done) when it still has members to review, 0 when it is done. */
int tiers_review_claim(struct db_conn *conn, const char *campaign_id, const char *period_key,
                       long long *after_id_r, struct db_error *err);

/* A plain read: 1 when the review of (campaign, period) is done, 0 not, -1. */
int tiers_review_done(struct db_conn *conn, const char *campaign_id, const char *period_key,
                      struct db_error *err);

/* Moves the claimed review on to after_id, adds the counts, and marks it done when done.
 * 0 ok, -1. */
int tiers_review_advance(struct db_conn *conn, const char *campaign_id, const char *period_key,
                         long long after_id, long long reviewed, long long downgraded,
                         long long upgraded, int done, struct db_error *err);

/* Up to max subscribers with a tier and an id above after_id, ascending (locked in that
 * order when lock; a plain read otherwise). The count, or -1. */
int tiers_members_page(struct db_conn *conn, long long after_id, int lock,
                       struct tiers_member *rows, unsigned max, struct db_error *err);

/* Fills in_campaign, earned (qualifying rows of the campaign created in [from, to)) and
 * since (created at or after to) of rows[0..n), which are in ascending id order. 0 ok,
 * -1. */
int tiers_earned(struct db_conn *conn, const char *campaign_id, time_t from, time_t to,
                 struct tiers_member *rows, unsigned n, struct db_error *err);

/* Sets a member's tier and qualifying points. 0 ok, -1. */
int tiers_set(struct db_conn *conn, long long subscriber_id, const char *tier, long long qualifying,
              struct db_error *err);

#endif
