/*
 * campaigns — SQL for the campaigns and campaign_versions tables (migration 0003).
 *
 * Invariants kept by the database: (campaign_id, version) is unique, and the active
 * version must exist (foreign key). Storing locks the campaign's row first, so two
 * loads of the same campaign at once queue up instead of both taking max + 1.
 * Any thread with its own connection.
 */
#include "store/campaigns.h"
#include "core/xalloc.h"
#include "store/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
uint_row(const struct db_row *row, void *arg)
{
	*(unsigned *)arg = row->values[0] != NULL ? (unsigned)strtoul(row->values[0], NULL, 10) : 0;
	return 0;
}

/* ---- store ---- */

struct store_job {
	const char *id;
	const char *source;
	size_t len;
	char checksum[17];
	const char *loaded_by;
	struct campaigns_stored *r;
};

/* Finds the stored version whose text equals the job's (checksum first, then bytes). */
static int
same_text_row(const struct db_row *row, void *arg)
{
	struct store_job *job = arg;
	if (job->r->version == 0 && row->values[1] != NULL && row->lengths[1] == job->len &&
	    memcmp(row->values[1], job->source, job->len) == 0)
		job->r->version = (unsigned)strtoul(row->values[0], NULL, 10);
	return 0;
}

static int
active_row(const struct db_row *row, void *arg)
{
	struct store_job *job = arg;
	job->r->previous = row->values[0] != NULL ? (unsigned)strtoul(row->values[0], NULL, 10) : 0;
	return 0;
}

static int
store_tx(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct store_job *job = arg;
	struct db_param id[] = {DB_PARAM_STR(job->id)};
	unsigned latest = 0;

	/* Runs again on a retry: start from nothing. */
	memset(job->r, 0, sizeof(*job->r));
	if (db_exec(conn,
	            "INSERT INTO campaigns (id, active_version, updated_at)"
	            " VALUES (?, NULL, UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE id = id",
	            id, 1, NULL, NULL, NULL, err) < 0)
		return -1;
	if (db_exec(conn, "SELECT active_version FROM campaigns WHERE id = ? FOR UPDATE", id, 1,
	            active_row, job, NULL, err) < 0)
		return -1;

	struct db_param find[] = {DB_PARAM_STR(job->id), DB_PARAM_STR(job->checksum)};
	if (db_exec(conn,
	            "SELECT version, source FROM campaign_versions"
	            " WHERE campaign_id = ? AND checksum = ? ORDER BY version",
	            find, 2, same_text_row, job, NULL, err) < 0)
		return -1;
	if (job->r->version == 0) {
		if (db_exec(conn,
		            "SELECT COALESCE(MAX(version), 0) FROM campaign_versions"
		            " WHERE campaign_id = ?",
		            id, 1, uint_row, &latest, NULL, err) < 0)
			return -1;
		job->r->version = latest + 1;
		job->r->created = 1;
		struct db_param ins[] = {
		    DB_PARAM_STR(job->id),
		    DB_PARAM_INT(job->r->version),
		    {.type = DB_STR, .s = job->source, .len = job->len},
		    DB_PARAM_STR(job->checksum),
		    DB_PARAM_STR(job->loaded_by),
		};
		if (db_exec(conn,
		            "INSERT INTO campaign_versions"
		            " (campaign_id, version, source, checksum, loaded_at, loaded_by)"
		            " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6), ?)",
		            ins, 5, NULL, NULL, NULL, err) < 0)
			return -1;
	}
	if (job->r->previous == job->r->version)
		return 0;
	job->r->activated = 1;
	struct db_param act[] = {DB_PARAM_INT(job->r->version), DB_PARAM_STR(job->id)};
	return db_exec(conn,
	               "UPDATE campaigns SET active_version = ?, updated_at = UTC_TIMESTAMP(6)"
	               " WHERE id = ?",
	               act, 2, NULL, NULL, NULL, err);
}

int
campaigns_store(struct db_conn *conn, const char *id, const char *source, const char *loaded_by,
                struct campaigns_stored *r, struct db_error *err)
{
	char who[129];
	struct store_job job = {.id = id, .source = source, .len = strlen(source), .r = r};

	snprintf(who, sizeof(who), "%s", loaded_by != NULL ? loaded_by : "");
	job.loaded_by = who;
	migrate_checksum(source, job.checksum);
	return db_tx(conn, store_tx, &job, err);
}

/* ---- list ---- */

struct list_job {
	struct campaigns_row *rows;
	size_t n, cap;
};

