/*
 * mask — hides phone numbers before text reaches a log line.
 *
 * Any run of 7 or more digits (with an optional leading '+' or URL-encoded "%2B") is taken
 * for a phone number: 10+ digits keep the first 5 and the last 4 ("+98912***4567"),
 * 7–9 digits keep 2 and 2. Shorter numbers (short codes, status codes) stay as they are.
 * Pure functions; any thread.
 */
#ifndef GAMIGATE_TEXT_MASK_H
#define GAMIGATE_TEXT_MASK_H

#include "core/buf.h"

/* Appends in to out with every phone number masked. */
void mask_phones(const char *in, struct buf *out);

#endif
