/*
 * sender — libcurl multi on the libevent loop (see sender.h). Event-loop thread; the
 * run functions of its pool jobs run on workers and touch only their job.
 */
#include "send/sender.h"
#include "send/sender_internal.h"
#include "core/config.h"
#include "core/log.h"
#include "core/random.h"
#include "core/tz.h"
#include "core/xalloc.h"
#include "send/outbox.h"
#include "send/policy.h"
#include "send/provider.h"
#include "send/throttle.h"
#include "store/pool.h"
#include "text/mask.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_ANSWER_BYTES 16384
#define FEED_EVERY_S     1.0

struct send_item {
	struct sender *s;
	struct outbox_item it;
	char token[100];
	CURL *easy;
	struct curl_slist *headers;
	struct provider_request req;
	struct buf answer;
	double retry_after; /* < 0: none */
	double started;
	struct send_item *next;          /* ready list */
	struct send_item *fprev, *fnext; /* in-flight list */
};

struct sock_info {
	struct event *ev;
};

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void dispatch(struct sender *s);
static void flush_reports(struct sender *s);
static void maybe_claim(struct sender *s, double now);
static unsigned claim_size(struct sender *s);

static void
schedule_tick(struct sender *s, double after_s)
{
	struct timeval tv = {(time_t)after_s,
	                     (suseconds_t)((after_s - (double)(time_t)after_s) * 1e6)};
	event_add(s->tick, &tv);
}

static void
add_report(struct sender *s, const struct send_item *x, enum outbox_report_kind kind,
           const struct provider_result *res, double delay_s)
{
	if (s->nreports == s->reports_cap) {
		s->reports_cap = s->reports_cap ? s->reports_cap * 2 : 64;
		s->reports = xrealloc(s->reports, s->reports_cap * sizeof(*s->reports));
	}
	struct outbox_report *r = &s->reports[s->nreports++];
	memset(r, 0, sizeof(*r));
	r->id = x->it.id;
	snprintf(r->token, sizeof(r->token), "%s", x->token);
	r->kind = kind;
	snprintf(r->provider, sizeof(r->provider), "%s", s->provider->name);
	if (res != NULL) {
		snprintf(r->provider_id, sizeof(r->provider_id), "%s", res->provider_id);
		snprintf(r->error, sizeof(r->error), "%s", res->error);
	}
	r->delay_s = delay_s;
}

static void
item_free(struct send_item *x)
{
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	provider_request_free(&x->req);
	buf_free(&x->answer);
	free(x);
}

/* ---- curl multi on libevent (hiperfifo) ---- */

static void
unlink_flying(struct sender *s, struct send_item *x)
{
	if (x->fprev != NULL)
		x->fprev->fnext = x->fnext;
	else
		s->flying = x->fnext;
	if (x->fnext != NULL)
		x->fnext->fprev = x->fprev;
	x->fprev = x->fnext = NULL;
}

