/*
 * sms_in — the inbound SMS adapters: Kannel's sms-service (get-url and post-url) and a
 * plain JSON endpoint. Both check the adapter's secret and address list, take the
 * message apart, decode and normalise it on the loop thread (cheap, no I/O), then hand
 * it to a pool job that runs cmd/sms in one transaction; the reply goes back in the
 * HTTP body in the adapter's form.
 *
 * Event-loop thread, except sms_job_run (a worker).
 */
#include "http/sms_in.h"
#include "cmd/rules.h"
#include "cmd/sms.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/iplist.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "http/form.h"
#include "http/metrics.h"
#include "text/mask.h"
#include "text/msisdn.h"
#include "text/normalize.h"
#include "text/utf8.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KANNEL_PREFIX "/sms/kannel"
#define ID_MAX        80
#define RECIPIENT_MAX 32
#define CHARSET_MAX   32

enum adapter { ADAPTER_KANNEL, ADAPTER_JSON };

static const char *const adapter_names[] = {"kannel", "json"};

struct sms_job {
	struct http_ctx *ctx;
	struct sms_rules *rules; /* one reference, dropped in done */
	enum adapter adapter;
	char provider_id[ID_MAX + 1];
	char msisdn[17];
	char recipient[RECIPIENT_MAX + 1];
	char charset[CHARSET_MAX + 1];
	struct buf raw;
	struct buf text;
	struct sms_out out;
};

static void
job_free(struct sms_job *job)
{
	sms_rules_unref(job->rules);
	buf_free(&job->raw);
	buf_free(&job->text);
	sms_out_free(&job->out);
	free(job);
}

/* Printable ASCII without spaces, 1..max bytes: what we accept as an id or a code. */
static int
token_ok(const char *s, size_t len, size_t max)
{
	if (len == 0 || len > max)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	}
	return 1;
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

static const char *
peer_address(struct http_ctx *ctx)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(http_ctx_req(ctx));
	char *addr = NULL;
	ev_uint16_t port = 0;
	if (conn == NULL)
		return NULL;
	evhttp_connection_get_peer(conn, &addr, &port);
	return addr;
}

/* Checks the adapter's address list and secret. 0 ok; -1 answered (403/401). */
static int
check_access(struct http_ctx *ctx, enum adapter a, const char *given_secret)
{
	struct http_env *env = http_ctx_env(ctx);
	const struct iplist *allow = a == ADAPTER_KANNEL ? env->kannel_allow : env->json_allow;
	const char *secret =
	    a == ADAPTER_KANNEL ? env->cfg->inbound_kannel_secret : env->cfg->inbound_json_secret;
	const char *peer = peer_address(ctx);

	if (!iplist_allows(allow, peer)) {
		log_kv(LOG_WARN, "inbound refused: address not allowed", "adapter",
		       adapter_names[a], "peer", peer != NULL ? peer : "", (const char *)NULL);
		http_reply_error(ctx, 403, "this address may not post messages here");
		return -1;
	}
	if (secret[0] != '\0' && !secret_matches(secret, given_secret)) {
		log_kv(LOG_WARN, "inbound refused: secret missing or wrong", "adapter",
		       adapter_names[a], "peer", peer != NULL ? peer : "", (const char *)NULL);
		http_reply_error(ctx, 401, "secret missing or wrong");
		return -1;
	}
	return 0;
}

static void
job_input(struct sms_job *job, struct sms_in *in_r)
{
	*in_r = (struct sms_in){
	    .adapter = adapter_names[job->adapter],
	    .provider_id = job->provider_id,
	    .msisdn = job->msisdn,
	    .recipient = job->recipient,
	    .raw = job->raw.data != NULL ? job->raw.data : "",
	    .raw_len = job->raw.len,
	    .raw_charset = job->charset,
	    .text = buf_cstr(&job->text),
	};
}

static int
sms_job_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct sms_job *job = arg;
	struct sms_in in;
	job_input(job, &in);
	return sms_process(conn, job->rules, &in, &job->out, err);
}

/* The same message as one part of a batch sharing a transaction (store/pool.h). */
static int
sms_job_part(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct sms_job *job = arg;
	struct sms_in in;
	job_input(job, &in);
	return sms_process_part(conn, job->rules, &in, &job->out, err);
}

/* The start of a whole batch: the writing messages' subscribers locked at once. */
static int
sms_job_begin(struct db_conn *conn, void *const *args, unsigned n, struct db_error *err)
{
	struct sms_in *ins = xcalloc(n, sizeof(*ins));
	struct sms_out **outs = xcalloc(n, sizeof(*outs));
	const struct sms_rules **rules = xcalloc(n, sizeof(*rules));
	for (unsigned i = 0; i < n; i++) {
		struct sms_job *job = args[i];
		job_input(job, &ins[i]);
		outs[i] = &job->out;
		rules[i] = job->rules;
	}
	int rc = sms_begin_batch(conn, rules, ins, outs, n, err);
	free(ins);
	free(outs);
	free(rules);
	return rc;
}

