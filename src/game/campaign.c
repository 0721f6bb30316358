/*
 * campaign — a campaign file (campaigns/README.md is the contract) parsed with jansson
 * and checked field by field into an immutable struct campaign.
 *
 * Every problem is one line "FILE: $.json.path: what is wrong; hint", and all of them
 * are collected: the checker never stops at the first (up to CAMPAIGN_MAX_PROBLEMS
 * lines, then a count). A file with any problem is refused as a whole and nothing of it
 * is kept. Every list has a maximum, so a hostile file costs bounded memory and output.
 *
 * Dates are read with date_parse (Jalali or Gregorian) and turned into UTC instants in
 * the campaign's own zone (tz_load/tz_to_utc); "ends" is inclusive, so a date without a
 * time ends at the first instant of the following local day.
 *
 * Any thread may parse: there is no global state.
 */
#include "game/campaign.h"
#include "core/jalali.h"
#include "core/tz.h"
#include "core/xalloc.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_BYTES 200
#define ALL_DAYS   0x7fu

/* The checker: where problems go and what every text must have. */
struct ck {
	const char *file;
	struct buf *errors;
	unsigned problems;
	const char *const *langs;
	unsigned nlangs;
	struct tz *tz; /* NULL when the zone is unusable: dates are then checked for form only */
	bool window_ok;
	time_t starts, ends;
};

/* ---- messages ---- */

static void problem(struct ck *ck, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends "FILE: path: message\n"; control characters become '?' so each problem stays
 * one line. Past CAMPAIGN_MAX_PROBLEMS problems are only counted. */
static void
problem(struct ck *ck, const char *path, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (++ck->problems > CAMPAIGN_MAX_PROBLEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (char *p = line; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	buf_printf(ck->errors, "%s: %s: %s\n", ck->file, path, line);
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
ellipsis(const char *s, size_t max)
{
	return strlen(s) > max ? "..." : "";
}

static void pathf(char out[PATH_BYTES], const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Formats a JSON path; a path too long for the buffer is cut (only ever in messages). */
static void
pathf(char out[PATH_BYTES], const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, PATH_BYTES, fmt, ap);
	va_end(ap);
}

static bool
simple_key(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > 40)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = k[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* parent.key, or parent["odd key"] (clipped, escaped) for keys that are not names. */
static void
path_key(char out[PATH_BYTES], const char *parent, const char *key)
{
	char esc[100];
	size_t j = 0;
	int n = clip(key, 40);

	if (simple_key(key)) {
		pathf(out, "%s.%s", parent, key);
		return;
	}
	for (int i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)key[i];
		if (ch == '"' || ch == '\\')
			esc[j++] = '\\';
		esc[j++] = (char)(ch < 0x20 || ch == 0x7f ? '?' : ch);
	}
	esc[j] = '\0';
	pathf(out, "%s[\"%s%s\"]", parent, esc, ellipsis(key, 40));
}

static void
path_idx(char out[PATH_BYTES], const char *parent, size_t i)
{
	pathf(out, "%s[%zu]", parent, i);
}

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "a list";
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

/* What a value was, for "(got ...)": the number itself, a quoted (clipped) string, or
 * its type. */
static void
describe(const json_t *v, char *out, size_t n)
{
	if (json_is_integer(v)) {
		snprintf(out, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_real(v)) {
		snprintf(out, n, "%g", json_real_value(v));
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		snprintf(out, n, "\"%.*s%s\"", clip(s, 40), s, ellipsis(s, 40));
	} else {
		snprintf(out, n, "%s", type_name(v));
	}
}

/* Edit distance of two short names (insertions, deletions, substitutions and swaps of
 * neighbours, so "fir" is one edit from "fri"), for "did you mean" hints. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[3][64]; /* rows i-2, i-1, i (mod 3) */
	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *cur = d[i % 3], *up = d[(i - 1) % 3], *up2 = d[(i + 1) % 3];
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = up[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
			if (up[j] + 1 < best)
				best = up[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    up2[j - 2] + 1 < best)
				best = up2[j - 2] + 1;
			cur[j] = best;
		}
	}
	return d[la % 3][lb];
}

/* The candidate closest to s (at most 2 edits, 1 for short names), or NULL. */
static const char *
closest(const char *s, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t best_d = 99;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(s, cands[i]);
		size_t limit = strlen(cands[i]) > 4 ? 2 : 1;
		if (d <= limit && d < best_d && d > 0) {
			best_d = d;
			best = cands[i];
		}
	}
	return best;
}

/* "a, b, c" into out; "a and b" for two (sep_last "and"). */
static void
list_names(char *out, size_t n, const char *const *names, size_t count)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < count && used < n; i++) {
		const char *sep = i == 0 ? "" : count == 2 ? " and " : ", ";
		int w = snprintf(out + used, n - used, "%s%s", sep, names[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* Reports every field of obj not in allowed (nor "comment", allowed everywhere) with the
 * closest allowed name as a hint. */
static void
check_fields(struct ck *ck, json_t *obj, const char *path, const char *const *allowed, size_t n)
{
	const char *key;
	json_t *v;
	char list[400];

	json_object_foreach(obj, key, v)
	{
		bool known = strcmp(key, "comment") == 0;
		for (size_t i = 0; i < n && !known; i++)
			known = strcmp(key, allowed[i]) == 0;
		if (known)
			continue;
		char p[PATH_BYTES];
		const char *best = closest(key, allowed, n);
		path_key(p, path, key);
		list_names(list, sizeof(list), allowed, n);
		if (best != NULL)
			problem(ck, p, "unknown field; did you mean \"%s\"? (fields here: %s)",
			        best, list);
		else
			problem(ck, p, "unknown field (fields here: %s)", list);
	}
}

/* ---- single values ---- */

/* 1 present and valid (*out set), 0 absent (*out = def), -1 wrong (reported). */
static int
int_value(struct ck *ck, json_t *v, const char *p, long long min, long long max, long long *out)
{
	char got[80];
	if (json_is_integer(v) && json_integer_value(v) >= min && json_integer_value(v) <= max) {
		*out = json_integer_value(v);
		return 1;
	}
	describe(v, got, sizeof(got));
	const char *hint = "";
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (s[0] != '\0' && strspn(s, "0123456789") == strlen(s))
			hint = "; write the number without quotes";
	} else if (json_is_real(v)) {
		hint = "; no fractions";
	}
	problem(ck, p, "must be a whole number from %lld to %lld (got %s)%s", min, max, got, hint);
	return -1;
}

static int
get_int(struct ck *ck, json_t *obj, const char *path, const char *key, bool required, long long min,
        long long max, long long def, long long *out)
{
	char p[PATH_BYTES];
	json_t *v = json_object_get(obj, key);

	*out = def;
	path_key(p, path, key);
	if (v == NULL) {
		if (required)
			problem(ck, p, "missing; expected a whole number from %lld to %lld", min,
			        max);
		return required ? -1 : 0;
	}
	return int_value(ck, v, p, min, max, out);
}

/* The string at obj.key, or NULL (reported when required or of the wrong type). */
static const char *
get_str(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
        const char *expect)
{
	char p[PATH_BYTES];
	json_t *v = json_object_get(obj, key);

	path_key(p, path, key);
	if (v == NULL) {
		if (required)
			problem(ck, p, "missing; expected %s", expect);
		return NULL;
	}
	if (!json_is_string(v)) {
		problem(ck, p, "must be %s (got %s)", expect, type_name(v));
		return NULL;
	}
	return json_string_value(v);
}

/* The index of obj.key in names; def when absent and optional; -1 when missing or wrong
 * (reported). */
static int
get_enum(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
         const char *const *names, size_t n, int def)
{
	char p[PATH_BYTES], list[200], expect[240];
	const char *s;

	if (!required && json_object_get(obj, key) == NULL)
		return def;
	list_names(list, sizeof(list), names, n);
	snprintf(expect, sizeof(expect), "one of: %s", list);
	s = get_str(ck, obj, path, key, required, expect);
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	}
	const char *best = closest(s, names, n);
	path_key(p, path, key);
	problem(ck, p, "must be one of: %s (got \"%.*s%s\")%s%s%s", list, clip(s, 40), s,
	        ellipsis(s, 40), best ? "; did you mean \"" : "", best ? best : "",
	        best ? "\"?" : "");
	return -1;
}

static int
get_bool(struct ck *ck, json_t *obj, const char *path, const char *key, int def)
{
	char p[PATH_BYTES];
	json_t *v = json_object_get(obj, key);
	if (v == NULL)
		return def;
	if (json_is_boolean(v))
		return json_is_true(v);
	path_key(p, path, key);
	problem(ck, p, "must be true or false, without quotes (got %s)", type_name(v));
	return def;
}

/* An id: min to max of a-z, 0-9 and '-'. */
static bool
id_check(struct ck *ck, const char *p, const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	bool ok = n >= min && n <= max, upper = false;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			upper = true;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			ok = false;
	}
	if (!ok)
		problem(ck, p, "must be %zu to %zu of a-z, 0-9 and '-' (got \"%.*s%s\")%s", min,
		        max, clip(s, 50), s, ellipsis(s, 50), upper ? "; use lower case" : "");
	return ok;
}

/* Reads obj.key as an id into out (max bytes, out has room for max + 1). */
static void
get_id(struct ck *ck, json_t *obj, const char *path, const char *key, size_t min, size_t max,
       char *out)
{
	char p[PATH_BYTES], expect[120];
	snprintf(expect, sizeof(expect), "an id of %zu to %zu of a-z, 0-9 and '-'", min, max);
	const char *s = get_str(ck, obj, path, key, true, expect);
	path_key(p, path, key);
	if (s != NULL && id_check(ck, p, s, min, max))
		memcpy(out, s, strlen(s) + 1);
}

/* When element i of arr has the same string field key as an earlier element, reports it
 * (naming the earlier one) and returns true. */
static bool
dup_in_list(struct ck *ck, json_t *arr, size_t i, const char *key, const char *arr_path,
            const char *what)
{
	json_t *a = json_object_get(json_array_get(arr, i), key);
	if (!json_is_string(a))
		return false;
	for (size_t j = 0; j < i; j++) {
		json_t *b = json_object_get(json_array_get(arr, j), key);
		if (json_is_string(b) && strcmp(json_string_value(a), json_string_value(b)) == 0) {
			char p[PATH_BYTES];
			pathf(p, "%s[%zu].%s", arr_path, i, key);
			problem(ck, p,
			        "%s \"%.*s\" is used twice (also %s[%zu]); %ss must be unique",
			        what, clip(json_string_value(a), 40), json_string_value(a),
			        arr_path, j, what);
			return true;
		}
	}
	return false;
}

/* The list at obj.key with min..max entries; NULL when absent (reported when required)
 * or wrong (reported). */
static json_t *
get_list(struct ck *ck, json_t *obj, const char *path, const char *key, bool required, size_t min,
         size_t max, const char *expect)
{
	char p[PATH_BYTES];
	json_t *v = json_object_get(obj, key);

	path_key(p, path, key);
	if (v == NULL) {
		if (required)
			problem(ck, p, "missing; expected %s", expect);
		return NULL;
	}
	if (!json_is_array(v)) {
		problem(ck, p, "must be a list: %s (got %s)", expect, type_name(v));
		return NULL;
	}
	size_t n = json_array_size(v);
	if (n < min) {
		problem(ck, p, "has %zu entr%s; expected at least %zu: %s", n, n == 1 ? "y" : "ies",
		        min, expect);
		return NULL;
	}
	if (n > max) {
		problem(ck, p, "has %zu entries; at most %zu are allowed", n, max);
		return NULL;
	}
	return v;
}

/* ---- texts ---- */

static bool
lang_code_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 7 || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '-'))
			return false;
	}
	return true;
}

