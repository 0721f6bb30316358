/*
 * template — reply texts per language, linted at load. Loop thread to load;
 * read-only (any thread) afterwards.
 */
#include "text/template.h"
#include "core/xalloc.h"
#include "text/sms.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_LANGS 16

struct lang_texts {
	char lang[8];
	json_t *texts; /* object key -> string */
};

struct templates {
	struct lang_texts langs[MAX_LANGS];
	size_t nlangs;
};

/* Is name one of the comma separated names in list? */
static int
in_list(const char *list, const char *name, size_t len)
{
	const char *p = list;
	while (*p != '\0') {
		const char *comma = strchr(p, ',');
		size_t l = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (l == len && memcmp(p, name, len) == 0)
			return 1;
		p += l + (comma != NULL ? 1 : 0);
	}
	return 0;
}

/* Finds name's value in "a=1,b=2" samples; copies it into out. */
static void
sample_of(const char *samples, const char *name, size_t len, struct buf *out)
{
	const char *p = samples;
	while (*p != '\0') {
		const char *comma = strchr(p, ',');
		size_t l = comma != NULL ? (size_t)(comma - p) : strlen(p);
		const char *eq = memchr(p, '=', l);
		if (eq != NULL && (size_t)(eq - p) == len && memcmp(p, name, len) == 0) {
			buf_append(out, eq + 1, l - (size_t)(eq - p) - 1);
			return;
		}
		p += l + (comma != NULL ? 1 : 0);
	}
	buf_puts(out, "XXXXXXXXXX"); /* no sample: assume ten characters */
}

/*
 * Expands text into out. For each placeholder calls lookup; unknown_r (if not NULL)
 * receives the first placeholder not allowed by spec_placeholders. Returns -1 for a
 * malformed text (unclosed '{').
 */
static int
expand(const char *text, const struct template_var *vars, size_t nvars, const char *samples,
       struct buf *out, const char *allowed, char *unknown_r, size_t unknown_len)
{
	const char *p = text;
	while (*p != '\0') {
		if (p[0] == '{' && p[1] == '{') {
			buf_putc(out, '{');
			p += 2;
			continue;
		}
		if (p[0] == '}' && p[1] == '}') {
			buf_putc(out, '}');
			p += 2;
			continue;
		}
		if (*p != '{') {
			buf_putc(out, *p++);
			continue;
		}
		const char *close = strchr(p, '}');
		if (close == NULL)
			return -1;
		const char *name = p + 1;
		size_t len = (size_t)(close - name);
		if (allowed != NULL && !in_list(allowed, name, len) && unknown_r != NULL &&
		    unknown_r[0] == '\0')
			snprintf(unknown_r, unknown_len, "%.*s", (int)len, name);
		if (samples != NULL) {
			sample_of(samples, name, len, out);
		} else {
			for (size_t i = 0; i < nvars; i++) {
				if (strlen(vars[i].name) == len &&
				    memcmp(vars[i].name, name, len) == 0) {
					buf_puts(out, vars[i].value != NULL ? vars[i].value : "");
					break;
				}
			}
		}
		p = close + 1;
	}
	return 0;
}

