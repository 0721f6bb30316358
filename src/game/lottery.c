/*
 * lottery — commit, freeze, run and verify draws (docs/draws.md). Any thread with its
 * own connection; in practice the CLI.
 */
#include "game/lottery.h"
#include "core/random.h"
#include "core/xalloc.h"
#include "store/game.h"
#include "text/mask.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum lottery_outcome refuse(struct lottery_ctx *ctx, enum lottery_outcome o, const char *fmt,
                                   ...) __attribute__((format(printf, 3, 4)));

static enum lottery_outcome
refuse(struct lottery_ctx *ctx, enum lottery_outcome o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->why, sizeof(ctx->why), fmt, ap);
	va_end(ap);
	return o;
}

static void
iso_utc(time_t t, char out[DRAW_CUTOFF_LEN + 1])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, DRAW_CUTOFF_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static enum lottery_outcome
db_failed(struct lottery_ctx *ctx)
{
	snprintf(ctx->why, sizeof(ctx->why), "the database failed: %s", ctx->err.msg);
	return LOTTERY_FAILED;
}

/* ---- commit ---- */

struct commit_tx {
	const struct campaign *c;
	const struct campaign_draw *d;
	struct draws_row row;
	const char *seed_hex;
	const char *actor;
	int created;
	long long announced;
};

static int
commit_body(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct commit_tx *t = arg;
	char details[400], cutoff[DRAW_CUTOFF_LEN + 1];
	t->announced = 0;
	t->created = draws_commit(conn, &t->row, t->seed_hex, err);
	if (t->created <= 0)
		return t->created;
	iso_utc(t->row.cutoff, cutoff);
	snprintf(details, sizeof(details),
	         "seed_sha256=%s campaign=%s/%u cutoff=%s winners=%u backups=%u multiple_wins=%s "
	         "beacon_round=%lld",
	         t->row.seed_sha256, t->row.campaign_id, t->row.campaign_version, cutoff,
	         t->row.winners, t->row.backups, t->row.multiple_wins ? "yes" : "no",
	         t->row.beacon_round);
	if (draws_audit_append(conn, t->row.draw_id, "commit", t->actor, details, NULL, err) < 0)
		return -1;
	if (t->d->announce) {
		char vars[300];
		snprintf(vars, sizeof(vars), "{\"draw\":\"%s\",\"commitment\":\"%.16s\"}",
		         t->row.draw_id, t->row.seed_sha256);
		if (draws_announce(conn, t->row.campaign_id, t->row.draw_id, vars, &t->announced,
		                   err) < 0)
			return -1;
		snprintf(details, sizeof(details),
		         "queued %lld commitment notices (draw_commitment, promotional)",
		         t->announced);
		if (draws_audit_append(conn, t->row.draw_id, "notify", t->actor, details, NULL,
		                       err) < 0)
			return -1;
	}
	return 0;
}

