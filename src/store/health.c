/*
 * health — the database health checker thread.
 *
 * Its connection uses short timeouts (the connect timeout for reads too), so a hung
 * server is noticed within seconds instead of the read timeout given to jobs.
 */
#include "store/health.h"
#include "core/xalloc.h"
#include "store/migrate.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct health {
	struct db_settings settings;
	unsigned interval_ms;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	struct health_state state;
};

static void *
health_main(void *arg)
{
	struct health *h = arg;
	struct db_conn *conn = db_conn_new(&h->settings);

	pthread_mutex_lock(&h->mu);
	while (!h->stop) {
		pthread_mutex_unlock(&h->mu);

		struct db_error err = {0};
		int version = 0;
		bool up =
		    db_conn_ping(conn, &err) == 0 && migrate_current(conn, &version, &err) == 0;

		pthread_mutex_lock(&h->mu);
		h->state.checked = true;
		h->state.up = up;
		h->state.checks++;
		if (up) {
			h->state.schema_version = version;
			h->state.error[0] = '\0';
		} else {
			snprintf(h->state.error, sizeof(h->state.error), "%s", err.msg);
		}
		pthread_cond_broadcast(&h->cv); /* health_start may wait for the first check */
		if (h->stop)
			break;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += h->interval_ms / 1000;
		until.tv_nsec += (long)(h->interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!h->stop && pthread_cond_timedwait(&h->cv, &h->mu, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&h->mu);
	db_conn_free(conn);
	db_thread_end();
	return NULL;
}

struct health *
health_start(const struct db_settings *settings, unsigned interval_ms)
{
	struct health *h = xcalloc(1, sizeof(*h));
	db_settings_copy(&h->settings, settings);
	h->settings.read_timeout_s = settings->connect_timeout_s;
	h->settings.write_timeout_s = settings->connect_timeout_s;
	h->interval_ms = interval_ms;
	snprintf(h->state.error, sizeof(h->state.error), "not checked yet");
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if (pthread_create(&h->thread, NULL, health_main, h) != 0)
		abort();
	/* Wait (a bounded time) for the first check, so a node that has just started does
	 * not report 503 for a database that is fine. */
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)settings->connect_timeout_s + 1;
	pthread_mutex_lock(&h->mu);
	while (!h->state.checked && pthread_cond_timedwait(&h->cv, &h->mu, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&h->mu);
	return h;
}

void
health_stop(struct health *h)
{
	if (h == NULL)
		return;
	pthread_mutex_lock(&h->mu);
	h->stop = true;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->thread, NULL);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	db_settings_clear(&h->settings);
	free(h);
}

void
health_get(struct health *h, struct health_state *s)
{
	pthread_mutex_lock(&h->mu);
	*s = h->state;
	pthread_mutex_unlock(&h->mu);
}