static void
check_multi_info(struct sender *s)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(s->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *easy = msg->easy_handle;
		CURLcode result = msg->data.result;
		struct send_item *x = NULL;
		long status = 0;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
		curl_multi_remove_handle(s->multi, easy);
		s->in_flight--;
		unlink_flying(s, x);

		struct provider_result res;
		double now = now_s();
		provider_classify(s->provider, s->cfg, result == CURLE_OK, status, x->answer.data,
		                  x->answer.len, &res);
		if (result != CURLE_OK)
			snprintf(res.error, sizeof(res.error), "%s", curl_easy_strerror(result));
		s->latency_sum += now - x->started;
		s->latency_n++;
		struct buf masked = BUF_INIT;
		mask_phones(x->it.msisdn, &masked);
		switch (res.outcome) {
		case SEND_OK:
			breaker_success(&s->breaker);
			add_report(s, x, OUTBOX_SENT, &res, 0);
			s->n_sent++;
			log_kv(LOG_DEBUG, "sms sent", "ref", x->it.client_ref, "to",
			       buf_cstr(&masked), "provider_id", res.provider_id,
			       (const char *)NULL);
			break;
		case SEND_RETRY: {
			breaker_failure(&s->breaker, now);
			double d = backoff_delay(x->it.attempts,
			                         (double)s->cfg->outbox_retry_base_ms / 1000,
			                         (double)s->cfg->outbox_retry_max_s, random_u64());
			if (x->retry_after >= 0 && x->retry_after > d)
				d = x->retry_after;
			add_report(s, x, OUTBOX_RETRY, &res, d);
			s->n_retry++;
			log_kv(LOG_INFO, "sms not sent; will retry", "ref", x->it.client_ref, "to",
			       buf_cstr(&masked), "error", res.error, (const char *)NULL);
			break;
		}
		case SEND_FAIL:
			/* The provider answered: it is up, the message is what it refused. */
			breaker_success(&s->breaker);
			add_report(s, x, OUTBOX_FAILED, &res, 0);
			s->n_failed++;
			log_kv(LOG_WARN, "sms refused by the provider", "ref", x->it.client_ref,
			       "to", buf_cstr(&masked), "error", res.error, (const char *)NULL);
			break;
		}
		buf_free(&masked);
		item_free(x);
	}
	if (s->nready < claim_size(s))
		maybe_claim(s, now_s()); /* before the results take the queue, as in on_tick */
	flush_reports(s);
	dispatch(s);
}

static void
on_socket(evutil_socket_t fd, short what, void *arg)
{
	struct sender *s = arg;
	int running = 0;
	int action =
	    ((what & EV_READ) ? CURL_CSELECT_IN : 0) | ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);
	curl_multi_socket_action(s->multi, fd, action, &running);
	check_multi_info(s);
}

static int
sock_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct sender *s = userp;
	struct sock_info *si = socketp;
	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (si != NULL) {
			event_free(si->ev);
			free(si);
			curl_multi_assign(s->multi, fd, NULL);
		}
		return 0;
	}
	short kind = (short)(((what & CURL_POLL_IN) ? EV_READ : 0) |
	                     ((what & CURL_POLL_OUT) ? EV_WRITE : 0) | EV_PERSIST);
	if (si == NULL) {
		si = xcalloc(1, sizeof(*si));
		curl_multi_assign(s->multi, fd, si);
	} else {
		event_free(si->ev);
	}
	si->ev = event_new(s->base, fd, kind, on_socket, s);
	event_add(si->ev, NULL);
	return 0;
}

static void
on_curl_timer(evutil_socket_t fd, short what, void *arg)
{
	struct sender *s = arg;
	int running = 0;
	(void)fd;
	(void)what;
	curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_multi_info(s);
}

static int
timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct sender *s = userp;
	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(s->curl_timer);
		return 0;
	}
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	evtimer_add(s->curl_timer, &tv);
	return 0;
}

static size_t
write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct send_item *x = arg;
	size_t len = size * n;
	if (x->answer.len + len > MAX_ANSWER_BYTES)
		return x->answer.len < MAX_ANSWER_BYTES ? len : len; /* keep the start only */
	buf_append(&x->answer, data, len);
	return len;
}

static size_t
header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct send_item *x = arg;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	if (len > sizeof(name) - 1 && len < 200 && strncasecmp(data, name, sizeof(name) - 1) == 0) {
		char value[200];
		size_t vlen = len - (sizeof(name) - 1);
		memcpy(value, data + sizeof(name) - 1, vlen);
		value[vlen] = '\0';
		while (vlen > 0 && (value[vlen - 1] == '\r' || value[vlen - 1] == '\n'))
			value[--vlen] = '\0';
		double secs;
		if (retry_after_parse(value, time(NULL), &secs) == 0)
			x->retry_after = secs;
	}
	return len;
}

/* Starts the request for x. 0 started, -1 the request could not be built (x is
 * reported failed and freed). */
