/*
 * loadgen — an open-loop HTTP/1.1 load generator for gamigate's inbound SMS endpoints,
 * on libevent (Debian has no wrk2).
 *
 * N keep-alive connections, each with at most one request in flight. With --rate R > 0
 * a 1 ms timer issues requests at their intended times (request n is due at
 * t0 + n/R); a due request that finds no idle connection waits in the backlog, and its
 * latency is measured from its intended send time, so a slow server cannot hide its
 * stalls (no coordinated omission). With --rate 0 every connection sends its next
 * request as soon as the previous answer arrives (closed loop, as fast as possible),
 * and latency is measured from the actual send.
 *
 * Time is split into a warmup phase (reported, not the headline) and a measured phase.
 * A request belongs to the phase of its intended (open loop) or actual (closed loop)
 * send time. After the measured phase no new request is scheduled; the backlog and the
 * requests in flight get at most DRAIN_S seconds, then whatever is unanswered counts as
 * unfinished, with its age at that moment as a lower bound of its latency.
 *
 * Single-threaded: everything runs on the one event loop. Every loop is bounded in
 * time: a hard deadline timer stops the event loop whatever happens.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strcasestr, getopt_long */
#endif
#include "loadgen.h"

static const char *const phase_names[NPHASES] = {"warmup", "measure"};

struct conn {
	struct loadgen *lg;
	unsigned idx;
	struct bufferevent *bev;
	struct event *retry;
	bool connected;
	bool close_after; /* the answer said Connection: close */
	enum rstate rs;
	int status;
	uint64_t body_left;
	uint64_t start_ns; /* intended (open loop) or actual (closed loop) send time */
	enum phase phase;
};

/* ------------------------------------------------------------------------- */
/* small helpers */

