/*
 * server — libevent HTTP server, routing, request contexts, draining shutdown.
 *
 * Ownership: a struct http_ctx is created when a request arrives and freed by
 * http_reply(), the only way out, so every request is answered exactly once. If the
 * client went away meanwhile, libevent frees the request inside evhttp_send_reply.
 * Event-loop thread only.
 */
#include "http/server.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "http/metrics.h"
#include "http/routes.h"
#include "text/mask.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define URI_LOG_MAX 512

struct http_ctx {
	struct http_server *srv;
	struct evhttp_request *req;
	unsigned route; /* index into http_routes, or http_routes_count for "other" */
	char id[65];
	struct timespec start;
	struct http_ctx *prev, *next;
};

struct http_server {
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *sock;
	struct http_env *env;
	struct metrics *metrics;
	struct event *grace;
	struct http_ctx *inflight_list;
	unsigned inflight;
	unsigned sending; /* replies handed to libevent but not yet written out */
	bool draining;
	int port;
	unsigned id_prefix;
	unsigned long long id_counter;
};

struct http_env *
http_ctx_env(struct http_ctx *ctx)
{
	return ctx->srv->env;
}

struct evhttp_request *
http_ctx_req(struct http_ctx *ctx)
{
	return ctx->req;
}

struct http_server *
http_ctx_server(struct http_ctx *ctx)
{
	return ctx->srv;
}

struct metrics *
http_server_metrics(struct http_server *srv)
{
	return srv->metrics;
}

int
http_server_draining(struct http_server *srv)
{
	return srv->draining;
}

unsigned
http_server_inflight(struct http_server *srv)
{
	return srv->inflight;
}

int
http_server_port(struct http_server *srv)
{
	return srv->port;
}

static double
elapsed_s(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static const char *
method_name(struct evhttp_request *req)
{
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_OPTIONS:
		return "OPTIONS";
	case EVHTTP_REQ_TRACE:
		return "TRACE";
	case EVHTTP_REQ_CONNECT:
		return "CONNECT";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	}
	return "OTHER";
}

/* Ends the loop once draining and every reply has been written to its socket (ending
 * it after evhttp_send_reply alone would drop replies still in the output buffer). */
static void
maybe_finish_drain(struct http_server *srv)
{
	if (srv->draining && srv->inflight == 0 && srv->sending == 0)
		event_base_loopexit(srv->base, NULL);
}

static void
reply_written(struct evhttp_request *req, void *arg)
{
	struct http_server *srv = arg;
	(void)req;
	srv->sending--;
	maybe_finish_drain(srv);
}

/*
 * Hides secrets in a URI before it is logged, in place: the values of query fields
 * named secret, token, password or pass, and, for prefix routes, the path segment
 * after the route's path (where a secret may travel, /sms/kannel/SECRET).
 */
static void
redact_secrets(char *uri, size_t prefix_len)
{
	static const char *const names[] = {"secret=", "token=", "password=", "pass="};
	char out[URI_LOG_MAX + 1];
	size_t o = 0;
	char *q = strchr(uri, '?');
	size_t path_end = q != NULL ? (size_t)(q - uri) : strlen(uri);

	for (size_t i = 0; uri[i] != '\0' && o + 4 < sizeof(out);) {
		if (prefix_len > 0 && i == prefix_len && uri[i] == '/' && i < path_end) {
			memcpy(out + o, "/***", 4);
			o += 4;
			i = path_end;
			continue;
		}
		int field_start = i > path_end && (uri[i - 1] == '?' || uri[i - 1] == '&');
		size_t matched = 0;
		for (size_t n = 0; field_start && matched == 0 && n < 4; n++) {
			if (strncmp(uri + i, names[n], strlen(names[n])) == 0)
				matched = strlen(names[n]);
		}
		if (matched > 0) {
			if (o + matched + 3 >= sizeof(out))
				break;
			memcpy(out + o, uri + i, matched);
			o += matched;
			memcpy(out + o, "***", 3);
			o += 3;
			i += matched;
			while (uri[i] != '\0' && uri[i] != '&')
				i++;
			continue;
		}
		out[o++] = uri[i++];
	}
	out[o] = '\0';
	memcpy(uri, out, o + 1);
}

