/*
 * grammar — the subscriber command grammar: keywords, numeric shortcuts and argument
 * patterns, loaded from a JSON file and compiled once with PCRE2 (JIT when available).
 *
 * Input to grammar_match() is text already normalised by src/text (lower-case Latin,
 * ASCII digits, Persian ی/ک, ZWNJ turned into a space, single spaces, trimmed), but any
 * bytes are safe: invalid UTF-8 never matches. A loaded grammar is immutable; any thread
 * may match against it at the same time (each call uses its own match data). Loading and
 * freeing belong to one thread (startup or reload), after which the old grammar is freed
 * only when no thread uses it any more.
 *
 * File format (conf/grammar.json; campaigns add their own commands the same way):
 *
 *   {
 *     "comment": "free text, ignored (JSON has no comments)",
 *     "commands": [
 *       {"name": "stop", "reserved": true,
 *        "keywords": {"en": ["stop", "cancel"], "fa": ["لغو", "توقف"]},
 *        "shortcuts": ["11"]},
 *       {"name": "lang", "keywords": {"en": ["lang"], "fa": ["زبان"]},
 *        "args": "(?<lang>fa|en|فارسی)", "usage": "lang"}
 *     ]
 *   }
 *
 * - "commands": 1 to 64 objects, tried in this order within their tier (below).
 * - "name" (required): a-z, 0-9, '_', starting with a letter, at most 31 bytes; unique.
 * - "keywords" (required): language code ("fa", "en": 2 to 8 of a-z and '-') -> list of
 *   keywords, at most 32 per command in all. A keyword is literal text (no regex: "?"
 *   means a question mark), 1 to 64 bytes, one or more words separated by single spaces,
 *   written in normalised form (no Arabic ي ك ى, no ZWNJ or other invisible marks, no
 *   Persian digits), not only digits (numbers go in "shortcuts"). Matching is caseless,
 *   whole-word: the keyword must be followed by a space or the end of the text ("win"
 *   does not match "winner", unlike Kannel's keyword prefixes). A keyword may appear in
 *   only one command, and a plain command's keyword may not start with a reserved one.
 * - "reserved" (optional, default false): the compliance commands (STOP, START, HELP).
 *   They are tried before all others and match whatever text follows ("stop please").
 *   If they have "args" and the rest matches, the arguments are filled, else there are
 *   none; a reserved command never gets ROUTE_BAD_ARGS.
 * - "shortcuts" (optional): up to 8 strings of 1 to 10 ASCII digits; the whole message
 *   must equal one ("11" -> stop). Unique over the file. lang is NULL for a shortcut.
 * - "args" (optional): a PCRE2 pattern (UTF, UCP, caseless) matched against the text
 *   after the keyword and its space, anchored at both ends. Its named groups (at most 8,
 *   names at most 31 bytes) become route_match.args. Without "args" any trailing text is
 *   ignored ("join now" -> join). With "args", a rest that does not match, or no rest at
 *   all when the pattern does not match the empty string, gives ROUTE_BAD_ARGS.
 * - "usage" (optional): name of the reply template that explains the arguments
 *   (a-z, 0-9, '_'); grammar_usage() returns it, or the command name when absent.
 * - "comment" (optional, top level and in each command): free text, ignored.
 * Anything else is an error, so a misspelt field never silently does nothing.
 *
 * Among plain commands the longest matching keyword wins ("ثبت نام" over "ثبت").
 */
#ifndef GAMIGATE_ROUTE_GRAMMAR_H
#define GAMIGATE_ROUTE_GRAMMAR_H

#include "core/buf.h"

#include <stddef.h>

#define GRAMMAR_MAX_COMMANDS      64
#define GRAMMAR_MAX_KEYWORDS      32
#define GRAMMAR_MAX_KEYWORD_BYTES 64
#define GRAMMAR_MAX_SHORTCUTS     8
#define ROUTE_MAX_ARGS            8
#define ROUTE_ARG_NAME_MAX        31
#define ROUTE_ARG_VALUE_MAX       160

struct grammar; /* compiled, immutable; shared read-only by all threads */

enum route_status {
	ROUTE_OK,       /* command (and its arguments, if any) recognised */
	ROUTE_BAD_ARGS, /* keyword recognised, arguments missing or wrong: reply with usage */
	ROUTE_UNKNOWN,  /* nothing matched; suggestion may name a near miss */
};

struct route_arg {
	char name[ROUTE_ARG_NAME_MAX + 1];
	char value[ROUTE_ARG_VALUE_MAX + 1];
};

struct route_match {
	enum route_status status;
	const char *command; /* command name ("stop"), NULL when unknown; points into the grammar */
	const char *lang;    /* language of the keyword used: "fa", "en", or NULL for a shortcut */
	int reserved;
	unsigned nargs; /* named groups that took part in the match, in pattern order */
	struct route_arg args[ROUTE_MAX_ARGS];
	char suggestion[GRAMMAR_MAX_KEYWORD_BYTES + 1]; /* ROUTE_UNKNOWN: closest keyword, or "" */
	const char *suggestion_command;                 /* its command, or NULL */
};

/*
 * Loads and compiles the grammar file at path. Returns the grammar (free it with
 * grammar_free), or NULL with one line per problem appended to errors, each naming the
 * file and where: "path:line:column: JSON syntax error: ..." for syntax, otherwise
 * "path: commands[3].keywords.fa[1]: ..." (a JSON path) for missing or ill-typed fields,
 * bad args patterns (with PCRE2's offset and message), duplicate keywords and unknown
 * fields. Every problem in the file is reported, not only the first.
 */
struct grammar *grammar_load(const char *path, struct buf *errors);

/* As grammar_load, with a campaign's additions (extra_json: the campaign's "grammar"
 * object, {"commands": [...]}) laid over the file: keywords and shortcuts added to the
 * file's commands, new commands appended; the reserved commands cannot be changed.
 * Problems of the additions are named after origin ("campaign nowruz-1405: grammar"),
 * those of the merged grammar after "path with origin". NULL with the problems. */
struct grammar *grammar_load_with(const char *path, const char *extra_json, const char *origin,
                                  struct buf *errors);

/* Frees g and everything in it; NULL is fine. Pointers from grammar_match die with it. */
void grammar_free(struct grammar *g);

/* Matches len bytes of normalised text (not NUL-terminated necessarily); any thread.
 * Always fills m completely; strings in m point into g or into m itself. */
void grammar_match(const struct grammar *g, const char *text, size_t len, struct route_match *m);

/* Number of commands, and the name of command i in file order (NULL when out of range). */
unsigned grammar_count(const struct grammar *g);
const char *grammar_command_name(const struct grammar *g, unsigned i);

/* The first keyword of a command in a language, for help texts ("stop" / "لغو");
 * NULL if the command or a keyword in that language does not exist. */
const char *grammar_keyword(const struct grammar *g, const char *command, const char *lang);

/* The usage template name of a command ("usage", defaulting to its name); NULL if the
 * command does not exist. */
const char *grammar_usage(const struct grammar *g, const char *command);

#endif
