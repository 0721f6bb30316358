/*
 * campaign_check — the generic checks of a campaign file: every problem becomes one line
 * "FILE: $.json.path: what is wrong; hint" (control characters replaced, long values
 * clipped without cutting UTF-8), unknown fields get the closest known name, and single
 * values, texts, rewards and dates are read and checked in one call each.
 *
 * Any thread: there is no global state.
 */
#include "game/campaign_check.h"
#include "core/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- messages ---- */

/* Appends "FILE: path: message\n"; control characters become '?' so each problem stays
 * one line. Past CAMPAIGN_MAX_PROBLEMS problems are only counted. */
void
ck_problem(struct ck *ck, const char *path, const char *fmt, ...)
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
int
ck_clip(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return (int)n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return (int)max;
}

const char *
ck_ellipsis(const char *s, size_t max)
{
	return strlen(s) > max ? "..." : "";
}

/* Formats a JSON path; a path too long for the buffer is cut (only ever in messages). */
void
ck_pathf(char out[PATH_BYTES], const char *fmt, ...)
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
void
ck_path_key(char out[PATH_BYTES], const char *parent, const char *key)
{
	char esc[100];
	size_t j = 0;
	int n = ck_clip(key, 40);

	if (simple_key(key)) {
		ck_pathf(out, "%s.%s", parent, key);
		return;
	}
	for (int i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)key[i];
		if (ch == '"' || ch == '\\')
			esc[j++] = '\\';
		esc[j++] = (char)(ch < 0x20 || ch == 0x7f ? '?' : ch);
	}
	esc[j] = '\0';
	ck_pathf(out, "%s[\"%s%s\"]", parent, esc, ck_ellipsis(key, 40));
}

void
ck_path_idx(char out[PATH_BYTES], const char *parent, size_t i)
{
	ck_pathf(out, "%s[%zu]", parent, i);
}

const char *
ck_type_name(const json_t *v)
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
void
ck_describe(const json_t *v, char *out, size_t n)
{
	if (json_is_integer(v)) {
		snprintf(out, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_real(v)) {
		snprintf(out, n, "%g", json_real_value(v));
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		snprintf(out, n, "\"%.*s%s\"", ck_clip(s, 40), s, ck_ellipsis(s, 40));
	} else {
		snprintf(out, n, "%s", ck_type_name(v));
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
const char *
ck_closest(const char *s, const char *const *cands, size_t n)
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
void
ck_list_names(char *out, size_t n, const char *const *names, size_t count)
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
void
ck_check_fields(struct ck *ck, json_t *obj, const char *path, const char *const *allowed, size_t n)
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
		const char *best = ck_closest(key, allowed, n);
		ck_path_key(p, path, key);
		ck_list_names(list, sizeof(list), allowed, n);
		if (best != NULL)
			ck_problem(ck, p, "unknown field; did you mean \"%s\"? (fields here: %s)",
			           best, list);
		else
			ck_problem(ck, p, "unknown field (fields here: %s)", list);
	}
}

/* ---- single values ---- */

/* 1 present and valid (*out set), 0 absent (*out = def), -1 wrong (reported). */
int
ck_int_value(struct ck *ck, json_t *v, const char *p, long long min, long long max, long long *out)
{
	char got[80];
	if (json_is_integer(v) && json_integer_value(v) >= min && json_integer_value(v) <= max) {
		*out = json_integer_value(v);
		return 1;
	}
	ck_describe(v, got, sizeof(got));
	const char *hint = "";
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (s[0] != '\0' && strspn(s, "0123456789") == strlen(s))
			hint = "; write the number without quotes";
	} else if (json_is_real(v)) {
		hint = "; no fractions";
	}
	ck_problem(ck, p, "must be a whole number from %lld to %lld (got %s)%s", min, max, got,
	           hint);
	return -1;
}

