/*
 * ussd — SQL for USSD sessions (ussd_sessions) and the stored answer of every step
 * (ussd_steps, the idempotency record). Worker threads, inside the caller's transaction.
 */
#ifndef GAMIGATE_STORE_USSD_H
#define GAMIGATE_STORE_USSD_H

#include <stddef.h>

#include "store/db.h"

struct ussd_session {
	char msisdn[17];
	char campaign_id[41];
	char lang[3];
	int ended;
	long long idle_ms; /* since the last step */
	long long age_ms;  /* since the first step */
	int created;       /* this call created the row */
};

struct ussd_stored {
	int found;
	char response[1001];
	char full_reply[2001]; /* "" when none */
};

/* Creates the session if it is new (with msisdn, service code, campaign and lang) and
 * reads it locked FOR UPDATE, so steps of one session run one at a time on any node.
 * 0 ok, -1 with err. */
int ussd_session_open(struct db_conn *conn, const char *session_id, const char *msisdn,
                      const char *service_code, const char *campaign_id, const char *lang,
                      struct ussd_session *s_r, struct db_error *err);

/* Sets the language of a session. 0 ok, -1 with err. */
int ussd_session_set_lang(struct db_conn *conn, const char *session_id, const char *lang,
                          struct db_error *err);

/* The stored answer to (session_id, text), found tells. 0 ok, -1 with err. */
int ussd_step_find(struct db_conn *conn, const char *session_id, const char *text, size_t len,
                   struct ussd_stored *out, struct db_error *err);

/* Records a step: its response, the whole reply of its action (NULL: none), and moves the
 * session on (last seen now; ended when the response is an END). 0 ok, -1 with err. */
int ussd_step_insert(struct db_conn *conn, const char *session_id, const char *text, size_t len,
                     const char *response, const char *full_reply, const char *command,
                     const char *screen, unsigned page, int ended, struct db_error *err);

/* The gateway's end-of-session notification: marks the session ended with status
 * (at most 16 bytes). *found_r tells whether the session existed. 0 ok, -1 with err. */
int ussd_session_close(struct db_conn *conn, const char *session_id, const char *status,
                       int *found_r, struct db_error *err);

/* Deletes up to limit steps and up to limit sessions last used more than keep_s seconds
 * ago (each DELETE commits on its own). *deleted_r: rows deleted. 0 ok, -1 with err. */
int ussd_purge(struct db_conn *conn, long keep_s, long limit, long long *deleted_r,
               struct db_error *err);

#endif
