/*
 * mask — hides phone numbers before text reaches a log line. Any thread.
 */
#include "text/mask.h"

#include <string.h>

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

void
mask_phones(const char *in, struct buf *out)
{
	const char *p = in;
	while (*p != '\0') {
		if (!is_digit(*p)) {
			buf_putc(out, *p++);
			continue;
		}
		const char *start = p;
		while (is_digit(*p))
			p++;
		size_t len = (size_t)(p - start);
		if (len < 7) {
			buf_append(out, start, len);
			continue;
		}
		/* At least three digits are always hidden. */
		size_t keep_tail = len >= 10 ? 4 : 2;
		size_t keep_head = len >= 10 ? (len - 7 < 5 ? len - 7 : 5) : 2;
		buf_append(out, start, keep_head);
		buf_puts(out, "***");
		buf_append(out, p - keep_tail, keep_tail);
	}
}
