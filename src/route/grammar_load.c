/*
 * grammar_load — reads conf/grammar.json (format in grammar.h), checks every field and
 * reports each problem with the file and a JSON path, compiles one anchored PCRE2
 * pattern per command for its keywords and one for its args. One thread at a time
 * (load/free); the result is immutable.
 */
#include "route/grammar_internal.h"
#include "core/xalloc.h"
#include "text/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- loading: messages ---- */

void
grammar_problem(struct loader *ld, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (char *p = line; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	buf_printf(ld->errors, "%s: %s\n", ld->path, line);
	ld->problems++;
}

/* Bytes of s to print so that at most max bytes are shown and no UTF-8 sequence is cut. */
static int
clip(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return (int)n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return (int)max;
}

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "true/false";
	case JSON_NULL:
		break;
	}
	return "null";
}

/* Reports every field of obj not in allowed, with the closest allowed name as a hint. */
static void
check_fields(struct loader *ld, json_t *obj, const char *where, const char *const *allowed,
             size_t nallowed, const char *list)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		const char *best = NULL;
		unsigned best_d = 3;
		uint32_t kc[SUGGEST_MAX_CPS], ac[SUGGEST_MAX_CPS];
		size_t used, nk = gram_decode(key, strlen(key), kc, SUGGEST_MAX_CPS, &used);
		bool known = false;

		for (size_t i = 0; i < nallowed && !known; i++) {
			known = strcmp(key, allowed[i]) == 0;
			size_t na =
			    gram_decode(allowed[i], strlen(allowed[i]), ac, SUGGEST_MAX_CPS, &used);
			unsigned d = gram_edit_distance(kc, nk, ac, na);
			if (d < best_d)
				best_d = d, best = allowed[i];
		}
		if (known)
			continue;
		grammar_problem(ld, "%s: unknown field \"%.*s\"%s%s%s (fields: %s)", where,
		                clip(key, 64), key, best ? "; did you mean \"" : "",
		                best ? best : "", best ? "\"?" : "", list);
	}
}

/* ---- loading: checks of single values ---- */

/* a-z first, then a-z, 0-9, '_'; 1 to NAME_MAX_BYTES bytes. */
static bool
name_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > NAME_MAX_BYTES || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	}
	return true;
}

static bool
lang_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > LANG_MAX_BYTES || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '-'))
			return false;
	}
	return true;
}

/* Characters the normaliser removes or rewrites: a keyword containing one never matches. */
static const struct {
	uint32_t lo, hi;
	const char *what, *advice;
} unnormalised[] = {
    {0x0643, 0x0643, "Arabic kaf", "write Persian \xda\xa9 (U+06A9)"},
    {0x064A, 0x064A, "Arabic yeh", "write Persian \xdb\x8c (U+06CC)"},
    {0x0649, 0x0649, "alef maksura", "write Persian \xdb\x8c (U+06CC)"},
    {0x0660, 0x0669, "an Arabic-Indic digit", "write ASCII digits"},
    {0x06F0, 0x06F9, "a Persian digit", "write ASCII digits"},
    {0x200C, 0x200C, "a zero-width non-joiner", "write a space"},
    {0x00A0, 0x00A0, "a no-break space", "write a space"},
    {0x0640, 0x0640, "a tatweel", "leave it out"},
    {0x064B, 0x065F, "a diacritic", "leave it out"},
    {0x200B, 0x200F, "an invisible mark", "leave it out"},
    {0x202A, 0x202E, "a bidi control", "leave it out"},
    {0x2066, 0x2069, "a bidi control", "leave it out"},
    {0xFEFF, 0xFEFF, "a byte order mark", "leave it out"},
};

/* Checks that a keyword is written the way normalised text looks. 0 fine; -1 with the
 * reason (the rest of a sentence starting with the keyword) in why. */
