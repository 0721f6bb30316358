/*
 * daemon — `gamigate serve`. Main thread (which becomes the event-loop thread).
 *
 * Start-up order: check the schema if the database answers (a newer or older schema
 * refuses to start; an unreachable database does not: /healthz says 503 until it is
 * back), bind the listener, start the pool and the health checker, run the loop.
 * SIGTERM/SIGINT drain; SIGHUP reloads what is reloadable.
 */
#include "http/daemon.h"
#include "cmd/rules.h"
#include "core/buf.h"
#include "core/iplist.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "game/expiry.h"
#include "game/tiers.h"
#include "http/metrics.h"
#include "http/server.h"
#include "http/ussd_in.h"
#include "send/scheduler.h"
#include "send/sender.h"
#include "core/tz.h"
#include "store/db.h"
#include "store/health.h"
#include "store/migrate.h"
#include "store/nodes.h"
#include "store/pool.h"
#include "store/vouchers.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEARTBEAT_S      15
#define CAMPAIGN_CHECK_S 30
#define EXPIRY_FIRST_S   5  /* after start: catch up with what expired while down */
#define EXPIRY_BATCHES   20 /* transactions per expiry job; more follow while idle */

#define USSD_PURGE_S 300 /* old USSD sessions and steps are deleted this often */

struct daemon {
	struct event_base *base;
	struct http_server *srv;
	struct http_env env;
	int signalled;
	int reloading;
	int expiring;
	int scheduling;
	struct event *schedule_ev;
	struct tz *tz;
	struct policy policy;
};

static int pool_idle_enough(struct daemon *d);

/* The sender borrows the templates of the rules in use for each feed job. */
static void *
sender_templates_ref(void *ctx, const struct templates **t_r, const char **lang_r)
{
	struct daemon *d = ctx;
	struct sms_rules *r = sms_rules_ref(d->env.rules);
	*t_r = r->templates;
	*lang_r = r->default_lang;
	return r;
}

static void
sender_templates_unref(void *handle)
{
	sms_rules_unref(handle);
}

/*
 * Reloading the rules (grammar, templates, campaigns) runs as a pool job: it reads files
 * and the database, which the loop thread must not wait for. SIGHUP forces a reload;
 * every CAMPAIGN_CHECK_S a cheap check reloads only when the active campaign versions
 * in the database changed (so every node follows `gamigate campaign load`). On any
 * problem the rules in use stay.
 */
struct reload_job {
	struct daemon *d;
	int forced;
	struct buf in_use; /* signature of the rules in use, copied on the loop thread */
	int in_use_ok;
	struct sms_rules *fresh;
	struct buf errors;
	int attempted;
};

static int
reload_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct reload_job *job = arg;
	if (!job->forced) {
		struct buf sig = BUF_INIT;
		if (sms_rules_campaign_signature(conn, &sig, err) < 0) {
			buf_free(&sig);
			return -1;
		}
		int same = job->in_use_ok && strcmp(buf_cstr(&sig), buf_cstr(&job->in_use)) == 0;
		buf_free(&sig);
		if (same)
			return 0;
	}
	job->attempted = 1;
	job->fresh = sms_rules_load(job->d->env.cfg, conn, &job->errors);
	return 0;
}

static void
reload_done(void *arg, int result, const struct db_error *err)
{
	struct reload_job *job = arg;
	struct daemon *d = job->d;
	const char *why = job->forced ? "SIGHUP" : "campaign change";

	d->reloading = 0;
	if (result < 0) {
		log_kv(LOG_DEBUG, "campaign check failed", "error", err->msg, (const char *)NULL);
	} else if (job->fresh != NULL) {
		sms_rules_unref(d->env.rules);
		d->env.rules = job->fresh;
		log_kv(LOG_INFO, "rules reloaded", "why", why, "campaigns",
		       buf_cstr(&job->fresh->signature), (const char *)NULL);
		if (job->errors.len > 0)
			log_kv(LOG_WARN, "reload problems", "problems", buf_cstr(&job->errors),
			       (const char *)NULL);
	} else if (job->attempted) {
		log_kv(LOG_ERROR,
		       "reload failed; keeping the grammar, templates and campaigns in use", "why",
		       why, "problems", buf_cstr(&job->errors), (const char *)NULL);
	}
	buf_free(&job->in_use);
	buf_free(&job->errors);
	free(job);
}

