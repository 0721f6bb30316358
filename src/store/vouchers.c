/*
 * vouchers (store) — import files, pool stock. See vouchers.h.
 */
#include "store/vouchers.h"
#include "core/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LINE_BYTES   1024 /* longer lines are bad without looking further */
#define IMPORT_CHUNK 500  /* codes per transaction */

/* ---- reading a file ---- */

/* Open addressing over indexes into f->codes (+1; 0 = empty slot). */
struct code_set {
	size_t *slots;
	size_t cap; /* a power of two */
};

static uint64_t
hash_code(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The index of code in f->codes, or -1; with insert, adds index `add` when absent. */
static long
set_find(struct code_set *set, const struct vouchers_file *f, const char *code, int insert,
         size_t add)
{
	size_t mask = set->cap - 1;
	for (size_t i = hash_code(code) & mask;; i = (i + 1) & mask) {
		if (set->slots[i] == 0) {
			if (insert)
				set->slots[i] = add + 1;
			return -1;
		}
		if (strcmp(f->codes[set->slots[i] - 1].code, code) == 0)
			return (long)(set->slots[i] - 1);
	}
}

static void
set_grow(struct code_set *set, const struct vouchers_file *f)
{
	free(set->slots);
	set->cap = set->cap == 0 ? 1024 : set->cap * 2;
	set->slots = xcalloc(set->cap, sizeof(*set->slots));
	for (size_t k = 0; k < f->ncodes; k++)
		set_find(set, f, f->codes[k].code, 1, k);
}

static void
add_problem(struct vouchers_file *f, unsigned long line, unsigned long first, const char *why)
{
	if (f->nproblems == f->cap_problems) {
		f->cap_problems = f->cap_problems == 0 ? 64 : f->cap_problems * 2;
		f->problems = xrealloc(f->problems, f->cap_problems * sizeof(*f->problems));
	}
	struct vouchers_problem *p = &f->problems[f->nproblems++];
	p->line = line;
	p->first = first;
	snprintf(p->why, sizeof(p->why), "%s", why);
	if (first != 0)
		f->duplicates++;
	else
		f->bad++;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Why s (len bytes, trimmed) is not a code, in why (size n); "" when it is one. */
static void
check_code(const char *s, size_t len, char *why, size_t n)
{
	why[0] = '\0';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ',' || c == ';') {
			snprintf(why, n,
			         "more than one column ('%c' at character %zu); one code per "
			         "line",
			         c, i + 1);
			return;
		}
		if (c == '"') {
			snprintf(why, n, "a stray double quote at character %zu", i + 1);
			return;
		}
		if (c < 0x20 || c > 0x7e) {
			snprintf(why, n,
			         "not printable ASCII (byte 0x%02x at character %zu); codes are "
			         "letters, digits and punctuation",
			         c, i + 1);
			return;
		}
	}
	if (len > VOUCHERS_CODE_MAX)
		snprintf(why, n, "longer than %d characters (%zu)", VOUCHERS_CODE_MAX, len);
}

struct reader {
	struct vouchers_file *f;
	struct code_set set;
	int seen_content; /* a non-blank line came before (so "code" is not a header) */
};

static void
take_line(struct reader *r, char *s, size_t len, int too_long)
{
	struct vouchers_file *f = r->f;
	unsigned long no = ++f->lines;
	char why[160];

	if (no == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3; /* a byte order mark, as spreadsheets write them */
		len -= 3;
	}
	if (too_long) {
		snprintf(why, sizeof(why), "longer than %d characters", VOUCHERS_CODE_MAX);
		add_problem(f, no, 0, why);
		r->seen_content = 1;
		return;
	}
	while (len > 0 && is_blank(s[len - 1]))
		len--;
	while (len > 0 && is_blank(s[0])) {
		s++;
		len--;
	}
	if (len == 0)
		return;
	if (!r->seen_content) {
		r->seen_content = 1;
		if ((len == 4 && strncasecmp(s, "code", 4) == 0) ||
		    (len == 6 && strncasecmp(s, "\"code\"", 6) == 0))
			return;
	}
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
		while (len > 0 && is_blank(s[len - 1]))
			len--;
		while (len > 0 && is_blank(s[0])) {
			s++;
			len--;
		}
		if (len == 0) {
			add_problem(f, no, 0, "an empty code");
			return;
		}
	}
	check_code(s, len, why, sizeof(why));
	if (why[0] != '\0') {
		add_problem(f, no, 0, why);
		return;
	}
	if (f->ncodes == f->cap_codes) {
		f->cap_codes = f->cap_codes == 0 ? 256 : f->cap_codes * 2;
		f->codes = xrealloc(f->codes, f->cap_codes * sizeof(*f->codes));
	}
	struct vouchers_code *c = &f->codes[f->ncodes];
	memcpy(c->code, s, len);
	c->code[len] = '\0';
	c->line = no;
	c->existing = 0;
	if (2 * (f->ncodes + 1) > r->set.cap)
		set_grow(&r->set, f);
	long first = set_find(&r->set, f, c->code, 1, f->ncodes);
	if (first >= 0) {
		add_problem(f, no, f->codes[first].line, "");
		return;
	}
	f->ncodes++;
}

