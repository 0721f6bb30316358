/*
 * sms — inbound message to reply, in one transaction. Worker threads.
 *
 * Order inside the transaction: the rate count and the subscriber row (one procedure
 * call that also opens the transaction, see store/subscribers.h), the idempotency
 * lookup for messages without a provider id (a retry changes nothing), the rate limit,
 * the command, then the record.
 * A concurrent retry of the same message loses on the unique key of inbound_messages
 * (1062): the transaction rolls back and the stored reply of the winner is returned.
 */
#include "cmd/sms.h"
#include "core/xalloc.h"
#include "cmd/command.h"
#include "cmd/rules.h"
#include "route/grammar.h"
#include "store/inbound.h"
#include "store/outbox.h"
#include "store/subscribers.h"
#include "text/sms.h"
#include "text/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RATE_WINDOW_S 60
#define ER_DUP_ENTRY  1062

struct sms_tx {
	const struct sms_rules *rules;
	const struct sms_in *in;
	struct sms_out *out;
	char provider_id[81];
	char alt_id[81]; /* "" unless the id is a hash */
	char usage_key[48];
	struct route_match match;      /* the grammar's reading of the text (pure, done once) */
	int readonly;                  /* no transaction, nothing locked: the record is the write */
	int in_batch;                  /* inside the caller's transaction (sms_process_part) */
	const struct grammar *grammar; /* the campaign's, with its additions, or the file's */
	struct subscriber s;           /* as the transaction's first statement read it */
	long recent;                   /* the number's messages in the rate window */
	int prelocked;                 /* s and recent read by sms_begin_batch */
	struct cmd_ctx ctx;
};

static void
out_reset(struct sms_out *out)
{
	out->duplicate = 0;
	out->record_pending = 0;
	out->record_id[0] = '\0';
	out->outcome[0] = out->command[0] = out->lang[0] = out->encoding[0] = '\0';
	out->segments = 0;
	buf_reset(&out->reply);
}

void
sms_out_free(struct sms_out *out)
{
	free(out->pending);
	out->pending = NULL;
	buf_free(&out->reply);
}

static void
fill_from_stored(struct sms_out *out, const struct inbound_stored *st)
{
	out->duplicate = 1;
	snprintf(out->outcome, sizeof(out->outcome), "%s", st->outcome);
	buf_puts(&out->reply, st->reply);
	snprintf(out->lang, sizeof(out->lang), "%s", st->reply_lang);
	snprintf(out->encoding, sizeof(out->encoding), "%s", st->reply_encoding);
	out->segments = st->reply_segments;
}

/* 64-bit FNV-1a over the parts, with a separator that cannot occur in them. */
static unsigned long long
hash_parts(const char *a, const char *b, const char *c)
{
	unsigned long long h = 14695981039346656037ULL;
	const char *parts[3] = {a, b, c};
	for (int i = 0; i < 3; i++) {
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p != '\0'; p++) {
			h ^= *p;
			h *= 1099511628211ULL;
		}
		h ^= 0xff;
		h *= 1099511628211ULL;
	}
	return h;
}

/* Renders ctx's reply (if any) into out and measures it. */
static void
render_reply(const struct cmd_ctx *ctx, struct sms_out *out)
{
	struct sms_info info;
	snprintf(out->lang, sizeof(out->lang), "%s", ctx->lang);
	if (ctx->reply_key == NULL) {
		if (out->outcome[0] == '\0')
			snprintf(out->outcome, sizeof(out->outcome), "no_reply");
		return;
	}
	if (templates_render(ctx->rules->templates, ctx->lang, ctx->reply_key, ctx->vars,
	                     ctx->nvars, &out->reply) < 0) {
		/* Cannot happen with linted templates; answer nothing rather than garbage. */
		snprintf(out->outcome, sizeof(out->outcome), "no_reply");
		return;
	}
	sms_measure(buf_cstr(&out->reply), &info);
	snprintf(out->encoding, sizeof(out->encoding), "%s", sms_encoding_name(info.encoding));
	out->segments = info.segments;
	if (strcmp(out->outcome, "") == 0)
		snprintf(out->outcome, sizeof(out->outcome), "replied");
}

/* With inbound.json_reply = outbox, a JSON message's reply is also queued in the outbox
 * (kind reply: no quiet hours, no cap), in the message's transaction, once per message:
 * its client reference is made from the message's id. 0 ok (or nothing to do), -1. */
