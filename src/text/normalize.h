/*
 * normalize — the form of subscriber text that the command grammar matches against.
 *
 * Folds what people type on Persian, Arabic and Latin keyboards into one spelling:
 * Arabic yeh/kaf and friends to their Persian forms, Persian and Arabic-Indic digits to
 * ASCII, Latin letters to lower case, fullwidth ASCII to ASCII; drops tatweel,
 * diacritics, bidi and format marks and control characters; turns every kind of space
 * (ZWNJ included) into one ASCII space, collapsed and trimmed. Everything else (Persian
 * letters, emoji, CJK) passes through unchanged.
 *
 * Invariants: the output is valid UTF-8 (utf8.h), never longer than the input, and a
 * fixed point: normalizing it again gives the same bytes. Pure functions; any thread.
 */
#ifndef GAMIGATE_TEXT_NORMALIZE_H
#define GAMIGATE_TEXT_NORMALIZE_H

#include "core/buf.h"

#include <stddef.h>

/* Appends the normalized form of in[0..len) to out. Returns 0, or -1 with *error_r =
 * "text is not valid UTF-8" (a NUL byte counts as invalid) and nothing appended. */
int text_normalize(const char *in, size_t len, struct buf *out, const char **error_r);

/* Counts the code points of a NUL-terminated UTF-8 string (for invalid input: the bytes
 * that are not continuation bytes). */
size_t text_codepoints(const char *utf8);

#endif
