/*
 * Unit: referral codes (src/game/refcode.c) — round trips over many ids in both tiers
 * (which also proves that no two ids share a code), the forms' lengths and alphabet,
 * what a subscriber may type (lower case, hyphens, O/I/L), every single wrong symbol
 * and every swap of neighbours caught in both forms, and malformed input refused.
 */
#include "check.h"
#include "game/refcode.h"

#include <stdint.h>
#include <string.h>

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* A spread of ids: the first ones, both sides of the tier boundary, the largest, and
 * a pseudo-random sample in between (a fixed LCG, so failures reproduce). */
static unsigned
sample_ids(long long *ids, unsigned max)
{
	unsigned n = 0;
	uint64_t x = 12345;
	for (long long i = 0; i < 300 && n < max; i++)
		ids[n++] = i;
	const long long edges[] = {999999999LL, 1000000000LL, 1000000001LL, REFCODE_MAX_ID - 1,
	                           REFCODE_MAX_ID};
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]) && n < max; i++)
		ids[n++] = edges[i];
	while (n < max) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		ids[n++] = (long long)((x >> 11) % (uint64_t)(REFCODE_MAX_ID + 1));
	}
	return n;
}

static void
test_round_trips_for_many_ids(void)
{
	char code[REFCODE_SIZE], num[REFCODE_SIZE];
	long long id = -1;
	int bad = 0;
	/* Every id of a dense range, the way auto-increment hands them out. */
	for (long long i = 0; i < 200000 && bad < 5; i++) {
		if (refcode_encode(i, code, num) != 0 || strlen(code) != 7 || strlen(num) != 10 ||
		    refcode_decode(code, &id) != REFCODE_OK || id != i ||
		    refcode_decode(num, &id) != REFCODE_OK || id != i) {
			fprintf(stderr, "id %lld: %s %s -> %lld\n", i, code, num, id);
			bad++;
		}
	}
	CHECK(bad == 0);
	long long ids[3000];
	unsigned n = sample_ids(ids, 3000);
	for (unsigned k = 0; k < n; k++) {
		size_t want = ids[k] < 1000000000LL ? 7 : 8;
		CHECK(refcode_encode(ids[k], code, num) == 0);
		CHECK(strlen(code) == want);
		CHECK(strlen(num) == (want == 7 ? 10 : 12));
		CHECK(strspn(code, alphabet) == want);
		CHECK(refcode_decode(code, &id) == REFCODE_OK && id == ids[k]);
		CHECK(refcode_decode(num, &id) == REFCODE_OK && id == ids[k]);
	}
}

static void
test_neighbours_get_unrelated_codes(void)
{
	char a[REFCODE_SIZE], b[REFCODE_SIZE], num[REFCODE_SIZE];
	unsigned similar = 0;
	for (long long i = 1; i < 1000; i++) {
		refcode_encode(i, a, num);
		refcode_encode(i + 1, b, num);
		unsigned same = 0;
		for (size_t k = 0; k < 6; k++)
			same += a[k] == b[k];
		similar += same >= 4;
	}
	CHECK(similar < 20); /* about 0.3 % of pairs share 4 of 6 symbols by chance */
}

