/*
 * ops — endpoints for operators' probes: /healthz and /metrics. Both answer from the
 * event loop with data already in memory; neither ever waits for the database.
 * Event-loop thread only.
 */
#ifndef GAMIGATE_HTTP_OPS_H
#define GAMIGATE_HTTP_OPS_H

#include "http/server.h"

void ops_healthz(struct http_ctx *ctx);
void ops_metrics(struct http_ctx *ctx);

#endif
