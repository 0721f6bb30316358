/*
 * campaigns — SQL for campaign files and their versions (migration 0003): store a
 * validated file as a new version and make it active, list, fetch the active sources
 * for the daemon to parse, stop. Each use case is one transaction (db_tx). The store
 * does not parse campaigns: callers validate with campaign_parse first.
 *
 * Any thread with its own struct db_conn (the CLI, a pool worker).
 */
#ifndef GAMIGATE_STORE_CAMPAIGNS_H
#define GAMIGATE_STORE_CAMPAIGNS_H

#include <stddef.h>

#include "store/db.h"

struct campaigns_stored {
	unsigned version;  /* the version now active */
	int created;       /* 1 a new version was stored; 0 the same text was already there */
	int activated;     /* 1 the active version changed (or the campaign was stopped) */
	unsigned previous; /* the version active before, 0 = none */
};

/*
 * Stores source (the whole file text, already validated, NUL-terminated) of campaign id
 * and makes it the active version, in one transaction. A text identical to a stored
 * version reuses that version (no new row; it is re-activated if needed); otherwise the
 * new version is the highest so far + 1. loaded_by says who (user@host), at most 128
 * bytes. 0 ok with *r filled, -1 with err set.
 */
int campaigns_store(struct db_conn *conn, const char *id, const char *source, const char *loaded_by,
                    struct campaigns_stored *r, struct db_error *err);

struct campaigns_row {
	char id[41];
	unsigned active_version; /* 0 = stopped */
	unsigned latest_version;
	unsigned nversions;
	char updated_at[27]; /* "YYYY-MM-DD HH:MM:SS.ffffff" UTC */
	char loaded_by[129]; /* who loaded the latest version */
};

/* Every campaign, ordered by id, into a new array (*rows_r, free() it) of *n_r rows.
 * 0 ok, -1 with err set. */
int campaigns_list(struct db_conn *conn, struct campaigns_row **rows_r, size_t *n_r,
                   struct db_error *err);

struct campaigns_source {
	char id[41];
	unsigned version;
	char *source; /* NUL-terminated */
	size_t len;
};

/* The active version's text of every running campaign, ordered by id, into a new array
 * (release with campaigns_sources_free). 0 ok, -1 with err set. */
int campaigns_active_sources(struct db_conn *conn, struct campaigns_source **r, size_t *n_r,
                             struct db_error *err);
void campaigns_sources_free(struct campaigns_source *s, size_t n);

enum campaigns_stop_result {
	CAMPAIGNS_STOPPED,    /* it was active and is not any more */
	CAMPAIGNS_NOT_ACTIVE, /* it exists but was already stopped */
	CAMPAIGNS_NO_SUCH,    /* no campaign has that id */
};

/* Deactivates campaign id (its versions are kept; loading a file activates one again).
 * *previous_r receives the version that was active (0 none). 0 ok with *res_r set, -1
 * with err set. */
int campaigns_stop(struct db_conn *conn, const char *id, enum campaigns_stop_result *res_r,
                   unsigned *previous_r, struct db_error *err);

#endif