int
vouchers_read(FILE *in, struct vouchers_file *f, const char **error_r)
{
	struct reader r = {.f = f};
	char line[LINE_BYTES];
	size_t len = 0;
	int too_long = 0, pending = 0, rc = 0;

	memset(f, 0, sizeof(*f));
	for (;;) {
		int c = getc(in);
		if (c == EOF) {
			if (ferror(in)) {
				*error_r = "cannot read it";
				rc = -1;
			} else if (pending) {
				take_line(&r, line, len, too_long);
			}
			break;
		}
		if (f->lines >= VOUCHERS_FILE_LINES) {
			*error_r = "more than 1,000,000 lines; split it into several files";
			rc = -1;
			break;
		}
		pending = 1;
		if (c == '\n') {
			take_line(&r, line, len, too_long);
			len = 0;
			too_long = pending = 0;
		} else if (len < sizeof(line)) {
			line[len++] = (char)c;
		} else {
			too_long = 1;
		}
	}
	free(r.set.slots);
	return rc;
}

void
vouchers_file_free(struct vouchers_file *f)
{
	free(f->codes);
	free(f->problems);
	memset(f, 0, sizeof(*f));
}

void
vouchers_report(const struct vouchers_file *f, const char *name, const char *pool, struct buf *out)
{
	size_t p = 0, c = 0;
	/* Two lists in line order, merged. */
	for (;;) {
		while (c < f->ncodes && !f->codes[c].existing)
			c++;
		int have_p = p < f->nproblems, have_c = c < f->ncodes;
		if (!have_p && !have_c)
			return;
		if (have_p && (!have_c || f->problems[p].line < f->codes[c].line)) {
			const struct vouchers_problem *pr = &f->problems[p++];
			if (pr->first != 0)
				buf_printf(out, "%s:%lu: duplicate of line %lu; skipped\n", name,
				           pr->line, pr->first);
			else
				buf_printf(out, "%s:%lu: %s; skipped\n", name, pr->line, pr->why);
		} else {
			buf_printf(out, "%s:%lu: already in pool %s; skipped\n", name,
			           f->codes[c++].line, pool);
		}
	}
}

/* ---- the database ---- */

int
vouchers_low(long long free_codes, long long total)
{
	long long mark = total / 10;
	if (mark < VOUCHERS_LOW_MIN)
		mark = VOUCHERS_LOW_MIN;
	return free_codes < mark;
}

int
vouchers_pool_valid(const char *pool)
{
	size_t n = strlen(pool);
	if (n == 0 || n > 40)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = pool[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

struct import_chunk {
	const char *pool;
	struct vouchers_code *codes;
	size_t n;
	long long imported;
};

static int
import_tx(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct import_chunk *ch = arg;
	ch->imported = 0; /* a retried transaction starts over */
	for (size_t i = 0; i < ch->n; i++) {
		uint64_t affected = 0;
		struct db_param p[] = {DB_PARAM_STR(ch->pool), DB_PARAM_STR(ch->codes[i].code)};
		if (db_exec(conn,
		            "INSERT INTO vouchers (pool, code, imported_at)"
		            " VALUES (?, ?, UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE id = id",
		            p, 2, NULL, NULL, &affected, err) < 0)
			return -1;
		ch->codes[i].existing = affected == 0;
		ch->imported += affected == 1;
	}
	return 0;
}

int
vouchers_import(struct db_conn *conn, const char *pool, struct vouchers_file *f,
                long long *imported_r, struct db_error *err)
{
	*imported_r = 0;
	for (size_t at = 0; at < f->ncodes; at += IMPORT_CHUNK) {
		struct import_chunk ch = {pool, &f->codes[at], 0, 0};
		ch.n = f->ncodes - at < IMPORT_CHUNK ? f->ncodes - at : IMPORT_CHUNK;
		if (db_tx(conn, import_tx, &ch, err) < 0) {
			for (size_t i = 0; i < ch.n; i++)
				ch.codes[i].existing = 0;
			return -1;
		}
		*imported_r += ch.imported;
	}
	return 0;
}

static int
stock_row(const struct db_row *row, void *arg)
{
	struct vouchers_stock *s = arg;
	s->total = strtoll(row->values[0], NULL, 10);
	s->free_codes = row->values[1] != NULL ? strtoll(row->values[1], NULL, 10) : 0;
	return 0;
}

int
vouchers_pool_stock(struct db_conn *conn, const char *pool, struct vouchers_stock *stock_r,
                    struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(pool)};
	memset(stock_r, 0, sizeof(*stock_r));
	snprintf(stock_r->pool, sizeof(stock_r->pool), "%s", pool);
	return db_exec(conn,
	               "SELECT COUNT(*), SUM(subscriber_id IS NULL) FROM vouchers WHERE pool = ?",
	               p, 1, stock_row, stock_r, NULL, err);
}

struct stock_list {
	struct vouchers_stock *rows;
	size_t n, cap;
};

static int
list_row(const struct db_row *row, void *arg)
{
	struct stock_list *l = arg;
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 16 : l->cap * 2;
		l->rows = xrealloc(l->rows, l->cap * sizeof(*l->rows));
	}
	struct vouchers_stock *s = &l->rows[l->n++];
	snprintf(s->pool, sizeof(s->pool), "%s", row->values[0] != NULL ? row->values[0] : "");
	s->total = strtoll(row->values[1], NULL, 10);
	s->free_codes = row->values[2] != NULL ? strtoll(row->values[2], NULL, 10) : 0;
	return 0;
}

int
vouchers_list(struct db_conn *conn, struct vouchers_stock **rows_r, size_t *n_r,
              struct db_error *err)
{
	struct stock_list l = {NULL, 0, 0};
	if (db_exec(conn,
	            "SELECT pool, COUNT(*), SUM(subscriber_id IS NULL) FROM vouchers"
	            " GROUP BY pool ORDER BY pool",
	            NULL, 0, list_row, &l, NULL, err) < 0) {
		free(l.rows);
		return -1;
	}
	*rows_r = l.rows;
	*n_r = l.n;
	return 0;
}
