/*
 * ussd_text — the `text` field of a USSD request in the Africa's Talking convention:
 * every answer of the session so far joined by '*' ("" on the first request, then "1",
 * "1*2", ...). Taken apart into answers, each classified: "0" goes back, "00" goes home,
 * anything else is an answer for the current screen.
 *
 * An answer is 0 to USSD_PART_MAX characters of 0-9, A-Z, a-z, '#' and '+' (what a
 * phone keypad or a simulator sends); an empty answer ("1**2", "1*") is kept, so the
 * menu can show "invalid choice". Anything else — other bytes, more than USSD_TEXT_MAX
 * bytes or USSD_MAX_PARTS answers — is malformed. Pure; any thread.
 */
#ifndef GAMIGATE_ROUTE_USSD_TEXT_H
#define GAMIGATE_ROUTE_USSD_TEXT_H

#include <stddef.h>

#define USSD_TEXT_MAX  255
#define USSD_MAX_PARTS 64
#define USSD_PART_MAX  32

enum ussd_part_kind {
	USSD_PART_ANSWER, /* a choice or an input */
	USSD_PART_BACK,   /* "0" */
	USSD_PART_HOME,   /* "00" */
};

struct ussd_part {
	enum ussd_part_kind kind;
	char value[USSD_PART_MAX + 1];
};

struct ussd_text {
	unsigned n; /* 0 for the first request of a session */
	struct ussd_part parts[USSD_MAX_PARTS];
};

/* Parses len bytes of s (not necessarily NUL-terminated) into out. 0 ok; -1 malformed
 * with *error_r set to a static explanation (out is then unspecified). */
int ussd_text_parse(const char *s, size_t len, struct ussd_text *out, const char **error_r);

/* Length in bytes of the text made of the first n answers of s, joined by '*' again:
 * the prefix of the original text up to that answer ("1*2*3", 2 -> 3 for "1*2"). */
size_t ussd_text_prefix_len(const char *s, size_t len, unsigned n);

#endif
