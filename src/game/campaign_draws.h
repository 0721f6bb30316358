/*
 * campaign_draws — the "draws" section of a campaign file: lottery draws with a cut-off,
 * winners, backups, an optional drand round and an optional SMS announcement.
 *
 * Private to src/game (campaign*.c). Any thread, no global state.
 */
#ifndef GAMIGATE_GAME_CAMPAIGN_DRAWS_H
#define GAMIGATE_GAME_CAMPAIGN_DRAWS_H

#include "game/campaign_check.h"

/* $.draws: reads every draw into c (problems through ck). */
void campaign_draws_parse(struct ck *ck, json_t *root, struct campaign *c);
/* Frees c->draws. */
void campaign_draws_free(struct campaign *c);

#endif
