/*
 * campaign_draws — $.draws of a campaign file (campaigns/README.md). Any thread.
 */
#include "game/campaign_draws.h"
#include "core/tz.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const draw_fields[] = {"id",      "cutoff",        "prize",  "winners",
                                          "backups", "multiple_wins", "beacon", "announce"};

/* "beacon": {"drand_round": N}: a round of the drand network that is published after
 * the cut-off, so nobody knows its randomness when the entries freeze. */
static void
parse_beacon(struct ck *ck, json_t *d, const char *p, struct campaign_draw *dr)
{
	static const char *const fields[] = {"drand_round"};
	char bp[PATH_BYTES];
	json_t *b = json_object_get(d, "beacon");
	if (b == NULL)
		return;
	ck_path_key(bp, p, "beacon");
	if (!json_is_object(b)) {
		ck_problem(
		    ck, bp,
		    "must be {\"drand_round\": N}, a future round of the drand network to mix "
		    "into the draw (got %s)",
		    ck_type_name(b));
		return;
	}
	ck_check_fields(ck, b, bp, fields, 1);
	ck_get_int(ck, b, bp, "drand_round", true, 1, 1000000000000LL, 0, &dr->beacon_round);
}

static void
parse_draw(struct ck *ck, json_t *d, const char *p, struct campaign_draw *dr)
{
	long long n = 0;
	if (!json_is_object(d)) {
		ck_problem(
		    ck, p,
		    "must be a draw {\"id\": ..., \"cutoff\": \"1405-01-13T23:00\", \"prize\": "
		    "{...}, \"winners\": 3} (got %s)",
		    ck_type_name(d));
		return;
	}
	ck_check_fields(ck, d, p, draw_fields, sizeof(draw_fields) / sizeof(draw_fields[0]));
	ck_get_id(ck, d, p, "id", 3, 40, dr->id);
	ck_get_text(ck, d, p, "prize", &dr->prize);
	ck_get_int(ck, d, p, "winners", true, 1, 1000, 1, &n);
	dr->winners = (unsigned)n;
	ck_get_int(ck, d, p, "backups", false, 0, 1000, 0, &n);
	dr->backups = (unsigned)n;
	dr->multiple_wins = ck_get_bool(ck, d, p, "multiple_wins", 0);
	dr->announce = ck_get_bool(ck, d, p, "announce", 0);
	parse_beacon(ck, d, p, dr);

	struct civil_time ct;
	bool has_time = false;
	if (ck_get_date(ck, d, p, "cutoff", true, &ct, &has_time) < 0 || ck->tz == NULL)
		return;
	if (!has_time) {
		/* A date alone: chances of that whole local day count. */
		ck_next_day(&ct.year, &ct.month, &ct.day);
		ct.hour = ct.minute = ct.second = 0;
	}
	dr->cutoff = tz_to_utc(ck->tz, ct.year, ct.month, ct.day, ct.hour, ct.minute, ct.second);
}

void
campaign_draws_parse(struct ck *ck, json_t *root, struct campaign *c)
{
	json_t *v = ck_get_list(ck, root, "$", "draws", false, 0, CAMPAIGN_MAX_DRAWS,
	                        "lottery draws, e.g. [{\"id\": \"grand-1405\", \"cutoff\": "
	                        "\"1405-01-13T23:00\", \"prize\": {...}, \"winners\": 3}]");
	if (v == NULL)
		return;
	c->ndraws = (unsigned)json_array_size(v);
	c->draws = xcalloc(c->ndraws + 1, sizeof(*c->draws));
	size_t i;
	json_t *d;
	json_array_foreach(v, i, d)
	{
		char p[PATH_BYTES];
		ck_path_idx(p, "$.draws", i);
		parse_draw(ck, d, p, &c->draws[i]);
		if (json_is_object(d))
			ck_dup_in_list(ck, v, i, "id", "$.draws", "draw id");
	}
}

void
campaign_draws_free(struct campaign *c)
{
	for (unsigned i = 0; i < c->ndraws; i++) {
		for (unsigned k = 0; k < c->draws[i].prize.n; k++)
			free(c->draws[i].prize.text[k]);
	}
	free(c->draws);
}

const struct campaign_draw *
campaign_draw_of(const struct campaign *c, const char *id)
{
	for (unsigned i = 0; i < c->ndraws; i++) {
		if (strcmp(c->draws[i].id, id) == 0)
			return &c->draws[i];
	}
	return NULL;
}
