/*
 * JOIN / عضویت — become a member: idempotent; records the consent time and the
 * language once, clears an earlier STOP. JOIN <code> names the friend who brought a
 * new member (cmd_ref.c); from a member it is REF <code>.
 */
#include "cmd/command.h"
#include "store/subscribers.h"

#include <string.h>

extern const struct command cmd_ref, cmd_ref_join;

/* 1 when the grammar's "code" group took part in the match (JOIN <code>). */
static int
has_code(const struct cmd_ctx *ctx)
{
	for (unsigned i = 0; ctx->match != NULL && i < ctx->match->nargs; i++) {
		if (strcmp(ctx->match->args[i].name, "code") == 0)
			return 1;
	}
	return 0;
}

static int
cmd_join_run(struct cmd_ctx *ctx, struct db_error *err)
{
	struct subscriber s;
	if (cmd_subscriber(ctx, 1, &s, err) < 0)
		return -1;
	cmd_pick_lang(ctx, &s);
	if (s.lang[0] == '\0' && subscribers_set_lang(ctx->conn, s.id, ctx->lang, err) < 0)
		return -1;
	if (s.member && !s.opted_out) {
		if (has_code(ctx))
			return cmd_ref.run(ctx, err);
		ctx->reply_key = "join_already";
		cmd_set_keyword(ctx, "points");
		cmd_set_keyword(ctx, "help");
		return 0;
	}
	if (subscribers_join(ctx->conn, s.id, err) < 0)
		return -1;
	if (!s.member && has_code(ctx))
		return cmd_ref_join.run(ctx, err);
	ctx->reply_key = s.member ? "join_back" : "join_welcome";
	cmd_set_keyword(ctx, "help");
	cmd_set_keyword(ctx, "stop");
	cmd_set_keyword(ctx, "points");
	return 0;
}

const struct command cmd_join = {.name = "join", .run = cmd_join_run};
