/*
 * routes — the table of HTTP endpoints. Read-only data.
 */
#include "http/routes.h"
#include "http/admin.h"
#include "http/ops.h"

const struct http_route http_routes[] = {
    {"GET", "/healthz", "healthz", ops_healthz, 1},
    {"GET", "/metrics", "metrics", ops_metrics, 1},
    {"GET", "/api/v1/status", "api_status", admin_status, 0},
};

const unsigned http_routes_count = sizeof(http_routes) / sizeof(http_routes[0]);

const char *const http_routes_labels[] = {
    "healthz",
    "metrics",
    "api_status",
};

_Static_assert(sizeof(http_routes_labels) / sizeof(http_routes_labels[0]) ==
                   sizeof(http_routes) / sizeof(http_routes[0]),
               "every route needs its metrics label");
