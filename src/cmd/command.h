/*
 * command — one file per subscriber command (cmd_join.c, cmd_stop.c …), registered in
 * the table of commands.c. A command runs on a worker inside the inbound message's
 * transaction: it reads and changes the subscriber through the store and chooses the
 * reply (a template key, its placeholder values and the language). SMS and USSD both
 * end here, so a command behaves the same on either.
 */
#ifndef GAMIGATE_CMD_COMMAND_H
#define GAMIGATE_CMD_COMMAND_H

#include <stddef.h>

#include <time.h>

#include "game/campaign.h"
#include "game/checkin.h"
#include "game/wheel.h"
#include "route/grammar.h"
#include "store/db.h"
#include "store/subscribers.h"
#include "text/template.h"

struct sms_rules;

#define CMD_MAX_VARS 8

struct cmd_ctx {
	struct db_conn *conn;
	const struct sms_rules *rules;
	const char *msisdn;
	const char *text; /* normalised */
	const struct route_match *match;
	const struct campaign *campaign; /* the campaign of the short code, or NULL */
	time_t now;
	/* The subscriber as the pipeline already read it (NULL: not read), and whether
	 * that read locked the row; cmd_subscriber hands it out instead of reading again. */
	const struct subscriber *known;
	int known_locked;

	/* Set by the pipeline when the command may leave its game work to the end of the
	 * group commit it is part of (sms_process_part): SPIN and CHECKIN then only fill
	 * their request (spin, checkin) and the member, and set deferred; the batch makes
	 * all its spins and check-ins at once (wheel_spin_many, checkin_run_many) and
	 * cmd_deferred_reply chooses each reply. */
	int may_defer;
	enum cmd_deferred { CMD_DEFER_NONE, CMD_DEFER_SPIN, CMD_DEFER_CHECKIN } deferred;
	struct wheel_spin_req spin;
	struct checkin_req checkin;
	struct subscriber member; /* as locked when the command ran */

	/* what the command decides */
	char lang[3];
	const char *reply_key; /* NULL: send nothing */
	struct template_var vars[CMD_MAX_VARS];
	size_t nvars;
	char var_values[CMD_MAX_VARS][96];
};

struct command {
	const char *name;
	/* 0 ok (reply chosen in ctx), -1 database error in err */
	int (*run)(struct cmd_ctx *ctx, struct db_error *err);
	/* Only reads: the message's record is then its one write, and it runs without an
	 * explicit transaction (two round trips fewer per message). */
	int readonly;
};

/* The command implementing a grammar command name, or NULL. */
const struct command *command_find(const char *name);

/* The templates every command may answer with, for the load-time check. */
extern const struct template_spec command_templates[];
extern const size_t command_templates_count;

/* Reply language: the subscriber's choice, else the keyword's language, else the
 * script of the text (Persian letters -> fa), else the default. */
void cmd_pick_lang(struct cmd_ctx *ctx, const struct subscriber *s);
/* Sets a placeholder value (copied). */
void cmd_set_var(struct cmd_ctx *ctx, const char *name, const char *value);
/* What a game command needs before it runs. */
enum cmd_need {
	CMD_LOCK = 1,     /* lock the subscriber row (the command changes it) */
	CMD_MEMBER = 2,   /* a member who has not opted out */
	CMD_CAMPAIGN = 4, /* a running campaign for the short code */
};

/* The subscriber of the message into s: ctx->known when the pipeline read it already
 * (and locked it, if lock), else read now (with lock: created when missing and locked,
 * as subscribers_lock). Only for a command's first look at its subscriber: after the
 * command changed the row, read it again with subscribers_get/lock. 0 ok, -1. */
int cmd_subscriber(struct cmd_ctx *ctx, int lock, struct subscriber *s, struct db_error *err);

/* Reads (with CMD_LOCK: creates and locks) the subscriber into s, picks the reply
 * language and checks the needs; when one is not met the reply is chosen here
 * ("game_not_member", "no_campaign"). 1 go on, 0 answered, -1 with err set. */
int cmd_game_begin(struct cmd_ctx *ctx, unsigned needs, struct subscriber *s, struct db_error *err);

/* The reply of a spin made (ctx->spin.res filled) for ctx->member. */
void cmd_spin_reply(struct cmd_ctx *ctx);
/* The reply of a check-in made (ctx->checkin.res filled) for ctx->member. */
void cmd_checkin_reply(struct cmd_ctx *ctx);

/* Capitalises ASCII letters in place: Latin keywords read best so in an SMS ("text
 * JOIN"); matching is caseless anyway. */
void cmd_upper_latin(char *s);
/* Sets {kw_<command>} to the first keyword of command in ctx->lang. */
void cmd_set_keyword(struct cmd_ctx *ctx, const char *command);

#endif