static int
queue_reply(struct db_conn *conn, const struct sms_tx *tx, struct sms_out *out, time_t now,
            struct db_error *err)
{
	char ref[40];
	if (!tx->rules->json_reply_outbox || strcmp(tx->in->adapter, "json") != 0 ||
	    out->reply.len == 0)
		return 0;
	snprintf(ref, sizeof(ref), "r:json:%016llx", hash_parts("json", out->record_id, ""));
	struct outbox_new m = {
	    .client_ref = ref,
	    .kind = "reply",
	    .msisdn = tx->in->msisdn,
	    .text = buf_cstr(&out->reply),
	    .lang = out->lang,
	    .source = "reply",
	    .priority = 10,
	    .segments = out->segments,
	    .not_before = now,
	    .expires_at = now + tx->rules->reply_expire_s,
	    .state = "queued",
	};
	return outbox_insert(conn, &m, err) < 0 ? -1 : 0;
}

/* The record of a processed message (pointing into in and out). */
static void
record_of(const struct sms_in *in, struct sms_out *out, struct inbound_record *rec)
{
	*rec = (struct inbound_record){
	    .adapter = in->adapter,
	    .provider_id = out->record_id,
	    .msisdn = in->msisdn,
	    .recipient = in->recipient,
	    .raw = in->raw,
	    .raw_len = in->raw_len,
	    .raw_charset = in->raw_charset,
	    .text = in->text,
	    .command = out->command[0] ? out->command : NULL,
	    .outcome = out->outcome,
	    .reply = buf_cstr(&out->reply),
	    .reply_lang = out->reply.len > 0 ? out->lang : NULL,
	    .reply_encoding = out->reply.len > 0 ? out->encoding : NULL,
	    .reply_segments = out->reply.len > 0 ? out->segments : 0,
	};
}

/* The message after its command: the reply, its copy in the outbox, the record (left
 * to sms_finish_batch in a batch). */
static int
sms_tx_end(struct db_conn *conn, struct sms_tx *tx, struct db_error *err)
{
	struct cmd_ctx *ctx = &tx->ctx;
	struct sms_out *out = tx->out;

	render_reply(ctx, out);

	snprintf(out->record_id, sizeof(out->record_id), "%s", tx->provider_id);
	if (queue_reply(conn, tx, out, ctx->now, err) < 0)
		return -1;
	if (tx->in_batch) {
		out->record_pending = 1; /* sms_finish_batch writes it with the others */
		return 0;
	}
	struct inbound_record rec;
	record_of(tx->in, out, &rec);
	return inbound_insert(conn, &rec, err);
}