static void
text_add(struct ck *ck, struct campaign_text *t, const char *lang, json_t *tv, const char *p)
{
	if (!json_is_string(tv)) {
		problem(ck, p, "must be a string (got %s)", type_name(tv));
		return;
	}
	const char *s = json_string_value(tv);
	size_t len = json_string_length(tv);
	if (strspn(s, " ") == len) {
		problem(ck, p, "is empty; write the text subscribers see");
		return;
	}
	if (len > CAMPAIGN_MAX_TEXT_BYTES) {
		problem(ck, p, "is %zu bytes long; a text may have at most %d", len,
		        CAMPAIGN_MAX_TEXT_BYTES);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && ch != '\n') || ch == 0x7f) {
			problem(ck, p,
			        "contains a control character (U+%04X); only line breaks are "
			        "allowed in texts",
			        ch);
			return;
		}
	}
	snprintf(t->lang[t->n], sizeof(t->lang[0]), "%s", lang);
	t->text[t->n++] = xstrndup(s, len);
}

/* A text: language -> string, with every required language first (in their order). */
static void
parse_text(struct ck *ck, json_t *v, const char *path, struct campaign_text *t)
{
	const char *key;
	json_t *tv;
	char p[PATH_BYTES], langs[64];

	list_names(langs, sizeof(langs), ck->langs, ck->nlangs);
	if (!json_is_object(v)) {
		problem(ck, path,
		        "must be an object of language -> text, e.g. {\"fa\": \"...\", \"en\": "
		        "\"...\"} (got %s); every text needs %s",
		        type_name(v), langs);
		return;
	}
	for (unsigned i = 0; i < ck->nlangs; i++) {
		path_key(p, path, ck->langs[i]);
		tv = json_object_get(v, ck->langs[i]);
		if (tv == NULL)
			problem(ck, p, "missing; every text needs %s", langs);
		else
			text_add(ck, t, ck->langs[i], tv, p);
	}
	json_object_foreach(v, key, tv)
	{
		bool done = strcmp(key, "comment") == 0; /* not a language */
		for (unsigned i = 0; i < ck->nlangs && !done; i++)
			done = strcmp(key, ck->langs[i]) == 0; /* taken above */
		if (done)
			continue;
		path_key(p, path, key);
		if (!lang_code_valid(key)) {
			const char *best = closest(key, ck->langs, ck->nlangs);
			problem(ck, p,
			        "not a language code; use 2 to 7 of a-z and '-', e.g. \"fa\" or "
			        "\"en\"%s%s%s",
			        best ? "; did you mean \"" : "", best ? best : "",
			        best ? "\"?" : "");
			continue;
		}
		if (t->n == CAMPAIGN_MAX_LANGS) {
			problem(ck, p, "too many languages; a text has at most %d",
			        CAMPAIGN_MAX_LANGS);
			continue;
		}
		text_add(ck, t, key, tv, p);
	}
}

static void
get_text(struct ck *ck, json_t *obj, const char *path, const char *key, struct campaign_text *t)
{
	char p[PATH_BYTES];
	json_t *v = json_object_get(obj, key);
	path_key(p, path, key);
	if (v == NULL)
		problem(ck, p,
		        "missing; expected a text in every language, e.g. {\"fa\": \"...\", "
		        "\"en\": \"...\"}");
	else
		parse_text(ck, v, p, t);
}

/* ---- rewards ---- */

static const char *const reward_fields[] = {"points", "chances", "voucher_pool"};

static void
parse_reward(struct ck *ck, json_t *v, const char *path, struct campaign_reward *r)
{
	char p[PATH_BYTES];
	memset(r, 0, sizeof(*r));
	if (!json_is_object(v)) {
		problem(ck, path,
		        "must be a reward: {\"points\": 10}, {\"chances\": 1}, {\"voucher_pool\": "
		        "\"snapp-50\"}, a combination, or {} for nothing (got %s)",
		        type_name(v));
		return;
	}
	check_fields(ck, v, path, reward_fields, 3);
	get_int(ck, v, path, "points", false, 1, 1000000, 0, &r->points);
	get_int(ck, v, path, "chances", false, 1, 1000, 0, &r->chances);
	const char *pool = get_str(ck, v, path, "voucher_pool", false,
	                           "the id of a voucher pool, e.g. \"snapp-50\"");
	path_key(p, path, "voucher_pool");
	if (pool != NULL && id_check(ck, p, pool, 1, 40))
		memcpy(r->voucher_pool, pool, strlen(pool) + 1);
}

static void
get_reward(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
           struct campaign_reward *r)
{
	char p[PATH_BYTES];
	json_t *v = json_object_get(obj, key);
	memset(r, 0, sizeof(*r));
	path_key(p, path, key);
	if (v == NULL) {
		if (required)
			problem(ck, p,
			        "missing; expected a reward such as {\"points\": 10} ({} for "
			        "nothing)");
		return;
	}
	parse_reward(ck, v, p, r);
}

static bool
reward_empty(const struct campaign_reward *r)
{
	return r->points == 0 && r->chances == 0 && r->voucher_pool[0] == '\0';
}

/* ---- dates and times ---- */

static int
days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

static void
next_day(int *y, int *m, int *d)
{
	if (++*d <= days_in_month(*y, *m))
		return;
	*d = 1;
	if (++*m <= 12)
		return;
	*m = 1;
	++*y;
}