static void
log_request(struct http_ctx *ctx, int status, double seconds, size_t bytes)
{
	struct evhttp_request *req = ctx->req;
	struct buf uri = BUF_INIT;
	char peer[64] = "", status_s[8], ms[32], bytes_s[24];
	const char *uri_raw = evhttp_request_get_uri(req);
	struct evhttp_connection *conn = evhttp_request_get_connection(req);

	if (uri_raw == NULL)
		uri_raw = "";
	/* Cut before masking would be wrong (a number could straddle the cut); mask a
	 * bounded copy instead. */
	char cut[URI_LOG_MAX + 1];
	snprintf(cut, sizeof(cut), "%s", uri_raw);
	redact_secrets(cut, ctx->route < http_routes_count && http_routes[ctx->route].prefix
	                        ? strlen(http_routes[ctx->route].path)
	                        : 0);
	mask_phones(cut, &uri);
	if (conn != NULL) {
		const char *addr = NULL;
		ev_uint16_t port = 0;
		evhttp_connection_get_peer(conn, (char **)&addr, &port);
		if (addr != NULL)
			snprintf(peer, sizeof(peer), "%s", addr);
	}
	snprintf(status_s, sizeof(status_s), "%d", status);
	snprintf(ms, sizeof(ms), "%.3f", seconds * 1000.0);
	snprintf(bytes_s, sizeof(bytes_s), "%zu", bytes);
	bool quiet = ctx->route < http_routes_count && http_routes[ctx->route].quiet;
	log_kv(quiet && status < 400 ? LOG_DEBUG : LOG_INFO, "request", "id", ctx->id, "method",
	       method_name(req), "uri", buf_cstr(&uri), "status", status_s, "ms", ms, "bytes",
	       bytes_s, "peer", peer, (const char *)NULL);
	buf_free(&uri);
}

static void
ctx_unlink(struct http_ctx *ctx)
{
	struct http_server *srv = ctx->srv;
	if (ctx->prev != NULL)
		ctx->prev->next = ctx->next;
	else
		srv->inflight_list = ctx->next;
	if (ctx->next != NULL)
		ctx->next->prev = ctx->prev;
	srv->inflight--;
}

void
http_reply(struct http_ctx *ctx, int status, const char *content_type, const char *body, size_t len)
{
	struct http_server *srv = ctx->srv;
	struct evhttp_request *req = ctx->req;
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct evbuffer *buf = evbuffer_new();
	double seconds = elapsed_s(&ctx->start);

	if (content_type != NULL)
		evhttp_add_header(out, "Content-Type", content_type);
	evhttp_add_header(out, "X-Request-Id", ctx->id);
	evhttp_add_header(out, "Cache-Control", "no-store");
	if (srv->draining)
		evhttp_add_header(out, "Connection", "close");
	if (len > 0)
		evbuffer_add(buf, body, len);
	metrics_request(srv->metrics, ctx->route, status, seconds);
	log_request(ctx, status, seconds, len);
	if (evhttp_request_get_connection(req) != NULL) {
		/* The client is still there: count the reply until libevent wrote it. */
		srv->sending++;
		evhttp_request_set_on_complete_cb(req, reply_written, srv);
	}
	evhttp_send_reply(req, status, NULL, buf);
	evbuffer_free(buf);
	ctx_unlink(ctx);
	free(ctx);
	maybe_finish_drain(srv);
}

void
http_reply_error(struct http_ctx *ctx, int status, const char *message)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "{\"error\":");
	buf_json_str(&b, message);
	buf_printf(&b, ",\"request_id\":\"%s\"}\n", ctx->id);
	http_reply(ctx, status, "application/json", b.data, b.len);
	buf_free(&b);
}

int
http_submit(struct http_ctx *ctx, db_job_run_fn *run, db_job_done_fn *done, void *arg)
{
	return http_submit_batchable(ctx, NULL, run, done, arg);
}

