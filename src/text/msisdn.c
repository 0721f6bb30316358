/*
 * msisdn — phone numbers to E.164. Pure functions; any thread.
 *
 * Two passes over the input's code points: the first keeps digits (any of the three
 * digit sets) and at most one leading '+', and skips separators; a Latin letter before
 * any digit hands the whole input to the sender-name check instead. The second decides
 * the form from the digits alone. The digit buffer is bounded: more than
 * MSISDN_MAX_DIGITS digits is simply "too many digits".
 */
#include "text/msisdn.h"

#include "text/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MSISDN_MAX_DIGITS 32
/* GSM 03.40 allows 11 characters in an alphanumeric originating address. */
#define MSISDN_ALPHA_MAX 11
#define E164_MIN_DIGITS  8
#define E164_MAX_DIGITS  15

/* Countries whose mobile numbers have one national length, and the first digit(s) of a
 * mobile number without its trunk 0. Used only for the home country (country_code). */
static const struct msisdn_country {
	int code;
	size_t nsn_len;
	const char *mobile_lead;
} msisdn_countries[] = {
    {1, 10, "23456789"}, /* NANP: the area code never starts with 0 or 1 */
    {44, 10, "7"},       /* United Kingdom */
    {90, 10, "5"},       /* Turkey */
    {92, 10, "3"},       /* Pakistan */
    {93, 9, "7"},        /* Afghanistan */
    {98, 10, "9"},       /* Iran: 0912 123 4567 */
    {964, 10, "7"},      /* Iraq */
    {966, 9, "5"},       /* Saudi Arabia */
    {971, 9, "5"},       /* United Arab Emirates */
};

static const struct msisdn_country *
country_find(int code)
{
	for (size_t i = 0; i < sizeof(msisdn_countries) / sizeof(msisdn_countries[0]); i++) {
		if (msisdn_countries[i].code == code)
			return &msisdn_countries[i];
	}
	return NULL;
}

/* Returns 0–9 for an ASCII, Persian or Arabic-Indic digit, else -1. */
static int
digit_value(uint32_t cp)
{
	if (cp >= '0' && cp <= '9')
		return (int)(cp - '0');
	if (cp >= 0x06F0 && cp <= 0x06F9)
		return (int)(cp - 0x06F0);
	if (cp >= 0x0660 && cp <= 0x0669)
		return (int)(cp - 0x0660);
	return -1;
}

