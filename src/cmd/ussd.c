/*
 * ussd — one USSD step in one transaction. Worker threads.
 *
 * Order inside the transaction: the session row is created if new and locked (before
 * any plain read, so the snapshot of plain reads sees the previous step committed); the
 * stored answer of the same (sessionId, text) is returned as it was (a retry changes
 * nothing and runs no command twice); then the ended flag and the timeouts; then the
 * walk of the answers and, for an action, the command; last the step's record. The menu
 * position is recomputed from the answers at every step (game/menu.c), so it never
 * depends on which node served the previous step.
 */
#include "cmd/ussd.h"
#include "cmd/command.h"
#include "cmd/rules.h"
#include "store/subscribers.h"
#include "store/ussd.h"
#include "text/template.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

struct ussd_tx {
	const struct sms_rules *rules;
	const struct ussd_in *in;
	struct ussd_out *out;
};

void
ussd_out_free(struct ussd_out *out)
{
	buf_free(&out->body);
}

/* Appends the text of a template without placeholders. */
static void
word(const struct sms_rules *rules, const char *lang, const char *key, struct buf *out)
{
	if (templates_render(rules->templates, lang, key, NULL, 0, out) < 0 &&
	    templates_render(rules->templates, rules->default_lang, key, NULL, 0, out) < 0)
		buf_puts(out, "-");
}

void
ussd_polite_end(const struct sms_rules *rules, const char *key, struct buf *out)
{
	buf_puts(out, "END ");
	word(rules, rules->default_lang, key, out);
}

/* The words of the menu engine in lang; free the bufs with words_free. */
struct words {
	struct buf more, back, invalid;
	struct menu_words w;
};

static void
words_load(const struct sms_rules *rules, const char *lang, struct words *w)
{
	memset(w, 0, sizeof(*w));
	word(rules, lang, "ussd_more", &w->more);
	word(rules, lang, "ussd_back", &w->back);
	word(rules, lang, "ussd_invalid", &w->invalid);
	w->w.more = buf_cstr(&w->more);
	w->w.back = buf_cstr(&w->back);
	w->w.invalid = buf_cstr(&w->invalid);
}

static void
words_free(struct words *w)
{
	buf_free(&w->more);
	buf_free(&w->back);
	buf_free(&w->invalid);
}

/* The running campaign whose menu serves code, or NULL. */
static const struct campaign *
campaign_for_code(const struct sms_rules *rules, const char *code, time_t now)
{
	for (unsigned i = 0; i < rules->ncampaigns; i++) {
		const struct campaign *c = rules->campaigns[i];
		if (c->ussd != NULL && menu_serves(c->ussd, code) && campaign_running(c, now))
			return c;
	}
	return NULL;
}

static const struct campaign *
campaign_by_id(const struct sms_rules *rules, const char *id, time_t now)
{
	for (unsigned i = 0; i < rules->ncampaigns; i++) {
		const struct campaign *c = rules->campaigns[i];
		if (c->ussd != NULL && strcmp(c->id, id) == 0 && campaign_running(c, now))
			return c;
	}
	return NULL;
}

/* Ends the session with the text of key in lang, recording the step. */
static int
end_with(struct db_conn *conn, struct ussd_tx *tx, const char *lang, const char *key,
         const char *outcome, int record, struct db_error *err)
{
	struct ussd_out *out = tx->out;
	buf_reset(&out->body);
	buf_puts(&out->body, "END ");
	word(tx->rules, lang, key, &out->body);
	snprintf(out->outcome, sizeof(out->outcome), "%s", outcome);
	if (!record)
		return 0;
	return ussd_step_insert(conn, tx->in->session_id, tx->in->text, tx->in->text_len,
	                        buf_cstr(&out->body), NULL, NULL, NULL, 0, 1, err);
}

/* Runs the action's command for the session's subscriber; its rendered reply goes to
 * reply ("" when the command chose none). */