static int
sms_tx_body(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct sms_tx *tx = arg;
	const struct sms_in *in = tx->in;
	struct sms_out *out = tx->out;
	struct inbound_stored stored;
	struct subscriber *s = &tx->s;
	struct cmd_ctx *ctx = &tx->ctx;
	long recent = tx->recent;

	out_reset(out);
	/* One round trip: the rate count and the subscriber (locked, in the transaction it
	 * opens, unless the command only reads); in a batch it may have been read with the
	 * others' already. */
	if (!tx->prelocked && subscribers_begin(conn, in->msisdn, RATE_WINDOW_S,
	                                        tx->readonly   ? SUBSCRIBERS_READ
	                                        : tx->in_batch ? SUBSCRIBERS_LOCK
	                                                       : SUBSCRIBERS_BEGIN_LOCK,
	                                        s, &recent, err) < 0)
		return -1;
	/* A message with a provider id needs no look-up: a retry loses on the unique key of
	 * its record at the end, which rolls its work back, and sms_process answers with
	 * the stored reply (one statement less for every message). Without an id the
	 * previous time bucket has to be looked at. */
	if (tx->alt_id[0] != '\0') {
		if (inbound_find(conn, in->adapter, tx->provider_id, tx->alt_id,
		                 tx->rules->dedupe_window_s, &stored, err) < 0)
			return -1;
		if (stored.found) {
			fill_from_stored(out, &stored);
			return 0;
		}
	}

	memset(ctx, 0, sizeof(*ctx));
	ctx->conn = conn;
	ctx->rules = tx->rules;
	ctx->msisdn = in->msisdn;
	ctx->text = in->text;
	ctx->now = time(NULL);
	ctx->campaign = sms_rules_campaign(tx->rules, in->recipient, ctx->now);
	ctx->known = s;
	ctx->known_locked = !tx->readonly;
	ctx->may_defer = tx->in_batch;

	if (recent >= tx->rules->rate_per_minute) {
		cmd_pick_lang(ctx, s);
		/* One polite reply when the limit is first crossed, then silence. */
		if (recent == tx->rules->rate_per_minute) {
			ctx->reply_key = "rate_limited";
			snprintf(out->outcome, sizeof(out->outcome), "rate_limited");
		} else {
			snprintf(out->outcome, sizeof(out->outcome), "silenced");
		}
	} else {
		const struct route_match *match = &tx->match;
		ctx->match = match;
		if (match->status == ROUTE_OK) {
			const struct command *cmd = command_find(match->command);
			snprintf(out->command, sizeof(out->command), "%s", match->command);
			if (cmd == NULL || cmd->run(ctx, err) < 0)
				return -1; /* rules_load refuses grammars with unknown commands */
		} else {
			cmd_pick_lang(ctx, s);
			if (match->status == ROUTE_BAD_ARGS) {
				/* The command's usage text, "<command>_usage", if it has one. */
				snprintf(out->command, sizeof(out->command), "%s", match->command);
				snprintf(tx->usage_key, sizeof(tx->usage_key), "%.40s_usage",
				         grammar_usage(tx->grammar, match->command));
				ctx->reply_key = templates_has_key(tx->rules->templates, ctx->lang,
				                                   tx->usage_key)
				                     ? tx->usage_key
				                     : "unknown";
			} else if (match->suggestion[0] != '\0') {
				char upper[sizeof(match->suggestion)];
				snprintf(upper, sizeof(upper), "%s", match->suggestion);
				cmd_upper_latin(upper);
				ctx->reply_key = "unknown_suggest";
				cmd_set_var(ctx, "suggestion", upper);
			} else {
				ctx->reply_key = "unknown";
			}
			cmd_set_keyword(ctx, "help");
		}
	}
	if (ctx->deferred != CMD_DEFER_NONE)
		return 0; /* sms_finish_batch makes the spin or check-in and ends the message */
	return sms_tx_end(conn, tx, err);
}

int
sms_finish_batch(struct db_conn *conn, const struct sms_in *ins, struct sms_out *const *outs,
                 size_t n, struct db_error *err)
{
	struct wheel_spin_req **spins = xcalloc(n > 0 ? n : 1, sizeof(*spins));
	struct checkin_req **checkins = xcalloc(n > 0 ? n : 1, sizeof(*checkins));
	struct inbound_record *recs = xcalloc(n > 0 ? n : 1, sizeof(*recs));
	size_t nspins = 0, ncheckins = 0, k = 0;
	int rc = -1;

	/* The spins and check-ins the parts left, each kind all at once; then their
	 * messages end as any other. */
	for (size_t i = 0; i < n; i++) {
		struct sms_tx *tx = outs[i]->pending;
		if (tx != NULL && tx->ctx.deferred == CMD_DEFER_SPIN)
			spins[nspins++] = &tx->ctx.spin;
		else if (tx != NULL && tx->ctx.deferred == CMD_DEFER_CHECKIN)
			checkins[ncheckins++] = &tx->ctx.checkin;
	}
	if ((nspins > 0 && wheel_spin_many(conn, spins, nspins, err) < 0) ||
	    (ncheckins > 0 && checkin_run_many(conn, checkins, ncheckins, err) < 0))
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct sms_tx *tx = outs[i]->pending;
		if (tx == NULL || tx->ctx.deferred == CMD_DEFER_NONE)
			continue;
		tx->in = &ins[i];
		tx->out = outs[i];
		if (tx->ctx.deferred == CMD_DEFER_SPIN)
			cmd_spin_reply(&tx->ctx);
		else
			cmd_checkin_reply(&tx->ctx);
		if (sms_tx_end(conn, tx, err) < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (outs[i]->record_pending)
			record_of(&ins[i], outs[i], &recs[k++]);
	}
	if (inbound_insert_many(conn, recs, k, err) < 0)
		goto out;
	/* Done: the states go (after a failure sms_process frees each when it runs alone). */
	for (size_t i = 0; i < n; i++) {
		free(outs[i]->pending);
		outs[i]->pending = NULL;
	}
	rc = 0;
out:
	free(spins);
	free(checkins);
	free(recs);
	return rc;
}

