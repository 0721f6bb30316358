/*
 * quiz — the daily question and its answers (see quiz.h).
 */
#include "game/quiz.h"
#include "core/tz.h"
#include "store/board.h"
#include "store/game.h"

#include <stdio.h>
#include <string.h>

const struct campaign_question *
quiz_today(const struct campaign *c, time_t now)
{
	const struct campaign_mission *m = campaign_mission_of(c, MISSION_QUIZ);
	struct tz_civil civ;

	if (m == NULL || !campaign_running(c, now))
		return NULL;
	tz_civil(c->tz, now, &civ);
	for (unsigned i = 0; i < m->nquestions; i++) {
		const struct campaign_question *q = &m->questions[i];
		if (q->year == civ.year && q->month == civ.month && q->day == civ.day)
			return q;
	}
	return NULL;
}

int
quiz_answer(struct db_conn *conn, const struct campaign *c, long long subscriber_id,
            unsigned choice, time_t now, struct quiz_result *res, struct db_error *err)
{
	const struct campaign_mission *m = campaign_mission_of(c, MISSION_QUIZ);
	struct game_scope scope;
	char day[11], ref[160];

	memset(res, 0, sizeof(*res));
	res->question = quiz_today(c, now);
	if (res->question == NULL) {
		res->outcome = QUIZ_NO_QUESTION;
		return 0;
	}
	if (choice < 1 || choice > res->question->nchoices) {
		res->outcome = QUIZ_BAD_CHOICE;
		return 0;
	}
	int right = choice == res->question->answer;
	reward_scope(c, &scope);
	tz_day_key(c->tz, now, day);
	int fresh = board_quiz_answer(conn, &scope, subscriber_id, day, choice, right, err);
	if (fresh < 0)
		return -1;
	if (fresh == 0) {
		res->outcome = QUIZ_ALREADY;
		return 0;
	}
	if (!right) {
		res->outcome = QUIZ_WRONG;
		return 0;
	}
	res->outcome = QUIZ_RIGHT;
	/* A quiz mission's period is a day (campaign validation holds it so). */
	int done = game_complete_mission(conn, &scope, subscriber_id, m->id, day, err);
	if (done < 0)
		return -1;
	if (done == 0)
		return 0;
	snprintf(ref, sizeof(ref), "mission:%s:%s:%lld:%s", c->id, m->id, subscriber_id, day);
	return reward_apply(conn, c, subscriber_id, &m->reward, "mission", ref, 1, &res->reward,
	                    err);
}
