/*
 * test_msisdn — src/text/msisdn.c: every way an Iranian mobile number reaches us
 * (gateways, forms, Persian keyboards) gives the same E.164 key; short codes and
 * alphanumeric senders are told apart; bad input is refused with a reason.
 */
#include "text/msisdn.h"

#include "check.h"

#include <string.h>

#define IR "+989121234567"

static const struct {
	const char *in;
	int country_code;
	enum msisdn_kind kind;
	const char *out; /* for MSISDN_INVALID: the error */
} msisdn_cases[] = {
    /* one subscriber, every spelling */
    {"09121234567", 98, MSISDN_MOBILE, IR},
    {"9121234567", 98, MSISDN_MOBILE, IR},
    {"989121234567", 98, MSISDN_MOBILE, IR},
    {"00989121234567", 98, MSISDN_MOBILE, IR},
    {"+989121234567", 98, MSISDN_MOBILE, IR},
    {"+98 912-123-4567", 98, MSISDN_MOBILE, IR},
    {"+98 (912) 123 4567", 98, MSISDN_MOBILE, IR},
    {"۰۹۱۲۱۲۳۴۵۶۷", 98, MSISDN_MOBILE, IR},
    {"٠٩١٢١٢٣٤٥٦٧", 98, MSISDN_MOBILE, IR},
    {" 0912 123 4567 ", 98, MSISDN_MOBILE, IR},
    {"0912.123.4567", 98, MSISDN_MOBILE, IR},
    {"۰۹۱۲ ۱۲۳ ٤٥٦٧", 98, MSISDN_MOBILE, IR},
    {"\u200f+98\u00a0912\u200c123\u00a04567\u200f", 98, MSISDN_MOBILE, IR},
    {"\u2066+989121234567\u2069", 98, MSISDN_MOBILE, IR},
    {"(+98) 912 1234567", 98, MSISDN_MOBILE, IR},
    {"\t+989121234567\t", 98, MSISDN_MOBILE, IR},
    /* other Iranian operators */
    {"09351112222", 98, MSISDN_MOBILE, "+989351112222"},
    {"09901234567", 98, MSISDN_MOBILE, "+989901234567"},
    {"9011234567", 98, MSISDN_MOBILE, "+989011234567"},
    /* a Tehran landline, national form */
    {"021 1234 5678", 98, MSISDN_MOBILE, "+982112345678"},
    /* foreign numbers: international forms are taken as given */
    {"+447700900123", 98, MSISDN_MOBILE, "+447700900123"},
    {"00447700900123", 98, MSISDN_MOBILE, "+447700900123"},
    {"+1 (202) 555-0143", 98, MSISDN_MOBILE, "+12025550143"},
    {"+90 532 123 45 67", 98, MSISDN_MOBILE, "+905321234567"},
    {"+49 1512 3456789", 98, MSISDN_MOBILE, "+4915123456789"},
    /* other home countries */
    {"07700 900123", 44, MSISDN_MOBILE, "+447700900123"},
    {"7700900123", 44, MSISDN_MOBILE, "+447700900123"},
    {"050 123 4567", 971, MSISDN_MOBILE, "+971501234567"},
    {"971501234567", 971, MSISDN_MOBILE, "+971501234567"},
    {"01512 3456789", 49, MSISDN_MOBILE, "+4915123456789"},
    {"4915123456789", 49, MSISDN_MOBILE, "+4915123456789"},
    /* short codes */
    {"3000", 98, MSISDN_SHORT_CODE, "3000"},
    {"۳۰۰۰", 98, MSISDN_SHORT_CODE, "3000"},
    {"123", 98, MSISDN_SHORT_CODE, "123"},
    {"300024", 98, MSISDN_SHORT_CODE, "300024"},
    {"3 000", 98, MSISDN_SHORT_CODE, "3000"},
    /* alphanumeric senders */
    {"MCI", 98, MSISDN_ALPHA, ""},
    {"Irancell", 98, MSISDN_ALPHA, ""},
    {"RighTel", 98, MSISDN_ALPHA, ""},
    {"Bank 24", 98, MSISDN_ALPHA, ""},
    {" MCI ", 98, MSISDN_ALPHA, ""},
    {"Hamrah-Aval", 98, MSISDN_ALPHA, ""},
    {"InfoService1", 98, MSISDN_INVALID, "sender name longer than 11 characters"},
    {"MCI!", 98, MSISDN_INVALID, "unexpected character in a sender name"},
    {"Mci همراه", 98, MSISDN_INVALID, "unexpected character in a sender name"},
    /* empty and prefixes alone */
    {"", 98, MSISDN_INVALID, "empty number"},
    {"   ", 98, MSISDN_INVALID, "empty number"},
    {"+", 98, MSISDN_INVALID, "no digits after '+'"},
    {"00", 98, MSISDN_INVALID, "no digits after the international prefix"},
    {"0", 98, MSISDN_INVALID, "national number too short"},
    /* wrong lengths */
    {"+98 912", 98, MSISDN_INVALID, "number too short"},
    {"+98912123456", 98, MSISDN_INVALID, "number too short"},
    {"+9891212345678", 98, MSISDN_INVALID, "number too long"},
    {"0912123456", 98, MSISDN_INVALID, "national number too short"},
    {"091212345678", 98, MSISDN_INVALID, "national number too long"},
    {"12", 98, MSISDN_INVALID, "number too short"},
    {"1234567", 98, MSISDN_INVALID, "number too short"},
    {"+1234567", 98, MSISDN_INVALID, "number too short"},
    {"+1234567890123456", 98, MSISDN_INVALID, "number too long"},
    {"123456789012345678901234567890123456", 98, MSISDN_INVALID, "number too long"},
    {"98912123456", 98, MSISDN_INVALID, "number has no '+', 00, trunk 0 or country code"},
    {"447700900123", 98, MSISDN_INVALID, "number has no '+', 00, trunk 0 or country code"},
    /* malformed */
    {"++989121234567", 98, MSISDN_INVALID, "more than one '+'"},
    {"98+9121234567", 98, MSISDN_INVALID, "'+' inside the number"},
    {"+0989121234567", 98, MSISDN_INVALID, "a country code cannot start with 0"},
    {"000989121234567", 98, MSISDN_INVALID, "a country code cannot start with 0"},
    {"0912abc4567", 98, MSISDN_INVALID, "letters mixed into the number"},
    {"+98MCI", 98, MSISDN_INVALID, "letters mixed into the number"},
    {"0912/123/4567", 98, MSISDN_INVALID, "unexpected character in the number"},
    {"0912*1234567", 98, MSISDN_INVALID, "unexpected character in the number"},
    {"شماره", 98, MSISDN_INVALID, "unexpected character in the number"},
    {"0912\xff", 98, MSISDN_INVALID, "number is not valid UTF-8"},
    {"MCI\xc0\xaf", 98, MSISDN_INVALID, "sender is not valid UTF-8"},
    {"09121234567", 0, MSISDN_INVALID, "country code must be 1 to 999"},
    {"09121234567", 1000, MSISDN_INVALID, "country code must be 1 to 999"},
};

