/*
 * buf — a growable byte buffer for building replies, metrics pages and log lines.
 *
 * The contents are always NUL-terminated so they can be used as a C string; the length
 * does not count the terminator. A buffer belongs to one thread at a time.
 */
#ifndef GAMIGATE_CORE_BUF_H
#define GAMIGATE_CORE_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT                                                                                   \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included; bytes below 0x20 are escaped.
 * Invalid UTF-8 is passed through byte for byte (callers validate text earlier). */
void buf_json_str(struct buf *b, const char *s);
/* Returns the NUL-terminated contents ("" for an empty buffer, never NULL). */
const char *buf_cstr(struct buf *b);

#endif