static int
keyword_check(const char *s, size_t len, char *why, size_t whylen)
{
	if (len == 0)
		return snprintf(why, whylen, "is empty"), -1;
	if (len > GRAMMAR_MAX_KEYWORD_BYTES)
		return snprintf(why, whylen, "is longer than %d bytes", GRAMMAR_MAX_KEYWORD_BYTES),
		       -1;
	if (s[0] == ' ' || s[len - 1] == ' ')
		return snprintf(why, whylen, "starts or ends with a space"), -1;
	if (strstr(s, "  ") != NULL)
		return snprintf(why, whylen, "has two spaces in a row; use one"), -1;
	if (gram_all_digits(s, len))
		return snprintf(why, whylen, "is a number; put numbers in \"shortcuts\""), -1;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		if (utf8_decode(s, len, &i, &cp) < 0)
			return snprintf(why, whylen, "is not valid UTF-8"), -1;
		if (cp < 0x20 || cp == 0x7f)
			return snprintf(why, whylen, "contains a control character"), -1;
		for (size_t k = 0; k < sizeof(unnormalised) / sizeof(unnormalised[0]); k++) {
			if (cp >= unnormalised[k].lo && cp <= unnormalised[k].hi)
				return snprintf(
				           why, whylen,
				           "contains U+%04X (%s), which subscribers' text never "
				           "has after normalisation; %s",
				           (unsigned)cp, unnormalised[k].what,
				           unnormalised[k].advice),
				       -1;
		}
	}
	return 0;
}

/* ---- loading: one command ---- */

static void
load_keywords(struct loader *ld, struct gram_command *c, json_t *v, const char *where)
{
	const char *lang;
	json_t *list;
	bool too_many = false;
	int before = ld->problems;

	if (!json_is_object(v)) {
		grammar_problem(
		    ld,
		    "%s.keywords: expected an object of language -> list of keywords, e.g. "
		    "{\"en\": [\"spin\"], \"fa\": "
		    "[\"\xda\xaf\xd8\xb1\xd8\xaf\xd9\x88\xd9\x86\xd9\x87\"]}; "
		    "got %s",
		    where, type_name(v));
		return;
	}
	json_object_foreach(v, lang, list)
	{
		char lwhere[160];
		size_t i;
		json_t *kv;

		snprintf(lwhere, sizeof(lwhere), "%s.keywords.%.16s", where, lang);
		if (!lang_valid(lang)) {
			grammar_problem(
			    ld,
			    "%s.keywords: \"%.16s\" is not a language code; use 2 to %d of a-z "
			    "and '-', e.g. \"fa\" or \"en\"",
			    where, lang, LANG_MAX_BYTES);
			continue;
		}
		if (!json_is_array(list)) {
			grammar_problem(
			    ld,
			    "%s: expected a list of keywords, e.g. [\"stop\", \"cancel\"]; got %s",
			    lwhere, type_name(list));
			continue;
		}
		if (c->nlangs == GRAMMAR_MAX_KEYWORDS)
			continue; /* more languages than keywords: reported below */
		const char *langp = c->langs[c->nlangs++] = xstrdup(lang);
		json_array_foreach(list, i, kv)
		{
			char why[200];
			if (!json_is_string(kv)) {
				grammar_problem(ld, "%s[%zu]: expected a string, got %s", lwhere, i,
				                type_name(kv));
				continue;
			}
			const char *s = json_string_value(kv);
			size_t len = json_string_length(kv);
			if (keyword_check(s, len, why, sizeof(why)) < 0) {
				grammar_problem(ld, "%s[%zu]: keyword \"%.*s\" %s", lwhere, i,
				                clip(s, 80), s, why);
				continue;
			}
			if (c->nkeywords == GRAMMAR_MAX_KEYWORDS) {
				too_many = true;
				continue;
			}
			struct gram_keyword *k = &c->keywords[c->nkeywords++];
			size_t used;
			k->text = xstrndup(s, len);
			k->len = len;
			k->lang = langp;
			k->pos = (unsigned)i;
			k->ncps =
			    (unsigned)gram_decode(s, len, k->cps, GRAMMAR_MAX_KEYWORD_BYTES, &used);
			k->nwords = 1;
			for (size_t b = 0; b < len; b++)
				k->nwords += s[b] == ' ';
		}
	}
	if (too_many || json_object_size(v) > GRAMMAR_MAX_KEYWORDS)
		grammar_problem(ld, "%s.keywords: more than %d keywords in one command", where,
		                GRAMMAR_MAX_KEYWORDS);
	else if (c->nkeywords == 0 && ld->problems == before)
		grammar_problem(
		    ld, "%s.keywords: no keywords; give at least one, e.g. \"en\": [\"spin\"]",
		    where);
}

