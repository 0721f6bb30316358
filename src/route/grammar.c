/*
 * grammar — loads conf/grammar.json (format in grammar.h), compiles one anchored PCRE2
 * pattern per command for its keywords and one for its args, and matches normalised
 * subscriber text against them.
 *
 * Invariants: a struct grammar is never changed after grammar_load returns, so matching
 * needs no lock; every pattern was compiled with UTF, so text is validated as UTF-8 before
 * any pcre2_match (which then runs with PCRE2_NO_UTF_CHECK); all PCRE2 memory comes from
 * xmalloc, so running out of memory aborts like everywhere else. A keyword's capture
 * group number maps back to the keyword (group_keyword), which gives the language.
 * Threads: grammar_load/grammar_free on one thread; grammar_match and the accessors on
 * any number of threads at once.
 */
#include "route/grammar_internal.h"
#include "text/utf8.h"
#include "core/xalloc.h"

#include <errno.h>
#include <jansson.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- UTF-8 and edit distance ---- */

/* Decodes the code point at s[*i] and advances *i. 0 ok, -1 on anything PCRE2 would call
 * invalid UTF-8 (bad or truncated sequence, overlong form, surrogate, > U+10FFFF). */
uint32_t
gram_fold(uint32_t cp)
{
	return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
}

/* Decodes at most max code points of s (folded) into cps; returns how many. The input
 * must be valid UTF-8. *used_r gets the bytes consumed. */
size_t
gram_decode(const char *s, size_t len, uint32_t *cps, size_t max, size_t *used_r)
{
	size_t n = 0, i = 0;
	while (i < len && n < max) {
		if (utf8_decode(s, len, &i, &cps[n]) < 0)
			break;
		cps[n] = gram_fold(cps[n]);
		n++;
	}
	*used_r = i;
	return n;
}

/* Edit distance over code points where insertion, deletion, substitution and swapping
 * two neighbours each cost 1 (optimal string alignment), so "hlep" is 1 from "help".
 * Both strings are at most SUGGEST_MAX_CPS long. */
unsigned
gram_edit_distance(const uint32_t *a, size_t la, const uint32_t *b, size_t lb)
{
	unsigned rows[3][SUGGEST_MAX_CPS + 1];
	unsigned *pp = rows[0], *prev = rows[1], *cur = rows[2];

	for (size_t j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned best = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			cur[j] = best;
		}
		unsigned *t = pp;
		pp = prev, prev = cur, cur = t;
	}
	return prev[lb];
}

bool
gram_all_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return true;
}

/* ---- matching ---- */

/* Fills m's args from the args pattern matched against rest. 1 when the pattern matched
 * and every captured value fits, 0 otherwise. */
static int
match_args(const struct grammar *g, const struct gram_command *c, const char *rest, size_t rlen,
           pcre2_match_data *md, struct route_match *m)
{
	int rc =
	    pcre2_match(c->args_re, (PCRE2_SPTR)rest, rlen, 0, PCRE2_NO_UTF_CHECK, md, g->mctx);
	if (rc <= 0)
		return 0;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	for (unsigned i = 0; i < c->ngroups; i++) {
		unsigned n = c->groups[i].number;
		if (n >= (unsigned)rc || ov[2 * n] == PCRE2_UNSET || ov[2 * n + 1] < ov[2 * n])
			continue;
		size_t vlen = ov[2 * n + 1] - ov[2 * n];
		if (vlen > ROUTE_ARG_VALUE_MAX)
			return 0;
		struct route_arg *a = &m->args[m->nargs++];
		memcpy(a->name, c->groups[i].name, sizeof(a->name));
		memcpy(a->value, rest + ov[2 * n], vlen);
		a->value[vlen] = '\0';
	}
	return 1;
}

/* Looks for a near-miss keyword for text that matched nothing (see grammar.h): the
 * smallest edit distance within the keyword's threshold, else the longest keyword the
 * text starts with glued to more letters. Numbers get no suggestion. */
