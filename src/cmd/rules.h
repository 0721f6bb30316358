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

#include "core/buf.h"

struct config;
struct grammar;
struct templates;

struct sms_rules {
	struct grammar *grammar;
	struct templates *templates;
	char default_lang[3];
	long rate_per_minute;
	long dedupe_window_s;
	unsigned refs;
};

/* Loads the grammar and the templates named by cfg and checks that every command of the
 * grammar has an implementation. NULL with one line per problem in errors. The result
 * holds one reference. */
struct sms_rules *sms_rules_load(const struct config *cfg, struct buf *errors);
struct sms_rules *sms_rules_ref(struct sms_rules *r);
void sms_rules_unref(struct sms_rules *r);

#endif
