/*
 * normalize — one spelling for what subscribers type. Pure functions; any thread.
 *
 * normalize_map() decides each code point on its own (map, drop or space); only the
 * whitespace rule looks at neighbours. Every code point it returns maps to itself, which
 * is what makes text_normalize() idempotent; the fuzz target checks that.
 */
#include "text/normalize.h"

#include <string.h>

#include "text/utf8.h"

#include <stdint.h>

#define NORM_DROP  0xFFFFFFFFu
#define NORM_SPACE 0xFFFFFFFEu

/* Latin Extended-A (U+0100–U+017F) to lower case, using the simple one-to-one mappings of
 * UnicodeData.txt: pairs alternate upper/lower with a shift in parity at U+0138 and
 * U+0178. U+0130 (dotted capital I) folds to plain 'i'. */
static uint32_t
fold_latin_ext_a(uint32_t cp)
{
	if (cp == 0x0130)
		return 'i';
	if (cp == 0x0178)
		return 0x00FF;
	if ((cp <= 0x012F || (cp >= 0x0132 && cp <= 0x0137) || (cp >= 0x014A && cp <= 0x0177)) &&
	    cp % 2 == 0)
		return cp + 1;
	if (((cp >= 0x0139 && cp <= 0x0148) || (cp >= 0x0179 && cp <= 0x017E)) && cp % 2 == 1)
		return cp + 1;
	return cp;
}

/* Returns what one code point becomes: another code point, NORM_DROP or NORM_SPACE. */
static uint32_t
normalize_map(uint32_t cp)
{
	if (cp < 0x80) {
		if (cp >= 'A' && cp <= 'Z')
			return cp + ('a' - 'A');
		if (cp == ' ' || (cp >= '\t' && cp <= '\r'))
			return NORM_SPACE;
		if (cp < 0x20 || cp == 0x7F)
			return NORM_DROP;
		return cp;
	}
	if (cp < 0xA0) /* C1 controls; NEL is a line break */
		return cp == 0x85 ? NORM_SPACE : NORM_DROP;
	if (cp < 0x100) {
		if (cp == 0xA0)
			return NORM_SPACE;
		if (cp == 0xAD)
			return NORM_DROP;
		if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
			return cp + 0x20;
		return cp;
	}
	if (cp < 0x180)
		return fold_latin_ext_a(cp);
	if (cp >= 0x0600 && cp <= 0x06FF) {
		switch (cp) {
		case 0x061C: /* Arabic letter mark (bidi) */
		case 0x0640: /* tatweel */
		case 0x0670: /* superscript alef */
			return NORM_DROP;
		case 0x0623: /* alef with hamza above */
		case 0x0625: /* alef with hamza below */
			return 0x0627;
		case 0x0629: /* teh marbuta */
		case 0x06C0: /* heh with yeh above */
			return 0x0647;
		case 0x0643: /* Arabic kaf */
			return 0x06A9;
		case 0x0649: /* alef maksura */
		case 0x064A: /* Arabic yeh */
			return 0x06CC;
		default:
			break;
		}
		if (cp >= 0x064B && cp <= 0x065F) /* harakat and other combining marks */
			return NORM_DROP;
		if (cp >= 0x0660 && cp <= 0x0669)
			return '0' + (cp - 0x0660);
		if (cp >= 0x06F0 && cp <= 0x06F9)
			return '0' + (cp - 0x06F0);
		return cp;
	}
	if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200D) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202F || cp == 0x205F || cp == 0x3000)
		return NORM_SPACE;
	if (cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || cp == 0x2060 ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF)
		return NORM_DROP;
	if (cp >= 0xFF01 && cp <= 0xFF5E)
		return normalize_map(cp - 0xFEE0);
	return cp;
}

/* Sentence punctuation at the end ("stop.", "help!", "لغو؟") would keep a keyword from
 * matching; it is dropped, with the space before it, unless it is all there is ("?"). */
static void
strip_trailing_punctuation(struct buf *out, size_t start)
{
	static const char *const marks[] = {".",
	                                    "!",
	                                    "?",
	                                    ",",
	                                    ";",
	                                    ":",
	                                    "\xd8\x9f" /* ؟ */,
	                                    "\xd8\x8c" /* ، */,
	                                    "\xd8\x9b" /* ؛ */,
	                                    "\xdb\x94" /* ۔ */};
	for (;;) {
		size_t len = out->len - start;
		size_t cut = 0;
		for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]) && cut == 0; i++) {
			size_t ml = strlen(marks[i]);
			if (len > ml && memcmp(out->data + out->len - ml, marks[i], ml) == 0)
				cut = ml;
		}
		if (cut == 0)
			break;
		out->len -= cut;
		while (out->len > start && out->data[out->len - 1] == ' ')
			out->len--;
		out->data[out->len] = '\0';
	}
}

int
text_normalize(const char *in, size_t len, struct buf *out, const char **error_r)
{
	if (!utf8_valid(in, len)) {
		*error_r = "text is not valid UTF-8";
		return -1;
	}
	size_t pos = 0, start = out->len;
	uint32_t cp;
	int pending_space = 0, started = 0;
	/* A space is written only when something follows it, so runs collapse and both
	 * ends are trimmed, even across dropped characters (space, tatweel, space is one space). */
	while (utf8_decode(in, len, &pos, &cp) == 0) {
		uint32_t m = normalize_map(cp);
		if (m == NORM_DROP)
			continue;
		if (m == NORM_SPACE) {
			pending_space = started;
			continue;
		}
		if (pending_space)
			buf_putc(out, ' ');
		pending_space = 0;
		started = 1;
		utf8_put(out, m);
	}
	strip_trailing_punctuation(out, start);
	return 0;
}

size_t
text_codepoints(const char *utf8)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)utf8; *p != '\0'; p++)
		n += (*p & 0xC0) != 0x80;
	return n;
}
