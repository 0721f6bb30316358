/*
 * test_campaign_draws — the "draws" section of campaign files (src/game/campaign_draws.c):
 * the sample's draw, cut-offs in Jalali and Gregorian with and without a time, defaults,
 * and every mistake reported with its JSON path.
 */
#include "check.h"
#include "core/buf.h"
#include "game/campaign.h"

#include <stdlib.h>

static const char *const langs[] = {"fa", "en"};

static struct campaign *
parse_with_draws(const char *draws, struct buf *errors)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	fprintf(f,
	        "{\"id\": \"club\", \"name\": {\"fa\": \"باشگاه\", \"en\": \"Club\"},"
	        " \"timezone\": \"Asia/Tehran\", \"starts\": \"1405-01-01\", \"ends\": "
	        "\"1405-01-13\", \"short_codes\": [\"3000\"], \"draws\": %s}",
	        draws);
	fclose(f);
	struct campaign *c = campaign_parse(text, n, "t.json", "Asia/Tehran", langs, 2, errors);
	free(text);
	return c;
}

static void
test_sample_draw(void)
{
	struct buf errors = BUF_INIT;
	struct campaign *c =
	    campaign_parse_file(GAMIGATE_CAMPAIGN_SAMPLE, "UTC", langs, 2, &errors);
	CHECK_STR(buf_cstr(&errors), "");
	CHECK(c != NULL && c->ndraws == 1);
	if (c != NULL && c->ndraws == 1) {
		const struct campaign_draw *d = campaign_draw_of(c, "nowruz-grand");
		CHECK(d != NULL);
		CHECK(d->cutoff == 1775154600); /* 1405-01-13 22:00 Tehran = 2026-04-02T18:30Z */
		CHECK(d->winners == 3 && d->backups == 3 && !d->multiple_wins);
		CHECK(d->beacon_round == 27450512 && d->announce);
		CHECK_STR(campaign_text(&d->prize, "en"), "A brand-new car");
		CHECK(campaign_draw_of(c, "nope") == NULL);
	}
	campaign_free(c);
	buf_free(&errors);
}

static void
test_cutoffs_and_defaults(void)
{
	struct buf errors = BUF_INIT;
	struct campaign *c = parse_with_draws(
	    "[{\"id\": \"a-date\", \"cutoff\": \"1405-01-13\", \"prize\": {\"fa\": \"x\", \"en\": "
	    "\"x\"}, \"winners\": 1},"
	    " {\"id\": \"gregorian\", \"cutoff\": \"2026-04-02T22:00\", \"prize\": {\"fa\": \"x\","
	    " \"en\": \"x\"}, \"winners\": 2, \"backups\": 1, \"multiple_wins\": true}]",
	    &errors);
	CHECK_STR(buf_cstr(&errors), "");
	CHECK(c != NULL && c->ndraws == 2);
	if (c != NULL && c->ndraws == 2) {
		/* A date alone: the whole local day, up to midnight Tehran (20:30Z). */
		CHECK(c->draws[0].cutoff == 1775161800);
		CHECK(c->draws[0].backups == 0 && !c->draws[0].multiple_wins);
		CHECK(c->draws[0].beacon_round == 0 && !c->draws[0].announce);
		CHECK(c->draws[1].cutoff == 1775154600);
		CHECK(c->draws[1].multiple_wins && c->draws[1].backups == 1);
	}
	campaign_free(c);
	buf_free(&errors);
}

static void
test_mistakes_have_paths(void)
{
	static const struct {
		const char *draws, *want;
	} cases[] = {
	    {"{}", "t.json: $.draws: "},
	    {"[1]", "$.draws[0]: must be a draw"},
	    {"[{\"id\": \"x\", \"cutoff\": \"1405-01-13\", \"prize\": {\"fa\": \"x\", \"en\": "
	     "\"x\"},"
	     " \"winners\": 1}]",
	     "$.draws[0].id"},
	    {"[{\"id\": \"abc\", \"prize\": {\"fa\": \"x\", \"en\": \"x\"}, \"winners\": 1}]",
	     "$.draws[0].cutoff"},
	    {"[{\"id\": \"abc\", \"cutoff\": \"1405-13-40\", \"prize\": {\"fa\": \"x\", \"en\": "
	     "\"x\"}, \"winners\": 1}]",
	     "$.draws[0].cutoff: not a date"},
	    {"[{\"id\": \"abc\", \"cutoff\": \"1405-01-13\", \"winners\": 1}]", "$.draws[0].prize"},
	    {"[{\"id\": \"abc\", \"cutoff\": \"1405-01-13\", \"prize\": {\"fa\": \"x\", \"en\": "
	     "\"x\"}, \"winners\": 0}]",
	     "$.draws[0].winners"},
	    {"[{\"id\": \"abc\", \"cutoff\": \"1405-01-13\", \"prize\": {\"fa\": \"x\", \"en\": "
	     "\"x\"}, \"winners\": 1, \"backups\": -1}]",
	     "$.draws[0].backups"},
	    {"[{\"id\": \"abc\", \"cutoff\": \"1405-01-13\", \"prize\": {\"fa\": \"x\", \"en\": "
	     "\"x\"}, \"winners\": 1, \"beacon\": 5}]",
	     "$.draws[0].beacon: must be {\"drand_round\": N}"},
	    {"[{\"id\": \"abc\", \"cutoff\": \"1405-01-13\", \"prize\": {\"fa\": \"x\", \"en\": "
	     "\"x\"}, \"winners\": 1, \"beacon\": {\"drand_rnd\": 5}}]",
	     "$.draws[0].beacon.drand_rnd"},
	    {"[{\"id\": \"abc\", \"cutoff\": \"1405-01-13\", \"prize\": {\"fa\": \"x\", \"en\": "
	     "\"x\"}, \"winners\": 1, \"multiple_win\": true}]",
	     "$.draws[0].multiple_win"},
	    {"[{\"id\": \"abc\", \"cutoff\": \"1405-01-13\", \"prize\": {\"fa\": \"x\", \"en\": "
	     "\"x\"}, \"winners\": 1}, {\"id\": \"abc\", \"cutoff\": \"1405-01-13\", \"prize\": "
	     "{\"fa\": \"x\", \"en\": \"x\"}, \"winners\": 1}]",
	     "$.draws[1].id"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf errors = BUF_INIT;
		struct campaign *c = parse_with_draws(cases[i].draws, &errors);
		CHECK(c == NULL);
		CHECK_CONTAINS(buf_cstr(&errors), cases[i].want);
		campaign_free(c);
		buf_free(&errors);
	}
}

int
main(void)
{
	RUN(test_sample_draw);
	RUN(test_cutoffs_and_defaults);
	RUN(test_mistakes_have_paths);
	return check_summary();
}
