/*
 * leaderboard — rank by points and the top five (see leaderboard.h).
 */
#include "game/leaderboard.h"
#include "store/board.h"

#include <stdio.h>
#include <string.h>

int
leaderboard_read(struct db_conn *conn, long long points, struct leaderboard *lb,
                 struct db_error *err)
{
	struct board_entry top[LEADERBOARD_TOP];
	long long above = 0;

	memset(lb, 0, sizeof(*lb));
	if (board_above(conn, points, LEADERBOARD_RANK_MAX, &above, err) < 0)
		return -1;
	lb->beyond = above >= LEADERBOARD_RANK_MAX;
	lb->rank = above + 1;
	if (board_top(conn, top, LEADERBOARD_TOP, &lb->ntop, err) < 0)
		return -1;
	for (unsigned i = 0; i < lb->ntop; i++) {
		struct leaderboard_entry *e = &lb->top[i];
		size_t len = strnlen(top[i].msisdn, sizeof(e->msisdn) - 1); /* E.164: fits */
		memcpy(e->msisdn, top[i].msisdn, len);
		e->msisdn[len] = '\0';
		e->points = top[i].points;
		/* Best first: a tie keeps the rank of the first with the same points. */
		e->rank = i > 0 && top[i].points == top[i - 1].points ? lb->top[i - 1].rank
		                                                      : (long long)i + 1;
	}
	return 0;
}
