/*
 * daemon — `gamigate serve`: wires the event loop, the database pool, the health
 * checker and the HTTP server together, handles signals and shuts down cleanly.
 * Main thread.
 */
#ifndef GAMIGATE_HTTP_DAEMON_H
#define GAMIGATE_HTTP_DAEMON_H

#include "core/config.h"

/* Runs until SIGTERM/SIGINT. Returns the process exit status: 0 after a clean
 * shutdown, 1 when it could not start (the reason is logged), 2 when the database
 * schema does not match this binary. */
int daemon_serve(const struct config *cfg, const char *version);

#endif
