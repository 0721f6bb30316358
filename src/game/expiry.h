/*
 * expiry — points that expire, and the warnings before they do.
 *
 * Expiry: every lot whose expires_at has come and that still holds points is closed by
 * a negative ledger row "expiry" keyed "expire:<lot id>" (so two runs, or two nodes at
 * once, expire it once), with the balance down by as much, never below zero. Subscribers
 * go in batches, one transaction per batch, their rows locked first in id order (the
 * order every writer of points uses, so redemptions and expiry cannot deadlock on them).
 *
 * Warnings: for a campaign with points.expiry_warning_days = W, the lots expiring on each
 * local day from today to today + W get one pending notification per subscriber and day
 * ("points_expiring", {"points": "<points left in those lots>", "date": "YYYY-MM-DD"},
 * keyed "expwarn:<campaign>:<subscriber>:<day>"). A day whose warnings are all queued is
 * recorded and not looked at again.
 *
 * Runs on whatever thread owns the connection (a pool worker, the CLI); the campaigns
 * are only read.
 */
#ifndef GAMIGATE_GAME_EXPIRY_H
#define GAMIGATE_GAME_EXPIRY_H

#include <time.h>

#include "core/buf.h"
#include "game/campaign.h"
#include "store/db.h"
#include "store/vouchers.h"

struct expiry_stats {
	long long subscribers; /* whose points expired (dry run: would) */
	long long lots;
	long long points;
	long long warnings; /* queued (dry run: subscriber-days that would be warned) */
	int more;           /* stopped at max_batches with work left */
};

struct expiry_options {
	time_t now;
	int dry_run;                       /* count, change nothing */
	unsigned batch;                    /* subscribers per transaction; 0 = 100 */
	unsigned max_batches;              /* stop after this many transactions; 0 = when done */
	struct campaign *const *campaigns; /* for the warnings (may be NULL with 0) */
	unsigned ncampaigns;
	/* Called after every batch with the totals so far (may be NULL). */
	void (*progress)(const struct expiry_stats *so_far, void *arg);
	void *progress_arg;
};

/* Expires what has expired at opt->now, then queues the warnings. 0 ok (stats filled),
 * -1 with err (the batches before stay done; stats say how far it got). */
int expiry_run(struct db_conn *conn, const struct expiry_options *opt, struct expiry_stats *st_r,
               struct db_error *err);

/* Parses --now: "2026-05-01", "2026-05-01T10:30", "2026-05-01 10:30:15", with an optional
 * trailing "Z"; always UTC (a year below 1700 is Jalali, as in campaign files). 0 ok, -1
 * with *error_r (static text). */
int expiry_parse_now(const char *s, time_t *t_r, const char **error_r);

/* Parses the campaigns active in the database (for the CLI; the daemon has its own).
 * Those that no longer parse are reported in errors and left out. Free the array with
 * expiry_campaigns_free. 0 ok, -1 with err. */
int expiry_load_campaigns(struct db_conn *conn, const char *default_tz, struct campaign ***list_r,
                          unsigned *n_r, struct buf *errors, struct db_error *err);
void expiry_campaigns_free(struct campaign **list, unsigned n);

/* Appends "pool (free of total)" for every voucher pool of rows (vouchers_list) that is
 * low on stock, separated by ", " — for the periodic check that also covers the wheel's
 * vouchers. */
void expiry_describe_low(const struct vouchers_stock *rows, size_t n, struct buf *out);

#endif