enum lottery_outcome
lottery_commit(struct lottery_ctx *ctx, struct campaign *const *campaigns, unsigned ncampaigns,
               const char *draw_id, char seed_sha256_r[65], long long *announced_r)
{
	struct draws_row existing;
	struct commit_tx t;
	uint8_t seed[SHA256_BYTES], commitment[SHA256_BYTES];
	char seed_hex[SHA256_HEX], at[DRAW_CUTOFF_LEN + 1];

	memset(&t, 0, sizeof(t));
	*announced_r = 0;
	int got = draws_get(ctx->conn, draw_id, &existing, &ctx->err);
	if (got < 0)
		return db_failed(ctx);
	if (got == 1)
		return refuse(ctx, LOTTERY_ALREADY_COMMITTED,
		              "draw %s was committed already (at %s UTC by %s, SHA-256 of the seed "
		              "%s); a draw is committed once: its seed never changes",
		              draw_id, existing.committed_at, existing.committed_by,
		              existing.seed_sha256);
	for (unsigned i = 0; i < ncampaigns && t.d == NULL; i++) {
		t.d = campaign_draw_of(campaigns[i], draw_id);
		t.c = campaigns[i];
	}
	if (t.d == NULL)
		return refuse(ctx, LOTTERY_UNKNOWN_DRAW,
		              "no running campaign has a draw \"%s\"; check the id in the "
		              "campaign's \"draws\" section and that the campaign is loaded "
		              "(gamigate campaign list)",
		              draw_id);
	if (ctx->now >= t.d->cutoff) {
		iso_utc(t.d->cutoff, at);
		return refuse(ctx, LOTTERY_TOO_LATE,
		              "the cut-off of draw %s (%s) has passed: a seed committed now could "
		              "be chosen knowing the entries; commit before the cut-off",
		              draw_id, at);
	}
	for (unsigned i = 0; i < SHA256_BYTES / 8; i++) {
		uint64_t r = random_u64();
		memcpy(seed + 8 * i, &r, 8);
	}
	sha256_hex(seed, SHA256_BYTES, seed_hex);
	sha256(seed, SHA256_BYTES, commitment);
	snprintf(t.row.draw_id, sizeof(t.row.draw_id), "%s", draw_id);
	snprintf(t.row.campaign_id, sizeof(t.row.campaign_id), "%s", t.c->id);
	t.row.campaign_version = t.c->version;
	t.row.cutoff = t.d->cutoff;
	t.row.winners = t.d->winners;
	t.row.backups = t.d->backups;
	t.row.multiple_wins = t.d->multiple_wins;
	t.row.beacon_round = t.d->beacon_round;
	sha256_hex(commitment, SHA256_BYTES, t.row.seed_sha256);
	snprintf(t.row.committed_by, sizeof(t.row.committed_by), "%s", ctx->actor);
	t.seed_hex = seed_hex;
	t.actor = ctx->actor;
	int rc = db_tx(ctx->conn, commit_body, &t, &ctx->err);
	memset(seed, 0, sizeof(seed));
	memset(seed_hex, 0, sizeof(seed_hex));
	if (rc < 0)
		return db_failed(ctx);
	if (!t.created)
		return refuse(ctx, LOTTERY_ALREADY_COMMITTED,
		              "draw %s was committed by someone else a moment ago; see gamigate "
		              "draw status %s",
		              draw_id, draw_id);
	memcpy(seed_sha256_r, t.row.seed_sha256, 65);
	*announced_r = t.announced;
	return LOTTERY_OK;
}

/* ---- the export ---- */

struct export_acc {
	const char *draw_id;
	struct draw_export *ex;
	size_t cap;
	struct buf masked;
};

static int
export_entry(long long subscriber_id, const char *msisdn, long long chances, void *arg)
{
	struct export_acc *a = arg;
	struct draw_export *ex = a->ex;
	if (ex->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 1024;
		ex->entries = xrealloc(ex->entries, a->cap * sizeof(ex->entries[0]));
	}
	struct draw_entry *e = &ex->entries[ex->n++];
	e->subscriber_id = subscriber_id;
	e->chances = chances > DRAW_CHANCES_MAX ? (uint64_t)DRAW_CHANCES_MAX : (uint64_t)chances;
	draw_pid(a->draw_id, msisdn, e->pid);
	buf_reset(&a->masked);
	mask_phones(msisdn, &a->masked);
	size_t k = 0;
	for (size_t i = 0; i < a->masked.len && k < DRAW_MASKED_MAX; i++) {
		char c = a->masked.data[i];
		if ((c >= '0' && c <= '9') || c == '*' || (c == '+' && k == 0))
			e->masked[k++] = c;
	}
	if (k == 0)
		e->masked[k++] = '*';
	e->masked[k] = '\0';
	return 0;
}

