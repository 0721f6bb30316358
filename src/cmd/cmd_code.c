/*
 * CODE / کد — the member's referral code, and its numeric form for USSD keypads.
 */
#include "cmd/command.h"
#include "game/refcode.h"
#include "store/subscribers.h"

#include <stdio.h>

static int
cmd_code_run(struct cmd_ctx *ctx, struct db_error *err)
{
	struct subscriber s;
	char code[REFCODE_SIZE], numeric[REFCODE_SIZE];

	int go = cmd_game_begin(ctx, CMD_MEMBER, &s, err);
	if (go <= 0)
		return go;
	if (refcode_encode(s.id, code, numeric) < 0) {
		/* About 3.5 * 10^10 subscriber ids: an operator's concern, not a reply. */
		err->code = 0;
		snprintf(err->msg, sizeof(err->msg), "subscriber id %lld is beyond referral codes",
		         s.id);
		return -1;
	}
	ctx->reply_key = "code_yours";
	cmd_set_var(ctx, "code", code);
	cmd_set_var(ctx, "numeric", numeric);
	cmd_set_keyword(ctx, "join");
	return 0;
}

const struct command cmd_code = {.name = "code", .run = cmd_code_run, .readonly = 1};
