/*
 * redeem — trading points for an item of the campaign's catalog: the item's cost is
 * spent (lots that expire first go first) and its reward given, all or nothing: without
 * enough points, or with the item's voucher pool empty, nothing changes. Every
 * redemption is recorded; its points are the ledger row "redeem:<redemption id>".
 *
 * redeem_find and redeem_list are pure (any thread); redeem_item runs inside the
 * caller's transaction on a worker, with the subscriber's row already locked.
 */
#ifndef GAMIGATE_GAME_REDEEM_H
#define GAMIGATE_GAME_REDEEM_H

#include <stddef.h>

#include "game/campaign.h"
#include "game/reward.h"
#include "store/db.h"

enum redeem_outcome {
	REDEEM_DONE,     /* spent and given */
	REDEEM_SHORT,    /* the balance is below the cost: nothing changed */
	REDEEM_NO_STOCK, /* the item's voucher pool is empty: nothing changed */
};

struct redeem_result {
	enum redeem_outcome outcome;
	long long balance;       /* afterwards (unchanged when refused) */
	long long redemption_id; /* REDEEM_DONE */
	struct reward_result reward;
};

/* The catalog index that arg names: its 1-based number in the catalog ("2"), or its id
 * ("data-1g"; letters in any case, ' ' or '_' for '-'). -1 when it names none. */
int redeem_find(const struct campaign *c, const char *arg);

/* Writes the catalog as "1) data-1g: 500, 2) snapp-100: 800" into out (size n, which
 * must be at least 4): as many items as fit whole, then "..." when some are left out. */
void redeem_list(const struct campaign *c, char *out, size_t n);

/* Redeems catalog item `item` of c for the subscriber. 0 with res filled, -1 with err. */
int redeem_item(struct db_conn *conn, const struct campaign *c, unsigned item,
                long long subscriber_id, struct redeem_result *res, struct db_error *err);

#endif
