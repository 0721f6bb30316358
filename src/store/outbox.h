/*
 * outbox (store) — SQL for the outbox table (migration 0009) and for feeding the
 * game's notifications into it. The policy decisions are made by send/outbox.c; this
 * file only reads and writes rows, each write guarded so that repeating it (a retried
 * job, a second node, a late report) changes nothing:
 *   - a message is inserted once per client_ref (unique key);
 *   - a claim takes due rows with SELECT ... FOR UPDATE SKIP LOCKED, so two nodes never
 *     claim the same row, and marks them with a lease token unique to the claim;
 *   - a send result updates a row only while it is still 'sending' under that token;
 *   - a delivery report only moves a row to a higher dlr_rank, never after a final one.
 *
 * Worker threads (a pool job or the CLI), with the thread's own connection.
 */
#ifndef GAMIGATE_STORE_OUTBOX_H
#define GAMIGATE_STORE_OUTBOX_H

#include <stddef.h>
#include <time.h>

#include "store/db.h"

/* A row to insert. */
struct outbox_new {
	const char *client_ref;
	const char *kind;        /* reply | transactional | promotional */
	long long subscriber_id; /* 0 = none */
	const char *msisdn;
	const char *text;
	const char *lang;        /* may be NULL */
	const char *campaign_id; /* may be NULL */
	const char *source;      /* what made it: "notification:tier_upgrade", ... */
	int priority;
	unsigned segments;
	time_t not_before;
	time_t expires_at;
	const char *state; /* "queued", or "failed" when a policy refused it at creation */
	const char *error; /* why it failed, or NULL */
};

/* Inserts m unless its client_ref exists. 1 inserted, 0 already there, -1 with err. */
int outbox_insert(struct db_conn *conn, const struct outbox_new *m, struct db_error *err);

/* What the policies need to know about a member. */
struct outbox_member {
	int exists;
	char msisdn[17];
	char lang[3];
	int opted_out;
	int promo_blocked;
	long promo_today;
};

/* Reads the member and counts their promotional messages of the local day
 * [day_start, day_start + 1 day). At creation (at_row = 0): every one queued, being
 * sent or sent. At send time, for the row at_row: those sent, and those being sent with
 * a lower id (rows claimed together are decided in id order, so three claimed at once
 * against a cap of two let the first two go). 0 ok (exists = 0 when there is no such
 * member), -1 with err. */
int outbox_member_get(struct db_conn *conn, long long subscriber_id, time_t day_start,
                      long long at_row, struct outbox_member *m_r, struct db_error *err);

/* One claimed row. */
struct outbox_item {
	long long id;
	long long subscriber_id;
	char client_ref[81];
	char kind[17];
	char msisdn[17];
	char text[2001];
	unsigned attempts; /* including this one */
	int expired;       /* expires_at has passed */
	/* The member as the policies see them at the claim (outbox_member_get's figures
	 * for this row, read with it): all 0 without a member. */
	struct {
		int exists, opted_out, promo_blocked;
		long promo_today;
	} member;
};

/* Claims up to max due rows (queued with not_before passed, or sending with an expired
 * lease) for lease_s seconds under token (unique per claim) and copies them into items,
 * each with its member's policy figures for the local day [day_start, + 1 day).
 * Runs its own transaction (three statements whatever max is), then one read.
 * 0 ok with *n_r rows, -1 with err. */
int outbox_claim(struct db_conn *conn, const char *token, unsigned lease_s, unsigned max,
                 time_t day_start, struct outbox_item *items, unsigned *n_r, struct db_error *err);

enum outbox_report_kind {
	OUTBOX_SENT,   /* the provider took it */
	OUTBOX_RETRY,  /* try again after delay_s (failed once attempts reach the max) */
	OUTBOX_FAILED, /* permanent failure or a policy refusal */
	OUTBOX_EXPIRED,
	OUTBOX_DEFER, /* not attempted (quiet hours, breaker open): queued again without
	                 counting the attempt */
};

struct outbox_report {
	long long id;
	char token[100];
	enum outbox_report_kind kind;
	char provider[17];
	char provider_id[81];
	char error[161];
	double delay_s;
};

/* Applies reports (each only while its row is still 'sending' under its token) in one
 * transaction, one statement per kind of result. max_attempts turns a retry of the last attempt
 * into a failure. 0 ok, -1 with err. */
int outbox_report_apply(struct db_conn *conn, const struct outbox_report *reports, size_t n,
                        unsigned max_attempts, struct db_error *err);

/* Applies a delivery report to the row of ref: state (dlr_state rank; >= 3 final) moves
 * forward only. When blocked, the member is opted out of promotional messages.
 * *outcome_r: 1 applied, 0 duplicate or out of order, -1 unknown reference;
 * *latency_r: seconds from sent to a final report just applied, else -1. 0 ok, -1. */
int outbox_dlr_apply(struct db_conn *conn, const char *ref, const char *provider_id,
                     const char *status, int rank, int blocked, int *outcome_r, double *latency_r,
                     struct db_error *err);

/* A pending game notification with its subscriber. */
struct outbox_notification {
	long long id;
	long long subscriber_id;
	char campaign_id[41];
	char kind[17];
	char template_key[41];
	char vars[2048];
};

/* Locks up to max pending notifications (FOR UPDATE SKIP LOCKED, oldest first) inside
 * the caller's transaction. 0 ok with *n_r, -1 with err. */
int outbox_notifications_pending(struct db_conn *conn, unsigned max,
                                 struct outbox_notification *list, unsigned *n_r,
                                 struct db_error *err);

/* Marks a notification 'queued' or 'failed'. 0 ok, -1 with err. */
int outbox_notification_mark(struct db_conn *conn, long long id, const char *status,
                             struct db_error *err);

/* Counts of outbox rows by state (for /metrics and the CLI). */
struct outbox_counts {
	long long queued, sending, sent, delivered, failed, expired;
	long long due; /* queued and due now */
};
int outbox_counts_get(struct db_conn *conn, struct outbox_counts *c_r, struct db_error *err);

#endif
