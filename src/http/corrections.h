/*
 * corrections (http) — support's corrections over the admin API, behind the admin
 * bearer token (game/adjust.h does the work):
 *
 *   POST /api/v1/points/adjust  {"msisdn", "points", "reason", "ref", "campaign"?}
 *   POST /api/v1/points/reverse {"ref", "reason"?}
 *
 * "ref" is required for adjust (the idempotency key: a ref applies at most once).
 * Answers 200 {"status": "done"|"already", "msisdn" (masked), "ledger_ref", "delta",
 * "balance"}; 400 bad input; 404 no such subscriber / ledger row; 409 refused (balance
 * short, a reversal, nothing to reverse) with nothing changed; 503 the database failed
 * (send it again: a ref is applied once). Event-loop thread, except the jobs.
 */
#ifndef GAMIGATE_HTTP_CORRECTIONS_H
#define GAMIGATE_HTTP_CORRECTIONS_H

#include "http/server.h"

void corrections_adjust(struct http_ctx *ctx);
void corrections_reverse(struct http_ctx *ctx);

#endif
