/*
 * campaign_sections — the optional sections of a campaign file that stand on their
 * own: earning rules, tiers, the wheel, referral codes and the catalog. Each reads its
 * part of the parsed JSON root into c and reports every problem through ck.
 *
 * Private to src/game (campaign*.c). Any thread, no global state.
 */
#ifndef GAMIGATE_GAME_CAMPAIGN_SECTIONS_H
#define GAMIGATE_GAME_CAMPAIGN_SECTIONS_H

#include "game/campaign_check.h"

/* The names of enum earning_event, in its order. */
extern const char *const campaign_sections_event_names[4];

/* $.earning: rules and multipliers; one points rule per event. */
void campaign_sections_earning(struct ck *ck, json_t *root, struct campaign *c);
/* $.tiers and $.tier_review: tiers by min_points, the first at 0. */
void campaign_sections_tiers(struct ck *ck, json_t *root, struct campaign *c);
/* $.wheel: spins a day, prizes and the fallback prize. */
void campaign_sections_wheel(struct ck *ck, json_t *root, struct campaign *c);
/* $.referral: window, cap, rewards and milestones. */
void campaign_sections_referral(struct ck *ck, json_t *root, struct campaign *c);
/* $.catalog: items to redeem points for. */
void campaign_sections_catalog(struct ck *ck, json_t *root, struct campaign *c);

#endif
