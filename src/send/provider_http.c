/*
 * provider_http — a generic HTTP SMS API, configured rather than coded: POST to
 * outbox.http_url a JSON object or a form with the recipient, text, sender, our client
 * reference (for the provider's de-duplication) and the delivery-report URL under the
 * field names the provider wants, plus one configurable header (usually the
 * Authorization). A 2xx answer is accepted; the provider's id is read from the JSON
 * member outbox.http_field_id when the answer is a JSON object.
 *
 * Delivery reports: /dlr/http?secret=...&ref=<our ref> (in the URL we give) with a
 * "status" field (query or form) holding a status word (delivered, failed, expired,
 * blocked, ...; see provider_status_word) and optionally "id".
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
field(struct buf *b, int json, const char *name, const char *value)
{
	if (name[0] == '\0')
		return;
	if (json) {
		if (b->len > 1)
			buf_putc(b, ',');
		buf_json_str(b, name);
		buf_putc(b, ':');
		buf_json_str(b, value);
	} else {
		if (b->len > 0)
			buf_putc(b, '&');
		provider_urlencode(b, name);
		buf_putc(b, '=');
		provider_urlencode(b, value);
	}
}

static int
http_build(const struct config *cfg, const struct provider_msg *msg, struct provider_request *req,
           const char **error_r)
{
	int json = strcmp(cfg->outbox_http_format, "json") == 0;
	struct buf body = BUF_INIT, dlr = BUF_INIT;

	if (cfg->outbox_http_url[0] == '\0') {
		*error_r = "outbox.http_url is not set";
		return -1;
	}
	if (json)
		buf_putc(&body, '{');
	field(&body, json, cfg->outbox_http_field_to, msg->msisdn);
	field(&body, json, cfg->outbox_http_field_text, msg->text);
	if (cfg->outbox_http_from[0] != '\0')
		field(&body, json, cfg->outbox_http_field_from, cfg->outbox_http_from);
	field(&body, json, cfg->outbox_http_field_ref, msg->client_ref);
	provider_dlr_url(cfg, "http", msg->client_ref, "", &dlr);
	if (dlr.len > 0)
		field(&body, json, cfg->outbox_http_field_callback, buf_cstr(&dlr));
	if (json)
		buf_putc(&body, '}');
	buf_free(&dlr);

	memset(req, 0, sizeof(*req));
	req->url = xstrdup(cfg->outbox_http_url);
	req->body = body.data != NULL ? body.data : xcalloc(1, 1);
	req->headers[req->nheaders++] =
	    xstrdup(json ? "Content-Type: application/json"
	                 : "Content-Type: application/x-www-form-urlencoded");
	if (cfg->outbox_http_auth_header[0] != '\0')
		req->headers[req->nheaders++] = xstrdup(cfg->outbox_http_auth_header);
	return 0;
}

static void
http_parse(const struct config *cfg, long status, const char *body, size_t len,
           struct provider_result *res)
{
	(void)status;
	if (len == 0 || cfg->outbox_http_field_id[0] == '\0')
		return;
	json_t *root = json_loadb(body, len, 0, NULL);
	if (root == NULL)
		return;
	json_t *id = json_object_get(root, cfg->outbox_http_field_id);
	if (json_is_string(id))
		snprintf(res->provider_id, sizeof(res->provider_id), "%s", json_string_value(id));
	else if (json_is_integer(id))
		snprintf(res->provider_id, sizeof(res->provider_id), "%" JSON_INTEGER_FORMAT,
		         json_integer_value(id));
	json_decref(root);
}

static int
http_dlr(const struct form *f, struct dlr_report *r, const char **error_r)
{
	memset(r, 0, sizeof(*r));
	if (provider_form_str(f, "ref", r->ref, sizeof(r->ref)) != 1 || r->ref[0] == '\0') {
		*error_r = "ref is missing or too long";
		return -1;
	}
	if (provider_form_str(f, "status", r->status, sizeof(r->status)) != 1 ||
	    r->status[0] == '\0') {
		*error_r = "status is missing or too long";
		return -1;
	}
	if (provider_form_str(f, "id", r->provider_id, sizeof(r->provider_id)) < 0) {
		*error_r = "id is too long";
		return -1;
	}
	r->state = provider_status_word(r->status, &r->blocked);
	return 0;
}

const struct provider provider_http = {
    .name = "http",
    .build = http_build,
    .parse = http_parse,
    .dlr = http_dlr,
};
