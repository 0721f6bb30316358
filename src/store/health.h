/*
 * health — a thread with its own MariaDB connection that pings the server every
 * interval and reads the schema version, so /healthz can answer from the event loop
 * without queueing behind database jobs and without ever blocking.
 *
 * health_start/stop: main thread. health_get: any thread.
 */
#ifndef GAMIGATE_STORE_HEALTH_H
#define GAMIGATE_STORE_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

struct health;

struct health_state {
	bool checked;       /* at least one check has finished */
	bool up;            /* the last ping succeeded */
	int schema_version; /* as read by the last successful check */
	char error[256];    /* why the last check failed */
	uint64_t checks;    /* checks so far */
};

/* Starts the checker; the first check runs at once. */
struct health *health_start(const struct db_settings *settings, unsigned interval_ms);
void health_stop(struct health *h);
void health_get(struct health *h, struct health_state *state_r);

#endif