int
http_submit_batchable(struct http_ctx *ctx, const struct db_batch_kind *kind, db_job_run_fn *run,
                      db_job_done_fn *done, void *arg)
{
	if (db_pool_submit_batchable(ctx->srv->env->pool, kind, run, done, arg) == 0)
		return 0;
	metrics_rejected(ctx->srv->metrics, "queue_full");
	evhttp_add_header(evhttp_request_get_output_headers(ctx->req), "Retry-After", "1");
	http_reply_error(ctx, 503, "busy, try again in a moment");
	return -1;
}

int
http_require_admin(struct http_ctx *ctx)
{
	const char *token = ctx->srv->env->cfg->admin_token;
	const char *auth =
	    evhttp_find_header(evhttp_request_get_input_headers(ctx->req), "Authorization");
	static const char prefix[] = "Bearer ";
	size_t tlen = strlen(token);

	if (auth != NULL && strncmp(auth, prefix, sizeof(prefix) - 1) == 0 && tlen > 0) {
		const char *given = auth + sizeof(prefix) - 1;
		size_t glen = strlen(given);
		unsigned char diff = (unsigned char)(glen != tlen);
		/* Compare every byte whatever the lengths, so timing tells nothing. */
		for (size_t i = 0; i < tlen; i++)
			diff |= (unsigned char)(token[i] ^ (i < glen ? given[i] : 0));
		if (diff == 0)
			return 0;
	}
	evhttp_add_header(evhttp_request_get_output_headers(ctx->req), "WWW-Authenticate",
	                  "Bearer realm=\"gamigate\"");
	log_kv(LOG_WARN, "admin request refused", "id", ctx->id, "reason",
	       auth == NULL ? "no Authorization header" : "wrong token", (const char *)NULL);
	http_reply_error(ctx, 401,
	                 "admin token missing or wrong: send Authorization: Bearer <admin.token>");
	return -1;
}

static bool
request_id_valid(const char *s)
{
	size_t n = 0;
	for (; s[n] != '\0'; n++) {
		char c = s[n];
		if (n >= 64 || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		                 (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return false;
	}
	return n > 0;
}

/* Size of the request line plus headers, as received. */
static size_t
header_bytes(struct evhttp_request *req)
{
	const char *uri = evhttp_request_get_uri(req);
	size_t n = uri != NULL ? strlen(uri) + 16 : 16;
	for (struct evkeyval *h = evhttp_request_get_input_headers(req)->tqh_first; h != NULL;
	     h = h->next.tqe_next)
		n += strlen(h->key) + strlen(h->value) + 4;
	return n;
}

static bool
route_path_matches(const struct http_route *r, const char *path)
{
	size_t n = strlen(r->path);
	if (strncmp(r->path, path, n) != 0)
		return false;
	return path[n] == '\0' || (r->prefix && path[n] == '/');
}

static void
dispatch(struct evhttp_request *req, void *arg)
{
	struct http_server *srv = arg;
	struct http_ctx *ctx = xcalloc(1, sizeof(*ctx));
	const char *given_id;
	const char *path;
	bool path_known = false;

	ctx->srv = srv;
	ctx->req = req;
	ctx->route = http_routes_count;
	clock_gettime(CLOCK_MONOTONIC, &ctx->start);
	ctx->next = srv->inflight_list;
	if (srv->inflight_list != NULL)
		srv->inflight_list->prev = ctx;
	srv->inflight_list = ctx;
	srv->inflight++;

	given_id = evhttp_find_header(evhttp_request_get_input_headers(req), "X-Request-Id");
	if (given_id != NULL && request_id_valid(given_id))
		snprintf(ctx->id, sizeof(ctx->id), "%s", given_id);
	else
		snprintf(ctx->id, sizeof(ctx->id), "%06x%010llx", srv->id_prefix & 0xffffff,
		         ++srv->id_counter);

	if (header_bytes(req) > (size_t)srv->env->cfg->http_max_header_bytes) {
		metrics_rejected(srv->metrics, "too_large");
		http_reply_error(ctx, 431, "request headers too large");
		return;
	}
	if (srv->draining) {
		metrics_rejected(srv->metrics, "draining");
		http_reply_error(ctx, 503, "shutting down; try another node");
		return;
	}
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || path[0] == '\0')
		path = "/";
	const char *method = method_name(req);
	for (unsigned i = 0; i < http_routes_count; i++) {
		if (!route_path_matches(&http_routes[i], path))
			continue;
		path_known = true;
		if (strcmp(http_routes[i].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(http_routes[i].method, "GET") == 0)) {
			ctx->route = i;
			http_routes[i].handler(ctx);
			return;
		}
	}
	if (path_known) {
		struct buf allow = BUF_INIT;
		for (unsigned i = 0; i < http_routes_count; i++) {
			if (route_path_matches(&http_routes[i], path))
				buf_printf(&allow, "%s%s", allow.len ? ", " : "",
				           http_routes[i].method);
		}
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
		                  buf_cstr(&allow));
		buf_free(&allow);
		http_reply_error(ctx, 405, "method not allowed for this path");
		return;
	}
	http_reply_error(ctx, 404, "no such endpoint; try GET /healthz");
}

