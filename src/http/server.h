/*
 * server — the libevent HTTP server: routing by a table, one context per request,
 * exactly one reply per request, request logs with a request id and masked phone
 * numbers, metrics, size limits, and a draining shutdown.
 *
 * Event-loop thread only. Handlers parse and validate, then either reply at once or
 * submit a database job with http_submit() and reply from its done callback.
 */
#ifndef GAMIGATE_HTTP_SERVER_H
#define GAMIGATE_HTTP_SERVER_H

#include <stddef.h>
#include <time.h>

#include "store/pool.h"

struct event_base;
struct evhttp_request;
struct config;
struct health;
struct iplist;
struct metrics;
struct sms_rules;
struct sender;

/* What handlers may use; owned by the caller of http_server_new, outlives the server. */
struct http_env {
	const struct config *cfg;
	struct db_pool *pool;
	struct health *health;
	const char *node_name;
	const char *version;
	time_t started;
	struct sms_rules *rules;     /* grammar + templates; replaced on SIGHUP */
	struct iplist *kannel_allow; /* NULL = any address */
	struct iplist *json_allow;
	struct iplist *ussd_allow; /* NULL = any address */
	struct sender *sender;     /* NULL when outbox.provider = none */
};

struct http_server;
struct http_ctx;

typedef void http_handler_fn(struct http_ctx *ctx);

struct http_route {
	const char *method; /* "GET", "POST" */
	const char *path;   /* exact path, without the query */
	const char *label;  /* metrics label */
	http_handler_fn *handler;
	int quiet;  /* successful answers are logged at debug level (probes, scrapes) */
	int prefix; /* also matches path + "/..." */
};

/* Binds the listen address from env->cfg. NULL with *error_r set (static text) on
 * failure. */
struct http_server *http_server_new(struct event_base *base, struct http_env *env,
                                    const char **error_r);
/* The port actually bound (useful with port 0). */
int http_server_port(struct http_server *srv);
/* Stops accepting connections and ends the loop once no request is in flight, or when
 * the configured grace period runs out. Idempotent. */
void http_server_drain(struct http_server *srv);
/* Requests still waiting for their reply. */
unsigned http_server_inflight(struct http_server *srv);
/* Frees the server. Requests still in flight (grace ran out) are dropped: call it after
 * db_pool_free(pool, 1) so no done callback can touch them any more. */
void http_server_free(struct http_server *srv);

/* For handlers. */
struct http_env *http_ctx_env(struct http_ctx *ctx);
struct evhttp_request *http_ctx_req(struct http_ctx *ctx);
struct http_server *http_ctx_server(struct http_ctx *ctx);
struct metrics *http_server_metrics(struct http_server *srv);
int http_server_draining(struct http_server *srv);

/* Sends the reply, logs it, counts it and frees ctx. Exactly once per request. */
void http_reply(struct http_ctx *ctx, int status, const char *content_type, const char *body,
                size_t len);
/* Replies {"error": message} with the status. */
void http_reply_error(struct http_ctx *ctx, int status, const char *message);

/* Submits a database job for this request. On a full queue it answers 503 at once,
 * counts it and returns -1: the caller must then free arg and not touch ctx again. */
int http_submit(struct http_ctx *ctx, db_job_run_fn *run, db_job_done_fn *done, void *arg);
/* As http_submit, for a job that may share a transaction with others of its kind
 * (group commit, see store/pool.h). */
int http_submit_batchable(struct http_ctx *ctx, const struct db_batch_kind *kind,
                          db_job_run_fn *run, db_job_done_fn *done, void *arg);

/* Checks "Authorization: Bearer <admin.token>" in constant time; on failure answers
 * 401 and returns -1 (ctx is gone). 0 when authorised. */
int http_require_admin(struct http_ctx *ctx);

#endif