/* The transaction's identity and the grammar's reading, before any database work. */
static void
sms_tx_prepare(struct sms_tx *tx)
{
	const struct sms_in *in = tx->in;

	if (in->provider_id[0] != '\0') {
		snprintf(tx->provider_id, sizeof(tx->provider_id), "%s", in->provider_id);
	} else {
		/* No id: the same sender, recipient and text within the window is a retry.
		 * The bucket of now and the one before cover the whole window. */
		unsigned long long h = hash_parts(in->msisdn, in->recipient, in->text);
		long bucket = (long)(time(NULL) / tx->rules->dedupe_window_s);
		snprintf(tx->provider_id, sizeof(tx->provider_id), "h:%016llx:%ld", h, bucket);
		snprintf(tx->alt_id, sizeof(tx->alt_id), "h:%016llx:%ld", h, bucket - 1);
	}
	/* Matching is pure: done once, before any database work. A message whose command
	 * only reads has the record as its one write and needs no explicit transaction. */
	tx->grammar = sms_rules_grammar(tx->rules, in->recipient, time(NULL));
	grammar_match(tx->grammar, in->text, strlen(in->text), &tx->match);
	const struct command *cmd =
	    tx->match.status == ROUTE_OK ? command_find(tx->match.command) : NULL;
	tx->readonly = tx->match.status != ROUTE_OK || (cmd != NULL && cmd->readonly);
}

int
sms_begin_batch(struct db_conn *conn, const struct sms_rules *const *rules,
                const struct sms_in *ins, struct sms_out *const *outs, size_t n,
                struct db_error *err)
{
	struct subscribers_locked *m = xcalloc(n > 0 ? n : 1, sizeof(*m));
	struct sms_tx **which = xcalloc(n > 0 ? n : 1, sizeof(*which));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		free(outs[i]->pending);
		struct sms_tx *tx = xcalloc(1, sizeof(*tx));
		*tx = (struct sms_tx){
		    .rules = rules[i], .in = &ins[i], .out = outs[i], .in_batch = 1};
		sms_tx_prepare(tx);
		outs[i]->pending = tx;
		if (!tx->readonly) {
			m[k].msisdn = ins[i].msisdn;
			which[k++] = tx;
		}
	}
	int rc = k > 0 ? subscribers_lock_many(conn, m, k, RATE_WINDOW_S, err) : 0;
	for (size_t i = 0; rc == 0 && i < k; i++) {
		if (m[i].s.exists) {
			which[i]->s = m[i].s;
			which[i]->recent = m[i].recent;
			which[i]->prelocked = 1;
		}
	}
	free(m);
	free(which);
	return rc;
}

int
sms_process_part(struct db_conn *conn, const struct sms_rules *rules, const struct sms_in *in,
                 struct sms_out *out, struct db_error *err)
{
	/* On the heap, in out->pending until the batch ends: a spin waits there for
	 * sms_finish_batch. sms_begin_batch may have made it already. */
	struct sms_tx *tx = out->pending;
	if (tx == NULL) {
		tx = xcalloc(1, sizeof(*tx));
		*tx = (struct sms_tx){.rules = rules, .in = in, .out = out, .in_batch = 1};
		sms_tx_prepare(tx);
		out->pending = tx;
	}
	tx->in = in;
	tx->out = out;
	return sms_tx_body(conn, tx, err);
}

int
sms_process(struct db_conn *conn, const struct sms_rules *rules, const struct sms_in *in,
            struct sms_out *out, struct db_error *err)
{
	struct sms_tx tx = {.rules = rules, .in = in, .out = out};
	struct inbound_stored stored;

	free(out->pending); /* a batch's state, when the batch failed and this runs alone */
	out->pending = NULL;
	sms_tx_prepare(&tx);
	if ((tx.readonly ? db_autocommit : db_tx_opened)(conn, sms_tx_body, &tx, err) == 0)
		return 0;
	if (err->code != ER_DUP_ENTRY)
		return -1;
	/* A concurrent copy of this message was recorded first: answer as it did. */
	struct db_error first = *err;
	if (inbound_find(conn, in->adapter, tx.provider_id, NULL, 0, &stored, err) < 0)
		return -1;
	out_reset(out);
	if (!stored.found) {
		/* Not this message's record: another key refused the work. */
		*err = first;
		return -1;
	}
	fill_from_stored(out, &stored);
	return 0;
}
