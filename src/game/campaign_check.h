/*
 * campaign_check — the checker behind campaign_parse: problem lines with JSON paths,
 * "did you mean" hints, and the checks of single values (numbers, strings, enums, ids,
 * lists), texts in every language, rewards and dates that every section uses. Every
 * function reports what is wrong through ck_problem and carries on, so one run finds
 * every problem. Names start with ck_, after struct ck, the checker they all take.
 *
 * Private to src/game (campaign*.c); not for use elsewhere. Any thread, no global state.
 */
#ifndef GAMIGATE_GAME_CAMPAIGN_CHECK_H
#define GAMIGATE_GAME_CAMPAIGN_CHECK_H

#include "core/jalali.h"
#include "game/campaign.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define PATH_BYTES 200

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

/* Appends "FILE: path: message\n"; control characters become '?' so each problem stays
 * one line. Past CAMPAIGN_MAX_PROBLEMS problems are only counted. */
void ck_problem(struct ck *ck, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Bytes of s to print so that at most max bytes are shown and no UTF-8 sequence is cut. */
int ck_clip(const char *s, size_t max);

/* "..." when ck_clip(s, max) cuts s, else "". */
const char *ck_ellipsis(const char *s, size_t max);

/* Formats a JSON path; a path too long for the buffer is cut (only ever in messages). */
void ck_pathf(char out[PATH_BYTES], const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* parent.key, or parent["odd key"] (clipped, escaped) for keys that are not names. */
void ck_path_key(char out[PATH_BYTES], const char *parent, const char *key);

/* parent[i]. */
void ck_path_idx(char out[PATH_BYTES], const char *parent, size_t i);

/* "an object", "a list", "a string", ... for messages. */
const char *ck_type_name(const json_t *v);

/* What a value was, for "(got ...)": the number itself, a quoted (clipped) string, or
 * its type. */
void ck_describe(const json_t *v, char *out, size_t n);

/* The candidate closest to s (at most 2 edits, 1 for short names), or NULL. */
const char *ck_closest(const char *s, const char *const *cands, size_t n);

/* "a, b, c" into out; "a and b" for two (sep_last "and"). */
void ck_list_names(char *out, size_t n, const char *const *names, size_t count);

/* Reports every field of obj not in allowed (nor "comment", allowed everywhere) with the
 * closest allowed name as a hint. */
void ck_check_fields(struct ck *ck, json_t *obj, const char *path, const char *const *allowed,
                     size_t n);

/* 1 present and valid (*out set), 0 absent (*out = def), -1 wrong (reported). */
int ck_int_value(struct ck *ck, json_t *v, const char *p, long long min, long long max,
                 long long *out);

/* obj.key as a whole number from min to max: 1 present and valid, 0 absent and optional
 * (*out = def), -1 missing or wrong (reported). */
int ck_get_int(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
               long long min, long long max, long long def, long long *out);

/* The string at obj.key, or NULL (reported when required or of the wrong type). */
const char *ck_get_str(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
                       const char *expect);

/* The index of obj.key in names; def when absent and optional; -1 when missing or wrong
 * (reported). */
int ck_get_enum(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
                const char *const *names, size_t n, int def);

/* obj.key as true/false; def when absent or wrong (reported). */
int ck_get_bool(struct ck *ck, json_t *obj, const char *path, const char *key, int def);

/* An id: min to max of a-z, 0-9 and '-'. */
bool ck_id_check(struct ck *ck, const char *p, const char *s, size_t min, size_t max);

/* Reads obj.key as an id into out (max bytes, out has room for max + 1). */
void ck_get_id(struct ck *ck, json_t *obj, const char *path, const char *key, size_t min,
               size_t max, char *out);

/* When element i of arr has the same string field key as an earlier element, reports it
 * (naming the earlier one) and returns true. */
bool ck_dup_in_list(struct ck *ck, json_t *arr, size_t i, const char *key, const char *arr_path,
                    const char *what);

/* The list at obj.key with min..max entries; NULL when absent (reported when required)
 * or wrong (reported). */
json_t *ck_get_list(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
                    size_t min, size_t max, const char *expect);

/* Parses each element of the list arr (found at path) with parse(ck, element, "path[i]",
 * &array[i]) into a new zeroed array of json_array_size(arr) + 1 elements of size bytes;
 * after each element, when id_what is not NULL, reports an "id" that repeats an earlier
 * one (ck_dup_in_list). The caller owns the array (free). */
void *ck_parse_list(struct ck *ck, json_t *arr, const char *path, size_t size,
                    void (*parse)(struct ck *ck, json_t *v, const char *p, void *out),
                    const char *id_what);

/* A text: language -> string, with every required language first (in their order). */
void ck_parse_text(struct ck *ck, json_t *v, const char *path, struct campaign_text *t);

/* obj.key as a text (reported when missing or wrong). */
void ck_get_text(struct ck *ck, json_t *obj, const char *path, const char *key,
                 struct campaign_text *t);

/* A reward object into *r (zeroed first); problems reported. */
void ck_parse_reward(struct ck *ck, json_t *v, const char *path, struct campaign_reward *r);

/* obj.key as a reward; {} when absent (reported when required). */
void ck_get_reward(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
                   struct campaign_reward *r);

/* true when the reward gives nothing. */
bool ck_reward_empty(const struct campaign_reward *r);

/* The Gregorian date after y-m-d, in place. */
void ck_next_day(int *y, int *m, int *d);

/* Reads obj.key as a date (Jalali or Gregorian, optionally with a time). 0 ok, -1
 * missing or wrong (reported). */
int ck_get_date(struct ck *ck, json_t *obj, const char *path, const char *key, bool required,
                struct civil_time *ct, bool *has_time_r);

/* "HH:MM" into minutes after midnight; "24:00" only when allow_24. 0 ok, -1 wrong. */
int ck_parse_hhmm(const char *s, bool allow_24, int *min_r);

#endif
