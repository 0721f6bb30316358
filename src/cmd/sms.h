/*
 * sms — one inbound SMS from any adapter to its reply, in one database transaction:
 * idempotency on the provider id (or a hash of sender, recipient and text within a
 * window), the per-number rate limit, the grammar, the command, the reply template,
 * and the record in inbound_messages. SMS adapters (Kannel, JSON) call it from a pool
 * job; it runs on a worker thread.
 */
#ifndef GAMIGATE_CMD_SMS_H
#define GAMIGATE_CMD_SMS_H

#include <stddef.h>

#include "core/buf.h"
#include "store/db.h"

struct sms_rules;

/* A parsed, checked inbound message; every field is owned by the caller. */
struct sms_in {
	const char *adapter;     /* "kannel", "json" */
	const char *provider_id; /* "" when the provider sent none */
	const char *msisdn;      /* normalised, E.164 */
	const char *recipient;   /* the short code as received */
	const char *raw;         /* the bytes as received */
	size_t raw_len;
	const char *raw_charset;
	const char *text; /* normalised UTF-8 */
};

struct sms_out {
	int duplicate;    /* a retry: the stored reply was returned, nothing changed */
	char outcome[17]; /* replied, no_reply, rate_limited, silenced */
	char command[33]; /* "" when none matched */
	struct buf reply; /* "" = send nothing */
	char lang[3];
	char encoding[9]; /* gsm7 / ucs2 */
	unsigned segments;
	/* sms_process_part only: the record still to be written by sms_finish_batch, and
	 * the message's state while its command waits for the batch's end (a spin) */
	int record_pending;
	void *pending;
	char record_id[81]; /* the provider id (or hash id) it is stored under */
};

/* Processes one message. out must be zeroed by the caller (its buffer is reused);
 * release it with sms_out_free. 0 ok, -1 database error in err. */
int sms_process(struct db_conn *conn, const struct sms_rules *rules, const struct sms_in *in,
                struct sms_out *out, struct db_error *err);

/* Processes one message inside a transaction the caller opened and will commit (a
 * batch of messages sharing one commit, see store/pool.h): no retry, and a duplicate
 * (the message was recorded already) is an error like any other, after which the
 * caller rolls back and runs every message of the batch alone with sms_process.
 * 0 ok, -1 with err set. */
int sms_process_part(struct db_conn *conn, const struct sms_rules *rules, const struct sms_in *in,
                     struct sms_out *out, struct db_error *err);

/* Starts a batch of n messages (before any sms_process_part): reads their grammar and
 * locks the subscribers of the writing ones with one statement, with their rate counts
 * (store/subscribers.h subscribers_lock_many); rules[i] are message i's rules. 0 ok,
 * -1 with err set (the caller rolls back and runs each message alone). */
int sms_begin_batch(struct db_conn *conn, const struct sms_rules *const *rules,
                    const struct sms_in *ins, struct sms_out *const *outs, size_t n,
                    struct db_error *err);

/* Ends the n messages of one batch that sms_process_part left, in the same
 * transaction: makes the spins and check-ins they left, each kind all at once
 * (wheel_spin_many, checkin_run_many), and chooses those replies, then writes every pending record
 * in one statement. 0 ok, -1 with err set (the caller rolls back and runs each message alone). */
int sms_finish_batch(struct db_conn *conn, const struct sms_in *ins, struct sms_out *const *outs,
                     size_t n, struct db_error *err);
void sms_out_free(struct sms_out *out);

#endif
