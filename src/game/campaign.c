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
 * This file holds the entry points, the top-level fields (id, name, zone, window, short
 * codes, points) and the accessors; the checking helpers are in campaign_check.c, the
 * sections in campaign_sections.c and campaign_missions.c.
 *
 * Any thread may parse: there is no global state.
 */
#include "game/campaign.h"
#include "core/jalali.h"
#include "core/tz.h"
#include "core/xalloc.h"
#include "game/campaign_check.h"
#include "game/campaign_missions.h"
#include "game/campaign_sections.h"
#include "game/campaign_ussd.h"
#include "game/menu.h"
#include "game/campaign_draws.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
			ck_problem(
			    ck, "$.timezone",
			    "must be an IANA time zone name such as \"Asia/Tehran\" (got %s)",
			    ck_type_name(v));
			return;
		}
		name = json_string_value(v);
	}
	if (!zone_name_ok(name) || tz_load(name, &c->tz, &why) < 0) {
		const char *best = ck_closest(name, common, sizeof(common) / sizeof(common[0]));
		c->tz = NULL;
		if (v != NULL)
			ck_problem(
			    ck, "$.timezone",
			    "cannot use \"%.*s%s\": %s; use an IANA name such as Asia/Tehran or "
			    "UTC%s%s%s",
			    ck_clip(name, 64), name, ck_ellipsis(name, 64), why,
			    best ? "; did you mean \"" : "", best ? best : "", best ? "\"?" : "");
		else
			ck_problem(
			    ck, "$",
			    "the default time zone \"%.*s\" (game.timezone) cannot be loaded (%s); "
			    "name one with \"timezone\"",
			    ck_clip(name, 64), name, why);
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
	int s_ok = ck_get_date(ck, root, "$", "starts", true, &s, &s_time);
	int e_ok = ck_get_date(ck, root, "$", "ends", true, &e, &e_time);

	if (s_ok < 0 || e_ok < 0 || ck->tz == NULL)
		return;
	c->starts = tz_to_utc(ck->tz, s.year, s.month, s.day, s.hour, s.minute, s.second);
	if (!e_time) {
		/* Inclusive: the campaign runs through the whole last local day. */
		ck_next_day(&e.year, &e.month, &e.day);
		e.hour = e.minute = e.second = 0;
	}
	c->ends = tz_to_utc(ck->tz, e.year, e.month, e.day, e.hour, e.minute, e.second);
	if (c->starts >= c->ends) {
		ck_problem(
		    ck, "$.ends",
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
	json_t *v = ck_get_list(ck, root, "$", "short_codes", true, 1, CAMPAIGN_MAX_SHORT_CODES,
	                        "the numbers subscribers text, e.g. [\"3000\"]");
	if (v == NULL)
		return;
	c->short_codes = xcalloc(json_array_size(v), sizeof(char *));
	json_array_foreach(v, i, sv)
	{
		ck_path_idx(p, "$.short_codes", i);
		if (json_is_integer(sv)) {
			ck_problem(ck, p,
			           "must be a string; write it in quotes: \"%" JSON_INTEGER_FORMAT
			           "\"",
			           json_integer_value(sv));
			continue;
		}
		if (!json_is_string(sv)) {
			ck_problem(ck, p, "must be a short code such as \"3000\" (got %s)",
			           ck_type_name(sv));
			continue;
		}
		const char *s = json_string_value(sv);
		size_t n = strlen(s);
		if (n < 3 || n > 8 || strspn(s, "0123456789") != n) {
			ck_problem(ck, p, "must be 3 to 8 digits 0-9 (got \"%.*s%s\")",
			           ck_clip(s, 40), s, ck_ellipsis(s, 40));
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++) {
			json_t *o = json_array_get(v, j);
			dup = json_is_string(o) && strcmp(json_string_value(o), s) == 0;
		}
		if (dup) {
			ck_problem(ck, p, "\"%s\" is listed twice", s);
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
		ck_problem(
		    ck, "$.points",
		    "must be an object, e.g. {\"expiry_days\": 90, \"expiry_warning_days\": 7} "
		    "(got %s)",
		    ck_type_name(v));
		return;
	}
	ck_check_fields(ck, v, "$.points", points_fields, 2);
	int d_ok = ck_get_int(ck, v, "$.points", "expiry_days", true, 1, 3650, 0, &days);
	int w_ok = ck_get_int(ck, v, "$.points", "expiry_warning_days", false, 0, 60, 0, &warn);
	if (d_ok == 1 && w_ok == 1 && warn >= days)
		ck_problem(ck, "$.points.expiry_warning_days",
		           "a warning %lld days before expiry comes before the points were earned; "
		           "make it less than expiry_days (%lld)",
		           warn, days);
	c->expiry_days = (unsigned)days;
	c->expiry_warning_days = (unsigned)warn;
}

/* ---- the whole file ---- */

static const char *const top_fields[] = {
    "id",       "name",    "timezone", "starts",      "ends",     "short_codes",
    "points",   "earning", "tiers",    "tier_review", "missions", "wheel",
    "referral", "catalog", "grammar",  "ussd",        "draws",    "reminders"};

static void
parse_root(struct ck *ck, json_t *root, const char *default_tz, struct campaign *c)
{
	ck_check_fields(ck, root, "$", top_fields, sizeof(top_fields) / sizeof(top_fields[0]));
	const char *id = ck_get_str(ck, root, "$", "id", true,
	                            "the campaign's id, 3 to 40 of a-z, 0-9 and '-', e.g. "
	                            "\"nowruz-1405\"");
	if (id != NULL && ck_id_check(ck, "$.id", id, 3, 40))
		memcpy(c->id, id, strlen(id) + 1);
	ck_get_text(ck, root, "$", "name", &c->name);
	parse_zone(ck, root, default_tz, c);
	parse_window(ck, root, c);
	parse_short_codes(ck, root, c);
	parse_points(ck, root, c);
	campaign_sections_earning(ck, root, c);
	campaign_sections_tiers(ck, root, c);
	campaign_missions_parse(ck, root, c);
	campaign_sections_wheel(ck, root, c);
	campaign_sections_referral(ck, root, c);
	campaign_sections_catalog(ck, root, c);
	campaign_draws_parse(ck, root, c);

	json_t *g = json_object_get(root, "grammar");
	if (g != NULL && !json_is_object(g)) {
		ck_problem(ck, "$.grammar",
		           "must be an object in the format of conf/grammar.json: {\"commands\": "
		           "[...]} (got %s)",
		           ck_type_name(g));
	} else if (g != NULL) {
		char *s = json_dumps(g, JSON_COMPACT);
		c->grammar_json = xstrdup(s != NULL ? s : "{}");
		free(s);
	}
	campaign_missions_check(ck, root, c);
	campaign_ussd_parse(ck, root, c);
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
		ck_problem(
		    &ck, "$",
		    "expected an object {\"id\": ..., \"name\": ..., ...} at the top level (got "
		    "%s)",
		    ck_type_name(root));
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
	menu_free(c->ussd);
	free(c->source);
	campaign_draws_free(c);
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
