/*
 * LANG fa|en / زبان فارسی — choose the reply language. The reply comes in the new one.
 */
#include "cmd/command.h"
#include "store/subscribers.h"

#include <stdio.h>
#include <string.h>

/* Maps what the grammar's lang group captured to a language code; NULL if unknown. */
static const char *
lang_code(const char *word)
{
	static const struct {
		const char *word, *code;
	} map[] = {{"fa", "fa"},    {"farsi", "fa"}, {"persian", "fa"}, {"فارسی", "fa"},
	           {"پارسی", "fa"}, {"en", "en"},    {"english", "en"}, {"انگلیسی", "en"}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].word, word) == 0)
			return map[i].code;
	}
	return NULL;
}

static int
cmd_lang_run(struct cmd_ctx *ctx, struct db_error *err)
{
	struct subscriber s;
	const char *code = NULL;

	for (unsigned i = 0; i < ctx->match->nargs && code == NULL; i++) {
		if (strcmp(ctx->match->args[i].name, "lang") == 0)
			code = lang_code(ctx->match->args[i].value);
	}
	if (code == NULL) {
		if (cmd_subscriber(ctx, 0, &s, err) < 0)
			return -1;
		cmd_pick_lang(ctx, &s);
		ctx->reply_key = "lang_usage";
		return 0;
	}
	if (cmd_subscriber(ctx, 1, &s, err) < 0 ||
	    subscribers_set_lang(ctx->conn, s.id, code, err) < 0)
		return -1;
	snprintf(s.lang, sizeof(s.lang), "%s", code);
	cmd_pick_lang(ctx, &s);
	ctx->reply_key = "lang_set";
	cmd_set_keyword(ctx, "help");
	return 0;
}

const struct command cmd_lang = {.name = "lang", .run = cmd_lang_run};