/* Reads obj.key as a date (Jalali or Gregorian, optionally with a time). 0 ok, -1
 * missing or wrong (reported). */
static int
get_date(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
         struct civil_time *ct, bool *has_time_r)
{
	char p[PATH_BYTES];
	const char *why = NULL;
	const char *s =
	    get_str(ck, obj, path, key, required,
	            "a date such as \"1405-01-01\" (Jalali) or \"2026-03-21\" (Gregorian)");
	if (s == NULL)
		return -1;
	path_key(p, path, key);
	memset(ct, 0, sizeof(*ct));
	if (date_parse(s, ct, &why) < 0) {
		problem(ck, p,
		        "not a date (got \"%.*s%s\"): %s; write YYYY-MM-DD, Jalali (1405-01-01) or "
		        "Gregorian (2026-03-21), optionally with a time (1405-01-01T08:00)",
		        clip(s, 40), s, ellipsis(s, 40), why != NULL ? why : "unreadable");
		return -1;
	}
	*has_time_r = strpbrk(s, "Tt ") != NULL;
	return 0;
}

/* "HH:MM" into minutes after midnight; "24:00" only when allow_24. 0 ok, -1 wrong. */
static int
parse_hhmm(const char *s, bool allow_24, int *min_r)
{
	if (strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++) {
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	}
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24)))
		return -1;
	*min_r = h * 60 + m;
	return 0;
}

/* ---- top level: id, name, zone, window, short codes, points ---- */

static bool
zone_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || s[0] == '/' || strstr(s, "..") != NULL)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '/' || c == '_' || c == '-' || c == '+'))
			return false;
	}
	return true;
}

static void
parse_zone(struct ck *ck, json_t *root, const char *default_tz, struct campaign *c)
{
	static const char *const common[] = {"Asia/Tehran", "UTC", "Asia/Dubai", "Asia/Kabul",
	                                     "Europe/Istanbul"};
	json_t *v = json_object_get(root, "timezone");
	const char *name = default_tz != NULL && default_tz[0] != '\0' ? default_tz : "Asia/Tehran";
	const char *why = "not a time zone name";

	if (v != NULL) {
		if (!json_is_string(v)) {
			problem(ck, "$.timezone",
			        "must be an IANA time zone name such as \"Asia/Tehran\" (got %s)",
			        type_name(v));
			return;
		}
		name = json_string_value(v);
	}
	if (!zone_name_ok(name) || tz_load(name, &c->tz, &why) < 0) {
		const char *best = closest(name, common, sizeof(common) / sizeof(common[0]));
		c->tz = NULL;
		if (v != NULL)
			problem(
			    ck, "$.timezone",
			    "cannot use \"%.*s%s\": %s; use an IANA name such as Asia/Tehran or "
			    "UTC%s%s%s",
			    clip(name, 64), name, ellipsis(name, 64), why,
			    best ? "; did you mean \"" : "", best ? best : "", best ? "\"?" : "");
		else
			problem(
			    ck, "$",
			    "the default time zone \"%.*s\" (game.timezone) cannot be loaded (%s); "
			    "name one with \"timezone\"",
			    clip(name, 64), name, why);
		return;
	}
	snprintf(c->timezone, sizeof(c->timezone), "%s", name);
	ck->tz = c->tz;
}

static void
parse_window(struct ck *ck, json_t *root, struct campaign *c)
{
	struct civil_time s, e;
	bool s_time = false, e_time = false;
	int s_ok = get_date(ck, root, "$", "starts", true, &s, &s_time);
	int e_ok = get_date(ck, root, "$", "ends", true, &e, &e_time);

	if (s_ok < 0 || e_ok < 0 || ck->tz == NULL)
		return;
	c->starts = tz_to_utc(ck->tz, s.year, s.month, s.day, s.hour, s.minute, s.second);
	if (!e_time) {
		/* Inclusive: the campaign runs through the whole last local day. */
		next_day(&e.year, &e.month, &e.day);
		e.hour = e.minute = e.second = 0;
	}
	c->ends = tz_to_utc(ck->tz, e.year, e.month, e.day, e.hour, e.minute, e.second);
	if (c->starts >= c->ends) {
		problem(ck, "$.ends",
		        "the campaign ends before it starts; \"ends\" is the last day (inclusive), "
		        "so a one-day campaign has the same date in starts and ends");
		return;
	}
	ck->window_ok = true;
	ck->starts = c->starts;
	ck->ends = c->ends;
}

static void
parse_short_codes(struct ck *ck, json_t *root, struct campaign *c)
{
	char p[PATH_BYTES];
	size_t i;
	json_t *sv;
	json_t *v = get_list(ck, root, "$", "short_codes", true, 1, CAMPAIGN_MAX_SHORT_CODES,
	                     "the numbers subscribers text, e.g. [\"3000\"]");
	if (v == NULL)
		return;
	c->short_codes = xcalloc(json_array_size(v), sizeof(char *));
	json_array_foreach(v, i, sv)
	{
		path_idx(p, "$.short_codes", i);
		if (json_is_integer(sv)) {
			problem(ck, p,
			        "must be a string; write it in quotes: \"%" JSON_INTEGER_FORMAT
			        "\"",
			        json_integer_value(sv));
			continue;
		}
		if (!json_is_string(sv)) {
			problem(ck, p, "must be a short code such as \"3000\" (got %s)",
			        type_name(sv));
			continue;
		}
		const char *s = json_string_value(sv);
		size_t n = strlen(s);
		if (n < 3 || n > 8 || strspn(s, "0123456789") != n) {
			problem(ck, p, "must be 3 to 8 digits 0-9 (got \"%.*s%s\")", clip(s, 40), s,
			        ellipsis(s, 40));
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++) {
			json_t *o = json_array_get(v, j);
			dup = json_is_string(o) && strcmp(json_string_value(o), s) == 0;
		}
		if (dup) {
			problem(ck, p, "\"%s\" is listed twice", s);
			continue;
		}
		c->short_codes[c->nshort_codes++] = xstrdup(s);
	}
}

static const char *const points_fields[] = {"expiry_days", "expiry_warning_days"};

static void
parse_points(struct ck *ck, json_t *root, struct campaign *c)
{
	long long days = 0, warn = 0;
	json_t *v = json_object_get(root, "points");
	if (v == NULL)
		return;
	if (!json_is_object(v)) {
		problem(ck, "$.points",
		        "must be an object, e.g. {\"expiry_days\": 90, \"expiry_warning_days\": 7} "
		        "(got %s)",
		        type_name(v));
		return;
	}
	check_fields(ck, v, "$.points", points_fields, 2);
	int d_ok = get_int(ck, v, "$.points", "expiry_days", true, 1, 3650, 0, &days);
	int w_ok = get_int(ck, v, "$.points", "expiry_warning_days", false, 0, 60, 0, &warn);
	if (d_ok == 1 && w_ok == 1 && warn >= days)
		problem(ck, "$.points.expiry_warning_days",
		        "a warning %lld days before expiry comes before the points were earned; "
		        "make it less than expiry_days (%lld)",
		        warn, days);
	c->expiry_days = (unsigned)days;
	c->expiry_warning_days = (unsigned)warn;
}

/* ---- earning rules ---- */

static const char *const event_names[] = {"recharge", "bundle", "bill", "custom"};
static const char *const earning_fields[] = {"event",      "per_amount", "points",
                                             "max_points", "multiplier", "window"};
static const char *const window_fields[] = {"from", "to", "days"};
/* Indexed by weekday: 0 = Sunday .. 6 = Saturday (struct tz_civil's numbering). */
static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static void
parse_days(struct ck *ck, json_t *w, const char *path, unsigned *mask_r)
{
	char p[PATH_BYTES], pi[PATH_BYTES];
	size_t i;
	json_t *dv;
	json_t *days =
	    get_list(ck, w, path, "days", false, 1, 7, "days of the week, e.g. [\"thu\", \"fri\"]");
	*mask_r = ALL_DAYS;
	if (days == NULL)
		return;
	*mask_r = 0;
	path_key(p, path, "days");
	json_array_foreach(days, i, dv)
	{
		int day = -1;
		path_idx(pi, p, i);
		if (json_is_string(dv)) {
			for (int k = 0; k < 7; k++) {
				if (strcmp(json_string_value(dv), day_names[k]) == 0)
					day = k;
			}
		}
		if (day < 0) {
			char got[80];
			const char *best = json_is_string(dv)
			                       ? closest(json_string_value(dv), day_names, 7)
			                       : NULL;
			describe(dv, got, sizeof(got));
			problem(ck, pi,
			        "must be one of sat, sun, mon, tue, wed, thu, fri (got %s)%s%s%s",
			        got, best ? "; did you mean \"" : "", best ? best : "",
			        best ? "\"?" : "");
			continue;
		}
		if (*mask_r & (1u << day))
			problem(ck, pi, "\"%s\" is listed twice", day_names[day]);
		*mask_r |= 1u << day;
	}
}