enum lottery_outcome
lottery_export(struct lottery_ctx *ctx, const char *draw_id, struct draws_row *row,
               struct buf *export_r, struct draw_export *ex, uint8_t hash_r[SHA256_BYTES])
{
	char at[DRAW_CUTOFF_LEN + 1];
	const char *why = NULL;
	memset(ex, 0, sizeof(*ex));
	int got = draws_get(ctx->conn, draw_id, row, &ctx->err);
	if (got < 0)
		return db_failed(ctx);
	if (got == 0)
		return refuse(
		    ctx, LOTTERY_NOT_COMMITTED,
		    "draw %s has not been committed: commit it with `gamigate draw commit "
		    "%s` before its cut-off (or check the id: gamigate draw status)",
		    draw_id, draw_id);
	iso_utc(row->cutoff, at);
	if (ctx->now < row->cutoff)
		return refuse(ctx, LOTTERY_TOO_EARLY,
		              "the cut-off of draw %s is %s: chances still count until then; "
		              "freeze and run it after that",
		              draw_id, at);
	struct export_acc a = {draw_id, ex, 0, BUF_INIT};
	snprintf(ex->draw_id, sizeof(ex->draw_id), "%s", draw_id);
	memcpy(ex->cutoff, at, sizeof(ex->cutoff));
	int rc =
	    draws_entries(ctx->conn, row->campaign_id, row->cutoff, export_entry, &a, &ctx->err);
	buf_free(&a.masked);
	if (rc < 0) {
		draw_export_free(ex);
		return db_failed(ctx);
	}
	if (draw_export_finish(ex, &why) < 0) {
		draw_export_free(ex);
		return refuse(ctx, LOTTERY_FAILED, "draw %s: the entries cannot be exported: %s",
		              draw_id, why);
	}
	draw_export_write(ex, export_r);
	sha256(export_r->data, export_r->len, hash_r);
	return LOTTERY_OK;
}

/* ---- freeze ---- */

struct freeze_tx {
	const char *draw_id, *actor, *hash;
	long long entries, chances;
	int done;
};

static int
freeze_body(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct freeze_tx *t = arg;
	char details[300];
	t->done = draws_freeze(conn, t->draw_id, t->hash, t->entries, t->chances, err);
	if (t->done <= 0)
		return t->done;
	snprintf(details, sizeof(details), "export_sha256=%s entries=%lld chances=%lld", t->hash,
	         t->entries, t->chances);
	return draws_audit_append(conn, t->draw_id, "freeze", t->actor, details, NULL, err);
}

enum lottery_outcome
lottery_freeze(struct lottery_ctx *ctx, const char *draw_id, struct buf *export_r,
               char export_sha256_r[65])
{
	struct draws_row row;
	struct draw_export ex;
	uint8_t hash[SHA256_BYTES];
	enum lottery_outcome o = lottery_export(ctx, draw_id, &row, export_r, &ex, hash);
	if (o != LOTTERY_OK)
		return o;
	sha256_hex(hash, SHA256_BYTES, export_sha256_r);
	struct freeze_tx t = {draw_id,         ctx->actor,          export_sha256_r,
	                      (long long)ex.n, (long long)ex.total, 0};
	draw_export_free(&ex);
	if (strcmp(row.status, "committed") == 0) {
		if (db_tx(ctx->conn, freeze_body, &t, &ctx->err) < 0)
			return db_failed(ctx);
		if (t.done)
			return LOTTERY_OK;
		if (draws_get(ctx->conn, draw_id, &row, &ctx->err) < 0)
			return db_failed(ctx);
	}
	if (strcmp(row.export_sha256, export_sha256_r) != 0)
		return refuse(
		    ctx, LOTTERY_ENTRIES_CHANGED,
		    "draw %s was frozen at %s UTC with export SHA-256 %s, but the chances "
		    "ledger now gives %s: entries before the cut-off were changed; "
		    "nothing was written",
		    draw_id, row.frozen_at, row.export_sha256, export_sha256_r);
	return LOTTERY_OK;
}

/* ---- run ---- */

struct run_tx {
	const struct draws_row *row;
	const char *actor, *beacon_hex, *seed_hex, *result, *result_hash;
	const struct draws_winner *w;
	size_t n;
	int done;
};