/* Zero-width and bidi marks that phones and copy-paste put around numbers. */
static int
is_invisible(uint32_t cp)
{
	return cp == 0x200C || cp == 0x200D || cp == 0x200E || cp == 0x200F || cp == 0x061C ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

static int
is_separator(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '-' || cp == '.' || cp == '(' || cp == ')' ||
	       cp == 0xA0 || is_invisible(cp);
}

static int
is_ascii_letter(uint32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

/* Checks an alphanumeric sender id: Latin letters, digits, spaces and "-._&'", at most
 * MSISDN_ALPHA_MAX characters once trimmed (invisible marks do not count). */
static enum msisdn_kind
check_alpha(const char *in, size_t len, const char **error_r)
{
	size_t pos = 0, n = 0, spaces = 0;
	uint32_t cp;
	while (pos < len) {
		if (utf8_decode(in, len, &pos, &cp) < 0) {
			*error_r = "sender is not valid UTF-8";
			return MSISDN_INVALID;
		}
		if (is_invisible(cp))
			continue;
		if (cp == ' ' || cp == '\t' || cp == 0xA0) {
			spaces += n > 0; /* inner spaces count once something follows */
			continue;
		}
		if (cp > 0x7F || (!is_ascii_letter(cp) && !(cp >= '0' && cp <= '9') &&
		                  strchr("-._&'", (int)cp) == NULL)) {
			*error_r = "unexpected character in a sender name";
			return MSISDN_INVALID;
		}
		n += spaces + 1;
		spaces = 0;
	}
	if (n > MSISDN_ALPHA_MAX) {
		*error_r = "sender name longer than 11 characters";
		return MSISDN_INVALID;
	}
	return MSISDN_ALPHA;
}

/* Finishes digits that start with a country code: checks the length (exactly the home
 * country's length under its own code, else E.164's 8–15) and writes "+digits". */
static enum msisdn_kind
finish_international(const char *d, int country_code, const struct msisdn_country *home,
                     char out[MSISDN_SIZE], const char **error_r)
{
	char cc[8];
	size_t n = strlen(d), min = E164_MIN_DIGITS, max = E164_MAX_DIGITS;
	if (n == 0) {
		*error_r = "no digits after the international prefix";
		return MSISDN_INVALID;
	}
	if (d[0] == '0') {
		*error_r = "a country code cannot start with 0";
		return MSISDN_INVALID;
	}
	snprintf(cc, sizeof(cc), "%d", country_code);
	if (home != NULL && strncmp(d, cc, strlen(cc)) == 0)
		min = max = strlen(cc) + home->nsn_len;
	if (n < min) {
		*error_r = "number too short";
		return MSISDN_INVALID;
	}
	if (n > max) {
		*error_r = "number too long";
		return MSISDN_INVALID;
	}
	out[0] = '+';
	memcpy(out + 1, d, n + 1);
	return MSISDN_MOBILE;
}

/* The classification proper; msisdn_normalize() wraps it to keep out and *error_r
 * consistent on every path. */
static enum msisdn_kind
msisdn_parse(const char *in, int country_code, char out[MSISDN_SIZE], const char **error_r)
{
	char digits[MSISDN_MAX_DIGITS + 1];
	char joined[MSISDN_MAX_DIGITS + 16];
	size_t len = strlen(in), pos = 0, nd = 0;
	int plus = 0, too_many = 0;
	uint32_t cp;

	if (country_code < 1 || country_code > 999) {
		*error_r = "country code must be 1 to 999";
		return MSISDN_INVALID;
	}
	while (pos < len) {
		if (utf8_decode(in, len, &pos, &cp) < 0) {
			*error_r = "number is not valid UTF-8";
			return MSISDN_INVALID;
		}
		int d = digit_value(cp);
		if (d >= 0) {
			if (nd < MSISDN_MAX_DIGITS)
				digits[nd++] = (char)('0' + d);
			else
				too_many = 1;
		} else if (is_separator(cp)) {
			continue;
		} else if (cp == '+') {
			if (plus) {
				*error_r = "more than one '+'";
				return MSISDN_INVALID;
			}
			if (nd > 0) {
				*error_r = "'+' inside the number";
				return MSISDN_INVALID;
			}
			plus = 1;
		} else if (is_ascii_letter(cp)) {
			if (nd == 0 && !plus)
				return check_alpha(in, len, error_r);
			*error_r = "letters mixed into the number";
			return MSISDN_INVALID;
		} else {
			*error_r = "unexpected character in the number";
			return MSISDN_INVALID;
		}
	}
	digits[nd] = '\0';
	if (nd == 0) {
		*error_r = plus ? "no digits after '+'" : "empty number";
		return MSISDN_INVALID;
	}
	if (too_many) {
		*error_r = "number too long";
		return MSISDN_INVALID;
	}

	const struct msisdn_country *home = country_find(country_code);
	if (plus)
		return finish_international(digits, country_code, home, out, error_r);
	if (digits[0] == '0' && digits[1] == '0')
		return finish_international(digits + 2, country_code, home, out, error_r);
	if (digits[0] == '0') {
		/* National: the trunk 0 gives way to the country code. */
		if (home != NULL && nd - 1 != home->nsn_len) {
			*error_r = nd - 1 < home->nsn_len ? "national number too short"
			                                  : "national number too long";
			return MSISDN_INVALID;
		}
		snprintf(joined, sizeof(joined), "%d%s", country_code, digits + 1);
		return finish_international(joined, country_code, home, out, error_r);
	}
	if (nd >= 3 && nd <= 6) {
		memcpy(out, digits, nd + 1);
		return MSISDN_SHORT_CODE;
	}
	if (home != NULL && nd == home->nsn_len && strchr(home->mobile_lead, digits[0]) != NULL) {
		snprintf(joined, sizeof(joined), "%d%s", country_code, digits);
		return finish_international(joined, country_code, home, out, error_r);
	}
	char cc[8];
	snprintf(cc, sizeof(cc), "%d", country_code);
	size_t cclen = strlen(cc);
	if (strncmp(digits, cc, cclen) == 0 &&
	    (home != NULL ? nd == cclen + home->nsn_len : nd >= cclen + E164_MIN_DIGITS))
		return finish_international(digits, country_code, home, out, error_r);
	*error_r = nd < E164_MIN_DIGITS ? "number too short"
	                                : "number has no '+', 00, trunk 0 or country code";
	return MSISDN_INVALID;
}

enum msisdn_kind
msisdn_normalize(const char *in, int country_code, char out[MSISDN_SIZE], const char **error_r)
{
	const char *error = NULL;
	out[0] = '\0';
	enum msisdn_kind kind = msisdn_parse(in, country_code, out, &error);
	if (kind == MSISDN_INVALID || kind == MSISDN_ALPHA)
		out[0] = '\0';
	if (error_r != NULL)
		*error_r = kind == MSISDN_INVALID ? error : NULL;
	return kind;
}
