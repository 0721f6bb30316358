/*
 * events (http) — POST /api/v1/events: external events (recharges, bundles, bills,
 * custom) from the billing system, one object or a batch of up to 1000, behind the
 * admin bearer token. Items are checked on the loop thread; one pool job applies the
 * valid ones, each in its own transaction (game/events.h); the answer lists one result
 * per item, in order. Event-loop thread.
 */
#ifndef GAMIGATE_HTTP_EVENTS_H
#define GAMIGATE_HTTP_EVENTS_H

#include "http/server.h"

#define EVENTS_API_BATCH_MAX 1000

/* POST /api/v1/events. */
void events_api_post(struct http_ctx *ctx);

#endif
