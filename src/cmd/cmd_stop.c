/*
 * STOP / لغو / 11 — opt out of promotional messages at once. Always honoured, even for
 * numbers that never joined (they are recorded as opted out). Confirmed once: a second
 * STOP while opted out gets no reply.
 */
#include "cmd/command.h"
#include "store/subscribers.h"

static int
cmd_stop_run(struct cmd_ctx *ctx, struct db_error *err)
{
	struct subscriber s;
	if (cmd_subscriber(ctx, 1, &s, err) < 0)
		return -1;
	cmd_pick_lang(ctx, &s);
	if (s.opted_out) {
		ctx->reply_key = NULL;
		return 0;
	}
	if (subscribers_set_opt_out(ctx->conn, s.id, 1, err) < 0)
		return -1;
	ctx->reply_key = "stop_done";
	cmd_set_keyword(ctx, "start");
	return 0;
}

const struct command cmd_stop = {.name = "stop", .run = cmd_stop_run};
