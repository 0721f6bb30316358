/*
 * events (http) — POST /api/v1/events. Event-loop thread, except job_run (a worker).
 *
 * A body that is not JSON, or neither an object nor an array, is refused as a whole
 * (400); a batch above EVENTS_API_BATCH_MAX items too (413). Each item is checked on
 * its own: a bad one is answered "rejected" with the reason, is not stored (a corrected
 * copy may be sent again under the same event_id) and does not stop the others. If the
 * database fails in the middle of a batch the whole request answers 503: the items
 * already applied are committed and answer "duplicate" when the batch is sent again.
 */
#include "http/events.h"
#include "cmd/rules.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "game/campaign.h"
#include "game/events.h"
#include "text/msisdn.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ERROR_MAX 240

struct api_item {
	char *given_id; /* event_id as sent, for the answer; NULL when absent or not a string */
	char error[ERROR_MAX]; /* "" = valid */
	struct events_input in;
	const struct campaign *const *campaigns; /* where it may earn */
	unsigned ncampaigns;
	int duplicate;
	struct buf result; /* JSON object, filled by the job */
};

struct api_job {
	struct http_ctx *ctx;
	struct sms_rules *rules; /* one reference: the campaigns stay alive for the job */
	int single;              /* the body was one object, not an array */
	size_t n;
	struct api_item *items;
};

static void
job_free(struct api_job *job)
{
	for (size_t i = 0; i < job->n; i++) {
		free(job->items[i].given_id);
		buf_free(&job->items[i].result);
	}
	free(job->items);
	if (job->rules != NULL)
		sms_rules_unref(job->rules);
	free(job);
}

static const char *const item_fields[] = {"event_id", "msisdn", "type", "amount", "at", "campaign"};

/* Printable ASCII without spaces, 1..EVENTS_ID_MAX bytes. */
static int
event_id_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > EVENTS_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	}
	return 1;
}

