/*
 * utf8 — strict UTF-8 decoding and encoding, and conversion of inbound SMS bodies from
 * the charset the gateway names (Kannel's %b raw bytes with %C) to UTF-8.
 *
 * "Valid" here means what the rest of gamigate may assume of every string it handles:
 * shortest form only, no surrogates (U+D800–U+DFFF), nothing above U+10FFFF, and no NUL
 * byte (text travels as C strings, so an embedded NUL would silently cut it short).
 * Pure functions; any thread.
 */
#ifndef GAMIGATE_TEXT_UTF8_H
#define GAMIGATE_TEXT_UTF8_H

#include "core/buf.h"

#include <stddef.h>
#include <stdint.h>

/* Returns 1 when s[0..len) is valid UTF-8 as defined above, else 0. */
int utf8_valid(const char *s, size_t len);

/* Decodes the code point at s[*pos] into *cp_r and advances *pos past it. Returns 0, or
 * -1 (and leaves *pos alone) at the end of input, on a NUL byte or an invalid sequence. */
int utf8_decode(const char *s, size_t len, size_t *pos, uint32_t *cp_r);

/* Appends cp as UTF-8. A surrogate or a value above U+10FFFF becomes U+FFFD. */
void utf8_put(struct buf *out, uint32_t cp);

/*
 * Converts an inbound message body in charset to UTF-8 and appends it to out.
 * charset is matched case-insensitively; NULL or "" means UTF-8. Known: UTF-8/UTF8;
 * UTF-16BE/UCS-2/UCS2/UTF-16 (big-endian, a leading U+FEFF is dropped; "UTF-16" alone
 * also honours a little-endian FF FE mark); UTF-16LE; ISO-8859-1/LATIN1;
 * WINDOWS-1252/CP1252; US-ASCII/ASCII.
 * Returns 0, or -1 with *error_r set and out unchanged: unknown charset, bytes not valid
 * in the charset, or a NUL character in the text. The message for an unknown charset
 * lives in thread-local storage until this thread's next call; the others are static.
 */
int text_decode_charset(const unsigned char *in, size_t len, const char *charset, struct buf *out,
                        const char **error_r);

#endif