static void
start_reload(struct daemon *d, int forced)
{
	if (d->reloading)
		return; /* one at a time; the next check comes soon */
	struct reload_job *job = xcalloc(1, sizeof(*job));
	job->d = d;
	job->forced = forced;
	job->in_use_ok = d->env.rules->campaigns_ok;
	buf_puts(&job->in_use, buf_cstr(&d->env.rules->signature));
	if (db_pool_submit(d->env.pool, reload_run, reload_done, job) < 0) {
		if (forced)
			log_msg(LOG_WARN, "SIGHUP: the database queue is full; send SIGHUP again");
		buf_free(&job->in_use);
		free(job);
		return;
	}
	d->reloading = 1;
}

static void
on_campaign_check(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	(void)fd;
	(void)what;
	if (pool_idle_enough(d))
		start_reload(d, 0);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	(void)what;
	if (sig == SIGHUP) {
		start_reload(d, 1);
		return;
	}
	if (d->signalled++ > 0) {
		log_msg(LOG_WARN, "second signal: exiting now");
		event_base_loopbreak(d->base);
		return;
	}
	log_msg(LOG_INFO, "%s: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	http_server_drain(d->srv);
}

static int
heartbeat_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	const struct http_env *env = arg;
	return nodes_touch(conn, env->node_name, env->version, (long)getpid(), 0, err);
}

static void
heartbeat_done(void *arg, int result, const struct db_error *err)
{
	(void)arg;
	if (result < 0)
		log_kv(LOG_DEBUG, "heartbeat failed", "error", err->msg, (const char *)NULL);
}

/* True when no job waits for a worker, so housekeeping may queue one. */
static int
pool_idle_enough(struct daemon *d)
{
	struct db_pool_stats st;
	db_pool_stats(d->env.pool, &st);
	return st.queued == 0;
}

static void
on_heartbeat(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	(void)fd;
	(void)what;
	/* Skipped while requests wait for a worker: a busy node has better things to do,
	 * and housekeeping must never take a queue slot from a subscriber. */
	if (pool_idle_enough(d))
		db_pool_submit(d->env.pool, heartbeat_run, heartbeat_done, &d->env);
}

/*
 * Points expiry and expiry warnings (game/expiry.h), then the tier reviews that are due
 * (game/tiers.h), every game.expiry_interval_s, and once soon
 * after start, as a pool job queued only while every worker is idle. A job does at most
 * EXPIRY_BATCHES transactions; when work is left the next job follows at once if the
 * pool is still idle. The timer's job also logs voucher pools that run low
 * (the wheel hands out vouchers too). Every node runs it: expiry is keyed per lot and
 * warnings per subscriber and day, so nodes never do anything twice.
 */
struct expiry_job {
	struct daemon *d;
	struct sms_rules *rules; /* a reference: the campaigns are read on the worker */
	int check_stock;
	struct expiry_stats st;
	struct tiers_stats tiers; /* the tier reviews due (game/tiers.h), same job */
	struct buf low;
	struct vouchers_stock *stock; /* check_stock: every pool, for /metrics */
	size_t nstock;
	int stock_read;
};

static void start_expiry(struct daemon *d, int check_stock);
static int pool_all_idle(struct daemon *d);

static int
expiry_job_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct expiry_job *job = arg;
	struct expiry_options opt = {
	    .now = time(NULL),
	    .max_batches = EXPIRY_BATCHES,
	    .campaigns = job->rules->campaigns,
	    .ncampaigns = job->rules->ncampaigns,
	};
	if (expiry_run(conn, &opt, &job->st, err) < 0)
		return -1;
	struct tiers_options topt = {
	    .now = opt.now,
	    .max_batches = EXPIRY_BATCHES,
	    .campaigns = job->rules->campaigns,
	    .ncampaigns = job->rules->ncampaigns,
	};
	if (!job->st.more && tiers_review_run(conn, &topt, &job->tiers, err) < 0)
		return -1;
	job->st.more = job->st.more || job->tiers.more;
	if (!job->check_stock)
		return 0;
	if (vouchers_list(conn, &job->stock, &job->nstock, err) < 0)
		return -1;
	job->stock_read = 1;
	expiry_describe_low(job->stock, job->nstock, &job->low);
	return 0;
}

