/*
 * sha256 — SHA-256 (FIPS 180-4), small and dependency-free: what the draws hash their
 * seeds, exports, results and audit rows with. Checked against the NIST test vectors
 * (tests/unit/test_sha256.c). Pure functions; any thread.
 */
#ifndef GAMIGATE_CORE_SHA256_H
#define GAMIGATE_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES 32
#define SHA256_HEX   65 /* 64 lowercase hex digits and a NUL */

struct sha256 {
	uint32_t h[8];
	uint64_t length; /* bytes hashed so far */
	uint8_t block[64];
	size_t used; /* bytes waiting in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Writes the digest and leaves s unusable until sha256_init. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_BYTES]);

/* The digest of one buffer. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_BYTES]);

/* Lowercase hex of n bytes into out (2n + 1 bytes). */
void sha256_hex(const uint8_t *bytes, size_t n, char *out);

/* Parses exactly 2n hex digits (either case) of hex into n bytes. 0 ok, -1 wrong length
 * or a character that is not a hex digit. */
int sha256_unhex(const char *hex, uint8_t *out, size_t n);

#endif
