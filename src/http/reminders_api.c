/*
 * reminders_api — /api/v1/reminders (see reminders_api.h). Event-loop thread, except
 * the run functions (workers).
 */
#include "http/reminders_api.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/xalloc.h"
#include "send/scheduler.h"
#include "store/reminders.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PREFIX   "/api/v1/reminders"
#define BODY_MAX 65536

enum action { ACTION_LIST, ACTION_ADD, ACTION_PAUSE, ACTION_RESUME, ACTION_RUN_NOW };

struct job {
	struct http_ctx *ctx;
	enum action action;
	char id[41];
	char *body;
	size_t len;
	const char *default_tz;
	/* results */
	enum scheduler_result result;
	struct buf errors;
	struct buf out;
};

static void
add_reminder(const struct reminder_row *r, void *arg)
{
	struct buf *b = arg;
	if (b->data != NULL && b->data[b->len - 1] != '[')
		buf_putc(b, ',');
	buf_puts(b, "{\"id\":");
	buf_json_str(b, r->id);
	buf_puts(b, ",\"status\":");
	buf_json_str(b, r->status);
	buf_puts(b, ",\"next_run_at\":");
	if (r->next_run_at[0] != '\0')
		buf_json_str(b, r->next_run_at);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"campaign\":");
	if (r->campaign_id[0] != '\0')
		buf_json_str(b, r->campaign_id);
	else
		buf_puts(b, "null");
	/* The definition was checked when stored: it is a JSON object. */
	buf_puts(b, ",\"definition\":");
	buf_puts(b, r->definition);
	buf_putc(b, '}');
}

static void
add_run(const struct reminder_run_status *s, void *arg)
{
	struct buf *b = arg;
	if (b->data[b->len - 1] != '[')
		buf_putc(b, ',');
	buf_printf(b, "{\"run\":%lld,\"reminder\":", s->id);
	buf_json_str(b, s->reminder_id);
	buf_printf(b,
	           ",\"scheduled_for\":\"%s\",\"status\":\"%s\",\"members\":%lld,\"refused\":%lld,"
	           "\"queued\":%lld,\"sent\":%lld,\"delivered\":%lld,\"failed\":%lld}",
	           s->scheduled_for, s->status, s->members, s->refused, s->queued + s->sending,
	           s->sent, s->delivered, s->failed + s->expired);
}

static int
job_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct job *job = arg;
	struct scheduler_opts o = {
	    .owner = "api",
	    .langs = scheduler_langs,
	    .nlangs = scheduler_nlangs,
	    .default_tz = job->default_tz,
	    .now = time(NULL),
	};
	buf_reset(&job->out);
	buf_reset(&job->errors);
	switch (job->action) {
	case ACTION_LIST:
		buf_puts(&job->out, "{\"reminders\":[");
		if (reminders_list(conn, add_reminder, &job->out, err) < 0)
			return -1;
		buf_puts(&job->out, "],\"runs\":[");
		if (reminders_runs(conn, "", 20, add_run, &job->out, err) < 0)
			return -1;
		buf_puts(&job->out, "]}\n");
		return 0;
	case ACTION_ADD:
		job->result = scheduler_add(conn, &o, job->body, job->len, "body", job->id,
		                            &job->errors, err);
		break;
	case ACTION_PAUSE:
		job->result = scheduler_pause(conn, job->id, err);
		break;
	case ACTION_RESUME:
		job->result = scheduler_resume(conn, &o, job->id, err);
		break;
	case ACTION_RUN_NOW:
		job->result = scheduler_run_now(conn, job->id, o.now, err);
		break;
	}
	return job->result == SCHEDULER_DB ? -1 : 0;
}

static void
job_free(struct job *job)
{
	free(job->body);
	buf_free(&job->errors);
	buf_free(&job->out);
	free(job);
}

