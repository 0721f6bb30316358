/*
 * libFuzzer target: the inbound text path on any bytes. The first byte picks the charset
 * the rest is decoded from (as Kannel's %C would); then text_normalize, msisdn_normalize
 * and sms_measure run on what comes out. Properties checked with abort():
 *   - decoded text is valid UTF-8; a failed decode appends nothing;
 *   - normalize output is valid UTF-8 with no NUL, no longer than its input, and a fixed
 *     point (normalizing it again gives the same bytes); a refused input appends nothing;
 *   - msisdn_normalize fills out exactly as its kind says and is a fixed point on
 *     MSISDN_MOBILE;
 *   - sms_measure counts at least one unit per code point and at least one part.
 */
#include "core/buf.h"
#include "text/msisdn.h"
#include "text/normalize.h"
#include "text/sms.h"
#include "text/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_charsets[] = {
    NULL,         "UTF-8",  "UTF-16BE",     "UCS-2", "UTF-16", "UTF-16LE",
    "ISO-8859-1", "latin1", "WINDOWS-1252", "ASCII", "KOI8-R",
};

static void
check_normalize(const char *in, size_t len)
{
	struct buf out = BUF_INIT, again = BUF_INIT;
	const char *error = NULL;
	if (text_normalize(in, len, &out, &error) < 0) {
		if (out.len != 0 || error == NULL || utf8_valid(in, len))
			abort();
		goto out;
	}
	if (!utf8_valid(out.data, out.len) || out.len > len ||
	    (out.len > 0 && strlen(out.data) != out.len))
		abort();
	if (text_normalize(out.data, out.len, &again, &error) < 0 || again.len != out.len ||
	    (out.len > 0 && memcmp(again.data, out.data, out.len) != 0))
		abort();
	if (out.len > 0 &&
	    (out.data[0] == ' ' || out.data[out.len - 1] == ' ' || strstr(out.data, "  ") != NULL))
		abort();
out:
	buf_free(&out);
	buf_free(&again);
}

static void
check_msisdn(const char *in)
{
	char out[MSISDN_SIZE], again[MSISDN_SIZE];
	const char *error = NULL;
	size_t n;
	switch (msisdn_normalize(in, 98, out, &error)) {
	case MSISDN_MOBILE:
		n = strlen(out);
		if (error != NULL || out[0] != '+' || out[1] < '1' || out[1] > '9' || n < 9 ||
		    n > 16 || strspn(out + 1, "0123456789") != n - 1)
			abort();
		if (msisdn_normalize(out, 98, again, NULL) != MSISDN_MOBILE ||
		    strcmp(out, again) != 0)
			abort();
		break;
	case MSISDN_SHORT_CODE:
		n = strlen(out);
		if (error != NULL || n < 3 || n > 6 || strspn(out, "0123456789") != n)
			abort();
		break;
	case MSISDN_ALPHA:
		if (error != NULL || out[0] != '\0')
			abort();
		break;
	case MSISDN_INVALID:
		if (error == NULL || out[0] != '\0')
			abort();
		break;
	}
}

static void
check_sms(const char *text)
{
	struct sms_info info;
	sms_measure(text, &info);
	if (info.segments < 1 || info.units < text_codepoints(text) ||
	    (info.encoding != SMS_GSM7 && info.encoding != SMS_UCS2))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *charset =
	    fuzz_charsets[data[0] % (sizeof(fuzz_charsets) / sizeof(fuzz_charsets[0]))];
	const uint8_t *body = data + 1;
	size_t len = size - 1;

	struct buf text = BUF_INIT;
	const char *error = NULL;
	if (text_decode_charset(body, len, charset, &text, &error) == 0) {
		if (!utf8_valid(text.data, text.len))
			abort();
		check_normalize(buf_cstr(&text), text.len);
		check_sms(buf_cstr(&text));
	} else if (text.len != 0 || error == NULL) {
		abort();
	}

	/* The raw bytes too: invalid UTF-8 and embedded NULs must be refused cleanly. */
	check_normalize((const char *)body, len);

	char *copy = malloc(len + 1);
	if (copy == NULL)
		abort();
	memcpy(copy, body, len);
	copy[len] = '\0';
	check_msisdn(copy);
	if (utf8_valid(copy, strlen(copy)))
		check_sms(copy);
	free(copy);
	buf_free(&text);
	return 0;
}