void
die(const char *fmt, ...)
{
	va_list ap;
	fputs("loadgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (q == NULL && n > 0) {
		fputs("loadgen: out of memory\n", stderr);
		abort();
	}
	return q;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (p == NULL && n > 0 && size > 0) {
		fputs("loadgen: out of memory\n", stderr);
		abort();
	}
	return p;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: fast, good enough to spread senders; not for anything secret. */
static uint64_t
rng_next(struct loadgen *lg)
{
	lg->rng ^= lg->rng >> 12;
	lg->rng ^= lg->rng << 25;
	lg->rng ^= lg->rng >> 27;
	return lg->rng * 2685821657736338717ULL;
}

static void
lat_push(struct phase_stats *ps, uint64_t ns)
{
	if (ps->nlat == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 4096;
		ps->lat = xrealloc(ps->lat, ps->cap * sizeof(ps->lat[0]));
	}
	ps->lat[ps->nlat++] = ns;
}

static void conn_connect(struct conn *c);
static void dispatch(struct loadgen *lg);

static void
idle_push(struct loadgen *lg, struct conn *c)
{
	lg->idle[lg->nidle++] = c->idx;
}

/* Removes c from the idle stack if it is there (a dropped idle connection). */
static void
idle_remove(struct loadgen *lg, struct conn *c)
{
	for (unsigned i = 0; i < lg->nidle; i++) {
		if (lg->idle[i] == c->idx) {
			lg->idle[i] = lg->idle[--lg->nidle];
			return;
		}
	}
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	(void)fd;
	(void)what;
	if (!c->lg->done)
		conn_connect(c);
}

/* Drops the connection; a request in flight counts as an error. Reconnects unless the
 * run is over, at once after a working connection, after RECONNECT_MS after a failed one. */
static void
conn_drop(struct conn *c, bool failed_connect)
{
	struct loadgen *lg = c->lg;
	if (c->rs != RS_IDLE) {
		lg->ph[c->phase].errors++;
		lg->inflight--;
		c->rs = RS_IDLE;
	} else if (c->connected) {
		idle_remove(lg, c);
	}
	if (c->connected)
		lg->nconnected--;
	c->connected = false;
	c->close_after = false;
	if (c->bev != NULL) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	if (lg->done || (lg->draining && lg->rate <= 0))
		return;
	lg->reconnects++;
	struct timeval tv = {0, failed_connect ? RECONNECT_MS * 1000 : 0};
	evtimer_add(c->retry, &tv);
}

/* Writes the next request on c (idle and connected); start is its reference time. */
static void
conn_send(struct conn *c, uint64_t n, uint64_t start, enum phase ph)
{
	struct loadgen *lg = c->lg;
	char body[REQ_BUF], req[2 * REQ_BUF];
	const char *text = lg->mix[n % lg->nmix];
	unsigned from = lg->senders > 0 ? lg->first_sender + (unsigned)(n % lg->senders)
	                                : (unsigned)(rng_next(lg) % 10000000u);
	int len;

	if (lg->mode == MODE_JSON) {
		int blen = snprintf(body, sizeof(body),
		                    "{\"id\":\"lg-%s-%llu\",\"from\":\"+98912%07u\",\"to\":\"%s\","
		                    "\"text\":\"%s\"}",
		                    lg->run_id, (unsigned long long)n, from, lg->to, text);
		len = snprintf(req, sizeof(req),
		               "POST /sms/inbound HTTP/1.1\r\nHost: %s:%u\r\n"
		               "Content-Type: application/json\r\nContent-Length: %d\r\n"
		               "%s%s%s\r\n%s",
		               lg->host, lg->port, blen, lg->secret[0] ? "X-Gamigate-Secret: " : "",
		               lg->secret, lg->secret[0] ? "\r\n" : "", body);
	} else if (lg->mode == MODE_USSD) {
		/* Request n: step (n / S) mod steps of session n mod S in walk n / (S * steps). */
		unsigned steps = lg->nmix + 1;
		uint64_t slot = n % USSD_SESSIONS, round = n / USSD_SESSIONS;
		unsigned step = (unsigned)(round % steps);
		uint64_t walk = round / steps;
		char answers[REQ_BUF / 2];
		size_t alen = 0;
		answers[0] = '\0';
		for (unsigned i = 0; i < step; i++) {
			int w = snprintf(answers + alen, sizeof(answers) - alen, "%s%s",
			                 i ? "%2A" : "", lg->mix[i]);
			if (w < 0 || (size_t)w >= sizeof(answers) - alen)
				die("internal error: --mix too long for one request");
			alen += (size_t)w;
		}
		/* One subscriber per session, spread over 10 million numbers. */
		from = (unsigned)(((walk * USSD_SESSIONS + slot) * 2654435761u) % 10000000u);
		int blen =
		    snprintf(body, sizeof(body),
		             "sessionId=lg-%s-%llu-%llu&serviceCode=%s&phoneNumber=%%2B98912%07u"
		             "&networkCode=43211&text=%s",
		             lg->run_id, (unsigned long long)walk, (unsigned long long)slot,
		             lg->service_code_q, from, answers);
		len = snprintf(req, sizeof(req),
		               "POST /ussd/at%s%s HTTP/1.1\r\nHost: %s:%u\r\n"
		               "Content-Type: application/x-www-form-urlencoded\r\n"
		               "Content-Length: %d\r\n\r\n%s",
		               lg->secret[0] ? "?secret=" : "", lg->secret_q, lg->host, lg->port,
		               blen, body);
	} else {
		len = snprintf(req, sizeof(req),
		               "GET /sms/kannel?id=lg-%s-%llu&from=%%2B98912%07u&to=%s&text=%s"
		               "&charset=UTF-8&coding=0%s%s HTTP/1.1\r\nHost: %s:%u\r\n\r\n",
		               lg->run_id, (unsigned long long)n, from, lg->to, text,
		               lg->secret[0] ? "&secret=" : "", lg->secret_q, lg->host, lg->port);
	}
	if (len < 0 || (size_t)len >= sizeof(req))
		die("internal error: request longer than %zu bytes", sizeof(req));
	c->start_ns = start;
	c->phase = ph;
	c->rs = RS_HEAD;
	c->status = 0;
	c->body_left = 0;
	lg->inflight++;
	lg->ph[ph].sent++;
	if (bufferevent_write(c->bev, req, (size_t)len) != 0)
		conn_drop(c, false);
}

/* A whole answer arrived on c. */
static void
conn_answered(struct conn *c)
{
	struct loadgen *lg = c->lg;
	struct phase_stats *ps = &lg->ph[c->phase];
	uint64_t t = now_ns();

	lat_push(ps, t > c->start_ns ? t - c->start_ns : 0);
	if (c->status == 200) {
		ps->ok++;
		/* throughput: 200 answers that arrived inside a phase's window */
		for (int p = 0; p < NPHASES; p++)
			if (t >= lg->ph[p].start_ns && t < lg->ph[p].end_ns)
				lg->ph[p].ok_in_window++;
	} else {
		ps->non200++;
	}
	if (c->status >= 0 && c->status < NSTATUS)
		ps->status[c->status]++;
	c->rs = RS_IDLE;
	lg->inflight--;
	if (c->close_after) {
		lg->server_closes++;
		conn_drop(c, false);
		return;
	}
	idle_push(lg, c);
	dispatch(lg);
}

/* Reads the status line and headers (len bytes, ending in CRLFCRLF). -1 on a bad head. */
static int
parse_head(struct conn *c, const char *h, size_t len)
{
	const char *p = h, *end = h + len;
	const char *eol = memchr(p, '\n', len);
	bool have_cl = false;

	if (eol == NULL || len < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ')
		return -1;
	if (p[9] < '1' || p[9] > '5' || p[10] < '0' || p[10] > '9' || p[11] < '0' || p[11] > '9')
		return -1;
	c->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	c->close_after = p[7] == '0'; /* HTTP/1.0 closes unless told otherwise */
	c->body_left = 0;
	for (p = eol + 1; p < end;) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t n;
		if (e == NULL)
			return -1;
		n = (size_t)(e - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			break; /* the blank line */
		const char *colon = memchr(p, ':', n);
		if (colon == NULL)
			return -1;
		size_t nlen = (size_t)(colon - p);
		const char *v = colon + 1;
		const char *vend = p + n;
		while (v < vend && (*v == ' ' || *v == '\t'))
			v++;
		size_t vlen = (size_t)(vend - v);
		char val[64];
		if (vlen >= sizeof(val))
			vlen = sizeof(val) - 1;
		memcpy(val, v, vlen);
		val[vlen] = '\0';
		if (nlen == 14 && strncasecmp(p, "Content-Length", 14) == 0) {
			char *ep;
			errno = 0;
			unsigned long long cl = strtoull(val, &ep, 10);
			if (errno != 0 || ep == val || *ep != '\0' || cl > MAX_BODY_BYTES)
				return -1;
			c->body_left = cl;
			have_cl = true;
		} else if (nlen == 17 && strncasecmp(p, "Transfer-Encoding", 17) == 0) {
			return -1; /* chunked (or any coding): not what gamigate sends */
		} else if (nlen == 10 && strncasecmp(p, "Connection", 10) == 0) {
			if (strcasestr(val, "close") != NULL)
				c->close_after = true;
			else if (strcasestr(val, "keep-alive") != NULL)
				c->close_after = false;
		}
		p = e + 1;
	}
	if (!have_cl && c->status != 204 && c->status != 304 && c->status >= 200)
		return -1; /* a body delimited by close: not supported */
	return 0;
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	for (;;) {
		size_t avail = evbuffer_get_length(in);
		if (avail == 0)
			return;
		if (c->rs == RS_IDLE) {
			/* bytes nobody asked for */
			conn_drop(c, false);
			return;
		}
		if (c->rs == RS_HEAD) {
			struct evbuffer_ptr pos = evbuffer_search(in, "\r\n\r\n", 4, NULL);
			if (pos.pos < 0) {
				if (avail > MAX_HEADER_BYTES)
					conn_drop(c, false);
				return;
			}
			size_t hlen = (size_t)pos.pos + 4;
			if (hlen > MAX_HEADER_BYTES ||
			    parse_head(c, (const char *)evbuffer_pullup(in, (ev_ssize_t)hlen),
			               hlen) < 0) {
				conn_drop(c, false);
				return;
			}
			evbuffer_drain(in, hlen);
			if (c->status < 200)
				continue; /* 1xx: the real answer follows */
			c->rs = RS_BODY;
		}
		if (c->rs == RS_BODY) {
			size_t take = avail < c->body_left ? avail : (size_t)c->body_left;
			evbuffer_drain(in, take);
			c->body_left -= take;
			if (c->body_left > 0)
				return;
			conn_answered(c);
			if (c->bev == NULL || c->bev != bev)
				return; /* dropped (Connection: close) */
		}
	}
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	struct loadgen *lg = c->lg;
	(void)bev;

	if (what & BEV_EVENT_CONNECTED) {
		int one = 1;
		setsockopt(bufferevent_getfd(c->bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->connected = true;
		lg->nconnected++;
		idle_push(lg, c);
		if (lg->started)
			dispatch(lg);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		if (!c->connected)
			lg->connect_failures++;
		else if (c->rs == RS_IDLE)
			lg->server_closes++;
		conn_drop(c, !c->connected);
	}
}

static void
conn_connect(struct conn *c)
{
	struct loadgen *lg = c->lg;
	c->bev = bufferevent_socket_new(lg->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		die("bufferevent_socket_new failed");
	bufferevent_setcb(c->bev, read_cb, NULL, event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&lg->addr, sizeof(lg->addr)) <
	    0) {
		/* fails at once, e.g. out of file descriptors: try again later */
		bufferevent_free(c->bev);
		c->bev = NULL;
		lg->connect_failures++;
		struct timeval tv = {0, RECONNECT_MS * 1000};
		evtimer_add(c->retry, &tv);
	}
}

/* ------------------------------------------------------------------------- */
/* scheduling */

static enum phase
phase_of(const struct loadgen *lg, uint64_t t)
{
	return t < lg->ph[PHASE_WARMUP].end_ns ? PHASE_WARMUP : PHASE_MEASURE;
}

static uint64_t
intended_ns(const struct loadgen *lg, uint64_t n)
{
	return lg->t0 + (uint64_t)((double)n * 1e9 / lg->rate);
}

/* Open loop: marks every request whose intended time is <= t (and before t_end) due. */
static void
update_due(struct loadgen *lg, uint64_t t)
{
	uint64_t until = t < lg->t_end ? t : lg->t_end;
	uint64_t due = (uint64_t)((double)(until - lg->t0) * lg->rate / 1e9) + 1;
	while (due > 0 && intended_ns(lg, due - 1) >= lg->t_end)
		due--;
	for (uint64_t n = lg->due; n < due; n++)
		lg->ph[phase_of(lg, intended_ns(lg, n))].scheduled++;
	if (due > lg->due)
		lg->due = due;
	if (lg->due - lg->next_n > lg->max_backlog)
		lg->max_backlog = lg->due - lg->next_n;
}

/* Hands work to idle connections: the backlog (open loop) or one request each (closed). */
static void
dispatch(struct loadgen *lg)
{
	if (!lg->started || lg->done)
		return;
	if (lg->rate > 0) {
		/* a connection that just became idle takes a request due since the last tick */
		if (lg->nidle > 0 && !lg->draining)
			update_due(lg, now_ns());
		while (lg->nidle > 0 && lg->next_n < lg->due) {
			struct conn *c = &lg->conns[lg->idle[--lg->nidle]];
			uint64_t t = intended_ns(lg, lg->next_n);
			conn_send(c, lg->next_n, t, phase_of(lg, t));
			lg->next_n++;
		}
		return;
	}
	if (lg->draining)
		return;
	uint64_t t = now_ns();
	if (t >= lg->t_end)
		return;
	while (lg->nidle > 0) {
		struct conn *c = &lg->conns[lg->idle[--lg->nidle]];
		enum phase ph = phase_of(lg, t);
		lg->ph[ph].scheduled++;
		conn_send(c, lg->next_n++, t, ph);
	}
}

/* Ends the run: what is still unanswered is unfinished, with its age as latency. */
static void
finish(struct loadgen *lg)
{
	uint64_t t = now_ns();
	lg->done = true;
	for (unsigned i = 0; i < lg->nconns; i++) {
		struct conn *c = &lg->conns[i];
		if (c->rs != RS_IDLE) {
			lg->ph[c->phase].unfinished++;
			lat_push(&lg->ph[c->phase], t - c->start_ns);
			c->rs = RS_IDLE;
			lg->inflight--;
		}
	}
	for (; lg->rate > 0 && lg->next_n < lg->due; lg->next_n++) {
		uint64_t it = intended_ns(lg, lg->next_n);
		struct phase_stats *ps = &lg->ph[phase_of(lg, it)];
		ps->unfinished++;
		lat_push(ps, t - it);
	}
	event_base_loopbreak(lg->base);
}

static void
start_run(struct loadgen *lg, uint64_t t)
{
	lg->started = true;
	lg->t0 = t;
	lg->ph[PHASE_WARMUP].start_ns = t;
	lg->ph[PHASE_WARMUP].end_ns = t + (uint64_t)(lg->warmup_s * 1e9);
	lg->ph[PHASE_MEASURE].start_ns = lg->ph[PHASE_WARMUP].end_ns;
	lg->t_end = lg->ph[PHASE_MEASURE].start_ns + (uint64_t)(lg->duration_s * 1e9);
	lg->ph[PHASE_MEASURE].end_ns = lg->t_end;
	lg->drain_deadline = lg->t_end + (uint64_t)DRAIN_S * 1000000000u;
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct loadgen *lg = arg;
	uint64_t t = now_ns();
	(void)fd;
	(void)what;

	if (lg->done)
		return;
	if (!lg->started) {
		if (lg->nconnected < lg->nconns && t < lg->connect_deadline)
			return;
		if (lg->nconnected < lg->nconns)
			fprintf(stderr,
			        "loadgen: only %u of %u connections up after %d s; starting\n",
			        lg->nconnected, lg->nconns, CONNECT_WAIT_S);
		start_run(lg, t);
	}
	if (lg->rate > 0 && !lg->draining)
		update_due(lg, t);
	if (t >= lg->t_end)
		lg->draining = true;
	dispatch(lg);
	if (lg->draining) {
		bool backlog = lg->rate > 0 && lg->next_n < lg->due;
		if ((lg->inflight == 0 && !backlog) || t >= lg->drain_deadline)
			finish(lg);
	}
}

static void
hard_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct loadgen *lg = arg;
	(void)fd;
	(void)what;
	fputs("loadgen: hard deadline reached; stopping\n", stderr);
	if (!lg->started)
		start_run(lg, now_ns());
	finish(lg);
}

/* ------------------------------------------------------------------------- */
/* report */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array in milliseconds; per100k = 99900 is p99.9. */
static double
pct_ms(const uint64_t *v, size_t n, unsigned per100k)
{
	if (n == 0)
		return 0.0;
	size_t rank = (size_t)(((unsigned long long)n * per100k + 99999) / 100000);
	if (rank == 0)
		rank = 1;
	return (double)v[rank - 1] / 1e6;
}

struct summary {
	double achieved, p50, p90, p99, p999, max;
};

static void
summarize(struct loadgen *lg, enum phase p, struct summary *s)
{
	struct phase_stats *ps = &lg->ph[p];
	double secs = (double)(ps->end_ns - ps->start_ns) / 1e9;
	if (ps->nlat > 0)
		qsort(ps->lat, ps->nlat, sizeof(ps->lat[0]), cmp_u64);
	s->achieved = secs > 0 ? (double)ps->ok_in_window / secs : 0.0;
	s->p50 = pct_ms(ps->lat, ps->nlat, 50000);
	s->p90 = pct_ms(ps->lat, ps->nlat, 90000);
	s->p99 = pct_ms(ps->lat, ps->nlat, 99000);
	s->p999 = pct_ms(ps->lat, ps->nlat, 99900);
	s->max = ps->nlat ? (double)ps->lat[ps->nlat - 1] / 1e6 : 0.0;
}

static void
report(struct loadgen *lg)
{
	const char *mode = lg->mode == MODE_JSON     ? "json"
	                   : lg->mode == MODE_KANNEL ? "kannel"
	                                             : "ussd";
	char rate[32];
	struct summary s[NPHASES];

	if (lg->rate > 0)
		snprintf(rate, sizeof(rate), "%g/s", lg->rate);
	else
		snprintf(rate, sizeof(rate), "max");
	for (int p = 0; p < NPHASES; p++) {
		struct phase_stats *ps = &lg->ph[p];
		summarize(lg, (enum phase)p, &s[p]);
		if (ps->end_ns == ps->start_ns)
			continue; /* --warmup 0 */
		printf("%s %s mix=%s conns=%u rate=%s: sent %llu, ok %llu, non-200 %llu, "
		       "errors %llu, achieved %.1f msg/s, p50 %.2f ms, p99 %.2f ms, p999 %.2f ms, "
		       "max %.1f ms",
		       phase_names[p], mode, lg->mix_text, lg->nconns, rate,
		       (unsigned long long)ps->sent, (unsigned long long)ps->ok,
		       (unsigned long long)ps->non200, (unsigned long long)ps->errors,
		       s[p].achieved, s[p].p50, s[p].p99, s[p].p999, s[p].max);
		if (ps->unfinished > 0)
			printf(", unfinished %llu", (unsigned long long)ps->unfinished);
		printf("\n");
	}

	struct phase_stats *m = &lg->ph[PHASE_MEASURE];
	struct summary *ms = &s[PHASE_MEASURE];
	printf("result mode=%s loop=%s rate=%g conns=%u duration_s=%g warmup_s=%g\n", mode,
	       lg->rate > 0 ? "open" : "closed", lg->rate, lg->nconns, lg->duration_s,
	       lg->warmup_s);
	printf("result scheduled=%llu sent=%llu ok=%llu non200=%llu errors=%llu unfinished=%llu\n",
	       (unsigned long long)m->scheduled, (unsigned long long)m->sent,
	       (unsigned long long)m->ok, (unsigned long long)m->non200,
	       (unsigned long long)m->errors, (unsigned long long)m->unfinished);
	printf("result achieved=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f "
	       "max_ms=%.1f\n",
	       ms->achieved, ms->p50, ms->p90, ms->p99, ms->p999, ms->max);
	printf("result max_backlog=%llu connect_failures=%llu server_closes=%llu "
	       "reconnects=%llu\n",
	       (unsigned long long)lg->max_backlog, (unsigned long long)lg->connect_failures,
	       (unsigned long long)lg->server_closes, (unsigned long long)lg->reconnects);
	printf("result status:");
	for (int st = 0; st < NSTATUS; st++) {
		uint64_t n = lg->ph[PHASE_WARMUP].status[st] + m->status[st];
		if (n > 0)
			printf(" %d=%llu", st, (unsigned long long)n);
	}
	printf("\n");
	fflush(stdout);
}

/* ------------------------------------------------------------------------- */

/* Raises the open-file limit to fit the connections, as far as the hard limit allows. */
static void
raise_nofile(unsigned nconns)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)nconns + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < want)
		fprintf(stderr, "loadgen: warning: open-file limit %llu is below %u connections\n",
		        (unsigned long long)rl.rlim_cur, nconns);
}

