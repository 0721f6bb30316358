/*
 * inbound — SQL for inbound_messages: the idempotency record of every inbound SMS and
 * the per-number message count behind the rate limit. Worker threads, inside the
 * caller's transaction.
 */
#ifndef GAMIGATE_STORE_INBOUND_H
#define GAMIGATE_STORE_INBOUND_H

#include <stddef.h>

#include "store/db.h"

/* What is stored of one inbound message and what was answered. */
struct inbound_record {
	const char *adapter;
	const char *provider_id;
	const char *msisdn;
	const char *recipient;
	const char *raw;
	size_t raw_len;
	const char *raw_charset;
	const char *text;
	const char *command; /* NULL when none matched */
	const char *outcome;
	const char *reply;
	const char *reply_lang; /* NULL when no reply */
	const char *reply_encoding;
	unsigned reply_segments;
};

/* A stored answer found for a provider id. */
struct inbound_stored {
	int found;
	char outcome[17];
	char reply[2001];
	char reply_lang[3];
	char reply_encoding[9];
	unsigned reply_segments;
};

/* Looks for (adapter, provider_id), or for either of two ids received within
 * window_s seconds when alt_id is not NULL (the id-less hash of the current and the
 * previous time bucket). 0 ok (found tells), -1 with err. */
int inbound_find(struct db_conn *conn, const char *adapter, const char *provider_id,
                 const char *alt_id, long window_s, struct inbound_stored *out,
                 struct db_error *err);

/* Stores the record. A duplicate (adapter, provider_id) fails with err->code 1062. */
int inbound_insert(struct db_conn *conn, const struct inbound_record *rec, struct db_error *err);

/* Records n messages in one round trip (one statement with array binding). A duplicate
 * fails the whole statement (1062). 0 ok, -1 with err set. */
int inbound_insert_many(struct db_conn *conn, const struct inbound_record *recs, size_t n,
                        struct db_error *err);

#endif