static void
test_msisdn_table(void)
{
	for (size_t i = 0; i < sizeof(msisdn_cases) / sizeof(msisdn_cases[0]); i++) {
		char out[MSISDN_SIZE];
		const char *error = "unset";
		memset(out, 'x', sizeof(out));
		enum msisdn_kind kind =
		    msisdn_normalize(msisdn_cases[i].in, msisdn_cases[i].country_code, out, &error);
		if (kind != msisdn_cases[i].kind)
			fprintf(stderr, "  case %zu (%s): kind %d, error %s\n", i,
			        msisdn_cases[i].in, (int)kind, error ? error : "(none)");
		CHECK(kind == msisdn_cases[i].kind);
		if (msisdn_cases[i].kind == MSISDN_INVALID) {
			CHECK_STR(error, msisdn_cases[i].out);
			CHECK_STR(out, "");
		} else {
			CHECK(error == NULL);
			CHECK_STR(out, msisdn_cases[i].out);
		}
	}
}

/* A normalized number normalizes to itself, so it can be fed back in safely. */
static void
test_msisdn_fixed_point(void)
{
	char out[MSISDN_SIZE], again[MSISDN_SIZE];
	CHECK(msisdn_normalize("0912 123 4567", 98, out, NULL) == MSISDN_MOBILE);
	CHECK(msisdn_normalize(out, 98, again, NULL) == MSISDN_MOBILE);
	CHECK_STR(again, out);
	CHECK(msisdn_normalize("+123456789012345", 98, out, NULL) == MSISDN_MOBILE);
	CHECK_STR(out, "+123456789012345");
	CHECK(strlen(out) == MSISDN_SIZE - 1);
}

int
main(void)
{
	RUN(test_msisdn_table);
	RUN(test_msisdn_fixed_point);
	return check_summary();
}
