/*
 * libFuzzer target: campaign_parse on any bytes (the sample campaign and broken variants
 * seed it). It must never crash, leak or read out of bounds; when it accepts a file,
 * what it filled in must hold together (the fallback is a prize without caps, answers
 * name a choice, the window is not empty, every text has the required languages) and
 * the summary line must be printable. When it refuses one, it says why.
 */
#include "game/campaign.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const langs[] = {"fa", "en"};

static void
check_text(const struct campaign_text *t)
{
	if (t->n < 2 || strcmp(t->lang[0], "fa") != 0 || strcmp(t->lang[1], "en") != 0 ||
	    campaign_text(t, "en") == NULL || campaign_text(t, "en")[0] == '\0')
		abort();
}

static void
check_campaign(const struct campaign *c)
{
	if (c->starts >= c->ends || c->nshort_codes == 0 || c->id[0] == '\0')
		abort();
	check_text(&c->name);
	if (c->wheel.enabled) {
		const struct campaign_prize *fb;
		if (c->wheel.nprizes < 2 || c->wheel.fallback >= c->wheel.nprizes)
			abort();
		fb = &c->wheel.prizes[c->wheel.fallback];
		if (fb->daily_cap != -1 || fb->total_cap != -1)
			abort();
		for (unsigned i = 0; i < c->wheel.nprizes; i++) {
			if (c->wheel.prizes[i].weight == 0)
				abort();
			check_text(&c->wheel.prizes[i].name);
		}
	}
	for (unsigned i = 0; i < c->nmissions; i++) {
		const struct campaign_mission *m = &c->missions[i];
		for (unsigned q = 0; q < m->nquestions; q++) {
			if (m->questions[q].answer < 1 ||
			    m->questions[q].answer > m->questions[q].nchoices)
				abort();
			check_text(&m->questions[q].text);
		}
	}
	for (unsigned i = 1; i < c->ntiers; i++) {
		if (c->tiers[i].min_points <= c->tiers[i - 1].min_points)
			abort();
	}
	struct buf line = BUF_INIT;
	campaign_summary(c, &line);
	if (line.len == 0)
		abort();
	buf_free(&line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf errors = BUF_INIT;
	/* A copy of exactly size bytes, so that reading past the end is caught. */
	char *text = malloc(size != 0 ? size : 1);
	if (size != 0)
		memcpy(text, data, size);
	struct campaign *c =
	    campaign_parse(text, size, "fuzz.json", "Asia/Tehran", langs, 2, &errors);
	if (c != NULL) {
		if (errors.len != 0)
			abort();
		check_campaign(c);
		campaign_free(c);
	} else if (errors.len == 0) {
		abort();
	}
	buf_free(&errors);
	free(text);
	return 0;
}
