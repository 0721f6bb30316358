/*
 * provider — shared parts of the adapters: the adapter table, status classification,
 * URL encoding, DLR URLs and status words. Any thread.
 */
#include "send/provider.h"
#include "core/config.h"
#include "http/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct provider *const providers[] = {&provider_kannel, &provider_http,
                                                   &provider_twilio};

const struct provider *
provider_find(const char *name)
{
	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++) {
		if (strcmp(providers[i]->name, name) == 0)
			return providers[i];
	}
	return NULL;
}

void
provider_classify(const struct provider *p, const struct config *cfg, int curl_ok, long status,
                  const char *body, size_t len, struct provider_result *res)
{
	memset(res, 0, sizeof(*res));
	if (!curl_ok) {
		res->outcome = SEND_RETRY;
		snprintf(res->error, sizeof(res->error), "no answer from the provider");
		return;
	}
	if (status >= 200 && status < 300) {
		res->outcome = SEND_OK;
		p->parse(cfg, status, body, len, res);
		return;
	}
	res->outcome = (status == 429 || status >= 500 || status == 408) ? SEND_RETRY : SEND_FAIL;
	/* The first line of the answer says why; keep it printable. */
	size_t n = 0;
	char line[100];
	for (size_t i = 0; i < len && n < sizeof(line) - 1 && body[i] != '\n'; i++)
		line[n++] = (body[i] >= 0x20 && body[i] < 0x7f) ? body[i] : '?';
	line[n] = '\0';
	snprintf(res->error, sizeof(res->error), "HTTP %ld %s", status, line);
}

void
provider_request_free(struct provider_request *req)
{
	free(req->url);
	free(req->body);
	for (unsigned i = 0; i < req->nheaders; i++)
		free(req->headers[i]);
	free(req->userpwd);
	memset(req, 0, sizeof(*req));
}

void
provider_urlencode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

void
provider_dlr_url(const struct config *cfg, const char *name, const char *ref, const char *extra,
                 struct buf *out)
{
	const char *base = cfg->outbox_public_url;
	size_t len = strlen(base);
	if (len == 0)
		return;
	while (len > 0 && base[len - 1] == '/')
		len--;
	buf_append(out, base, len);
	buf_printf(out, "/dlr/%s?secret=", name);
	provider_urlencode(out, cfg->outbox_dlr_secret);
	buf_puts(out, "&ref=");
	provider_urlencode(out, ref);
	buf_puts(out, extra);
}

int
provider_form_str(const struct form *f, const char *name, char *out, size_t size)
{
	const struct buf *v = form_get(f, name);
	out[0] = '\0';
	if (v == NULL)
		return 0;
	if (v->len >= size || (v->len > 0 && memchr(v->data, '\0', v->len) != NULL))
		return -1;
	if (v->len > 0)
		memcpy(out, v->data, v->len);
	out[v->len] = '\0';
	return 1;
}

enum dlr_state
provider_status_word(const char *word, int *blocked_r)
{
	static const struct {
		const char *word;
		enum dlr_state state;
		int blocked;
	} words[] = {
	    {"delivered", DLR_DELIVERED, 0}, {"delivrd", DLR_DELIVERED, 0},
	    {"read", DLR_DELIVERED, 0},      {"undelivered", DLR_FAILED, 0},
	    {"undeliv", DLR_FAILED, 0},      {"failed", DLR_FAILED, 0},
	    {"rejected", DLR_FAILED, 0},     {"rejectd", DLR_FAILED, 0},
	    {"deleted", DLR_FAILED, 0},      {"blocked", DLR_FAILED, 1},
	    {"filtered", DLR_FAILED, 1},     {"spam", DLR_FAILED, 1},
	    {"expired", DLR_EXPIRED, 0},     {"sent", DLR_ACCEPTED, 0},
	    {"accepted", DLR_ACCEPTED, 0},   {"acceptd", DLR_ACCEPTED, 0},
	    {"queued", DLR_ACCEPTED, 0},     {"buffered", DLR_ACCEPTED, 0},
	    {"sending", DLR_ACCEPTED, 0},    {"enroute", DLR_ACCEPTED, 0},
	    {"submitted", DLR_ACCEPTED, 0},
	};
	*blocked_r = 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcasecmp(word, words[i].word) == 0) {
			*blocked_r = words[i].blocked;
			return words[i].state;
		}
	}
	return DLR_UNKNOWN;
}
