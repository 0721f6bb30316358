/*
 * refcode — referral codes from subscriber ids (see refcode.h). Pure; any thread.
 *
 * Two tiers, told apart by length: ids below 10^9 (tier A: a permutation of [0, 10^9),
 * 6 base32 symbols or 9 digits) and ids from 10^9 on (tier B: a permutation of
 * [0, 2^35), 7 symbols or 11 digits). Auto-increment ids can run ahead of the number of
 * subscribers (every INSERT ... ON DUPLICATE KEY may use one up), hence tier B.
 */
#include "game/refcode.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#define TIER_A_LIMIT 1000000000ULL /* ids and permuted values of tier A */
#define TIER_B_LIMIT (1ULL << 35)  /* permuted values of tier B */
#define ROUNDS       6

struct tier {
	unsigned half_bits; /* the Feistel network works on 2 * half_bits bits */
	uint64_t limit;     /* cycle-walked onto [0, limit) */
	uint32_t keys[ROUNDS];
	unsigned symbols; /* base32 symbols before the check */
	unsigned digits;  /* decimal digits before the check */
};

static const struct tier tier_a = {
    15,
    TIER_A_LIMIT,
    {0x9e3779b9u, 0x7f4a7c15u, 0x85ebca6bu, 0xc2b2ae35u, 0x27d4eb2fu, 0x165667b1u},
    6,
    9};
static const struct tier tier_b = {
    18,
    TIER_B_LIMIT,
    {0x632be5abu, 0x8d2a4c8au, 0x1b873593u, 0xcc9e2d51u, 0xe6546b64u, 0x94d049bbu},
    7,
    11};

/* A 32-bit mixer (good avalanche) as the round function. */
static uint32_t
mix(uint32_t x, uint32_t key)
{
	x ^= key;
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static uint64_t
feistel(const struct tier *t, uint64_t v, int inverse)
{
	uint32_t mask = (1u << t->half_bits) - 1;
	uint32_t l = (uint32_t)(v >> t->half_bits) & mask, r = (uint32_t)v & mask;
	for (int i = 0; i < ROUNDS; i++) {
		if (!inverse) {
			uint32_t nr = l ^ (mix(r, t->keys[i]) & mask);
			l = r;
			r = nr;
		} else {
			uint32_t pl = r ^ (mix(l, t->keys[ROUNDS - 1 - i]) & mask);
			r = l;
			l = pl;
		}
	}
	return ((uint64_t)l << t->half_bits) | r;
}

/* A permutation of [0, limit): the network's permutation of the whole power of two,
 * walked along its cycle until the value falls inside the range again. */
static uint64_t
permute(const struct tier *t, uint64_t v, int inverse)
{
	do
		v = feistel(t, v, inverse);
	while (v >= t->limit);
	return v;
}

/* Multiplies by the generator a = x in GF(32) = GF(2)[x] / (x^5 + x^2 + 1). */
static unsigned
gf32_times_a(unsigned s)
{
	s <<= 1;
	return (s & 0x20) != 0 ? (s ^ 0x25) : s;
}

/* The state after folding symbols (values 0-31) with s' = a*s + v; a whole code (check
 * included) folds to 0. */
static unsigned
gf32_fold(const unsigned char *v, size_t n)
{
	unsigned s = 0;
	for (size_t i = 0; i < n; i++)
		s = gf32_times_a(s) ^ v[i];
	return s;
}

/* Damm's table of order 10: a weakly totally anti-symmetric quasigroup with a zero
 * diagonal. */
static const unsigned char damm_table[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3}, {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6}, {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7}, {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0}};

char
refcode_damm(const char *digits, size_t n)
{
	unsigned interim = 0;
	for (size_t i = 0; i < n; i++)
		interim = damm_table[interim][(unsigned char)(digits[i] - '0') % 10];
	return (char)('0' + interim);
}

