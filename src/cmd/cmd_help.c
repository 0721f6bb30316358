/*
 * HELP / راهنما — what the subscriber can text. Reserved: matched before anything else.
 */
#include "cmd/command.h"
#include "store/subscribers.h"

static int
cmd_help_run(struct cmd_ctx *ctx, struct db_error *err)
{
	struct subscriber s;
	if (cmd_subscriber(ctx, 0, &s, err) < 0)
		return -1;
	cmd_pick_lang(ctx, &s);
	ctx->reply_key = "help";
	cmd_set_keyword(ctx, "join");
	cmd_set_keyword(ctx, "points");
	cmd_set_keyword(ctx, "lang");
	cmd_set_keyword(ctx, "stop");
	cmd_set_keyword(ctx, "start");
	cmd_set_keyword(ctx, "spin");
	cmd_set_keyword(ctx, "checkin");
	return 0;
}

const struct command cmd_help = {.name = "help", .run = cmd_help_run, .readonly = 1};
