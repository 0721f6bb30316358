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
	struct checkin_result res;
	char n[32];

	int go = cmd_game_begin(ctx, CMD_LOCK | CMD_MEMBER | CMD_CAMPAIGN, &s, err);
	if (go <= 0)
		return go;
	if (checkin_run(ctx->conn, ctx->campaign, s.id, ctx->now, &res, err) < 0)
		return -1;
	snprintf(n, sizeof(n), "%u", res.streak);
	switch (res.outcome) {
	case CHECKIN_NOT_RUNNING:
	case CHECKIN_NO_MISSION:
		ctx->reply_key = "no_campaign";
		cmd_set_keyword(ctx, "help");
		return 0;
	case CHECKIN_ALREADY:
		ctx->reply_key = "checkin_already";
		cmd_set_var(ctx, "streak", n);
		return 0;
	case CHECKIN_DONE:
		break;
	}
	ctx->reply_key = res.bonus ? "checkin_bonus" : "checkin_done";
	cmd_set_var(ctx, "streak", n);
	snprintf(n, sizeof(n), "%lld", res.reward.points);
	cmd_set_var(ctx, "points", n);
	snprintf(n, sizeof(n), "%lld", res.bonus_reward.points);
	cmd_set_var(ctx, "bonus", n);
	snprintf(n, sizeof(n), "%lld", s.points + res.reward.points + res.bonus_reward.points);
	cmd_set_var(ctx, "balance", n);
	return 0;
}

const struct command cmd_checkin = {.name = "checkin", .run = cmd_checkin_run};
