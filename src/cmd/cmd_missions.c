/*
 * MISSIONS / ماموریت — today's progress, one short line per mission: check-in (with
 * the streak), spin, quiz, the events goal and the referrals goal, as "done/of" counts
 * ("-" for a mission the campaign does not have). Short enough for two Persian SMS
 * segments.
 */
#include "cmd/command.h"
#include "cmd/rules.h"
#include "core/buf.h"
#include "game/missions.h"
#include "store/subscribers.h"

#include <stdio.h>

static void
set_count(struct cmd_ctx *ctx, const char *name, int has, long long done, long long of)
{
	char n[48];
	if (!has) {
		cmd_set_var(ctx, name, "-");
		return;
	}
	snprintf(n, sizeof(n), "%lld/%lld", done < of ? done : of, of);
	cmd_set_var(ctx, name, n);
}

static int
cmd_missions_run(struct cmd_ctx *ctx, struct db_error *err)
{
	static const char *const labels[] = {
	    [EVENT_RECHARGE] = "missions_recharge",
	    [EVENT_BUNDLE] = "missions_bundle",
	    [EVENT_BILL] = "missions_bill",
	    [EVENT_CUSTOM] = "missions_custom",
	};
	struct subscriber s;
	struct missions_progress p;
	struct buf label = BUF_INIT;
	char n[32];

	int go = cmd_game_begin(ctx, CMD_MEMBER | CMD_CAMPAIGN, &s, err);
	if (go <= 0)
		return go;
	if (missions_progress(ctx->conn, ctx->campaign, s.id, ctx->now, &p, err) < 0)
		return -1;
	ctx->reply_key = "missions_progress";
	set_count(ctx, "checkin", p.has_checkin, p.checked_in, 1);
	snprintf(n, sizeof(n), "%u", p.streak);
	cmd_set_var(ctx, "streak", n);
	set_count(ctx, "spin", p.has_wheel, p.spins, p.spins_per_day);
	set_count(ctx, "quiz", p.has_quiz, p.quiz_answered, 1);
	set_count(ctx, "events", p.events != NULL, p.events_done,
	          p.events != NULL ? p.events->count : 0);
	set_count(ctx, "referrals", p.referrals != NULL, p.referrals_done,
	          p.referrals != NULL ? p.referrals->count : 0);
	/* The events goal is named for its kind of event, in the reply's language. */
	if (templates_render(ctx->rules->templates, ctx->lang,
	                     labels[p.events != NULL ? p.events->event : EVENT_RECHARGE], NULL, 0,
	                     &label) == 0)
		cmd_set_var(ctx, "events_label", buf_cstr(&label));
	else
		cmd_set_var(ctx, "events_label", "-");
	buf_free(&label);
	return 0;
}

const struct command cmd_missions = {.name = "missions", .run = cmd_missions_run, .readonly = 1};