static void
job_done(void *arg, int result, const struct db_error *err)
{
	struct job *job = arg;
	struct buf b = BUF_INIT;
	if (result < 0) {
		char msg[320];
		snprintf(msg, sizeof(msg), "database error: %s", err->msg);
		http_reply_error(job->ctx, 503, msg);
	} else if (job->action == ACTION_LIST) {
		http_reply(job->ctx, 200, "application/json", job->out.data, job->out.len);
	} else if (job->result == SCHEDULER_INVALID) {
		buf_puts(
		    &b,
		    "{\"error\":\"the reminder is not valid; nothing was stored\",\"problems\":[");
		const char *p = buf_cstr(&job->errors);
		int first = 1;
		while (*p != '\0') {
			const char *nl = strchr(p, '\n');
			size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
			char *line = xstrndup(p, n);
			if (!first)
				buf_putc(&b, ',');
			buf_json_str(&b, line);
			free(line);
			first = 0;
			p += n + (nl != NULL);
		}
		buf_puts(&b, "]}\n");
		http_reply(job->ctx, 400, "application/json", b.data, b.len);
	} else if (job->result == SCHEDULER_NOT_FOUND) {
		http_reply_error(job->ctx, 404,
		                 "no such reminder; GET /api/v1/reminders lists them");
	} else {
		static const char *const done[] = {"", "stored", "paused", "resumed", "started"};
		buf_puts(&b, "{\"id\":");
		buf_json_str(&b, job->id);
		buf_printf(&b, ",\"result\":\"%s\"}\n", done[job->action]);
		http_reply(job->ctx, job->action == ACTION_ADD ? 201 : 200, "application/json",
		           b.data, b.len);
	}
	buf_free(&b);
	job_free(job);
}

static void
submit(struct http_ctx *ctx, struct job *job)
{
	job->ctx = ctx;
	job->default_tz = http_ctx_env(ctx)->cfg->game_timezone;
	if (http_submit(ctx, job_run, job_done, job) < 0)
		job_free(job);
}

void
reminders_api_get(struct http_ctx *ctx)
{
	if (http_require_admin(ctx) < 0)
		return;
	struct job *job = xcalloc(1, sizeof(*job));
	job->action = ACTION_LIST;
	submit(ctx, job);
}

void
reminders_api_post(struct http_ctx *ctx)
{
	if (http_require_admin(ctx) < 0)
		return;
	struct evhttp_request *req = http_ctx_req(ctx);
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	struct job *job = xcalloc(1, sizeof(*job));
	if (path != NULL && strcmp(path, PREFIX) == 0) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		size_t len = evbuffer_get_length(in);
		if (len == 0 || len > BODY_MAX) {
			http_reply_error(ctx, 400,
			                 "send the reminder JSON as the body (README.md, "
			                 "\"Reminders\")");
			job_free(job);
			return;
		}
		job->action = ACTION_ADD;
		job->body = xstrndup((const char *)evbuffer_pullup(in, -1), len);
		job->len = strlen(job->body);
		submit(ctx, job);
		return;
	}
	/* /api/v1/reminders/<id>/<action> */
	const char *rest = path != NULL ? path + strlen(PREFIX) : "";
	const char *slash = rest[0] == '/' ? strchr(rest + 1, '/') : NULL;
	size_t idlen = slash != NULL ? (size_t)(slash - rest - 1) : 0;
	const char *what = slash != NULL ? slash + 1 : "";
	if (idlen == 0 || idlen >= sizeof(job->id)) {
		http_reply_error(ctx, 404,
		                 "use POST /api/v1/reminders/<id>/pause, resume or run-now");
		job_free(job);
		return;
	}
	memcpy(job->id, rest + 1, idlen);
	job->id[idlen] = '\0';
	if (strcmp(what, "pause") == 0)
		job->action = ACTION_PAUSE;
	else if (strcmp(what, "resume") == 0)
		job->action = ACTION_RESUME;
	else if (strcmp(what, "run-now") == 0)
		job->action = ACTION_RUN_NOW;
	else {
		http_reply_error(ctx, 404,
		                 "use POST /api/v1/reminders/<id>/pause, resume or run-now");
		job_free(job);
		return;
	}
	submit(ctx, job);
}