struct http_server *
http_server_new(struct event_base *base, struct http_env *env, const char **error_r)
{
	struct http_server *srv = xcalloc(1, sizeof(*srv));
	const struct config *cfg = env->cfg;

	srv->base = base;
	srv->env = env;
	if (getrandom(&srv->id_prefix, sizeof(srv->id_prefix), 0) != sizeof(srv->id_prefix))
		srv->id_prefix = (unsigned)time(NULL);
	srv->metrics = metrics_new(http_routes_labels, http_routes_count);
	srv->http = evhttp_new(base);
	if (srv->http == NULL) {
		*error_r = "cannot create the HTTP server";
		goto fail;
	}
	evhttp_set_max_body_size(srv->http, (ev_ssize_t)cfg->http_max_body_bytes);
	/* libevent answers 413 itself past its own limit; between our limit and 4x it we
	 * answer 431 (see dispatch). */
	evhttp_set_max_headers_size(srv->http, (ev_ssize_t)cfg->http_max_header_bytes * 4);
	evhttp_set_timeout(srv->http, (int)cfg->http_request_timeout_s);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
	                                          EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	                                          EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(srv->http, dispatch, srv);
	srv->sock =
	    evhttp_bind_socket_with_handle(srv->http, cfg->http_host, (ev_uint16_t)cfg->http_port);
	if (srv->sock == NULL) {
		*error_r = "cannot listen on http.listen (address in use or not available here)";
		goto fail;
	}
	{
		struct sockaddr_storage ss;
		ev_socklen_t len = sizeof(ss);
		evutil_socket_t fd = evhttp_bound_socket_get_fd(srv->sock);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
			if (ss.ss_family == AF_INET)
				srv->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
			else if (ss.ss_family == AF_INET6)
				srv->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		}
	}
	return srv;
fail:
	if (srv->http != NULL)
		evhttp_free(srv->http);
	metrics_free(srv->metrics);
	free(srv);
	return NULL;
}

static void
grace_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *srv = arg;
	(void)fd;
	(void)what;
	log_msg(LOG_WARN, "shutdown grace period over; exiting with %u request(s) unanswered",
	        srv->inflight);
	event_base_loopexit(srv->base, NULL);
}

void
http_server_drain(struct http_server *srv)
{
	if (srv->draining)
		return;
	srv->draining = true;
	if (srv->sock != NULL) {
		evhttp_del_accept_socket(srv->http, srv->sock);
		srv->sock = NULL;
	}
	log_msg(LOG_INFO, "draining: no new connections; %u request(s) in flight", srv->inflight);
	if (srv->inflight == 0 && srv->sending == 0) {
		event_base_loopexit(srv->base, NULL);
		return;
	}
	struct timeval tv = {(time_t)srv->env->cfg->http_shutdown_grace_s, 0};
	srv->grace = evtimer_new(srv->base, grace_cb, srv);
	evtimer_add(srv->grace, &tv);
}

void
http_server_free(struct http_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->grace != NULL)
		event_free(srv->grace);
	/* evhttp_free frees the requests of any context still listed. */
	evhttp_free(srv->http);
	while (srv->inflight_list != NULL) {
		struct http_ctx *ctx = srv->inflight_list;
		srv->inflight_list = ctx->next;
		free(ctx);
	}
	metrics_free(srv->metrics);
	free(srv);
}
