/*
 * provider_twilio — the Twilio-compatible Messages API (Twilio itself and the many
 * providers that copy it): POST <twilio_url>/2010-04-01/Accounts/<sid>/Messages.json
 * as a form (To, From, Body, StatusCallback) with basic auth sid:token. The answer is
 * 201 with a JSON object whose "sid" is the provider's message id.
 *
 * Delivery reports: StatusCallback = /dlr/twilio?secret=...&ref=<our ref>; Twilio posts
 * MessageSid, MessageStatus (queued, sending, sent, delivered, undelivered, failed,
 * read) and ErrorCode. ErrorCode 30007 (carrier filtering) and 21610 (the recipient
 * unsubscribed at the carrier) mark the member blocked.
 */
#include "core/config.h"
#include "core/xalloc.h"
#include "http/form.h"
#include "send/provider.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
field(struct buf *b, const char *name, const char *value)
{
	if (b->len > 0)
		buf_putc(b, '&');
	buf_puts(b, name);
	buf_putc(b, '=');
	provider_urlencode(b, value);
}

static int
twilio_build(const struct config *cfg, const struct provider_msg *msg, struct provider_request *req,
             const char **error_r)
{
	struct buf url = BUF_INIT, body = BUF_INIT, dlr = BUF_INIT;

	if (cfg->outbox_twilio_sid[0] == '\0' || cfg->outbox_twilio_url[0] == '\0') {
		*error_r = "outbox.twilio_sid or outbox.twilio_url is not set";
		return -1;
	}
	size_t n = strlen(cfg->outbox_twilio_url);
	while (n > 0 && cfg->outbox_twilio_url[n - 1] == '/')
		n--;
	buf_append(&url, cfg->outbox_twilio_url, n);
	buf_puts(&url, "/2010-04-01/Accounts/");
	provider_urlencode(&url, cfg->outbox_twilio_sid);
	buf_puts(&url, "/Messages.json");

	field(&body, "To", msg->msisdn);
	if (cfg->outbox_twilio_from[0] != '\0')
		field(&body, "From", cfg->outbox_twilio_from);
	field(&body, "Body", msg->text);
	provider_dlr_url(cfg, "twilio", msg->client_ref, "", &dlr);
	if (dlr.len > 0)
		field(&body, "StatusCallback", buf_cstr(&dlr));
	buf_free(&dlr);

	memset(req, 0, sizeof(*req));
	req->url = url.data;
	req->body = body.data;
	req->headers[req->nheaders++] = xstrdup("Content-Type: application/x-www-form-urlencoded");
	/* Providers that de-duplicate honour an idempotency key (Twilio ignores it). */
	struct buf key = BUF_INIT;
	buf_printf(&key, "I-Twilio-Idempotency-Token: %s", msg->client_ref);
	req->headers[req->nheaders++] = key.data;
	struct buf up = BUF_INIT;
	buf_printf(&up, "%s:%s", cfg->outbox_twilio_sid, cfg->outbox_twilio_token);
	req->userpwd = up.data;
	return 0;
}

static void
twilio_parse(const struct config *cfg, long status, const char *body, size_t len,
             struct provider_result *res)
{
	(void)cfg;
	(void)status;
	json_t *root = len > 0 ? json_loadb(body, len, 0, NULL) : NULL;
	json_t *sid = root != NULL ? json_object_get(root, "sid") : NULL;
	if (json_is_string(sid))
		snprintf(res->provider_id, sizeof(res->provider_id), "%s", json_string_value(sid));
	json_decref(root);
}

static int
twilio_dlr(const struct form *f, struct dlr_report *r, const char **error_r)
{
	char code[16];
	memset(r, 0, sizeof(*r));
	if (provider_form_str(f, "ref", r->ref, sizeof(r->ref)) != 1 || r->ref[0] == '\0') {
		*error_r = "ref is missing or too long";
		return -1;
	}
	if (provider_form_str(f, "MessageStatus", r->status, sizeof(r->status)) != 1 ||
	    r->status[0] == '\0') {
		*error_r = "MessageStatus is missing or too long";
		return -1;
	}
	if (provider_form_str(f, "MessageSid", r->provider_id, sizeof(r->provider_id)) < 0) {
		*error_r = "MessageSid is too long";
		return -1;
	}
	r->state = provider_status_word(r->status, &r->blocked);
	if (provider_form_str(f, "ErrorCode", code, sizeof(code)) == 1 &&
	    (strcmp(code, "30007") == 0 || strcmp(code, "21610") == 0))
		r->blocked = 1;
	if (r->blocked && r->state != DLR_FAILED)
		r->state = DLR_FAILED;
	return 0;
}

const struct provider provider_twilio = {
    .name = "twilio",
    .build = twilio_build,
    .parse = twilio_parse,
    .dlr = twilio_dlr,
};
