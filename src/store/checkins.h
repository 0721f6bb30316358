/*
 * checkins (store) — the daily check-in's SQL for many members at once (the check-ins of
 * one group commit, as store/spins.h does for spins): one read of every member's state,
 * one array-bound insert of the new check-ins. Inside the caller's transaction, with the
 * members' rows locked; (subscriber, campaign, day) is the check-in's key.
 */
#ifndef GAMIGATE_STORE_CHECKINS_H
#define GAMIGATE_STORE_CHECKINS_H

#include <stddef.h>

#include "store/db.h"

/* A member's check-in state, read under its lock. */
struct checkins_member {
	long long subscriber_id; /* in */
	long today;              /* today's streak, -1 when not checked in today */
	long yesterday;          /* yesterday's streak, 0 when none */
	int mission_done;        /* the check-in mission is complete for today */
	int awarded;             /* today's check-in award is in a ledger already */
	int bonus_awarded;       /* today's streak bonus is in a ledger already */
	long long qualifying;    /* qualifying points now */
	char tier[33];           /* the tier now, "" when none */
};

/* Fills the state of n members of a campaign for day today (yesterday: the local day
 * before) and its check-in mission. The award refs are those game/checkin.c writes:
 * "checkin:<campaign>:<id>:<day>" and "streak:<campaign>:<id>:<day>". One statement.
 * 0 ok, -1 with err set. */
int checkins_members(struct db_conn *conn, const char *campaign_id, const char *mission_id,
                     const char *today, const char *yesterday, struct checkins_member *m, size_t n,
                     struct db_error *err);

/* Records n check-ins for a day with their streaks (one already there fails on the key).
 * One statement. 0 ok, -1. */
int checkins_insert(struct db_conn *conn, const char *campaign_id, const char *day_key,
                    const long long *subscriber_ids, const unsigned *streaks, size_t n,
                    struct db_error *err);

#endif