static void
parse_time_window(struct ck *ck, json_t *w, const char *path, struct campaign_earning *e)
{
	char p[PATH_BYTES];
	const char *expect = "a local time \"HH:MM\" such as \"20:00\"";
	if (!json_is_object(w)) {
		problem(
		    ck, path,
		    "must be a time window, e.g. {\"from\": \"20:00\", \"to\": \"22:00\"} (got %s)",
		    type_name(w));
		return;
	}
	check_fields(ck, w, path, window_fields, 3);
	const char *from = get_str(ck, w, path, "from", true, expect);
	const char *to = get_str(ck, w, path, "to", true, expect);
	int f = -1, t = -1;
	if (from != NULL && parse_hhmm(from, false, &f) < 0) {
		path_key(p, path, "from");
		problem(ck, p,
		        "must be a local time \"HH:MM\" from 00:00 to 23:59 (got \"%.*s%s\")",
		        clip(from, 20), from, ellipsis(from, 20));
		f = -1;
	}
	if (to != NULL && parse_hhmm(to, true, &t) < 0) {
		path_key(p, path, "to");
		problem(ck, p,
		        "must be a local time \"HH:MM\" from 00:00 to 24:00 (got \"%.*s%s\")",
		        clip(to, 20), to, ellipsis(to, 20));
		t = -1;
	}
	if (f >= 0 && t >= 0 && (f == t || (f == 0 && t == 24 * 60))) {
		path_key(p, path, "to");
		problem(ck, p,
		        "the window from %s to %s is %s; leave the window out for the whole "
		        "day, or name days",
		        from, to, f == t ? "empty" : "the whole day");
	}
	if (f >= 0 && t >= 0) {
		e->window_from_min = f;
		e->window_to_min = t;
	}
	parse_days(ck, w, path, &e->days_mask);
}

static void
parse_earning_rule(struct ck *ck, json_t *v, const char *p, struct campaign_earning *e)
{
	char fp[PATH_BYTES];
	long long m = 0, per = 0, pts = 0, maxp = 0;

	e->window_from_min = e->window_to_min = -1;
	e->days_mask = ALL_DAYS;
	if (!json_is_object(v)) {
		problem(ck, p,
		        "must be a rule, e.g. {\"event\": \"recharge\", \"per_amount\": 10000, "
		        "\"points\": 1} (got %s)",
		        type_name(v));
		return;
	}
	check_fields(ck, v, p, earning_fields, 6);
	int ev = get_enum(ck, v, p, "event", true, event_names, 4, -1);
	if (ev >= 0)
		e->event = (enum earning_event)ev;
	json_t *w = json_object_get(v, "window");
	if (json_object_get(v, "multiplier") != NULL) {
		get_int(ck, v, p, "multiplier", true, 2, 10, 0, &m);
		e->multiplier = (int)m;
		static const char *const not_here[] = {"per_amount", "points", "max_points"};
		for (size_t i = 0; i < 3; i++) {
			if (json_object_get(v, not_here[i]) == NULL)
				continue;
			path_key(fp, p, not_here[i]);
			problem(ck, fp,
			        "a multiplier rule multiplies what the other rules earn and "
			        "earns nothing itself; move \"%s\" to a rule of its own",
			        not_here[i]);
		}
		path_key(fp, p, "window");
		if (w == NULL)
			problem(ck, fp,
			        "missing; a multiplier rule needs a local time window, e.g. "
			        "{\"from\": \"20:00\", \"to\": \"22:00\"}");
		else
			parse_time_window(ck, w, fp, e);
		return;
	}
	get_int(ck, v, p, "per_amount", true, 1, 1000000000000LL, 0, &per);
	int p_ok = get_int(ck, v, p, "points", true, 1, 1000000, 0, &pts);
	int m_ok = get_int(ck, v, p, "max_points", false, 1, 100000000, 0, &maxp);
	e->per_amount = per;
	e->points = pts;
	e->max_points = maxp;
	if (p_ok == 1 && m_ok == 1 && maxp < pts) {
		path_key(fp, p, "max_points");
		problem(ck, fp, "is below the %lld points one step earns; raise it or leave it out",
		        pts);
	}
	if (w != NULL) {
		path_key(fp, p, "window");
		problem(ck, fp,
		        "only a multiplier rule has a window; add \"multiplier\": 2 to a rule "
		        "of its own, or remove the window");
	}
}

static void
parse_earning(struct ck *ck, json_t *root, struct campaign *c)
{
	char p[PATH_BYTES];
	size_t i;
	json_t *rv;
	json_t *v = get_list(ck, root, "$", "earning", false, 0, CAMPAIGN_MAX_EARNING,
	                     "earning rules, e.g. [{\"event\": \"recharge\", \"per_amount\": "
	                     "10000, \"points\": 1}]");
	if (v == NULL)
		return;
	c->nearning = (unsigned)json_array_size(v);
	c->earning = xcalloc(c->nearning + 1, sizeof(*c->earning));
	json_array_foreach(v, i, rv)
	{
		path_idx(p, "$.earning", i);
		parse_earning_rule(ck, rv, p, &c->earning[i]);
	}
	/* One points rule per event; a multiplier needs something to multiply. Only rules
	 * whose event parsed take part. */
	int evs[CAMPAIGN_MAX_EARNING];
	bool mult[CAMPAIGN_MAX_EARNING];
	for (i = 0; i < c->nearning; i++) {
		json_t *rv2 = json_array_get(v, i);
		json_t *ev = json_object_get(rv2, "event");
		evs[i] = -1;
		mult[i] = json_object_get(rv2, "multiplier") != NULL;
		for (int k = 0; k < 4 && json_is_string(ev); k++) {
			if (strcmp(json_string_value(ev), event_names[k]) == 0)
				evs[i] = k;
		}
	}
	for (i = 0; i < c->nearning; i++) {
		bool has_points = false;
		if (evs[i] < 0)
			continue;
		for (size_t j = 0; j < c->nearning; j++) {
			if (evs[j] != evs[i] || mult[j])
				continue;
			has_points = true;
			if (!mult[i] && j < i) {
				pathf(p, "$.earning[%zu].event", i);
				problem(ck, p,
				        "a second points rule for \"%s\" (the first is "
				        "$.earning[%zu]); "
				        "one rule per event: merge them",
				        event_names[evs[i]], j);
				break;
			}
		}
		if (mult[i] && !has_points) {
			pathf(p, "$.earning[%zu].event", i);
			problem(
			    ck, p,
			    "nothing earns points for \"%s\", so this multiplier has nothing to "
			    "multiply; add a rule with per_amount and points",
			    event_names[evs[i]]);
		}
	}
}

/* ---- tiers ---- */

static const char *const tier_fields[] = {"id", "name", "min_points"};
static const char *const tier_review_names[] = {"never", "monthly", "campaign_end"};

static void
parse_tiers(struct ck *ck, json_t *root, struct campaign *c)
{
	char p[PATH_BYTES], fp[PATH_BYTES];
	size_t i;
	json_t *tv;
	int prev_ok = 0;
	long long prev = 0;
	json_t *v = get_list(ck, root, "$", "tiers", false, 1, CAMPAIGN_MAX_TIERS,
	                     "tiers ordered by min_points, the first at 0");
	int review =
	    get_enum(ck, root, "$", "tier_review", false, tier_review_names, 3, TIER_REVIEW_NEVER);
	if (review >= 0)
		c->tier_review = (enum tier_review)review;
	if (v == NULL)
		return;
	c->ntiers = (unsigned)json_array_size(v);
	c->tiers = xcalloc(c->ntiers, sizeof(*c->tiers));
	json_array_foreach(v, i, tv)
	{
		struct campaign_tier *t = &c->tiers[i];
		path_idx(p, "$.tiers", i);
		if (!json_is_object(tv)) {
			problem(ck, p,
			        "must be a tier, e.g. {\"id\": \"silver\", \"name\": {...}, "
			        "\"min_points\": 500} (got %s)",
			        type_name(tv));
			prev_ok = 0;
			continue;
		}
		check_fields(ck, tv, p, tier_fields, 3);
		get_id(ck, tv, p, "id", 1, 32, t->id);
		dup_in_list(ck, v, i, "id", "$.tiers", "tier id");
		get_text(ck, tv, p, "name", &t->name);
		int ok =
		    get_int(ck, tv, p, "min_points", true, 0, 1000000000000LL, 0, &t->min_points);
		path_key(fp, p, "min_points");
		if (ok == 1 && i == 0 && t->min_points != 0)
			problem(ck, fp,
			        "the first tier must start at 0, so that every subscriber has a "
			        "tier (got %lld)",
			        t->min_points);
		else if (ok == 1 && prev_ok == 1 && t->min_points <= prev)
			problem(ck, fp,
			        "tiers are listed by min_points, lowest first: %lld is not above "
			        "the previous tier's %lld",
			        t->min_points, prev);
		prev_ok = ok;
		prev = t->min_points;
	}
}

