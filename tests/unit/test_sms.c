/*
 * test_sms — src/text/sms.c: GSM-7 vs UCS-2 choice, unit counts (extension characters
 * 2, characters above U+FFFF 2) and part counts at the 160/153 and 70/67 boundaries,
 * including parts that must not split an escaped character or a surrogate pair.
 */
#include "text/sms.h"

#include "core/buf.h"

#include "check.h"

#include <string.h>

/* The text as pieces: up to three (string, repeat count) pairs in a row. */
struct piece {
	const char *s;
	unsigned times;
};

static const struct {
	const char *name;
	struct piece p[3];
	enum sms_encoding encoding;
	unsigned units;
	unsigned segments;
} sms_cases[] = {
    {"empty", {{"", 1}}, SMS_GSM7, 0, 1},
    {"spin", {{"spin", 1}}, SMS_GSM7, 4, 1},
    {"HELP reply", {{"Welcome! Send SPIN to 3000 to play.", 1}}, SMS_GSM7, 35, 1},
    {"160 a", {{"a", 160}}, SMS_GSM7, 160, 1},
    {"161 a", {{"a", 161}}, SMS_GSM7, 161, 2},
    {"153*2 a", {{"a", 306}}, SMS_GSM7, 306, 2},
    {"307 a", {{"a", 307}}, SMS_GSM7, 307, 3},
    {"1000 a", {{"a", 1000}}, SMS_GSM7, 1000, 7},
    {"euro", {{"€", 1}}, SMS_GSM7, 2, 1},
    {"price", {{"Prize: 10€ [gold]", 1}}, SMS_GSM7, 20, 1},
    {"extension table", {{"\f^{}\\[~]|€", 1}}, SMS_GSM7, 20, 1},
    {"basic table",
     {{"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
       "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
       1}},
     SMS_GSM7,
     127,
     1},
    {"euro + 158 a fits one", {{"€", 1}, {"a", 158}}, SMS_GSM7, 160, 1},
    {"euro + 159 a", {{"€", 1}, {"a", 159}}, SMS_GSM7, 161, 2},
    /* 152 a, then € would straddle parts 1 and 2: it moves to part 2 */
    {"escape not split", {{"a", 152}, {"€", 1}, {"a", 152}}, SMS_GSM7, 306, 3},
    {"escape exactly fits", {{"a", 151}, {"€", 1}, {"a", 153}}, SMS_GSM7, 306, 2},
    /* one non-GSM character makes the whole text UCS-2 */
    {"backtick", {{"`", 1}}, SMS_UCS2, 1, 1},
    {"small c cedilla", {{"ça va", 1}}, SMS_UCS2, 5, 1},
    {"tab", {{"spin\t", 1}}, SMS_UCS2, 5, 1},
    {"euro in UCS-2", {{"€ سلام", 1}}, SMS_UCS2, 6, 1},
    {"160 a + 1 Persian", {{"a", 160}, {"س", 1}}, SMS_UCS2, 161, 3},
    {"Persian", {{"سلام", 1}}, SMS_UCS2, 4, 1},
    {"Persian reply", {{"برای گردونه عدد ۱ را بفرستید", 1}}, SMS_UCS2, 28, 1},
    {"mixed", {{"Hello سلام", 1}}, SMS_UCS2, 10, 1},
    {"70 Persian", {{"س", 70}}, SMS_UCS2, 70, 1},
    {"71 Persian", {{"س", 71}}, SMS_UCS2, 71, 2},
    {"67*2 Persian", {{"س", 134}}, SMS_UCS2, 134, 2},
    {"135 Persian", {{"س", 135}}, SMS_UCS2, 135, 3},
    {"emoji", {{"🎡", 1}}, SMS_UCS2, 2, 1},
    {"spin emoji", {{"spin 🎡", 1}}, SMS_UCS2, 7, 1},
    {"35 emoji", {{"🎉", 35}}, SMS_UCS2, 70, 1},
    {"36 emoji", {{"🎉", 36}}, SMS_UCS2, 72, 2},
    /* 66 units, then a pair that would straddle parts 1 and 2 */
    {"pair not split", {{"س", 66}, {"🎡", 1}, {"س", 66}}, SMS_UCS2, 134, 3},
    {"invalid byte", {{"\xff", 1}}, SMS_UCS2, 1, 1},
};

static void
test_sms_table(void)
{
	for (size_t i = 0; i < sizeof(sms_cases) / sizeof(sms_cases[0]); i++) {
		struct buf text = BUF_INIT;
		struct sms_info info;
		for (size_t k = 0; k < 3 && sms_cases[i].p[k].s != NULL; k++) {
			for (unsigned n = 0; n < sms_cases[i].p[k].times; n++)
				buf_puts(&text, sms_cases[i].p[k].s);
		}
		memset(&info, 0xff, sizeof(info));
		sms_measure(buf_cstr(&text), &info);
		if (info.encoding != sms_cases[i].encoding || info.units != sms_cases[i].units ||
		    info.segments != sms_cases[i].segments)
			fprintf(stderr, "  %s: %s, %u units, %u segments\n", sms_cases[i].name,
			        sms_encoding_name(info.encoding), info.units, info.segments);
		CHECK(info.encoding == sms_cases[i].encoding);
		CHECK(info.units == sms_cases[i].units);
		CHECK(info.segments == sms_cases[i].segments);
		buf_free(&text);
	}
}

static void
test_sms_encoding_name(void)
{
	CHECK_STR(sms_encoding_name(SMS_GSM7), "gsm7");
	CHECK_STR(sms_encoding_name(SMS_UCS2), "ucs2");
}

int
main(void)
{
	RUN(test_sms_table);
	RUN(test_sms_encoding_name);
	return check_summary();
}
