/*
 * sms_in — inbound SMS endpoints: Kannel's sms-service (GET/POST /sms/kannel[/SECRET])
 * and JSON (POST /sms/inbound). Event-loop thread.
 */
#ifndef GAMIGATE_HTTP_SMS_IN_H
#define GAMIGATE_HTTP_SMS_IN_H

#include "http/server.h"

void sms_kannel(struct http_ctx *ctx);
void sms_json(struct http_ctx *ctx);

#endif
