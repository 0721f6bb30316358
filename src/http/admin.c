/*
 * admin — /api/v1 handlers. Event-loop thread; their jobs run on pool workers.
 */
#include "http/admin.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "store/migrate.h"
#include "store/nodes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NODE_MAX_AGE_S 120

struct status_job {
	struct http_ctx *ctx;
	/* filled on the worker */
	char server_version[128];
	int schema_version;
	struct buf nodes; /* JSON array body */
};

static void
add_node(const struct node_info *n, void *arg)
{
	struct buf *b = arg;
	if (b->len > 0)
		buf_putc(b, ',');
	buf_puts(b, "{\"name\":");
	buf_json_str(b, n->name);
	buf_puts(b, ",\"version\":");
	buf_json_str(b, n->version);
	buf_printf(b,
	           ",\"pid\":%ld,\"started_at\":\"%s\",\"last_seen\":\"%s\","
	           "\"seconds_since_seen\":%ld}",
	           n->pid, n->started_at, n->last_seen, n->seconds_since_seen);
}

static int
status_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct status_job *job = arg;
	if (nodes_server_version(conn, job->server_version, sizeof(job->server_version), err) < 0)
		return -1;
	if (migrate_current(conn, &job->schema_version, err) < 0)
		return -1;
	return nodes_list(conn, NODE_MAX_AGE_S, add_node, &job->nodes, err);
}

static void
status_done(void *arg, int result, const struct db_error *err)
{
	struct status_job *job = arg;
	struct http_env *env = http_ctx_env(job->ctx);
	struct buf b = BUF_INIT;

	if (result < 0) {
		char msg[320];
		snprintf(msg, sizeof(msg), "database error: %s", err->msg);
		http_reply_error(job->ctx, 503, msg);
		goto out;
	}
	buf_puts(&b, "{\"node\":");
	buf_json_str(&b, env->node_name);
	buf_puts(&b, ",\"version\":");
	buf_json_str(&b, env->version);
	buf_printf(&b, ",\"uptime_s\":%lld,\"database\":{\"server\":",
	           (long long)(time(NULL) - env->started));
	buf_json_str(&b, job->server_version);
	buf_printf(&b, ",\"schema_version\":%d,\"schema_expected\":%d},\"nodes\":[%s]}\n",
	           job->schema_version, migrate_latest(), buf_cstr(&job->nodes));
	http_reply(job->ctx, 200, "application/json", b.data, b.len);
out:
	buf_free(&b);
	buf_free(&job->nodes);
	free(job);
}

void
admin_status(struct http_ctx *ctx)
{
	if (http_require_admin(ctx) < 0)
		return;
	struct status_job *job = xcalloc(1, sizeof(*job));
	job->ctx = ctx;
	if (http_submit(ctx, status_run, status_done, job) < 0) {
		buf_free(&job->nodes);
		free(job);
	}
}
