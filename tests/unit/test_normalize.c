/*
 * test_normalize — src/text/normalize.c: commands as subscribers really type them
 * (Arabic-keyboard letters, ZWNJ, tatweel, diacritics, RTL marks, Persian and Arabic-
 * Indic digits, odd case and spacing, fullwidth Latin) come out in the one form the
 * grammar matches; invalid UTF-8 is refused without output.
 */
#include "text/normalize.h"

#include "check.h"

#include <string.h>

static const struct {
	const char *in;
	const char *out;
} norm_cases[] = {
    /* Persian commands typed cleanly stay as they are */
    {"گردونه", "گردونه"},
    /* sentence punctuation at the end goes, so keywords still match */
    {"STOP.", "stop"},
    {"help!", "help"},
    {"stop please .", "stop please"},
    {"لغو.", "لغو"},
    {"راهنما؟", "راهنما"},
    {"امتیاز ،", "امتیاز"},
    {"lang fa!!", "lang fa"},
    {"?", "?"},
    {"??", "?"},
    {"spin 🎡!", "spin 🎡"},
    {"3.5", "3.5"},
    {"راهنما", "راهنما"},
    {"لغو", "لغو"},
    {"عضویت", "عضویت"},
    /* Arabic keyboards: yeh U+064A, kaf U+0643, alef maksura U+0649 */
    {"عضويت", "عضویت"},
    {"كد", "کد"},
    {"كد ۱۲۳۴", "کد 1234"},
    {"موسى", "موسی"},
    {"يك", "یک"},
    /* ZWNJ is a space */
    {"ثبت\u200cنام", "ثبت نام"},
    {"می\u200cخواهم", "می خواهم"},
    /* tatweel stretches letters and is dropped */
    {"امتيـــاز", "امتیاز"},
    {"لـــغو", "لغو"},
    /* diacritics (fatha, damma, kasra, shadda, sukun, tanwin, superscript alef) */
    {"جَواب ۳", "جواب 3"},
    {"مُحَمَّد", "محمد"},
    {"قطعاً", "قطعا"},
    {"رحمٰن", "رحمن"},
    /* alef with hamza folds to alef, alef madda stays */
    {"أمتياز", "امتیاز"},
    {"إيران", "ایران"},
    {"آزاد", "آزاد"},
    /* teh marbuta and heh with yeh above */
    {"جايزة", "جایزه"},
    {"خانۀ", "خانه"},
    /* RTL/LTR marks and embeddings around words */
    {"\u200fگردونه\u200f", "گردونه"},
    {"\u202bراهنما\u202c", "راهنما"},
    {"\u2067لغو\u2069", "لغو"},
    {"\u200espin\u200e", "spin"},
    {"\u061cکد\u061c ۵", "کد 5"},
    {"\ufeffhelp", "help"},
    /* digits: Persian, Arabic-Indic and ASCII mixed in one word */
    {"code ۱۲3٤", "code 1234"},
    {"۰۱۲۳۴۵۶۷۸۹", "0123456789"},
    {"٠١٢٣٤٥٦٧٨٩", "0123456789"},
    {"جواب ٤٥٦", "جواب 456"},
    /* English in any case with odd spaces */
    {"  HeLp\t", "help"},
    {"SPIN\r\n", "spin"},
    {"Spin", "spin"},
    {"JOIN   NOW", "join now"},
    {"\tcode\n\nABC123\v", "code abc123"},
    {"stop\f", "stop"},
    {"REF  X7K9", "ref x7k9"},
    /* fullwidth Latin from CJK keyboards */
    {"ＳＰＩＮ", "spin"},
    {"ｃｏｄｅ　１２", "code 12"},
    {"ＨＥＬＰ！", "help"},
    {"ＨＥＬＰ！x", "help!x"},
    /* every kind of space: NBSP, thin, zero-width, ideographic, narrow NBSP */
    {"spin\u00a0now", "spin now"},
    {"a\u2009b\u200bc", "a b c"},
    {"a\u3000\u202f\u205fb", "a b"},
    {"\u200c\u200dلغو\u200d", "لغو"},
    /* Latin-1 and Latin Extended-A case folding */
    {"ÉTÉ", "été"},
    {"ÀÖØÞ", "àöøþ"},
    {"×÷ß", "×÷ß"},
    {"ŁÓDŹ", "łódź"},
    {"İSTANBUL ŞİŞLİ", "istanbul şişli"},
    {"ŸES", "ÿes"},
    /* soft hyphen, controls and C1 controls go */
    {"re\u00addeem", "redeem"},
    {"he\x01l\x7fp", "help"},
    {"a\xc2\x85"
     "b",
     "a b"}, /* NEL */
    {"x\xc2\x91"
     "y",
     "xy"},
    /* a dropped character between spaces does not leave two */
    {"a \u0640 b", "a b"},
    {"a \u200f b", "a b"},
    /* everything else passes through */
    {"spin 🎡", "spin 🎡"},
    {"🎉🎉", "🎉🎉"},
    {"中文", "中文"},
    {"Привет", "Привет"},
    {"€5 @home", "€5 @home"},
    /* empty and whitespace only */
    {"", ""},
    {"   ", ""},
    {"\t\r\n\u200c\u00a0\u200f", ""},
};

