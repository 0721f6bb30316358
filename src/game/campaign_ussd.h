/*
 * campaign_ussd — the "ussd" section of a campaign file: service codes and the tree of
 * screens (game/menu.h), checked with JSON paths like every other section.
 *
 * Private to src/game (campaign*.c). Any thread, no global state.
 */
#ifndef GAMIGATE_GAME_CAMPAIGN_USSD_H
#define GAMIGATE_GAME_CAMPAIGN_USSD_H

#include "game/campaign_check.h"

/* $.ussd into c->ussd (left NULL when absent or wrong). */
void campaign_ussd_parse(struct ck *ck, json_t *root, struct campaign *c);

#endif
