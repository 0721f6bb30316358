/*
 * TOP / رتبه — the member's rank by points and the top five, their numbers masked.
 */
#include "cmd/command.h"
#include "core/buf.h"
#include "game/leaderboard.h"
#include "store/subscribers.h"
#include "text/mask.h"

#include <stdio.h>

static int
cmd_top_run(struct cmd_ctx *ctx, struct db_error *err)
{
	static const char *const slots[LEADERBOARD_TOP] = {"top1", "top2", "top3", "top4", "top5"};
	struct subscriber s;
	struct leaderboard lb;
	struct buf masked = BUF_INIT;
	char n[32], line[96];

	int go = cmd_game_begin(ctx, CMD_MEMBER, &s, err);
	if (go <= 0)
		return go;
	if (leaderboard_read(ctx->conn, s.points, &lb, err) < 0)
		return -1;
	ctx->reply_key = "top_board";
	if (lb.beyond)
		snprintf(n, sizeof(n), "%d+", LEADERBOARD_RANK_MAX);
	else
		snprintf(n, sizeof(n), "%lld", lb.rank);
	cmd_set_var(ctx, "rank", n);
	snprintf(n, sizeof(n), "%lld", s.points);
	cmd_set_var(ctx, "points", n);
	for (unsigned i = 0; i < lb.ntop; i++) {
		buf_reset(&masked);
		mask_phones(lb.top[i].msisdn, &masked);
		snprintf(line, sizeof(line), "\n%lld) %s: %lld", lb.top[i].rank, buf_cstr(&masked),
		         lb.top[i].points);
		cmd_set_var(ctx, slots[i], line);
	}
	buf_free(&masked);
	return 0;
}

const struct command cmd_top = {.name = "top", .run = cmd_top_run, .readonly = 1};