int
ck_get_int(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
           long long min, long long max, long long def, long long *out)
{
	char p[PATH_BYTES];
	json_t *v = json_object_get(obj, key);

	*out = def;
	ck_path_key(p, path, key);
	if (v == NULL) {
		if (required)
			ck_problem(ck, p, "missing; expected a whole number from %lld to %lld", min,
			           max);
		return required ? -1 : 0;
	}
	return ck_int_value(ck, v, p, min, max, out);
}

/* The string at obj.key, or NULL (reported when required or of the wrong type). */
const char *
ck_get_str(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
           const char *expect)
{
	char p[PATH_BYTES];
	json_t *v = json_object_get(obj, key);

	ck_path_key(p, path, key);
	if (v == NULL) {
		if (required)
			ck_problem(ck, p, "missing; expected %s", expect);
		return NULL;
	}
	if (!json_is_string(v)) {
		ck_problem(ck, p, "must be %s (got %s)", expect, ck_type_name(v));
		return NULL;
	}
	return json_string_value(v);
}

/* The index of obj.key in names; def when absent and optional; -1 when missing or wrong
 * (reported). */
int
ck_get_enum(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
            const char *const *names, size_t n, int def)
{
	char p[PATH_BYTES], list[200], expect[240];
	const char *s;

	if (!required && json_object_get(obj, key) == NULL)
		return def;
	ck_list_names(list, sizeof(list), names, n);
	snprintf(expect, sizeof(expect), "one of: %s", list);
	s = ck_get_str(ck, obj, path, key, required, expect);
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	}
	const char *best = ck_closest(s, names, n);
	ck_path_key(p, path, key);
	ck_problem(ck, p, "must be one of: %s (got \"%.*s%s\")%s%s%s", list, ck_clip(s, 40), s,
	           ck_ellipsis(s, 40), best ? "; did you mean \"" : "", best ? best : "",
	           best ? "\"?" : "");
	return -1;
}

int
ck_get_bool(struct ck *ck, json_t *obj, const char *path, const char *key, int def)
{
	char p[PATH_BYTES];
	json_t *v = json_object_get(obj, key);
	if (v == NULL)
		return def;
	if (json_is_boolean(v))
		return json_is_true(v);
	ck_path_key(p, path, key);
	ck_problem(ck, p, "must be true or false, without quotes (got %s)", ck_type_name(v));
	return def;
}

/* An id: min to max of a-z, 0-9 and '-'. */
bool
ck_id_check(struct ck *ck, const char *p, const char *s, size_t min, size_t max)
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
		ck_problem(ck, p, "must be %zu to %zu of a-z, 0-9 and '-' (got \"%.*s%s\")%s", min,
		           max, ck_clip(s, 50), s, ck_ellipsis(s, 50),
		           upper ? "; use lower case" : "");
	return ok;
}

/* Reads obj.key as an id into out (max bytes, out has room for max + 1). */
void
ck_get_id(struct ck *ck, json_t *obj, const char *path, const char *key, size_t min, size_t max,
          char *out)
{
	char p[PATH_BYTES], expect[120];
	snprintf(expect, sizeof(expect), "an id of %zu to %zu of a-z, 0-9 and '-'", min, max);
	const char *s = ck_get_str(ck, obj, path, key, true, expect);
	ck_path_key(p, path, key);
	if (s != NULL && ck_id_check(ck, p, s, min, max))
		memcpy(out, s, strlen(s) + 1);
}

/* When element i of arr has the same string field key as an earlier element, reports it
 * (naming the earlier one) and returns true. */