int
refcode_encode(long long id, char code_r[REFCODE_SIZE], char numeric_r[REFCODE_SIZE])
{
	code_r[0] = numeric_r[0] = '\0';
	if (id < 0 || id > REFCODE_MAX_ID)
		return -1;
	const struct tier *t = (uint64_t)id < TIER_A_LIMIT ? &tier_a : &tier_b;
	uint64_t v = t == &tier_a ? (uint64_t)id : (uint64_t)id - TIER_A_LIMIT;
	uint64_t p = permute(t, v, 0);

	unsigned char sym[8];
	for (unsigned i = 0; i < t->symbols; i++)
		sym[t->symbols - 1 - i] = (unsigned char)((p >> (5 * i)) & 31);
	sym[t->symbols] = (unsigned char)gf32_times_a(gf32_fold(sym, t->symbols));
	for (unsigned i = 0; i <= t->symbols; i++)
		code_r[i] = alphabet[sym[i]];
	code_r[t->symbols + 1] = '\0';

	snprintf(numeric_r, REFCODE_SIZE, "%0*llu", (int)t->digits, (unsigned long long)p);
	numeric_r[t->digits] = refcode_damm(numeric_r, t->digits);
	numeric_r[t->digits + 1] = '\0';
	return 0;
}

/* The value of a base32 symbol (upper case, confusions already mapped), or -1. */
static int
symbol_value(char c)
{
	const char *at = c != '\0' ? strchr(alphabet, c) : NULL;
	return at != NULL ? (int)(at - alphabet) : -1;
}

/* The id of tier t's permuted value p, or -1 when p is outside the tier. */
static long long
id_of(const struct tier *t, uint64_t p)
{
	if (p >= t->limit)
		return -1;
	uint64_t v = permute(t, p, 1);
	return (long long)(t == &tier_a ? v : v + TIER_A_LIMIT);
}

static enum refcode_status
decode_base32(const char *s, size_t n, long long *id_r)
{
	const struct tier *t = n == 7 ? &tier_a : &tier_b;
	unsigned char sym[8];
	uint64_t p = 0;
	for (size_t i = 0; i < n; i++) {
		int v = symbol_value(s[i]);
		if (v < 0)
			return REFCODE_MALFORMED;
		sym[i] = (unsigned char)v;
	}
	if (gf32_fold(sym, n) != 0)
		return REFCODE_BAD_CHECK;
	for (size_t i = 0; i + 1 < n; i++)
		p = (p << 5) | sym[i];
	long long id = id_of(t, p);
	if (id < 0)
		return REFCODE_MALFORMED;
	*id_r = id;
	return REFCODE_OK;
}

static enum refcode_status
decode_numeric(const char *s, size_t n, long long *id_r)
{
	const struct tier *t = n == 10 ? &tier_a : &tier_b;
	uint64_t p = 0;
	if (refcode_damm(s, n) != '0')
		return REFCODE_BAD_CHECK;
	for (size_t i = 0; i + 1 < n; i++)
		p = p * 10 + (uint64_t)(s[i] - '0');
	long long id = id_of(t, p);
	if (id < 0)
		return REFCODE_MALFORMED;
	*id_r = id;
	return REFCODE_OK;
}

enum refcode_status
refcode_decode(const char *text, long long *id_r)
{
	char s[REFCODE_SIZE];
	size_t n = 0;
	int digits_only = 1;

	*id_r = 0;
	for (const char *p = text; *p != '\0'; p++) {
		char c = *p;
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
			return REFCODE_MALFORMED;
		if (n + 1 == sizeof(s))
			return REFCODE_MALFORMED;
		digits_only &= c >= '0' && c <= '9';
		s[n++] = c;
	}
	s[n] = '\0';
	if (digits_only && (n == 10 || n == 12))
		return decode_numeric(s, n, id_r);
	if (n == 7 || n == 8)
		return decode_base32(s, n, id_r);
	return REFCODE_MALFORMED;
}
