/*
 * REF <code> / معرف <code> — a new member names the friend who brought them. Also what
 * JOIN <code> does for someone who is a member already (cmd_join.c).
 */
#include "cmd/command.h"
#include "game/referral.h"
#include "store/subscribers.h"

#include <stdio.h>
#include <string.h>

/* The "code" argument of the match, or NULL. */
static const char *
code_arg(const struct cmd_ctx *ctx)
{
	for (unsigned i = 0; ctx->match != NULL && i < ctx->match->nargs; i++) {
		if (strcmp(ctx->match->args[i].name, "code") == 0)
			return ctx->match->args[i].value;
	}
	return NULL;
}

static int
cmd_ref_run(struct cmd_ctx *ctx, struct db_error *err)
{
	struct subscriber s;
	struct referral_result res;
	char n[32], shown[ROUTE_ARG_VALUE_MAX + 1];
	const char *code = code_arg(ctx);

	int go = cmd_game_begin(ctx, CMD_LOCK | CMD_MEMBER | CMD_CAMPAIGN, &s, err);
	if (go <= 0)
		return go;
	if (code == NULL) { /* the grammar's pattern needs one; a campaign's may not */
		ctx->reply_key = "ref_usage";
		return 0;
	}
	if (referral_claim(ctx->conn, ctx->campaign, s.id, code, ctx->now, &res, err) < 0)
		return -1;
	snprintf(shown, sizeof(shown), "%s", code);
	cmd_upper_latin(shown);
	switch (res.outcome) {
	case REFERRAL_DONE:
		snprintf(n, sizeof(n), "%lld", s.points + res.reward.points);
		cmd_set_var(ctx, "balance", n);
		if (res.reward.voucher[0] != '\0') {
			ctx->reply_key = "ref_done_voucher";
			cmd_set_var(ctx, "voucher", res.reward.voucher);
		} else {
			ctx->reply_key = "ref_done";
			snprintf(n, sizeof(n), "%lld", s.chances + res.reward.chances);
			cmd_set_var(ctx, "chances", n);
		}
		return 0;
	case REFERRAL_PENDING:
		ctx->reply_key = "ref_pending";
		return 0;
	case REFERRAL_NOT_RUNNING:
		ctx->reply_key = "no_campaign";
		cmd_set_keyword(ctx, "help");
		return 0;
	case REFERRAL_OFF:
		ctx->reply_key = "ref_off";
		return 0;
	case REFERRAL_INVALID:
		ctx->reply_key = "ref_invalid";
		cmd_set_var(ctx, "code", shown);
		cmd_set_keyword(ctx, "ref");
		return 0;
	case REFERRAL_ALREADY:
		ctx->reply_key = "ref_already";
		return 0;
	case REFERRAL_SELF:
		ctx->reply_key = "ref_self";
		cmd_set_keyword(ctx, "code");
		return 0;
	case REFERRAL_UNKNOWN:
		ctx->reply_key = "ref_unknown";
		cmd_set_var(ctx, "code", shown);
		return 0;
	case REFERRAL_MUTUAL:
		ctx->reply_key = "ref_mutual";
		return 0;
	case REFERRAL_TOO_LATE:
		ctx->reply_key = "ref_too_late";
		snprintf(n, sizeof(n), "%u", ctx->campaign->referral.window_days);
		cmd_set_var(ctx, "days", n);
		return 0;
	case REFERRAL_CAP:
		ctx->reply_key = "ref_cap";
		return 0;
	}
	return 0;
}

const struct command cmd_ref = {.name = "ref", .run = cmd_ref_run};

/*
 * JOIN <code> for someone who became a member in this very message (cmd_join.c runs
 * it after the join): the welcome, with what became of the code. Not in the command
 * table: only cmd_join calls it.
 */
static int
cmd_ref_join_run(struct cmd_ctx *ctx, struct db_error *err)
{
	struct subscriber s;
	struct referral_result res;
	char n[32], shown[ROUTE_ARG_VALUE_MAX + 1];
	const char *code = code_arg(ctx);

	if (subscribers_lock(ctx->conn, ctx->msisdn, &s, err) < 0)
		return -1;
	cmd_pick_lang(ctx, &s);
	res.outcome = REFERRAL_NOT_RUNNING;
	if (code != NULL && ctx->campaign != NULL &&
	    referral_claim(ctx->conn, ctx->campaign, s.id, code, ctx->now, &res, err) < 0)
		return -1;
	snprintf(shown, sizeof(shown), "%s", code != NULL ? code : "");
	cmd_upper_latin(shown);
	snprintf(n, sizeof(n), "%u",
	         ctx->campaign != NULL ? ctx->campaign->referral.window_days : 0);
	cmd_set_keyword(ctx, "stop");
	switch (res.outcome) {
	case REFERRAL_DONE:
		if (res.reward.voucher[0] != '\0') {
			ctx->reply_key = "join_ref_voucher";
			cmd_set_var(ctx, "voucher", res.reward.voucher);
			return 0;
		}
		ctx->reply_key = "join_ref_done";
		snprintf(n, sizeof(n), "%lld", s.points + res.reward.points);
		cmd_set_var(ctx, "balance", n);
		cmd_set_keyword(ctx, "help");
		return 0;
	case REFERRAL_PENDING:
		ctx->reply_key = "join_ref_pending";
		return 0;
	case REFERRAL_INVALID:
	case REFERRAL_UNKNOWN:
		ctx->reply_key =
		    res.outcome == REFERRAL_INVALID ? "join_ref_invalid" : "join_ref_unknown";
		cmd_set_var(ctx, "code", shown);
		cmd_set_var(ctx, "days", n);
		cmd_set_keyword(ctx, "ref");
		return 0;
	case REFERRAL_CAP:
		ctx->reply_key = "join_ref_cap";
		return 0;
	case REFERRAL_ALREADY:
	case REFERRAL_SELF:
	case REFERRAL_MUTUAL:
	case REFERRAL_TOO_LATE:
		/* Hardly possible for a member of a few milliseconds; still an answer. */
		ctx->reply_key = "join_ref_refused";
		cmd_set_var(ctx, "code", shown);
		return 0;
	case REFERRAL_NOT_RUNNING:
	case REFERRAL_OFF:
		break;
	}
	/* No referral program to apply the code to: the plain welcome. */
	ctx->reply_key = "join_welcome";
	cmd_set_keyword(ctx, "help");
	cmd_set_keyword(ctx, "points");
	return 0;
}

const struct command cmd_ref_join = {.name = "ref_join", .run = cmd_ref_join_run};
