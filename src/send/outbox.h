/*
 * outbox — the life of an outbound message, above the SQL: creating a row with the
 * policies checked (send/policy.h), turning the game's pending notifications into rows
 * (the template rendered in the member's language with the stored values; each
 * notification queued exactly once: its row's client_ref is "n:<notification id>" and
 * the notification is marked in the same transaction), and claiming due rows with the
 * policies checked again just before sending.
 *
 * States: queued -> sending -> sent -> delivered | failed | expired (store/outbox.h).
 *
 * Worker threads (pool jobs, the CLI); struct outbox_env is read-only and shared.
 */
#ifndef GAMIGATE_SEND_OUTBOX_H
#define GAMIGATE_SEND_OUTBOX_H

#include <time.h>

#include "send/policy.h"
#include "store/db.h"
#include "store/outbox.h"

struct templates;

struct outbox_env {
	const struct policy *policy;
	const struct templates *templates; /* for notifications; may be NULL */
	const char *default_lang;
	long expire_s;
	unsigned max_segments; /* longer texts are refused (0 = no limit) */
};

/* A message to queue. */
struct outbox_msg {
	const char *client_ref;
	enum outbox_kind kind;
	long long subscriber_id; /* required for promotional/transactional (policies) */
	const char *msisdn;      /* used when subscriber_id is 0 (replies) */
	const char *text;
	const char *lang;
	const char *campaign_id;
	const char *source;
	int priority;
};

enum outbox_queued { OUTBOX_QUEUED, OUTBOX_DUPLICATE, OUTBOX_REFUSED, OUTBOX_NO_MEMBER };

/* Creates the row for m at now, checking the policies and the length (a text of more
 * than env->max_segments SMS parts is refused: providers cut or reject them): a refused
 * message is recorded as
 * 'failed' with the reason (so the refusal is visible and a repeat is a duplicate), a
 * promotional one in quiet hours waits. 0 ok with *result_r, -1 with err. Call inside
 * the caller's transaction or alone (one statement writes). */
int outbox_queue(struct db_conn *conn, const struct outbox_env *env, const struct outbox_msg *m,
                 time_t now, enum outbox_queued *result_r, const char **reason_r,
                 struct db_error *err);

struct outbox_feed_stats {
	unsigned notifications; /* looked at */
	unsigned queued;
	unsigned refused; /* by a policy, or a template missing */
	int more;         /* a full batch: call again */
};

/* Moves up to max pending notifications into the outbox, in one transaction.
 * 0 ok, -1 with err. */
int outbox_feed(struct db_conn *conn, const struct outbox_env *env, unsigned max, time_t now,
                struct outbox_feed_stats *st_r, struct db_error *err);

/* Claims up to max due rows under token, checks each against the policies at now and
 * settles those that must not go (expired, refused, waiting for quiet hours to end);
 * the rest, to be sent, are in items (*n_r of them). 0 ok, -1 with err. */
int outbox_claim_due(struct db_conn *conn, const struct outbox_env *env, const char *token,
                     unsigned lease_s, unsigned max, time_t now, struct outbox_item *items,
                     unsigned *n_r, struct db_error *err);

#endif
