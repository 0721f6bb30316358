/*
 * throttle — the sender's flow control, as pure functions of a clock the caller passes
 * (seconds, monotonic): a token bucket per provider (messages per second with a burst),
 * exponential backoff with jitter for retries, Retry-After parsing, and a circuit
 * breaker that stops sending while a provider is down and lets one probe through after
 * a cool-down.
 *
 * Event-loop thread (no locking); the structs are plain values.
 */
#ifndef GAMIGATE_SEND_THROTTLE_H
#define GAMIGATE_SEND_THROTTLE_H

#include <stdint.h>
#include <time.h>

struct bucket {
	double rate;  /* tokens per second */
	double burst; /* most tokens held */
	double tokens;
	double last;
};

/* A full bucket at now. */
void bucket_init(struct bucket *b, double rate, double burst, double now);
/* Takes one token: 1 taken, 0 empty. */
int bucket_take(struct bucket *b, double now);
/* Seconds until a token will be there (0 when one is). */
double bucket_wait(struct bucket *b, double now);

/* The delay before retry number attempt (1 = first retry): base * 2^(attempt-1), capped
 * at max, then "equal jitter": a value in [d/2, d] picked by rnd (any 64-bit random). */
double backoff_delay(unsigned attempt, double base, double max, uint64_t rnd);

/* Parses a Retry-After value: delta seconds ("120") or an HTTP date ("Wed, 21 Oct 2015
 * 07:28:00 GMT", relative to now). 0 ok with seconds (>= 0) in *s_r, -1 unparsable. */
int retry_after_parse(const char *value, time_t now, double *s_r);

enum breaker_state { BREAKER_CLOSED, BREAKER_OPEN, BREAKER_HALF_OPEN };

struct breaker {
	unsigned threshold; /* consecutive failures that open it */
	double open_s;      /* how long it stays open before a probe */
	enum breaker_state state;
	unsigned failures;
	double open_until;
	int probing;               /* half-open: the one probe is out */
	unsigned long long opened; /* times it opened (metrics) */
};

void breaker_init(struct breaker *b, unsigned threshold, double open_s);
/* 1 when a request may start now (in half-open state: only the one probe). */
int breaker_allow(struct breaker *b, double now);
/* Reports the outcome of a request: success closes, failure counts (and re-opens a
 * half-open breaker at once). */
void breaker_success(struct breaker *b);
void breaker_failure(struct breaker *b, double now);
const char *breaker_state_name(enum breaker_state s);

#endif