/* ---- missions ---- */

static const char *const mission_types[] = {"checkin", "spin", "quiz", "events", "referrals"};
static const char *const period_names[] = {"day", "week", "campaign"};
#define T(x) (1u << (x))
#define ALL_TYPES                                                                                  \
	(T(MISSION_CHECKIN) | T(MISSION_SPIN) | T(MISSION_QUIZ) | T(MISSION_EVENTS) |              \
	 T(MISSION_REFERRALS))
static const struct {
	const char *key;
	unsigned types;
} mission_keys[] = {
    {"id", ALL_TYPES},
    {"type", ALL_TYPES},
    {"period", ALL_TYPES},
    {"reward", ALL_TYPES},
    {"streak", T(MISSION_CHECKIN)},
    {"questions", T(MISSION_QUIZ)},
    {"event", T(MISSION_EVENTS)},
    {"count", T(MISSION_EVENTS) | T(MISSION_REFERRALS)},
    {"stages", T(MISSION_EVENTS) | T(MISSION_REFERRALS)},
};
#define N_MISSION_KEYS (sizeof(mission_keys) / sizeof(mission_keys[0]))
static const char *const streak_fields[] = {"days", "reward"};
static const char *const question_fields[] = {"date", "text", "choices", "answer"};
static const char *const stage_fields[] = {"count", "reward"};

/* Reports fields a mission of this type does not have (type < 0: any known field is
 * taken). */
static void
check_mission_fields(struct ck *ck, json_t *v, const char *p, int type)
{
	const char *key;
	json_t *fv;
	const char *names[N_MISSION_KEYS];
	char fp[PATH_BYTES], list[200];

	for (size_t i = 0; i < N_MISSION_KEYS; i++)
		names[i] = mission_keys[i].key;
	json_object_foreach(v, key, fv)
	{
		size_t k = 0;
		if (strcmp(key, "comment") == 0)
			continue;
		while (k < N_MISSION_KEYS && strcmp(key, mission_keys[k].key) != 0)
			k++;
		path_key(fp, p, key);
		if (k == N_MISSION_KEYS) {
			const char *best = closest(key, names, N_MISSION_KEYS);
			list_names(list, sizeof(list), names, N_MISSION_KEYS);
			problem(ck, fp, "unknown field%s%s%s (fields of missions: %s)",
			        best ? "; did you mean \"" : "", best ? best : "",
			        best ? "\"?" : "", list);
			continue;
		}
		if (type < 0 || (mission_keys[k].types & T(type)) != 0)
			continue;
		const char *owners[5];
		size_t n = 0;
		for (int t = 0; t < 5; t++) {
			if (mission_keys[k].types & T(t))
				owners[n++] = mission_types[t];
		}
		list_names(list, sizeof(list), owners, n);
		problem(ck, fp, "a %s mission has no \"%s\"; only these types have it: %s",
		        mission_types[type], key, list);
	}
}

static void
parse_question(struct ck *ck, json_t *v, const char *p, struct campaign_question *q)
{
	char fp[PATH_BYTES], cp[PATH_BYTES];
	struct civil_time ct;
	bool has_time = false;
	size_t i;
	json_t *cv;
	long long answer = 0;

	if (!json_is_object(v)) {
		problem(ck, p,
		        "must be a question: {\"date\": ..., \"text\": {...}, \"choices\": [...], "
		        "\"answer\": 1} (got %s)",
		        type_name(v));
		return;
	}
	check_fields(ck, v, p, question_fields, 4);
	if (get_date(ck, v, p, "date", true, &ct, &has_time) == 0) {
		path_key(fp, p, "date");
		if (has_time)
			problem(ck, fp,
			        "a question is asked for a whole local day; give the date "
			        "without a time");
		else
			q->year = ct.year, q->month = ct.month, q->day = ct.day;
	}
	get_text(ck, v, p, "text", &q->text);
	json_t *choices = get_list(ck, v, p, "choices", true, 2, CAMPAIGN_MAX_CHOICES,
	                           "2 to 8 choices, each a text in every language");
	if (choices != NULL) {
		q->nchoices = (unsigned)json_array_size(choices);
		q->choices = xcalloc(q->nchoices, sizeof(*q->choices));
		path_key(fp, p, "choices");
		json_array_foreach(choices, i, cv)
		{
			path_idx(cp, fp, i);
			parse_text(ck, cv, cp, &q->choices[i]);
		}
	}
	path_key(fp, p, "answer");
	json_t *av = json_object_get(v, "answer");
	if (av == NULL) {
		problem(ck, fp,
		        "missing; expected the number of the right choice, counting from 1");
	} else if (q->nchoices > 0 && json_is_integer(av) &&
	           (json_integer_value(av) < 1 || json_integer_value(av) > q->nchoices)) {
		problem(
		    ck, fp,
		    "there are %u choices; answer is the number of the right one, counting from "
		    "1 (got %" JSON_INTEGER_FORMAT ")",
		    q->nchoices, json_integer_value(av));
	} else if (int_value(ck, av, fp, 1, CAMPAIGN_MAX_CHOICES, &answer) == 1) {
		q->answer = (unsigned)answer;
	}
}

static void
parse_stages(struct ck *ck, json_t *v, const char *p, struct campaign_mission *m, int count_ok)
{
	char sp[PATH_BYTES], fp[PATH_BYTES];
	size_t i;
	json_t *sv;
	long long prev = 0;
	json_t *list = get_list(ck, v, p, "stages", false, 1, CAMPAIGN_MAX_STAGES,
	                        "staged rewards before the mission completes, e.g. [{\"count\": 1, "
	                        "\"reward\": {\"points\": 5}}]");
	if (list == NULL)
		return;
	m->nstages = (unsigned)json_array_size(list);
	m->stages = xcalloc(m->nstages, sizeof(*m->stages));
	path_key(fp, p, "stages");
	json_array_foreach(list, i, sv)
	{
		struct campaign_stage *s = &m->stages[i];
		path_idx(sp, fp, i);
		if (!json_is_object(sv)) {
			problem(ck, sp,
			        "must be a stage {\"count\": n, \"reward\": {...}} (got %s)",
			        type_name(sv));
			continue;
		}
		check_fields(ck, sv, sp, stage_fields, 2);
		int ok = get_int(ck, sv, sp, "count", true, 1, 1000, 0, &s->count);
		get_reward(ck, sv, sp, "reward", true, &s->reward);
		char cp[PATH_BYTES];
		path_key(cp, sp, "count");
		if (ok == 1 && s->count <= prev)
			problem(ck, cp,
			        "stages are listed by count, lowest first: %lld is not above "
			        "%lld",
			        s->count, prev);
		else if (ok == 1 && count_ok == 1 && s->count >= m->count)
			problem(ck, cp,
			        "a stage rewards progress before the mission completes, so its "
			        "count must be below the mission's count (%lld)",
			        m->count);
		if (ok == 1)
			prev = s->count;
	}
}

