/*
 * CHECKIN / حضور — the daily check-in with its streak.
 */
#include "cmd/command.h"
#include "game/checkin.h"
#include "store/subscribers.h"

#include <stdio.h>

static int
cmd_checkin_run(struct cmd_ctx *ctx, struct db_error *err)
{
	struct subscriber s;

	int go = cmd_game_begin(ctx, CMD_LOCK | CMD_MEMBER | CMD_CAMPAIGN, &s, err);
	if (go <= 0)
		return go;
	ctx->checkin =
	    (struct checkin_req){.campaign = ctx->campaign, .subscriber_id = s.id, .now = ctx->now};
	ctx->member = s;
	if (ctx->may_defer) {
		ctx->deferred = CMD_DEFER_CHECKIN; /* made with the batch's other check-ins */
		return 0;
	}
	struct checkin_req *one = &ctx->checkin;
	if (checkin_run_many(ctx->conn, &one, 1, err) < 0)
		return -1;
	cmd_checkin_reply(ctx);
	return 0;
}

void
cmd_checkin_reply(struct cmd_ctx *ctx)
{
	const struct checkin_result *res = &ctx->checkin.res;
	char n[32];

	snprintf(n, sizeof(n), "%u", res->streak);
	switch (res->outcome) {
	case CHECKIN_NOT_RUNNING:
	case CHECKIN_NO_MISSION:
		ctx->reply_key = "no_campaign";
		cmd_set_keyword(ctx, "help");
		return;
	case CHECKIN_ALREADY:
		ctx->reply_key = "checkin_already";
		cmd_set_var(ctx, "streak", n);
		return;
	case CHECKIN_DONE:
		break;
	}
	ctx->reply_key = res->bonus ? "checkin_bonus" : "checkin_done";
	cmd_set_var(ctx, "streak", n);
	snprintf(n, sizeof(n), "%lld", res->reward.points);
	cmd_set_var(ctx, "points", n);
	snprintf(n, sizeof(n), "%lld", res->bonus_reward.points);
	cmd_set_var(ctx, "bonus", n);
	snprintf(n, sizeof(n), "%lld",
	         ctx->member.points + res->reward.points + res->bonus_reward.points);
	cmd_set_var(ctx, "balance", n);
}

const struct command cmd_checkin = {.name = "checkin", .run = cmd_checkin_run};
