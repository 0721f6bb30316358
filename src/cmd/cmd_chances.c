/*
 * CHANCES / شانس — a member's lottery chances for the campaign's draw: the chances
 * created before the cut-off of the next draw still open (or, when every draw has
 * closed, of the last one), with the prize and when entries close, in the campaign's
 * time zone (the Jalali date in Persian). Without draws: all the campaign's chances.
 */
#include "cmd/command.h"
#include "core/jalali.h"
#include "core/tz.h"
#include "store/draws.h"

#include <stdio.h>
#include <string.h>

/* The draw a member asks about: the first open one by cut-off, else the last closed. */
static const struct campaign_draw *
draw_of_interest(const struct campaign *c, time_t now)
{
	const struct campaign_draw *open = NULL, *closed = NULL;
	for (unsigned i = 0; i < c->ndraws; i++) {
		const struct campaign_draw *d = &c->draws[i];
		if (d->cutoff > now && (open == NULL || d->cutoff < open->cutoff))
			open = d;
		if (d->cutoff <= now && (closed == NULL || d->cutoff > closed->cutoff))
			closed = d;
	}
	return open != NULL ? open : closed;
}

/* When entries close, to the minute (a cut-off at midnight shows as 23:59 of the day
 * before), e.g. "1405-01-13 23:59" (fa, Jalali) or
 * "2026-04-02 23:59" (en). */
static void
local_close(const struct campaign *c, time_t cutoff, const char *lang, char *out, size_t n)
{
	struct tz_civil t;
	int y, m, d;
	tz_civil(c->tz, cutoff - 1, &t);
	y = t.year;
	m = t.month;
	d = t.day;
	if (strcmp(lang, "fa") == 0)
		gregorian_to_jalali(t.year, t.month, t.day, &y, &m, &d);
	snprintf(out, n, "%04d-%02d-%02d %02d:%02d", y, m, d, t.hour, t.minute);
}

static int
cmd_chances_run(struct cmd_ctx *ctx, struct db_error *err)
{
	struct subscriber s;
	long long chances = 0;
	char n[32], when[32];

	int go = cmd_game_begin(ctx, CMD_MEMBER | CMD_CAMPAIGN, &s, err);
	if (go <= 0)
		return go;
	const struct campaign *c = ctx->campaign;
	const struct campaign_draw *d = draw_of_interest(c, ctx->now);
	if (draws_member_chances(ctx->conn, s.id, c->id, d != NULL ? d->cutoff : 0, &chances, err) <
	    0)
		return -1;
	snprintf(n, sizeof(n), "%lld", chances > 0 ? chances : 0);
	cmd_set_var(ctx, "chances", n);
	if (d == NULL) {
		ctx->reply_key = "chances_no_draw";
		return 0;
	}
	cmd_set_var(ctx, "prize", campaign_text(&d->prize, ctx->lang));
	local_close(c, d->cutoff, ctx->lang, when, sizeof(when));
	cmd_set_var(ctx, "cutoff", when);
	ctx->reply_key = d->cutoff > ctx->now ? "chances_count" : "chances_closed";
	return 0;
}

const struct command cmd_chances = {.name = "chances", .run = cmd_chances_run, .readonly = 1};
