/*
 * test_utf8 — src/text/utf8.c: strict validation (overlongs, surrogates, NUL, range),
 * decoding positions, encoding, and inbound charset conversion as Kannel delivers
 * bodies (UCS-2 Persian as UTF-16BE, cp1252, Latin-1).
 */
#include "text/utf8.h"

#include "check.h"

#include <stdint.h>
#include <string.h>

/* A byte string literal and its length, embedded NULs included. */
#define BYTES(s) s, sizeof(s) - 1

static const struct {
	const char *in;
	size_t len;
	int valid;
} valid_cases[] = {
    {BYTES(""), 1},
    {BYTES("spin"), 1},
    {BYTES("گردونه"), 1},
    {BYTES("spin 🎡"), 1},
    {BYTES("\xc2\x80"), 1},         /* U+0080, smallest 2-byte */
    {BYTES("\xed\x9f\xbf"), 1},     /* U+D7FF, just below the surrogates */
    {BYTES("\xee\x80\x80"), 1},     /* U+E000, just above */
    {BYTES("\xef\xbb\xbf"), 1},     /* BOM is a character like any other */
    {BYTES("\xf4\x8f\xbf\xbf"), 1}, /* U+10FFFF */
    {BYTES("\x80"), 0},             /* lone continuation byte */
    {BYTES("a\xbf"), 0},            /* continuation after ASCII */
    {BYTES("\xc0\xaf"), 0},         /* overlong '/' */
    {BYTES("\xc1\xbf"), 0},         /* overlong DEL */
    {BYTES("\xe0\x80\xaf"), 0},     /* 3-byte overlong */
    {BYTES("\xf0\x80\x80\xaf"), 0}, /* 4-byte overlong */
    {BYTES("\xed\xa0\x80"), 0},     /* high surrogate U+D800 */
    {BYTES("\xed\xbf\xbf"), 0},     /* low surrogate U+DFFF */
    {BYTES("\xf4\x90\x80\x80"), 0}, /* U+110000 */
    {BYTES("\xf5\x80\x80\x80"), 0},
    {BYTES("\xe2\x82"), 0},          /* truncated euro sign */
    {BYTES("spin \xf0\x9f\x8e"), 0}, /* truncated emoji at the end */
    {BYTES("\xff"), 0},
    {BYTES("\xfe"), 0},
    {BYTES("a\0b"), 0},         /* embedded NUL */
    {BYTES("\xd8\xb3\xd9"), 0}, /* Persian text cut mid-character */
};

static void
test_utf8_valid_table(void)
{
	for (size_t i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
		int got = utf8_valid(valid_cases[i].in, valid_cases[i].len);
		if (got != valid_cases[i].valid)
			fprintf(stderr, "  case %zu\n", i);
		CHECK(got == valid_cases[i].valid);
	}
}

