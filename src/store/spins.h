/*
 * spins (store) — the wheel's SQL for many spins at once: the spins of one group commit
 * (messages from different members sharing a transaction, store/pool.h) are read,
 * capped and recorded (their vouchers, missions and awards: store/game.h, shared with
 * the check-ins) with a handful of statements for the whole group instead
 * of a procedure call each (bench/README.md: the statements, not the rows, were what a
 * spin cost the server). Every function runs inside the caller's transaction, on a
 * worker, with the members' rows already locked; rows go in with array binding
 * (db_exec_bulk), reads take the members as one JSON array parameter (JSON_TABLE), so
 * each statement has one text whatever the number of members.
 *
 * The invariants stay in the keys: spins (subscriber, campaign, day, seq) is unique,
 * mission_completions (subscriber, campaign, mission, period) is unique, ledger refs are
 * unique; a duplicate fails the statement and the caller's transaction rolls back.
 */
#ifndef GAMIGATE_STORE_SPINS_H
#define GAMIGATE_STORE_SPINS_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* What a member has done, read under the member's lock. */
struct spins_member {
	long long subscriber_id; /* in */
	long done;               /* spins today in the campaign */
	int mission_done;        /* the spin mission is complete for its period */
	long long qualifying;    /* qualifying points now */
	char tier[33];           /* the tier now, "" when none */
};

/* Fills done, mission_done, qualifying and tier of n members (mission_id "" = no mission). One
 * statement. 0 ok, -1 with err set. */
int spins_members(struct db_conn *conn, const char *campaign_id, const char *day_key,
                  const char *mission_id, const char *period_key, struct spins_member *m, size_t n,
                  struct db_error *err);

/* A prize's counters as last committed: awarded today (-1: no row) and in all (-1). */
struct spins_counter {
	const char *prize_id; /* in */
	long long day;
	long long total;
};

/* Reads the counters of n prizes for a day without locking them (a counter at its cap
 * stays there: units are only ever given back in the transaction that took them). One
 * statement. 0 ok, -1. */
int spins_counters(struct db_conn *conn, const char *campaign_id, const char *day_key,
                   struct spins_counter *c, size_t n, struct db_error *err);

/* Locks a prize's counters (creating them at 0) and tells how many of want units are
 * under its caps (daily_cap / total_cap < 0: none; at least one is >= 0). Nothing is
 * counted yet: spins_units_add does, with what was really handed out. 0 ok, -1. */
int spins_units_lock(struct db_conn *conn, const char *campaign_id, const char *prize_id,
                     const char *day_key, long long daily_cap, long long total_cap, long want,
                     long *granted_r, struct db_error *err);

/* Counts n units of a prize on the counters spins_units_lock locked. 0 ok, -1. */
int spins_units_add(struct db_conn *conn, const char *campaign_id, const char *prize_id,
                    const char *day_key, long long daily_cap, long long total_cap, long n,
                    struct db_error *err);

/* One spin row. */
struct spins_row {
	long long subscriber_id;
	long seq; /* 1 for the first spin of the day */
	uint64_t random_value;
	const char *drawn;
	const char *awarded;
	const char *voucher; /* NULL when none */
	long long id;        /* out: spins_insert */
};

/* Records n spins of a campaign version on a day and reads their ids back. Two
 * statements. 0 ok, -1 (a second spin with the same seq fails on the key). */
int spins_insert(struct db_conn *conn, const char *campaign_id, unsigned version,
                 const char *day_key, uint64_t total_weight, struct spins_row *rows, size_t n,
                 struct db_error *err);

#endif