static void
test_typed_forms_are_accepted(void)
{
	char code[REFCODE_SIZE], num[REFCODE_SIZE], typed[32];
	long long id = 0;
	for (long long i = 1; i < 5000; i++) {
		refcode_encode(i * 7919, code, num);
		/* lower case, with a hyphen in the middle */
		size_t k = 0;
		for (size_t j = 0; code[j] != '\0'; j++) {
			if (j == 3)
				typed[k++] = '-';
			char c = code[j];
			typed[k++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		}
		typed[k] = '\0';
		CHECK(refcode_decode(typed, &id) == REFCODE_OK && id == i * 7919);
		/* zeros typed as O, ones as I or L */
		for (size_t j = 0; code[j] != '\0'; j++) {
			if (code[j] == '0')
				code[j] = (j % 2) != 0 ? 'O' : 'o';
			else if (code[j] == '1')
				code[j] = (j % 2) != 0 ? 'I' : 'l';
		}
		CHECK(refcode_decode(code, &id) == REFCODE_OK && id == i * 7919);
		/* the numeric form in groups, as printed on a card */
		snprintf(typed, sizeof(typed), "%.3s %.3s %s", num, num + 3, num + 6);
		CHECK(refcode_decode(typed, &id) == REFCODE_OK && id == i * 7919);
	}
}

static void
test_every_single_symbol_typo_is_caught(void)
{
	char code[REFCODE_SIZE], num[REFCODE_SIZE], typo[REFCODE_SIZE];
	long long ids[600], id;
	unsigned n = sample_ids(ids, 600), missed = 0, tried = 0;
	for (unsigned k = 0; k < n; k++) {
		refcode_encode(ids[k], code, num);
		for (size_t pos = 0; code[pos] != '\0'; pos++) {
			for (const char *s = alphabet; *s != '\0'; s++) {
				if (*s == code[pos])
					continue;
				memcpy(typo, code, sizeof(typo));
				typo[pos] = *s;
				tried++;
				missed += refcode_decode(typo, &id) == REFCODE_OK;
			}
		}
	}
	CHECK(tried > 100000);
	CHECK(missed == 0);
}

static void
test_neighbour_swaps_in_the_code_are_caught(void)
{
	char code[REFCODE_SIZE], num[REFCODE_SIZE];
	long long ids[3000], id;
	unsigned n = sample_ids(ids, 3000), missed = 0;
	for (unsigned k = 0; k < n; k++) {
		refcode_encode(ids[k], code, num);
		for (size_t pos = 0; code[pos + 1] != '\0'; pos++) {
			if (code[pos] == code[pos + 1])
				continue;
			char t = code[pos];
			code[pos] = code[pos + 1];
			code[pos + 1] = t;
			missed += refcode_decode(code, &id) == REFCODE_OK;
			code[pos + 1] = code[pos];
			code[pos] = t;
		}
	}
	CHECK(missed == 0);
}

static void
test_numeric_check_digit_catches_digit_errors_and_swaps(void)
{
	char code[REFCODE_SIZE], num[REFCODE_SIZE], typo[REFCODE_SIZE];
	long long ids[3000], id;
	unsigned n = sample_ids(ids, 3000), missed = 0, tried = 0;
	for (unsigned k = 0; k < n; k++) {
		refcode_encode(ids[k], code, num);
		size_t len = strlen(num);
		for (size_t pos = 0; pos < len; pos++) {
			for (char d = '0'; d <= '9'; d++) {
				if (d == num[pos])
					continue;
				memcpy(typo, num, sizeof(typo));
				typo[pos] = d;
				tried++;
				missed += refcode_decode(typo, &id) == REFCODE_OK;
			}
			if (pos + 1 < len && num[pos] != num[pos + 1]) {
				memcpy(typo, num, sizeof(typo));
				typo[pos] = num[pos + 1];
				typo[pos + 1] = num[pos];
				tried++;
				missed += refcode_decode(typo, &id) == REFCODE_OK;
			}
		}
	}
	CHECK(tried > 100000);
	CHECK(missed == 0);
}

static void
test_damm_known_values(void)
{
	/* The worked example of Damm's algorithm: 572 -> 4, and 5724 checks to 0. */
	CHECK(refcode_damm("572", 3) == '4');
	CHECK(refcode_damm("5724", 4) == '0');
	CHECK(refcode_damm("", 0) == '0');
}

static void
test_malformed_input_is_refused(void)
{
	long long id = 99;
	char code[REFCODE_SIZE], num[REFCODE_SIZE];
	const char *bad[] = {"",
	                     "ABC",
	                     "ABCDEF",        /* 6: too short */
	                     "ABCDEFGHJ",     /* 9 */
	                     "ABCDEFU",       /* U is not in the alphabet */
	                     "ABC*DEF",       /* punctuation */
	                     "123456789",     /* 9 digits */
	                     "12345678901",   /* 11 digits */
	                     "1234567890123", /* 13 digits */
	                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	                     "\xd8\xa7\xd8\xa8\xd8\xac\xd8\xaf\xd9\x87\xd9\x88\xd8\xb2"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum refcode_status st = refcode_decode(bad[i], &id);
		if (st == REFCODE_OK)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK(st != REFCODE_OK);
	}
	CHECK(refcode_decode("ABCDEFU", &id) == REFCODE_MALFORMED);
	/* A well-checked tier-B number beyond 2^35 is not a code. */
	char big[16] = "99999999999";
	big[11] = refcode_damm(big, 11);
	big[12] = '\0';
	CHECK(refcode_decode(big, &id) == REFCODE_MALFORMED);
	/* Ids without a code. */
	CHECK(refcode_encode(-1, code, num) == -1 && code[0] == '\0');
	CHECK(refcode_encode(REFCODE_MAX_ID + 1, code, num) == -1);
}

int
main(void)
{
	RUN(test_round_trips_for_many_ids);
	RUN(test_neighbours_get_unrelated_codes);
	RUN(test_typed_forms_are_accepted);
	RUN(test_every_single_symbol_typo_is_caught);
	RUN(test_neighbour_swaps_in_the_code_are_caught);
	RUN(test_numeric_check_digit_catches_digit_errors_and_swaps);
	RUN(test_damm_known_values);
	RUN(test_malformed_input_is_refused);
	return check_summary();
}
