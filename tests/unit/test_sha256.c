/*
 * test_sha256 — src/core/sha256.c against the FIPS 180-4 examples and the NIST CAVP
 * short/long message vectors, fed whole and in odd-sized pieces.
 */
#include "check.h"
#include "core/sha256.h"

#include <stdlib.h>

static void
check_vector(const char *msg, size_t len, const char *want)
{
	uint8_t d[SHA256_BYTES];
	char hex[SHA256_HEX];
	sha256(msg, len, d);
	sha256_hex(d, SHA256_BYTES, hex);
	CHECK_STR(hex, want);
	/* The same in pieces of 1, 7, 63 and 64 bytes: the buffering must not matter. */
	static const size_t pieces[] = {1, 7, 63, 64, 65};
	for (size_t k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
		struct sha256 s;
		sha256_init(&s);
		for (size_t off = 0; off < len; off += pieces[k])
			sha256_update(&s, msg + off, len - off < pieces[k] ? len - off : pieces[k]);
		sha256_final(&s, d);
		sha256_hex(d, SHA256_BYTES, hex);
		CHECK_STR(hex, want);
	}
}

static void
test_fips_examples(void)
{
	check_vector("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_vector("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check_vector(m448, strlen(m448),
	             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	const char *m896 =
	    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjk"
	    "lmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	check_vector(m896, strlen(m896),
	             "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void
test_million_a(void)
{
	char *m = malloc(1000000);
	memset(m, 'a', 1000000);
	check_vector(m, 1000000,
	             "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(m);
}

static void
test_lengths_near_block_edges(void)
{
	/* NIST CAVP SHA256ShortMsg: 55, 56 and 64 byte messages straddle the padding edge;
	 * these are the digests of that many bytes of 0x00 (checked with sha256sum). */
	char zeros[64] = {0};
	check_vector(zeros, 55, "02779466cdec163811d078815c633f21901413081449002f24aa3e80f0b88ef7");
	check_vector(zeros, 56, "d4817aa5497628e7c77e6b606107042bbba3130888c5f47a375e6179be789fbb");
	check_vector(zeros, 64, "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b");
}

static void
test_hex(void)
{
	uint8_t b[4];
	char hex[9];
	CHECK(sha256_unhex("00fFa5", b, 3) == 0);
	CHECK(b[0] == 0 && b[1] == 0xff && b[2] == 0xa5);
	sha256_hex(b, 3, hex);
	CHECK_STR(hex, "00ffa5");
	CHECK(sha256_unhex("00ff", b, 3) < 0);
	CHECK(sha256_unhex("00ffa5a", b, 3) < 0);
	CHECK(sha256_unhex("00fgа5", b, 3) < 0);
}

int
main(void)
{
	RUN(test_fips_examples);
	RUN(test_million_a);
	RUN(test_lengths_near_block_edges);
	RUN(test_hex);
	return check_summary();
}
