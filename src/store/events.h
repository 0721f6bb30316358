/*
 * events (store) — SQL for external events (recharges, bundles, bills, custom): the
 * events table, whose primary key (the sender's event id) makes an event count once
 * however often and however concurrently it is posted, and the per-member counts that
 * event missions need. Worker threads; every function runs inside the caller's
 * transaction except events_store_find, which may also run outside one.
 *
 * Prefix events_store_ (game/events.h owns events_).
 */
#ifndef GAMIGATE_STORE_EVENTS_H
#define GAMIGATE_STORE_EVENTS_H

#include <time.h>

#include "core/buf.h"
#include "store/db.h"

struct events_store_row {
	const char *event_id;
	const char *msisdn;
	long long subscriber_id; /* 0 = not a member: stored as NULL */
	const char *type;        /* "recharge", "bundle", "bill", "custom" */
	long long amount;
	time_t at;
};

/* Reads and locks (SELECT ... FOR UPDATE) the subscriber row of msisdn without
 * creating one, so that a member's events are applied one after the other. *id_r is
 * 0 when there is no row; *member_r says whether the row is a member's. A locking read
 * opens no snapshot: consistent reads after it see what was committed before the lock
 * was granted. 0 ok, -1 with err. */
int events_store_lock_subscriber(struct db_conn *conn, const char *msisdn, long long *id_r,
                                 int *member_r, struct db_error *err);

/* Inserts the event with an empty result. 1 inserted; 0 when its event_id is already
 * stored (nothing changed: a concurrent insert of the same id waits for the first
 * transaction and then lands here); -1 with err. */
int events_store_insert(struct db_conn *conn, const struct events_store_row *row,
                        struct db_error *err);

/* Stores the result (a JSON object as text) of an event inserted in this transaction.
 * 0 ok, -1 with err. */
int events_store_set_result(struct db_conn *conn, const char *event_id, const char *result_json,
                            struct db_error *err);

struct events_store_found {
	int found;
	char msisdn[17];
	char type[17];
	long long amount;
	time_t at;
	struct buf result; /* the caller frees it with buf_free */
};

/* Reads a stored event (found = 0 when there is none); result is appended to
 * found_r->result, which must be initialised. 0 ok, -1 with err. */
int events_store_find(struct db_conn *conn, const char *event_id,
                      struct events_store_found *found_r, struct db_error *err);

/* Counts the member's events of type with from <= at < to. A locking read (LOCK IN
 * SHARE MODE), so it counts every event committed before, whatever the transaction's
 * snapshot. 0 ok, -1 with err. */
int events_store_count(struct db_conn *conn, long long subscriber_id, const char *type, time_t from,
                       time_t to, long long *count_r, struct db_error *err);

#endif
