/*
 * ussd_in — POST /ussd/at and /ussd/at/end. The request is checked on the loop thread
 * (cheap, no I/O): a missing, too long or malformed field is answered at once with a
 * polite "END ..." (HTTP 200, so the phone shows it) and nothing is stored; a checked
 * step goes to a pool job running cmd/ussd in one transaction.
 *
 * Event-loop thread, except the *_run functions (a worker).
 */
#include "http/ussd_in.h"
#include "cmd/rules.h"
#include "cmd/ussd.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/iplist.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "http/form.h"
#include "store/ussd.h"
#include "text/mask.h"
#include "text/msisdn.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_MAX 64
#define CODE_MAX    32
#define NETWORK_MAX 16
#define STATUS_MAX  16

struct ussd_job {
	struct http_ctx *ctx;
	struct sms_rules *rules; /* one reference, dropped in done */
	char session_id[SESSION_MAX + 1];
	char service_code[CODE_MAX + 1];
	char msisdn[MSISDN_SIZE];
	char text[USSD_TEXT_MAX + 1];
	size_t text_len;
	struct ussd_text parsed;
	struct ussd_in in;
	struct ussd_out out;
	/* the end notification */
	char status[STATUS_MAX + 1];
	int found;
};

static void
job_free(struct ussd_job *job)
{
	sms_rules_unref(job->rules);
	ussd_out_free(&job->out);
	free(job);
}

/* 1..max bytes, each from allowed (NULL: printable ASCII without spaces). */
static int
field_ok(const char *s, size_t min, size_t max, const char *allowed)
{
	size_t n = s != NULL ? strlen(s) : 0;
	if (s == NULL || n < min || n > max)
		return 0;
	if (allowed != NULL)
		return strspn(s, allowed) == n;
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	}
	return 1;
}

static const char *
form_str(const struct form *f, const char *name)
{
	const struct buf *b = form_get(f, name);
	if (b == NULL || memchr(buf_cstr((struct buf *)b), '\0', b->len) != NULL)
		return NULL;
	return buf_cstr((struct buf *)b);
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

/* Checks the address list and the secret (query `secret` or X-Gamigate-Secret). 0 ok;
 * -1 answered (403/401): the gateway ends the session on a 4xx. */
static int
check_access(struct http_ctx *ctx)
{
	struct http_env *env = http_ctx_env(ctx);
	struct evhttp_request *req = http_ctx_req(ctx);
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	const char *given =
	    evhttp_find_header(evhttp_request_get_input_headers(req), "X-Gamigate-Secret");
	const char *secret = env->cfg->inbound_ussd_secret;
	char *peer = NULL;
	ev_uint16_t port = 0;
	struct form q;
	const char *why = NULL;
	int rc = 0;

	if (conn != NULL)
		evhttp_connection_get_peer(conn, &peer, &port);
	if (!iplist_allows(env->ussd_allow, peer)) {
		log_kv(LOG_WARN, "ussd refused: address not allowed", "peer",
		       peer != NULL ? peer : "", (const char *)NULL);
		http_reply_error(ctx, 403, "this address may not post USSD requests here");
		return -1;
	}
	if (secret[0] == '\0')
		return 0;
	memset(&q, 0, sizeof(q));
	if (given == NULL && query != NULL && form_parse(query, strlen(query), &q, &why) == 0)
		given = form_str(&q, "secret");
	if (!secret_matches(secret, given)) {
		log_kv(LOG_WARN, "ussd refused: secret missing or wrong", "peer",
		       peer != NULL ? peer : "", (const char *)NULL);
		http_reply_error(ctx, 401, "secret missing or wrong");
		rc = -1;
	}
	form_free(&q);
	return rc;
}

static void
reply_text(struct http_ctx *ctx, const char *body, size_t len)
{
	http_reply(ctx, 200, "text/plain; charset=utf-8", body, len);
}

/* Answers a request that cannot be played with a polite END and logs why. */
static void
reply_bad(struct http_ctx *ctx, const char *why)
{
	struct buf b = BUF_INIT;
	log_kv(LOG_INFO, "ussd request refused", "why", why, (const char *)NULL);
	ussd_polite_end(http_ctx_env(ctx)->rules, "ussd_bad_request", &b);
	reply_text(ctx, b.data, b.len);
	buf_free(&b);
}

static int
ussd_job_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct ussd_job *job = arg;
	return ussd_step(conn, job->rules, &job->in, &job->out, err);
}

