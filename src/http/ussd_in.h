/*
 * ussd_in — the USSD endpoint in the Africa's Talking convention: POST /ussd/at (form
 * fields sessionId, serviceCode, phoneNumber, networkCode, text) answered in text/plain
 * with "CON ..." or "END ...", and POST /ussd/at/end, the end-of-session notification
 * (sessionId, status, ...). Protected by inbound.ussd_secret (query field `secret` or
 * header X-Gamigate-Secret) and/or inbound.ussd_allow_ips. Event-loop thread.
 */
#ifndef GAMIGATE_HTTP_USSD_IN_H
#define GAMIGATE_HTTP_USSD_IN_H

#include "http/server.h"

void ussd_at(struct http_ctx *ctx);
void ussd_at_end(struct http_ctx *ctx);

/* Housekeeping: one pool job deleting USSD sessions and steps older than ussd.keep_hours
 * (a few batches; the next call goes on). Does nothing while the previous job runs or
 * when ussd.keep_hours is 0. Event-loop thread; call it only when the pool is idle. */
void ussd_purge_start(struct http_env *env);

#endif
