/*
 * menu — the USSD menu of a campaign (its "ussd" section, campaigns/README.md) and the
 * engine that walks it: screens with a text per language, numbered options leading to
 * another screen or to an action (a subscriber command run exactly as by SMS), input
 * screens (a referral code) with validation, "0" back, "00" home, and pages with a
 * "98 more" line when a screen is longer than the limit.
 *
 * The walk is a pure function of the menu, the language and the answers so far (the
 * whole `text` of the request), so any gamigate process can serve any step of a
 * session: the only state it needs from the database is the language and what an
 * action answered. A parsed menu is immutable and shared by all threads; every function
 * here is pure and may run on any thread.
 */
#ifndef GAMIGATE_GAME_MENU_H
#define GAMIGATE_GAME_MENU_H

#include <stddef.h>

#include "core/buf.h"
#include "game/campaign.h"
#include "route/ussd_text.h"

#define MENU_MAX_SCREENS       64
#define MENU_MAX_OPTIONS       20
#define MENU_MAX_SERVICE_CODES 8
#define MENU_MAX_ARGS          2
#define MENU_MAX_DEPTH         16
#define MENU_MORE              "98" /* the answer that shows the next page */

struct menu_action {
	char command[32]; /* a subscriber command: "spin", "ref", ... */
	unsigned nargs;
	char arg_name[MENU_MAX_ARGS][32];
	char arg_value[MENU_MAX_ARGS][161];
};

struct menu_option {
	struct campaign_text label;
	int screen; /* index of the next screen, or -1 for the action */
	struct menu_action action;
};

enum menu_chars { MENU_CHARS_DIGITS, MENU_CHARS_ALNUM };

struct menu_input {
	struct menu_action action; /* the answer is added as argument `arg` */
	char arg[32];
	enum menu_chars chars;
	unsigned min_len, max_len;
	struct campaign_text error; /* n == 0: the generic "invalid" line */
};

struct menu_screen {
	char id[41];
	struct campaign_text text;
	struct menu_option *options;
	unsigned noptions;
	int is_input;
	struct menu_input input;
};

struct menu {
	char **service_codes; /* "*3000#" */
	unsigned nservice_codes;
	struct menu_screen *screens; /* screens[0] is home */
	unsigned nscreens;
};

/* The size of a screen: max_chars GSM-7 characters, or max_ucs2 UTF-16 units as soon
 * as one character is outside GSM-7 (any Persian letter). */
struct menu_limits {
	unsigned max_chars;
	unsigned max_ucs2;
};

/* The words of the engine's own lines, in the session's language (from templates). */
struct menu_words {
	const char *more;    /* "More" */
	const char *back;    /* "Back" */
	const char *invalid; /* "Invalid choice, try again." */
};

enum menu_kind {
	MENU_SCREEN, /* show screens[screen], page `page` (with the invalid line if error) */
	MENU_ACTION, /* run action (the last answer triggered it) */
	MENU_REPLY,  /* an earlier answer ran the action; show page `page` of its reply */
};

struct menu_walk {
	enum menu_kind kind;
	unsigned screen;
	unsigned page;
	int error;
	const struct menu_action *action;       /* MENU_ACTION / MENU_REPLY */
	const struct menu_screen *input_screen; /* the action came from this input screen */
	char input[USSD_PART_MAX + 1];          /* the input, for an input screen's action */
	unsigned action_part;                   /* answers up to and including the action's */
};

/* Walks the answers of t from the home screen. Pure. */
void menu_walk(const struct menu *m, const char *lang, const struct ussd_text *t,
               const struct menu_limits *lim, const struct menu_words *w, struct menu_walk *out);

/* Appends page `page` of screen s (clamped to the last) to out, when out is not NULL,
 * and returns the number of pages. error: start with the invalid-choice line. */
unsigned menu_render(const struct menu *m, unsigned screen, const char *lang, unsigned page,
                     int error, const struct menu_limits *lim, const struct menu_words *w,
                     struct buf *out);

/* Appends page `page` (clamped) of a free text — an action's reply — to out, with the
 * "more" line on every page but the last. Returns the number of pages; *last_r is set
 * to 1 when the page appended is the last. */
unsigned menu_paginate(const char *text, unsigned page, const struct menu_limits *lim,
                       const struct menu_words *w, struct buf *out, int *last_r);

/* 1 when text fits one screen under lim. */
int menu_fits(const char *text, const struct menu_limits *lim);

/* The menu's service code matching code, 1 when found. */
int menu_serves(const struct menu *m, const char *code);

void menu_free(struct menu *m);

#endif