static void
expiry_job_done(void *arg, int result, const struct db_error *err)
{
	struct expiry_job *job = arg;
	struct daemon *d = job->d;
	int more = result == 0 && job->st.more;

	d->expiring = 0;
	if (result < 0)
		log_kv(LOG_WARN, "points expiry failed; the next run tries again", "error",
		       err->msg, (const char *)NULL);
	if (job->st.lots > 0 || job->st.warnings > 0) {
		char subs[24], lots[24], points[24], warned[24];
		snprintf(subs, sizeof(subs), "%lld", job->st.subscribers);
		snprintf(lots, sizeof(lots), "%lld", job->st.lots);
		snprintf(points, sizeof(points), "%lld", job->st.points);
		snprintf(warned, sizeof(warned), "%lld", job->st.warnings);
		log_kv(LOG_INFO, "points expired", "subscribers", subs, "lots", lots, "points",
		       points, "warnings", warned, (const char *)NULL);
	}
	if (job->tiers.reviewed > 0) {
		char n[24], down[24], up[24];
		snprintf(n, sizeof(n), "%lld", job->tiers.reviewed);
		snprintf(down, sizeof(down), "%lld", job->tiers.downgraded);
		snprintf(up, sizeof(up), "%lld", job->tiers.upgraded);
		log_kv(LOG_INFO, "tiers reviewed", "members", n, "down", down, "up", up,
		       (const char *)NULL);
	}
	if (job->low.len > 0)
		log_kv(LOG_WARN, "voucher pools running low; import more codes", "pools",
		       buf_cstr(&job->low), (const char *)NULL);
	if (job->stock_read)
		metrics_vouchers(http_server_metrics(d->srv), job->stock, job->nstock);
	sms_rules_unref(job->rules);
	buf_free(&job->low);
	free(job->stock);
	free(job);
	if (more && !d->signalled && pool_all_idle(d))
		start_expiry(d, 0);
}

static void
start_expiry(struct daemon *d, int check_stock)
{
	if (d->expiring || !d->env.rules->campaigns_ok)
		return;
	struct expiry_job *job = xcalloc(1, sizeof(*job));
	job->d = d;
	job->rules = sms_rules_ref(d->env.rules);
	job->check_stock = check_stock;
	if (db_pool_submit(d->env.pool, expiry_job_run, expiry_job_done, job) < 0) {
		sms_rules_unref(job->rules);
		free(job);
		return;
	}
	d->expiring = 1;
}

/* Stricter than pool_idle_enough: no worker busy either, so the job runs at once and
 * never waits in the queue behind requests stuck on the database. */
static int
pool_all_idle(struct daemon *d)
{
	struct db_pool_stats st;
	db_pool_stats(d->env.pool, &st);
	return st.queued == 0 && st.busy == 0;
}

/* Nothing queued and a worker free: a job queued now runs at once. */
static int
pool_worker_free(struct daemon *d)
{
	struct db_pool_stats st;
	db_pool_stats(d->env.pool, &st);
	return st.queued == 0 && st.busy < st.workers;
}

static void
on_expiry(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	(void)fd;
	(void)what;
	if (pool_all_idle(d))
		start_expiry(d, 1);
}

/* Old USSD sessions and steps (http/ussd_in.h), only while the pool is idle. */
static void
on_ussd_purge(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	(void)fd;
	(void)what;
	if (pool_all_idle(d))
		ussd_purge_start(&d->env);
}

/*
 * Reminders (send/scheduler.h) every outbox.scheduler_interval_ms, as a pool job queued
 * only while a worker is free and nothing waits in the queue (so it never waits there
 * itself, and the sender's jobs, always out during a run, do not starve it); a job does
 * at most SCHEDULE_BATCHES batches of SCHEDULE_MEMBERS members (one INSERT ... SELECT
 * and one commit each) and, with work left, the next follows at once. Every node runs
 * it; the database hands out the work (SKIP LOCKED, unique firings, leased runs).
 */