static int reject(struct api_item *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records why the item is refused; returns -1 for the caller to return. */
static int
reject(struct api_item *it, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(it->error, sizeof(it->error), fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Checks one item of the body and fills it->in, or it->error. now is the arrival time
 * (the default `at`, and the reference for "too far in the future").
 */
static int
check_item(json_t *v, const struct config *cfg, struct sms_rules *rules, time_t now,
           struct api_item *it)
{
	const char *key, *why = NULL;
	json_t *f;

	if (!json_is_object(v))
		return reject(it, "an event must be an object {\"event_id\", \"msisdn\", \"type\", "
		                  "\"amount\", \"at\"?}");
	f = json_object_get(v, "event_id");
	if (json_is_string(f))
		it->given_id = xstrdup(json_string_value(f));
	json_object_foreach(v, key, f)
	{
		size_t k = 0;
		while (k < sizeof(item_fields) / sizeof(item_fields[0]) &&
		       strcmp(key, item_fields[k]) != 0)
			k++;
		if (k == sizeof(item_fields) / sizeof(item_fields[0]))
			return reject(
			    it,
			    "unknown field \"%.40s\": an event has event_id, msisdn, type, "
			    "amount, at and campaign",
			    key);
	}

	f = json_object_get(v, "event_id");
	if (f == NULL)
		return reject(it, "missing event_id");
	if (!json_is_string(f))
		return reject(it, "event_id must be a string");
	if (!event_id_ok(json_string_value(f)))
		return reject(it,
		              "event_id must be 1 to %d printable ASCII characters without "
		              "spaces",
		              EVENTS_ID_MAX);
	snprintf(it->in.event_id, sizeof(it->in.event_id), "%s", json_string_value(f));

	char number[32];
	f = json_object_get(v, "msisdn");
	if (json_is_string(f))
		snprintf(number, sizeof(number), "%.31s", json_string_value(f));
	else if (json_is_integer(f))
		snprintf(number, sizeof(number), "%lld", (long long)json_integer_value(f));
	else
		return reject(it, f == NULL ? "missing msisdn" : "msisdn must be a string");
	if ((json_is_string(f) && strlen(json_string_value(f)) >= sizeof(number)) ||
	    msisdn_normalize(number, (int)cfg->game_country_code, it->in.msisdn, &why) !=
	        MSISDN_MOBILE)
		return reject(it, "msisdn is not a mobile number%s%s", why != NULL ? ": " : "",
		              why != NULL ? why : "");

	f = json_object_get(v, "type");
	if (f == NULL)
		return reject(it, "missing type");
	if (!json_is_string(f) || events_type_parse(json_string_value(f), &it->in.type) < 0)
		return reject(it, "type must be one of recharge, bundle, bill, custom");

	f = json_object_get(v, "amount");
	if (f == NULL)
		return reject(it, "missing amount (rials; 0 when the event has none)");
	if (!json_is_integer(f))
		return reject(it, "amount must be a whole number of rials");
	it->in.amount = (long long)json_integer_value(f);
	if (it->in.amount < 0 || it->in.amount > EVENTS_AMOUNT_MAX)
		return reject(it, "amount must be from 0 to %lld rials", EVENTS_AMOUNT_MAX);

	f = json_object_get(v, "at");
	it->in.at = now;
	if (f != NULL && !json_is_null(f)) {
		time_t at;
		if (!json_is_string(f))
			return reject(it, "at must be a string, e.g. \"2026-03-21T18:30:00Z\"");
		if (events_parse_time(json_string_value(f), &at, &why) < 0)
			return reject(it, "at %s", why);
		if (at > now + EVENTS_FUTURE_MAX_S)
			return reject(it, "at is more than a day in the future");
		it->in.at = at;
		it->in.at_given = 1;
	}

	/* Every active campaign, or the one named. */
	it->campaigns = (const struct campaign *const *)rules->campaigns;
	it->ncampaigns = rules->ncampaigns;
	f = json_object_get(v, "campaign");
	if (f != NULL && !json_is_null(f)) {
		unsigned k;
		if (!json_is_string(f))
			return reject(it, "campaign must be a string (a campaign id)");
		for (k = 0; k < rules->ncampaigns; k++) {
			if (strcmp(rules->campaigns[k]->id, json_string_value(f)) == 0)
				break;
		}
		if (k == rules->ncampaigns)
			return reject(it, "no active campaign \"%.40s\"", json_string_value(f));
		it->campaigns = (const struct campaign *const *)&rules->campaigns[k];
		it->ncampaigns = 1;
	}
	return 0;
}

static int
job_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct api_job *job = arg;
	for (size_t i = 0; i < job->n; i++) {
		struct api_item *it = &job->items[i];
		if (it->error[0] != '\0')
			continue;
		if (events_record(conn, it->campaigns, it->ncampaigns, &it->in, &it->result,
		                  &it->duplicate, err) < 0)
			return -1;
	}
	return 0;
}

static void
put_rejected(struct buf *b, const struct api_item *it)
{
	buf_puts(b, "{\"event_id\":");
	if (it->given_id != NULL)
		buf_json_str(b, it->given_id);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"status\":\"rejected\",\"error\":");
	buf_json_str(b, it->error);
	buf_puts(b, ",\"points\":0,\"chances\":0,\"missions\":[]}");
}

/* Answers 200 with the results; frees the job. */
static void
reply_results(struct api_job *job)
{
	struct buf b = BUF_INIT;
	size_t applied = 0, duplicates = 0, rejected = 0;
	char n_s[24], a_s[24], d_s[24], r_s[24];

	if (!job->single)
		buf_putc(&b, '[');
	for (size_t i = 0; i < job->n; i++) {
		const struct api_item *it = &job->items[i];
		if (i > 0)
			buf_putc(&b, ',');
		if (it->error[0] != '\0') {
			put_rejected(&b, it);
			rejected++;
			continue;
		}
		buf_append(&b, it->result.data, it->result.len);
		if (it->duplicate)
			duplicates++;
		else
			applied++;
	}
	if (!job->single)
		buf_putc(&b, ']');
	buf_putc(&b, '\n');
	snprintf(n_s, sizeof(n_s), "%zu", job->n);
	snprintf(a_s, sizeof(a_s), "%zu", applied);
	snprintf(d_s, sizeof(d_s), "%zu", duplicates);
	snprintf(r_s, sizeof(r_s), "%zu", rejected);
	log_kv(LOG_INFO, "events", "items", n_s, "applied", a_s, "duplicate", d_s, "rejected", r_s,
	       (const char *)NULL);
	http_reply(job->ctx, 200, "application/json", b.data, b.len);
	buf_free(&b);
	job_free(job);
}

static void
job_done(void *arg, int result, const struct db_error *err)
{
	struct api_job *job = arg;
	char msg[400];

	if (result < 0) {
		log_kv(LOG_ERROR, "events failed", "error", err->msg, (const char *)NULL);
		snprintf(msg, sizeof(msg),
		         "database error (%s); send the same events again: those already applied "
		         "answer \"duplicate\"",
		         err->msg);
		evhttp_add_header(evhttp_request_get_output_headers(http_ctx_req(job->ctx)),
		                  "Retry-After", "1");
		http_reply_error(job->ctx, 503, msg);
		job_free(job);
		return;
	}
	reply_results(job);
}

void
events_api_post(struct http_ctx *ctx)
{
	struct http_env *env = http_ctx_env(ctx);
	struct evhttp_request *req = http_ctx_req(ctx);
	struct evbuffer *body = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(body);
	json_error_t jerr;
	json_t *root, *v;
	size_t i, valid = 0;
	char msg[400];

	if (http_require_admin(ctx) < 0)
		return;
	if (env->rules == NULL || !env->rules->campaigns_ok) {
		/* Without the campaigns an event would be stored as earning nothing, for good. */
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "5");
		http_reply_error(ctx, 503,
		                 "the campaigns could not be read from the database yet; send the "
		                 "events again in a moment");
		return;
	}
	root = json_loadb(len > 0 ? (const char *)evbuffer_pullup(body, -1) : "", len,
	                  JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (root == NULL) {
		snprintf(msg, sizeof(msg),
		         "body is not valid JSON (line %d, column %d: %s); expected an event "
		         "{\"event_id\", \"msisdn\", \"type\", \"amount\", \"at\"?} or an array of "
		         "up to %d",
		         jerr.line, jerr.column, jerr.text, EVENTS_API_BATCH_MAX);
		http_reply_error(ctx, 400, msg);
		return;
	}
	if (!json_is_object(root) && !json_is_array(root)) {
		json_decref(root);
		http_reply_error(ctx, 400,
		                 "body must be an event object or an array of event objects");
		return;
	}
	if (json_is_array(root) && json_array_size(root) > EVENTS_API_BATCH_MAX) {
		snprintf(msg, sizeof(msg), "too many events in one request: %zu, at most %d",
		         json_array_size(root), EVENTS_API_BATCH_MAX);
		json_decref(root);
		http_reply_error(ctx, 413, msg);
		return;
	}

	struct api_job *job = xcalloc(1, sizeof(*job));
	time_t now = time(NULL);
	job->ctx = ctx;
	job->single = json_is_object(root);
	job->n = job->single ? 1 : json_array_size(root);
	job->items = xcalloc(job->n > 0 ? job->n : 1, sizeof(*job->items));
	for (i = 0; i < job->n; i++) {
		v = job->single ? root : json_array_get(root, i);
		if (check_item(v, env->cfg, env->rules, now, &job->items[i]) == 0)
			valid++;
	}
	json_decref(root);
	if (valid == 0) {
		reply_results(job); /* nothing for the database */
		return;
	}
	job->rules = sms_rules_ref(env->rules);
	if (http_submit(ctx, job_run, job_done, job) < 0)
		job_free(job);
}
