/*
 * routes — the table of HTTP endpoints. Read-only data.
 */
#include "http/routes.h"
#include "http/admin.h"
#include "http/corrections.h"
#include "http/draws.h"
#include "http/dlr.h"
#include "http/reminders_api.h"
#include "http/events.h"
#include "http/ops.h"
#include "http/sms_in.h"
#include "http/ussd_in.h"

const struct http_route http_routes[] = {
    {.method = "GET", .path = "/healthz", .label = "healthz", .handler = ops_healthz, .quiet = 1},
    {.method = "GET", .path = "/metrics", .label = "metrics", .handler = ops_metrics, .quiet = 1},
    {.method = "GET", .path = "/api/v1/status", .label = "api_status", .handler = admin_status},
    {.method = "POST", .path = "/api/v1/events", .label = "api_events", .handler = events_api_post},
    {.method = "GET",
     .path = "/sms/kannel",
     .label = "kannel_get",
     .handler = sms_kannel,
     .prefix = 1},
    {.method = "POST",
     .path = "/sms/kannel",
     .label = "kannel_post",
     .handler = sms_kannel,
     .prefix = 1},
    {.method = "POST", .path = "/sms/inbound", .label = "sms_json", .handler = sms_json},
    {.method = "POST", .path = "/ussd/at", .label = "ussd_at", .handler = ussd_at},
    {.method = "POST", .path = "/ussd/at/end", .label = "ussd_at_end", .handler = ussd_at_end},
    {.method = "POST",
     .path = "/api/v1/points/adjust",
     .label = "api_points_adjust",
     .handler = corrections_adjust},
    {.method = "POST",
     .path = "/api/v1/points/reverse",
     .label = "api_points_reverse",
     .handler = corrections_reverse},
    {.method = "GET",
     .path = "/api/v1/draws",
     .label = "api_draws",
     .handler = draws_api_get,
     .prefix = 1},
    {.method = "GET", .path = "/dlr", .label = "dlr_get", .handler = dlr_handle, .prefix = 1},
    {.method = "POST", .path = "/dlr", .label = "dlr_post", .handler = dlr_handle, .prefix = 1},
    {.method = "GET",
     .path = "/api/v1/reminders",
     .label = "api_reminders",
     .handler = reminders_api_get},
    {.method = "POST",
     .path = "/api/v1/reminders",
     .label = "api_reminders_post",
     .handler = reminders_api_post,
     .prefix = 1},
};

const unsigned http_routes_count = sizeof(http_routes) / sizeof(http_routes[0]);

/* clang-format off */
const char *const http_routes_labels[] = {
    "healthz",     "metrics",  "api_status", "api_events",  "kannel_get",
    "kannel_post", "sms_json", "ussd_at",    "ussd_at_end",
    "api_points_adjust", "api_points_reverse",
    "api_draws",
    "dlr_get", "dlr_post", "api_reminders", "api_reminders_post",
};
/* clang-format on */

_Static_assert(sizeof(http_routes_labels) / sizeof(http_routes_labels[0]) ==
                   sizeof(http_routes) / sizeof(http_routes[0]),
               "every route needs its metrics label");
