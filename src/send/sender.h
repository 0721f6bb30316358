/*
 * sender — hands due outbox rows to the provider over HTTP: libcurl's multi interface
 * driven by the libevent loop through socket and timer callbacks (as in curl's
 * hiperfifo example), keep-alive connections kept in the multi handle, at most
 * outbox.in_flight requests at once, a token bucket (outbox.rate_per_s), retries with
 * exponential backoff and jitter on timeouts, 5xx and 429 (Retry-After honoured),
 * permanent failure on other 4xx, and a circuit breaker while the provider is down.
 *
 * Every database step runs as a pool job: feeding notifications into the outbox,
 * claiming due rows (with leases, so rows held by a node that died are retried by
 * another) and writing results in batches. The loop never waits for the database.
 * A node that stops with requests in flight leaves their rows leased: after the lease
 * another node (or this one, restarted) sends them again, so a message is sent at least
 * once; the client reference lets providers drop the repeat.
 *
 * Event-loop thread only.
 */
#ifndef GAMIGATE_SEND_SENDER_H
#define GAMIGATE_SEND_SENDER_H

#include "core/buf.h"

struct config;
struct db_pool;
struct event_base;
struct templates;
struct sender;

/* How the sender borrows the current templates for a feed job (they are replaced on
 * reload): ref returns a handle to pass to unref later and the templates in *t_r. */
struct sender_hooks {
	void *(*templates_ref)(void *ctx, const struct templates **t_r, const char **lang_r);
	void (*templates_unref)(void *handle);
	void *ctx;
};

/* Creates the sender for cfg->outbox_provider and starts its timer; node names the
 * leases. NULL with *error_r (static text) when the configuration cannot work. */
struct sender *sender_new(struct event_base *base, struct db_pool *pool, const struct config *cfg,
                          const char *node, const struct sender_hooks *hooks, const char **error_r);

/* Stops claiming, puts rows not yet started back in the queue and abandons requests in
 * flight (their leases run out). Call before db_pool_free. */
void sender_free(struct sender *s);

/* While on (a reminder run is being written into the outbox), the sender's database jobs
 * take turns (a claim waits for the results being written and the other way round)
 * instead of running side by side, leaving the server a core for the run: with a
 * provider fast enough to keep the sender busy, the two otherwise split the cores and
 * the run takes three times as long to materialise. s may be NULL. */
void sender_yield(struct sender *s, int on);

/* Counts a delivery report (state: enum dlr_state; outcome as outbox_dlr_apply) and,
 * for a final one, the seconds from sent to report (< 0: unknown). s may be NULL. */
void sender_dlr(struct sender *s, int state, int outcome, double latency_s);

/* Appends the sender's figures in the Prometheus text format. */
void sender_metrics(struct sender *s, struct buf *out);

#endif
