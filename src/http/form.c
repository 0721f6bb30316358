/*
 * form — byte-exact form/query decoding. Any thread.
 */
#include "http/form.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..len) into out. -1 on a bad %-escape. */
static int
decode(const char *s, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '+') {
			buf_putc(out, ' ');
		} else if (c == '%') {
			if (len - i < 3)
				return -1;
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			buf_putc(out, (char)(hi * 16 + lo));
			i += 2;
		} else {
			buf_putc(out, c);
		}
	}
	return 0;
}

int
form_parse(const char *s, size_t len, struct form *f, const char **error_r)
{
	size_t pos = 0;
	memset(f, 0, sizeof(*f));
	while (pos < len) {
		const char *start = s + pos;
		const char *amp = memchr(start, '&', len - pos);
		size_t plen = amp != NULL ? (size_t)(amp - start) : len - pos;
		pos += plen + (amp != NULL ? 1 : 0);
		if (plen == 0)
			continue;
		if (f->n == FORM_MAX_FIELDS) {
			*error_r = "too many fields";
			return -1;
		}
		const char *eq = memchr(start, '=', plen);
		size_t nlen = eq != NULL ? (size_t)(eq - start) : plen;
		struct buf name = BUF_INIT;
		struct form_field *fld = &f->fields[f->n];
		if (decode(start, nlen, &name) < 0 || name.len == 0 ||
		    memchr(name.data, '\0', name.len) != NULL) {
			buf_free(&name);
			*error_r = "malformed field name";
			return -1;
		}
		fld->name = xstrdup(buf_cstr(&name));
		buf_free(&name);
		f->n++;
		if (eq != NULL && decode(eq + 1, plen - nlen - 1, &fld->value) < 0) {
			*error_r = "malformed %-escape in a value";
			return -1;
		}
		if (fld->value.data == NULL)
			buf_puts(&fld->value, "");
	}
	return 0;
}

void
form_free(struct form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->fields[i].name);
		buf_free(&f->fields[i].value);
	}
	f->n = 0;
}

const struct buf *
form_get(const struct form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->fields[i].name, name) == 0)
			return &f->fields[i].value;
	}
	return NULL;
}