static int
run_body(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct run_tx *t = arg;
	char details[600];
	struct game_scope scope = {t->row->campaign_id, t->row->campaign_version};
	t->done = draws_finish(conn, t->row->draw_id, t->beacon_hex, t->result, t->result_hash,
	                       t->w, t->n, err);
	if (t->done <= 0)
		return t->done;
	unsigned winners = 0, backups = 0;
	for (size_t i = 0; i < t->n; i++)
		*(t->w[i].backup ? &backups : &winners) += 1;
	snprintf(details, sizeof(details),
	         "seed=%s beacon=%s export_sha256=%s result_sha256=%s winners=%u backups=%u",
	         t->seed_hex, t->beacon_hex[0] ? t->beacon_hex : "none", t->row->export_sha256,
	         t->result_hash, winners, backups);
	if (draws_audit_append(conn, t->row->draw_id, "run", t->actor, details, NULL, err) < 0)
		return -1;
	long long queued = 0;
	for (size_t i = 0; i < t->n; i++) {
		char ref[120], vars[200];
		if (t->w[i].backup)
			continue;
		snprintf(ref, sizeof(ref), "draw:%s:winner:%u", t->row->draw_id, t->w[i].rank);
		snprintf(vars, sizeof(vars), "{\"draw\":\"%s\",\"rank\":\"%u\"}", t->row->draw_id,
		         t->w[i].rank);
		int rc = game_notify(conn, &scope, t->w[i].subscriber_id, "transactional",
		                     "draw_winner", vars, ref, err);
		if (rc < 0)
			return -1;
		queued += rc;
	}
	snprintf(details, sizeof(details),
	         "queued %lld winner notices (draw_winner, transactional)", queued);
	return draws_audit_append(conn, t->row->draw_id, "notify", t->actor, details, NULL, err);
}

/* The seed of a draw, checked against its commitment. */
static enum lottery_outcome
sealed_seed(struct lottery_ctx *ctx, const struct draws_row *row, uint8_t seed[SHA256_BYTES],
            char seed_hex[65])
{
	uint8_t commitment[SHA256_BYTES];
	char hex[SHA256_HEX];
	int got = draws_seed(ctx->conn, row->draw_id, seed_hex, &ctx->err);
	if (got < 0)
		return db_failed(ctx);
	if (got == 0 || sha256_unhex(seed_hex, seed, SHA256_BYTES) < 0)
		return refuse(
		    ctx, LOTTERY_SEED_MISMATCH,
		    "the sealed seed of draw %s is missing or unreadable; the draw cannot "
		    "be run (commitment %s)",
		    row->draw_id, row->seed_sha256);
	sha256(seed, SHA256_BYTES, commitment);
	sha256_hex(commitment, SHA256_BYTES, hex);
	if (strcmp(hex, row->seed_sha256) != 0)
		return refuse(ctx, LOTTERY_SEED_MISMATCH,
		              "the sealed seed of draw %s hashes to %s, not to the published "
		              "commitment %s: the seed was changed; the draw must not be run",
		              row->draw_id, hex, row->seed_sha256);
	return LOTTERY_OK;
}

enum lottery_outcome
lottery_run(struct lottery_ctx *ctx, const char *draw_id, const uint8_t *beacon, size_t beacon_len,
            struct buf *result_r)
{
	struct draws_row row;
	struct draw_export ex;
	struct draw_params params;
	struct draw_result res;
	struct buf text = BUF_INIT;
	uint8_t hash[SHA256_BYTES], rhash[SHA256_BYTES];
	char hex[SHA256_HEX], rhex[SHA256_HEX], seed_hex[65], beacon_hex[2 * DRAW_BEACON_MAX + 1];
	enum lottery_outcome o;

