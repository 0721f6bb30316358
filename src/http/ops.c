/*
 * ops — /healthz and /metrics. Event-loop thread only.
 */
#include "http/ops.h"
#include "core/buf.h"
#include "http/metrics.h"
#include "send/sender.h"
#include "store/db.h"
#include "store/health.h"
#include "store/migrate.h"
#include "store/pool.h"

#include <stdio.h>
#include <time.h>

void
ops_healthz(struct http_ctx *ctx)
{
	struct http_env *env = http_ctx_env(ctx);
	struct health_state hs;
	struct buf b = BUF_INIT;
	int status = 200;

	health_get(env->health, &hs);
	if (http_server_draining(http_ctx_server(ctx))) {
		status = 503;
		buf_puts(&b, "{\"status\":\"unavailable\",\"reason\":\"shutting down\"");
	} else if (!hs.up) {
		status = 503;
		buf_puts(&b, "{\"status\":\"unavailable\",\"database\":\"down\",\"error\":");
		buf_json_str(&b, hs.error);
	} else if (hs.schema_version != migrate_latest()) {
		char why[160];
		status = 503;
		snprintf(why, sizeof(why),
		         hs.schema_version < migrate_latest()
		             ? "database schema is at version %d, this gamigate needs %d: run "
		               "gamigate migrate"
		             : "database schema is at version %d, newer than the %d this "
		               "gamigate knows: upgrade gamigate",
		         hs.schema_version, migrate_latest());
		buf_printf(&b, "{\"status\":\"unavailable\",\"database\":\"up\",\"error\":");
		buf_json_str(&b, why);
	} else {
		buf_printf(&b, "{\"status\":\"ok\",\"database\":\"up\",\"schema_version\":%d",
		           hs.schema_version);
	}
	buf_puts(&b, ",\"node\":");
	buf_json_str(&b, env->node_name);
	buf_puts(&b, "}\n");
	http_reply(ctx, status, "application/json", b.data, b.len);
	buf_free(&b);
}

void
ops_metrics(struct http_ctx *ctx)
{
	struct http_env *env = http_ctx_env(ctx);
	struct db_pool_stats ps;
	struct health_state hs;
	struct buf b = BUF_INIT;

	db_pool_stats(env->pool, &ps);
	health_get(env->health, &hs);
	metrics_render(http_server_metrics(http_ctx_server(ctx)), &b);
	buf_printf(
	    &b,
	    "# HELP gamigate_db_pool_workers Database worker threads.\n"
	    "# TYPE gamigate_db_pool_workers gauge\n"
	    "gamigate_db_pool_workers %u\n"
	    "# HELP gamigate_db_pool_busy Workers running a job now.\n"
	    "# TYPE gamigate_db_pool_busy gauge\n"
	    "gamigate_db_pool_busy %u\n"
	    "# HELP gamigate_db_pool_queued Jobs waiting for a worker.\n"
	    "# TYPE gamigate_db_pool_queued gauge\n"
	    "gamigate_db_pool_queued %u\n"
	    "# HELP gamigate_db_pool_queue_max Jobs that may wait before requests get 503.\n"
	    "# TYPE gamigate_db_pool_queue_max gauge\n"
	    "gamigate_db_pool_queue_max %u\n"
	    "# HELP gamigate_db_jobs_total Database jobs finished.\n"
	    "# TYPE gamigate_db_jobs_total counter\n"
	    "gamigate_db_jobs_total %llu\n"
	    "# HELP gamigate_db_job_errors_total Database jobs that failed.\n"
	    "# TYPE gamigate_db_job_errors_total counter\n"
	    "gamigate_db_job_errors_total %llu\n"
	    "# HELP gamigate_db_jobs_rejected_total Jobs refused because the queue was full.\n"
	    "# TYPE gamigate_db_jobs_rejected_total counter\n"
	    "gamigate_db_jobs_rejected_total %llu\n"
	    "# HELP gamigate_db_batches_total Transactions shared by several inbound messages "
	    "(group commit).\n"
	    "# TYPE gamigate_db_batches_total counter\n"
	    "gamigate_db_batches_total %llu\n"
	    "# HELP gamigate_db_batched_jobs_total Messages committed in shared transactions.\n"
	    "# TYPE gamigate_db_batched_jobs_total counter\n"
	    "gamigate_db_batched_jobs_total %llu\n"
	    "# HELP gamigate_db_batch_failures_total Shared transactions rolled back (their "
	    "messages then ran alone).\n"
	    "# TYPE gamigate_db_batch_failures_total counter\n"
	    "gamigate_db_batch_failures_total %llu\n"
	    "# HELP gamigate_db_tx_retries_total Transactions retried (deadlock, lock wait, "
	    "lost connection).\n"
	    "# TYPE gamigate_db_tx_retries_total counter\n"
	    "gamigate_db_tx_retries_total %llu\n"
	    "# HELP gamigate_db_reconnects_total Connections dropped and made anew.\n"
	    "# TYPE gamigate_db_reconnects_total counter\n"
	    "gamigate_db_reconnects_total %llu\n"
	    "# HELP gamigate_db_up 1 when the last health check reached the database.\n"
	    "# TYPE gamigate_db_up gauge\n"
	    "gamigate_db_up %d\n"
	    "# HELP gamigate_db_schema_version Schema version read by the health check.\n"
	    "# TYPE gamigate_db_schema_version gauge\n"
	    "gamigate_db_schema_version %d\n"
	    "# HELP gamigate_uptime_seconds Seconds since this process started.\n"
	    "# TYPE gamigate_uptime_seconds gauge\n"
	    "gamigate_uptime_seconds %lld\n"
	    "# HELP gamigate_build_info Version of this binary.\n"
	    "# TYPE gamigate_build_info gauge\n"
	    "gamigate_build_info{version=\"%s\",schema=\"%d\"} 1\n",
	    ps.workers, ps.busy, ps.queued, ps.queue_max, (unsigned long long)ps.completed,
	    (unsigned long long)ps.errors, (unsigned long long)ps.rejected,
	    (unsigned long long)ps.batches, (unsigned long long)ps.batched_jobs,
	    (unsigned long long)ps.batch_failures, (unsigned long long)db_stat_retries(),
	    (unsigned long long)db_stat_reconnects(), hs.up ? 1 : 0, hs.schema_version,
	    (long long)(time(NULL) - env->started), env->version, migrate_latest());
	sender_metrics(env->sender, &b);
	http_reply(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
	buf_free(&b);
}
