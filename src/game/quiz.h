/*
 * quiz — the daily quiz (QUIZ / سوال shows it, ANSWER n / جواب n answers it): the
 * question of the campaign's quiz mission dated today (local day in the campaign's
 * zone), one answer per subscriber per day (a key: a second answer changes nothing,
 * right or wrong), and the mission's reward with its completion for a right answer.
 *
 * quiz_today is pure (any thread); quiz_answer runs on a worker inside the caller's
 * transaction with the subscriber's row locked.
 */
#ifndef GAMIGATE_GAME_QUIZ_H
#define GAMIGATE_GAME_QUIZ_H

#include <time.h>

#include "game/campaign.h"
#include "game/reward.h"
#include "store/db.h"

/* The question of the local day holding now, or NULL (no quiz mission, no question
 * dated today, or the campaign is not running). */
const struct campaign_question *quiz_today(const struct campaign *c, time_t now);

enum quiz_outcome {
	QUIZ_RIGHT,
	QUIZ_WRONG,
	QUIZ_ALREADY,     /* answered today already (nothing changed) */
	QUIZ_NO_QUESTION, /* no question today */
	QUIZ_BAD_CHOICE,  /* not one of the choices: not counted as an answer */
};

struct quiz_result {
	enum quiz_outcome outcome;
	const struct campaign_question *question; /* today's, when there is one */
	struct reward_result reward;              /* QUIZ_RIGHT */
};

/* Records choice (1-based) as the subscriber's answer to today's question.
 * 0 ok (res filled), -1 with err. */
int quiz_answer(struct db_conn *conn, const struct campaign *c, long long subscriber_id,
                unsigned choice, time_t now, struct quiz_result *res, struct db_error *err);

#endif
