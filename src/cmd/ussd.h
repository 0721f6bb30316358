/*
 * ussd — one step of a USSD session, from the parsed request to the "CON ..."/"END ..."
 * body, in one database transaction: the session row (locked, so steps of one session
 * run one at a time on any node), the idempotency record of (sessionId, text), the
 * timeouts, the menu walk (game/menu.h) and, when an answer picks an action, the same
 * subscriber command an SMS runs (cmd/command.h), its reply rendered for the screen.
 *
 * ussd_step runs on a worker thread; ussd_polite_end on any thread.
 */
#ifndef GAMIGATE_CMD_USSD_H
#define GAMIGATE_CMD_USSD_H

#include <stddef.h>

#include "core/buf.h"
#include "game/menu.h"
#include "route/ussd_text.h"
#include "store/db.h"

struct sms_rules;

/* A checked request; every field is owned by the caller. */
struct ussd_in {
	const char *session_id;   /* 1..64 printable ASCII */
	const char *service_code; /* "*3000#" */
	const char *msisdn;       /* normalised, E.164 */
	const char *text;         /* the answers as received, "" first */
	size_t text_len;
	const struct ussd_text *parsed; /* text taken apart */
	struct menu_limits limits;
	long idle_timeout_s;    /* a step later than this after the previous one ends it */
	long session_timeout_s; /* a step later than this after the first one ends it */
};

struct ussd_out {
	int duplicate;    /* the stored answer of the same step */
	char outcome[17]; /* screen, action, reply, timeout, ended, unavailable, refused */
	char command[33]; /* the action's command, "" when none ran */
	struct buf body;  /* "CON ..." or "END ..." */
};

/* Plays one step. out must be zeroed by the caller; release with ussd_out_free. 0 ok,
 * -1 database error in err. */
int ussd_step(struct db_conn *conn, const struct sms_rules *rules, const struct ussd_in *in,
              struct ussd_out *out, struct db_error *err);
void ussd_out_free(struct ussd_out *out);

/* Appends "END " and the polite text of key ("ussd_bad_request", ...) in the default
 * language to out. */
void ussd_polite_end(const struct sms_rules *rules, const char *key, struct buf *out);

#endif
