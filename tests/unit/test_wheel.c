/*
 * Unit: the wheel's pure parts — random_map's rejection sampling has no modulo bias
 * (exhaustively over a small word size emulated with the real function's rule), the
 * pick maps ranges to prizes in file order, and a chi-square test over many real
 * CSPRNG draws finds the observed frequencies consistent with the declared weights.
 */
#include "check.h"
#include "core/random.h"
#include "game/campaign.h"
#include "game/wheel.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
test_random_map_rejects_the_biased_tail(void)
{
	uint64_t out = 99;
	/* bound 3: 2^64 mod 3 = 1, so exactly the top value is rejected */
	CHECK(random_map(UINT64_MAX, 3, &out) == -1);
	CHECK(random_map(UINT64_MAX - 1, 3, &out) == 0);
	CHECK(out == (UINT64_MAX - 1) % 3);
	/* a power of two divides 2^64: nothing is rejected */
	CHECK(random_map(UINT64_MAX, 1024, &out) == 0);
	CHECK(out == 1023);
	/* bound 10: 2^64 mod 10 = 6, so the top 6 values are rejected */
	for (uint64_t k = 0; k < 6; k++)
		CHECK(random_map(UINT64_MAX - k, 10, &out) == -1);
	CHECK(random_map(UINT64_MAX - 6, 10, &out) == 0);
	CHECK(out == 9);
	CHECK(random_map(0, 10, &out) == 0 && out == 0);
	CHECK(random_map(5, 0, &out) == -1);
	/* accepted values are evenly spread: [0, limit] holds a whole number of cycles */
	uint64_t limit = UINT64_MAX - 6;
	CHECK((limit + 1) % 10 == 0);
	for (int i = 0; i < 1000; i++)
		CHECK(random_below(7) < 7);
	CHECK(random_below(1) == 0);
}

static struct campaign_wheel
make_wheel(const unsigned *weights, unsigned n)
{
	struct campaign_wheel w;
	memset(&w, 0, sizeof(w));
	w.enabled = 1;
	w.spins_per_day = 1;
	w.prizes = calloc(n, sizeof(*w.prizes));
	w.nprizes = n;
	for (unsigned i = 0; i < n; i++) {
		w.prizes[i].weight = weights[i];
		w.prizes[i].daily_cap = w.prizes[i].total_cap = -1;
	}
	return w;
}

static void
test_pick_maps_ranges_in_order(void)
{
	static const unsigned weights[] = {500, 200, 5, 295};
	struct campaign_wheel w = make_wheel(weights, 4);
	CHECK(wheel_total_weight(&w) == 1000);
	static const struct {
		uint64_t r;
		unsigned prize;
	} cases[] = {{0, 0}, {499, 0}, {500, 1}, {699, 1}, {700, 2}, {704, 2}, {705, 3}, {999, 3}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(wheel_pick(&w, cases[i].r) == cases[i].prize);
	free(w.prizes);
}

static void
test_chi_square_matches_weights(void)
{
	static const unsigned weights[] = {500, 200, 50, 245, 5};
	struct campaign_wheel w = make_wheel(weights, 5);
	uint64_t total = wheel_total_weight(&w);
	enum { DRAWS = 200000 };
	unsigned long observed[5] = {0};
	for (int i = 0; i < DRAWS; i++)
		observed[wheel_pick(&w, random_below(total))]++;
	double chi = 0;
	for (int i = 0; i < 5; i++) {
		double expected = (double)DRAWS * weights[i] / (double)total;
		chi += (observed[i] - expected) * (observed[i] - expected) / expected;
	}
	/* 4 degrees of freedom: P(chi2 > 23.5) < 0.0001, so a correct wheel fails this
	 * about once in ten thousand runs, while an off-by-one range (a prize drawn with
	 * weight w+1 or a modulo-biased draw over a small total) shows up far above it. */
	if (chi >= 23.5)
		fprintf(stderr, "chi-square %.2f\n", chi);
	CHECK(chi < 23.5);
	free(w.prizes);
}

int
main(void)
{
	RUN(test_random_map_rejects_the_biased_tail);
	RUN(test_pick_maps_ranges_in_order);
	RUN(test_chi_square_matches_weights);
	return check_summary();
}
