/*
 * points (store) — SQL for spending and expiring points. The ledger's positive rows are
 * lots: `remaining` is what is left of them and `expires_at` when that goes (NULL:
 * never). Spending takes from the lots that expire first (then the older ones); expiry
 * turns what is left of an expired lot into a negative ledger row keyed
 * "expire:<lot id>". Either way the balance on the subscriber row moves in the same
 * transaction as its ledger row and never below zero.
 *
 * Lock order, for every writer of points: the subscriber row first (several: in id
 * order), then that subscriber's lots. Worker threads or the CLI, inside the caller's
 * transaction unless a comment says otherwise.
 */
#ifndef GAMIGATE_STORE_POINTS_H
#define GAMIGATE_STORE_POINTS_H

#include <time.h>

#include "store/db.h"
#include "store/game.h"

enum points_spend_result {
	POINTS_SPENT,     /* the ledger row is written, the lots and the balance went down */
	POINTS_SHORT,     /* the balance is below the amount: nothing changed */
	POINTS_DUPLICATE, /* ref was used before: nothing changed */
};

/*
 * Spends amount (> 0) points of the subscriber: one ledger row (delta -amount, keyed by
 * ref) and the lots it takes from, oldest expiry first, in a savepoint so a refusal
 * leaves nothing behind. balance_r (may be NULL) receives the balance afterwards (the
 * unchanged one when refused). 0 with *result_r set, -1 with err.
 */
int points_spend(struct db_conn *conn, const struct game_scope *scope, long long subscriber_id,
                 long long amount, const char *reason, const char *ref,
                 enum points_spend_result *result_r, long long *balance_r, struct db_error *err);

/* Locks the subscriber row (SELECT ... FOR UPDATE) and reads the balance. 1 locked,
 * 0 no such subscriber, -1 with err. */
int points_lock_subscriber(struct db_conn *conn, long long subscriber_id, long long *balance_r,
                           struct db_error *err);

/* Outside a transaction (a plain read): up to max subscriber ids above after_id, in
 * ascending order, that have a lot expired at now with points left. The count, or -1. */
int points_expired_subscribers(struct db_conn *conn, time_t now, long long after_id,
                               long long *ids_r, unsigned max, struct db_error *err);

struct points_expired {
	long long lots;   /* lots expired */
	long long points; /* points taken off the balance */
};

/*
 * Expires every lot of the subscriber (whose row the caller has locked) that expired at
 * now and still holds points: a ledger row "expiry" keyed "expire:<lot id>" with the
 * lot's campaign, the lot's remaining set to 0, the balance down by as much (never below
 * zero). A lot expired before, here or on another node, is not expired again. Adds what
 * it did to *sum_r. 0 ok, -1 with err.
 */
int points_expire_subscriber(struct db_conn *conn, long long subscriber_id, time_t now,
                             struct points_expired *sum_r, struct db_error *err);

/* A plain read: what expiring at now would take (subscribers, lots, points). */
int points_expiry_preview(struct db_conn *conn, time_t now, long long *subscribers_r,
                          struct points_expired *sum_r, struct db_error *err);

/* Points of one subscriber expiring in a time range, for a warning. */
struct points_due {
	long long subscriber_id;
	long long points;
};

/*
 * A plain read: per subscriber above after_id (ascending, up to max), the points left in
 * lots of campaign_id expiring in [from, to) and after now. The count, or -1.
 */
int points_due_page(struct db_conn *conn, const char *campaign_id, time_t now, time_t from,
                    time_t to, long long after_id, struct points_due *rows_r, unsigned max,
                    struct db_error *err);

/* 1 when the warnings for a campaign's local day are all queued, 0 not yet, -1. */
int points_warning_day_done(struct db_conn *conn, const char *campaign_id, const char *day_key,
                            struct db_error *err);
/* Records that they are (warned = how many were queued by this run). 0 ok, -1. */
int points_warning_day_mark(struct db_conn *conn, const char *campaign_id, const char *day_key,
                            long long warned, struct db_error *err);

/* Records a redemption of a catalog item (what it gave is filled in later with
 * points_redemption_set); its id, the key of its ledger rows, goes to id_r. 0 ok, -1. */
int points_redemption_add(struct db_conn *conn, const struct game_scope *scope,
                          long long subscriber_id, const char *item_id, long long cost,
                          long long *id_r, struct db_error *err);
/* What the redemption gave (voucher NULL when none). 0 ok, -1 with err. */
int points_redemption_set(struct db_conn *conn, long long id, long long points, long long chances,
                          const char *voucher, struct db_error *err);

/* A ledger row as a correction sees it. */
struct points_row {
	long long id;
	long long subscriber_id;
	long long delta;
	long long remaining;
	char campaign_id[41];
	unsigned campaign_version;
	char reason[33];
	char ref[121];
};

/* A plain read of the ledger row keyed ref. 1 found (row_r filled), 0 none, -1. */
int points_row_by_ref(struct db_conn *conn, const char *ref, struct points_row *row_r,
                      struct db_error *err);

enum points_reverse_result {
	POINTS_REVERSED,          /* the compensating row is written */
	POINTS_REVERSE_SHORT,     /* an award whose points are spent already: nothing changed */
	POINTS_REVERSE_DUPLICATE, /* reversed before: nothing changed */
	POINTS_REVERSE_NOTHING,   /* nothing to reverse: the row moved no points, or an
	                           * award's lot expired whole */
};

/*
 * Reverses the ledger row row (read with points_row_by_ref) by a compensating row keyed
 * "reverse:<its ref>" with its campaign, never touching the row itself. An award
 * (delta > 0) is taken back: reason "reversal", from the award's own lot first, then
 * the other lots oldest expiry first, less what of its lot expired already (that left
 * the balance before); as many qualifying points go too (never below 0; the tier waits
 * for the review); refused when the balance is short. A debit (delta < 0) is
 * given back as a new lot, reason "refund" (not qualifying), expiring after expiry_days
 * (0 = never). Locks the subscriber row first. delta_r receives the compensating
 * row's delta (refused as short: what it would have been), balance_r the balance after (unchanged
 * when refused). 0 with *result_r set, -1 with err.
 */
int points_reverse(struct db_conn *conn, const struct points_row *row, unsigned expiry_days,
                   enum points_reverse_result *result_r, long long *delta_r, long long *balance_r,
                   struct db_error *err);

/* Records a support correction's note beside its ledger row (once per ledger_ref).
 * 0 ok, -1. */
int points_correction_note(struct db_conn *conn, const char *ledger_ref, long long subscriber_id,
                           long long delta, const char *note, struct db_error *err);

/* A plain read of the subscriber's number into msisdn_r (17 bytes; "" when none).
 * 0 ok, -1. */
int points_subscriber_msisdn(struct db_conn *conn, long long subscriber_id, char *msisdn_r,
                             struct db_error *err);

#endif