static int
start(struct sender *s, struct send_item *x)
{
	const char *why = NULL;
	struct provider_msg msg = {x->it.client_ref, x->it.msisdn, x->it.text};
	if (s->provider->build(s->cfg, &msg, &x->req, &why) < 0) {
		struct provider_result res = {.outcome = SEND_FAIL};
		snprintf(res.error, sizeof(res.error), "%s", why);
		add_report(s, x, OUTBOX_FAILED, &res, 0);
		s->n_failed++;
		item_free(x);
		return -1;
	}
	x->retry_after = -1;
	x->easy = curl_easy_init();
	if (x->easy == NULL)
		abort();
	curl_easy_setopt(x->easy, CURLOPT_URL, x->req.url);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS,
	                 (long)(s->cfg->outbox_request_timeout_s * 1000));
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS,
	                 (long)(s->cfg->outbox_request_timeout_s * 1000));
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT, "gamigate");
	if (x->req.body != NULL) {
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->req.body);
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(x->req.body));
	}
	for (unsigned i = 0; i < x->req.nheaders; i++)
		x->headers = curl_slist_append(x->headers, x->req.headers[i]);
	x->headers = curl_slist_append(x->headers, "Expect:");
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	if (x->req.userpwd != NULL) {
		curl_easy_setopt(x->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(x->easy, CURLOPT_USERPWD, x->req.userpwd);
	}
	x->started = now_s();
	s->in_flight++;
	x->fnext = s->flying;
	if (s->flying != NULL)
		s->flying->fprev = x;
	s->flying = x;
	curl_multi_add_handle(s->multi, x->easy);
	return 0;
}

static struct send_item *
pop_ready(struct sender *s)
{
	struct send_item *x = s->ready;
	if (x != NULL) {
		s->ready = x->next;
		if (s->ready == NULL)
			s->ready_tail = NULL;
		s->nready--;
		x->next = NULL;
	}
	return x;
}

/* Puts every row not started back in the queue (not counted as an attempt). */
static void
defer_ready(struct sender *s, double delay_s, const char *why)
{
	struct send_item *x;
	struct provider_result res = {0};
	snprintf(res.error, sizeof(res.error), "%s", why);
	while ((x = pop_ready(s)) != NULL) {
		add_report(s, x, OUTBOX_DEFER, &res, delay_s);
		s->n_deferred++;
		item_free(x);
	}
}

static void
dispatch(struct sender *s)
{
	while (s->ready != NULL && s->in_flight < (unsigned)s->cfg->outbox_in_flight) {
		double now = now_s();
		double wait = bucket_wait(&s->bucket, now);
		if (wait > 0) {
			schedule_tick(s, wait);
			break;
		}
		if (!breaker_allow(&s->breaker, now)) {
			if (s->breaker.state == BREAKER_OPEN) {
				defer_ready(s, s->breaker.open_until - now,
				            "provider down (circuit breaker open)");
				flush_reports(s);
			}
			break;
		}
		bucket_take(&s->bucket, now);
		start(s, pop_ready(s));
	}
}

/* ---- pool jobs ---- */

static void
sender_destroy(struct sender *s)
{
	free(s->reports);
	tz_free(s->tz);
	free(s);
}

/* First thing in every done callback of the sender's jobs: 1 when the sender is closed
 * (it may be gone now: the caller only frees its own job and returns). */
static int
job_ended(struct sender *s)
{
	s->jobs--;
	if (!s->closed)
		return 0;
	if (s->jobs == 0)
		sender_destroy(s);
	return 1;
}

struct report_job {
	struct sender *s; /* NULL for the last flush at shutdown */
	struct outbox_report *reports;
	size_t n;
	unsigned max_attempts;
};

static int
report_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct report_job *job = arg;
	return outbox_report_apply(conn, job->reports, job->n, job->max_attempts, err);
}

