/*
 * nodes — SQL for the nodes table. Worker threads.
 */
#include "store/nodes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
nodes_touch(struct db_conn *conn, const char *name, const char *version, long pid, int starting,
            struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(name), DB_PARAM_STR(version), DB_PARAM_INT(pid)};
	if (starting)
		return db_exec(conn,
		               "INSERT INTO nodes (name, version, pid, started_at, last_seen)"
		               " VALUES (?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))"
		               " ON DUPLICATE KEY UPDATE version = VALUES(version),"
		               " pid = VALUES(pid), started_at = VALUES(started_at),"
		               " last_seen = VALUES(last_seen)",
		               p, 3, NULL, NULL, NULL, err);
	return db_exec(conn,
	               "INSERT INTO nodes (name, version, pid, started_at, last_seen)"
	               " VALUES (?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))"
	               " ON DUPLICATE KEY UPDATE last_seen = VALUES(last_seen)",
	               p, 3, NULL, NULL, NULL, err);
}

struct list_ctx {
	void (*fn)(const struct node_info *node, void *arg);
	void *arg;
};

static int
node_row(const struct db_row *row, void *arg)
{
	struct list_ctx *lc = arg;
	struct node_info n;
	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", row->values[0] ? row->values[0] : "");
	snprintf(n.version, sizeof(n.version), "%s", row->values[1] ? row->values[1] : "");
	n.pid = row->values[2] ? strtol(row->values[2], NULL, 10) : 0;
	snprintf(n.started_at, sizeof(n.started_at), "%s", row->values[3] ? row->values[3] : "");
	snprintf(n.last_seen, sizeof(n.last_seen), "%s", row->values[4] ? row->values[4] : "");
	n.seconds_since_seen = row->values[5] ? strtol(row->values[5], NULL, 10) : 0;
	lc->fn(&n, lc->arg);
	return 0;
}

int
nodes_list(struct db_conn *conn, long max_age_s,
           void (*fn)(const struct node_info *node, void *arg), void *arg, struct db_error *err)
{
	struct list_ctx lc = {fn, arg};
	struct db_param p[] = {DB_PARAM_INT(max_age_s)};
	return db_exec(conn,
	               "SELECT name, version, pid,"
	               " DATE_FORMAT(started_at, '%Y-%m-%dT%H:%i:%sZ'),"
	               " DATE_FORMAT(last_seen, '%Y-%m-%dT%H:%i:%sZ'),"
	               " TIMESTAMPDIFF(SECOND, last_seen, UTC_TIMESTAMP(6))"
	               " FROM nodes WHERE last_seen > UTC_TIMESTAMP(6) - INTERVAL ? SECOND"
	               " ORDER BY last_seen DESC LIMIT 100",
	               p, 1, node_row, &lc, NULL, err);
}

static int
version_row(const struct db_row *row, void *arg)
{
	char **out = arg;
	snprintf(out[0], (size_t)(out[1] - out[0]), "%s", row->values[0] ? row->values[0] : "");
	return 0;
}

int
nodes_server_version(struct db_conn *conn, char *out, size_t outsz, struct db_error *err)
{
	char *bounds[2] = {out, out + outsz};
	out[0] = '\0';
	return db_exec(conn, "SELECT VERSION()", NULL, 0, version_row, bounds, NULL, err);
}
