/*
 * reminders_api — the admin API for reminders (bearer token):
 *   GET  /api/v1/reminders                 every reminder and the last 20 runs with
 *                                          their outbox figures
 *   POST /api/v1/reminders                 add (or replace) one: the body is the
 *                                          reminder JSON (README.md, "Reminders")
 *   POST /api/v1/reminders/<id>/pause|resume|run-now
 * Event-loop thread; the work runs as pool jobs.
 */
#ifndef GAMIGATE_HTTP_REMINDERS_API_H
#define GAMIGATE_HTTP_REMINDERS_API_H

#include "http/server.h"

void reminders_api_get(struct http_ctx *ctx);
void reminders_api_post(struct http_ctx *ctx);

#endif