static void
load_shortcuts(struct loader *ld, struct gram_command *c, json_t *v, const char *where)
{
	size_t i;
	json_t *sv;

	if (!json_is_array(v)) {
		grammar_problem(
		    ld,
		    "%s.shortcuts: expected a list of numbers as strings, e.g. [\"11\"]; got %s",
		    where, type_name(v));
		return;
	}
	if (json_array_size(v) > GRAMMAR_MAX_SHORTCUTS) {
		grammar_problem(ld, "%s.shortcuts: more than %d shortcuts", where,
		                GRAMMAR_MAX_SHORTCUTS);
		return;
	}
	json_array_foreach(v, i, sv)
	{
		const char *s = json_string_value(sv);
		size_t len = s != NULL ? json_string_length(sv) : 0;
		if (s == NULL || !gram_all_digits(s, len) || len > SHORTCUT_DIGITS_MAX) {
			grammar_problem(
			    ld,
			    "%s.shortcuts[%zu]: expected a string of 1 to %d ASCII digits, got %s",
			    where, i, SHORTCUT_DIGITS_MAX,
			    s != NULL ? "other text" : type_name(sv));
			continue;
		}
		c->shortcuts[c->nshortcuts++] = xstrndup(s, len);
	}
}

static pcre2_code *
compile(struct grammar *g, const char *pattern, size_t len, uint32_t options, int *err_r,
        size_t *offset_r)
{
	PCRE2_SIZE off = 0;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, len, PATTERN_OPTIONS | options, err_r,
	                               &off, g->cctx);
	*offset_r = (size_t)off;
	if (re == NULL)
		return NULL;
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* no JIT: the interpreter does it */
	uint32_t groups = 0;
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups);
	if (groups + 1 > g->max_pairs)
		g->max_pairs = groups + 1;
	return re;
}

static void
load_args(struct loader *ld, struct gram_command *c, json_t *v, const char *where)
{
	const char *s = json_string_value(v);
	size_t len = s != NULL ? json_string_length(v) : 0;
	uint32_t count = 0, entry = 0;
	PCRE2_SPTR table = NULL;
	PCRE2_UCHAR msg[256];
	int err;
	size_t off;

	if (s == NULL || len == 0 || len > ARGS_PATTERN_MAX) {
		grammar_problem(ld,
		                "%s.args: expected a PCRE2 pattern of 1 to %d bytes, e.g. "
		                "\"(?<code>[a-z0-9]{6})\"; got %s",
		                where, ARGS_PATTERN_MAX,
		                s != NULL ? "a string of another length" : type_name(v));
		return;
	}
	c->args_re = compile(ld->g, s, len, PCRE2_ANCHORED | PCRE2_ENDANCHORED, &err, &off);
	if (c->args_re == NULL) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		grammar_problem(ld, "%s.args at offset %zu: %s (pattern \"%.*s\")", where, off,
		                (const char *)msg, clip(s, 120), s);
		return;
	}
	pcre2_pattern_info(c->args_re, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(c->args_re, PCRE2_INFO_NAMEENTRYSIZE, &entry);
	pcre2_pattern_info(c->args_re, PCRE2_INFO_NAMETABLE, &table);
	if (count > ROUTE_MAX_ARGS) {
		grammar_problem(ld, "%s.args: %u named groups; at most %d", where, (unsigned)count,
		                ROUTE_MAX_ARGS);
		return;
	}
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *e = table + (size_t)i * entry;
		const char *name = (const char *)e + 2;
		unsigned number = (unsigned)e[0] << 8 | e[1], at = c->ngroups;
		if (strlen(name) > ROUTE_ARG_NAME_MAX) {
			grammar_problem(ld, "%s.args: group name \"%s\" is longer than %d bytes",
			                where, name, ROUTE_ARG_NAME_MAX);
			continue;
		}
		/* The table is sorted by name; keep the groups in pattern order. */
		while (at > 0 && c->groups[at - 1].number > number) {
			c->groups[at] = c->groups[at - 1];
			at--;
		}
		snprintf(c->groups[at].name, sizeof(c->groups[at].name), "%s", name);
		c->groups[at].number = number;
		c->ngroups++;
	}
}

/* Builds and compiles the keyword pattern: one capture group per keyword, the longest
 * first so that "ثبت نام" wins over "ثبت", each escaped so that it is literal text. */
