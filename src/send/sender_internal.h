/*
 * sender (internal) — the sender's state, shared by its two files: sender.c (claims,
 * requests, results; the loop) and sender_metrics.c (delivery report figures and
 * /metrics). Nothing outside src/send/sender*.c includes this.
 */
#ifndef GAMIGATE_SEND_SENDER_INTERNAL_H
#define GAMIGATE_SEND_SENDER_INTERNAL_H

#include "core/buf.h"
#include "send/outbox.h"
#include "send/policy.h"
#include "send/provider.h"
#include "send/sender.h"
#include "send/throttle.h"

#include <curl/curl.h>
#include <event2/event.h>

/* The delivery-report latency histogram's bounds (sender_metrics.c). */
#define SENDER_DLR_BUCKETS 8

struct send_item; /* one message on its way (sender.c) */

struct sender {
	struct event_base *base;
	struct db_pool *pool;
	const struct config *cfg;
	const struct provider *provider;
	struct sender_hooks hooks;
	char node[100];
	struct tz *tz;
	struct policy policy;
	CURLM *multi;
	struct event *curl_timer;
	struct event *tick;
	struct send_item *ready, *ready_tail;
	unsigned nready;
	unsigned in_flight;
	struct send_item *flying;
	struct outbox_report *reports;
	size_t nreports, reports_cap;
	int claiming, feeding, reporting;
	int yielding;  /* sender_yield: one database job at a time */
	unsigned jobs; /* pool jobs whose done callback has not run yet */
	int closed;    /* sender_free was called; freed when jobs reaches 0 */
	unsigned long long claim_seq;
	double last_feed;
	struct bucket bucket;
	struct breaker breaker;
	/* figures */
	unsigned long long n_sent, n_retry, n_failed, n_deferred, n_claimed;
	unsigned long long n_fed, n_feed_refused;
	double latency_sum;
	unsigned long long latency_n;
	/* delivery reports */
	unsigned long long dlr_by_state[6], dlr_duplicate, dlr_unknown;
	unsigned long long
	    dlr_buckets[SENDER_DLR_BUCKETS]; /* cumulative counts at the bounds below */
	double dlr_sum;
	unsigned long long dlr_n;
	/* outbox rows by state, refreshed by a job every count_every_s */
	struct outbox_counts counts;
	int counts_ok, counting;
	double last_count, count_every_s;
};

/* The counts read the whole outbox (every row ever sent): at least COUNTS_EVERY_S
 * apart, and COUNTS_COST_FACTOR times as long apart as the last count took, so that
 * they never take more than a twentieth of a worker (and of the server's core), however
 * large the table grows: a count of 1,000,000 rows takes ~0.5 s. */
#define COUNTS_EVERY_S     5.0
#define COUNTS_COST_FACTOR 20.0

#endif
