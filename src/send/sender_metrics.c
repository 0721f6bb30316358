/*
 * sender metrics — the sender's figures: delivery reports counted by sender_dlr (with a
 * latency histogram) and everything in the Prometheus text format for /metrics.
 * Event-loop thread, like the rest of the sender.
 */
#include "send/sender.h"
#include "send/sender_internal.h"

#include <stdio.h>

static const double dlr_bounds[SENDER_DLR_BUCKETS] = {1, 5, 15, 60, 300, 1800, 3600, 86400};

void
sender_dlr(struct sender *s, int state, int outcome, double latency_s)
{
	if (s == NULL)
		return;
	if (outcome < 0) {
		s->dlr_unknown++;
		return;
	}
	if (outcome == 0) {
		s->dlr_duplicate++;
		return;
	}
	if (state >= 0 && state < 6)
		s->dlr_by_state[state]++;
	if (latency_s >= 0) {
		s->dlr_sum += latency_s;
		s->dlr_n++;
		for (int i = 0; i < SENDER_DLR_BUCKETS; i++) {
			if (latency_s <= dlr_bounds[i])
				s->dlr_buckets[i]++;
		}
	}
}

static void
render_dlr(struct sender *s, struct buf *out)
{
	static const char *const names[6] = {"unknown",   "accepted", "",
	                                     "delivered", "failed",   "expired"};
	buf_puts(out, "# HELP gamigate_outbox_dlr_total Delivery reports by what they did.\n"
	              "# TYPE gamigate_outbox_dlr_total counter\n");
	for (int i = 0; i < 6; i++) {
		if (names[i][0] != '\0')
			buf_printf(out, "gamigate_outbox_dlr_total{result=\"%s\"} %llu\n", names[i],
			           s->dlr_by_state[i]);
	}
	buf_printf(out,
	           "gamigate_outbox_dlr_total{result=\"duplicate\"} %llu\n"
	           "gamigate_outbox_dlr_total{result=\"unknown_ref\"} %llu\n"
	           "# HELP gamigate_outbox_dlr_seconds From sent to the final delivery report.\n"
	           "# TYPE gamigate_outbox_dlr_seconds histogram\n",
	           s->dlr_duplicate, s->dlr_unknown);
	for (int i = 0; i < SENDER_DLR_BUCKETS; i++)
		buf_printf(out, "gamigate_outbox_dlr_seconds_bucket{le=\"%g\"} %llu\n",
		           dlr_bounds[i], s->dlr_buckets[i]);
	buf_printf(out,
	           "gamigate_outbox_dlr_seconds_bucket{le=\"+Inf\"} %llu\n"
	           "gamigate_outbox_dlr_seconds_sum %.6f\n"
	           "gamigate_outbox_dlr_seconds_count %llu\n",
	           s->dlr_n, s->dlr_sum, s->dlr_n);
	if (s->counts_ok) {
		const struct outbox_counts *c = &s->counts;
		buf_printf(
		    out,
		    "# HELP gamigate_outbox_rows Outbox rows by state (refreshed every %g s, less"
		    " often when counting is slow).\n"
		    "# TYPE gamigate_outbox_rows gauge\n"
		    "gamigate_outbox_rows{state=\"queued\"} %lld\n"
		    "gamigate_outbox_rows{state=\"sending\"} %lld\n"
		    "gamigate_outbox_rows{state=\"sent\"} %lld\n"
		    "gamigate_outbox_rows{state=\"delivered\"} %lld\n"
		    "gamigate_outbox_rows{state=\"failed\"} %lld\n"
		    "gamigate_outbox_rows{state=\"expired\"} %lld\n"
		    "# HELP gamigate_outbox_depth Queued rows due now (the backlog).\n"
		    "# TYPE gamigate_outbox_depth gauge\n"
		    "gamigate_outbox_depth %lld\n",
		    COUNTS_EVERY_S, c->queued, c->sending, c->sent, c->delivered, c->failed,
		    c->expired, c->due);
	}
}

void
sender_metrics(struct sender *s, struct buf *out)
{
	if (s == NULL)
		return;
	render_dlr(s, out);
	const char *p = s->provider->name;
	buf_printf(
	    out,
	    "# HELP gamigate_outbox_sends_total Requests to the SMS provider by result.\n"
	    "# TYPE gamigate_outbox_sends_total counter\n"
	    "gamigate_outbox_sends_total{provider=\"%s\",result=\"sent\"} %llu\n"
	    "gamigate_outbox_sends_total{provider=\"%s\",result=\"retry\"} %llu\n"
	    "gamigate_outbox_sends_total{provider=\"%s\",result=\"failed\"} %llu\n"
	    "# HELP gamigate_outbox_deferred_total Claimed rows put back unsent (breaker "
	    "open, shutdown).\n"
	    "# TYPE gamigate_outbox_deferred_total counter\n"
	    "gamigate_outbox_deferred_total %llu\n"
	    "# HELP gamigate_outbox_claimed_total Rows claimed for sending.\n"
	    "# TYPE gamigate_outbox_claimed_total counter\n"
	    "gamigate_outbox_claimed_total %llu\n"
	    "# HELP gamigate_outbox_notifications_total Game notifications moved into the "
	    "outbox, by result.\n"
	    "# TYPE gamigate_outbox_notifications_total counter\n"
	    "gamigate_outbox_notifications_total{result=\"queued\"} %llu\n"
	    "gamigate_outbox_notifications_total{result=\"refused\"} %llu\n"
	    "# HELP gamigate_outbox_in_flight Requests to the provider now.\n"
	    "# TYPE gamigate_outbox_in_flight gauge\n"
	    "gamigate_outbox_in_flight %u\n"
	    "# HELP gamigate_outbox_ready Claimed rows waiting for a token or a slot.\n"
	    "# TYPE gamigate_outbox_ready gauge\n"
	    "gamigate_outbox_ready %u\n"
	    "# HELP gamigate_outbox_breaker_open 1 while the circuit breaker stops sending.\n"
	    "# TYPE gamigate_outbox_breaker_open gauge\n"
	    "gamigate_outbox_breaker_open{provider=\"%s\"} %d\n"
	    "# HELP gamigate_outbox_breaker_opened_total Times the breaker opened.\n"
	    "# TYPE gamigate_outbox_breaker_opened_total counter\n"
	    "gamigate_outbox_breaker_opened_total{provider=\"%s\"} %llu\n"
	    "# HELP gamigate_outbox_request_seconds Provider request time.\n"
	    "# TYPE gamigate_outbox_request_seconds summary\n"
	    "gamigate_outbox_request_seconds_sum %.6f\n"
	    "gamigate_outbox_request_seconds_count %llu\n",
	    p, s->n_sent, p, s->n_retry, p, s->n_failed, s->n_deferred, s->n_claimed, s->n_fed,
	    s->n_feed_refused, s->in_flight, s->nready, p, s->breaker.state == BREAKER_OPEN ? 1 : 0,
	    p, s->breaker.opened, s->latency_sum, s->latency_n);
}