static void
compile_keywords(struct loader *ld, struct gram_command *c, const char *where)
{
	unsigned order[GRAMMAR_MAX_KEYWORDS];
	struct buf pat = BUF_INIT;
	PCRE2_UCHAR msg[256];
	int err;
	size_t off;

	for (unsigned i = 0; i < c->nkeywords; i++) {
		unsigned at = i;
		while (at > 0 && c->keywords[order[at - 1]].len < c->keywords[i].len) {
			order[at] = order[at - 1];
			at--;
		}
		order[at] = i;
	}
	buf_puts(&pat, "(?:");
	for (unsigned n = 0; n < c->nkeywords; n++) {
		const struct gram_keyword *k = &c->keywords[order[n]];
		buf_puts(&pat, n > 0 ? "|(" : "(");
		for (size_t b = 0; b < k->len; b++) {
			unsigned char ch = (unsigned char)k->text[b];
			if (ch < 0x80 && ch != ' ' &&
			    !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			      (ch >= '0' && ch <= '9')))
				buf_putc(&pat, '\\');
			buf_putc(&pat, (char)ch);
		}
		buf_putc(&pat, ')');
		c->group_keyword[n + 1] = order[n];
	}
	buf_puts(&pat, ")(?: |\\z)");
	c->keyword_re = compile(ld->g, pat.data, pat.len, PCRE2_ANCHORED, &err, &off);
	if (c->keyword_re == NULL) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		grammar_problem(ld, "%s.keywords: cannot compile them (offset %zu: %s)", where, off,
		                (const char *)msg);
	}
	buf_free(&pat);
}

static const char *const command_fields[] = {"name", "reserved", "keywords", "shortcuts",
                                             "args", "usage",    "comment"};

static void
load_command(struct loader *ld, struct gram_command *c, json_t *jc, unsigned idx)
{
	char where[32];
	json_t *v;
	int before = ld->problems;

	snprintf(where, sizeof(where), "commands[%u]", idx);
	if (!json_is_object(jc)) {
		grammar_problem(
		    ld, "%s: expected an object {\"name\": ..., \"keywords\": {...}}, got %s",
		    where, type_name(jc));
		return;
	}
	check_fields(ld, jc, where, command_fields,
	             sizeof(command_fields) / sizeof(command_fields[0]),
	             "name, reserved, keywords, shortcuts, args, usage, comment");
	if ((v = json_object_get(jc, "name")) == NULL)
		grammar_problem(
		    ld, "%s: \"name\" is missing; every command needs one, e.g. \"name\": \"spin\"",
		    where);
	else if (!json_is_string(v))
		grammar_problem(ld, "%s.name: expected a string, got %s", where, type_name(v));
	else if (!name_valid(json_string_value(v)))
		grammar_problem(
		    ld,
		    "%s.name: \"%.40s\" is not a command name; use a-z, 0-9 and '_', starting "
		    "with a letter, at most %d bytes",
		    where, json_string_value(v), NAME_MAX_BYTES);
	else
		c->name = xstrdup(json_string_value(v));
	if ((v = json_object_get(jc, "reserved")) != NULL && !json_is_boolean(v))
		grammar_problem(ld, "%s.reserved: expected true or false, got %s", where,
		                type_name(v));
	c->reserved = v != NULL && json_is_true(v);
	if ((v = json_object_get(jc, "usage")) != NULL) {
		if (!json_is_string(v) || !name_valid(json_string_value(v)))
			grammar_problem(
			    ld, "%s.usage: expected a template name of a-z, 0-9 and '_'", where);
		else
			c->usage = xstrdup(json_string_value(v));
	}
	if ((v = json_object_get(jc, "comment")) != NULL && !json_is_string(v))
		grammar_problem(ld, "%s.comment: expected a string, got %s", where, type_name(v));
	if ((v = json_object_get(jc, "keywords")) == NULL)
		grammar_problem(
		    ld,
		    "%s: \"keywords\" is missing; e.g. \"keywords\": {\"en\": [\"spin\"], \"fa\": "
		    "[\"\xda\xaf\xd8\xb1\xd8\xaf\xd9\x88\xd9\x86\xd9\x87\"]}",
		    where);
	else
		load_keywords(ld, c, v, where);
	if ((v = json_object_get(jc, "shortcuts")) != NULL)
		load_shortcuts(ld, c, v, where);
	if ((v = json_object_get(jc, "args")) != NULL)
		load_args(ld, c, v, where);
	if (ld->problems == before && c->nkeywords > 0)
		compile_keywords(ld, c, where);
}

