/*
 * draws (http) — GET /api/v1/draws and GET /api/v1/draws/DRAW behind the admin bearer
 * token: where each draw stands and what was published (the commitment, the export's
 * hash and totals; once run, the revealed seed, the beacon, the result's hash and the
 * winners, masked). A sealed seed is never shown before the run. Event-loop thread;
 * the database work runs on a pool worker.
 */
#ifndef GAMIGATE_HTTP_DRAWS_H
#define GAMIGATE_HTTP_DRAWS_H

#include "http/server.h"

/* GET /api/v1/draws[/DRAW]. */
void draws_api_get(struct http_ctx *ctx);

#endif
