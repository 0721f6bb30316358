/*
 * test_buf — src/core/buf.c: growth past several KiB, NUL termination, JSON string
 * escaping, and buf_cstr on an empty buffer.
 */
#include "core/buf.h"

#include "check.h"

#include <stdio.h>
#include <string.h>

static void
test_cstr_empty(void)
{
	struct buf b = BUF_INIT;
	CHECK(b.data == NULL);
	CHECK_STR(buf_cstr(&b), "");
	buf_printf(&b, "%s", "");
	CHECK_STR(buf_cstr(&b), "");
	CHECK(b.len == 0);
	buf_append(&b, "", 0);
	CHECK_STR(buf_cstr(&b), "");
	CHECK(b.len == 0);
	buf_free(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	CHECK_STR(buf_cstr(&b), "");
}

static void
test_append_growth(void)
{
	struct buf b = BUF_INIT;
	char chunk[37];
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (char)('a' + i % 26);
	/* 37 * 300 = 11100 bytes, well past several doublings of the 64-byte start. */
	for (int i = 0; i < 300; i++)
		buf_append(&b, chunk, sizeof(chunk));
	CHECK(b.len == 37 * 300);
	CHECK(b.cap > b.len);
	CHECK(strlen(buf_cstr(&b)) == b.len);
	int same = 1;
	for (size_t i = 0; i < b.len; i++) {
		if (b.data[i] != chunk[i % sizeof(chunk)]) {
			same = 0;
			break;
		}
	}
	CHECK(same);
	buf_reset(&b);
	CHECK(b.len == 0);
	CHECK_STR(buf_cstr(&b), "");
	buf_puts(&b, "again");
	CHECK_STR(buf_cstr(&b), "again");
	buf_free(&b);
}

static void
test_puts_putc_growth(void)
{
	struct buf b = BUF_INIT;
	char expect[8192 + 1];
	size_t n = 0;
	for (int i = 0; i < 1024; i++) {
		buf_puts(&b, "0123456");
		buf_putc(&b, '\n');
		memcpy(expect + n, "0123456\n", 8);
		n += 8;
	}
	expect[n] = '\0';
	CHECK(b.len == 8192);
	CHECK_STR(buf_cstr(&b), expect);
	buf_free(&b);
}

static void
test_printf_growth(void)
{
	struct buf b = BUF_INIT;
	char line[64];
	size_t total = 0;
	buf_printf(&b, "start %d|", 42);
	total += strlen("start 42|");
	for (int i = 0; i < 2000; i++) {
		buf_printf(&b, "%05d,%s;", i, "x");
		total += 8;
	}
	CHECK(b.len == total);
	CHECK(strlen(buf_cstr(&b)) == total);
	CHECK(strncmp(buf_cstr(&b), "start 42|00000,x;00001,x;", 25) == 0);
	snprintf(line, sizeof(line), "%05d,x;", 1999);
	CHECK(strcmp(buf_cstr(&b) + total - 8, line) == 0);
	/* One long formatted piece bigger than the current capacity in one go. */
	char big[5000];
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_reset(&b);
	buf_printf(&b, "<%s>", big);
	CHECK(b.len == sizeof(big) - 1 + 2);
	CHECK(b.data[0] == '<' && b.data[b.len - 1] == '>' && b.data[b.len] == '\0');
	buf_free(&b);
}

static void
test_json_str(void)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
	    {"", "\"\""},
	    {"plain", "\"plain\""},
	    {"say \"hi\"", "\"say \\\"hi\\\"\""},
	    {"back\\slash", "\"back\\\\slash\""},
	    {"a\nb", "\"a\\nb\""},
	    {"a\rb", "\"a\\rb\""},
	    {"a\tb", "\"a\\tb\""},
	    {"\x01", "\"\\u0001\""},
	    {"x\x1fy", "\"x\\u001fy\""},
	    {"del\x7f", "\"del\\u007f\""},
	    {"/slash ok", "\"/slash ok\""},
	    /* Persian (UTF-8, bytes >= 0x80) passes through unchanged. */
	    {"سلام دنیا", "\"سلام دنیا\""},
	    {"جایزه: ۱۲۳", "\"جایزه: ۱۲۳\""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = BUF_INIT;
		buf_json_str(&b, cases[i].in);
		CHECK_STR(buf_cstr(&b), cases[i].out);
		buf_free(&b);
	}
}

static void
test_json_str_appends(void)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "{\"k\":");
	buf_json_str(&b, "v\"1");
	buf_putc(&b, '}');
	CHECK_STR(buf_cstr(&b), "{\"k\":\"v\\\"1\"}");
	buf_free(&b);
}

int
main(void)
{
	RUN(test_cstr_empty);
	RUN(test_append_growth);
	RUN(test_puts_putc_growth);
	RUN(test_printf_growth);
	RUN(test_json_str);
	RUN(test_json_str_appends);
	return check_summary();
}