static void
report_done(void *arg, int result, const struct db_error *err)
{
	struct report_job *job = arg;
	struct sender *s = job->s;
	if (result < 0)
		log_kv(LOG_WARN,
		       "cannot record send results; the rows stay leased and are sent again after "
		       "the lease",
		       "error", err->msg, (const char *)NULL);
	free(job->reports);
	free(job);
	if (s != NULL && !job_ended(s)) {
		s->reporting = 0;
		if (s->yielding && s->nready < claim_size(s))
			maybe_claim(s, now_s()); /* its turn: results keep coming */
		flush_reports(s);
	}
}

static void
flush_reports(struct sender *s)
{
	if (s->reporting || s->nreports == 0 || (s->yielding && s->claiming))
		return;
	struct report_job *job = xcalloc(1, sizeof(*job));
	job->s = s;
	job->reports = s->reports;
	job->n = s->nreports;
	job->max_attempts = (unsigned)s->cfg->outbox_max_attempts;
	if (db_pool_submit(s->pool, report_run, report_done, job) < 0) {
		free(job); /* queue full: keep them and try on the next tick */
		return;
	}
	s->reports = NULL;
	s->nreports = s->reports_cap = 0;
	s->reporting = 1;
	s->jobs++;
}

struct claim_job {
	struct sender *s;
	struct outbox_env env;
	char token[100];
	unsigned lease_s, max;
	struct outbox_item *items;
	unsigned n;
};

static int
claim_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct claim_job *job = arg;
	return outbox_claim_due(conn, &job->env, job->token, job->lease_s, job->max, time(NULL),
	                        job->items, &job->n, err);
}

static void
claim_done(void *arg, int result, const struct db_error *err)
{
	struct claim_job *job = arg;
	struct sender *s = job->s;
	if (job_ended(s)) {
		free(job->items);
		free(job);
		return;
	}
	s->claiming = 0;
	if (result < 0) {
		log_kv(LOG_WARN, "cannot claim outbound messages; trying again", "error", err->msg,
		       (const char *)NULL);
	} else {
		for (unsigned i = 0; i < job->n; i++) {
			struct send_item *x = xcalloc(1, sizeof(*x));
			x->s = s;
			x->it = job->items[i];
			snprintf(x->token, sizeof(x->token), "%s", job->token);
			if (s->ready_tail != NULL)
				s->ready_tail->next = x;
			else
				s->ready = x;
			s->ready_tail = x;
			s->nready++;
		}
		s->n_claimed += job->n;
		if (job->n > 0)
			schedule_tick(s, 0); /* more may be due */
	}
	free(job->items);
	free(job);
	flush_reports(s); /* when yielding, the results waited for this claim */
	dispatch(s);
}

static unsigned
claim_size(struct sender *s)
{
	long long n = s->cfg->outbox_rate_per_s * 2 + s->cfg->outbox_in_flight;
	if (n > s->cfg->outbox_batch)
		n = s->cfg->outbox_batch;
	return (unsigned)n;
}

static void
start_claim(struct sender *s)
{
	struct claim_job *job = xcalloc(1, sizeof(*job));
	job->s = s;
	job->env.policy = &s->policy;
	job->env.expire_s = (long)s->cfg->outbox_expire_s;
	job->lease_s = (unsigned)s->cfg->outbox_lease_s;
	job->max = claim_size(s);
	job->items = xcalloc(job->max, sizeof(*job->items));
	snprintf(job->token, sizeof(job->token), "%.60s#%llx.%llu", s->node,
	         (unsigned long long)(random_u64() & 0xffffffffULL), ++s->claim_seq);
	if (db_pool_submit(s->pool, claim_run, claim_done, job) < 0) {
		free(job->items);
		free(job);
		return;
	}
	s->claiming = 1;
	s->jobs++;
}

struct feed_job {
	struct sender *s;
	struct outbox_env env;
	void *handle;
	unsigned max;
	struct outbox_feed_stats st;
};

