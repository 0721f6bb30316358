/*
 * routes — the table of HTTP endpoints. Adding an endpoint is adding a row here and a
 * handler in its module. Read-only data; event-loop thread.
 */
#ifndef GAMIGATE_HTTP_ROUTES_H
#define GAMIGATE_HTTP_ROUTES_H

#include "http/server.h"

extern const struct http_route http_routes[];
extern const unsigned http_routes_count;
/* http_routes[i].label, as an array for the metrics module. */
extern const char *const http_routes_labels[];

#endif