bool
ck_dup_in_list(struct ck *ck, json_t *arr, size_t i, const char *key, const char *arr_path,
               const char *what)
{
	json_t *a = json_object_get(json_array_get(arr, i), key);
	if (!json_is_string(a))
		return false;
	for (size_t j = 0; j < i; j++) {
		json_t *b = json_object_get(json_array_get(arr, j), key);
		if (json_is_string(b) && strcmp(json_string_value(a), json_string_value(b)) == 0) {
			char p[PATH_BYTES];
			ck_pathf(p, "%s[%zu].%s", arr_path, i, key);
			ck_problem(ck, p,
			           "%s \"%.*s\" is used twice (also %s[%zu]); %ss must be unique",
			           what, ck_clip(json_string_value(a), 40), json_string_value(a),
			           arr_path, j, what);
			return true;
		}
	}
	return false;
}

/* The list at obj.key with min..max entries; NULL when absent (reported when required)
 * or wrong (reported). */
json_t *
ck_get_list(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
            size_t min, size_t max, const char *expect)
{
	char p[PATH_BYTES];
	json_t *v = json_object_get(obj, key);

	ck_path_key(p, path, key);
	if (v == NULL) {
		if (required)
			ck_problem(ck, p, "missing; expected %s", expect);
		return NULL;
	}
	if (!json_is_array(v)) {
		ck_problem(ck, p, "must be a list: %s (got %s)", expect, ck_type_name(v));
		return NULL;
	}
	size_t n = json_array_size(v);
	if (n < min) {
		ck_problem(ck, p, "has %zu entr%s; expected at least %zu: %s", n,
		           n == 1 ? "y" : "ies", min, expect);
		return NULL;
	}
	if (n > max) {
		ck_problem(ck, p, "has %zu entries; at most %zu are allowed", n, max);
		return NULL;
	}
	return v;
}

