/*
 * rules — what the inbound SMS path reads on every message and SIGHUP replaces: the
 * command grammar, the reply templates and the [sms] settings, in one bundle with a
 * reference count so a reload never pulls them from under a running job.
 *
 * Loaded and ref/unref'd on the event-loop thread only (jobs take a reference when they
 * are submitted and drop it in their done callback); workers only read a bundle.
 */
#ifndef GAMIGATE_CMD_RULES_H
#define GAMIGATE_CMD_RULES_H

#include <time.h>

#include "core/buf.h"

struct campaign;
struct config;
struct db_conn;
struct db_error;
struct grammar;
struct templates;

struct sms_rules {
	struct grammar *grammar;
	struct templates *templates;
	char default_lang[3];
	long rate_per_minute;
	long dedupe_window_s;
	int json_reply_outbox;       /* inbound.json_reply = outbox */
	long reply_expire_s;         /* outbox.expire_s, for replies queued there */
	struct campaign **campaigns; /* the active campaigns, from the database */
	struct grammar **grammars;   /* per campaign: the grammar with its additions, or NULL */
	unsigned ncampaigns;
	int campaigns_ok;     /* the campaigns could be read (else: none, retry later) */
	struct buf signature; /* "id:version," of every active campaign, as loaded */
	unsigned refs;
};

/* Loads the grammar and the templates named by cfg, checks that every command of the
 * grammar has an implementation, and, when conn is not NULL, parses the active
 * campaigns stored in the database (a campaign that no longer parses is left out and
 * reported in errors without failing the load). NULL with one line per problem in
 * errors. The result holds one reference. Any one thread (the loop at start, a worker
 * on reload); the result is handed to the loop thread. */
struct sms_rules *sms_rules_load(const struct config *cfg, struct db_conn *conn,
                                 struct buf *errors);

/* Appends the "id:version," signature of the campaigns active in the database now, to
 * tell whether a reload is needed. 0 ok, -1 with err set. */
int sms_rules_campaign_signature(struct db_conn *conn, struct buf *sig, struct db_error *err);

/* The grammar for a message to recipient: that of its campaign (sms_rules_campaign)
 * when the campaign adds to the grammar, else the grammar file's. */
const struct grammar *sms_rules_grammar(const struct sms_rules *r, const char *recipient,
                                        time_t now);

/* Compiles the grammar file with the campaign's "grammar" additions and checks that
 * every command has an implementation; name ("campaign x version 3") names the
 * problems. NULL with the problems in errors. Any thread. */
struct grammar *sms_rules_campaign_grammar(const struct config *cfg, const struct campaign *c,
                                           const char *name, struct buf *errors);

/* The campaign for a message to recipient: the running campaign with that short code,
 * else the first running campaign, else NULL. */
const struct campaign *sms_rules_campaign(const struct sms_rules *r, const char *recipient,
                                          time_t now);
struct sms_rules *sms_rules_ref(struct sms_rules *r);
void sms_rules_unref(struct sms_rules *r);

#endif
