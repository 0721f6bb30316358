/*
 * dlr — /dlr/<adapter> (see dlr.h). Event-loop thread; jobs on pool workers.
 */
#include "http/dlr.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "http/form.h"
#include "send/sender.h"
#include "store/outbox.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DLR_PREFIX   "/dlr/"
#define DLR_MAX_BODY 8192

int
dlr_parse(const char *adapter, const char *query, const char *body, size_t body_len,
          struct dlr_report *r, const char **error_r)
{
	const struct provider *p = provider_find(adapter);
	struct form f;
	struct buf all = BUF_INIT;
	int rc = -1;

	memset(&f, 0, sizeof(f));
	if (p == NULL) {
		*error_r = "unknown adapter";
		return -1;
	}
	if (body_len > DLR_MAX_BODY) {
		*error_r = "report too long";
		return -1;
	}
	if (query != NULL)
		buf_puts(&all, query);
	if (body != NULL && body_len > 0) {
		if (all.len > 0)
			buf_putc(&all, '&');
		buf_append(&all, body, body_len);
	}
	if (form_parse(all.data != NULL ? all.data : "", all.len, &f, error_r) < 0)
		goto out;
	rc = p->dlr(&f, r, error_r);
out:
	form_free(&f);
	buf_free(&all);
	return rc;
}

static int
secret_matches(const char *expected, const char *given)
{
	size_t el = strlen(expected), gl = given != NULL ? strlen(given) : 0;
	unsigned char diff = (unsigned char)(el != gl || given == NULL);
	for (size_t i = 0; i < el; i++)
		diff |= (unsigned char)(expected[i] ^ (given != NULL && i < gl ? given[i] : 0));
	return diff == 0;
}

struct dlr_job {
	struct http_ctx *ctx;
	struct dlr_report r;
	int outcome;
	double latency;
};

static int
dlr_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct dlr_job *job = arg;
	return outbox_dlr_apply(conn, job->r.ref, job->r.provider_id, job->r.status,
	                        (int)job->r.state, job->r.blocked, &job->outcome, &job->latency,
	                        err);
}

static void
dlr_done(void *arg, int result, const struct db_error *err)
{
	struct dlr_job *job = arg;
	if (result < 0) {
		char msg[320];
		snprintf(msg, sizeof(msg), "database error: %s", err->msg);
		http_reply_error(job->ctx, 503, msg);
	} else {
		const char *what = job->outcome > 0    ? "applied"
		                   : job->outcome == 0 ? "duplicate"
		                                       : "unknown";
		if (job->outcome < 0)
			log_kv(LOG_INFO, "delivery report for an unknown reference", "ref",
			       job->r.ref, (const char *)NULL);
		sender_dlr(http_ctx_env(job->ctx)->sender, (int)job->r.state, job->outcome,
		           job->latency);
		struct buf b = BUF_INIT;
		buf_printf(&b, "{\"result\":\"%s\",\"state\":\"%s\"}\n", what,
		           job->r.state == DLR_DELIVERED  ? "delivered"
		           : job->r.state == DLR_FAILED   ? "failed"
		           : job->r.state == DLR_EXPIRED  ? "expired"
		           : job->r.state == DLR_ACCEPTED ? "accepted"
		                                          : "unknown");
		http_reply(job->ctx, 200, "application/json", b.data, b.len);
		buf_free(&b);
	}
	free(job);
}

void
dlr_handle(struct http_ctx *ctx)
{
	struct http_env *env = http_ctx_env(ctx);
	struct evhttp_request *req = http_ctx_req(ctx);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = evhttp_uri_get_path(uri);
	const char *query = evhttp_uri_get_query(uri);
	const char *adapter = path != NULL && strncmp(path, DLR_PREFIX, strlen(DLR_PREFIX)) == 0
	                          ? path + strlen(DLR_PREFIX)
	                          : "";
	const char *body = NULL, *why = NULL;
	size_t body_len = 0;
	struct form q;

	if (provider_find(adapter) == NULL) {
		http_reply_error(ctx, 404,
		                 "no such delivery-report adapter; use /dlr/kannel, "
		                 "/dlr/http or /dlr/twilio");
		return;
	}
	/* The secret first: nothing else is looked at without it. */
	memset(&q, 0, sizeof(q));
	form_parse(query != NULL ? query : "", query != NULL ? strlen(query) : 0, &q, &why);
	const struct buf *given = form_get(&q, "secret");
	const char *secret = given != NULL ? buf_cstr((struct buf *)given) : NULL;
	if (secret == NULL)
		secret =
		    evhttp_find_header(evhttp_request_get_input_headers(req), "X-Gamigate-Secret");
	int ok = env->cfg->outbox_dlr_secret[0] != '\0' &&
	         secret_matches(env->cfg->outbox_dlr_secret, secret);
	form_free(&q);
	if (!ok) {
		log_kv(LOG_WARN, "delivery report refused: secret missing or wrong", "adapter",
		       adapter, (const char *)NULL);
		http_reply_error(ctx, 403, "secret missing or wrong (outbox.dlr_secret)");
		return;
	}
	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		body_len = evbuffer_get_length(in);
		body = body_len > 0 ? (const char *)evbuffer_pullup(in, -1) : NULL;
	}
	struct dlr_job *job = xcalloc(1, sizeof(*job));
	job->ctx = ctx;
	if (dlr_parse(adapter, query, body, body_len, &job->r, &why) < 0) {
		char msg[200];
		snprintf(msg, sizeof(msg), "bad delivery report: %s", why);
		http_reply_error(ctx, 400, msg);
		free(job);
		return;
	}
	if (http_submit(ctx, dlr_run, dlr_done, job) < 0)
		free(job);
}
