/*
 * corrections (http) — POST /api/v1/points/adjust and /api/v1/points/reverse. See
 * corrections.h. Event-loop thread, except job_run (a worker).
 */
#include "http/corrections.h"
#include "cmd/rules.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "game/adjust.h"
#include "game/campaign.h"
#include "text/mask.h"
#include "text/msisdn.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BODY_MAX 4096

struct fix_job {
	struct http_ctx *ctx;
	struct sms_rules *rules; /* a reference: the campaigns stay alive for the job */
	int reverse;
	const struct campaign *campaign; /* adjust: which one */
	char msisdn[MSISDN_SIZE];
	long long points;
	char ref[121];
	char note[ADJUST_NOTE_MAX + 1];
	struct adjust_result r;
};

static void
job_free(struct fix_job *job)
{
	if (job->rules != NULL)
		sms_rules_unref(job->rules);
	free(job);
}

static int
job_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct fix_job *job = arg;
	if (job->reverse)
		return adjust_reverse(conn, job->rules->campaigns, job->rules->ncampaigns, job->ref,
		                      job->note, &job->r, err);
	return adjust_points(conn, job->campaign, job->msisdn, job->points, job->ref, job->note,
	                     &job->r, err);
}

static void
job_done(void *arg, int result, const struct db_error *err)
{
	struct fix_job *job = arg;
	struct buf b = BUF_INIT, m = BUF_INIT;
	const char *what = job->reverse ? "points reverse" : "points adjust";
	char msg[400];
	int status = 200;

	if (result < 0) {
		log_kv(LOG_ERROR, "points correction failed", "what", what, "error", err->msg,
		       (const char *)NULL);
		snprintf(msg, sizeof(msg),
		         "database error (%s); send it again: a ref is applied at most once",
		         err->msg);
		evhttp_add_header(evhttp_request_get_output_headers(http_ctx_req(job->ctx)),
		                  "Retry-After", "1");
		http_reply_error(job->ctx, 503, msg);
		job_free(job);
		return;
	}
	mask_phones(job->r.msisdn, &m);
	switch (job->r.outcome) {
	case ADJUST_DONE:
	case ADJUST_ALREADY:
		buf_printf(&b, "{\"status\":\"%s\",\"msisdn\":",
		           job->r.outcome == ADJUST_DONE ? "done" : "already");
		buf_json_str(&b, buf_cstr(&m));
		buf_puts(&b, ",\"ledger_ref\":");
		buf_json_str(&b, job->r.ledger_ref);
		buf_printf(&b, ",\"delta\":%lld,\"balance\":%lld}\n", job->r.delta, job->r.balance);
		if (job->r.outcome == ADJUST_DONE) {
			char delta[24];
			snprintf(delta, sizeof(delta), "%+lld", job->r.delta);
			log_kv(LOG_INFO, "points corrected", "what", what, "msisdn", buf_cstr(&m),
			       "ledger_ref", job->r.ledger_ref, "delta", delta, (const char *)NULL);
		}
		http_reply(job->ctx, 200, "application/json", b.data, b.len);
		goto out;
	case ADJUST_SHORT:
		status = 409;
		snprintf(msg, sizeof(msg),
		         "refused: the balance is %lld, %lld cannot be taken; nothing changed",
		         job->r.balance, job->r.wanted);
		break;
	case ADJUST_NO_SUBSCRIBER:
		status = 404;
		snprintf(msg, sizeof(msg), "no subscriber %s; nothing changed", buf_cstr(&m));
		break;
	case ADJUST_NO_ROW:
		status = 404;
		snprintf(msg, sizeof(msg), "no ledger row has that ref; nothing changed");
		break;
	case ADJUST_NOTHING:
		status = 409;
		snprintf(msg, sizeof(msg),
		         "that row moved no points, or they have expired already; nothing to "
		         "reverse");
		break;
	case ADJUST_IS_REVERSAL:
		status = 409;
		snprintf(msg, sizeof(msg),
		         "that row is a reversal itself; use /api/v1/points/adjust to correct it");
		break;
	}
	http_reply_error(job->ctx, status, msg);
out:
	buf_free(&b);
	buf_free(&m);
	job_free(job);
}

/* The body as a JSON object, or NULL after answering 400/503 (ctx is gone then). */
static json_t *
read_body(struct http_ctx *ctx, const char *form)
{
	struct http_env *env = http_ctx_env(ctx);
	struct evhttp_request *req = http_ctx_req(ctx);
	struct evbuffer *body = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(body);
	json_error_t jerr;
	char msg[400];

	if (http_require_admin(ctx) < 0)
		return NULL;
	if (env->rules == NULL || !env->rules->campaigns_ok) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "5");
		http_reply_error(ctx, 503,
		                 "the campaigns could not be read from the database yet; try again "
		                 "in a moment");
		return NULL;
	}
	if (len > BODY_MAX) {
		http_reply_error(ctx, 413, "body too large");
		return NULL;
	}
	json_t *root = json_loadb(len > 0 ? (const char *)evbuffer_pullup(body, -1) : "", len,
	                          JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root)) {
		snprintf(msg, sizeof(msg), "body must be a JSON object %s", form);
		json_decref(root);
		http_reply_error(ctx, 400, msg);
		return NULL;
	}
	return root;
}

