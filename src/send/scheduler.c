/*
 * scheduler — starting firings and materialising runs (see scheduler.h).
 */
#include "send/scheduler.h"
#include "core/tz.h"
#include "core/xalloc.h"
#include "send/reminder.h"
#include "store/reminders.h"
#include "text/sms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUE_PER_TICK 16

const char *const scheduler_langs[] = {"fa", "en"};
const unsigned scheduler_nlangs = 2;

static struct reminder *
load_def(const struct scheduler_opts *o, const char *id, const char *json, struct buf *errors)
{
	return reminder_parse(json, strlen(json), id, o->langs, o->nlangs, o->default_tz, 0,
	                      errors);
}

struct start_ctx {
	const struct scheduler_opts *o;
	unsigned started;
};

static int
start_tx(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct start_ctx *c = arg;
	struct reminder_row rows[DUE_PER_TICK];
	time_t scheduled[DUE_PER_TICK];
	unsigned n = 0;
	int rc = 0;

	c->started = 0;
	if (reminders_due(conn, DUE_PER_TICK, rows, &n, scheduled, err) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		struct buf errors = BUF_INIT;
		struct reminder *r = load_def(c->o, rows[i].id, rows[i].definition, &errors);
		time_t next = 0;
		if (r != NULL) {
			int created = reminders_start_run(conn, rows[i].id, scheduled[i], err);
			if (created < 0)
				rc = -1;
			c->started += created == 1;
			/* Firings missed while no node ran are not made up: the next one is the
			 * first after now. */
			time_t from = scheduled[i] > c->o->now ? scheduled[i] : c->o->now;
			next = reminder_next(r, from);
		}
		/* A definition that no longer parses stops instead of firing every tick. */
		if (rc == 0 &&
		    reminders_set(conn, rows[i].id, next != 0 ? "active" : "done", next, err) < 0)
			rc = -1;
		reminder_free(r);
		buf_free(&errors);
	}
	for (unsigned i = 0; i < n; i++)
		free(rows[i].definition);
	return rc;
}

struct batch_ctx {
	const struct scheduler_opts *o;
	const struct reminder *r;
	long long run_id;
	/* results of the last attempt */
	int lost; /* the run is no longer ours */
	int done;
	unsigned long long queued, refused;
	unsigned segments[2]; /* SMS parts of each language's text, with long values */
	const char *too_long; /* the texts are longer than the provider takes */
};

/* The parts each language's text takes with a long points value and tier filled in,
 * and whether that is more than env->max_segments. */
static void
measure_texts(struct batch_ctx *c)
{
	for (unsigned i = 0; i < 2; i++) {
		struct buf t = BUF_INIT;
		struct sms_info info;
		unsigned k = i < c->r->nlangs ? i : 0;
		reminder_render(c->r, c->r->langs[k], 999999999999LL, "platinum-plus", &t);
		sms_measure(buf_cstr(&t), &info);
		c->segments[i] = info.segments;
		if (c->o->env->max_segments > 0 && info.segments > c->o->env->max_segments)
			c->too_long = "text too long for the provider (more SMS parts than "
			              "sms.max_segments)";
		buf_free(&t);
	}
}

static int
batch_tx(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct batch_ctx *c = arg;
	const struct scheduler_opts *o = c->o;
	long long cursor = 0, last = 0;
	unsigned n = 0;
	char day[11];

	c->lost = c->done = 0;
	c->queued = c->refused = 0;
	int held = reminders_lock_run(conn, c->run_id, o->owner, &cursor, err);
	if (held < 0)
		return -1;
	if (held == 0) {
		c->lost = 1;
		return 0;
	}
	tz_day_key(c->r->tz, o->now, day);
	struct segment_query q = {
	    .type = (int)c->r->segment,
	    .campaign = c->r->campaign_id,
	    .tier = c->r->tier,
	    .days = c->r->days,
	    .day_key = day,
	    .include_opted_out = 0,
	};
	if (reminders_segment_next(conn, &q, cursor, o->batch, &n, &last, err) < 0)
		return -1;
	if (n > 0) {
		const struct reminder *r = c->r;
		const struct policy *pol = o->env->policy;
		int promotional = r->kind == OUTBOX_PROMOTIONAL;
		time_t not_before = o->now, end;
		if (promotional && policy_quiet(pol, o->now, &end))
			not_before = end;
		struct materialise_args a = {
		    .run_id = c->run_id,
		    .q = &q,
		    .after = cursor,
		    .upto = last,
		    .kind = outbox_kind_name(r->kind),
		    .promotional = promotional,
		    .lang0 = r->langs[0],
		    .text0 = r->texts[0],
		    .text1 = r->texts[r->nlangs > 1 ? 1 : 0],
		    .segments0 = c->segments[0],
		    .segments1 = c->segments[1],
		    .default_lang = o->env->default_lang,
		    .campaign = r->campaign_id[0] != '\0' ? r->campaign_id : NULL,
		    .not_before = not_before,
		    .expires_at = not_before + o->env->expire_s,
		    .day_start = policy_day_start(pol, o->now),
		    .cap = pol->promo_daily_cap,
		    .too_long = c->too_long,
		};
		long long inserted = 0, refused = 0;
		if (reminders_materialise(conn, &a, &inserted, &refused, err) < 0)
			return -1;
		c->queued = (unsigned long long)(inserted - refused);
		c->refused = (unsigned long long)refused;
		cursor = a.upto;
	}
	c->done = n < o->batch;
	return reminders_advance_run(conn, c->run_id, cursor, (long long)(c->queued + c->refused),
	                             (long long)c->refused, c->done, o->lease_s, err);
}

