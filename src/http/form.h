/*
 * form — application/x-www-form-urlencoded and query strings, decoded byte-exact: a
 * value may hold NUL bytes (Kannel's %b sends UTF-16BE text raw), so values carry
 * their length. Malformed escapes are an error, not a guess. Any thread.
 */
#ifndef GAMIGATE_HTTP_FORM_H
#define GAMIGATE_HTTP_FORM_H

#include <stddef.h>

#include "core/buf.h"

#define FORM_MAX_FIELDS 64

struct form_field {
	char *name; /* NUL-terminated */
	struct buf value;
};

struct form {
	struct form_field fields[FORM_MAX_FIELDS];
	size_t n;
};

/* Parses len bytes of "a=1&b=%20x". 0 ok, -1 with *error_r (static text). The form is
 * filled as far as it got either way; free it with form_free. */
int form_parse(const char *s, size_t len, struct form *f, const char **error_r);
void form_free(struct form *f);
/* The first field named name, or NULL. */
const struct buf *form_get(const struct form *f, const char *name);

#endif