static void
suggest(const struct grammar *g, const char *text, size_t len, struct route_match *m)
{
	uint32_t cps[SUGGEST_MAX_CPS];
	size_t used, n = gram_decode(text, len, cps, SUGGEST_MAX_CPS, &used);
	bool complete = used == len;
	size_t w1 = 0;
	const struct gram_keyword *best = NULL;
	const struct gram_command *best_c = NULL;
	unsigned best_rank = 99;

	while (w1 < n && cps[w1] != ' ')
		w1++;
	bool number = w1 > 0;
	for (size_t i = 0; i < w1; i++)
		number = number && cps[i] >= '0' && cps[i] <= '9';
	if (number)
		return;
	for (unsigned ci = 0; ci < g->ncommands; ci++) {
		const struct gram_command *c = &g->commands[ci];
		for (unsigned ki = 0; ki < c->nkeywords; ki++) {
			const struct gram_keyword *k = &c->keywords[ki];
			unsigned words = 0, thr = k->ncps <= 4 ? 1 : 2, rank = 99;
			size_t plen = 0;
			while (plen < n && (cps[plen] != ' ' || ++words < k->nwords))
				plen++;
			bool whole = plen < n || complete; /* a cut-off prefix is no word */
			if (whole && plen >= 2 && plen <= k->ncps + thr && plen + thr >= k->ncps) {
				unsigned d = gram_edit_distance(cps, plen, k->cps, k->ncps);
				if (d >= 1 && d <= thr && d < k->ncps)
					rank = d;
			}
			if (rank == 99 && k->ncps >= 2 && n > k->ncps && cps[k->ncps] != ' ' &&
			    memcmp(cps, k->cps, k->ncps * sizeof(cps[0])) == 0)
				rank = 3;
			if (rank < best_rank ||
			    (rank == 3 && best_rank == 3 && k->ncps > best->ncps)) {
				best_rank = rank;
				best = k;
				best_c = c;
			}
		}
	}
	if (best != NULL) {
		memcpy(m->suggestion, best->text, best->len + 1);
		m->suggestion_command = best_c->name;
	}
}

void
grammar_match(const struct grammar *g, const char *text, size_t len, struct route_match *m)
{
	const struct gram_command *best = NULL;
	const struct gram_keyword *best_kw = NULL;
	size_t best_end = 0;

	memset(m, 0, sizeof(*m));
	m->status = ROUTE_UNKNOWN;
	if (g == NULL || text == NULL || len == 0 || !utf8_valid(text, len))
		return;
	if (gram_all_digits(text, len)) {
		for (unsigned i = 0; i < g->ncommands; i++) {
			const struct gram_command *c = &g->commands[i];
			for (unsigned s = 0; s < c->nshortcuts; s++) {
				if (strlen(c->shortcuts[s]) == len &&
				    memcmp(c->shortcuts[s], text, len) == 0) {
					m->status = ROUTE_OK;
					m->command = c->name;
					m->reserved = c->reserved;
					return;
				}
			}
		}
		return;
	}

	pcre2_match_data *md = pcre2_match_data_create(g->max_pairs, g->gctx);
	/* Reserved commands first: when one matches, the others are not even tried. */
	for (int tier = 1; tier >= 0 && best == NULL; tier--) {
		for (unsigned i = 0; i < g->ncommands; i++) {
			const struct gram_command *c = &g->commands[i];
			if (c->reserved != tier || c->keyword_re == NULL)
				continue;
			int rc = pcre2_match(c->keyword_re, (PCRE2_SPTR)text, len, 0,
			                     PCRE2_NO_UTF_CHECK, md, g->mctx);
			if (rc < 2 || (unsigned)rc - 1 > c->nkeywords)
				continue;
			const struct gram_keyword *k = &c->keywords[c->group_keyword[rc - 1]];
			if (best_kw == NULL || k->len > best_kw->len) {
				best = c;
				best_kw = k;
				best_end = pcre2_get_ovector_pointer(md)[1];
			}
		}
	}
	if (best == NULL) {
		suggest(g, text, len, m);
	} else {
		m->status = ROUTE_OK;
		m->command = best->name;
		m->lang = best_kw->lang;
		m->reserved = best->reserved;
		if (best->args_re != NULL &&
		    !match_args(g, best, text + best_end, len - best_end, md, m)) {
			m->nargs = 0;
			if (!best->reserved)
				m->status = ROUTE_BAD_ARGS;
		}
	}
	pcre2_match_data_free(md);
}

unsigned
grammar_count(const struct grammar *g)
{
	return g != NULL ? g->ncommands : 0;
}

const char *
grammar_command_name(const struct grammar *g, unsigned i)
{
	return g != NULL && i < g->ncommands ? g->commands[i].name : NULL;
}

static const struct gram_command *
command_find(const struct grammar *g, const char *name)
{
	for (unsigned i = 0; g != NULL && name != NULL && i < g->ncommands; i++) {
		if (strcmp(g->commands[i].name, name) == 0)
			return &g->commands[i];
	}
	return NULL;
}

const char *
grammar_keyword(const struct grammar *g, const char *command, const char *lang)
{
	const struct gram_command *c = command_find(g, command);
	for (unsigned i = 0; c != NULL && lang != NULL && i < c->nkeywords; i++) {
		if (strcmp(c->keywords[i].lang, lang) == 0)
			return c->keywords[i].text;
	}
	return NULL;
}

const char *
grammar_usage(const struct grammar *g, const char *command)
{
	const struct gram_command *c = command_find(g, command);
	if (c == NULL)
		return NULL;
	return c->usage != NULL ? c->usage : c->name;
}