static void
test_utf8_decode_walk(void)
{
	const char s[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\xa1";
	const uint32_t want_cp[] = {0x61, 0xE9, 0x20AC, 0x1F3A1};
	const size_t want_pos[] = {1, 3, 6, 10};
	size_t pos = 0;
	uint32_t cp = 0;
	for (size_t i = 0; i < 4; i++) {
		CHECK(utf8_decode(s, sizeof(s) - 1, &pos, &cp) == 0);
		CHECK(cp == want_cp[i]);
		CHECK(pos == want_pos[i]);
	}
	CHECK(utf8_decode(s, sizeof(s) - 1, &pos, &cp) == -1); /* end of input */
	CHECK(pos == 10);
}

static void
test_utf8_decode_error_keeps_pos(void)
{
	const char s[] = "ok\xc0\xaf";
	size_t pos = 2;
	uint32_t cp = 7;
	CHECK(utf8_decode(s, sizeof(s) - 1, &pos, &cp) == -1);
	CHECK(pos == 2);
	CHECK(cp == 7);
	/* a sequence cut by len, though the bytes go on */
	pos = 0;
	CHECK(utf8_decode("\xe2\x82\xac", 2, &pos, &cp) == -1);
	CHECK(pos == 0);
}

static const struct {
	uint32_t cp;
	const char *out;
} put_cases[] = {
    {0x24, "$"},
    {0xA2, "\xc2\xa2"},
    {0x6CC, "ی"},
    {0x20AC, "€"},
    {0xFFFF, "\xef\xbf\xbf"},
    {0x10348, "\xf0\x90\x8d\x88"},
    {0x1F3A1, "🎡"},
    {0xD800, "\xef\xbf\xbd"},   /* surrogate → U+FFFD */
    {0x110000, "\xef\xbf\xbd"}, /* out of range → U+FFFD */
};

static void
test_utf8_put_table(void)
{
	for (size_t i = 0; i < sizeof(put_cases) / sizeof(put_cases[0]); i++) {
		struct buf out = BUF_INIT;
		utf8_put(&out, put_cases[i].cp);
		CHECK_STR(buf_cstr(&out), put_cases[i].out);
		buf_free(&out);
	}
}

/* rc 0: want is the UTF-8 text; rc -1: want is the error message. */
static const struct {
	const char *in;
	size_t len;
	const char *charset;
	int rc;
	const char *want;
} charset_cases[] = {
    /* Kannel: Persian MO as UCS-2, %C = UTF-16BE */
    {BYTES("\x06\x33\x06\x44\x06\x27\x06\x45"), "UTF-16BE", 0, "سلام"},
    {BYTES("\x06\x33\x06\x44\x06\x27\x06\x45"), "utf-16be", 0, "سلام"},
    {BYTES("\x06\x33\x06\x44\x06\x27\x06\x45"), "UCS-2", 0, "سلام"},
    {BYTES("\x06\x33\x06\x44\x06\x27\x06\x45"), "ucs2", 0, "سلام"},
    {BYTES("\x06\x33\x06\x44\x06\x27\x06\x45"), "UTF-16", 0, "سلام"},
    {BYTES("\xfe\xff\x06\x33\x06\x44\x06\x27\x06\x45"), "UTF-16BE", 0, "سلام"},
    {BYTES("\xff\xfe\x33\x06\x44\x06\x27\x06\x45\x06"), "UTF-16", 0, "سلام"},
    {BYTES("\x33\x06\x44\x06"), "UTF-16LE", 0, "سل"},
    /* «گردونه ۳» with a Persian digit */
    {BYTES("\x06\xaf\x06\x31\x06\x2f\x06\x48\x06\x46\x06\x47\x00\x20\x06\xf3"), "UTF-16BE", 0,
     "گردونه ۳"},
    {BYTES("\x00\x53\x00\x50\x00\x49\x00\x4e"), "UTF-16BE", 0, "SPIN"},
    {BYTES("\x00s\x00p\x00i\x00n\x00 \xd8\x3c\xdf\xa1"), "UTF-16BE", 0, "spin 🎡"},
    {BYTES(""), "UTF-16BE", 0, ""},
    {BYTES("\xfe\xff"), "UTF-16BE", 0, ""},
    {BYTES("\x06\x33\x06"), "UTF-16BE", -1, "UTF-16 text has an odd number of bytes"},
    {BYTES("\xd8\x3c"), "UTF-16BE", -1, "UTF-16 text has an unpaired high surrogate"},
    {BYTES("\xd8\x3c\x00\x61"), "UTF-16BE", -1, "UTF-16 text has an unpaired high surrogate"},
    {BYTES("\xdf\xa1\x00\x61"), "UTF-16BE", -1, "UTF-16 text has an unpaired low surrogate"},
    {BYTES("\x00\x61\x00\x00"), "UTF-16BE", -1, "text contains a NUL character"},
    /* single-byte charsets */
    {BYTES("\x80 10"), "WINDOWS-1252", 0, "€ 10"},
    {BYTES("\x93hi\x94"), "cp1252", 0, "“hi”"},
    {BYTES("\x81"), "CP1252", 0, "\xc2\x81"},
    {BYTES("caf\xe9"), "ISO-8859-1", 0, "café"},
    {BYTES("caf\xe9"), "latin1", 0, "café"},
    {BYTES("\x80"), "ISO-8859-1", 0, "\xc2\x80"},
    {BYTES("HELP"), "US-ASCII", 0, "HELP"},
    {BYTES("help"), "ascii", 0, "help"},
    {BYTES("caf\xe9"), "ASCII", -1, "ASCII text has a byte above 0x7F"},
    {BYTES("a\0b"), "LATIN1", -1, "text contains a NUL character"},
    /* UTF-8 and the default */
    {BYTES("راهنما"), "UTF-8", 0, "راهنما"},
    {BYTES("راهنما"), "utf8", 0, "راهنما"},
    {BYTES("راهنما"), NULL, 0, "راهنما"},
    {BYTES("راهنما"), "", 0, "راهنما"},
    {BYTES("\xc0\xaf"), "UTF-8", -1, "text is not valid UTF-8"},
    {BYTES("\xed\xa0\x80"), NULL, -1, "text is not valid UTF-8"},
    {BYTES("a\0b"), "UTF-8", -1, "text contains a NUL character"},
    /* unknown charsets are named, but never echoed raw */
    {BYTES("hi"), "KOI8-R", -1, "unknown charset \"KOI8-R\""},
    {BYTES("hi"), "binary", -1, "unknown charset \"binary\""},
    {BYTES("hi"), "x\ny\"", -1, "unknown charset \"x?y?\""},
    {BYTES("hi"), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", -1,
     "unknown charset \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\""},
};

static void
test_decode_charset_table(void)
{
	for (size_t i = 0; i < sizeof(charset_cases) / sizeof(charset_cases[0]); i++) {
		struct buf out = BUF_INIT;
		const char *error = NULL;
		int rc = text_decode_charset((const unsigned char *)charset_cases[i].in,
		                             charset_cases[i].len, charset_cases[i].charset, &out,
		                             &error);
		if (rc != charset_cases[i].rc)
			fprintf(stderr, "  case %zu: rc %d\n", i, rc);
		CHECK(rc == charset_cases[i].rc);
		if (charset_cases[i].rc == 0) {
			CHECK_STR(buf_cstr(&out), charset_cases[i].want);
		} else {
			CHECK_STR(error, charset_cases[i].want);
			CHECK(out.len == 0);
		}
		buf_free(&out);
	}
}

static void
test_decode_charset_appends_or_leaves_alone(void)
{
	struct buf out = BUF_INIT;
	const char *error = NULL;
	buf_puts(&out, "text=");
	CHECK(text_decode_charset((const unsigned char *)"\x06\x44\x06\x3a\x06\x48", 6, "UTF-16BE",
	                          &out, &error) == 0);
	CHECK_STR(buf_cstr(&out), "text=لغو");
	/* a failure half way through the input leaves what was there before */
	CHECK(text_decode_charset((const unsigned char *)"\x06\x44\xd8\x3c", 4, "UTF-16BE", &out,
	                          &error) == -1);
	CHECK_STR(buf_cstr(&out), "text=لغو");
	CHECK(out.len == strlen("text=لغو"));
	buf_free(&out);
}

int
main(void)
{
	RUN(test_utf8_valid_table);
	RUN(test_utf8_decode_walk);
	RUN(test_utf8_decode_error_keeps_pos);
	RUN(test_utf8_put_table);
	RUN(test_decode_charset_table);
	RUN(test_decode_charset_appends_or_leaves_alone);
	return check_summary();
}