static int
feed_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct feed_job *job = arg;
	return outbox_feed(conn, &job->env, job->max, time(NULL), &job->st, err);
}

static void
feed_done(void *arg, int result, const struct db_error *err)
{
	struct feed_job *job = arg;
	struct sender *s = job->s;
	struct sender_hooks hooks = s->hooks;
	if (job_ended(s)) {
		if (hooks.templates_unref != NULL)
			hooks.templates_unref(job->handle);
		free(job);
		return;
	}
	s->feeding = 0;
	if (result < 0) {
		log_kv(LOG_WARN, "cannot queue notifications; trying again", "error", err->msg,
		       (const char *)NULL);
	} else {
		s->n_fed += job->st.queued;
		s->n_feed_refused += job->st.refused;
		if (job->st.more)
			s->last_feed = 0; /* go on at the next tick */
		if (job->st.queued > 0)
			schedule_tick(s, 0);
	}
	if (s->hooks.templates_unref != NULL)
		s->hooks.templates_unref(job->handle);
	free(job);
}

static void
start_feed(struct sender *s)
{
	struct feed_job *job = xcalloc(1, sizeof(*job));
	job->s = s;
	job->env.policy = &s->policy;
	job->env.expire_s = (long)s->cfg->outbox_expire_s;
	job->env.default_lang = s->cfg->sms_default_lang;
	job->env.max_segments = (unsigned)s->cfg->sms_max_segments;
	job->max = (unsigned)s->cfg->outbox_batch;
	if (s->hooks.templates_ref != NULL)
		job->handle = s->hooks.templates_ref(s->hooks.ctx, &job->env.templates,
		                                     &job->env.default_lang);
	if (db_pool_submit(s->pool, feed_run, feed_done, job) < 0) {
		if (s->hooks.templates_unref != NULL)
			s->hooks.templates_unref(job->handle);
		free(job);
		return;
	}
	s->feeding = 1;
	s->jobs++;
}

struct counts_job {
	struct sender *s;
	struct outbox_counts c;
};

static int
counts_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct counts_job *job = arg;
	return outbox_counts_get(conn, &job->c, err);
}

static void
counts_done(void *arg, int result, const struct db_error *err)
{
	struct counts_job *job = arg;
	(void)err;
	if (job_ended(job->s)) {
		free(job);
		return;
	}
	job->s->counting = 0;
	double took = now_s() - job->s->last_count;
	job->s->count_every_s =
	    took * COUNTS_COST_FACTOR > COUNTS_EVERY_S ? took * COUNTS_COST_FACTOR : COUNTS_EVERY_S;
	if (result == 0) {
		job->s->counts = job->c;
		job->s->counts_ok = 1;
	}
	free(job);
}

static void
start_counts(struct sender *s)
{
	struct counts_job *job = xcalloc(1, sizeof(*job));
	job->s = s;
	if (db_pool_submit(s->pool, counts_run, counts_done, job) < 0) {
		free(job);
		return;
	}
	s->counting = 1;
	s->jobs++;
}

/* True when no job waits for a worker: the sender's housekeeping never takes a queue
 * slot from a subscriber's request. */
static int
pool_has_room(struct sender *s)
{
	struct db_pool_stats st;
	db_pool_stats(s->pool, &st);
	return st.queued == 0;
}

/* Claims more once fewer rows than one claim's worth wait (so the next claim is in
 * before the ready ones run out), while the provider is reachable. Called on every
 * tick and whenever requests end. */
