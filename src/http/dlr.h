/*
 * dlr — delivery reports: GET or POST /dlr/<adapter> (kannel, http, twilio). The
 * request carries outbox.dlr_secret (query field "secret" or X-Gamigate-Secret header)
 * and our client reference; the adapter maps its status to the internal model and the
 * row moves forward only (store/outbox.h), so duplicate and out-of-order reports do no
 * harm. A report meaning "blocked / advertising filter" opts the member out of
 * promotional messages. Answers 200 {"result": "applied"|"duplicate"|"unknown"}, 400 for
 * a malformed report, 403 for a missing or wrong secret, 404 for an unknown adapter.
 *
 * Event-loop thread; the update runs as a pool job.
 */
#ifndef GAMIGATE_HTTP_DLR_H
#define GAMIGATE_HTTP_DLR_H

#include <stddef.h>

#include "http/server.h"
#include "send/provider.h"

/* Parses a report for adapter from the query and the form body (either may be NULL).
 * 0 ok, -1 with *error_r (static text). Pure; any thread (fuzzed). */
int dlr_parse(const char *adapter, const char *query, const char *body, size_t body_len,
              struct dlr_report *r, const char **error_r);

void dlr_handle(struct http_ctx *ctx);

#endif