/* The end of a whole batch: the spins it holds, then the records in one statement. */
static int
sms_job_finish(struct db_conn *conn, void *const *args, unsigned n, struct db_error *err)
{
	struct sms_in *ins = xcalloc(n, sizeof(*ins));
	struct sms_out **outs = xcalloc(n, sizeof(*outs));
	for (unsigned i = 0; i < n; i++) {
		struct sms_job *job = args[i];
		job_input(job, &ins[i]);
		outs[i] = &job->out;
	}
	int rc = sms_finish_batch(conn, ins, outs, n, err);
	free(ins);
	free(outs);
	return rc;
}

/* Messages from one number never share a batch: each sees the other's record (the rate
 * limit counts it) and what it played. */
static const char *
sms_job_key(const void *arg)
{
	return ((const struct sms_job *)arg)->msisdn;
}

static const struct db_batch_kind sms_batch = {
    .part = sms_job_part, .begin = sms_job_begin, .finish = sms_job_finish, .key = sms_job_key};

static void
reply_kannel(struct http_ctx *ctx, const struct sms_out *out)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(http_ctx_req(ctx));
	/* Kannel sends Persian intact only with coding 2 and a UTF-8 body it converts. */
	evhttp_add_header(h, "X-Kannel-Coding", strcmp(out->encoding, "ucs2") == 0 ? "2" : "0");
	http_reply(ctx, 200, "text/plain; charset=utf-8", out->reply.data, out->reply.len);
}

static void
reply_json(struct http_ctx *ctx, const struct sms_out *out)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "{\"reply\":");
	buf_json_str(&b, buf_cstr((struct buf *)&out->reply));
	if (out->reply.len > 0)
		buf_printf(&b, ",\"encoding\":\"%s\",\"segments\":%u", out->encoding,
		           out->segments);
	else
		buf_puts(&b, ",\"encoding\":null,\"segments\":0");
	buf_printf(&b, ",\"outcome\":\"%s\",\"duplicate\":%s", out->outcome,
	           out->duplicate ? "true" : "false");
	buf_puts(&b, "}\n");
	http_reply(ctx, 200, "application/json", b.data, b.len);
	buf_free(&b);
}

static void
sms_job_done(void *arg, int result, const struct db_error *err)
{
	struct sms_job *job = arg;
	struct buf who = BUF_INIT;

	mask_phones(job->msisdn, &who);
	if (result < 0) {
		log_kv(LOG_ERROR, "inbound message failed", "adapter", adapter_names[job->adapter],
		       "from", buf_cstr(&who), "error", err->msg, (const char *)NULL);
		evhttp_add_header(evhttp_request_get_output_headers(http_ctx_req(job->ctx)),
		                  "Retry-After", "1");
		metrics_sms(http_server_metrics(http_ctx_server(job->ctx)),
		            adapter_names[job->adapter], "error");
		http_reply_error(job->ctx, 503, "database unavailable; retry the same message");
	} else {
		metrics_sms(http_server_metrics(http_ctx_server(job->ctx)),
		            adapter_names[job->adapter],
		            job->out.duplicate ? "duplicate" : job->out.outcome);
		log_kv(LOG_INFO, "sms", "adapter", adapter_names[job->adapter], "from",
		       buf_cstr(&who), "to", job->recipient, "command",
		       job->out.command[0] ? job->out.command : "-", "outcome", job->out.outcome,
		       "duplicate", job->out.duplicate ? "yes" : "no", (const char *)NULL);
		if (job->adapter == ADAPTER_KANNEL)
			reply_kannel(job->ctx, &job->out);
		else
			reply_json(job->ctx, &job->out);
	}
	buf_free(&who);
	job_free(job);
}

/* Answers "no reply" at once: 200 with an empty body / an empty JSON reply. */
static void
reply_nothing(struct http_ctx *ctx, enum adapter a)
{
	struct sms_out none;
	memset(&none, 0, sizeof(none));
	snprintf(none.outcome, sizeof(none.outcome), "ignored");
	metrics_sms(http_server_metrics(http_ctx_server(ctx)), adapter_names[a], "ignored");
	if (a == ADAPTER_KANNEL)
		reply_kannel(ctx, &none);
	else
		reply_json(ctx, &none);
}

/*
 * Checks and normalises one message and submits it. raw is the text as received in
 * charset. Every problem is answered here (4xx) and nothing is stored.
 */
