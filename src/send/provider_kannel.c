/*
 * provider_kannel — Kannel's smsbox sendsms interface (group = sendsms-user).
 *
 * Request: GET <kannel_url>?username&password&from&to&text&charset=UTF-8&coding=0|2
 * (UCS-2 for any text outside GSM-7, so Persian travels as UCS-2) and, when
 * outbox.public_url is set, dlr-mask=31 with a dlr-url carrying our client reference and
 * Kannel's %d (type) and %A (the SMSC's report text). Kannel answers 202 "0: Accepted
 * for delivery" or "3: Queued for later delivery" (both accepted; there is no message id
 * in the answer), 503 when it cannot take the message now (retried), 4xx for a bad
 * request or wrong credentials (permanent).
 *
 * DLR types: 1 delivered, 2 undeliverable, 4 buffered at the SMSC, 8 submitted to the
 * SMSC, 16 rejected by the SMSC. A report whose SMSC text says "stat:REJECTD" with
 * "err:" of a blocking kind, or contains "blocked"/"spam", marks the member blocked.
 */
#include "core/config.h"
#include "core/xalloc.h"
#include "http/form.h"
#include "send/provider.h"
#include "text/sms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void
param(struct buf *b, const char *name, const char *value)
{
	buf_putc(b, b->len == 0 || strchr(buf_cstr(b), '?') == NULL ? '?' : '&');
	buf_puts(b, name);
	buf_putc(b, '=');
	provider_urlencode(b, value);
}

static int
kannel_build(const struct config *cfg, const struct provider_msg *msg, struct provider_request *req,
             const char **error_r)
{
	struct buf url = BUF_INIT, dlr = BUF_INIT;
	struct sms_info info;

	if (cfg->outbox_kannel_url[0] == '\0') {
		*error_r = "outbox.kannel_url is not set";
		return -1;
	}
	sms_measure(msg->text, &info);
	buf_puts(&url, cfg->outbox_kannel_url);
	param(&url, "username", cfg->outbox_kannel_user);
	param(&url, "password", cfg->outbox_kannel_password);
	if (cfg->outbox_kannel_from[0] != '\0')
		param(&url, "from", cfg->outbox_kannel_from);
	param(&url, "to", msg->msisdn);
	param(&url, "text", msg->text);
	param(&url, "charset", "UTF-8");
	param(&url, "coding", info.encoding == SMS_UCS2 ? "2" : "0");
	provider_dlr_url(cfg, "kannel", msg->client_ref, "&type=%d&smsc_reply=%A", &dlr);
	if (dlr.len > 0) {
		param(&url, "dlr-mask", "31");
		param(&url, "dlr-url", buf_cstr(&dlr));
	}
	memset(req, 0, sizeof(*req));
	req->url = url.data != NULL ? url.data : xcalloc(1, 1);
	buf_free(&dlr);
	return 0;
}

static void
kannel_parse(const struct config *cfg, long status, const char *body, size_t len,
             struct provider_result *res)
{
	(void)cfg;
	(void)status;
	/* "0: Accepted for delivery", "3: Queued for later delivery"; anything else in a
	 * 2xx is odd: treat as accepted but record the answer. */
	if (len >= 2 && (body[0] == '0' || body[0] == '3') && body[1] == ':')
		return;
	res->outcome = SEND_OK;
	size_t n = len < 60 ? len : 60;
	snprintf(res->error, sizeof(res->error), "unexpected answer: %.*s", (int)n, body);
}

static int
kannel_dlr(const struct form *f, struct dlr_report *r, const char **error_r)
{
	char type[12], reply[256];
	memset(r, 0, sizeof(*r));
	if (provider_form_str(f, "ref", r->ref, sizeof(r->ref)) != 1 || r->ref[0] == '\0') {
		*error_r = "ref is missing or too long";
		return -1;
	}
	if (provider_form_str(f, "type", type, sizeof(type)) != 1 || type[0] == '\0') {
		*error_r = "type is missing";
		return -1;
	}
	char *end;
	long t = strtol(type, &end, 10);
	if (*end != '\0' || t < 0) {
		*error_r = "type is not a number";
		return -1;
	}
	if (provider_form_str(f, "smsc_reply", reply, sizeof(reply)) < 0)
		reply[0] = '\0';
	switch (t) {
	case 1:
		r->state = DLR_DELIVERED;
		snprintf(r->status, sizeof(r->status), "delivered");
		break;
	case 2:
		r->state = DLR_FAILED;
		snprintf(r->status, sizeof(r->status), "undeliverable");
		break;
	case 16:
		r->state = DLR_FAILED;
		snprintf(r->status, sizeof(r->status), "smsc_reject");
		break;
	case 4:
		r->state = DLR_ACCEPTED;
		snprintf(r->status, sizeof(r->status), "buffered");
		break;
	case 8:
		r->state = DLR_ACCEPTED;
		snprintf(r->status, sizeof(r->status), "smsc_submit");
		break;
	default:
		r->state = DLR_UNKNOWN;
		snprintf(r->status, sizeof(r->status), "type_%ld", t);
		break;
	}
	if (r->state == DLR_FAILED) {
		for (char *p = reply; *p != '\0'; p++)
			*p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
		if (strstr(reply, "blocked") != NULL || strstr(reply, "spam") != NULL ||
		    strstr(reply, "stat:rejectd") != NULL)
			r->blocked = 1;
	}
	return 0;
}

const struct provider provider_kannel = {
    .name = "kannel",
    .build = kannel_build,
    .parse = kannel_parse,
    .dlr = kannel_dlr,
};
