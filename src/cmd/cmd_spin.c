/*
 * SPIN / گردونه — the daily prize wheel of the campaign of the short code.
 */
#include "cmd/command.h"
#include "game/wheel.h"
#include "store/subscribers.h"

#include <stdio.h>

static int
cmd_spin_run(struct cmd_ctx *ctx, struct db_error *err)
{
	struct subscriber s;

	int go = cmd_game_begin(ctx, CMD_LOCK | CMD_MEMBER | CMD_CAMPAIGN, &s, err);
	if (go <= 0)
		return go;
	ctx->spin = (struct wheel_spin_req){
	    .campaign = ctx->campaign, .subscriber_id = s.id, .now = ctx->now};
	ctx->member = s;
	if (ctx->may_defer) {
		ctx->deferred = CMD_DEFER_SPIN; /* made with the batch's other spins */
		return 0;
	}
	struct wheel_spin_req *one = &ctx->spin;
	if (wheel_spin_many(ctx->conn, &one, 1, err) < 0)
		return -1;
	cmd_spin_reply(ctx);
	return 0;
}

void
cmd_spin_reply(struct cmd_ctx *ctx)
{
	const struct spin_result *res = &ctx->spin.res;
	char n[32];

	switch (res->outcome) {
	case SPIN_NOT_RUNNING:
	case SPIN_NO_WHEEL:
		ctx->reply_key = "no_campaign";
		cmd_set_keyword(ctx, "help");
		return;
	case SPIN_ALREADY_TODAY:
		ctx->reply_key = "spin_already";
		cmd_set_keyword(ctx, "checkin");
		return;
	case SPIN_WON:
		break;
	}
	const struct campaign_prize *p = &ctx->spin.campaign->wheel.prizes[res->prize];
	cmd_set_var(ctx, "prize", campaign_text(&p->name, ctx->lang));
	if (res->reward.voucher[0] != '\0') {
		ctx->reply_key = "spin_voucher";
		cmd_set_var(ctx, "voucher", res->reward.voucher);
	} else if (res->reward.points == 0 && res->reward.chances == 0) {
		ctx->reply_key = "spin_nothing";
		cmd_set_keyword(ctx, "checkin");
	} else {
		ctx->reply_key = "spin_won";
		snprintf(n, sizeof(n), "%lld", ctx->member.points + res->reward.points);
		cmd_set_var(ctx, "balance", n);
	}
}

const struct command cmd_spin = {.name = "spin", .run = cmd_spin_run};