static void
parse_mission(struct ck *ck, json_t *v, const char *p, struct campaign_mission *m)
{
	char fp[PATH_BYTES];

	if (!json_is_object(v)) {
		problem(
		    ck, p,
		    "must be a mission: {\"id\": ..., \"type\": ..., \"period\": ..., \"reward\": "
		    "{...}} (got %s)",
		    type_name(v));
		return;
	}
	int type = get_enum(ck, v, p, "type", true, mission_types, 5, -1);
	check_mission_fields(ck, v, p, type);
	get_id(ck, v, p, "id", 1, 40, m->id);
	int period = get_enum(ck, v, p, "period", true, period_names, 3, -1);
	get_reward(ck, v, p, "reward", true, &m->reward);
	if (type >= 0)
		m->type = (enum mission_type)type;
	if (period >= 0)
		m->period = (enum mission_period)period;

	switch (type) {
	case MISSION_CHECKIN: {
		json_t *s = json_object_get(v, "streak");
		long long days = 0;
		if (s == NULL)
			break;
		path_key(fp, p, "streak");
		if (!json_is_object(s)) {
			problem(
			    ck, fp,
			    "must be {\"days\": 7, \"reward\": {...}}: a bonus for checking in so "
			    "many days in a row (got %s)",
			    type_name(s));
			break;
		}
		check_fields(ck, s, fp, streak_fields, 2);
		if (get_int(ck, s, fp, "days", true, 2, 365, 0, &days) == 1)
			m->streak_days = (unsigned)days;
		get_reward(ck, s, fp, "reward", true, &m->streak_reward);
		if (period >= 0 && period != PERIOD_DAY) {
			path_key(fp, p, "period");
			problem(ck, fp,
			        "a streak counts days in a row, so a check-in with a streak "
			        "must have the period \"day\"");
		}
		break;
	}
	case MISSION_QUIZ: {
		size_t i;
		json_t *qv;
		if (period >= 0 && period != PERIOD_DAY) {
			path_key(fp, p, "period");
			problem(ck, fp,
			        "a quiz asks one question a day; its period must be \"day\"");
		}
		json_t *qs = get_list(ck, v, p, "questions", true, 1, CAMPAIGN_MAX_QUESTIONS,
		                      "the questions, one per local day");
		if (qs == NULL)
			break;
		m->nquestions = (unsigned)json_array_size(qs);
		m->questions = xcalloc(m->nquestions, sizeof(*m->questions));
		path_key(fp, p, "questions");
		json_array_foreach(qs, i, qv)
		{
			char qp[PATH_BYTES];
			path_idx(qp, fp, i);
			parse_question(ck, qv, qp, &m->questions[i]);
		}
		break;
	}
	case MISSION_EVENTS:
	case MISSION_REFERRALS: {
		if (type == MISSION_EVENTS) {
			int ev = get_enum(ck, v, p, "event", true, event_names, 4, -1);
			if (ev >= 0)
				m->event = (enum earning_event)ev;
		}
		int ok = get_int(ck, v, p, "count", true, 1, 1000, 0, &m->count);
		parse_stages(ck, v, p, m, ok);
		break;
	}
	default:
		break;
	}
}

/* Checks across a quiz's questions: dates inside the campaign, one question a day. */
static void
check_questions(struct ck *ck, const struct campaign_mission *m, const char *p)
{
	char qp[PATH_BYTES];
	for (unsigned i = 0; i < m->nquestions; i++) {
		const struct campaign_question *q = &m->questions[i];
		if (q->year == 0)
			continue;
		pathf(qp, "%s.questions[%u].date", p, i);
		for (unsigned j = 0; j < i; j++) {
			const struct campaign_question *o = &m->questions[j];
			if (o->year == q->year && o->month == q->month && o->day == q->day) {
				problem(
				    ck, qp,
				    "%04d-%02d-%02d already has a question (%s.questions[%u]); one "
				    "question a day",
				    q->year, q->month, q->day, p, j);
				break;
			}
		}
		if (!ck->window_ok)
			continue;
		int y = q->year, mo = q->month, d = q->day;
		time_t day_start = tz_to_utc(ck->tz, y, mo, d, 0, 0, 0);
		next_day(&y, &mo, &d);
		time_t day_end = tz_to_utc(ck->tz, y, mo, d, 0, 0, 0);
		if (day_end <= ck->starts || day_start >= ck->ends)
			problem(ck, qp,
			        "%04d-%02d-%02d is outside the campaign (starts to ends); the "
			        "question would never be asked",
			        q->year, q->month, q->day);
	}
}

static void
parse_missions(struct ck *ck, json_t *root, struct campaign *c)
{
	char p[PATH_BYTES];
	size_t i;
	json_t *mv;
	json_t *v = get_list(ck, root, "$", "missions", false, 0, CAMPAIGN_MAX_MISSIONS,
	                     "missions, e.g. [{\"id\": \"daily-checkin\", \"type\": \"checkin\", "
	                     "\"period\": \"day\", \"reward\": {\"points\": 5}}]");
	if (v == NULL)
		return;
	c->nmissions = (unsigned)json_array_size(v);
	c->missions = xcalloc(c->nmissions + 1, sizeof(*c->missions));
	json_array_foreach(v, i, mv)
	{
		path_idx(p, "$.missions", i);
		parse_mission(ck, mv, p, &c->missions[i]);
		dup_in_list(ck, v, i, "id", "$.missions", "mission id");
	}
}

/* ---- the wheel ---- */

static const char *const wheel_fields[] = {"spins_per_day", "fallback", "prizes"};
static const char *const prize_fields[] = {"id",     "name",      "weight",
                                           "reward", "daily_cap", "total_cap"};

static void
parse_prize(struct ck *ck, json_t *v, const char *p, struct campaign_prize *z)
{
	long long weight = 0;
	z->daily_cap = z->total_cap = -1;
	if (!json_is_object(v)) {
		problem(ck, p,
		        "must be a prize: {\"id\": ..., \"name\": {...}, \"weight\": 100, "
		        "\"reward\": {...}} (got %s)",
		        type_name(v));
		return;
	}
	check_fields(ck, v, p, prize_fields, 6);
	get_id(ck, v, p, "id", 1, 40, z->id);
	get_text(ck, v, p, "name", &z->name);
	if (get_int(ck, v, p, "weight", true, 1, 1000000, 0, &weight) == 1)
		z->weight = (unsigned)weight;
	get_reward(ck, v, p, "reward", true, &z->reward);
	int d_ok = get_int(ck, v, p, "daily_cap", false, 1, 1000000000, -1, &z->daily_cap);
	int t_ok = get_int(ck, v, p, "total_cap", false, 1, 1000000000000LL, -1, &z->total_cap);
	if (d_ok == 1 && t_ok == 1 && z->daily_cap > z->total_cap) {
		char fp[PATH_BYTES];
		path_key(fp, p, "daily_cap");
		problem(ck, fp, "%lld a day is more than the total_cap of %lld", z->daily_cap,
		        z->total_cap);
	}
}

static void
parse_wheel(struct ck *ck, json_t *root, struct campaign *c)
{
	char p[PATH_BYTES];
	size_t i;
	json_t *zv;
	long long spins = 1;
	struct campaign_wheel *w = &c->wheel;
	json_t *v = json_object_get(root, "wheel");

	if (v == NULL)
		return;
	if (!json_is_object(v)) {
		problem(ck, "$.wheel",
		        "must be an object: {\"spins_per_day\": 1, \"fallback\": \"<prize id>\", "
		        "\"prizes\": [...]} (got %s)",
		        type_name(v));
		return;
	}
	w->enabled = 1;
	check_fields(ck, v, "$.wheel", wheel_fields, 3);
	get_int(ck, v, "$.wheel", "spins_per_day", false, 1, 100, 1, &spins);
	w->spins_per_day = (unsigned)spins;
	json_t *prizes = get_list(ck, v, "$.wheel", "prizes", true, 2, CAMPAIGN_MAX_PRIZES,
	                          "a wheel needs at least 2 prizes, one of them the fallback");
	const char *fb = get_str(ck, v, "$.wheel", "fallback", true,
	                         "the id of the prize (without caps) that takes the weight of "
	                         "exhausted prizes");
	if (prizes == NULL)
		return;
	w->nprizes = (unsigned)json_array_size(prizes);
	w->prizes = xcalloc(w->nprizes, sizeof(*w->prizes));
	json_array_foreach(prizes, i, zv)
	{
		path_idx(p, "$.wheel.prizes", i);
		parse_prize(ck, zv, p, &w->prizes[i]);
		dup_in_list(ck, prizes, i, "id", "$.wheel.prizes", "prize id");
	}
	if (fb == NULL)
		return;
	const char *ids[CAMPAIGN_MAX_PRIZES];
	unsigned nids = 0;
	for (unsigned k = 0; k < w->nprizes; k++) {
		if (w->prizes[k].id[0] == '\0')
			continue;
		if (strcmp(w->prizes[k].id, fb) == 0) {
			const struct campaign_prize *z = &w->prizes[k];
			w->fallback = k;
			if (z->daily_cap >= 0 || z->total_cap >= 0)
				problem(
				    ck, "$.wheel.fallback",
				    "the fallback prize \"%s\" has a %s; the fallback takes the "
				    "weight of exhausted prizes, so it must have no cap",
				    z->id, z->daily_cap >= 0 ? "daily_cap" : "total_cap");
			return;
		}
		ids[nids++] = w->prizes[k].id;
	}
	char list[400];
	const char *best = closest(fb, ids, nids);
	list_names(list, sizeof(list), ids, nids);
	problem(ck, "$.wheel.fallback", "no prize has the id \"%.*s%s\"%s%s%s (prizes: %s)",
	        clip(fb, 40), fb, ellipsis(fb, 40), best ? "; did you mean \"" : "",
	        best ? best : "", best ? "\"?" : "", list);
}

