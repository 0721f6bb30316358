/*
 * START / شروع / 12 — opt back in to promotional messages after STOP.
 */
#include "cmd/command.h"
#include "store/subscribers.h"

static int
cmd_start_run(struct cmd_ctx *ctx, struct db_error *err)
{
	struct subscriber s;
	if (cmd_subscriber(ctx, 1, &s, err) < 0)
		return -1;
	cmd_pick_lang(ctx, &s);
	if (s.opted_out && subscribers_set_opt_out(ctx->conn, s.id, 0, err) < 0)
		return -1;
	if (!s.member) {
		ctx->reply_key = "start_not_member";
		cmd_set_keyword(ctx, "join");
		return 0;
	}
	ctx->reply_key = "start_done";
	cmd_set_keyword(ctx, "stop");
	return 0;
}

const struct command cmd_start = {.name = "start", .run = cmd_start_run};
