/*
 * grammar_internal — what grammar.c (matching) and grammar_load.c (loading) share: the
 * compiled form of a grammar and the code-point helpers behind "did you mean". Not for
 * use outside src/route.
 */
#ifndef GAMIGATE_ROUTE_GRAMMAR_INTERNAL_H
#define GAMIGATE_ROUTE_GRAMMAR_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include "route/grammar.h"

#include <jansson.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GRAMMAR_FILE_MAX     (1024 * 1024)
#define ARGS_PATTERN_MAX     512
#define SHORTCUT_DIGITS_MAX  10
#define NAME_MAX_BYTES       31
#define LANG_MAX_BYTES       8
#define SUGGEST_MAX_CPS      (GRAMMAR_MAX_KEYWORD_BYTES + 8)
#define PATTERN_OPTIONS      (PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_NEVER_BACKSLASH_C)
#define MATCH_LIMIT          1000000
#define MATCH_DEPTH_LIMIT    10000
#define MATCH_HEAP_LIMIT_KIB 2048

struct gram_keyword {
	char *text;
	size_t len;                              /* bytes */
	const char *lang;                        /* points into the command's langs */
	unsigned pos;                            /* index in its language's list, for error paths */
	uint32_t cps[GRAMMAR_MAX_KEYWORD_BYTES]; /* code points, ASCII folded to lower case */
	unsigned ncps;
	unsigned nwords;
};

struct gram_group {
	char name[ROUTE_ARG_NAME_MAX + 1];
	unsigned number;
};

struct gram_command {
	char *name;
	char *usage;
	int reserved;
	char *langs[GRAMMAR_MAX_KEYWORDS];
	unsigned nlangs;
	struct gram_keyword keywords[GRAMMAR_MAX_KEYWORDS]; /* file order */
	unsigned nkeywords;
	unsigned group_keyword[GRAMMAR_MAX_KEYWORDS + 1]; /* capture group -> keyword index */
	char *shortcuts[GRAMMAR_MAX_SHORTCUTS];
	unsigned nshortcuts;
	pcre2_code *keyword_re; /* (?:(kw)|(kw)...)(?: |\z), anchored, longest keyword first */
	pcre2_code *args_re;    /* anchored at both ends; NULL without "args" */
	struct gram_group groups[ROUTE_MAX_ARGS]; /* named groups by group number */
	unsigned ngroups;
};

struct grammar {
	struct gram_command *commands;
	unsigned ncommands;
	uint32_t max_pairs; /* ovector pairs the largest pattern needs */
	pcre2_general_context *gctx;
	pcre2_compile_context *cctx;
	pcre2_match_context *mctx;
};

struct loader {
	const char *path;
	struct buf *errors;
	struct grammar *g;
	int problems;
};

/* Case-folds a code point the simple way (ASCII and Latin-1 letters). */
uint32_t gram_fold(uint32_t cp);
/* Decodes up to max code points of s, folded; *used_r gets the bytes consumed. */
size_t gram_decode(const char *s, size_t len, uint32_t *cps, size_t max, size_t *used_r);
/* Edit distance over code points; a swap of neighbours counts as one edit. */
unsigned gram_edit_distance(const uint32_t *a, size_t la, const uint32_t *b, size_t lb);

/* True when s[0..len) is 1 or more ASCII digits. */
bool gram_all_digits(const char *s, size_t len);

/* Appends "path: <message>\n" to the loader's errors and counts it; control characters
 * become '?' so that each problem stays on one line. grammar_load.c. */
void grammar_problem(struct loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Lays a campaign's grammar additions (extra: {"commands": [...]}) over the grammar
 * file's document root: keywords and shortcuts added to the file's commands, other
 * commands appended; the reserved commands cannot be changed. Problems go to errors as
 * "origin: commands[i]...: ...". 0 merged, -1 with problems. grammar_merge.c. */
int grammar_merge(json_t *root, const json_t *extra, const char *origin, struct buf *errors);

#endif
