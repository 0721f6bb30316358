/*
 * outbox — creating rows with policies, the notifications feed, claiming with policies
 * (see outbox.h). Worker threads.
 */
#include "send/outbox.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "text/sms.h"
#include "text/template.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
outbox_queue(struct db_conn *conn, const struct outbox_env *env, const struct outbox_msg *m,
             time_t now, enum outbox_queued *result_r, const char **reason_r, struct db_error *err)
{
	struct outbox_member mem = {0};
	const char *msisdn = m->msisdn;
	const char *reason = NULL;
	time_t not_before = now;
	enum policy_verdict v = POLICY_SEND;
	struct sms_info info;

	*reason_r = NULL;
	if (m->subscriber_id > 0) {
		if (outbox_member_get(conn, m->subscriber_id, policy_day_start(env->policy, now), 0,
		                      &mem, err) < 0)
			return -1;
		if (!mem.exists) {
			*result_r = OUTBOX_NO_MEMBER;
			*reason_r = "no such subscriber";
			return 0;
		}
		msisdn = mem.msisdn;
		struct policy_member pm = {mem.opted_out, mem.promo_blocked, mem.promo_today};
		v = policy_check(env->policy, m->kind, &pm, now, &not_before, &reason);
	} else if (m->kind != OUTBOX_REPLY || msisdn == NULL) {
		*result_r = OUTBOX_NO_MEMBER;
		*reason_r = "a message other than a reply needs a subscriber";
		return 0;
	}
	sms_measure(m->text, &info);
	if (v != POLICY_DROP && env->max_segments > 0 && info.segments > env->max_segments) {
		v = POLICY_DROP;
		reason = "text too long for the provider (more SMS parts than sms.max_segments)";
	}
	struct outbox_new row = {
	    .client_ref = m->client_ref,
	    .kind = outbox_kind_name(m->kind),
	    .subscriber_id = m->subscriber_id,
	    .msisdn = msisdn,
	    .text = m->text,
	    .lang = m->lang,
	    .campaign_id = m->campaign_id,
	    .source = m->source,
	    .priority = m->priority,
	    .segments = info.segments,
	    .not_before = not_before,
	    .expires_at = now + env->expire_s,
	    .state = v == POLICY_DROP ? "failed" : "queued",
	    .error = v == POLICY_DROP ? reason : NULL,
	};
	if (row.not_before > row.expires_at)
		row.expires_at = row.not_before + env->expire_s;
	int rc = outbox_insert(conn, &row, err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		*result_r = OUTBOX_DUPLICATE;
	else if (v == POLICY_DROP)
		*result_r = OUTBOX_REFUSED;
	else
		*result_r = OUTBOX_QUEUED;
	*reason_r = reason;
	return 0;
}

/* Renders the notification's template with the values of its JSON object (strings and
 * numbers). 0 ok, -1 when the template or language is missing. */
static int
render(const struct outbox_env *env, const struct outbox_notification *n, const char *lang,
       struct buf *out)
{
	struct template_var vars[16];
	char numbers[16][32];
	size_t nvars = 0;
	json_t *root = json_loads(n->vars, 0, NULL);
	const char *key;
	json_t *value;

	if (root != NULL && json_is_object(root)) {
		json_object_foreach(root, key, value)
		{
			if (nvars >= 16)
				break;
			if (json_is_string(value)) {
				vars[nvars].name = key;
				vars[nvars++].value = json_string_value(value);
			} else if (json_is_integer(value)) {
				snprintf(numbers[nvars], sizeof(numbers[nvars]),
				         "%" JSON_INTEGER_FORMAT, json_integer_value(value));
				vars[nvars].name = key;
				vars[nvars].value = numbers[nvars];
				nvars++;
			}
		}
	}
	int rc = env->templates == NULL
	             ? -1
	             : templates_render(env->templates, lang, n->template_key, vars, nvars, out);
	json_decref(root);
	return rc;
}

struct feed_ctx {
	const struct outbox_env *env;
	unsigned max;
	time_t now;
	struct outbox_notification *list;
	struct outbox_feed_stats st;
};

static int
feed_tx(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct feed_ctx *c = arg;
	unsigned n = 0;

	memset(&c->st, 0, sizeof(c->st));
	if (outbox_notifications_pending(conn, c->max, c->list, &n, err) < 0)
		return -1;
	c->st.notifications = n;
	c->st.more = n == c->max;
	for (unsigned i = 0; i < n; i++) {
		const struct outbox_notification *x = &c->list[i];
		struct outbox_member mem;
		struct buf text = BUF_INIT;
		char ref[40];
		const char *status = "queued", *reason = NULL;
		enum outbox_kind kind;
		enum outbox_queued result = OUTBOX_QUEUED;

		if (outbox_member_get(conn, x->subscriber_id, 0, 0, &mem, err) < 0)
			return -1;
		const char *lang = mem.lang[0] != '\0' ? mem.lang : c->env->default_lang;
		if (outbox_kind_parse(x->kind, &kind) < 0)
			kind = OUTBOX_TRANSACTIONAL;
		if (!mem.exists || render(c->env, x, lang, &text) < 0 ||
		    (text.len == 0 &&
		     !templates_has_key(c->env->templates, lang, x->template_key))) {
			status = "failed";
		} else {
			snprintf(ref, sizeof(ref), "n:%lld", x->id);
			char source[64];
			snprintf(source, sizeof(source), "notification:%s", x->template_key);
			struct outbox_msg m = {
			    .client_ref = ref,
			    .kind = kind,
			    .subscriber_id = x->subscriber_id,
			    .text = buf_cstr(&text),
			    .lang = lang,
			    .campaign_id = x->campaign_id[0] != '\0' ? x->campaign_id : NULL,
			    .source = source,
			};
			if (outbox_queue(conn, c->env, &m, c->now, &result, &reason, err) < 0) {
				buf_free(&text);
				return -1;
			}
			if (result == OUTBOX_REFUSED || result == OUTBOX_NO_MEMBER)
				status = "failed";
		}
		buf_free(&text);
		if (strcmp(status, "failed") == 0)
			c->st.refused++;
		else
			c->st.queued++;
		if (outbox_notification_mark(conn, x->id, status, err) < 0)
			return -1;
	}
	return 0;
}

int
outbox_feed(struct db_conn *conn, const struct outbox_env *env, unsigned max, time_t now,
            struct outbox_feed_stats *st_r, struct db_error *err)
{
	struct feed_ctx c = {.env = env, .max = max, .now = now};
	c.list = xcalloc(max > 0 ? max : 1, sizeof(*c.list));
	int rc = db_tx(conn, feed_tx, &c, err);
	*st_r = c.st;
	free(c.list);
	return rc;
}

int
outbox_claim_due(struct db_conn *conn, const struct outbox_env *env, const char *token,
                 unsigned lease_s, unsigned max, time_t now, struct outbox_item *items,
                 unsigned *n_r, struct db_error *err)
{
	unsigned n = 0, kept = 0;
	struct outbox_report *settle = NULL;
	size_t nsettle = 0;
	int rc = -1;

	*n_r = 0;
	time_t day_start = policy_day_start(env->policy, now);
	if (outbox_claim(conn, token, lease_s, max, day_start, items, &n, err) < 0)
		return -1;
	settle = xcalloc(n > 0 ? n : 1, sizeof(*settle));
	for (unsigned i = 0; i < n; i++) {
		struct outbox_item *it = &items[i];
		enum outbox_kind kind = OUTBOX_TRANSACTIONAL;
		enum policy_verdict v = POLICY_SEND;
		const char *reason = NULL;
		time_t until = now;
		struct outbox_report *r = &settle[nsettle];

		outbox_kind_parse(it->kind, &kind);
		if (it->expired) {
			r->kind = OUTBOX_EXPIRED;
			snprintf(r->error, sizeof(r->error), "not sent before it expired");
		} else if (it->subscriber_id > 0 && kind != OUTBOX_REPLY) {
			struct policy_member pm = {it->member.opted_out, it->member.promo_blocked,
			                           it->member.promo_today};
			v = policy_check(env->policy, kind, &pm, now, &until, &reason);
			if (v == POLICY_DROP) {
				r->kind = OUTBOX_FAILED;
				snprintf(r->error, sizeof(r->error), "%s", reason);
			} else if (v == POLICY_WAIT) {
				r->kind = OUTBOX_DEFER;
				r->delay_s = (double)(until - now);
				snprintf(r->error, sizeof(r->error),
				         "waiting for quiet hours to end");
			}
		}
		if (it->expired || v != POLICY_SEND) {
			r->id = it->id;
			snprintf(r->token, sizeof(r->token), "%s", token);
			nsettle++;
			continue;
		}
		if (kept != i)
			items[kept] = *it;
		kept++;
	}
	if (outbox_report_apply(conn, settle, nsettle, 1000000, err) < 0)
		goto out;
	*n_r = kept;
	rc = 0;
out:
	free(settle);
	return rc;
}