/* Copies the string field key of root into out; NULL ok, else the error text. */
static const char *
get_text(json_t *root, const char *key, int required, char *out, size_t size)
{
	json_t *f = json_object_get(root, key);
	out[0] = '\0';
	if (f == NULL || json_is_null(f))
		return required ? "is required" : NULL;
	if (!json_is_string(f))
		return "must be a string";
	const char *s = json_string_value(f);
	if (strlen(s) == 0 || strlen(s) >= size)
		return "has a wrong length";
	snprintf(out, size, "%s", s);
	return NULL;
}

static const char *const adjust_fields[] = {"msisdn", "points", "reason", "ref", "campaign"};
static const char *const reverse_fields[] = {"ref", "reason"};

/* An unknown field's name, or NULL. */
static const char *
unknown_field(json_t *root, const char *const *fields, size_t n)
{
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v)
	{
		size_t k = 0;
		while (k < n && strcmp(key, fields[k]) != 0)
			k++;
		if (k == n)
			return key;
	}
	return NULL;
}

static void
submit(struct http_ctx *ctx, struct fix_job *job)
{
	job->ctx = ctx;
	job->rules = sms_rules_ref(http_ctx_env(ctx)->rules);
	if (http_submit(ctx, job_run, job_done, job) < 0)
		job_free(job);
}

void
corrections_adjust(struct http_ctx *ctx)
{
	static const char form[] = "{\"msisdn\", \"points\", \"reason\", \"ref\", \"campaign\"?}";
	struct http_env *env = http_ctx_env(ctx);
	char msg[400], number[32], cid[41];
	const char *why = NULL, *field = NULL;
	json_t *root = read_body(ctx, form);
	if (root == NULL)
		return;
	struct fix_job *job = xcalloc(1, sizeof(*job));
	const char *bad = unknown_field(root, adjust_fields, 5);
	if (bad != NULL) {
		snprintf(msg, sizeof(msg), "unknown field \"%.40s\": the body is %s", bad, form);
		goto refuse;
	}
	if ((why = get_text(root, "msisdn", 1, number, sizeof(number))) != NULL) {
		field = "msisdn";
		goto field_error;
	}
	if (msisdn_normalize(number, (int)env->cfg->game_country_code, job->msisdn, &why) !=
	    MSISDN_MOBILE) {
		snprintf(msg, sizeof(msg), "msisdn is not a mobile number%s%s",
		         why != NULL ? ": " : "", why != NULL ? why : "");
		goto refuse;
	}
	json_t *p = json_object_get(root, "points");
	if (!json_is_integer(p) || json_integer_value(p) == 0 ||
	    json_integer_value(p) > 1000000000 || json_integer_value(p) < -1000000000) {
		snprintf(msg, sizeof(msg),
		         "points must be a whole number, not 0, from -1000000000 to 1000000000");
		goto refuse;
	}
	job->points = (long long)json_integer_value(p);
	if ((why = get_text(root, "reason", 1, job->note, sizeof(job->note))) != NULL) {
		field = "reason";
		goto field_error;
	}
	if ((why = get_text(root, "ref", 1, job->ref, ADJUST_REF_MAX + 1)) != NULL ||
	    !adjust_ref_ok(job->ref)) {
		snprintf(msg, sizeof(msg),
		         "ref is required: 1-%d printable characters without spaces (the "
		         "idempotency key: a ref is applied at most once)",
		         ADJUST_REF_MAX);
		goto refuse;
	}
	if ((why = get_text(root, "campaign", 0, cid, sizeof(cid))) != NULL) {
		field = "campaign";
		goto field_error;
	}
	struct sms_rules *rules = env->rules;
	for (unsigned i = 0; i < rules->ncampaigns; i++) {
		if (cid[0] != '\0' ? strcmp(rules->campaigns[i]->id, cid) == 0
		                   : rules->ncampaigns == 1)
			job->campaign = rules->campaigns[i];
	}
	if (job->campaign == NULL) {
		if (cid[0] != '\0')
			snprintf(msg, sizeof(msg), "no active campaign \"%s\"", cid);
		else
			snprintf(msg, sizeof(msg), "%s; name it in \"campaign\"",
			         rules->ncampaigns == 0 ? "no campaign is active"
			                                : "several campaigns are active");
		goto refuse;
	}
	json_decref(root);
	submit(ctx, job);
	return;
field_error:
	snprintf(msg, sizeof(msg), "%s %s", field, why);
refuse:
	json_decref(root);
	free(job);
	http_reply_error(ctx, 400, msg);
}

void
corrections_reverse(struct http_ctx *ctx)
{
	static const char form[] = "{\"ref\", \"reason\"?}";
	char msg[400];
	const char *why = NULL;
	json_t *root = read_body(ctx, form);
	if (root == NULL)
		return;
	struct fix_job *job = xcalloc(1, sizeof(*job));
	job->reverse = 1;
	const char *bad = unknown_field(root, reverse_fields, 2);
	if (bad != NULL) {
		snprintf(msg, sizeof(msg), "unknown field \"%.40s\": the body is %s", bad, form);
		goto refuse;
	}
	if ((why = get_text(root, "ref", 1, job->ref, sizeof(job->ref))) != NULL) {
		snprintf(msg, sizeof(msg), "ref %s (the ref of a ledger row, at most 120 bytes)",
		         why);
		goto refuse;
	}
	if ((why = get_text(root, "reason", 0, job->note, sizeof(job->note))) != NULL) {
		snprintf(msg, sizeof(msg), "reason %s", why);
		goto refuse;
	}
	if (job->note[0] == '\0')
		snprintf(job->note, sizeof(job->note), "reversed through the admin API");
	json_decref(root);
	submit(ctx, job);
	return;
refuse:
	json_decref(root);
	free(job);
	http_reply_error(ctx, 400, msg);
}
