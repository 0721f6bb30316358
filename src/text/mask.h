/*
 * mask — hides phone numbers before text reaches a log line.
 *
 * Any run of 7 or more digits is taken for a phone number and at least three of its
 * digits are hidden: 10+ digits keep the last 4 and up to 5 leading ones
 * ("+98912***4567", "0912***4567", "912***4567"); 7–9 digits keep 2 and 2. Shorter
 * numbers (short codes, status codes) stay as they are.
 * Pure functions; any thread.
 */
#ifndef GAMIGATE_TEXT_MASK_H
#define GAMIGATE_TEXT_MASK_H

#include "core/buf.h"

/* Appends in to out with every phone number masked. */
void mask_phones(const char *in, struct buf *out);

#endif