static void
ussd_job_done(void *arg, int result, const struct db_error *err)
{
	struct ussd_job *job = arg;
	struct buf who = BUF_INIT;
	mask_phones(job->msisdn, &who);
	if (result < 0) {
		struct buf b = BUF_INIT;
		log_kv(LOG_ERROR, "ussd step failed", "from", buf_cstr(&who), "error", err->msg,
		       (const char *)NULL);
		ussd_polite_end(job->rules, "ussd_busy", &b);
		reply_text(job->ctx, b.data, b.len);
		buf_free(&b);
	} else {
		log_kv(LOG_INFO, "ussd", "from", buf_cstr(&who), "code", job->service_code,
		       "outcome", job->out.outcome, "command",
		       job->out.command[0] ? job->out.command : "-", (const char *)NULL);
		reply_text(job->ctx, job->out.body.data != NULL ? job->out.body.data : "",
		           job->out.body.len);
	}
	buf_free(&who);
	job_free(job);
}

static int
end_run_tx(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct ussd_job *job = arg;
	return ussd_session_close(conn, job->session_id, job->status, &job->found, err);
}

static int
end_job_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	return db_tx(conn, end_run_tx, arg, err);
}

static void
end_job_done(void *arg, int result, const struct db_error *err)
{
	struct ussd_job *job = arg;
	if (result < 0) {
		log_kv(LOG_ERROR, "ussd end notification failed", "error", err->msg,
		       (const char *)NULL);
		http_reply_error(job->ctx, 503, "database unavailable; retry the notification");
	} else {
		log_kv(LOG_INFO, "ussd session ended by the gateway", "status", job->status,
		       "known", job->found ? "yes" : "no", (const char *)NULL);
		reply_text(job->ctx, "OK", 2);
	}
	job_free(job);
}

/* Reads the urlencoded body into f. 0 ok, -1 (f freed). */
static int
body_form(struct http_ctx *ctx, struct form *f, const char **why_r)
{
	struct evbuffer *body = evhttp_request_get_input_buffer(http_ctx_req(ctx));
	size_t len = evbuffer_get_length(body);
	const char *s = len > 0 ? (const char *)evbuffer_pullup(body, -1) : "";
	if (form_parse(s, len, f, why_r) < 0) {
		form_free(f);
		return -1;
	}
	return 0;
}