	int got = draws_get(ctx->conn, draw_id, &row, &ctx->err);
	if (got < 0)
		return db_failed(ctx);
	if (got == 0)
		return refuse(ctx, LOTTERY_NOT_COMMITTED,
		              "draw %s has not been committed, so it cannot be run: commit it with "
		              "`gamigate draw commit %s` before its cut-off",
		              draw_id, draw_id);
	if (strcmp(row.status, "done") == 0) {
		if (draws_result(ctx->conn, draw_id, result_r, &ctx->err) < 0)
			return db_failed(ctx);
		return refuse(ctx, LOTTERY_ALREADY_DONE,
		              "draw %s was run at %s UTC; a draw runs once. Its stored result "
		              "follows",
		              draw_id, row.run_at);
	}
	if (strcmp(row.status, "frozen") != 0) {
		char at[DRAW_CUTOFF_LEN + 1];
		iso_utc(row.cutoff, at);
		if (ctx->now < row.cutoff)
			return refuse(
			    ctx, LOTTERY_TOO_EARLY,
			    "the cut-off of draw %s is %s: chances still count until then; "
			    "freeze and run it after that",
			    draw_id, at);
		return refuse(
		    ctx, LOTTERY_NOT_FROZEN,
		    "draw %s is not frozen yet: run `gamigate draw freeze %s` and publish "
		    "the export's SHA-256 before the seed is revealed",
		    draw_id, draw_id);
	}
	if (row.beacon_round > 0 && beacon_len == 0)
		return refuse(
		    ctx, LOTTERY_BEACON,
		    "draw %s mixes in drand round %lld: give its randomness with --beacon "
		    "HEX (https://api.drand.sh/public/%lld)",
		    draw_id, row.beacon_round, row.beacon_round);
	if (row.beacon_round == 0 && beacon_len > 0)
		return refuse(ctx, LOTTERY_BEACON,
		              "draw %s names no beacon round in its campaign: a beacon chosen now "
		              "could be picked for its outcome; run it without --beacon",
		              draw_id);
	o = lottery_export(ctx, draw_id, &row, &text, &ex, hash);
	if (o != LOTTERY_OK) {
		buf_free(&text);
		return o;
	}
	buf_free(&text);
	sha256_hex(hash, SHA256_BYTES, hex);
	if (strcmp(hex, row.export_sha256) != 0) {
		draw_export_free(&ex);
		return refuse(ctx, LOTTERY_ENTRIES_CHANGED,
		              "draw %s was frozen with export SHA-256 %s, but the chances ledger "
		              "now gives %s: entries before the cut-off were changed; the draw was "
		              "not run",
		              draw_id, row.export_sha256, hex);
	}
	memset(&params, 0, sizeof(params));
	o = sealed_seed(ctx, &row, params.seed, seed_hex);
	if (o != LOTTERY_OK) {
		draw_export_free(&ex);
		return o;
	}
	memcpy(params.export_hash, hash, SHA256_BYTES);
	if (beacon_len > 0) /* beacon may be NULL when there is none */
		memcpy(params.beacon, beacon, beacon_len);
	params.beacon_len = beacon_len;
	params.winners = row.winners;
	params.backups = row.backups;
	params.multiple_wins = row.multiple_wins;
	if (draw_run(&ex, &params, &res) < 0) {
		draw_export_free(&ex);
		return refuse(ctx, LOTTERY_FAILED, "draw %s: too many winners and backups",
		              draw_id);
	}
	draw_result_write(&res, result_r);
	sha256(result_r->data, result_r->len, rhash);
	sha256_hex(rhash, SHA256_BYTES, rhex);
	sha256_hex(beacon, beacon_len, beacon_hex);
	struct draws_winner *w = xcalloc(res.npicks + 1, sizeof(*w));
	for (size_t k = 0; k < res.npicks; k++) {
		w[k].pick = (unsigned)k;
		w[k].backup = res.picks[k].backup;
		w[k].rank = res.picks[k].rank;
		w[k].subscriber_id = ex.entries[res.picks[k].index].subscriber_id;
		w[k].pid = res.picks[k].pid;
		w[k].masked = res.picks[k].masked;
	}
	struct run_tx t = {&row, ctx->actor, beacon_hex, seed_hex, buf_cstr(result_r),
	                   rhex, w,          res.npicks, 0};
	int rc = db_tx(ctx->conn, run_body, &t, &ctx->err);
	free(w);
	draw_result_free(&res);
	draw_export_free(&ex);
	if (rc < 0)
		return db_failed(ctx);
	if (!t.done) {
		buf_reset(result_r);
		if (draws_result(ctx->conn, draw_id, result_r, &ctx->err) < 0)
			return db_failed(ctx);
		return refuse(ctx, LOTTERY_ALREADY_DONE,
		              "draw %s was run by someone else a moment ago; its stored result "
		              "follows",
		              draw_id);
	}
	return LOTTERY_OK;
}

