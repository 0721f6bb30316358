/*
 * refcode — the referral code of a subscriber, derived from the subscriber id: no table,
 * no lookup, one code per subscriber, never two subscribers with one code.
 *
 * The id goes through a keyed permutation (a Feistel network, cycle-walked onto the
 * tier's range) so that neighbours' codes look unrelated; the result is shown in two
 * forms of the same number:
 *   - the code: Crockford base32 (0-9 A-Z without I L O U), 6 symbols for ids below
 *     10^9 and 7 above, then one check symbol: 7 or 8 characters ("K3M9QZ4");
 *   - the numeric form for USSD keypads: 9 or 11 digits, then a Damm check digit: 10 or
 *     12 digits.
 * The check symbol is a Damm-style check over GF(32) (state = a*state + symbol): it
 * catches every single wrong symbol and every swap of two neighbours; the Damm digit
 * does the same for digits. Lengths tell the forms apart (7/8 vs 10/12).
 *
 * Decoding takes what a subscriber typed: any case, hyphens and spaces between symbols,
 * and the usual confusions (O -> 0, I and L -> 1). The permutation's key is fixed: a
 * code is not a secret (anyone may pass theirs around), it only must not be mistyped
 * into someone else's; the referral rules (new members only, caps) carry the abuse
 * checks.
 *
 * Pure functions; any thread.
 */
#ifndef GAMIGATE_GAME_REFCODE_H
#define GAMIGATE_GAME_REFCODE_H

#include <stddef.h>

#define REFCODE_SIZE 16 /* bytes for either form, NUL included */
/* The largest id with a code: 10^9 + 2^35 - 1 (about 3.5 * 10^10). */
#define REFCODE_MAX_ID (1000000000LL + (1LL << 35) - 1)

enum refcode_status {
	REFCODE_OK,
	REFCODE_MALFORMED, /* not a code: wrong length or a symbol outside the alphabet */
	REFCODE_BAD_CHECK, /* the form of a code, but its check does not match: a typo */
};

/* Writes the code (upper case) and its numeric form for id. 0 ok; -1 when id is
 * negative or above REFCODE_MAX_ID. */
int refcode_encode(long long id, char code_r[REFCODE_SIZE], char numeric_r[REFCODE_SIZE]);

/* Reads either form as typed; REFCODE_OK with the subscriber id in *id_r. */
enum refcode_status refcode_decode(const char *text, long long *id_r);

/* The Damm check digit of n ASCII digits (as a digit character); exposed for tests. */
char refcode_damm(const char *digits, size_t n);

#endif