static void
test_normalize_table(void)
{
	for (size_t i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		struct buf out = BUF_INIT;
		const char *error = NULL;
		CHECK(text_normalize(norm_cases[i].in, strlen(norm_cases[i].in), &out, &error) ==
		      0);
		CHECK_STR(buf_cstr(&out), norm_cases[i].out);
		/* the result is already normal */
		struct buf again = BUF_INIT;
		CHECK(text_normalize(out.data, out.len, &again, &error) == 0);
		CHECK_STR(buf_cstr(&again), buf_cstr(&out));
		buf_free(&again);
		buf_free(&out);
	}
}

#define BYTES(s) s, sizeof(s) - 1

static const struct {
	const char *in;
	size_t len;
} invalid_cases[] = {
    {BYTES("spin\x80")},         /* lone continuation byte */
    {BYTES("\xc0\xaf")},         /* overlong '/' */
    {BYTES("a\xed\xa0\x80")},    /* surrogate */
    {BYTES("کد \xd8")},          /* truncated sequence */
    {BYTES("\xff help")},        /* 0xff */
    {BYTES("help\0stop")},       /* embedded NUL */
    {BYTES("\xf4\x90\x80\x80")}, /* above U+10FFFF */
    {BYTES("\xe2\x82 euro")},    /* cut euro sign */
};

static void
test_normalize_invalid(void)
{
	for (size_t i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]); i++) {
		struct buf out = BUF_INIT;
		const char *error = NULL;
		buf_puts(&out, "keep");
		CHECK(text_normalize(invalid_cases[i].in, invalid_cases[i].len, &out, &error) ==
		      -1);
		CHECK_STR(error, "text is not valid UTF-8");
		CHECK_STR(buf_cstr(&out), "keep");
		buf_free(&out);
	}
}

static void
test_normalize_appends(void)
{
	struct buf out = BUF_INIT;
	const char *error = NULL;
	buf_puts(&out, "cmd=");
	CHECK(text_normalize(" SPIN ", 6, &out, &error) == 0);
	CHECK_STR(buf_cstr(&out), "cmd=spin");
	buf_free(&out);
}

/* A 2 KB message of repeated Arabic-keyboard words comes out folded and no longer. */
static void
test_normalize_long_text(void)
{
	struct buf in = BUF_INIT, want = BUF_INIT, out = BUF_INIT;
	const char *error = NULL;
	while (in.len < 2048) {
		buf_puts(&in, "  امتيـاز  ۱۲ ");
		buf_puts(&want, want.len ? " امتیاز 12" : "امتیاز 12");
	}
	CHECK(text_normalize(in.data, in.len, &out, &error) == 0);
	CHECK_STR(buf_cstr(&out), buf_cstr(&want));
	CHECK(out.len < in.len);
	buf_free(&in);
	buf_free(&want);
	buf_free(&out);
}

static const struct {
	const char *in;
	size_t n;
} codepoint_cases[] = {
    {"", 0}, {"spin", 4}, {"گردونه", 6}, {"ثبت\u200cنام", 7}, {"spin 🎡", 6}, {"€5", 2},
};

static void
test_codepoints(void)
{
	for (size_t i = 0; i < sizeof(codepoint_cases) / sizeof(codepoint_cases[0]); i++)
		CHECK(text_codepoints(codepoint_cases[i].in) == codepoint_cases[i].n);
}

int
main(void)
{
	RUN(test_normalize_table);
	RUN(test_normalize_invalid);
	RUN(test_normalize_appends);
	RUN(test_normalize_long_text);
	RUN(test_codepoints);
	return check_summary();
}
