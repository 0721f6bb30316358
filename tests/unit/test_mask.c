/*
 * test_mask — src/text/mask.c: phone numbers are masked before text reaches a log line;
 * short codes and status codes stay readable.
 */
#include "text/mask.h"

#include "check.h"

static const struct {
	const char *in;
	const char *out;
} mask_cases[] = {
    /* international, national, bare international */
    {"+989121234567", "+98912***4567"},
    {"09121234567", "0912***4567"},
    {"989121234567", "98912***4567"},
    /* inside a URL query */
    {"from=989121234567&to=3000", "from=98912***4567&to=3000"},
    {"/sms?from=%2B989121234567&text=hi", "/sms?from=%2B98912***4567&text=hi"},
    /* short codes and status codes stay */
    {"3000", "3000"},
    {"404", "404"},
    {"123456", "123456"},
    {"status 404 to 3000", "status 404 to 3000"},
    /* 7 to 9 digits keep 2 + 2 */
    {"1234567", "12***67"},
    {"12345678", "12***78"},
    {"123456789", "12***89"},
    /* 10 digits switch to 5 + 4 */
    {"1234567890", "123***7890"},
    /* two numbers in one string */
    {"from 09121234567 to +989351112222", "from 0912***4567 to +98935***2222"},
    {"a=1234567,b=7654321", "a=12***67,b=76***21"},
    /* empty, no digits, digits at the very end */
    {"", ""},
    {"no digits here!", "no digits here!"},
    {"call me at 09121234567", "call me at 0912***4567"},
    {"code 12", "code 12"},
    /* non-ASCII text around a number passes through */
    {"شماره 09121234567 است", "شماره 0912***4567 است"},
};

static void
test_mask_table(void)
{
	for (size_t i = 0; i < sizeof(mask_cases) / sizeof(mask_cases[0]); i++) {
		struct buf out = BUF_INIT;
		mask_phones(mask_cases[i].in, &out);
		CHECK_STR(buf_cstr(&out), mask_cases[i].out);
		buf_free(&out);
	}
}

static void
test_mask_appends(void)
{
	struct buf out = BUF_INIT;
	buf_puts(&out, "log: ");
	mask_phones("to=09121234567", &out);
	CHECK_STR(buf_cstr(&out), "log: to=0912***4567");
	buf_free(&out);
}

int
main(void)
{
	RUN(test_mask_table);
	RUN(test_mask_appends);
	return check_summary();
}
