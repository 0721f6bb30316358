/*
 * POINTS / امتیاز — balance, tier and lottery chances (zeros until the game fills them).
 */
#include "cmd/command.h"
#include "store/subscribers.h"

#include <stdio.h>
#include <string.h>

/* The tier's name in the reply language: the stored tier, else the campaign's entry
 * tier, else "-". */
static const char *
tier_name(const struct cmd_ctx *ctx, const char *tier)
{
	const struct campaign *c = ctx->campaign;
	if (c == NULL || c->ntiers == 0)
		return tier[0] != '\0' ? tier : "-";
	for (unsigned i = 0; i < c->ntiers; i++) {
		if (strcmp(c->tiers[i].id, tier) == 0)
			return campaign_text(&c->tiers[i].name, ctx->lang);
	}
	return campaign_text(&c->tiers[0].name, ctx->lang);
}

static int
cmd_points_run(struct cmd_ctx *ctx, struct db_error *err)
{
	struct subscriber s;
	char n[32];

	if (cmd_subscriber(ctx, 0, &s, err) < 0)
		return -1;
	cmd_pick_lang(ctx, &s);
	if (!s.member) {
		ctx->reply_key = "points_not_member";
		cmd_set_keyword(ctx, "join");
		return 0;
	}
	ctx->reply_key = "points_balance";
	snprintf(n, sizeof(n), "%lld", s.points);
	cmd_set_var(ctx, "points", n);
	snprintf(n, sizeof(n), "%lld", s.chances);
	cmd_set_var(ctx, "chances", n);
	cmd_set_var(ctx, "tier", tier_name(ctx, s.tier));
	return 0;
}

const struct command cmd_points = {.name = "points", .run = cmd_points_run, .readonly = 1};
