/*
 * Unit: the USSD `text` parser (src/route/ussd_text.c) — answers split on '*', back and
 * home recognised, empty answers kept, every malformed text refused, and the prefix of
 * the first n answers.
 */
#include "check.h"
#include "route/ussd_text.h"

#include <string.h>

static void
test_first_request_has_no_answers(void)
{
	struct ussd_text t;
	const char *why = NULL;
	CHECK(ussd_text_parse("", 0, &t, &why) == 0);
	CHECK(t.n == 0);
}

static void
test_answers_are_split_and_classified(void)
{
	struct ussd_text t;
	const char *why = NULL;
	const char *s = "1*0*00*98*AB7KQ2M*#*+1";
	CHECK(ussd_text_parse(s, strlen(s), &t, &why) == 0);
	CHECK(t.n == 7);
	CHECK_STR(t.parts[0].value, "1");
	CHECK(t.parts[0].kind == USSD_PART_ANSWER);
	CHECK(t.parts[1].kind == USSD_PART_BACK);
	CHECK(t.parts[2].kind == USSD_PART_HOME);
	CHECK(t.parts[3].kind == USSD_PART_ANSWER);
	CHECK_STR(t.parts[4].value, "AB7KQ2M");
	CHECK_STR(t.parts[5].value, "#");
	CHECK_STR(t.parts[6].value, "+1");
	/* "000" and "01" are answers, not back or home. */
	CHECK(ussd_text_parse("000*01", 6, &t, &why) == 0);
	CHECK(t.parts[0].kind == USSD_PART_ANSWER && t.parts[1].kind == USSD_PART_ANSWER);
}

static void
test_empty_answers_are_kept(void)
{
	struct ussd_text t;
	const char *why = NULL;
	CHECK(ussd_text_parse("1**2*", 5, &t, &why) == 0);
	CHECK(t.n == 4);
	CHECK_STR(t.parts[1].value, "");
	CHECK_STR(t.parts[3].value, "");
	CHECK(ussd_text_parse("*", 1, &t, &why) == 0);
	CHECK(t.n == 2);
}

static void
test_malformed_text_is_refused(void)
{
	struct ussd_text t;
	const char *why = NULL;
	const char *bad[] = {"1 2", "1*2;", "\xd9\xa1", "1\n", "a-b", "<script>", "1*%"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		CHECK(ussd_text_parse(bad[i], strlen(bad[i]), &t, &why) == -1);
		CHECK(why != NULL);
	}
	/* A NUL byte inside the given length. */
	CHECK(ussd_text_parse("1\0002", 3, &t, &why) == -1);
	char long_text[USSD_TEXT_MAX + 2];
	memset(long_text, '1', sizeof(long_text));
	CHECK(ussd_text_parse(long_text, USSD_TEXT_MAX + 1, &t, &why) == -1);
	CHECK(ussd_text_parse(long_text, USSD_TEXT_MAX, &t, &why) == -1); /* one answer > 32 */
	char many[USSD_TEXT_MAX];
	size_t n = 0;
	for (int i = 0; i <= USSD_MAX_PARTS; i++) {
		many[n++] = '1';
		if (i < USSD_MAX_PARTS)
			many[n++] = '*';
	}
	CHECK(ussd_text_parse(many, n, &t, &why) == -1); /* 65 answers */
	CHECK(ussd_text_parse(many, n - 2, &t, &why) == 0);
	CHECK(t.n == USSD_MAX_PARTS);
	char part[USSD_PART_MAX + 1];
	memset(part, '7', sizeof(part));
	CHECK(ussd_text_parse(part, USSD_PART_MAX, &t, &why) == 0);
	CHECK(ussd_text_parse(part, USSD_PART_MAX + 1, &t, &why) == -1);
}

static void
test_prefix_of_the_first_answers(void)
{
	const char *s = "1*22*333";
	CHECK(ussd_text_prefix_len(s, 8, 0) == 0);
	CHECK(ussd_text_prefix_len(s, 8, 1) == 1);
	CHECK(ussd_text_prefix_len(s, 8, 2) == 4);
	CHECK(ussd_text_prefix_len(s, 8, 3) == 8);
	CHECK(ussd_text_prefix_len(s, 8, 9) == 8);
}

int
main(void)
{
	RUN(test_first_request_has_no_answers);
	RUN(test_answers_are_split_and_classified);
	RUN(test_empty_answers_are_kept);
	RUN(test_malformed_text_is_refused);
	RUN(test_prefix_of_the_first_answers);
	return check_summary();
}
