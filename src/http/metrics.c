/*
 * metrics — request counters by route and status, one latency histogram, rejections.
 * Event-loop thread only.
 */
#include "http/metrics.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define STATUS_MAX 600
#define NBUCKETS   14
#define NREASONS   4

static const double bucket_bounds[NBUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};

static const char *const reason_names[NREASONS] = {"queue_full", "draining", "too_large", "other"};

static const char *const sms_adapters[] = {"kannel", "json"};
static const char *const sms_outcomes[] = {"replied", "no_reply",  "rate_limited", "silenced",
                                           "ignored", "duplicate", "error"};
#define N_SMS_ADAPTERS (sizeof(sms_adapters) / sizeof(sms_adapters[0]))
#define N_SMS_OUTCOMES (sizeof(sms_outcomes) / sizeof(sms_outcomes[0]))

struct metrics {
	uint64_t sms[N_SMS_ADAPTERS][N_SMS_OUTCOMES];
	const char *const *route_names;
	unsigned nroutes;
	uint64_t *counts; /* (nroutes + 1) * STATUS_MAX */
	uint64_t buckets[NBUCKETS];
	uint64_t observations;
	double sum;
	uint64_t rejected[NREASONS];
	struct vouchers_stock *stock; /* the last reading of the voucher pools */
	size_t nstock;
};

struct metrics *
metrics_new(const char *const *route_names, unsigned nroutes)
{
	struct metrics *m = xcalloc(1, sizeof(*m));
	m->route_names = route_names;
	m->nroutes = nroutes;
	m->counts = xcalloc((size_t)(nroutes + 1) * STATUS_MAX, sizeof(uint64_t));
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	free(m->counts);
	free(m->stock);
	free(m);
}

void
metrics_request(struct metrics *m, unsigned route, int status, double seconds)
{
	if (route > m->nroutes)
		route = m->nroutes;
	if (status < 100 || status >= STATUS_MAX)
		status = 599;
	m->counts[(size_t)route * STATUS_MAX + (size_t)status]++;
	for (int i = 0; i < NBUCKETS; i++) {
		if (seconds <= bucket_bounds[i])
			m->buckets[i]++;
	}
	m->observations++;
	m->sum += seconds;
}

void
metrics_rejected(struct metrics *m, const char *reason)
{
	for (int i = 0; i < NREASONS; i++) {
		if (strcmp(reason, reason_names[i]) == 0 || i == NREASONS - 1) {
			m->rejected[i]++;
			return;
		}
	}
}

void
metrics_sms(struct metrics *m, const char *adapter, const char *outcome)
{
	for (size_t a = 0; a < N_SMS_ADAPTERS; a++) {
		if (strcmp(sms_adapters[a], adapter) != 0)
			continue;
		for (size_t o = 0; o < N_SMS_OUTCOMES; o++) {
			if (strcmp(sms_outcomes[o], outcome) == 0) {
				m->sms[a][o]++;
				return;
			}
		}
	}
}

void
metrics_render(struct metrics *m, struct buf *out)
{
	buf_puts(out, "# HELP gamigate_sms_inbound_total Inbound SMS by adapter and outcome.\n"
	              "# TYPE gamigate_sms_inbound_total counter\n");
	for (size_t a = 0; a < N_SMS_ADAPTERS; a++) {
		for (size_t o = 0; o < N_SMS_OUTCOMES; o++)
			buf_printf(
			    out, "gamigate_sms_inbound_total{adapter=\"%s\",outcome=\"%s\"} %llu\n",
			    sms_adapters[a], sms_outcomes[o], (unsigned long long)m->sms[a][o]);
	}
	buf_puts(out, "# HELP gamigate_http_requests_total HTTP requests answered, by route "
	              "and status.\n# TYPE gamigate_http_requests_total counter\n");
	for (unsigned r = 0; r <= m->nroutes; r++) {
		const char *name = r < m->nroutes ? m->route_names[r] : "other";
		for (int s = 0; s < STATUS_MAX; s++) {
			uint64_t n = m->counts[(size_t)r * STATUS_MAX + (size_t)s];
			if (n > 0)
				buf_printf(
				    out,
				    "gamigate_http_requests_total{route=\"%s\",status=\"%d\"}"
				    " %llu\n",
				    name, s, (unsigned long long)n);
		}
	}
	buf_puts(out, "# HELP gamigate_http_request_duration_seconds Time from a request's "
	              "arrival to its answer.\n"
	              "# TYPE gamigate_http_request_duration_seconds histogram\n");
	for (int i = 0; i < NBUCKETS; i++)
		buf_printf(out, "gamigate_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
		           bucket_bounds[i], (unsigned long long)m->buckets[i]);
	buf_printf(out, "gamigate_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
	           (unsigned long long)m->observations);
	buf_printf(out, "gamigate_http_request_duration_seconds_sum %.6f\n", m->sum);
	buf_printf(out, "gamigate_http_request_duration_seconds_count %llu\n",
	           (unsigned long long)m->observations);
	buf_puts(out, "# HELP gamigate_http_rejected_total Requests refused at once, by "
	              "reason.\n# TYPE gamigate_http_rejected_total counter\n");
	for (int i = 0; i < NREASONS; i++)
		buf_printf(out, "gamigate_http_rejected_total{reason=\"%s\"} %llu\n",
		           reason_names[i], (unsigned long long)m->rejected[i]);
	if (m->nstock == 0)
		return;
	/* Pool names are [a-z0-9-] (vouchers_pool_valid): safe as label values. */
	buf_puts(out, "# HELP gamigate_voucher_codes_free Codes not yet handed out, per pool "
	              "(read by the periodic stock check).\n"
	              "# TYPE gamigate_voucher_codes_free gauge\n");
	for (size_t i = 0; i < m->nstock; i++)
		buf_printf(out, "gamigate_voucher_codes_free{pool=\"%s\"} %lld\n", m->stock[i].pool,
		           m->stock[i].free_codes);
	buf_puts(out, "# HELP gamigate_voucher_codes_total Codes imported, per pool.\n"
	              "# TYPE gamigate_voucher_codes_total gauge\n");
	for (size_t i = 0; i < m->nstock; i++)
		buf_printf(out, "gamigate_voucher_codes_total{pool=\"%s\"} %lld\n",
		           m->stock[i].pool, m->stock[i].total);
	buf_puts(out, "# HELP gamigate_voucher_pool_low 1 when a pool runs low (under 10 % or 10 "
	              "codes free): import more.\n"
	              "# TYPE gamigate_voucher_pool_low gauge\n");
	for (size_t i = 0; i < m->nstock; i++)
		buf_printf(out, "gamigate_voucher_pool_low{pool=\"%s\"} %d\n", m->stock[i].pool,
		           vouchers_low(m->stock[i].free_codes, m->stock[i].total) ? 1 : 0);
}

void
metrics_vouchers(struct metrics *m, const struct vouchers_stock *rows, size_t n)
{
	free(m->stock);
	m->stock = n > 0 ? xcalloc(n, sizeof(*rows)) : NULL;
	if (n > 0)
		memcpy(m->stock, rows, n * sizeof(*rows));
	m->nstock = n;
}
