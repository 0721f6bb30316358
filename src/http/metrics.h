/*
 * metrics — counters and a latency histogram for the Prometheus text format.
 *
 * Request counters are updated and rendered on the event-loop thread only; pool and
 * database figures are read from their own (locked or atomic) sources at render time.
 */
#ifndef GAMIGATE_HTTP_METRICS_H
#define GAMIGATE_HTTP_METRICS_H

#include <stdint.h>

#include "core/buf.h"
#include "store/vouchers.h"

struct metrics;

/* route_names: labels for route indexes 0..nroutes-1; index nroutes is "other". */
struct metrics *metrics_new(const char *const *route_names, unsigned nroutes);
void metrics_free(struct metrics *m);

/* Counts one answered request. route may be nroutes for "other". */
void metrics_request(struct metrics *m, unsigned route, int status, double seconds);
/* Counts a request refused before it ran (reason: "queue_full", "draining"). */
void metrics_rejected(struct metrics *m, const char *reason);

/* Counts one inbound SMS by adapter ("kannel", "json") and outcome ("replied",
 * "no_reply", "rate_limited", "silenced", "ignored", "duplicate", "error"). */
void metrics_sms(struct metrics *m, const char *adapter, const char *outcome);

/* Appends the request metrics in the Prometheus text format. */
void metrics_render(struct metrics *m, struct buf *out);

/* The voucher pools' stock as last read (replaces the previous reading): gauges of free
 * and total codes and whether the pool is low (vouchers_low), per pool. */
void metrics_vouchers(struct metrics *m, const struct vouchers_stock *rows, size_t n);

#endif
