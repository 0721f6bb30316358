/*
 * nodes — the nodes table: each gamigate process registers itself and refreshes
 * last_seen, so operators see every node sharing the database. Worker threads
 * (through a struct db_conn they own).
 */
#ifndef GAMIGATE_STORE_NODES_H
#define GAMIGATE_STORE_NODES_H

#include "store/db.h"

struct node_info {
	char name[101];
	char version[41];
	long pid;
	char started_at[32]; /* UTC, ISO 8601 */
	char last_seen[32];
	long seconds_since_seen;
};

/* Inserts or refreshes this node. starting = 1 also resets started_at and pid.
 * 0 ok, -1 with err set. */
int nodes_touch(struct db_conn *conn, const char *name, const char *version, long pid, int starting,
                struct db_error *err);

/* Calls fn for each node seen within max_age_s seconds, most recent first. */
int nodes_list(struct db_conn *conn, long max_age_s,
               void (*fn)(const struct node_info *node, void *arg), void *arg,
               struct db_error *err);

/* Reads the server's version string into out. 0 ok, -1 with err set. */
int nodes_server_version(struct db_conn *conn, char *out, size_t outsz, struct db_error *err);

#endif
