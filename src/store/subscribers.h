/*
 * subscribers — SQL for the subscribers table. A row exists for every number that
 * joined, opted out or chose a language; members are the rows with joined_at set.
 * Worker threads, inside the caller's transaction.
 */
#ifndef GAMIGATE_STORE_SUBSCRIBERS_H
#define GAMIGATE_STORE_SUBSCRIBERS_H

#include "store/db.h"

struct subscriber {
	int exists;
	long long id;
	char msisdn[17];
	char lang[3]; /* "" when never chosen */
	int member;   /* joined_at is set */
	int opted_out;
	long long points;
	long long chances;
	char tier[33]; /* "" until the game assigns one */
};

/* Reads the subscriber (exists = 0 when there is none). 0 ok, -1 with err set. */
int subscribers_get(struct db_conn *conn, const char *msisdn, struct subscriber *s_r,
                    struct db_error *err);

/* Creates the row if missing and reads it locked (SELECT ... FOR UPDATE), so two
 * messages from one number are applied one after the other. 0 ok, -1 with err. */
int subscribers_lock(struct db_conn *conn, const char *msisdn, struct subscriber *s_r,
                     struct db_error *err);

/* How subscribers_begin reads the row. */
enum subscribers_begin_mode {
	SUBSCRIBERS_READ,       /* no lock, no transaction (commands that only read) */
	SUBSCRIBERS_BEGIN_LOCK, /* opens the transaction, then as SUBSCRIBERS_LOCK */
	SUBSCRIBERS_LOCK,       /* in the caller's open transaction: creates the row when
	                         * missing and reads it locked, as subscribers_lock */
};

/* The first statement(s) of an inbound message: counts the number's inbound records of
 * the last window_s seconds into recent_r and reads its subscriber (exists = 0 when
 * none) as mode says. With SUBSCRIBERS_BEGIN_LOCK the transaction is left open for the
 * caller to commit or roll back. One round trip (two for a number never seen before
 * with SUBSCRIBERS_LOCK). 0 ok, -1 with err set. */
int subscribers_begin(struct db_conn *conn, const char *msisdn, long window_s,
                      enum subscribers_begin_mode mode, struct subscriber *s_r, long *recent_r,
                      struct db_error *err);

/* One member of subscribers_lock_many. */
struct subscribers_locked {
	const char *msisdn;  /* in */
	struct subscriber s; /* out: exists = 0 when there is no row (nothing locked) */
	long recent;         /* out: messages in the last window_s seconds */
};

/* SUBSCRIBERS_LOCK for n different numbers at once, in the caller's open transaction:
 * one statement locks the rows that exist (in msisdn order, so that two batches never
 * wait on each other in a circle) and counts each number's recent messages. A number
 * without a row is left for subscribers_begin. 0 ok, -1 with err set. */
int subscribers_lock_many(struct db_conn *conn, struct subscribers_locked *m, size_t n,
                          long window_s, struct db_error *err);

/* JOIN: sets the consent time if not yet a member and clears any opt-out. */
int subscribers_join(struct db_conn *conn, long long id, struct db_error *err);
/* STOP (out = 1) and START (out = 0). */
int subscribers_set_opt_out(struct db_conn *conn, long long id, int out, struct db_error *err);
/* LANG: lang is "fa" or "en". */
int subscribers_set_lang(struct db_conn *conn, long long id, const char *lang,
                         struct db_error *err);

#endif
