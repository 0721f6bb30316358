/*
 * draw — export files, the winner selection and result files of verifiable draws.
 * docs/draws.md is the specification; a change here that changes a byte of output or
 * a winner is a new format version. Pure; any thread.
 */
#include "game/draw.h"
#include "core/random.h"
#include "core/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT_MAGIC "gamigate-draw-export 1 "
#define RESULT_MAGIC "gamigate-draw-result 1"
#define STREAM_TAG   "gamigate-draw-v1"

void
draw_pid(const char *draw_id, const char *msisdn, char out[DRAW_PID_LEN + 1])
{
	static const char tag[] = "gamigate-draw-pid";
	struct sha256 s;
	uint8_t d[SHA256_BYTES];
	sha256_init(&s);
	sha256_update(&s, tag, sizeof(tag)); /* with its NUL */
	sha256_update(&s, draw_id, strlen(draw_id) + 1);
	sha256_update(&s, msisdn, strlen(msisdn));
	sha256_final(&s, d);
	sha256_hex(d, DRAW_PID_LEN / 2, out);
}

int
draw_id_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > DRAW_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

/* The value of a pid's 16 hex digits: their order as numbers is their order as text. */
static uint64_t
pid_key(const char *pid)
{
	uint64_t k = 0;
	for (unsigned i = 0; i < DRAW_PID_LEN; i++) {
		char c = pid[i];
		k = k << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	return k;
}

struct sort_item {
	uint64_t key;
	size_t index;
};

/* Sorts the entries by pid: an LSD radix sort of (key, index) pairs, 16 bits a pass,
 * then one move of the entries into that order. 2 million entries take a fraction of
 * what qsort over the entries themselves took (strcmp and 56-byte moves). */
static void
sort_by_pid(struct draw_export *ex)
{
	size_t n = ex->n;
	if (n < 2)
		return;
	struct sort_item *a = xmalloc(n * sizeof(*a)), *b = xmalloc(n * sizeof(*b));
	size_t *count = xmalloc(65536 * sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		a[i].key = pid_key(ex->entries[i].pid);
		a[i].index = i;
	}
	for (unsigned shift = 0; shift < 64; shift += 16) {
		memset(count, 0, 65536 * sizeof(size_t));
		for (size_t i = 0; i < n; i++)
			count[(a[i].key >> shift) & 0xffff]++;
		size_t sum = 0;
		for (size_t d = 0; d < 65536; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			b[count[(a[i].key >> shift) & 0xffff]++] = a[i];
		struct sort_item *t = a;
		a = b;
		b = t;
	}
	struct draw_entry *sorted = xmalloc(n * sizeof(*sorted));
	for (size_t i = 0; i < n; i++)
		sorted[i] = ex->entries[a[i].index];
	free(ex->entries);
	ex->entries = sorted;
	free(a);
	free(b);
	free(count);
}

int
draw_export_finish(struct draw_export *ex, const char **why_r)
{
	sort_by_pid(ex);
	ex->total = 0;
	for (size_t i = 0; i < ex->n; i++) {
		if (i > 0 && strcmp(ex->entries[i - 1].pid, ex->entries[i].pid) == 0) {
			*why_r = "two members have the same pseudonymous id";
			return -1;
		}
		if (ex->entries[i].chances > (uint64_t)INT64_MAX - ex->total) {
			*why_r = "the chances add up to more than 2^63 - 1";
			return -1;
		}
		ex->total += ex->entries[i].chances;
	}
	return 0;
}

/* Decimal digits of v into out (no NUL); returns how many. */
static size_t
put_u64(char *out, uint64_t v)
{
	char tmp[20];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

void
draw_export_write(const struct draw_export *ex, struct buf *out)
{
	buf_printf(out, EXPORT_MAGIC "%s %s %zu %llu\n", ex->draw_id, ex->cutoff, ex->n,
	           (unsigned long long)ex->total);
	char line[DRAW_PID_LEN + DRAW_MASKED_MAX + 24];
	for (size_t i = 0; i < ex->n; i++) {
		const struct draw_entry *e = &ex->entries[i];
		size_t n = 0, ml = strlen(e->masked);
		memcpy(line, e->pid, DRAW_PID_LEN);
		n = DRAW_PID_LEN;
		line[n++] = ' ';
		memcpy(line + n, e->masked, ml);
		n += ml;
		line[n++] = ' ';
		n += put_u64(line + n, e->chances);
		line[n++] = '\n';
		buf_append(out, line, n);
	}
}

static void whyf(char *why, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
whyf(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
}

/* Parses a decimal without sign or leading zeros of s[0..n) into *v, at most max.
 * 0 ok, -1 not such a number. */
static int
parse_dec(const char *s, size_t n, uint64_t max, uint64_t *v)
{
	if (n == 0 || n > 19 || (s[0] == '0' && n > 1))
		return -1;
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (x > max)
		return -1;
	*v = x;
	return 0;
}

/* Splits line[0..len) at single spaces into at most max fields; returns how many, or
 * -1 when a field is empty (two spaces, a space at either end) or there are more. */
static int
split(const char *line, size_t len, const char **f, size_t *fl, int max)
{
	int n = 0;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || line[i] == ' ') {
			if (i == start || n == max)
				return -1;
			f[n] = line + start;
			fl[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

static int
is_hex_lower(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

static int
masked_ok(const char *s, size_t n)
{
	if (n == 0 || n > DRAW_MASKED_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '*' || (s[i] == '+' && i == 0)))
			return 0;
	}
	return 1;
}

/* "YYYY-MM-DDTHH:MM:SSZ" by form. */
static int
cutoff_ok(const char *s, size_t n)
{
	static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
	if (n != DRAW_CUTOFF_LEN)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (form[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != form[i])
			return 0;
	}
	return 1;
}

/* A draw id of n bytes (not NUL-terminated; a NUL inside is no id character). */
static int
id_ok(const char *s, size_t n)
{
	if (n == 0 || n > DRAW_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

int
draw_export_parse(const char *data, size_t len, struct draw_export *ex, char *why, size_t why_size)
{
	memset(ex, 0, sizeof(*ex));
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	if (len == 0) {
		whyf(why, why_size, "the file is empty");
		return -1;
	}
	if (data[len - 1] != '\n') {
		whyf(why, why_size, "line %zu: the last line does not end with a line feed (LF)",
		     lines + 1);
		return -1;
	}
	if (lines - 1 > DRAW_ENTRIES_MAX) {
		whyf(why, why_size, "more than %d entries", DRAW_ENTRIES_MAX);
		return -1;
	}
	const char *p = data, *end = data + len;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t hl = (size_t)(nl - p);
	const char *f[6];
	size_t fl[6];
	uint64_t count = 0, total = 0;
	if (hl < sizeof(EXPORT_MAGIC) - 1 ||
	    memcmp(p, EXPORT_MAGIC, sizeof(EXPORT_MAGIC) - 1) != 0) {
		whyf(why, why_size,
		     "line 1: not a gamigate draw export (it must start with \"%s\")",
		     EXPORT_MAGIC);
		return -1;
	}
	if (split(p, hl, f, fl, 6) != 6 || !id_ok(f[2], fl[2]) || !cutoff_ok(f[3], fl[3]) ||
	    parse_dec(f[4], fl[4], DRAW_ENTRIES_MAX, &count) < 0 ||
	    parse_dec(f[5], fl[5], (uint64_t)INT64_MAX, &total) < 0) {
		whyf(why, why_size,
		     "line 1: the header must be \"%sDRAW CUTOFF ENTRIES CHANCES\" with a draw "
		     "id, a UTC time like 2026-04-02T20:30:00Z and two whole numbers",
		     EXPORT_MAGIC);
		return -1;
	}
	memcpy(ex->draw_id, f[2], fl[2]);
	memcpy(ex->cutoff, f[3], fl[3]);
	if (count != lines - 1) {
		whyf(why, why_size, "line 1: the header says %llu entries but the file has %zu",
		     (unsigned long long)count, lines - 1);
		return -1;
	}
	ex->entries = xcalloc(count > 0 ? count : 1, sizeof(ex->entries[0]));
	p = nl + 1;
	for (size_t ln = 2; p < end; ln++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = (size_t)(nl - p);
		uint64_t c = 0;
		int nf = split(p, ll, f, fl, 3);
		if (nf != 3) {
			whyf(why, why_size,
			     "line %zu: an entry is \"PID MASKED-MSISDN CHANCES\", three fields "
			     "separated by one space",
			     ln);
			goto fail;
		}
		if (fl[0] != DRAW_PID_LEN || !is_hex_lower(f[0], fl[0])) {
			whyf(why, why_size,
			     "line %zu: the pseudonymous id must be %d lowercase hex digits", ln,
			     DRAW_PID_LEN);
			goto fail;
		}
		if (!masked_ok(f[1], fl[1])) {
			whyf(why, why_size,
			     "line %zu: the masked number must be 1-%d of '+', digits and '*'", ln,
			     DRAW_MASKED_MAX);
			goto fail;
		}
		if (parse_dec(f[2], fl[2], DRAW_CHANCES_MAX, &c) < 0 || c == 0) {
			whyf(why, why_size,
			     "line %zu: chances must be a whole number from 1 to %lld without "
			     "leading zeros",
			     ln, (long long)DRAW_CHANCES_MAX);
			goto fail;
		}
		struct draw_entry *e = &ex->entries[ex->n];
		memcpy(e->pid, f[0], DRAW_PID_LEN);
		memcpy(e->masked, f[1], fl[1]);
		e->chances = c;
		if (ex->n > 0 && strcmp(ex->entries[ex->n - 1].pid, e->pid) >= 0) {
			whyf(why, why_size,
			     "line %zu: pseudonymous ids must be unique and in ascending order (%s "
			     "comes after %s)",
			     ln, e->pid, ex->entries[ex->n - 1].pid);
			goto fail;
		}
		if (c > total - ex->total || c > total) {
			whyf(why, why_size,
			     "line %zu: the chances add up to more than the header's %llu", ln,
			     (unsigned long long)total);
			goto fail;
		}
		ex->total += c;
		ex->n++;
		p = nl + 1;
	}
	if (ex->total != total) {
		whyf(why, why_size,
		     "line 1: the header says %llu chances but the entries add up to %llu",
		     (unsigned long long)total, (unsigned long long)ex->total);
		goto fail;
	}
	return 0;
fail:
	draw_export_free(ex);
	return -1;
}

void
draw_export_free(struct draw_export *ex)
{
	free(ex->entries);
	memset(ex, 0, sizeof(*ex));
}

/* The random stream: block i is SHA-256(key || i as 8 bytes big-endian), read as four
 * 64-bit big-endian numbers. */
struct stream {
	uint8_t key[SHA256_BYTES];
	uint64_t counter;
	uint8_t block[SHA256_BYTES];
	unsigned used; /* numbers of block taken, 4 = empty */
};

static void
stream_init(struct stream *st, const struct draw_params *p)
{
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, STREAM_TAG, strlen(STREAM_TAG));
	sha256_update(&s, p->seed, SHA256_BYTES);
	sha256_update(&s, p->export_hash, SHA256_BYTES);
	sha256_update(&s, p->beacon, p->beacon_len);
	sha256_final(&s, st->key);
	st->counter = 0;
	st->used = 4;
}

static uint64_t
stream_next(struct stream *st)
{
	if (st->used == 4) {
		uint8_t in[SHA256_BYTES + 8];
		memcpy(in, st->key, SHA256_BYTES);
		for (unsigned i = 0; i < 8; i++)
			in[SHA256_BYTES + i] = (uint8_t)(st->counter >> (56 - 8 * i));
		sha256(in, sizeof(in), st->block);
		st->counter++;
		st->used = 0;
	}
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v = v << 8 | st->block[8 * st->used + i];
	st->used++;
	return v;
}

int
draw_select(const uint64_t *chances, size_t n, const struct draw_params *p, size_t *picks_r,
            size_t *npicks_r)
{
	size_t want = (size_t)p->winners + p->backups;
	*npicks_r = 0;
	if (want > DRAW_PICKS_MAX)
		return -1;
	/* Fenwick tree over the chances: tree[i] (1-based) holds the sum of a range ending at
	 * i, so prefix sums, updates and the search below take O(log n). */
	uint64_t *tree = xcalloc(n + 1, sizeof(uint64_t));
	uint64_t *left = xmalloc((n > 0 ? n : 1) * sizeof(uint64_t));
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if (chances[i] > (uint64_t)INT64_MAX - total) {
			free(tree);
			free(left);
			return -1;
		}
		total += chances[i];
		left[i] = chances[i];
		tree[i + 1] += chances[i];
		size_t parent = (i + 1) + ((i + 1) & (~(i + 1) + 1));
		if (parent <= n)
			tree[parent] += tree[i + 1];
	}
	size_t top = 1;
	while (top * 2 <= n)
		top *= 2;

	struct stream st;
	stream_init(&st, p);
	size_t k = 0;
	while (k < want && total > 0) {
		uint64_t u;
		while (random_map(stream_next(&st), total, &u) < 0)
			;
		/* The entry whose range [before, before + chances) holds u. */
		size_t pos = 0;
		for (size_t step = n > 0 ? top : 0; step > 0; step >>= 1) {
			if (pos + step <= n && tree[pos + step] <= u) {
				pos += step;
				u -= tree[pos];
			}
		}
		picks_r[k++] = pos;
		uint64_t take = p->multiple_wins ? 1 : left[pos];
		left[pos] -= take;
		total -= take;
		for (size_t i = pos + 1; i <= n; i += i & (~i + 1))
			tree[i] -= take;
	}
	free(tree);
	free(left);
	*npicks_r = k;
	return 0;
}

int
draw_run(const struct draw_export *ex, const struct draw_params *params, struct draw_result *res)
{
	memset(res, 0, sizeof(*res));
	size_t want = (size_t)params->winners + params->backups;
	if (want > DRAW_PICKS_MAX)
		return -1;
	uint64_t *ch = xmalloc((ex->n > 0 ? ex->n : 1) * sizeof(uint64_t));
	for (size_t i = 0; i < ex->n; i++)
		ch[i] = ex->entries[i].chances;
	size_t *idx = xmalloc((want > 0 ? want : 1) * sizeof(size_t));
	size_t np = 0;
	int rc = draw_select(ch, ex->n, params, idx, &np);
	free(ch);
	if (rc < 0) {
		free(idx);
		return -1;
	}
	memcpy(res->draw_id, ex->draw_id, sizeof(res->draw_id));
	res->params = *params;
	res->picks = xcalloc(np > 0 ? np : 1, sizeof(res->picks[0]));
	res->npicks = np;
	for (size_t k = 0; k < np; k++) {
		struct draw_pick *pk = &res->picks[k];
		const struct draw_entry *e = &ex->entries[idx[k]];
		pk->backup = k >= params->winners;
		pk->rank = (unsigned)(pk->backup ? k - params->winners + 1 : k + 1);
		memcpy(pk->pid, e->pid, sizeof(pk->pid));
		memcpy(pk->masked, e->masked, sizeof(pk->masked));
		pk->index = idx[k];
	}
	free(idx);
	return 0;
}

void
draw_result_free(struct draw_result *res)
{
	free(res->picks);
	memset(res, 0, sizeof(*res));
}

void
draw_result_write(const struct draw_result *res, struct buf *out)
{
	char hex[2 * DRAW_BEACON_MAX + 1];
	uint8_t commitment[SHA256_BYTES];
	const struct draw_params *p = &res->params;
	buf_puts(out, RESULT_MAGIC "\n");
	buf_printf(out, "draw %s\n", res->draw_id);
	sha256_hex(p->export_hash, SHA256_BYTES, hex);
	buf_printf(out, "export-sha256 %s\n", hex);
	sha256_hex(p->seed, SHA256_BYTES, hex);
	buf_printf(out, "seed %s\n", hex);
	sha256(p->seed, SHA256_BYTES, commitment);
	sha256_hex(commitment, SHA256_BYTES, hex);
	buf_printf(out, "seed-sha256 %s\n", hex);
	if (p->beacon_len > 0) {
		sha256_hex(p->beacon, p->beacon_len, hex);
		buf_printf(out, "beacon %s\n", hex);
	} else {
		buf_puts(out, "beacon none\n");
	}
	buf_printf(out, "winners %u\nbackups %u\nmultiple-wins %s\n", p->winners, p->backups,
	           p->multiple_wins ? "yes" : "no");
	for (size_t k = 0; k < res->npicks; k++) {
		const struct draw_pick *pk = &res->picks[k];
		buf_printf(out, "%s %u %s %s\n", pk->backup ? "backup" : "winner", pk->rank,
		           pk->pid, pk->masked);
	}
}

/* Copies a field (at most size - 1 bytes) into out; -1 when it does not fit or holds a
 * NUL (which would end it early). */
static int
field_copy(const char *f, size_t fl, char *out, size_t size)
{
	if (fl >= size || memchr(f, '\0', fl) != NULL)
		return -1;
	memcpy(out, f, fl);
	out[fl] = '\0';
	return 0;
}

int
draw_result_parse(const char *data, size_t len, struct draw_result *res, char *why, size_t why_size)
{
	static const char *const keys[] = {"draw",   "export-sha256", "seed",    "seed-sha256",
	                                   "beacon", "winners",       "backups", "multiple-wins"};
	memset(res, 0, sizeof(*res));
	if (len == 0 || data[len - 1] != '\n') {
		whyf(why, why_size, "a result file is lines ending with a line feed (LF)");
		return -1;
	}
	const char *p = data, *end = data + len;
	size_t ln = 0, cap = 0;
	uint8_t commitment[SHA256_BYTES];
	char tmp[2 * DRAW_BEACON_MAX + 1];
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = (size_t)(nl - p);
		const char *f[4];
		size_t fl[4];
		const char *line = p;
		ln++;
		int nf = split(p, ll, f, fl, 4);
		p = nl + 1;
		if (ln == 1) {
			if (ll != strlen(RESULT_MAGIC) || memcmp(line, RESULT_MAGIC, ll) != 0) {
				whyf(why, why_size, "line 1: not a gamigate draw result (\"%s\")",
				     RESULT_MAGIC);
				goto fail;
			}
			continue;
		}
		if (ln <= 9) {
			const char *key = keys[ln - 2];
			uint64_t v = 0;
			int bad = nf != 2 || fl[0] != strlen(key) ||
			          memcmp(f[0], key, fl[0]) != 0 ||
			          field_copy(f[1], fl[1], tmp, sizeof(tmp)) < 0;
			if (!bad && ln >= 3 && ln <= 6 && strcmp(tmp, "none") != 0)
				bad = !is_hex_lower(tmp, fl[1]); /* the canonical form */
			if (!bad && ln == 2)
				bad = !id_ok(tmp, fl[1]) || field_copy(tmp, fl[1], res->draw_id,
				                                       sizeof(res->draw_id)) < 0;
			else if (!bad && ln == 3)
				bad = sha256_unhex(tmp, res->params.export_hash, SHA256_BYTES) < 0;
			else if (!bad && ln == 4)
				bad = sha256_unhex(tmp, res->params.seed, SHA256_BYTES) < 0;
			else if (!bad && ln == 5)
				bad = sha256_unhex(tmp, commitment, SHA256_BYTES) < 0;
			else if (!bad && ln == 6 && strcmp(tmp, "none") != 0) {
				res->params.beacon_len = fl[1] / 2;
				bad = fl[1] % 2 != 0 || fl[1] == 0 ||
				      sha256_unhex(tmp, res->params.beacon, fl[1] / 2) < 0;
			} else if (!bad && (ln == 7 || ln == 8)) {
				bad = parse_dec(tmp, fl[1], DRAW_PICKS_MAX, &v) < 0;
				*(ln == 7 ? &res->params.winners : &res->params.backups) =
				    (unsigned)v;
			} else if (!bad && ln == 9) {
				bad = strcmp(tmp, "yes") != 0 && strcmp(tmp, "no") != 0;
				res->params.multiple_wins = strcmp(tmp, "yes") == 0;
			}
			if (bad) {
				whyf(why, why_size,
				     "line %zu: expected \"%s VALUE\" (docs/draws.md)", ln, key);
				goto fail;
			}
			if (ln == 5) {
				uint8_t want[SHA256_BYTES];
				sha256(res->params.seed, SHA256_BYTES, want);
				if (memcmp(want, commitment, SHA256_BYTES) != 0) {
					whyf(
					    why, why_size,
					    "line 5: seed-sha256 is not the SHA-256 of the seed on "
					    "line 4");
					goto fail;
				}
			}
			continue;
		}
		uint64_t rank = 0;
		int backup = nf == 4 && fl[0] == 6 && memcmp(f[0], "backup", 6) == 0;
		int winner = nf == 4 && fl[0] == 6 && memcmp(f[0], "winner", 6) == 0;
		if ((!backup && !winner) || parse_dec(f[1], fl[1], DRAW_PICKS_MAX, &rank) < 0 ||
		    fl[2] != DRAW_PID_LEN || !is_hex_lower(f[2], fl[2]) ||
		    !masked_ok(f[3], fl[3])) {
			whyf(why, why_size, "line %zu: expected \"winner|backup RANK PID MASKED\"",
			     ln);
			goto fail;
		}
		if (res->npicks == (size_t)res->params.winners + res->params.backups) {
			whyf(why, why_size, "line %zu: more picks than winners + backups", ln);
			goto fail;
		}
		if (res->npicks == cap) {
			cap = cap ? cap * 2 : 16;
			res->picks = xrealloc(res->picks, cap * sizeof(res->picks[0]));
		}
		struct draw_pick *pk = &res->picks[res->npicks++];
		memset(pk, 0, sizeof(*pk));
		pk->backup = backup;
		pk->rank = (unsigned)rank;
		memcpy(pk->pid, f[2], DRAW_PID_LEN);
		memcpy(pk->masked, f[3], fl[3]);
	}
	if (ln < 9) {
		whyf(why, why_size, "the result file ends after line %zu; it needs 9 header lines",
		     ln);
		goto fail;
	}
	return 0;
fail:
	draw_result_free(res);
	return -1;
}

static void
pick_name(const struct draw_pick *pk, char *out, size_t n)
{
	snprintf(out, n, "%s %u", pk->backup ? "backup" : "winner", pk->rank);
}

int
draw_result_compare(const struct draw_result *c, const struct draw_result *pub, struct buf *report)
{
	size_t before = report->len;
	char a[2 * DRAW_BEACON_MAX + 1], b[2 * DRAW_BEACON_MAX + 1];
	const struct draw_params *x = &c->params, *y = &pub->params;
	if (strcmp(c->draw_id, pub->draw_id) != 0)
		buf_printf(report, "draw: the export is of draw %s, the result of draw %s\n",
		           c->draw_id, pub->draw_id);
	if (memcmp(x->export_hash, y->export_hash, SHA256_BYTES) != 0) {
		sha256_hex(x->export_hash, SHA256_BYTES, a);
		sha256_hex(y->export_hash, SHA256_BYTES, b);
		buf_printf(report,
		           "export-sha256: the export file hashes to %s, the result says %s (the "
		           "export was changed, or is of another draw)\n",
		           a, b);
	}
	if (memcmp(x->seed, y->seed, SHA256_BYTES) != 0) {
		sha256_hex(x->seed, SHA256_BYTES, a);
		sha256_hex(y->seed, SHA256_BYTES, b);
		buf_printf(report, "seed: given %s, the result says %s\n", a, b);
	}
	if (x->beacon_len != y->beacon_len || memcmp(x->beacon, y->beacon, x->beacon_len) != 0) {
		sha256_hex(x->beacon, x->beacon_len, a);
		sha256_hex(y->beacon, y->beacon_len, b);
		buf_printf(report, "beacon: given %s, the result says %s\n", a[0] ? a : "none",
		           b[0] ? b : "none");
	}
	if (x->winners != y->winners || x->backups != y->backups ||
	    x->multiple_wins != y->multiple_wins)
		buf_printf(report,
		           "parameters: recomputed with %u winners, %u backups, multiple wins %s; "
		           "the result says %u, %u, %s\n",
		           x->winners, x->backups, x->multiple_wins ? "yes" : "no", y->winners,
		           y->backups, y->multiple_wins ? "yes" : "no");
	size_t n = c->npicks > pub->npicks ? c->npicks : pub->npicks;
	for (size_t k = 0; k < n; k++) {
		char name[32];
		if (k >= c->npicks) {
			pick_name(&pub->picks[k], name, sizeof(name));
			buf_printf(report,
			           "%s: the result names %s, recomputing gives no such pick\n",
			           name, pub->picks[k].pid);
		} else if (k >= pub->npicks) {
			pick_name(&c->picks[k], name, sizeof(name));
			buf_printf(report, "%s: recomputed %s (%s), missing from the result\n",
			           name, c->picks[k].pid, c->picks[k].masked);
		} else if (c->picks[k].backup != pub->picks[k].backup ||
		           c->picks[k].rank != pub->picks[k].rank ||
		           strcmp(c->picks[k].pid, pub->picks[k].pid) != 0 ||
		           strcmp(c->picks[k].masked, pub->picks[k].masked) != 0) {
			pick_name(&c->picks[k], name, sizeof(name));
			char other[32];
			pick_name(&pub->picks[k], other, sizeof(other));
			buf_printf(report, "%s: recomputed %s (%s), the result has %s %s (%s)\n",
			           name, c->picks[k].pid, c->picks[k].masked, other,
			           pub->picks[k].pid, pub->picks[k].masked);
		}
	}
	return report->len == before ? 0 : -1;
}