#define SCHEDULE_BATCHES 20
/* An INSERT ... SELECT holds the outbox's AUTO-INC lock until it ends, so a single
 * message queued meanwhile (a reply, a notification) waits for it: 5,000 members take
 * ~60 ms on an idle server. */
#define SCHEDULE_MEMBERS 5000

struct schedule_job {
	struct daemon *d;
	struct sms_rules *rules;
	struct outbox_env env;
	struct scheduler_stats st;
};

static int
schedule_run(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct schedule_job *job = arg;
	const struct config *cfg = job->d->env.cfg;
	struct scheduler_opts o = {
	    .owner = job->d->env.node_name,
	    .langs = scheduler_langs,
	    .nlangs = scheduler_nlangs,
	    .default_tz = cfg->game_timezone,
	    .env = &job->env,
	    .batch = SCHEDULE_MEMBERS,
	    .max_batches = SCHEDULE_BATCHES,
	    .lease_s = (unsigned)cfg->outbox_lease_s,
	    .now = time(NULL),
	};
	return scheduler_tick(conn, &o, &job->st, err);
}

static void start_schedule(struct daemon *d);

static void
schedule_done(void *arg, int result, const struct db_error *err)
{
	struct schedule_job *job = arg;
	struct daemon *d = job->d;
	int more = result == 0 && job->st.more;
	d->scheduling = 0;
	/* While a run is being materialised (batches left), the sender gives way. */
	sender_yield(d->env.sender, more);
	if (result < 0)
		log_kv(LOG_WARN, "reminder scheduling failed; the next tick tries again", "error",
		       err->msg, (const char *)NULL);
	if (job->st.started > 0 || job->st.queued > 0 || job->st.refused > 0) {
		char started[16], queued[24], refused[24];
		snprintf(started, sizeof(started), "%u", job->st.started);
		snprintf(queued, sizeof(queued), "%llu", job->st.queued);
		snprintf(refused, sizeof(refused), "%llu", job->st.refused);
		log_kv(LOG_INFO, "reminders", "started", started, "queued", queued, "refused",
		       refused, (const char *)NULL);
	}
	sms_rules_unref(job->rules);
	free(job);
	if (more && !d->signalled && pool_worker_free(d))
		start_schedule(d);
}

static void
start_schedule(struct daemon *d)
{
	if (d->scheduling)
		return;
	struct schedule_job *job = xcalloc(1, sizeof(*job));
	job->d = d;
	job->rules = sms_rules_ref(d->env.rules);
	job->env.policy = &d->policy;
	job->env.templates = job->rules->templates;
	job->env.default_lang = job->rules->default_lang;
	job->env.expire_s = (long)d->env.cfg->outbox_expire_s;
	job->env.max_segments = (unsigned)d->env.cfg->sms_max_segments;
	if (db_pool_submit(d->env.pool, schedule_run, schedule_done, job) < 0) {
		sms_rules_unref(job->rules);
		free(job);
		return;
	}
	d->scheduling = 1;
}

static void
on_schedule(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	(void)fd;
	(void)what;
	if (!d->signalled && pool_worker_free(d))
		start_schedule(d);
}

/* Checks the schema before serving. 0 go on, 2 refuse. An unreachable database is
 * not a reason to refuse: the node starts and reports 503 until it is back. */
static int
startup_check(const struct db_settings *s, const struct http_env *env)
{
	struct db_conn *conn = db_conn_new(s);
	struct db_error err = {0};
	int version = 0, rc = 0;

	if (migrate_current(conn, &version, &err) < 0) {
		log_kv(LOG_WARN,
		       "database not reachable at start; serving anyway, /healthz says "
		       "503 until it is",
		       "error", err.msg, (const char *)NULL);
	} else if (version > migrate_latest()) {
		log_msg(LOG_ERROR,
		        "the database schema is at version %d, newer than the %d this gamigate "
		        "knows; run a newer gamigate",
		        version, migrate_latest());
		rc = 2;
	} else if (version < migrate_latest()) {
		log_msg(LOG_ERROR,
		        "the database schema is at version %d, this gamigate needs %d; run: "
		        "gamigate migrate",
		        version, migrate_latest());
		rc = 2;
	} else if (nodes_touch(conn, env->node_name, env->version, (long)getpid(), 1, &err) < 0) {
		log_kv(LOG_WARN, "cannot register this node", "error", err.msg, (const char *)NULL);
	}
	db_conn_free(conn);
	return rc;
}