static void
submit(struct http_ctx *ctx, enum adapter a, const char *id, size_t id_len, const char *from,
       const char *to, const char *raw, size_t raw_len, const char *charset)
{
	struct http_env *env = http_ctx_env(ctx);
	struct sms_job *job;
	const char *why = NULL;
	char number[17];
	struct buf decoded = BUF_INIT;

	if (from == NULL || from[0] == '\0') {
		http_reply_error(ctx, 400, "missing sender (from)");
		return;
	}
	if (to == NULL || !token_ok(to, strlen(to), RECIPIENT_MAX)) {
		http_reply_error(ctx, 400, "missing or malformed recipient (to): the short code");
		return;
	}
	if (id_len > 0 && !token_ok(id, id_len, ID_MAX)) {
		http_reply_error(ctx, 400, "malformed message id: up to 80 printable characters");
		return;
	}
	if (charset == NULL || charset[0] == '\0')
		charset = "UTF-8";
	if (strlen(charset) > CHARSET_MAX) {
		http_reply_error(ctx, 400, "malformed charset");
		return;
	}
	if (raw_len > (size_t)env->cfg->sms_max_text_bytes) {
		http_reply_error(ctx, 413, "message text too long");
		return;
	}
	switch (msisdn_normalize(from, (int)env->cfg->game_country_code, number, &why)) {
	case MSISDN_MOBILE:
		break;
	case MSISDN_SHORT_CODE:
	case MSISDN_ALPHA:
		/* Loop guard: never answer a short code or a named sender. */
		log_kv(LOG_INFO, "inbound from a short code or named sender: no reply", "adapter",
		       adapter_names[a], "to", to, (const char *)NULL);
		reply_nothing(ctx, a);
		return;
	case MSISDN_INVALID: {
		char msg[200];
		snprintf(msg, sizeof(msg), "sender (from) is not a phone number: %s",
		         why != NULL ? why : "malformed");
		http_reply_error(ctx, 400, msg);
		return;
	}
	}
	if (text_decode_charset((const unsigned char *)raw, raw_len, charset, &decoded, &why) < 0) {
		char msg[200];
		snprintf(msg, sizeof(msg), "text cannot be decoded as %s: %s", charset,
		         why != NULL ? why : "invalid bytes");
		buf_free(&decoded);
		http_reply_error(ctx, 400, msg);
		return;
	}
	job = xcalloc(1, sizeof(*job));
	if (text_normalize(buf_cstr(&decoded), decoded.len, &job->text, &why) < 0) {
		buf_free(&decoded);
		buf_free(&job->text);
		free(job);
		http_reply_error(ctx, 400, "text is not valid UTF-8");
		return;
	}
	buf_free(&decoded);
	job->ctx = ctx;
	job->adapter = a;
	job->rules = sms_rules_ref(env->rules);
	snprintf(job->provider_id, sizeof(job->provider_id), "%.*s", (int)id_len,
	         id != NULL ? id : "");
	snprintf(job->msisdn, sizeof(job->msisdn), "%s", number);
	snprintf(job->recipient, sizeof(job->recipient), "%s", to);
	snprintf(job->charset, sizeof(job->charset), "%s", charset);
	buf_append(&job->raw, raw, raw_len);
	if (http_submit_batchable(ctx, &sms_batch, sms_job_run, sms_job_done, job) < 0)
		job_free(job);
}

/* A form value as a C string, or NULL when absent or holding a NUL byte. */
static const char *
form_str(const struct form *f, const char *name)
{
	const struct buf *b = form_get(f, name);
	if (b == NULL || memchr(buf_cstr((struct buf *)b), '\0', b->len) != NULL)
		return NULL;
	return buf_cstr((struct buf *)b);
}

/* The charset parameter of a Content-Type header, copied into out. */
static void
content_type_charset(const char *ct, char *out, size_t outsz)
{
	const char *p = ct != NULL ? strstr(ct, "charset=") : NULL;
	out[0] = '\0';
	if (p == NULL)
		return;
	p += 8;
	size_t n = strcspn(p, "; \t\"");
	if (*p == '"')
		n = strcspn(++p, "\"");
	snprintf(out, outsz, "%.*s", (int)(n < outsz ? n : outsz - 1), p);
}

