/*
 * admin — the admin JSON API under /api/v1 (bearer token). Handlers run on the
 * event-loop thread and hand their database work to the pool.
 */
#ifndef GAMIGATE_HTTP_ADMIN_H
#define GAMIGATE_HTTP_ADMIN_H

#include "http/server.h"

/* GET /api/v1/status: this node, the database version, the schema, the live nodes. */
void admin_status(struct http_ctx *ctx);

#endif