/* ---- loading: checks across commands ---- */

/* 1 when pattern re matches at the start of s (keyword then a space or the end), with
 * the end of the matched keyword in *end_r; 0 otherwise. */
static int
keyword_prefix(const struct grammar *g, const struct gram_command *c, const char *s, size_t len,
               size_t *end_r)
{
	pcre2_match_data *md = pcre2_match_data_create(g->max_pairs, g->gctx);
	int rc = pcre2_match(c->keyword_re, (PCRE2_SPTR)s, len, 0, 0, md, g->mctx);
	if (rc > 1)
		*end_r = (size_t)pcre2_get_ovector_pointer(md)[2 * (unsigned)(rc - 1) + 1];
	pcre2_match_data_free(md);
	return rc > 1;
}

static void
check_across(struct loader *ld, const struct grammar *g)
{
	for (unsigned j = 0; j < g->ncommands; j++) {
		const struct gram_command *c = &g->commands[j];
		for (unsigned i = 0; i < j && c->name != NULL; i++) {
			if (g->commands[i].name != NULL &&
			    strcmp(g->commands[i].name, c->name) == 0)
				grammar_problem(
				    ld,
				    "commands[%u].name: \"%s\" is already the name of commands[%u]",
				    j, c->name, i);
		}
		for (unsigned s = 0; s < c->nshortcuts; s++) {
			for (unsigned i = 0; i <= j; i++) {
				const struct gram_command *o = &g->commands[i];
				for (unsigned t = 0; t < (i == j ? s : o->nshortcuts); t++) {
					if (strcmp(o->shortcuts[t], c->shortcuts[s]) == 0)
						grammar_problem(
						    ld,
						    "commands[%u].shortcuts[%u]: \"%s\" is "
						    "already a "
						    "shortcut of commands[%u] (%s)",
						    j, s, c->shortcuts[s], i,
						    o->name ? o->name : "?");
				}
			}
		}
		for (unsigned n = 0; n < c->nkeywords; n++) {
			const struct gram_keyword *k = &c->keywords[n];
			for (unsigned e = 0; e < n; e++) {
				if (c->keywords[e].len == k->len &&
				    strncasecmp(c->keywords[e].text, k->text, k->len) == 0)
					grammar_problem(
					    ld,
					    "commands[%u].keywords.%s[%u]: keyword \"%s\" is "
					    "listed "
					    "twice in this command",
					    j, k->lang, k->pos, k->text);
			}
			for (unsigned i = 0; i < g->ncommands; i++) {
				const struct gram_command *o = &g->commands[i];
				size_t end = 0;
				if (i == j || o->keyword_re == NULL ||
				    !keyword_prefix(g, o, k->text, k->len, &end))
					continue;
				if (end == k->len && i < j)
					grammar_problem(
					    ld,
					    "commands[%u].keywords.%s[%u]: keyword \"%s\" is "
					    "already a "
					    "keyword of commands[%u] (%s)",
					    j, k->lang, k->pos, k->text, i, o->name);
				else if (end < k->len && o->reserved && !c->reserved)
					grammar_problem(
					    ld,
					    "commands[%u].keywords.%s[%u]: keyword \"%s\" can "
					    "never "
					    "match: it starts with \"%.*s\", a keyword of the "
					    "reserved "
					    "command %s, which is tried first",
					    j, k->lang, k->pos, k->text, (int)end, k->text,
					    o->name);
			}
		}
	}
}

static void *
pcre_alloc(PCRE2_SIZE size, void *data)
{
	(void)data;
	return xmalloc(size != 0 ? size : 1);
}

static void
pcre_free(void *ptr, void *data)
{
	(void)data;
	free(ptr);
}

static const char *const top_fields[] = {"commands", "comment"};

/* Reads the grammar file at path as JSON; NULL with the problem in errors. */
static json_t *
read_grammar_file(const char *path, struct buf *errors)
{
	struct stat st;
	json_error_t jerr;
	json_t *root;

	if (stat(path, &st) != 0) {
		buf_printf(errors, "%s: cannot open the grammar file: %s\n", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > GRAMMAR_FILE_MAX) {
		buf_printf(errors, "%s: not a regular file of at most %d bytes\n", path,
		           GRAMMAR_FILE_MAX);
		return NULL;
	}
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		if (jerr.line > 0)
			buf_printf(errors, "%s:%d:%d: JSON syntax error: %s\n", path, jerr.line,
			           jerr.column, jerr.text);
		else
			buf_printf(errors, "%s: cannot read the grammar file: %s\n", path,
			           jerr.text);
	}
	return root;
}