void
sms_kannel(struct http_ctx *ctx)
{
	struct evhttp_request *req = http_ctx_req(ctx);
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = evhttp_uri_get_path(uri);
	const char *query = evhttp_uri_get_query(uri);
	struct form f;
	const char *why = NULL;
	const char *secret;
	char ct_charset[CHARSET_MAX + 1];

	if (form_parse(query != NULL ? query : "", query != NULL ? strlen(query) : 0, &f, &why) <
	    0) {
		form_free(&f);
		http_reply_error(ctx, 400, why);
		return;
	}
	/* The secret may come as the last path segment, a query field or a header. */
	secret = form_str(&f, "secret");
	if (secret == NULL && path != NULL && strncmp(path, KANNEL_PREFIX "/", 12) == 0)
		secret = path + 12;
	if (secret == NULL)
		secret = evhttp_find_header(in, "X-Gamigate-Secret");
	if (check_access(ctx, ADAPTER_KANNEL, secret) < 0) {
		form_free(&f);
		return;
	}

	const char *from = form_str(&f, "from");
	const char *to = form_str(&f, "to");
	const char *charset = form_str(&f, "charset");
	const char *coding = form_str(&f, "coding");
	const char *id = form_str(&f, "id");
	const char *raw = NULL;
	size_t raw_len = 0;
	if (from == NULL)
		from = evhttp_find_header(in, "X-Kannel-From");
	if (to == NULL)
		to = evhttp_find_header(in, "X-Kannel-To");
	if (coding == NULL)
		coding = evhttp_find_header(in, "X-Kannel-Coding");

	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST) {
		/* post-url: the body is the message; its charset is in Content-Type. */
		struct evbuffer *body = evhttp_request_get_input_buffer(req);
		raw_len = evbuffer_get_length(body);
		raw = raw_len > 0 ? (const char *)evbuffer_pullup(body, -1) : "";
		if (charset == NULL) {
			content_type_charset(evhttp_find_header(in, "Content-Type"), ct_charset,
			                     sizeof(ct_charset));
			if (ct_charset[0] != '\0')
				charset = ct_charset;
		}
	} else {
		const struct buf *text = form_get(&f, "text");
		if (text == NULL) {
			form_free(&f);
			http_reply_error(ctx, 400, "missing text: add text=%b to the get-url");
			return;
		}
		raw = text->data != NULL ? text->data : "";
		raw_len = text->len;
	}
	/* Kannel's coding 2 is UCS-2: without a charset, the bytes are UTF-16BE. */
	if ((charset == NULL || charset[0] == '\0') && coding != NULL && strcmp(coding, "2") == 0)
		charset = "UTF-16BE";
	submit(ctx, ADAPTER_KANNEL, id, id != NULL ? strlen(id) : 0, from, to, raw, raw_len,
	       charset);
	form_free(&f);
}

/* A JSON field that must be a string (or absent). -1 when present and not a string. */
static int
json_str(json_t *root, const char *name, const char **out)
{
	json_t *v = json_object_get(root, name);
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

void
sms_json(struct http_ctx *ctx)
{
	struct evhttp_request *req = http_ctx_req(ctx);
	struct evbuffer *body = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(body);
	json_error_t jerr;
	json_t *root;
	const char *from, *to, *text, *received_at, *id = NULL;
	char idbuf[32];
	char msg[300];

	if (check_access(
	        ctx, ADAPTER_JSON,
	        evhttp_find_header(evhttp_request_get_input_headers(req), "X-Gamigate-Secret")) < 0)
		return;
	root = json_loadb(len > 0 ? (const char *)evbuffer_pullup(body, -1) : "", len, 0, &jerr);
	if (root == NULL || !json_is_object(root)) {
		if (root == NULL)
			snprintf(msg, sizeof(msg),
			         "body is not valid JSON (line %d, column %d: %s); expected "
			         "{\"id\",\"from\",\"to\",\"text\"}",
			         jerr.line, jerr.column, jerr.text);
		else
			snprintf(msg, sizeof(msg),
			         "body must be a JSON object {\"id\",\"from\",\"to\",\"text\"}");
		json_decref(root);
		http_reply_error(ctx, 400, msg);
		return;
	}
	json_t *jid = json_object_get(root, "id");
	if (json_is_integer(jid)) {
		snprintf(idbuf, sizeof(idbuf), "%lld", (long long)json_integer_value(jid));
		id = idbuf;
	} else if (jid != NULL && !json_is_null(jid) && !json_is_string(jid)) {
		json_decref(root);
		http_reply_error(ctx, 400, "\"id\" must be a string or a number");
		return;
	} else if (jid != NULL && json_is_string(jid)) {
		id = json_string_value(jid);
	}
	if (json_str(root, "from", &from) < 0 || json_str(root, "to", &to) < 0 ||
	    json_str(root, "text", &text) < 0 || json_str(root, "received_at", &received_at) < 0) {
		json_decref(root);
		http_reply_error(ctx, 400,
		                 "\"from\", \"to\", \"text\" and \"received_at\" must "
		                 "be strings");
		return;
	}
	if (text == NULL) {
		json_decref(root);
		http_reply_error(ctx, 400, "missing \"text\"");
		return;
	}
	submit(ctx, ADAPTER_JSON, id, id != NULL ? strlen(id) : 0, from, to, text, strlen(text),
	       "UTF-8");
	json_decref(root);
}