/* ---- referral ---- */

static const char *const referral_fields[] = {
    "window_days", "cap", "require_active", "referrer_reward", "referee_reward", "milestones"};
static const char *const milestone_fields[] = {"count", "reward"};

static void
parse_referral(struct ck *ck, json_t *root, struct campaign *c)
{
	char p[PATH_BYTES], fp[PATH_BYTES];
	size_t i;
	json_t *mv;
	long long days = 0, cap = 0, prev = 0;
	struct campaign_referral *r = &c->referral;
	json_t *v = json_object_get(root, "referral");

	if (v == NULL)
		return;
	if (!json_is_object(v)) {
		problem(ck, "$.referral",
		        "must be an object: {\"window_days\": 7, \"cap\": 20, \"referrer_reward\": "
		        "{...}, \"referee_reward\": {...}} (got %s)",
		        type_name(v));
		return;
	}
	r->enabled = 1;
	check_fields(ck, v, "$.referral", referral_fields, 6);
	get_int(ck, v, "$.referral", "window_days", true, 1, 365, 0, &days);
	int cap_ok = get_int(ck, v, "$.referral", "cap", true, 1, 100000, 0, &cap);
	r->window_days = (unsigned)days;
	r->cap = (unsigned)cap;
	r->require_active = get_bool(ck, v, "$.referral", "require_active", 0);
	get_reward(ck, v, "$.referral", "referrer_reward", true, &r->referrer_reward);
	get_reward(ck, v, "$.referral", "referee_reward", true, &r->referee_reward);
	json_t *ms = get_list(ck, v, "$.referral", "milestones", false, 1, CAMPAIGN_MAX_MILESTONES,
	                      "milestones for referrers, e.g. [{\"count\": 3, \"reward\": {...}}]");
	if (ms == NULL)
		return;
	r->nmilestones = (unsigned)json_array_size(ms);
	r->milestones = xcalloc(r->nmilestones, sizeof(*r->milestones));
	json_array_foreach(ms, i, mv)
	{
		struct campaign_milestone *m = &r->milestones[i];
		path_idx(p, "$.referral.milestones", i);
		if (!json_is_object(mv)) {
			problem(ck, p, "must be {\"count\": n, \"reward\": {...}} (got %s)",
			        type_name(mv));
			continue;
		}
		check_fields(ck, mv, p, milestone_fields, 2);
		int ok = get_int(ck, mv, p, "count", true, 1, 100000, 0, &m->count);
		get_reward(ck, mv, p, "reward", true, &m->reward);
		path_key(fp, p, "count");
		if (ok == 1 && m->count <= prev)
			problem(ck, fp,
			        "milestones are listed by count, lowest first: %lld is not "
			        "above %lld",
			        m->count, prev);
		else if (ok == 1 && cap_ok == 1 && m->count > cap)
			problem(ck, fp, "no referrer can reach %lld referrals: the cap is %lld",
			        m->count, cap);
		if (ok == 1)
			prev = m->count;
	}
}

/* ---- catalog ---- */

static const char *const item_fields[] = {"id", "name", "cost", "reward"};

static void
parse_catalog(struct ck *ck, json_t *root, struct campaign *c)
{
	char p[PATH_BYTES], fp[PATH_BYTES];
	size_t i;
	json_t *iv;
	json_t *v = get_list(ck, root, "$", "catalog", false, 0, CAMPAIGN_MAX_CATALOG,
	                     "items to redeem points for, e.g. [{\"id\": \"data-1g\", \"name\": "
	                     "{...}, \"cost\": 500, \"reward\": {...}}]");
	if (v == NULL)
		return;
	c->ncatalog = (unsigned)json_array_size(v);
	c->catalog = xcalloc(c->ncatalog + 1, sizeof(*c->catalog));
	json_array_foreach(v, i, iv)
	{
		struct campaign_item *it = &c->catalog[i];
		path_idx(p, "$.catalog", i);
		if (!json_is_object(iv)) {
			problem(ck, p,
			        "must be an item {\"id\": ..., \"name\": {...}, \"cost\": 500, "
			        "\"reward\": {...}} (got %s)",
			        type_name(iv));
			continue;
		}
		check_fields(ck, iv, p, item_fields, 4);
		get_id(ck, iv, p, "id", 1, 40, it->id);
		dup_in_list(ck, v, i, "id", "$.catalog", "item id");
		get_text(ck, iv, p, "name", &it->name);
		get_int(ck, iv, p, "cost", true, 1, 1000000000, 0, &it->cost);
		get_reward(ck, iv, p, "reward", true, &it->reward);
		path_key(fp, p, "reward");
		if (json_is_object(json_object_get(iv, "reward")) && reward_empty(&it->reward) &&
		    json_object_size(json_object_get(iv, "reward")) == 0)
			problem(ck, fp,
			        "an item must give something: points, chances or a "
			        "voucher_pool");
	}
}

/* ---- checks across sections ---- */

static void
check_across(struct ck *ck, json_t *root, struct campaign *c)
{
	char p[PATH_BYTES];
	int first_of[5] = {-1, -1, -1, -1, -1};
	json_t *ms = json_object_get(root, "missions");

	for (unsigned i = 0; i < c->nmissions; i++) {
		const struct campaign_mission *m = &c->missions[i];
		json_t *mv = json_array_get(ms, i);
		/* Only missions whose type parsed: an unparsed one reads as checkin. */
		int type = -1;
		json_t *tv = json_object_get(mv, "type");
		for (int t = 0; t < 5 && json_is_string(tv); t++) {
			if (strcmp(json_string_value(tv), mission_types[t]) == 0)
				type = t;
		}
		if (type < 0)
			continue;
		pathf(p, "$.missions[%u].type", i);
		if ((type == MISSION_CHECKIN || type == MISSION_SPIN || type == MISSION_QUIZ) &&
		    first_of[type] >= 0)
			problem(ck, p,
			        "a second %s mission (the first is $.missions[%d]); a campaign "
			        "has at most one",
			        mission_types[type], first_of[type]);
		if (first_of[type] < 0)
			first_of[type] = (int)i;
		if (type == MISSION_SPIN && !c->wheel.enabled)
			problem(ck, p,
			        "a spin mission needs a wheel; add \"wheel\" or remove the "
			        "mission");
		if (type == MISSION_REFERRALS && !c->referral.enabled)
			problem(ck, p,
			        "a referrals mission needs referral codes; add \"referral\" or "
			        "remove the mission");
		if (type == MISSION_REFERRALS && c->referral.enabled && c->referral.cap > 0 &&
		    m->count > (long long)c->referral.cap) {
			pathf(p, "$.missions[%u].count", i);
			problem(ck, p, "no one can make %lld referrals: $.referral.cap is %u",
			        m->count, c->referral.cap);
		}
		if (type == MISSION_QUIZ) {
			pathf(p, "$.missions[%u]", i);
			check_questions(ck, m, p);
		}
		if (type == MISSION_CHECKIN && m->streak_days > 0 && ck->window_ok) {
			long long days = (long long)((ck->ends - ck->starts + 86399) / 86400);
			pathf(p, "$.missions[%u].streak.days", i);
			if (m->streak_days > days)
				problem(ck, p,
				        "a streak of %u days cannot be reached in a campaign of "
				        "%lld days",
				        m->streak_days, days);
		}
	}
}

/* ---- the whole file ---- */

static const char *const top_fields[] = {
    "id",    "name",        "timezone", "starts", "ends",     "short_codes", "points", "earning",
    "tiers", "tier_review", "missions", "wheel",  "referral", "catalog",     "grammar"};

