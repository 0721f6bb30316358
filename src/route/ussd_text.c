/*
 * ussd_text — the '*'-joined answers of a USSD session. Pure; any thread.
 */
#include "route/ussd_text.h"

#include <stdio.h>
#include <string.h>

static int
part_char_ok(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       c == '#' || c == '+';
}

int
ussd_text_parse(const char *s, size_t len, struct ussd_text *out, const char **error_r)
{
	out->n = 0;
	if (len > USSD_TEXT_MAX) {
		*error_r = "text too long";
		return -1;
	}
	if (len == 0)
		return 0;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '*') {
			if (!part_char_ok((unsigned char)s[i])) {
				*error_r = "text holds a character other than 0-9, A-Z, #, + and *";
				return -1;
			}
			continue;
		}
		size_t n = i - start;
		if (out->n == USSD_MAX_PARTS) {
			*error_r = "text has too many answers";
			return -1;
		}
		if (n > USSD_PART_MAX) {
			*error_r = "an answer in text is too long";
			return -1;
		}
		struct ussd_part *p = &out->parts[out->n++];
		memcpy(p->value, s + start, n);
		p->value[n] = '\0';
		if (strcmp(p->value, "0") == 0)
			p->kind = USSD_PART_BACK;
		else if (strcmp(p->value, "00") == 0)
			p->kind = USSD_PART_HOME;
		else
			p->kind = USSD_PART_ANSWER;
		start = i + 1;
	}
	return 0;
}

size_t
ussd_text_prefix_len(const char *s, size_t len, unsigned n)
{
	if (n == 0)
		return 0;
	unsigned seen = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '*' && ++seen == n)
			return i;
	}
	return len;
}
