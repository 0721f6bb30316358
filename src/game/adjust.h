/*
 * adjust — support's corrections to a balance, as compensating ledger rows (the
 * ledger is append-only: no row is ever edited or deleted).
 *
 * adjust_points: +N opens a new lot (reason "adjust", qualifying, expiring like the
 * campaign's points; a tier may go up live); -N spends from the lots, oldest expiry
 * first, refused with nothing changed when the balance is short. The ledger ref is
 * "adjust:<REF>:p", so a REF applies at most once whatever its sign.
 *
 * adjust_reverse: the ledger row keyed REF gets a compensating row "reverse:<REF>"
 * (store/points.h points_reverse), at most once; a reversal is not reversed again.
 *
 * Both record the agent's note in points_corrections. One transaction each. Whatever
 * thread owns the connection.
 */
#ifndef GAMIGATE_GAME_ADJUST_H
#define GAMIGATE_GAME_ADJUST_H

#include <time.h>

#include "game/campaign.h"
#include "store/db.h"

#define ADJUST_REF_MAX  80  /* characters of a REF */
#define ADJUST_NOTE_MAX 255 /* bytes of a note */

enum adjust_outcome {
	ADJUST_DONE,
	ADJUST_ALREADY,       /* the REF was applied before: nothing changed */
	ADJUST_SHORT,         /* the balance is below what it would take: nothing changed */
	ADJUST_NO_SUBSCRIBER, /* no such subscriber */
	ADJUST_NO_ROW,        /* reverse: no ledger row has that ref */
	ADJUST_NOTHING,       /* reverse: no points to move (delta 0, or all expired) */
	ADJUST_IS_REVERSAL,   /* reverse: the row is itself a reversal */
};

struct adjust_result {
	enum adjust_outcome outcome;
	long long subscriber_id;
	char msisdn[17];
	long long delta;   /* of the row written (0 when none) */
	long long balance; /* after (unchanged when refused) */
	long long wanted;  /* what it would have taken (ADJUST_SHORT) */
	char ledger_ref[140];
};

/* Applies points (non-zero) to the subscriber msisdn (E.164) in campaign c with the
 * REF ref (1-80 characters) and note. 0 with r->outcome, -1 with err. */
int adjust_points(struct db_conn *conn, const struct campaign *c, const char *msisdn,
                  long long points, const char *ref, const char *note, struct adjust_result *r,
                  struct db_error *err);

/* Reverses the ledger row keyed ref. campaigns (for the expiry of a refunded debit:
 * the campaign's expiry_days, else never) may be NULL with 0. 0 with r->outcome, -1. */
int adjust_reverse(struct db_conn *conn, struct campaign *const *campaigns, unsigned ncampaigns,
                   const char *ref, const char *note, struct adjust_result *r,
                   struct db_error *err);

/* The REF of an adjustment given without one: the same subscriber, points, note and
 * campaign on the same UTC day give the same REF ("auto-YYYYMMDD-<16 hex>"). */
void adjust_default_ref(const char *msisdn, long long points, const char *note,
                        const char *campaign_id, time_t now, char out[48]);

/* 1 when ref is a usable REF: 1-80 printable ASCII characters, no space. */
int adjust_ref_ok(const char *ref);

#endif