/* Checks and compiles a grammar document; problems are named after path. */
static struct grammar *
build_grammar(const char *path, json_t *root, struct buf *errors)
{
	struct loader ld = {.path = path, .errors = errors};
	json_t *cmds;

	struct grammar *g = ld.g = xcalloc(1, sizeof(*g));
	g->gctx = pcre2_general_context_create(pcre_alloc, pcre_free, NULL);
	g->cctx = pcre2_compile_context_create(g->gctx);
	g->mctx = pcre2_match_context_create(g->gctx);
	pcre2_set_match_limit(g->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(g->mctx, MATCH_DEPTH_LIMIT);
	pcre2_set_heap_limit(g->mctx, MATCH_HEAP_LIMIT_KIB);
	g->max_pairs = 1;

	if (!json_is_object(root)) {
		grammar_problem(&ld,
		                "expected an object {\"commands\": [...]} at the top level, got %s",
		                type_name(root));
		goto out;
	}
	check_fields(&ld, root, "top level", top_fields, 2, "commands, comment");
	cmds = json_object_get(root, "commands");
	if (cmds == NULL) {
		grammar_problem(
		    &ld,
		    "\"commands\" is missing at the top level; expected {\"commands\": [...]}");
		goto out;
	}
	if (!json_is_array(cmds) || json_array_size(cmds) == 0 ||
	    json_array_size(cmds) > GRAMMAR_MAX_COMMANDS) {
		grammar_problem(&ld, "commands: expected a list of 1 to %d commands, got %s",
		                GRAMMAR_MAX_COMMANDS,
		                json_is_array(cmds) ? "another number of them" : type_name(cmds));
		goto out;
	}
	g->ncommands = (unsigned)json_array_size(cmds);
	g->commands = xcalloc(g->ncommands, sizeof(*g->commands));
	for (unsigned i = 0; i < g->ncommands; i++)
		load_command(&ld, &g->commands[i], json_array_get(cmds, i), i);
	check_across(&ld, g);
out:
	if (ld.problems > 0) {
		grammar_free(g);
		return NULL;
	}
	return g;
}

struct grammar *
grammar_load(const char *path, struct buf *errors)
{
	json_t *root = read_grammar_file(path, errors);
	if (root == NULL)
		return NULL;
	struct grammar *g = build_grammar(path, root, errors);
	json_decref(root);
	return g;
}

struct grammar *
grammar_load_with(const char *path, const char *extra_json, const char *origin, struct buf *errors)
{
	json_error_t jerr;
	json_t *root = read_grammar_file(path, errors);
	if (root == NULL)
		return NULL;
	json_t *extra = json_loads(extra_json, JSON_REJECT_DUPLICATES, &jerr);
	struct grammar *g = NULL;
	if (extra == NULL) {
		buf_printf(errors, "%s: not valid JSON: %s\n", origin, jerr.text);
	} else {
		/* Compiled even when the additions had problems, so that the problems of the
		 * rest are listed too; then nothing is returned. */
		int merged = grammar_merge(root, extra, origin, errors);
		char name[256];
		snprintf(name, sizeof(name), "%s with %s", path, origin);
		g = build_grammar(name, root, errors);
		if (merged < 0) {
			grammar_free(g);
			g = NULL;
		}
	}
	json_decref(extra);
	json_decref(root);
	return g;
}

void
grammar_free(struct grammar *g)
{
	if (g == NULL)
		return;
	for (unsigned i = 0; i < g->ncommands; i++) {
		struct gram_command *c = &g->commands[i];
		free(c->name);
		free(c->usage);
		for (unsigned n = 0; n < c->nlangs; n++)
			free(c->langs[n]);
		for (unsigned n = 0; n < c->nkeywords; n++)
			free(c->keywords[n].text);
		for (unsigned n = 0; n < c->nshortcuts; n++)
			free(c->shortcuts[n]);
		pcre2_code_free(c->keyword_re);
		pcre2_code_free(c->args_re);
	}
	free(g->commands);
	pcre2_match_context_free(g->mctx);
	pcre2_compile_context_free(g->cctx);
	pcre2_general_context_free(g->gctx);
	free(g);
}