static int
list_row(const struct db_row *row, void *arg)
{
	struct list_job *job = arg;
	if (job->n == job->cap) {
		job->cap = job->cap ? job->cap * 2 : 8;
		job->rows = xrealloc(job->rows, job->cap * sizeof(*job->rows));
	}
	struct campaigns_row *r = &job->rows[job->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", row->values[0]);
	r->active_version = row->values[1] ? (unsigned)strtoul(row->values[1], NULL, 10) : 0;
	r->latest_version = row->values[2] ? (unsigned)strtoul(row->values[2], NULL, 10) : 0;
	r->nversions = row->values[3] ? (unsigned)strtoul(row->values[3], NULL, 10) : 0;
	snprintf(r->updated_at, sizeof(r->updated_at), "%s", row->values[4] ? row->values[4] : "");
	snprintf(r->loaded_by, sizeof(r->loaded_by), "%s", row->values[5] ? row->values[5] : "");
	return 0;
}

static int
list_tx(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct list_job *job = arg;
	job->n = 0;
	return db_exec(conn,
	               "SELECT c.id, c.active_version, MAX(v.version), COUNT(v.version),"
	               " c.updated_at,"
	               " (SELECT l.loaded_by FROM campaign_versions l WHERE l.campaign_id = c.id"
	               "  ORDER BY l.version DESC LIMIT 1)"
	               " FROM campaigns c LEFT JOIN campaign_versions v ON v.campaign_id = c.id"
	               " GROUP BY c.id, c.active_version, c.updated_at ORDER BY c.id",
	               NULL, 0, list_row, job, NULL, err);
}

int
campaigns_list(struct db_conn *conn, struct campaigns_row **rows_r, size_t *n_r,
               struct db_error *err)
{
	struct list_job job = {0};
	*rows_r = NULL;
	*n_r = 0;
	if (db_tx(conn, list_tx, &job, err) < 0) {
		free(job.rows);
		return -1;
	}
	*rows_r = job.rows;
	*n_r = job.n;
	return 0;
}

/* ---- active sources ---- */

struct sources_job {
	struct campaigns_source *s;
	size_t n, cap;
};

static void
sources_clear(struct sources_job *job)
{
	campaigns_sources_free(job->s, job->n);
	job->s = NULL;
	job->n = job->cap = 0;
}

static int
source_row(const struct db_row *row, void *arg)
{
	struct sources_job *job = arg;
	if (job->n == job->cap) {
		job->cap = job->cap ? job->cap * 2 : 4;
		job->s = xrealloc(job->s, job->cap * sizeof(*job->s));
	}
	struct campaigns_source *s = &job->s[job->n++];
	snprintf(s->id, sizeof(s->id), "%s", row->values[0]);
	s->version = (unsigned)strtoul(row->values[1], NULL, 10);
	s->len = row->lengths[2];
	s->source = xmalloc(s->len + 1);
	memcpy(s->source, row->values[2], s->len);
	s->source[s->len] = '\0';
	return 0;
}

static int
sources_tx(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct sources_job *job = arg;
	sources_clear(job);
	return db_exec(conn,
	               "SELECT c.id, v.version, v.source FROM campaigns c"
	               " JOIN campaign_versions v ON v.campaign_id = c.id"
	               " AND v.version = c.active_version ORDER BY c.id",
	               NULL, 0, source_row, job, NULL, err);
}

int
campaigns_active_sources(struct db_conn *conn, struct campaigns_source **r, size_t *n_r,
                         struct db_error *err)
{
	struct sources_job job = {0};
	*r = NULL;
	*n_r = 0;
	if (db_tx(conn, sources_tx, &job, err) < 0) {
		sources_clear(&job);
		return -1;
	}
	*r = job.s;
	*n_r = job.n;
	return 0;
}

void
campaigns_sources_free(struct campaigns_source *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].source);
	free(s);
}

/* ---- stop ---- */

struct stop_job {
	const char *id;
	enum campaigns_stop_result res;
	unsigned previous;
	int exists;
};

static int
stop_row(const struct db_row *row, void *arg)
{
	struct stop_job *job = arg;
	job->exists = 1;
	job->previous = row->values[0] ? (unsigned)strtoul(row->values[0], NULL, 10) : 0;
	return 0;
}

static int
stop_tx(struct db_conn *conn, void *arg, struct db_error *err)
{
	struct stop_job *job = arg;
	struct db_param id[] = {DB_PARAM_STR(job->id)};

	job->exists = 0;
	job->previous = 0;
	if (db_exec(conn, "SELECT active_version FROM campaigns WHERE id = ? FOR UPDATE", id, 1,
	            stop_row, job, NULL, err) < 0)
		return -1;
	if (!job->exists) {
		job->res = CAMPAIGNS_NO_SUCH;
		return 0;
	}
	if (job->previous == 0) {
		job->res = CAMPAIGNS_NOT_ACTIVE;
		return 0;
	}
	job->res = CAMPAIGNS_STOPPED;
	return db_exec(conn,
	               "UPDATE campaigns SET active_version = NULL, updated_at = UTC_TIMESTAMP(6)"
	               " WHERE id = ?",
	               id, 1, NULL, NULL, NULL, err);
}

int
campaigns_stop(struct db_conn *conn, const char *id, enum campaigns_stop_result *res_r,
               unsigned *previous_r, struct db_error *err)
{
	struct stop_job job = {.id = id};
	if (db_tx(conn, stop_tx, &job, err) < 0)
		return -1;
	*res_r = job.res;
	*previous_r = job.previous;
	return 0;
}