static int
run_action(struct db_conn *conn, struct ussd_tx *tx, const struct campaign *c,
           const struct menu_walk *walk, const char *lang, struct buf *reply, struct db_error *err)
{
	const struct menu_action *a = walk->action;
	struct route_match match;
	struct cmd_ctx ctx;

	memset(&match, 0, sizeof(match));
	match.status = ROUTE_OK;
	match.command = a->command;
	match.lang = lang;
	for (unsigned i = 0; i < a->nargs && match.nargs < ROUTE_MAX_ARGS; i++) {
		struct route_arg *ra = &match.args[match.nargs++];
		snprintf(ra->name, sizeof(ra->name), "%s", a->arg_name[i]);
		snprintf(ra->value, sizeof(ra->value), "%s", a->arg_value[i]);
	}
	if (walk->input_screen != NULL && match.nargs < ROUTE_MAX_ARGS) {
		struct route_arg *ra = &match.args[match.nargs++];
		snprintf(ra->name, sizeof(ra->name), "%s", walk->input_screen->input.arg);
		snprintf(ra->value, sizeof(ra->value), "%s", walk->input);
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.conn = conn;
	ctx.rules = tx->rules;
	ctx.msisdn = tx->in->msisdn;
	ctx.text = "";
	ctx.match = &match;
	ctx.campaign = c;
	ctx.now = time(NULL);
	const struct command *cmd = command_find(a->command);
	if (cmd == NULL) {
		/* The campaign check only allows commands of the table; stay polite anyway. */
		snprintf(ctx.lang, sizeof(ctx.lang), "%s", lang);
		ctx.reply_key = "ussd_unavailable";
	} else if (cmd->run(&ctx, err) < 0) {
		return -1;
	}
	snprintf(tx->out->command, sizeof(tx->out->command), "%s", a->command);
	if (ctx.reply_key != NULL && templates_render(tx->rules->templates, ctx.lang, ctx.reply_key,
	                                              ctx.vars, ctx.nvars, reply) < 0)
		buf_reset(reply);
	if (reply->len == 0)
		word(tx->rules, ctx.lang[0] ? ctx.lang : lang, "ussd_done", reply);
	return 0;
}

static int
ussd_tx_body(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct ussd_tx *tx = arg;
	const struct ussd_in *in = tx->in;
	struct ussd_out *out = tx->out;
	struct ussd_session sess;
	struct ussd_stored stored;
	struct subscriber sub;
	struct menu_walk walk;
	struct words w;
	struct buf page = BUF_INIT, reply = BUF_INIT;
	time_t now = time(NULL);
	int rc = -1;

	out->duplicate = 0;
	out->outcome[0] = out->command[0] = '\0';
	buf_reset(&out->body);

	const struct campaign *c = campaign_for_code(tx->rules, in->service_code, now);
	if (c == NULL) {
		/* No menu behind this code: say so, start nothing. */
		return end_with(conn, tx, tx->rules->default_lang, "ussd_unavailable",
		                "unavailable", 0, err);
	}
	/* The lock first, and no plain read before it: InnoDB's snapshot for plain reads is
	 * taken at the first one, and must come after the previous step of this session
	 * committed, or a concurrent copy of a step would not see its record. */
	const char *lang = tx->rules->default_lang;
	if (ussd_session_open(conn, in->session_id, in->msisdn, in->service_code, c->id, lang,
	                      &sess, err) < 0)
		return -1;
	if (strcmp(sess.msisdn, in->msisdn) != 0) {
		/* Someone else's session id: answer, change nothing. */
		return end_with(conn, tx, lang, "ussd_bad_request", "refused", 0, err);
	}
	if (ussd_step_find(conn, in->session_id, in->text, in->text_len, &stored, err) < 0)
		return -1;
	if (stored.found) {
		out->duplicate = 1;
		snprintf(out->outcome, sizeof(out->outcome), "duplicate");
		buf_puts(&out->body, stored.response);
		return 0;
	}
	if (sess.created) {
		/* A new session speaks the subscriber's language, if they chose one. */
		if (subscribers_get(conn, in->msisdn, &sub, err) < 0)
			return -1;
		if (sub.lang[0] != '\0' && strcmp(sub.lang, sess.lang) != 0 &&
		    templates_has_lang(tx->rules->templates, sub.lang)) {
			if (ussd_session_set_lang(conn, in->session_id, sub.lang, err) < 0)
				return -1;
			snprintf(sess.lang, sizeof(sess.lang), "%s", sub.lang);
		}
	}
	lang = sess.lang;
	if (sess.ended)
		return end_with(conn, tx, lang, "ussd_ended", "ended", 0, err);
	if (!sess.created && (sess.idle_ms > in->idle_timeout_s * 1000 ||
	                      sess.age_ms > in->session_timeout_s * 1000))
		return end_with(conn, tx, lang, "ussd_timeout", "timeout", 1, err);
	if (strcmp(sess.campaign_id, c->id) != 0)
		c = campaign_by_id(tx->rules, sess.campaign_id, now);
	if (c == NULL)
		return end_with(conn, tx, lang, "ussd_unavailable", "unavailable", 1, err);

	words_load(tx->rules, lang, &w);
	menu_walk(c->ussd, lang, in->parsed, &in->limits, &w.w, &walk);
	switch (walk.kind) {
	case MENU_SCREEN:
		menu_render(c->ussd, walk.screen, lang, walk.page, walk.error, &in->limits, &w.w,
		            &page);
		buf_puts(&out->body, "CON ");
		buf_append(&out->body, page.data != NULL ? page.data : "", page.len);
		snprintf(out->outcome, sizeof(out->outcome), "screen");
		rc = ussd_step_insert(conn, in->session_id, in->text, in->text_len,
		                      buf_cstr(&out->body), NULL, NULL,
		                      c->ussd->screens[walk.screen].id, walk.page, 0, err);
		break;
	case MENU_ACTION: {
		int last = 1;
		if (run_action(conn, tx, c, &walk, lang, &reply, err) < 0)
			break;
		menu_paginate(buf_cstr(&reply), 0, &in->limits, &w.w, &page, &last);
		buf_puts(&out->body, last ? "END " : "CON ");
		buf_append(&out->body, page.data != NULL ? page.data : "", page.len);
		snprintf(out->outcome, sizeof(out->outcome), "action");
		rc = ussd_step_insert(conn, in->session_id, in->text, in->text_len,
		                      buf_cstr(&out->body), last ? NULL : buf_cstr(&reply),
		                      out->command, NULL, 0, last, err);
		break;
	}
	case MENU_REPLY: {
		/* An earlier answer ran the action: its reply's later pages. */
		int last = 1;
		size_t plen = ussd_text_prefix_len(in->text, in->text_len, walk.action_part);
		if (ussd_step_find(conn, in->session_id, in->text, plen, &stored, err) < 0)
			break;
		if (!stored.found || stored.full_reply[0] == '\0') {
			rc = end_with(conn, tx, lang, "ussd_ended", "ended", 1, err);
			break;
		}
		menu_paginate(stored.full_reply, walk.page, &in->limits, &w.w, &page, &last);
		buf_puts(&out->body, last ? "END " : "CON ");
		buf_append(&out->body, page.data != NULL ? page.data : "", page.len);
		snprintf(out->outcome, sizeof(out->outcome), "reply");
		rc = ussd_step_insert(conn, in->session_id, in->text, in->text_len,
		                      buf_cstr(&out->body), last ? NULL : stored.full_reply, NULL,
		                      NULL, walk.page, last, err);
		break;
	}
	}
	words_free(&w);
	buf_free(&page);
	buf_free(&reply);
	return rc;
}

int
ussd_step(struct db_conn *conn, const struct sms_rules *rules, const struct ussd_in *in,
          struct ussd_out *out, struct db_error *err)
{
	struct ussd_tx tx = {.rules = rules, .in = in, .out = out};
	return db_tx(conn, ussd_tx_body, &tx, err);
}
