/*
 * random — uniform random numbers from the OS CSPRNG (getrandom), without modulo bias:
 * what the wheel and the draws are made of. Any thread.
 */
#ifndef GAMIGATE_CORE_RANDOM_H
#define GAMIGATE_CORE_RANDOM_H

#include <stdint.h>

/* 64 random bits from getrandom(); aborts if the kernel cannot give them (never
 * silently weaker randomness). */
uint64_t random_u64(void);

/* A uniform value in [0, bound) for bound >= 1, by rejection sampling. */
uint64_t random_below(uint64_t bound);

/* The pure core of random_below: maps a raw 64-bit draw to [0, bound); returns 0 and
 * sets *out when raw is accepted, -1 when it must be rejected (drawn again). */
int random_map(uint64_t raw, uint64_t bound, uint64_t *out);

#endif