static void
lint_lang(const struct lang_texts *lt, const char *path, const struct template_spec *spec,
          size_t nspec, unsigned max_segments, struct buf *errors, int *problems)
{
	const char *key;
	json_t *value;

	json_object_foreach(lt->texts, key, value)
	{
		int known = 0;
		for (size_t i = 0; i < nspec && !known; i++)
			known = strcmp(spec[i].key, key) == 0;
		if (!known) {
			buf_printf(errors,
			           "%s: \"%s\": unknown key (no reply uses it; remove it or "
			           "check its spelling)\n",
			           path, key);
			(*problems)++;
		}
		if (!json_is_string(value)) {
			buf_printf(errors, "%s: \"%s\": must be a string\n", path, key);
			(*problems)++;
		}
	}
	for (size_t i = 0; i < nspec; i++) {
		json_t *v = json_object_get(lt->texts, spec[i].key);
		if (v == NULL) {
			buf_printf(errors, "%s: \"%s\": missing translation\n", path, spec[i].key);
			(*problems)++;
			continue;
		}
		if (!json_is_string(v))
			continue;
		struct buf sample = BUF_INIT;
		char unknown[64] = "";
		if (expand(json_string_value(v), NULL, 0, spec[i].samples, &sample,
		           spec[i].placeholders, unknown, sizeof(unknown)) < 0) {
			buf_printf(errors,
			           "%s: \"%s\": a '{' is never closed (write {{ for a "
			           "literal brace)\n",
			           path, spec[i].key);
			(*problems)++;
		} else if (unknown[0] != '\0') {
			buf_printf(errors, "%s: \"%s\": unknown placeholder {%s}; allowed: %s\n",
			           path, spec[i].key, unknown,
			           spec[i].placeholders[0] ? spec[i].placeholders : "none");
			(*problems)++;
		} else {
			struct sms_info info;
			sms_measure(buf_cstr(&sample), &info);
			if (info.segments > max_segments) {
				buf_printf(
				    errors,
				    "%s: \"%s\": %u SMS segments (%s, %u units with long "
				    "placeholder values) is over the limit of %u; shorten it\n",
				    path, spec[i].key, info.segments,
				    sms_encoding_name(info.encoding), info.units, max_segments);
				(*problems)++;
			}
		}
		buf_free(&sample);
	}
}

struct templates *
templates_load(const char *dir, const struct template_spec *spec, size_t nspec,
               unsigned max_segments, struct buf *errors)
{
	struct templates *t = xcalloc(1, sizeof(*t));
	DIR *d = opendir(dir);
	struct dirent *de;
	int problems = 0;

	if (d == NULL) {
		buf_printf(errors, "%s: cannot open the templates folder (sms.templates_dir)\n",
		           dir);
		free(t);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		char path[1024];
		struct stat st;
		json_error_t jerr;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		if (strlen(de->d_name) >= sizeof(t->langs[0].lang) || t->nlangs == MAX_LANGS) {
			buf_printf(errors, "%s: too many languages or a name too long\n", path);
			problems++;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s/sms.json", dir, de->d_name);
		json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
		if (root == NULL) {
			buf_printf(errors, "%s:%d:%d: %s\n", path, jerr.line, jerr.column,
			           jerr.text);
			problems++;
			continue;
		}
		if (!json_is_object(root)) {
			buf_printf(errors, "%s: must be a JSON object of key: text\n", path);
			json_decref(root);
			problems++;
			continue;
		}
		struct lang_texts *lt = &t->langs[t->nlangs++];
		snprintf(lt->lang, sizeof(lt->lang), "%.7s", de->d_name);
		lt->texts = root;
		lint_lang(lt, path, spec, nspec, max_segments, errors, &problems);
	}
	closedir(d);
	if (t->nlangs == 0 && problems == 0) {
		buf_printf(errors, "%s: no language folders (expected e.g. %s/en/sms.json)\n", dir,
		           dir);
		problems++;
	}
	if (problems > 0) {
		templates_free(t);
		return NULL;
	}
	return t;
}

void
templates_free(struct templates *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nlangs; i++)
		json_decref(t->langs[i].texts);
	free(t);
}

static const struct lang_texts *
find_lang(const struct templates *t, const char *lang)
{
	for (size_t i = 0; i < t->nlangs; i++) {
		if (strcmp(t->langs[i].lang, lang) == 0)
			return &t->langs[i];
	}
	return NULL;
}

int
templates_has_lang(const struct templates *t, const char *lang)
{
	return find_lang(t, lang) != NULL;
}

int
templates_has_key(const struct templates *t, const char *lang, const char *key)
{
	const struct lang_texts *lt = find_lang(t, lang);
	return lt != NULL && json_is_string(json_object_get(lt->texts, key));
}

int
templates_render(const struct templates *t, const char *lang, const char *key,
                 const struct template_var *vars, size_t nvars, struct buf *out)
{
	const struct lang_texts *lt = find_lang(t, lang);
	if (lt == NULL)
		return -1;
	json_t *v = json_object_get(lt->texts, key);
	if (v == NULL || !json_is_string(v))
		return -1;
	return expand(json_string_value(v), vars, nvars, NULL, out, NULL, NULL, 0);
}