void *
ck_parse_list(struct ck *ck, json_t *arr, const char *path, size_t size,
              void (*parse)(struct ck *ck, json_t *v, const char *p, void *out),
              const char *id_what)
{
	char p[PATH_BYTES];
	size_t i;
	json_t *v;
	char *out = xcalloc(json_array_size(arr) + 1, size);

	json_array_foreach(arr, i, v)
	{
		ck_path_idx(p, path, i);
		parse(ck, v, p, out + i * size);
		if (id_what != NULL)
			ck_dup_in_list(ck, arr, i, "id", path, id_what);
	}
	return out;
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
		ck_problem(ck, p, "must be a string (got %s)", ck_type_name(tv));
		return;
	}
	const char *s = json_string_value(tv);
	size_t len = json_string_length(tv);
	if (strspn(s, " ") == len) {
		ck_problem(ck, p, "is empty; write the text subscribers see");
		return;
	}
	if (len > CAMPAIGN_MAX_TEXT_BYTES) {
		ck_problem(ck, p, "is %zu bytes long; a text may have at most %d", len,
		           CAMPAIGN_MAX_TEXT_BYTES);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && ch != '\n') || ch == 0x7f) {
			ck_problem(ck, p,
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
void
ck_parse_text(struct ck *ck, json_t *v, const char *path, struct campaign_text *t)
{
	const char *key;
	json_t *tv;
	char p[PATH_BYTES], langs[64];

	ck_list_names(langs, sizeof(langs), ck->langs, ck->nlangs);
	if (!json_is_object(v)) {
		ck_problem(ck, path,
		           "must be an object of language -> text, e.g. {\"fa\": \"...\", \"en\": "
		           "\"...\"} (got %s); every text needs %s",
		           ck_type_name(v), langs);
		return;
	}
	for (unsigned i = 0; i < ck->nlangs; i++) {
		ck_path_key(p, path, ck->langs[i]);
		tv = json_object_get(v, ck->langs[i]);
		if (tv == NULL)
			ck_problem(ck, p, "missing; every text needs %s", langs);
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
		ck_path_key(p, path, key);
		if (!lang_code_valid(key)) {
			const char *best = ck_closest(key, ck->langs, ck->nlangs);
			ck_problem(ck, p,
			           "not a language code; use 2 to 7 of a-z and '-', e.g. \"fa\" or "
			           "\"en\"%s%s%s",
			           best ? "; did you mean \"" : "", best ? best : "",
			           best ? "\"?" : "");
			continue;
		}
		if (t->n == CAMPAIGN_MAX_LANGS) {
			ck_problem(ck, p, "too many languages; a text has at most %d",
			           CAMPAIGN_MAX_LANGS);
			continue;
		}
		text_add(ck, t, key, tv, p);
	}
}

void
ck_get_text(struct ck *ck, json_t *obj, const char *path, const char *key, struct campaign_text *t)
{
	char p[PATH_BYTES];
	json_t *v = json_object_get(obj, key);
	ck_path_key(p, path, key);
	if (v == NULL)
		ck_problem(ck, p,
		           "missing; expected a text in every language, e.g. {\"fa\": \"...\", "
		           "\"en\": \"...\"}");
	else
		ck_parse_text(ck, v, p, t);
}

/* ---- rewards ---- */

static const char *const reward_fields[] = {"points", "chances", "voucher_pool"};

void
ck_parse_reward(struct ck *ck, json_t *v, const char *path, struct campaign_reward *r)
{
	char p[PATH_BYTES];
	memset(r, 0, sizeof(*r));
	if (!json_is_object(v)) {
		ck_problem(
		    ck, path,
		    "must be a reward: {\"points\": 10}, {\"chances\": 1}, {\"voucher_pool\": "
		    "\"snapp-50\"}, a combination, or {} for nothing (got %s)",
		    ck_type_name(v));
		return;
	}
	ck_check_fields(ck, v, path, reward_fields, 3);
	ck_get_int(ck, v, path, "points", false, 1, 1000000, 0, &r->points);
	ck_get_int(ck, v, path, "chances", false, 1, 1000, 0, &r->chances);
	const char *pool = ck_get_str(ck, v, path, "voucher_pool", false,
	                              "the id of a voucher pool, e.g. \"snapp-50\"");
	ck_path_key(p, path, "voucher_pool");
	if (pool != NULL && ck_id_check(ck, p, pool, 1, 40))
		memcpy(r->voucher_pool, pool, strlen(pool) + 1);
}

void
ck_get_reward(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
              struct campaign_reward *r)
{
	char p[PATH_BYTES];
	json_t *v = json_object_get(obj, key);
	memset(r, 0, sizeof(*r));
	ck_path_key(p, path, key);
	if (v == NULL) {
		if (required)
			ck_problem(ck, p,
			           "missing; expected a reward such as {\"points\": 10} ({} for "
			           "nothing)");
		return;
	}
	ck_parse_reward(ck, v, p, r);
}

bool
ck_reward_empty(const struct campaign_reward *r)
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

void
ck_next_day(int *y, int *m, int *d)
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
int
ck_get_date(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
            struct civil_time *ct, bool *has_time_r)
{
	char p[PATH_BYTES];
	const char *why = NULL;
	const char *s =
	    ck_get_str(ck, obj, path, key, required,
	               "a date such as \"1405-01-01\" (Jalali) or \"2026-03-21\" (Gregorian)");
	if (s == NULL)
		return -1;
	ck_path_key(p, path, key);
	memset(ct, 0, sizeof(*ct));
	if (date_parse(s, ct, &why) < 0) {
		ck_problem(
		    ck, p,
		    "not a date (got \"%.*s%s\"): %s; write YYYY-MM-DD, Jalali (1405-01-01) or "
		    "Gregorian (2026-03-21), optionally with a time (1405-01-01T08:00)",
		    ck_clip(s, 40), s, ck_ellipsis(s, 40), why != NULL ? why : "unreadable");
		return -1;
	}
	*has_time_r = strpbrk(s, "Tt ") != NULL;
	return 0;
}

/* "HH:MM" into minutes after midnight; "24:00" only when allow_24. 0 ok, -1 wrong. */
int
ck_parse_hhmm(const char *s, bool allow_24, int *min_r)
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
