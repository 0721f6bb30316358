/*
 * menu — rendering, pagination and the walk of a USSD menu. Pure; any thread.
 *
 * A page is built from lines: an optional first line (the invalid-choice line), the
 * body lines (the screen's text, then "1. label" per option), "98. More" on every page
 * but the last, and an optional last line ("0. Back") on every page. A body line too
 * long for a page on its own is cut between words first (between characters only for a
 * word longer than a page), so nothing is ever lost off the end of a screen.
 */
#include "game/menu.h"
#include "core/xalloc.h"
#include "text/sms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
menu_fits(const char *text, const struct menu_limits *lim)
{
	struct sms_info info;
	sms_measure(text, &info);
	return info.units <= (info.encoding == SMS_GSM7 ? lim->max_chars : lim->max_ucs2);
}

struct lines {
	char **v;
	unsigned n, cap;
};

static void
lines_add(struct lines *l, const char *s, size_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = xstrndup(s, len);
}

static void
lines_free(struct lines *l)
{
	for (unsigned i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The frame of every page: what goes around the body lines. */
struct frame {
	const char *top;    /* NULL: none */
	const char *more;   /* the "98. More" line */
	const char *bottom; /* NULL: none */
	const struct menu_limits *lim;
};

/* Composes lines [from, to) with the frame into out (reset first). */
static void
compose(const struct frame *f, char *const *body, unsigned from, unsigned to, int more,
        struct buf *out)
{
	buf_reset(out);
	if (f->top != NULL)
		buf_puts(out, f->top);
	for (unsigned i = from; i < to; i++) {
		if (out->len > 0)
			buf_puts(out, "\n");
		buf_puts(out, body[i]);
	}
	if (more) {
		if (out->len > 0)
			buf_puts(out, "\n");
		buf_puts(out, f->more);
	}
	if (f->bottom != NULL) {
		if (out->len > 0)
			buf_puts(out, "\n");
		buf_puts(out, f->bottom);
	}
}

static int
piece_fits(const struct frame *f, const char *piece, struct buf *tmp)
{
	char *one[1] = {(char *)piece};
	compose(f, one, 0, 1, 1, tmp);
	return menu_fits(buf_cstr(tmp), f->lim);
}

/* Adds line to out, cut into pieces that each fit a page with the whole frame. */
static void
add_cut(const struct frame *f, const char *line, struct lines *out, struct buf *tmp)
{
	size_t len = strlen(line), start = 0;
	char *piece = xmalloc(len + 1);
	while (start < len) {
		size_t best = 0, end = start;
		/* The longest run of whole words that fits. */
		while (end < len) {
			size_t next = end + 1;
			while (next < len && line[next] != ' ')
				next++;
			memcpy(piece, line + start, next - start);
			piece[next - start] = '\0';
			if (!piece_fits(f, piece, tmp))
				break;
			best = next;
			end = next;
		}
		if (best == 0) {
			/* One word longer than a page: as many whole characters as fit. */
			size_t k = start;
			do {
				size_t nk = k + 1;
				while (nk < len && ((unsigned char)line[nk] & 0xC0) == 0x80)
					nk++;
				memcpy(piece, line + start, nk - start);
				piece[nk - start] = '\0';
				if (k > start && !piece_fits(f, piece, tmp))
					break;
				k = nk;
			} while (k < len);
			best = k;
		}
		lines_add(out, line + start, best - start);
		start = best;
		while (start < len && line[start] == ' ')
			start++;
	}
	free(piece);
}

/* Splits text into body lines at '\n', each cut to fit. */
static void
add_text(const struct frame *f, const char *text, struct lines *out, struct buf *tmp)
{
	const char *p = text;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n);
		if (n == 0 || piece_fits(f, line, tmp))
			lines_add(out, line, n);
		else
			add_cut(f, line, out, tmp);
		free(line);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

/* Greedy pages over body; appends page `page` (clamped) to out when not NULL. Returns
 * the number of pages; *last_r tells whether the page appended is the last. */
static unsigned
paginate(const struct frame *f, const struct lines *body, unsigned page, struct buf *out,
         int *last_r)
{
	struct buf tmp = BUF_INIT;
	unsigned npages = 0, from = 0, shown = 0;
	unsigned starts[256], ends[256];
	do {
		unsigned to = from + 1; /* a page holds at least one line */
		while (to < body->n) {
			compose(f, body->v, from, to + 1, to + 1 < body->n, &tmp);
			if (!menu_fits(buf_cstr(&tmp), f->lim))
				break;
			to++;
		}
		if (to > body->n)
			to = body->n;
		if (npages < 256) {
			starts[npages] = from;
			ends[npages] = to;
		}
		npages++;
		from = to;
	} while (from < body->n);
	shown = page < npages ? page : npages - 1;
	if (shown >= 256)
		shown = 255;
	if (out != NULL) {
		compose(f, body->v, starts[shown], ends[shown], shown + 1 < npages, &tmp);
		buf_append(out, tmp.data != NULL ? tmp.data : "", tmp.len);
	}
	if (last_r != NULL)
		*last_r = shown + 1 >= npages;
	buf_free(&tmp);
	return npages;
}

unsigned
menu_render(const struct menu *m, unsigned screen, const char *lang, unsigned page, int error,
            const struct menu_limits *lim, const struct menu_words *w, struct buf *out)
{
	const struct menu_screen *s = &m->screens[screen];
	struct lines body = {0};
	struct buf tmp = BUF_INIT;
	char more[96], back[96], line[1200];
	const char *invalid = w->invalid;

	if (error && s->is_input && s->input.error.n > 0)
		invalid = campaign_text(&s->input.error, lang);
	snprintf(more, sizeof(more), "%s. %s", MENU_MORE, w->more);
	snprintf(back, sizeof(back), "0. %s", w->back);
	struct frame f = {.top = error ? invalid : NULL,
	                  .more = more,
	                  .bottom = screen != 0 ? back : NULL,
	                  .lim = lim};
	add_text(&f, campaign_text(&s->text, lang), &body, &tmp);
	for (unsigned i = 0; i < s->noptions; i++) {
		snprintf(line, sizeof(line), "%u. %s", i + 1,
		         campaign_text(&s->options[i].label, lang));
		if (piece_fits(&f, line, &tmp))
			lines_add(&body, line, strlen(line));
		else
			add_cut(&f, line, &body, &tmp);
	}
	unsigned n = paginate(&f, &body, page, out, NULL);
	lines_free(&body);
	buf_free(&tmp);
	return n;
}

unsigned
menu_paginate(const char *text, unsigned page, const struct menu_limits *lim,
              const struct menu_words *w, struct buf *out, int *last_r)
{
	struct lines body = {0};
	struct buf tmp = BUF_INIT;
	char more[96];
	snprintf(more, sizeof(more), "%s. %s", MENU_MORE, w->more);
	struct frame f = {.more = more, .lim = lim};
	add_text(&f, text, &body, &tmp);
	unsigned n = paginate(&f, &body, page, out, last_r);
	lines_free(&body);
	buf_free(&tmp);
	return n;
}

static int
input_ok(const struct menu_input *in, const char *v)
{
	size_t n = strlen(v);
	if (n < in->min_len || n > in->max_len)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		int digit = c >= '0' && c <= '9';
		int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (!digit && !(letter && in->chars == MENU_CHARS_ALNUM))
			return 0;
	}
	return 1;
}

/* The option number v names (1-based), or 0. */
static unsigned
option_number(const char *v, unsigned noptions)
{
	unsigned k = 0;
	if (v[0] == '\0' || v[0] == '0' || strlen(v) > 3)
		return 0;
	for (const char *p = v; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		k = k * 10 + (unsigned)(*p - '0');
	}
	return k <= noptions ? k : 0;
}

void
menu_walk(const struct menu *m, const char *lang, const struct ussd_text *t,
          const struct menu_limits *lim, const struct menu_words *w, struct menu_walk *out)
{
	unsigned stack[MENU_MAX_DEPTH], depth = 0, screen = 0, page = 0;

	memset(out, 0, sizeof(*out));
	out->kind = MENU_SCREEN;
	for (unsigned i = 0; i < t->n; i++) {
		const struct ussd_part *p = &t->parts[i];
		if (out->kind != MENU_SCREEN) {
			/* After an action only its reply's pages remain. */
			if (strcmp(p->value, MENU_MORE) == 0)
				out->page++;
			continue;
		}
		out->error = 0;
		if (p->kind == USSD_PART_HOME) {
			screen = page = depth = 0;
			continue;
		}
		if (p->kind == USSD_PART_BACK) {
			if (page > 0)
				page--;
			else if (depth > 0)
				screen = stack[--depth];
			continue;
		}
		if (strcmp(p->value, MENU_MORE) == 0 &&
		    page + 1 < menu_render(m, screen, lang, page, 0, lim, w, NULL)) {
			page++;
			continue;
		}
		const struct menu_screen *s = &m->screens[screen];
		if (s->is_input) {
			if (!input_ok(&s->input, p->value)) {
				out->error = 1;
				continue;
			}
			out->kind = MENU_ACTION;
			out->action = &s->input.action;
			out->input_screen = s;
			snprintf(out->input, sizeof(out->input), "%s", p->value);
			out->action_part = i + 1;
			continue;
		}
		unsigned k = option_number(p->value, s->noptions);
		if (k == 0) {
			out->error = 1;
			continue;
		}
		const struct menu_option *o = &s->options[k - 1];
		if (o->screen >= 0) {
			if (depth == MENU_MAX_DEPTH) {
				memmove(stack, stack + 1, (MENU_MAX_DEPTH - 1) * sizeof(stack[0]));
				depth--;
			}
			stack[depth++] = screen;
			screen = (unsigned)o->screen;
			page = 0;
			continue;
		}
		out->kind = MENU_ACTION;
		out->action = &o->action;
		out->action_part = i + 1;
	}
	out->screen = screen;
	if (out->kind == MENU_SCREEN)
		out->page = page;
	else if (out->action_part < t->n)
		out->kind = MENU_REPLY;
}

int
menu_serves(const struct menu *m, const char *code)
{
	for (unsigned i = 0; m != NULL && i < m->nservice_codes; i++) {
		if (strcmp(m->service_codes[i], code) == 0)
			return 1;
	}
	return 0;
}

static void
text_free(struct campaign_text *t)
{
	for (unsigned i = 0; i < t->n; i++)
		free(t->text[i]);
}

void
menu_free(struct menu *m)
{
	if (m == NULL)
		return;
	for (unsigned i = 0; i < m->nservice_codes; i++)
		free(m->service_codes[i]);
	free(m->service_codes);
	for (unsigned i = 0; i < m->nscreens; i++) {
		struct menu_screen *s = &m->screens[i];
		text_free(&s->text);
		for (unsigned k = 0; k < s->noptions; k++)
			text_free(&s->options[k].label);
		free(s->options);
		text_free(&s->input.error);
	}
	free(m->screens);
	free(m);
}