int
daemon_serve(const struct config *cfg, const char *version)
{
	struct daemon d;
	struct db_settings s;
	const char *error = NULL;
	char host[100] = "";
	char *node_name;
	int rc = 0;

	memset(&d, 0, sizeof(d));
	db_settings_from_config(cfg, &s);
	if (cfg->node_name[0] != '\0') {
		node_name = xstrdup(cfg->node_name);
	} else {
		gethostname(host, sizeof(host) - 1);
		node_name = xasprintf("%s:%d", host, cfg->http_port);
	}
	d.env.cfg = cfg;
	d.env.node_name = node_name;
	d.env.version = version;
	d.env.started = time(NULL);

	{
		struct buf errors = BUF_INIT;
		const char *why = NULL;
		struct db_conn *conn = db_conn_new(&s);
		d.env.rules = sms_rules_load(cfg, conn, &errors);
		db_conn_free(conn);
		if (d.env.rules == NULL) {
			fprintf(stderr, "gamigate: cannot start:\n%s", buf_cstr(&errors));
			buf_free(&errors);
			free(node_name);
			return 2;
		}
		if (errors.len > 0)
			log_kv(LOG_WARN, "campaigns", "problems", buf_cstr(&errors),
			       (const char *)NULL);
		log_kv(LOG_INFO, "campaigns loaded", "active", buf_cstr(&d.env.rules->signature),
		       (const char *)NULL);
		buf_free(&errors);
		/* Validated with the configuration already; parsing cannot fail here. */
		iplist_parse(cfg->inbound_kannel_allow_ips, &d.env.kannel_allow, &why);
		iplist_parse(cfg->inbound_json_allow_ips, &d.env.json_allow, &why);
		if (cfg->inbound_kannel_secret[0] == '\0' && d.env.kannel_allow == NULL)
			log_msg(LOG_WARN, "the Kannel endpoint is open to anyone: set "
			                  "inbound.kannel_secret or inbound.kannel_allow_ips");
		if (cfg->inbound_json_secret[0] == '\0' && d.env.json_allow == NULL)
			log_msg(LOG_WARN, "the JSON inbound endpoint is open to anyone: set "
			                  "inbound.json_secret or inbound.json_allow_ips");
		iplist_parse(cfg->inbound_ussd_allow_ips, &d.env.ussd_allow, &why);
		if (cfg->inbound_ussd_secret[0] == '\0' && d.env.ussd_allow == NULL)
			log_msg(LOG_WARN, "the USSD endpoint is open to anyone: set "
			                  "inbound.ussd_secret or inbound.ussd_allow_ips");
	}
	rc = startup_check(&s, &d.env);
	if (rc != 0)
		goto out_rules;

	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	evthread_use_pthreads();
	d.base = event_base_new();
	if (d.base == NULL) {
		log_msg(LOG_ERROR, "cannot create the event loop");
		rc = 1;
		goto out_rules;
	}
	d.env.pool =
	    db_pool_new(d.base, &s, (unsigned)cfg->db_pool_size, (unsigned)cfg->db_queue_max);
	db_pool_set_batch_max(d.env.pool, (unsigned)cfg->db_batch_max);
	d.env.health = health_start(&s, (unsigned)cfg->db_health_interval_ms);
	d.srv = http_server_new(d.base, &d.env, &error);
	if (d.srv == NULL) {
		log_kv(LOG_ERROR, error, "listen", cfg->http_listen, (const char *)NULL);
		rc = 1;
		goto out;
	}

	if (strcmp(cfg->outbox_provider, "none") != 0) {
		struct sender_hooks hooks = {sender_templates_ref, sender_templates_unref, &d};
		d.env.sender = sender_new(d.base, d.env.pool, cfg, node_name, &hooks, &error);
		if (d.env.sender == NULL) {
			log_kv(LOG_ERROR, "cannot start the sender", "error", error,
			       (const char *)NULL);
			rc = 1;
			http_server_free(d.srv);
			goto out;
		}
		log_kv(LOG_INFO, "sending outbound SMS", "provider", cfg->outbox_provider,
		       (const char *)NULL);
	}

	struct event *sigterm = evsignal_new(d.base, SIGTERM, on_signal, &d);
	struct event *sigint = evsignal_new(d.base, SIGINT, on_signal, &d);
	struct event *sighup = evsignal_new(d.base, SIGHUP, on_signal, &d);
	struct event *beat = event_new(d.base, -1, EV_PERSIST, on_heartbeat, &d);
	struct event *check = event_new(d.base, -1, EV_PERSIST, on_campaign_check, &d);
	struct event *expiry = event_new(d.base, -1, EV_PERSIST, on_expiry, &d);
	struct event *ussd_purge = event_new(d.base, -1, EV_PERSIST, on_ussd_purge, &d);
	struct timeval ussd_purge_tv = {USSD_PURGE_S, 0};
	struct timeval expiry_tv = {(time_t)cfg->game_expiry_interval_s, 0},
	               expiry_first_tv = {EXPIRY_FIRST_S, 0};
	struct timeval check_tv = {CAMPAIGN_CHECK_S, 0};
	{
		const char *why = NULL;
		if (tz_load(cfg->game_timezone, &d.tz, &why) == 0) {
			d.policy.tz = d.tz;
			policy_parse_hhmm(cfg->outbox_quiet_start, &d.policy.quiet_start_min);
			policy_parse_hhmm(cfg->outbox_quiet_end, &d.policy.quiet_end_min);
			d.policy.promo_daily_cap = (long)cfg->outbox_promo_daily_cap;
		}
	}
	d.schedule_ev = event_new(d.base, -1, EV_PERSIST, on_schedule, &d);
	if (cfg->outbox_scheduler_interval_ms > 0 && d.tz != NULL) {
		struct timeval tv = {(time_t)(cfg->outbox_scheduler_interval_ms / 1000),
		                     (suseconds_t)(cfg->outbox_scheduler_interval_ms % 1000) *
		                         1000};
		event_add(d.schedule_ev, &tv);
	}
	struct timeval beat_tv = {HEARTBEAT_S, 0};
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);
	evsignal_add(sighup, NULL);
	event_add(beat, &beat_tv);
	event_add(check, &check_tv);
	event_add(ussd_purge, &ussd_purge_tv);
	if (cfg->game_expiry_interval_s > 0) {
		event_add(expiry, &expiry_tv);
		event_base_once(d.base, -1, EV_TIMEOUT, on_expiry, &d, &expiry_first_tv);
	}

	{
		char port[16], pool[16];
		snprintf(port, sizeof(port), "%d", http_server_port(d.srv));
		snprintf(pool, sizeof(pool), "%lld", cfg->db_pool_size);
		log_kv(LOG_INFO, "listening", "host", cfg->http_host, "port", port, "node",
		       node_name, "version", version, "db_workers", pool, (const char *)NULL);
	}
	event_base_dispatch(d.base);

	unsigned left = http_server_inflight(d.srv);
	event_free(beat);
	event_free(check);
	event_free(expiry);
	event_free(ussd_purge);
	event_free(d.schedule_ev);
	event_free(sigterm);
	event_free(sigint);
	event_free(sighup);
	sender_free(d.env.sender);
	d.env.sender = NULL;
	/* With requests still in flight (grace ran out) their jobs are abandoned before the
	 * server frees them, so no done callback can reach a freed request. */
	db_pool_free(d.env.pool, left > 0);
	d.env.pool = NULL;
	http_server_free(d.srv);
	log_msg(LOG_INFO, "stopped%s", left > 0 ? " (some requests were not answered)" : "");
out:
	if (d.env.pool != NULL)
		db_pool_free(d.env.pool, 0);
	health_stop(d.env.health);
	event_base_free(d.base);
	libevent_global_shutdown();
out_rules:
	sms_rules_unref(d.env.rules);
	iplist_free(d.env.kannel_allow);
	iplist_free(d.env.json_allow);
	iplist_free(d.env.ussd_allow);
	free(node_name);
	tz_free(d.tz);
	curl_global_cleanup();
	return rc;
}