static void
maybe_claim(struct sender *s, double now)
{
	int breaker_closed = s->breaker.state == BREAKER_CLOSED ||
	                     (s->breaker.state == BREAKER_OPEN && now >= s->breaker.open_until) ||
	                     (s->breaker.state == BREAKER_HALF_OPEN && !s->breaker.probing);
	if (s->yielding && s->reporting)
		return;
	if (!s->claiming && !s->closed && breaker_closed && s->nready < claim_size(s) &&
	    s->in_flight < (unsigned)s->cfg->outbox_in_flight && pool_has_room(s))
		start_claim(s);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct sender *s = arg;
	double now = now_s();
	(void)fd;
	(void)what;

	/* The claim first: the results, the feed and the counts, queued first, would leave
	 * the queue not empty and the claim waiting for the next tick (poll_ms away). */
	maybe_claim(s, now);
	flush_reports(s);
	if (!s->feeding && now - s->last_feed >= FEED_EVERY_S && pool_has_room(s)) {
		s->last_feed = now;
		start_feed(s);
	}
	if (!s->counting && now - s->last_count >= s->count_every_s && pool_has_room(s)) {
		s->last_count = now;
		start_counts(s);
	}
	dispatch(s);
	if (!evtimer_pending(s->tick, NULL))
		schedule_tick(s, (double)s->cfg->outbox_poll_ms / 1000);
}

struct sender *
sender_new(struct event_base *base, struct db_pool *pool, const struct config *cfg,
           const char *node, const struct sender_hooks *hooks, const char **error_r)
{
	const struct provider *p = provider_find(cfg->outbox_provider);
	if (p == NULL) {
		*error_r = "outbox.provider names no adapter (kannel, http or twilio)";
		return NULL;
	}
	struct sender *s = xcalloc(1, sizeof(*s));
	s->base = base;
	s->pool = pool;
	s->cfg = cfg;
	s->provider = p;
	s->count_every_s = COUNTS_EVERY_S;
	if (hooks != NULL)
		s->hooks = *hooks;
	snprintf(s->node, sizeof(s->node), "%.80s", node);
	if (tz_load(cfg->game_timezone, &s->tz, error_r) < 0) {
		free(s);
		return NULL;
	}
	s->policy.tz = s->tz;
	policy_parse_hhmm(cfg->outbox_quiet_start, &s->policy.quiet_start_min);
	policy_parse_hhmm(cfg->outbox_quiet_end, &s->policy.quiet_end_min);
	s->policy.promo_daily_cap = (long)cfg->outbox_promo_daily_cap;
	bucket_init(&s->bucket, (double)cfg->outbox_rate_per_s, (double)cfg->outbox_rate_per_s,
	            now_s());
	breaker_init(&s->breaker, (unsigned)cfg->outbox_breaker_failures,
	             (double)cfg->outbox_breaker_open_s);

	s->multi = curl_multi_init();
	if (s->multi == NULL)
		abort();
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
	curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)cfg->outbox_in_flight);
	curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, (long)cfg->outbox_in_flight);
	s->curl_timer = evtimer_new(base, on_curl_timer, s);
	s->tick = evtimer_new(base, on_tick, s);
	schedule_tick(s, 0.05);
	return s;
}

void
sender_free(struct sender *s)
{
	if (s == NULL)
		return;
	event_free(s->tick);
	defer_ready(s, 0, "");
	/* The last results go out in a job that does not call back into the sender. */
	if (s->nreports > 0) {
		struct report_job *job = xcalloc(1, sizeof(*job));
		job->reports = s->reports;
		job->n = s->nreports;
		job->max_attempts = (unsigned)s->cfg->outbox_max_attempts;
		if (db_pool_submit(s->pool, report_run, report_done, job) < 0) {
			free(job->reports);
			free(job);
		}
		s->reports = NULL;
	}
	/* Requests in flight are abandoned: their rows stay leased and are retried. */
	while (s->flying != NULL) {
		struct send_item *x = s->flying;
		unlink_flying(s, x);
		curl_multi_remove_handle(s->multi, x->easy);
		item_free(x);
	}
	curl_multi_cleanup(s->multi);
	event_free(s->curl_timer);
	/* Jobs still out call back into s: it goes with the last of them. */
	s->closed = 1;
	if (s->jobs == 0)
		sender_destroy(s);
}

void
sender_yield(struct sender *s, int on)
{
	if (s != NULL)
		s->yielding = on;
}
