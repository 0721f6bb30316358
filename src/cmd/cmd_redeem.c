/*
 * REDEEM / جایزه — trade points for an item of the campaign's catalog: "REDEEM 2" or
 * "REDEEM data-1g"; "REDEEM" alone lists the catalog. Worker threads, inside the
 * inbound message's transaction (a retried message gets the stored reply, so an item is
 * never redeemed twice for one message).
 */
#include "cmd/command.h"
#include "cmd/rules.h"
#include "game/redeem.h"
#include "store/subscribers.h"

#include <stdio.h>
#include <string.h>

/* Sets a placeholder from a text that may be longer than a value holds, cut at a
 * character boundary so a long item name never ends in half a Persian letter. */
static void
set_text_var(struct cmd_ctx *ctx, const char *name, const char *value)
{
	char cut[sizeof(ctx->var_values[0])];
	size_t n = strlen(value);
	if (n >= sizeof(cut)) {
		n = sizeof(cut) - 1;
		while (n > 0 && ((unsigned char)value[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(cut, value, n);
	cut[n] = '\0';
	cmd_set_var(ctx, name, cut);
}

static void
set_number(struct cmd_ctx *ctx, const char *name, long long v)
{
	char n[24];
	snprintf(n, sizeof(n), "%lld", v);
	cmd_set_var(ctx, name, n);
}

/* {kw_redeem}: the command's first keyword in the reply language, in capitals. */
static void
set_redeem_keyword(struct cmd_ctx *ctx)
{
	const char *kw = grammar_keyword(ctx->rules->grammar, "redeem", ctx->lang);
	char upper[64];
	if (kw == NULL)
		kw = grammar_keyword(ctx->rules->grammar, "redeem", "en");
	snprintf(upper, sizeof(upper), "%s", kw != NULL ? kw : "redeem");
	cmd_upper_latin(upper);
	cmd_set_var(ctx, "kw_redeem", upper);
}

/* The "item" argument, "" when the message had none. */
static const char *
item_arg(const struct cmd_ctx *ctx)
{
	for (unsigned i = 0; ctx->match != NULL && i < ctx->match->nargs; i++) {
		if (strcmp(ctx->match->args[i].name, "item") == 0)
			return ctx->match->args[i].value;
	}
	return "";
}

static void
set_items(struct cmd_ctx *ctx)
{
	char list[sizeof(ctx->var_values[0])];
	redeem_list(ctx->campaign, list, sizeof(list));
	cmd_set_var(ctx, "items", list);
}

static int
cmd_redeem_run(struct cmd_ctx *ctx, struct db_error *err)
{
	const struct campaign *c = ctx->campaign;
	struct subscriber s;
	struct redeem_result res;

	int go = cmd_game_begin(ctx, CMD_LOCK | CMD_MEMBER | CMD_CAMPAIGN, &s, err);
	if (go <= 0)
		return go;
	if (c->ncatalog == 0) {
		ctx->reply_key = "redeem_none";
		cmd_set_keyword(ctx, "help");
		return 0;
	}
	const char *arg = item_arg(ctx);
	while (*arg == ' ')
		arg++;
	if (*arg == '\0') {
		ctx->reply_key = "redeem_catalog";
		set_items(ctx);
		set_number(ctx, "balance", s.points);
		set_redeem_keyword(ctx);
		return 0;
	}
	int i = redeem_find(c, arg);
	if (i < 0) {
		ctx->reply_key = "redeem_unknown";
		set_items(ctx);
		set_redeem_keyword(ctx);
		return 0;
	}
	const struct campaign_item *it = &c->catalog[i];
	if (redeem_item(ctx->conn, c, (unsigned)i, s.id, &res, err) < 0)
		return -1;
	set_text_var(ctx, "item", campaign_text(&it->name, ctx->lang));
	set_number(ctx, "cost", it->cost);
	switch (res.outcome) {
	case REDEEM_SHORT:
		ctx->reply_key = "redeem_short";
		set_number(ctx, "balance", res.balance);
		return 0;
	case REDEEM_NO_STOCK:
		ctx->reply_key = "redeem_no_stock";
		set_redeem_keyword(ctx);
		return 0;
	case REDEEM_DONE:
		break;
	}
	set_number(ctx, "balance", res.balance);
	if (res.reward.voucher[0] != '\0') {
		ctx->reply_key = "redeem_voucher";
		cmd_set_var(ctx, "voucher", res.reward.voucher);
	} else {
		ctx->reply_key = "redeem_done";
	}
	return 0;
}

const struct command cmd_redeem = {.name = "redeem", .run = cmd_redeem_run};
