/*
 * random — CSPRNG draws without modulo bias. Any thread.
 */
#include "core/random.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

uint64_t
random_u64(void)
{
	uint64_t v;
	unsigned char *p = (unsigned char *)&v;
	size_t got = 0;
	while (got < sizeof(v)) {
		ssize_t n = getrandom(p + got, sizeof(v) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "gamigate: getrandom failed; refusing weaker randomness\n");
			abort();
		}
		got += (size_t)n;
	}
	return v;
}

int
random_map(uint64_t raw, uint64_t bound, uint64_t *out)
{
	/* The largest multiple of bound that fits: raws at or above it would make the low
	 * values more likely, so they are rejected. */
	if (bound == 0)
		return -1;
	uint64_t limit = UINT64_MAX - (UINT64_MAX % bound + 1) % bound;
	if (raw > limit)
		return -1;
	*out = raw % bound;
	return 0;
}

uint64_t
random_below(uint64_t bound)
{
	uint64_t out;
	if (bound <= 1)
		return 0;
	while (random_map(random_u64(), bound, &out) < 0)
		;
	return out;
}