static void
parse_root(struct ck *ck, json_t *root, const char *default_tz, struct campaign *c)
{
	check_fields(ck, root, "$", top_fields, sizeof(top_fields) / sizeof(top_fields[0]));
	const char *id = get_str(ck, root, "$", "id", true,
	                         "the campaign's id, 3 to 40 of a-z, 0-9 and '-', e.g. "
	                         "\"nowruz-1405\"");
	if (id != NULL && id_check(ck, "$.id", id, 3, 40))
		memcpy(c->id, id, strlen(id) + 1);
	get_text(ck, root, "$", "name", &c->name);
	parse_zone(ck, root, default_tz, c);
	parse_window(ck, root, c);
	parse_short_codes(ck, root, c);
	parse_points(ck, root, c);
	parse_earning(ck, root, c);
	parse_tiers(ck, root, c);
	parse_missions(ck, root, c);
	parse_wheel(ck, root, c);
	parse_referral(ck, root, c);
	parse_catalog(ck, root, c);

	json_t *g = json_object_get(root, "grammar");
	if (g != NULL && !json_is_object(g)) {
		problem(ck, "$.grammar",
		        "must be an object in the format of conf/grammar.json: {\"commands\": "
		        "[...]} (got %s)",
		        type_name(g));
	} else if (g != NULL) {
		char *s = json_dumps(g, JSON_COMPACT);
		c->grammar_json = xstrdup(s != NULL ? s : "{}");
		free(s);
	}
	check_across(ck, root, c);
}

struct campaign *
campaign_parse(const char *json, size_t len, const char *name, const char *default_tz,
               const char *const *langs, unsigned nlangs, struct buf *errors)
{
	struct ck ck = {.file = name, .errors = errors, .langs = langs, .nlangs = nlangs};
	json_error_t jerr;
	size_t skip = 0;

	if (len > CAMPAIGN_FILE_MAX) {
		buf_printf(errors,
		           "%s: the file has %zu bytes; a campaign file may have at most %d "
		           "(1 MiB)\n",
		           name, len, CAMPAIGN_FILE_MAX);
		return NULL;
	}
	if (nlangs == 0 || nlangs > CAMPAIGN_MAX_LANGS) {
		buf_printf(errors, "%s: between 1 and %d languages must be required (got %u)\n",
		           name, CAMPAIGN_MAX_LANGS, nlangs);
		return NULL;
	}
	/* A UTF-8 byte order mark (some editors write one) is not JSON; skip it. */
	if (len >= 3 && memcmp(json, "\xEF\xBB\xBF", 3) == 0)
		skip = 3;
	json_t *root = json_loadb(json + skip, len - skip, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		/* The text quotes the input near the error: keep it on one line. */
		for (char *t = jerr.text; *t != '\0'; t++) {
			if ((unsigned char)*t < 0x20 || *t == 0x7f)
				*t = '?';
		}
		if (jerr.line > 0)
			buf_printf(errors, "%s:%d:%d: JSON syntax error: %s\n", name, jerr.line,
			           jerr.column, jerr.text);
		else
			buf_printf(errors, "%s: JSON syntax error: %s\n", name, jerr.text);
		return NULL;
	}
	struct campaign *c = xcalloc(1, sizeof(*c));
	c->source = xstrndup(json, len);
	if (!json_is_object(root))
		problem(
		    &ck, "$",
		    "expected an object {\"id\": ..., \"name\": ..., ...} at the top level (got "
		    "%s)",
		    type_name(root));
	else
		parse_root(&ck, root, default_tz, c);
	json_decref(root);
	if (ck.problems == 0)
		return c;
	if (ck.problems > CAMPAIGN_MAX_PROBLEMS)
		buf_printf(errors, "%s: ... and %u more problems\n", name,
		           ck.problems - CAMPAIGN_MAX_PROBLEMS);
	campaign_free(c);
	return NULL;
}

struct campaign *
campaign_parse_file(const char *path, const char *default_tz, const char *const *langs,
                    unsigned nlangs, struct buf *errors)
{
	struct stat st;
	struct campaign *c = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL) {
		buf_printf(errors, "%s: cannot open the campaign file: %s\n", path,
		           strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		buf_printf(errors, "%s: not a regular file\n", path);
		goto out;
	}
	if (st.st_size > CAMPAIGN_FILE_MAX) {
		buf_printf(errors,
		           "%s: the file has %lld bytes; a campaign file may have at most %d "
		           "(1 MiB)\n",
		           path, (long long)st.st_size, CAMPAIGN_FILE_MAX);
		goto out;
	}
	/* Read up to one byte more than allowed, in case the file grew since fstat. */
	text = xmalloc(CAMPAIGN_FILE_MAX + 2);
	len = fread(text, 1, CAMPAIGN_FILE_MAX + 1, fp);
	if (ferror(fp)) {
		buf_printf(errors, "%s: cannot read the campaign file: %s\n", path,
		           strerror(errno));
		goto out;
	}
	text[len] = '\0';
	c = campaign_parse(text, len, path, default_tz, langs, nlangs, errors);
out:
	free(text);
	fclose(fp);
	return c;
}

static void
text_free(struct campaign_text *t)
{
	for (unsigned i = 0; i < t->n; i++)
		free(t->text[i]);
}

void
campaign_free(struct campaign *c)
{
	if (c == NULL)
		return;
	text_free(&c->name);
	if (c->tz != NULL)
		tz_free(c->tz);
	for (unsigned i = 0; i < c->nshort_codes; i++)
		free(c->short_codes[i]);
	free(c->short_codes);
	free(c->earning);
	for (unsigned i = 0; i < c->ntiers; i++)
		text_free(&c->tiers[i].name);
	free(c->tiers);
	for (unsigned i = 0; i < c->nmissions; i++) {
		struct campaign_mission *m = &c->missions[i];
		for (unsigned q = 0; q < m->nquestions; q++) {
			text_free(&m->questions[q].text);
			for (unsigned k = 0; k < m->questions[q].nchoices; k++)
				text_free(&m->questions[q].choices[k]);
			free(m->questions[q].choices);
		}
		free(m->questions);
		free(m->stages);
	}
	free(c->missions);
	for (unsigned i = 0; i < c->wheel.nprizes; i++)
		text_free(&c->wheel.prizes[i].name);
	free(c->wheel.prizes);
	free(c->referral.milestones);
	for (unsigned i = 0; i < c->ncatalog; i++)
		text_free(&c->catalog[i].name);
	free(c->catalog);
	free(c->grammar_json);
	free(c->source);
	free(c);
}

const char *
campaign_text(const struct campaign_text *t, const char *lang)
{
	if (t == NULL || t->n == 0)
		return "";
	for (unsigned i = 0; lang != NULL && i < t->n; i++) {
		if (strcmp(t->lang[i], lang) == 0)
			return t->text[i];
	}
	return t->text[0];
}

int
campaign_running(const struct campaign *c, time_t t)
{
	return t >= c->starts && t < c->ends;
}

const struct campaign_mission *
campaign_mission_of(const struct campaign *c, enum mission_type type)
{
	for (unsigned i = 0; i < c->nmissions; i++) {
		if (c->missions[i].type == type)
			return &c->missions[i];
	}
	return NULL;
}

void
campaign_summary(const struct campaign *c, struct buf *out)
{
	struct tz_civil a, b;
	int ay, am, ad, by, bm, bd;

	tz_civil(c->tz, c->starts, &a);
	tz_civil(c->tz, c->ends - 1, &b);
	buf_printf(out, "%s: %04d-%02d-%02d %02d:%02d to %04d-%02d-%02d %02d:%02d %s", c->id,
	           a.year, a.month, a.day, a.hour, a.minute, b.year, b.month, b.day, b.hour,
	           b.minute, c->timezone);
	if (gregorian_to_jalali(a.year, a.month, a.day, &ay, &am, &ad) == 0 &&
	    gregorian_to_jalali(b.year, b.month, b.day, &by, &bm, &bd) == 0)
		buf_printf(out, " (Jalali %04d-%02d-%02d to %04d-%02d-%02d)", ay, am, ad, by, bm,
		           bd);
	buf_printf(out, ", short code%s ", c->nshort_codes == 1 ? "" : "s");
	for (unsigned i = 0; i < c->nshort_codes; i++)
		buf_printf(out, "%s%s", i > 0 ? "," : "", c->short_codes[i]);
	buf_printf(out, ", %u prize%s, %u mission%s", c->wheel.nprizes,
	           c->wheel.nprizes == 1 ? "" : "s", c->nmissions, c->nmissions == 1 ? "" : "s");
}

int
campaign_conflict(const struct campaign *a, const struct campaign *b, const char **code_r)
{
	if (strcmp(a->id, b->id) == 0 || a->starts >= b->ends || b->starts >= a->ends)
		return 0;
	for (unsigned i = 0; i < a->nshort_codes; i++) {
		for (unsigned j = 0; j < b->nshort_codes; j++) {
			if (strcmp(a->short_codes[i], b->short_codes[j]) == 0) {
				*code_r = a->short_codes[i];
				return 1;
			}
		}
	}
	return 0;
}
