/*
 * QUIZ / سوال — today's question with its choices; ANSWER n / جواب n — the answer.
 * Both commands live here: they are two sides of one game (game/quiz.c).
 *
 * Campaign texts (a question, a choice) can be longer than ctx's 96-byte value slots,
 * so they are referenced, not copied: the job holds the rules bundle, and with it the
 * campaign, until the reply is rendered. The numbered list of choices is built in a
 * per-thread buffer that lives until this worker's next QUIZ; the reply is rendered
 * before the worker takes another job.
 */
#include "cmd/command.h"
#include "game/quiz.h"
#include "store/subscribers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for every choice at its longest: 8 x (1000 bytes + "8) " + a line break). */
#define CHOICES_TEXT_MAX (CAMPAIGN_MAX_CHOICES * (CAMPAIGN_MAX_TEXT_BYTES + 8) + 1)

static _Thread_local char choices_text[CHOICES_TEXT_MAX];

/* Sets a placeholder to text that outlives the reply (see the top of the file). */
static void
set_var_ref(struct cmd_ctx *ctx, const char *name, const char *value)
{
	if (ctx->nvars == CMD_MAX_VARS)
		return;
	ctx->vars[ctx->nvars].name = name;
	ctx->vars[ctx->nvars].value = value;
	ctx->nvars++;
}

static int
cmd_quiz_run(struct cmd_ctx *ctx, struct db_error *err)
{
	struct subscriber s;
	int rc = cmd_game_begin(ctx, CMD_LOCK | CMD_MEMBER | CMD_CAMPAIGN, &s, err);
	if (rc <= 0)
		return rc;
	const struct campaign_question *q = quiz_today(ctx->campaign, ctx->now);
	if (q == NULL) {
		ctx->reply_key = "quiz_none";
		return 0;
	}
	size_t len = 0;
	choices_text[0] = '\0';
	for (unsigned i = 0; i < q->nchoices && len < sizeof(choices_text); i++) {
		int n =
		    snprintf(choices_text + len, sizeof(choices_text) - len, "%s%u) %s",
		             i > 0 ? "\n" : "", i + 1, campaign_text(&q->choices[i], ctx->lang));
		if (n < 0)
			break;
		len += (size_t)n;
	}
	ctx->reply_key = "quiz_question";
	set_var_ref(ctx, "question", campaign_text(&q->text, ctx->lang));
	set_var_ref(ctx, "choices", choices_text);
	cmd_set_keyword(ctx, "answer");
	return 0;
}

const struct command cmd_quiz = {.name = "quiz", .run = cmd_quiz_run};

static int
cmd_answer_run(struct cmd_ctx *ctx, struct db_error *err)
{
	struct subscriber s;
	struct quiz_result res;
	char n[32];
	long choice = 0;

	int rc = cmd_game_begin(ctx, CMD_LOCK | CMD_MEMBER | CMD_CAMPAIGN, &s, err);
	if (rc <= 0)
		return rc;
	for (unsigned i = 0; ctx->match != NULL && i < ctx->match->nargs; i++) {
		if (strcmp(ctx->match->args[i].name, "choice") == 0) {
			char *end;
			choice = strtol(ctx->match->args[i].value, &end, 10);
			if (*end != '\0' || choice < 0 || choice > CAMPAIGN_MAX_CHOICES)
				choice = 0; /* not one of the choices, whatever it was */
		}
	}
	if (quiz_answer(ctx->conn, ctx->campaign, s.id, (unsigned)choice, ctx->now, &res, err) < 0)
		return -1;
	switch (res.outcome) {
	case QUIZ_NO_QUESTION:
		ctx->reply_key = "quiz_none";
		return 0;
	case QUIZ_BAD_CHOICE:
		ctx->reply_key = "quiz_bad_choice";
		snprintf(n, sizeof(n), "%u", res.question->nchoices);
		cmd_set_var(ctx, "max", n);
		cmd_set_keyword(ctx, "answer");
		return 0;
	case QUIZ_ALREADY:
		ctx->reply_key = "quiz_already";
		return 0;
	case QUIZ_WRONG:
		ctx->reply_key = "quiz_wrong";
		snprintf(n, sizeof(n), "%u", res.question->answer);
		cmd_set_var(ctx, "number", n);
		set_var_ref(
		    ctx, "choice",
		    campaign_text(&res.question->choices[res.question->answer - 1], ctx->lang));
		return 0;
	case QUIZ_RIGHT:
		break;
	}
	ctx->reply_key = "quiz_right";
	snprintf(n, sizeof(n), "%lld", res.reward.points);
	cmd_set_var(ctx, "points", n);
	snprintf(n, sizeof(n), "%lld", s.points + res.reward.points);
	cmd_set_var(ctx, "balance", n);
	return 0;
}

const struct command cmd_answer = {.name = "answer", .run = cmd_answer_run};
