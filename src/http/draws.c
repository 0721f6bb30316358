/*
 * draws (http) — GET /api/v1/draws[/DRAW]. Event-loop thread, except job_run (a worker).
 */
#include "http/draws.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "game/draw.h"
#include "store/draws.h"

#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PREFIX "/api/v1/draws"

struct draws_job {
	struct http_ctx *ctx;
	char id[DRAW_ID_MAX + 1]; /* "" = the list */
	int status;               /* HTTP status decided by the worker */
	struct buf body;
};

static void
put_str(struct buf *b, const char *key, const char *v, int comma)
{
	if (comma)
		buf_putc(b, ',');
	buf_json_str(b, key);
	buf_putc(b, ':');
	if (v == NULL || v[0] == '\0')
		buf_puts(b, "null");
	else
		buf_json_str(b, v);
}

/* The draw as JSON; with its seed and winners once it is done. */
static int
put_draw(struct db_conn *conn, const struct draws_row *r, struct buf *b, struct db_error *err)
{
	char cutoff[32], seed[65] = "";
	struct tm tm;
	gmtime_r(&r->cutoff, &tm);
	strftime(cutoff, sizeof(cutoff), "%Y-%m-%dT%H:%M:%SZ", &tm);
	int done = strcmp(r->status, "done") == 0;
	if (done && draws_seed(conn, r->draw_id, seed, err) < 0)
		return -1;
	buf_putc(b, '{');
	put_str(b, "id", r->draw_id, 0);
	put_str(b, "campaign", r->campaign_id, 1);
	buf_printf(b, ",\"campaign_version\":%u", r->campaign_version);
	put_str(b, "cutoff", cutoff, 1);
	put_str(b, "status", r->status, 1);
	buf_printf(b, ",\"winners\":%u,\"backups\":%u,\"multiple_wins\":%s", r->winners, r->backups,
	           r->multiple_wins ? "true" : "false");
	if (r->beacon_round > 0)
		buf_printf(b, ",\"beacon_round\":%lld", r->beacon_round);
	else
		buf_puts(b, ",\"beacon_round\":null");
	put_str(b, "seed_sha256", r->seed_sha256, 1);
	put_str(b, "committed_at", r->committed_at, 1);
	put_str(b, "export_sha256", r->export_sha256, 1);
	if (r->export_sha256[0] != '\0')
		buf_printf(b, ",\"entries\":%lld,\"chances\":%lld", r->entries, r->chances);
	put_str(b, "frozen_at", r->frozen_at, 1);
	put_str(b, "seed", done ? seed : NULL, 1);
	put_str(b, "beacon", r->beacon, 1);
	put_str(b, "result_sha256", r->result_sha256, 1);
	put_str(b, "run_at", r->run_at, 1);
	if (done) {
		struct draws_winner *w = NULL;
		size_t n = 0;
		if (draws_winners(conn, r->draw_id, &w, &n, err) < 0)
			return -1;
		buf_puts(b, ",\"result\":[");
		for (size_t i = 0; i < n; i++) {
			buf_printf(b, "%s{\"kind\":\"%s\",\"rank\":%u", i > 0 ? "," : "",
			           w[i].backup ? "backup" : "winner", w[i].rank);
			put_str(b, "pid", w[i].pid, 1);
			put_str(b, "masked_msisdn", w[i].masked, 1);
			buf_putc(b, '}');
		}
		buf_putc(b, ']');
		free(w);
	}
	buf_putc(b, '}');
	return 0;
}

static int
job_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct draws_job *job = arg;
	buf_reset(&job->body);
	if (job->id[0] != '\0') {
		struct draws_row r;
		int got = draws_get(conn, job->id, &r, err);
		if (got < 0)
			return -1;
		if (got == 0) {
			job->status = 404;
			return 0;
		}
		job->status = 200;
		return put_draw(conn, &r, &job->body, err);
	}
	struct draws_row *rows = NULL;
	size_t n = 0;
	if (draws_list(conn, NULL, &rows, &n, err) < 0)
		return -1;
	buf_puts(&job->body, "{\"draws\":[");
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (i > 0)
			buf_putc(&job->body, ',');
		rc = put_draw(conn, &rows[i], &job->body, err);
	}
	buf_puts(&job->body, "]}");
	free(rows);
	job->status = 200;
	return rc;
}

static void
job_done(void *arg, int result, const struct db_error *err)
{
	struct draws_job *job = arg;
	char msg[300];
	if (result < 0) {
		log_kv(LOG_ERROR, "draws api failed", "error", err->msg, (const char *)NULL);
		snprintf(msg, sizeof(msg), "database error (%s); try again in a moment", err->msg);
		http_reply_error(job->ctx, 503, msg);
	} else if (job->status == 404) {
		snprintf(msg, sizeof(msg),
		         "no draw \"%s\" has been committed; GET " PREFIX " lists the draws",
		         job->id);
		http_reply_error(job->ctx, 404, msg);
	} else {
		http_reply(job->ctx, 200, "application/json", job->body.data, job->body.len);
	}
	buf_free(&job->body);
	free(job);
}

void
draws_api_get(struct http_ctx *ctx)
{
	struct evhttp_request *req = http_ctx_req(ctx);
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (http_require_admin(ctx) < 0)
		return;
	struct draws_job *job = xcalloc(1, sizeof(*job));
	job->ctx = ctx;
	const char *rest = path != NULL ? path + strlen(PREFIX) : "";
	if (rest[0] == '/' && rest[1] != '\0') {
		if (!draw_id_valid(rest + 1)) {
			free(job);
			http_reply_error(ctx, 404,
			                 "not a draw id (1-40 of a-z, 0-9 and '-'); GET " PREFIX
			                 " lists the draws");
			return;
		}
		snprintf(job->id, sizeof(job->id), "%s", rest + 1);
	} else if (rest[0] != '\0' && strcmp(rest, "/") != 0) {
		free(job);
		http_reply_error(ctx, 404, "unknown path; GET " PREFIX "/DRAW");
		return;
	}
	if (http_submit(ctx, job_run, job_done, job) < 0) {
		buf_free(&job->body);
		free(job);
	}
}
