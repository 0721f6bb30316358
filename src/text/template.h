/*
 * template — reply texts per language, loaded from templates/<lang>/sms.json (a flat
 * JSON object: key -> text) and checked at load against a spec of the keys the code
 * uses: every key present in every language, only the placeholders the spec allows
 * ({name}; "{{" and "}}" are literal braces), and no text longer than the allowed
 * number of SMS segments once its placeholders hold their longest sample values.
 *
 * Loaded on the loop thread; immutable afterwards and shared read-only by workers.
 */
#ifndef GAMIGATE_TEXT_TEMPLATE_H
#define GAMIGATE_TEXT_TEMPLATE_H

#include <stddef.h>

#include "core/buf.h"

/* One key the code uses, with the placeholders it may contain and, for the segment
 * check, a long sample value for each ("points=1234567,tier=platinum"). */
struct template_spec {
	const char *key;
	const char *placeholders; /* comma separated names, "" for none */
	const char *samples;      /* name=value pairs, comma separated */
};

/* A placeholder value for rendering. */
struct template_var {
	const char *name;
	const char *value;
};

struct templates;

/* Loads every language folder under dir (each must hold sms.json). NULL with one line
 * per problem appended to errors, each naming the file and the key. */
struct templates *templates_load(const char *dir, const struct template_spec *spec, size_t nspec,
                                 unsigned max_segments, struct buf *errors);
void templates_free(struct templates *t);

/* 1 when the language was loaded. */
int templates_has_lang(const struct templates *t, const char *lang);

/* 1 when key exists in lang. */
int templates_has_key(const struct templates *t, const char *lang, const char *key);

/* Appends the text of key in lang with its placeholders filled (a placeholder without
 * a value is left empty). 0 ok, -1 when the language or key is unknown. */
int templates_render(const struct templates *t, const char *lang, const char *key,
                     const struct template_var *vars, size_t nvars, struct buf *out);

#endif