int
main(int argc, char **argv)
{
	struct loadgen *lg = xcalloc(1, sizeof(*lg));
	uint32_t seed[2];
	int rc = 0;

	parse_args(lg, argc, argv);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile(lg->nconns);
	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed)) {
		seed[0] = (uint32_t)time(NULL);
		seed[1] = (uint32_t)getpid();
	}
	lg->rng = ((uint64_t)seed[0] << 32 | seed[1]) | 1;
	snprintf(lg->run_id, sizeof(lg->run_id), "%08x", (unsigned)(rng_next(lg) >> 32));

	/* Without PRECISE_TIMER libevent reads CLOCK_MONOTONIC_COARSE, whose resolution is
	 * the kernel tick (4 ms here): the 1 ms scheduler would fire every 4 ms and add up
	 * to 4 ms of our own delay to every open-loop latency. */
	struct event_config *cfg = event_config_new();
	if (cfg == NULL || event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER) != 0)
		die("event_config failed");
	lg->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (lg->base == NULL)
		die("event_base_new failed");
	lg->conns = xcalloc(lg->nconns, sizeof(lg->conns[0]));
	lg->idle = xcalloc(lg->nconns, sizeof(lg->idle[0]));
	for (unsigned i = 0; i < lg->nconns; i++) {
		struct conn *c = &lg->conns[i];
		c->lg = lg;
		c->idx = i;
		c->retry = evtimer_new(lg->base, retry_cb, c);
		if (c->retry == NULL)
			die("evtimer_new failed");
	}

	lg->connect_deadline = now_ns() + (uint64_t)CONNECT_WAIT_S * 1000000000u;
	for (unsigned i = 0; i < lg->nconns; i++)
		conn_connect(&lg->conns[i]);

	lg->tick = event_new(lg->base, -1, EV_PERSIST, tick_cb, lg);
	lg->hard_stop = evtimer_new(lg->base, hard_stop_cb, lg);
	if (lg->tick == NULL || lg->hard_stop == NULL)
		die("event_new failed");
	struct timeval tick = {0, TICK_US};
	double hard = CONNECT_WAIT_S + lg->warmup_s + lg->duration_s + DRAIN_S + 2;
	struct timeval hard_tv = {(time_t)hard, 0};
	event_add(lg->tick, &tick);
	evtimer_add(lg->hard_stop, &hard_tv);

	if (event_base_dispatch(lg->base) < 0) {
		fputs("loadgen: event loop failed\n", stderr);
		rc = 1;
	}
	if (!lg->done) {
		/* the loop ran out of events: cannot happen with the persistent tick */
		if (!lg->started)
			start_run(lg, now_ns());
		finish(lg);
	}
	report(lg);

	for (unsigned i = 0; i < lg->nconns; i++) {
		if (lg->conns[i].bev != NULL)
			bufferevent_free(lg->conns[i].bev);
		event_free(lg->conns[i].retry);
	}
	event_free(lg->tick);
	event_free(lg->hard_stop);
	event_base_free(lg->base);
	for (int p = 0; p < NPHASES; p++)
		free(lg->ph[p].lat);
	free(lg->conns);
	free(lg->idle);
	free(lg);
	return rc;
}
