/*
 * msisdn — turns a phone number as gateways and people write it into E.164
 * ("+989121234567"), the one key a subscriber is known by.
 *
 * Accepts ASCII, Persian and Arabic-Indic digits, and ignores spaces, '-', '.', '(', ')',
 * NBSP, ZWNJ and bidi marks. For the home country a few countries' mobile numbers have
 * a known length (Iran: 10 digits after +98), which is checked for national forms and
 * for international forms carrying the home country code; foreign numbers only need
 * E.164's 8–15 digits. Pure functions; any thread.
 */
#ifndef GAMIGATE_TEXT_MSISDN_H
#define GAMIGATE_TEXT_MSISDN_H

/* "+" + at most 15 digits + NUL */
#define MSISDN_SIZE 17

enum msisdn_kind {
	MSISDN_MOBILE,     /* out = "+" and 8–15 digits */
	MSISDN_SHORT_CODE, /* out = 3–6 digits, e.g. "3000" */
	MSISDN_ALPHA,      /* alphanumeric sender id ("MCI", "Irancell"); out = "" */
	MSISDN_INVALID,    /* out = "", *error_r says why */
};

/*
 * Classifies and normalizes in (NUL-terminated) for a subscriber base in country_code
 * (1–999, e.g. 98). Forms: "+CC…" and "00CC…" are international as given; "0…" is
 * national (+CC and the rest); "CC…" without a prefix is taken as international when it
 * has the length of one; a bare number of the home country's mobile length starting with
 * a mobile prefix (Iran: "912…", 10 digits) gets +CC; 3–6 digits not starting with 0 are
 * a short code; text starting with a Latin letter is an alphanumeric sender id of at most
 * 11 characters. Anything else is MSISDN_INVALID with a static *error_r (error_r may be
 * NULL; it is set to NULL on success).
 */
enum msisdn_kind msisdn_normalize(const char *in, int country_code, char out[MSISDN_SIZE],
                                  const char **error_r);

#endif
