/*
 * leaderboard — where a member stands by points (the balance on the subscriber row),
 * and the top five. Ties share a rank ("1, 2, 2, 4": one more than the members with
 * more points).
 *
 * The rank is a count of the members above, read from an index of members' points
 * (store/board.h) and stopped at LEADERBOARD_RANK_MAX: every request costs at most that many index
 * entries, however many members there are, and needs nothing maintained beside the
 * balance (a rank table updated on every award would put all the low scores on a few
 * hot rows that every spin and check-in on every node would queue for). Past that
 * depth the rank is shown as "more than LEADERBOARD_RANK_MAX".
 *
 * Worker threads, inside the caller's transaction.
 */
#ifndef GAMIGATE_GAME_LEADERBOARD_H
#define GAMIGATE_GAME_LEADERBOARD_H

#include "store/db.h"

#define LEADERBOARD_TOP      5
#define LEADERBOARD_RANK_MAX 10000

struct leaderboard_entry {
	char msisdn[17]; /* in full: mask it before it goes into a reply */
	long long points;
	long long rank;
};

struct leaderboard {
	long long rank; /* the member's; LEADERBOARD_RANK_MAX + 1 when beyond */
	int beyond;     /* more than LEADERBOARD_RANK_MAX members are above */
	struct leaderboard_entry top[LEADERBOARD_TOP];
	unsigned ntop;
};

/* Reads the board for a member with points. 0 ok, -1 with err. */
int leaderboard_read(struct db_conn *conn, long long points, struct leaderboard *lb_r,
                     struct db_error *err);

#endif