static void
submit_end(struct http_ctx *ctx, const struct form *f)
{
	const char *sid = form_str(f, "sessionId");
	const char *status = form_str(f, "status");
	if (!field_ok(sid, 1, SESSION_MAX, NULL)) {
		http_reply_error(ctx, 400, "missing or malformed sessionId");
		return;
	}
	if (status == NULL || status[0] == '\0')
		status = "ended";
	if (!field_ok(status, 1, STATUS_MAX,
	              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")) {
		http_reply_error(ctx, 400, "malformed status: up to 16 letters");
		return;
	}
	struct ussd_job *job = xcalloc(1, sizeof(*job));
	job->ctx = ctx;
	job->rules = sms_rules_ref(http_ctx_env(ctx)->rules);
	snprintf(job->session_id, sizeof(job->session_id), "%s", sid);
	snprintf(job->status, sizeof(job->status), "%s", status);
	if (http_submit(ctx, end_job_run, end_job_done, job) < 0)
		job_free(job);
}

void
ussd_at_end(struct http_ctx *ctx)
{
	struct form f;
	const char *why = NULL;
	if (check_access(ctx) < 0)
		return;
	if (body_form(ctx, &f, &why) < 0) {
		http_reply_error(ctx, 400, why);
		return;
	}
	submit_end(ctx, &f);
	form_free(&f);
}

void
ussd_at(struct http_ctx *ctx)
{
	struct http_env *env = http_ctx_env(ctx);
	struct form f;
	const char *why = NULL;
	char number[MSISDN_SIZE];

	if (check_access(ctx) < 0)
		return;
	if (body_form(ctx, &f, &why) < 0) {
		reply_bad(ctx, why);
		return;
	}
	const char *sid = form_str(&f, "sessionId");
	const char *code = form_str(&f, "serviceCode");
	const char *phone = form_str(&f, "phoneNumber");
	const char *network = form_str(&f, "networkCode");
	const struct buf *text = form_get(&f, "text");

	/* The end-of-session notification, when the gateway posts it here too. */
	if (text == NULL && form_get(&f, "status") != NULL) {
		submit_end(ctx, &f);
		form_free(&f);
		return;
	}
	if (!field_ok(sid, 1, SESSION_MAX, NULL))
		why = "missing or malformed sessionId";
	else if (!field_ok(code, 2, CODE_MAX, "0123456789*#"))
		why = "missing or malformed serviceCode";
	else if (phone == NULL || strlen(phone) > 32)
		why = "missing or malformed phoneNumber";
	else if (network == NULL ||
	         (network[0] != '\0' && !field_ok(network, 1, NETWORK_MAX, "0123456789")))
		why = "missing or malformed networkCode";
	else if (text == NULL)
		why = "missing text";
	else if (msisdn_normalize(phone, (int)env->cfg->game_country_code, number, &why) !=
	         MSISDN_MOBILE)
		why = "phoneNumber is not a mobile number";
	if (why != NULL) {
		form_free(&f);
		reply_bad(ctx, why);
		return;
	}
	struct ussd_job *job = xcalloc(1, sizeof(*job));
	if (memchr(buf_cstr((struct buf *)text), '\0', text->len) != NULL ||
	    ussd_text_parse(buf_cstr((struct buf *)text), text->len, &job->parsed, &why) < 0) {
		free(job);
		form_free(&f);
		reply_bad(ctx, why != NULL ? why : "malformed text");
		return;
	}
	job->ctx = ctx;
	job->rules = sms_rules_ref(env->rules);
	snprintf(job->session_id, sizeof(job->session_id), "%s", sid);
	snprintf(job->service_code, sizeof(job->service_code), "%s", code);
	snprintf(job->msisdn, sizeof(job->msisdn), "%s", number);
	memcpy(job->text, buf_cstr((struct buf *)text), text->len);
	job->text[text->len] = '\0';
	job->text_len = text->len;
	form_free(&f);
	job->in = (struct ussd_in){
	    .session_id = job->session_id,
	    .service_code = job->service_code,
	    .msisdn = job->msisdn,
	    .text = job->text,
	    .text_len = job->text_len,
	    .parsed = &job->parsed,
	    .limits = {.max_chars = (unsigned)env->cfg->ussd_max_chars,
	               .max_ucs2 = (unsigned)env->cfg->ussd_max_ucs2},
	    .idle_timeout_s = (long)env->cfg->ussd_idle_timeout_s,
	    .session_timeout_s = (long)env->cfg->ussd_session_timeout_s,
	};
	if (http_submit(ctx, ussd_job_run, ussd_job_done, job) < 0)
		job_free(job);
}

/* ---- housekeeping ---- */

#define PURGE_BATCH   5000
#define PURGE_BATCHES 10

struct purge_job {
	long keep_s;
	long long deleted;
};

static int purge_running; /* loop thread only */

static int
purge_job_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct purge_job *job = arg;
	for (int i = 0; i < PURGE_BATCHES; i++) {
		long long n = 0;
		if (ussd_purge(conn, job->keep_s, PURGE_BATCH, &n, err) < 0)
			return -1;
		job->deleted += n;
		if (n < PURGE_BATCH)
			break;
	}
	return 0;
}

static void
purge_job_done(void *arg, int result, const struct db_error *err)
{
	struct purge_job *job = arg;
	char n[24];
	purge_running = 0;
	snprintf(n, sizeof(n), "%lld", job->deleted);
	if (result < 0)
		log_kv(LOG_WARN, "ussd housekeeping failed; the next run tries again", "error",
		       err->msg, (const char *)NULL);
	else if (job->deleted > 0)
		log_kv(LOG_INFO, "old ussd sessions deleted", "rows", n, (const char *)NULL);
	free(job);
}

void
ussd_purge_start(struct http_env *env)
{
	if (purge_running || env->cfg->ussd_keep_hours == 0)
		return;
	struct purge_job *job = xcalloc(1, sizeof(*job));
	job->keep_s = (long)env->cfg->ussd_keep_hours * 3600;
	if (db_pool_submit(env->pool, purge_job_run, purge_job_done, job) < 0) {
		free(job);
		return;
	}
	purge_running = 1;
}
