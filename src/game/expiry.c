/*
 * expiry — the expiry job and the expiry warnings. See expiry.h.
 */
#include "game/expiry.h"
#include "core/jalali.h"
#include "core/tz.h"
#include "core/xalloc.h"
#include "game/reward.h"
#include "store/campaigns.h"
#include "store/game.h"
#include "store/points.h"
#include "store/vouchers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BATCH 100
#define MAX_BATCH     1000
#define WARN_PAGE     500 /* subscribers per warning transaction */

/* ---- expiry ---- */

struct batch_tx {
	const long long *ids;
	unsigned n;
	time_t now;
	struct points_expired sum; /* this batch */
	long long subscribers;
};

static int
batch_tx_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct batch_tx *b = arg;
	long long balance;

	memset(&b->sum, 0, sizeof(b->sum));
	b->subscribers = 0;
	/* Every row of the batch first, in id order: the lock order of all point writers. */
	for (unsigned i = 0; i < b->n; i++) {
		if (points_lock_subscriber(conn, b->ids[i], &balance, err) < 0)
			return -1;
	}
	for (unsigned i = 0; i < b->n; i++) {
		long long before = b->sum.lots;
		if (points_expire_subscriber(conn, b->ids[i], b->now, &b->sum, err) < 0)
			return -1;
		b->subscribers += b->sum.lots > before;
	}
	return 0;
}

/* Counts a transaction done and reports progress; full says whether more may follow.
 * 1 when the batch limit stops the run there (st->more is then set). */
static int
batch_done(const struct expiry_options *opt, int full, unsigned *batches, struct expiry_stats *st)
{
	if (opt->progress != NULL)
		opt->progress(st, opt->progress_arg);
	if (full && opt->max_batches != 0 && ++*batches >= opt->max_batches) {
		st->more = 1;
		return 1;
	}
	return 0;
}

static int
expire_all(struct db_conn *conn, const struct expiry_options *opt, unsigned batch,
           unsigned *batches, struct expiry_stats *st, struct db_error *err)
{
	long long *ids = xcalloc(batch, sizeof(*ids));
	long long after = 0;
	int rc = 0;

	for (;;) {
		int n = points_expired_subscribers(conn, opt->now, after, ids, batch, err);
		if (n <= 0) {
			rc = n;
			break;
		}
		struct batch_tx b = {ids, (unsigned)n, opt->now, {0, 0}, 0};
		if (db_tx(conn, batch_tx_run, &b, err) < 0) {
			rc = -1;
			break;
		}
		st->subscribers += b.subscribers;
		st->lots += b.sum.lots;
		st->points += b.sum.points;
		after = ids[n - 1];
		if (batch_done(opt, (unsigned)n == batch, batches, st) || (unsigned)n < batch)
			break;
	}
	free(ids);
	return rc;
}

/* ---- warnings ---- */

struct warn_tx {
	const struct campaign *c;
	const struct points_due *rows;
	unsigned n;
	const char *day_key;
	long long queued;
};

static int
warn_tx_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct warn_tx *w = arg;
	struct game_scope scope;
	char ref[120], vars[96];

	w->queued = 0;
	reward_scope(w->c, &scope);
	for (unsigned i = 0; i < w->n; i++) {
		const struct points_due *d = &w->rows[i];
		snprintf(ref, sizeof(ref), "expwarn:%s:%lld:%s", w->c->id, d->subscriber_id,
		         w->day_key);
		snprintf(vars, sizeof(vars), "{\"points\":\"%lld\",\"date\":\"%s\"}", d->points,
		         w->day_key);
		int rc = game_notify(conn, &scope, d->subscriber_id, "transactional",
		                     "points_expiring", vars, ref, err);
		if (rc < 0)
			return -1;
		w->queued += rc;
	}
	return 0;
}

/* Warns of the lots of c expiring on one local day [from, to). 1 when the day is done,
 * 0 when the batch limit stopped it first, -1 with err. */
static int
warn_day(struct db_conn *conn, const struct expiry_options *opt, const struct campaign *c,
         const char *day_key, time_t from, time_t to, unsigned *batches, struct expiry_stats *st,
         struct db_error *err)
{
	struct points_due *rows = xcalloc(WARN_PAGE, sizeof(*rows));
	long long after = 0, queued = 0;
	int rc = 1;

