/*
 * utf8 — strict UTF-8 and inbound charset conversion. Pure functions; any thread.
 *
 * Every converter checks each unit before it is used and appends nothing on failure:
 * text_decode_charset() remembers the buffer length and cuts back to it on error.
 */
#include "text/utf8.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int
utf8_decode(const char *s, size_t len, size_t *pos, uint32_t *cp_r)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = *pos;
	if (i >= len || p[i] == 0)
		return -1;
	unsigned char c = p[i];
	if (c < 0x80) {
		*cp_r = c;
		*pos = i + 1;
		return 0;
	}
	size_t extra;
	uint32_t cp, min;
	/* 0x80–0xBF are continuation bytes; 0xC0/0xC1 could only start overlong forms. */
	if (c < 0xC2)
		return -1;
	if (c < 0xE0) {
		extra = 1;
		cp = c & 0x1Fu;
		min = 0x80;
	} else if (c < 0xF0) {
		extra = 2;
		cp = c & 0x0Fu;
		min = 0x800;
	} else if (c < 0xF5) {
		extra = 3;
		cp = c & 0x07u;
		min = 0x10000;
	} else {
		return -1;
	}
	if (len - i - 1 < extra)
		return -1;
	for (size_t k = 1; k <= extra; k++) {
		unsigned char cc = p[i + k];
		if ((cc & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (cc & 0x3Fu);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*cp_r = cp;
	*pos = i + 1 + extra;
	return 0;
}

int
utf8_valid(const char *s, size_t len)
{
	size_t pos = 0;
	uint32_t cp;
	while (pos < len) {
		if (utf8_decode(s, len, &pos, &cp) < 0)
			return 0;
	}
	return 1;
}

void
utf8_put(struct buf *out, uint32_t cp)
{
	char b[4];
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		b[0] = (char)cp;
		buf_append(out, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		buf_append(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		buf_append(out, b, 3);
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		buf_append(out, b, 4);
	}
}

enum charset_kind {
	CHARSET_UTF8,
	CHARSET_UTF16BE,
	CHARSET_UTF16, /* big-endian unless the text starts with FF FE */
	CHARSET_UTF16LE,
	CHARSET_LATIN1,
	CHARSET_CP1252,
	CHARSET_ASCII,
};

static const struct {
	const char *name;
	enum charset_kind kind;
} charset_names[] = {
    {"UTF-8", CHARSET_UTF8},       {"UTF8", CHARSET_UTF8},           {"UTF-16BE", CHARSET_UTF16BE},
    {"UTF16BE", CHARSET_UTF16BE},  {"UCS-2", CHARSET_UTF16BE},       {"UCS2", CHARSET_UTF16BE},
    {"UCS-2BE", CHARSET_UTF16BE},  {"UTF-16", CHARSET_UTF16},        {"UTF16", CHARSET_UTF16},
    {"UTF-16LE", CHARSET_UTF16LE}, {"UTF16LE", CHARSET_UTF16LE},     {"ISO-8859-1", CHARSET_LATIN1},
    {"ISO8859-1", CHARSET_LATIN1}, {"ISO_8859-1", CHARSET_LATIN1},   {"LATIN1", CHARSET_LATIN1},
    {"LATIN-1", CHARSET_LATIN1},   {"WINDOWS-1252", CHARSET_CP1252}, {"CP1252", CHARSET_CP1252},
    {"US-ASCII", CHARSET_ASCII},   {"ASCII", CHARSET_ASCII},
};

/* Windows-1252 0x80–0x9F. The five bytes Microsoft leaves undefined (81 8D 8F 90 9D)
 * map to the C1 controls of the same value, as browsers (WHATWG) do. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static _Thread_local char charset_error[96];

/* Builds "unknown charset "NAME"" in this thread's error slot. The name comes from the
 * outside world and ends up in logs, so it is cut short and non-printables become '?'. */
static const char *
unknown_charset_error(const char *charset)
{
	char name[41];
	size_t n = 0;
	for (; charset[n] != '\0' && n < sizeof(name) - 1; n++) {
		unsigned char c = (unsigned char)charset[n];
		name[n] = (c >= 0x20 && c < 0x7F && c != '"') ? (char)c : '?';
	}
	name[n] = '\0';
	snprintf(charset_error, sizeof(charset_error), "unknown charset \"%s%s\"", name,
	         charset[n] != '\0' ? "..." : "");
	return charset_error;
}

/* Decodes UTF-16 units in the given byte order. Returns 0 or -1 with *error_r set. */
static int
decode_utf16(const unsigned char *in, size_t len, int big_endian, struct buf *out,
             const char **error_r)
{
	if (len % 2 != 0) {
		*error_r = "UTF-16 text has an odd number of bytes";
		return -1;
	}
	size_t i = 0;
	for (; i < len; i += 2) {
		uint32_t u = big_endian ? (uint32_t)(in[i] << 8 | in[i + 1])
		                        : (uint32_t)(in[i + 1] << 8 | in[i]);
		if (i == 0 && u == 0xFEFF)
			continue;
		if (u >= 0xDC00 && u <= 0xDFFF) {
			*error_r = "UTF-16 text has an unpaired low surrogate";
			return -1;
		}
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (len - i < 4) {
				*error_r = "UTF-16 text has an unpaired high surrogate";
				return -1;
			}
			uint32_t lo = big_endian ? (uint32_t)(in[i + 2] << 8 | in[i + 3])
			                         : (uint32_t)(in[i + 3] << 8 | in[i + 2]);
			if (lo < 0xDC00 || lo > 0xDFFF) {
				*error_r = "UTF-16 text has an unpaired high surrogate";
				return -1;
			}
			u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
			i += 2;
		}
		if (u == 0) {
			*error_r = "text contains a NUL character";
			return -1;
		}
		utf8_put(out, u);
	}
	return 0;
}

/* Decodes one byte per character: Latin-1, cp1252 or ASCII. Returns 0 or -1. */
static int
decode_single_byte(const unsigned char *in, size_t len, enum charset_kind kind, struct buf *out,
                   const char **error_r)
{
	for (size_t i = 0; i < len; i++) {
		uint32_t c = in[i];
		if (c == 0) {
			*error_r = "text contains a NUL character";
			return -1;
		}
		if (c >= 0x80 && kind == CHARSET_ASCII) {
			*error_r = "ASCII text has a byte above 0x7F";
			return -1;
		}
		if (c >= 0x80 && c <= 0x9F && kind == CHARSET_CP1252)
			c = cp1252_high[c - 0x80];
		utf8_put(out, c);
	}
	return 0;
}

int
text_decode_charset(const unsigned char *in, size_t len, const char *charset, struct buf *out,
                    const char **error_r)
{
	enum charset_kind kind = CHARSET_UTF8;
	int found = charset == NULL || charset[0] == '\0';
	for (size_t i = 0; !found && i < sizeof(charset_names) / sizeof(charset_names[0]); i++) {
		if (strcasecmp(charset, charset_names[i].name) == 0) {
			kind = charset_names[i].kind;
			found = 1;
		}
	}
	if (!found) {
		*error_r = unknown_charset_error(charset);
		return -1;
	}

	size_t mark = out->len;
	int rc = 0;
	switch (kind) {
	case CHARSET_UTF8:
		if (!utf8_valid((const char *)in, len)) {
			*error_r = memchr(in, 0, len) != NULL ? "text contains a NUL character"
			                                      : "text is not valid UTF-8";
			return -1;
		}
		buf_append(out, in, len);
		break;
	case CHARSET_UTF16BE:
		rc = decode_utf16(in, len, 1, out, error_r);
		break;
	case CHARSET_UTF16:
		if (len >= 2 && in[0] == 0xFF && in[1] == 0xFE)
			rc = decode_utf16(in, len, 0, out, error_r);
		else
			rc = decode_utf16(in, len, 1, out, error_r);
		break;
	case CHARSET_UTF16LE:
		rc = decode_utf16(in, len, 0, out, error_r);
		break;
	case CHARSET_LATIN1:
	case CHARSET_CP1252:
	case CHARSET_ASCII:
		rc = decode_single_byte(in, len, kind, out, error_r);
		break;
	}
	if (rc < 0 && out->data != NULL) {
		out->len = mark;
		out->data[mark] = '\0';
	}
	return rc;
}
