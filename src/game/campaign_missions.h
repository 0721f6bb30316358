/*
 * campaign_missions — the "missions" section of a campaign file (check-ins with streaks,
 * spins, daily quizzes, event and referral missions with stages) and the checks across
 * sections that missions need (a spin mission needs a wheel, ...).
 *
 * Private to src/game (campaign*.c). Any thread, no global state.
 */
#ifndef GAMIGATE_GAME_CAMPAIGN_MISSIONS_H
#define GAMIGATE_GAME_CAMPAIGN_MISSIONS_H

#include "game/campaign_check.h"

/* $.missions into c->missions; ids must be unique. */
void campaign_missions_parse(struct ck *ck, json_t *root, struct campaign *c);
/* Checks across sections, after every section is parsed: at most one check-in, spin and
 * quiz mission; spins need a wheel, referrals need referral codes and fit its cap; quiz
 * dates inside the campaign, one a day; streaks that fit the campaign. */
void campaign_missions_check(struct ck *ck, json_t *root, struct campaign *c);

#endif