	for (;;) {
		int n =
		    points_due_page(conn, c->id, opt->now, from, to, after, rows, WARN_PAGE, err);
		if (n < 0) {
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		if (opt->dry_run) {
			st->warnings += n;
		} else {
			struct warn_tx w = {c, rows, (unsigned)n, day_key, 0};
			if (db_tx(conn, warn_tx_run, &w, err) < 0) {
				rc = -1;
				break;
			}
			st->warnings += w.queued;
			queued += w.queued;
		}
		after = rows[n - 1].subscriber_id;
		if (batch_done(opt, n == WARN_PAGE, batches, st)) {
			rc = 0;
			break;
		}
		if (n < WARN_PAGE)
			break;
	}
	free(rows);
	if (rc == 1 && !opt->dry_run &&
	    points_warning_day_mark(conn, c->id, day_key, queued, err) < 0)
		rc = -1;
	return rc;
}

static int
warn_campaign(struct db_conn *conn, const struct expiry_options *opt, const struct campaign *c,
              unsigned *batches, struct expiry_stats *st, struct db_error *err)
{
	struct tz_civil today;
	char day_key[11];

	if (c->expiry_days == 0 || c->expiry_warning_days == 0)
		return 0;
	tz_civil(c->tz, opt->now, &today);
	for (unsigned k = 0; k <= c->expiry_warning_days; k++) {
		time_t from =
		    tz_to_utc(c->tz, today.year, today.month, today.day + (int)k, 0, 0, 0);
		time_t to =
		    tz_to_utc(c->tz, today.year, today.month, today.day + (int)k + 1, 0, 0, 0);
		tz_day_key(c->tz, from, day_key);
		int done = points_warning_day_done(conn, c->id, day_key, err);
		if (done < 0)
			return -1;
		if (done == 1)
			continue;
		int rc = warn_day(conn, opt, c, day_key, from, to, batches, st, err);
		if (rc <= 0)
			return rc;
	}
	return 0;
}

int
expiry_run(struct db_conn *conn, const struct expiry_options *opt, struct expiry_stats *st,
           struct db_error *err)
{
	unsigned batch = opt->batch == 0 ? DEFAULT_BATCH : opt->batch;
	unsigned batches = 0;

	memset(st, 0, sizeof(*st));
	if (batch > MAX_BATCH)
		batch = MAX_BATCH;
	if (opt->dry_run) {
		struct points_expired sum;
		if (points_expiry_preview(conn, opt->now, &st->subscribers, &sum, err) < 0)
			return -1;
		st->lots = sum.lots;
		st->points = sum.points;
	} else if (expire_all(conn, opt, batch, &batches, st, err) < 0) {
		return -1;
	}
	for (unsigned i = 0; i < opt->ncampaigns && !st->more; i++) {
		if (warn_campaign(conn, opt, opt->campaigns[i], &batches, st, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- helpers for the CLI and the daemon ---- */

int
expiry_parse_now(const char *s, time_t *t_r, const char **error_r)
{
	char copy[40];
	struct civil_time ct;
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(copy)) {
		*error_r = "expected a date like 2026-05-01 or 2026-05-01T10:30:00Z";
		return -1;
	}
	memcpy(copy, s, n + 1);
	if (copy[n - 1] == 'Z' || copy[n - 1] == 'z')
		copy[n - 1] = '\0';
	if (date_parse(copy, &ct, error_r) < 0)
		return -1;
	struct tm tm = {.tm_year = ct.year - 1900,
	                .tm_mon = ct.month - 1,
	                .tm_mday = ct.day,
	                .tm_hour = ct.hour,
	                .tm_min = ct.minute,
	                .tm_sec = ct.second};
	*t_r = timegm(&tm);
	return 0;
}

int
expiry_load_campaigns(struct db_conn *conn, const char *default_tz, struct campaign ***list_r,
                      unsigned *n_r, struct buf *errors, struct db_error *err)
{
	static const char *const langs[] = {"fa", "en"};
	struct campaigns_source *src = NULL;
	size_t n = 0;

	*list_r = NULL;
	*n_r = 0;
	if (campaigns_active_sources(conn, &src, &n, err) < 0)
		return -1;
	struct campaign **list = xcalloc(n > 0 ? n : 1, sizeof(*list));
	unsigned got = 0;
	for (size_t i = 0; i < n; i++) {
		char name[96];
		snprintf(name, sizeof(name), "campaign %s version %u", src[i].id, src[i].version);
		struct campaign *c =
		    campaign_parse(src[i].source, src[i].len, name, default_tz, langs, 2, errors);
		if (c == NULL)
			continue;
		c->version = src[i].version;
		list[got++] = c;
	}
	campaigns_sources_free(src, n);
	*list_r = list;
	*n_r = got;
	return 0;
}

void
expiry_campaigns_free(struct campaign **list, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		campaign_free(list[i]);
	free(list);
}

void
expiry_describe_low(const struct vouchers_stock *rows, size_t n, struct buf *out)
{
	size_t shown = 0;
	for (size_t i = 0; i < n; i++) {
		if (!vouchers_low(rows[i].free_codes, rows[i].total))
			continue;
		buf_printf(out, "%s%s (%lld free of %lld)", shown++ > 0 ? ", " : "", rows[i].pool,
		           rows[i].free_codes, rows[i].total);
	}
}