/* ---- verify ---- */

struct verify_tx {
	const char *draw_id, *actor, *details;
};

static int
verify_body(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct verify_tx *t = arg;
	return draws_audit_append(conn, t->draw_id, "verify", t->actor, t->details, NULL, err);
}

enum lottery_outcome
lottery_verify(struct lottery_ctx *ctx, const char *draw_id, struct buf *report)
{
	struct draws_row row;
	struct draw_export ex;
	struct draw_result computed, stored;
	struct buf text = BUF_INIT, published = BUF_INIT;
	uint8_t hash[SHA256_BYTES];
	char seed_hex[65], why[300], details[1000];
	enum lottery_outcome o;

	int got = draws_get(ctx->conn, draw_id, &row, &ctx->err);
	if (got < 0)
		return db_failed(ctx);
	if (got == 0 || strcmp(row.status, "done") != 0)
		return refuse(ctx, got == 0 ? LOTTERY_NOT_COMMITTED : LOTTERY_NOT_FROZEN,
		              "draw %s has not been run yet: nothing to verify", draw_id);
	if (draws_result(ctx->conn, draw_id, &published, &ctx->err) < 0) {
		buf_free(&published);
		return db_failed(ctx);
	}
	if (draw_result_parse(published.data, published.len, &stored, why, sizeof(why)) < 0) {
		buf_printf(report, "the stored result does not parse: %s\n", why);
		buf_free(&published);
		o = LOTTERY_MISMATCH;
		goto audit;
	}
	buf_free(&published);
	o = lottery_export(ctx, draw_id, &row, &text, &ex, hash);
	buf_free(&text);
	if (o != LOTTERY_OK) {
		draw_result_free(&stored);
		return o;
	}
	struct draw_params params = stored.params;
	o = sealed_seed(ctx, &row, params.seed, seed_hex);
	if (o != LOTTERY_OK) {
		draw_export_free(&ex);
		draw_result_free(&stored);
		return o;
	}
	memcpy(params.export_hash, hash, SHA256_BYTES);
	params.winners = row.winners;
	params.backups = row.backups;
	params.multiple_wins = row.multiple_wins;
	if (draw_run(&ex, &params, &computed) < 0) {
		buf_puts(report, "the stored parameters are out of range\n");
		o = LOTTERY_MISMATCH;
	} else {
		o = draw_result_compare(&computed, &stored, report) == 0 ? LOTTERY_OK
		                                                         : LOTTERY_MISMATCH;
		draw_result_free(&computed);
	}
	draw_export_free(&ex);
	draw_result_free(&stored);
audit:
	snprintf(details, sizeof(details), "%s result_sha256=%s%s%.700s",
	         o == LOTTERY_OK ? "ok" : "MISMATCH", row.result_sha256,
	         o == LOTTERY_OK ? "" : ": ", o == LOTTERY_OK ? "" : buf_cstr(report));
	for (char *p = details; *p; p++)
		if (*p == '\n')
			*p = ' ';
	struct verify_tx t = {draw_id, ctx->actor, details};
	if (db_tx(ctx->conn, verify_body, &t, &ctx->err) < 0)
		return db_failed(ctx);
	if (o != LOTTERY_OK)
		snprintf(ctx->why, sizeof(ctx->why),
		         "draw %s does not verify: the stored result differs from a recomputation",
		         draw_id);
	return o;
}