int
scheduler_tick(struct db_conn *conn, const struct scheduler_opts *o, struct scheduler_stats *st,
               struct db_error *err)
{
	struct start_ctx sc = {o, 0};
	struct reminder *r = NULL;
	long long run_id = 0;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if (db_tx(conn, start_tx, &sc, err) < 0)
		return -1;
	st->started = sc.started;
	while (st->batches < o->max_batches) {
		if (r == NULL) {
			char reminder_id[41];
			struct reminder_row row;
			int took = reminders_take_run(conn, o->owner, o->lease_s, &run_id,
			                              reminder_id, err);
			if (took < 0)
				goto out;
			if (took == 0)
				break;
			int found = reminders_get(conn, reminder_id, &row, err);
			if (found < 0)
				goto out;
			struct buf errors = BUF_INIT;
			r = found == 1 ? load_def(o, reminder_id, row.definition, &errors) : NULL;
			buf_free(&errors);
			if (found == 1)
				free(row.definition);
			if (r == NULL) {
				/* The reminder is gone or no longer parses: end the run. */
				if (reminders_advance_run(conn, run_id, 0, 0, 0, 1, o->lease_s,
				                          err) < 0)
					goto out;
				continue;
			}
		}
		struct batch_ctx bc = {.o = o, .r = r, .run_id = run_id};
		measure_texts(&bc);
		if (db_tx(conn, batch_tx, &bc, err) < 0)
			goto out;
		st->batches++;
		st->queued += bc.queued;
		st->refused += bc.refused;
		if (bc.lost || bc.done) {
			reminder_free(r);
			r = NULL;
		}
	}
	st->more = st->batches == o->max_batches;
	rc = 0;
out:
	reminder_free(r);
	return rc;
}

enum scheduler_result
scheduler_add(struct db_conn *conn, const struct scheduler_opts *o, const char *json, size_t len,
              const char *where, char id_r[41], struct buf *errors, struct db_error *err)
{
	struct reminder *r =
	    reminder_parse(json, len, where, o->langs, o->nlangs, o->default_tz, o->now, errors);
	if (r == NULL)
		return SCHEDULER_INVALID;
	snprintf(id_r, 41, "%s", r->id);
	char *copy = xstrndup(json, len);
	int rc = reminders_put(conn, r->id, r->campaign_id, copy, reminder_next(r, o->now), err);
	free(copy);
	reminder_free(r);
	return rc < 0 ? SCHEDULER_DB : SCHEDULER_OK;
}

enum scheduler_result
scheduler_pause(struct db_conn *conn, const char *id, struct db_error *err)
{
	struct reminder_row row;
	int found = reminders_get(conn, id, &row, err);
	if (found <= 0)
		return found < 0 ? SCHEDULER_DB : SCHEDULER_NOT_FOUND;
	free(row.definition);
	return reminders_set_status(conn, id, "paused", err) < 0 ? SCHEDULER_DB : SCHEDULER_OK;
}

enum scheduler_result
scheduler_resume(struct db_conn *conn, const struct scheduler_opts *o, const char *id,
                 struct db_error *err)
{
	struct reminder_row row;
	struct buf errors = BUF_INIT;
	int found = reminders_get(conn, id, &row, err);
	if (found <= 0)
		return found < 0 ? SCHEDULER_DB : SCHEDULER_NOT_FOUND;
	struct reminder *r = load_def(o, id, row.definition, &errors);
	free(row.definition);
	buf_free(&errors);
	time_t next = r != NULL ? reminder_next(r, o->now) : 0;
	reminder_free(r);
	int rc = reminders_set(conn, id, next != 0 ? "active" : "done", next, err);
	return rc < 0 ? SCHEDULER_DB : SCHEDULER_OK;
}

enum scheduler_result
scheduler_run_now(struct db_conn *conn, const char *id, time_t now, struct db_error *err)
{
	struct reminder_row row;
	int found = reminders_get(conn, id, &row, err);
	if (found <= 0)
		return found < 0 ? SCHEDULER_DB : SCHEDULER_NOT_FOUND;
	free(row.definition);
	return reminders_start_run(conn, id, now, err) < 0 ? SCHEDULER_DB : SCHEDULER_OK;
}
