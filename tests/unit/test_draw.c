/*
 * test_draw — src/game/draw.c: the export file (write, parse, every refusal), the
 * selection (determinism bit for bit, a known answer shared with the Python reference
 * and docs/draws.md, without replacement, multiple wins, running out, chi-square of the
 * winning frequencies over many seeds), result files and tamper detection.
 */
#include "check.h"
#include "game/draw.h"

#include <math.h>
#include <stdlib.h>

static void
add_entry(struct draw_export *ex, const char *msisdn, const char *masked, uint64_t chances)
{
	ex->entries = realloc(ex->entries, (ex->n + 1) * sizeof(ex->entries[0]));
	struct draw_entry *e = &ex->entries[ex->n++];
	memset(e, 0, sizeof(*e));
	draw_pid(ex->draw_id, msisdn, e->pid);
	snprintf(e->masked, sizeof(e->masked), "%s", masked);
	e->chances = chances;
}

/* The worked example of docs/draws.md. */
static void
example_export(struct draw_export *ex)
{
	const char *why = NULL;
	memset(ex, 0, sizeof(*ex));
	snprintf(ex->draw_id, sizeof(ex->draw_id), "demo");
	snprintf(ex->cutoff, sizeof(ex->cutoff), "2026-04-02T20:30:00Z");
	add_entry(ex, "+989121110001", "+98912***0001", 1);
	add_entry(ex, "+989121110002", "+98912***0002", 2);
	add_entry(ex, "+989121110003", "+98912***0003", 3);
	add_entry(ex, "+989121110004", "+98912***0004", 4);
	CHECK(draw_export_finish(ex, &why) == 0);
}

static void
example_params(struct draw_params *p, const struct buf *text)
{
	memset(p, 0, sizeof(*p));
	for (unsigned i = 0; i < SHA256_BYTES; i++)
		p->seed[i] = (uint8_t)i; /* 000102...1f */
	sha256(text->data, text->len, p->export_hash);
	p->winners = 2;
	p->backups = 1;
}

static void
test_pid(void)
{
	char pid[DRAW_PID_LEN + 1];
	draw_pid("demo", "+989121110001", pid);
	CHECK(strlen(pid) == DRAW_PID_LEN);
	char other[DRAW_PID_LEN + 1];
	draw_pid("demo2", "+989121110001", other);
	CHECK(strcmp(pid, other) != 0); /* not linkable across draws */
	CHECK(draw_id_valid("grand-1405"));
	CHECK(!draw_id_valid(""));
	CHECK(!draw_id_valid("Grand"));
	CHECK(!draw_id_valid("a b"));
}

static void
test_export_round_trip(void)
{
	struct draw_export ex, back;
	struct buf text = BUF_INIT;
	char why[200];
	example_export(&ex);
	CHECK(ex.total == 10);
	draw_export_write(&ex, &text);
	CHECK(strncmp(text.data, "gamigate-draw-export 1 demo 2026-04-02T20:30:00Z 4 10\n", 54) ==
	      0);
	CHECK(draw_export_parse(text.data, text.len, &back, why, sizeof(why)) == 0);
	CHECK(back.n == 4 && back.total == 10);
	for (size_t i = 0; i < back.n && i < ex.n; i++) {
		CHECK_STR(back.entries[i].pid, ex.entries[i].pid);
		CHECK_STR(back.entries[i].masked, ex.entries[i].masked);
		CHECK(back.entries[i].chances == ex.entries[i].chances);
		if (i > 0)
			CHECK(strcmp(ex.entries[i - 1].pid, ex.entries[i].pid) < 0);
	}
	struct buf again = BUF_INIT;
	draw_export_write(&back, &again);
	CHECK(again.len == text.len && memcmp(again.data, text.data, text.len) == 0);
	buf_free(&again);
	buf_free(&text);
	draw_export_free(&back);
	free(ex.entries);
}

static void
test_export_refusals(void)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
	    {"", "empty"},
	    {"gamigate-draw-export 1 d 2026-04-02T20:30:00Z 0 0", "line 1: the last line"},
	    {"hello\n", "line 1: not a gamigate draw export"},
	    {"gamigate-draw-export 1 D 2026-04-02T20:30:00Z 0 0\n", "line 1: the header"},
	    {"gamigate-draw-export 1 d 2026-04-02 0 0\n", "line 1: the header"},
	    {"gamigate-draw-export 1 d 2026-04-02T20:30:00Z 1 0\n",
	     "says 1 entries but the file has 0"},
	    {"gamigate-draw-export 1 d 2026-04-02T20:30:00Z 1 1\r\n", "line 1: the header"},
	    {"gamigate-draw-export 1 d 2026-04-02T20:30:00Z 1 1\n0123456789abcdef +98912***0001 "
	     "1\r\n",
	     "line 2: chances"},
	    {"gamigate-draw-export 1 d 2026-04-02T20:30:00Z 1 1\n0123456789abcdeF +98912***0001 "
	     "1\n",
	     "line 2: the pseudonymous id"},
	    {"gamigate-draw-export 1 d 2026-04-02T20:30:00Z 1 1\n0123456789abcdef +98912-0001 1\n",
	     "line 2: the masked number"},
	    {"gamigate-draw-export 1 d 2026-04-02T20:30:00Z 1 1\n0123456789abcdef  +98912***0001 "
	     "1\n",
	     "line 2: an entry"},
	    {"gamigate-draw-export 1 d 2026-04-02T20:30:00Z 1 0\n0123456789abcdef +98912***0001 "
	     "0\n",
	     "line 2: chances"},
	    {"gamigate-draw-export 1 d 2026-04-02T20:30:00Z 1 1\n0123456789abcdef +98912***0001 "
	     "01\n",
	     "line 2: chances"},
	    {"gamigate-draw-export 1 d 2026-04-02T20:30:00Z 2 2\n1123456789abcdef +98912***0001 1\n"
	     "0123456789abcdef +98912***0002 1\n",
	     "line 3: pseudonymous ids must be unique and in ascending order"},
	    {"gamigate-draw-export 1 d 2026-04-02T20:30:00Z 2 2\n0123456789abcdef +98912***0001 1\n"
	     "0123456789abcdef +98912***0002 1\n",
	     "line 3: pseudonymous ids must be unique"},
	    {"gamigate-draw-export 1 d 2026-04-02T20:30:00Z 2 3\n0123456789abcdef +98912***0001 1\n"
	     "1123456789abcdef +98912***0002 1\n",
	     "says 3 chances but the entries add up to 2"},
	    {"gamigate-draw-export 1 d 2026-04-02T20:30:00Z 2 1\n0123456789abcdef +98912***0001 1\n"
	     "1123456789abcdef +98912***0002 1\n",
	     "line 3: the chances add up to more"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct draw_export ex;
		char why[300] = "";
		int rc =
		    draw_export_parse(cases[i].text, strlen(cases[i].text), &ex, why, sizeof(why));
		CHECK(rc < 0);
		CHECK_CONTAINS(why, cases[i].why);
		CHECK(ex.entries == NULL && ex.n == 0);
	}
	/* Found by fuzz_draw: a NUL inside the draw id passed for its end. */
	static const char nul_id[] =
	    "gamigate-draw-export 1 empt\0\0\0\4y 2026-04-02T20:30:00Z 0 0\n";
	struct draw_export ex;
	char why[300] = "";
	CHECK(draw_export_parse(nul_id, sizeof(nul_id) - 1, &ex, why, sizeof(why)) < 0);
	CHECK_CONTAINS(why, "line 1: the header");
}

/* Found by fuzz_draw: a NUL in a result's header value ("no\0\0\0o") read as "no". */
static void
test_result_refuses_nul(void)
{
	static const char text[] =
	    "gamigate-draw-result 1\ndraw demo\nexport-sha256 "
	    "29446a9bc4df3a222012be9c38cc7b0daca4c752f195a4f1185bb606d3ec92b3\nseed "
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\nseed-sha256 "
	    "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd\nbeacon none\n"
	    "winners 0\nbackups 1\nmultiple-wins no\0\0\0o\n";
	struct draw_result r;
	char why[300] = "";
	CHECK(draw_result_parse(text, sizeof(text) - 1, &r, why, sizeof(why)) < 0);
	CHECK_CONTAINS(why, "line 9: expected \"multiple-wins VALUE\"");
	/* Upper-case hex is not the canonical form. */
	char upper[sizeof(text)];
	memcpy(upper, text, sizeof(text));
	memcpy(strstr(upper, "multiple-wins no") + 16, "\n", 2);
	char *seed = strstr(upper, "\nseed 00") + 6;
	seed[19] = 'A'; /* "0a" -> "0A" */
	CHECK(draw_result_parse(upper, strlen(upper), &r, why, sizeof(why)) < 0);
	CHECK_CONTAINS(why, "line 4:");
}

/* The known answer: the same as tests/e2e/draw_reference.py gives, and as docs/draws.md
 * shows step by step. */
static void
test_known_answer(void)
{
	struct draw_export ex;
	struct draw_params p;
	struct draw_result res;
	struct buf text = BUF_INIT, out = BUF_INIT;
	example_export(&ex);
	draw_export_write(&ex, &text);
	example_params(&p, &text);
	CHECK(draw_run(&ex, &p, &res) == 0);
	CHECK(res.npicks == 3);
	draw_result_write(&res, &out);
	printf("%s%s", buf_cstr(&text), buf_cstr(&out));
	CHECK_CONTAINS(buf_cstr(&text), "738e2b5052f7c1fc +98912***0004 4\n");
	CHECK_CONTAINS(buf_cstr(&out),
	               "export-sha256 "
	               "29446a9bc4df3a222012be9c38cc7b0daca4c752f195a4f1185bb606d3ec92b3\n");
	CHECK_CONTAINS(buf_cstr(&out), "winner 1 738e2b5052f7c1fc +98912***0004\n"
	                               "winner 2 9047bd4720876188 +98912***0001\n"
	                               "backup 1 20674ac77536a67a +98912***0003\n");
	/* Winners are distinct members. */
	CHECK(res.picks[0].index != res.picks[1].index);
	CHECK(res.picks[1].index != res.picks[2].index);
	CHECK(res.picks[0].index != res.picks[2].index);
	CHECK(!res.picks[0].backup && !res.picks[1].backup && res.picks[2].backup);
	CHECK(res.picks[2].rank == 1);
	draw_result_free(&res);
	buf_free(&text);
	buf_free(&out);
	free(ex.entries);
}

static void
test_deterministic(void)
{
	uint64_t chances[1000];
	for (size_t i = 0; i < 1000; i++)
		chances[i] = 1 + (i * 7919) % 97;
	struct draw_params p;
	memset(&p, 0, sizeof(p));
	memset(p.seed, 0xab, sizeof(p.seed));
	memset(p.export_hash, 0x11, sizeof(p.export_hash));
	p.winners = 50;
	p.backups = 10;
	size_t a[60], b[60], na = 0, nb = 0;
	CHECK(draw_select(chances, 1000, &p, a, &na) == 0);
	CHECK(draw_select(chances, 1000, &p, b, &nb) == 0);
	CHECK(na == 60 && nb == 60 && memcmp(a, b, sizeof(a)) == 0);
	for (size_t i = 0; i < 60; i++)
		for (size_t j = i + 1; j < 60; j++)
			CHECK(a[i] != a[j]);
	/* Any input bit changes the outcome. */
	p.beacon[0] = 1;
	p.beacon_len = 1;
	CHECK(draw_select(chances, 1000, &p, b, &nb) == 0);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	p.beacon_len = 0;
	p.export_hash[31] ^= 1;
	CHECK(draw_select(chances, 1000, &p, b, &nb) == 0);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
}

static void
test_multiple_wins_and_running_out(void)
{
	uint64_t chances[3] = {0, 5, 0};
	struct draw_params p;
	size_t picks[10], n = 0;
	memset(&p, 0, sizeof(p));
	p.winners = 3;
	p.backups = 2;
	CHECK(draw_select(chances, 3, &p, picks, &n) == 0);
	CHECK(n == 1 && picks[0] == 1); /* once only, then nobody is left */
	p.multiple_wins = 1;
	CHECK(draw_select(chances, 3, &p, picks, &n) == 0);
	CHECK(n == 5);
	for (size_t i = 0; i < n; i++)
		CHECK(picks[i] == 1);
	p.winners = 7; /* only 5 chances: each win uses one */
	CHECK(draw_select(chances, 3, &p, picks, &n) == 0);
	CHECK(n == 5);
	CHECK(draw_select(chances, 0, &p, picks, &n) == 0);
	CHECK(n == 0);
	p.winners = DRAW_PICKS_MAX;
	CHECK(draw_select(chances, 3, &p, picks, &n) < 0);
}

/* Chi-square of winning frequencies against the chances over many seeds: the first
 * pick is j with probability w_j / W; the second (without replacement) with
 * sum over i != j of (w_i / W) (w_j / (W - w_i)). Seeds are SHA-256(i), so the test is
 * deterministic; the bound is the 0.999 quantile (df 5: 20.52). */
static void
test_chi_square(void)
{
	enum { N = 6, SEEDS = 30000 };
	const uint64_t w[N] = {1, 2, 3, 5, 8, 21};
	double total = 0, first[N] = {0}, second[N] = {0};
	unsigned long c1[N] = {0}, c2[N] = {0};
	for (unsigned j = 0; j < N; j++)
		total += (double)w[j];
	for (unsigned j = 0; j < N; j++) {
		first[j] = (double)w[j] / total;
		for (unsigned i = 0; i < N; i++)
			if (i != j)
				second[j] +=
				    (double)w[i] / total * ((double)w[j] / (total - (double)w[i]));
	}
	struct draw_params p;
	memset(&p, 0, sizeof(p));
	p.winners = 2;
	for (uint32_t s = 0; s < SEEDS; s++) {
		size_t picks[2], n = 0;
		sha256(&s, sizeof(s), p.seed);
		CHECK(draw_select(w, N, &p, picks, &n) == 0 && n == 2);
		c1[picks[0]]++;
		c2[picks[1]]++;
	}
	double chi1 = 0, chi2 = 0;
	for (unsigned j = 0; j < N; j++) {
		double e1 = first[j] * SEEDS, e2 = second[j] * SEEDS;
		chi1 += ((double)c1[j] - e1) * ((double)c1[j] - e1) / e1;
		chi2 += ((double)c2[j] - e2) * ((double)c2[j] - e2) / e2;
	}
	printf("chi-square over %d seeds: first pick %.2f, second pick %.2f (bound 20.52)\n", SEEDS,
	       chi1, chi2);
	CHECK(chi1 < 20.52);
	CHECK(chi2 < 20.52);
	/* And a biased selection is caught: all winners always the heaviest fails. */
	double bad = 0;
	for (unsigned j = 0; j < N; j++) {
		double e = first[j] * SEEDS, o = j == N - 1 ? SEEDS : 0;
		bad += (o - e) * (o - e) / e;
	}
	CHECK(bad > 20.52);
}

static void
test_result_round_trip_and_tamper(void)
{
	struct draw_export ex, parsed;
	struct draw_params p;
	struct draw_result res, back, again;
	struct buf text = BUF_INIT, out = BUF_INIT, report = BUF_INIT;
	char why[300];
	example_export(&ex);
	draw_export_write(&ex, &text);
	example_params(&p, &text);
	CHECK(draw_run(&ex, &p, &res) == 0);
	draw_result_write(&res, &out);
	CHECK(draw_result_parse(out.data, out.len, &back, why, sizeof(why)) == 0);
	CHECK(draw_result_compare(&res, &back, &report) == 0);
	CHECK(report.len == 0);

	/* A tampered export: one more chance for the last member. Its hash differs, and so
	 * (here) do the winners. */
	struct buf bad = BUF_INIT;
	ex.entries[3].chances = 40;
	CHECK(draw_export_finish(&ex, &(const char *){NULL}) == 0);
	draw_export_write(&ex, &bad);
	CHECK(draw_export_parse(bad.data, bad.len, &parsed, why, sizeof(why)) == 0);
	sha256(bad.data, bad.len, p.export_hash);
	CHECK(draw_run(&parsed, &p, &again) == 0);
	CHECK(draw_result_compare(&again, &back, &report) < 0);
	CHECK_CONTAINS(buf_cstr(&report), "export-sha256: the export file hashes to");
	draw_result_free(&again);
	draw_export_free(&parsed);

	/* A wrong seed. */
	buf_reset(&report);
	sha256(text.data, text.len, p.export_hash);
	p.seed[0] ^= 0x80;
	ex.entries[3].chances = 4;
	CHECK(draw_export_finish(&ex, &(const char *){NULL}) == 0);
	CHECK(draw_run(&ex, &p, &again) == 0);
	CHECK(draw_result_compare(&again, &back, &report) < 0);
	CHECK_CONTAINS(buf_cstr(&report), "seed: given 80");
	draw_result_free(&again);

	/* An edited result: the seed line no longer matches its commitment. */
	char *edit = strdup(out.data);
	char *line = strstr(edit, "\nseed ");
	line[7] = line[7] == '0' ? '1' : '0';
	CHECK(draw_result_parse(edit, strlen(edit), &again, why, sizeof(why)) < 0);
	CHECK_CONTAINS(why, "line 5: seed-sha256 is not the SHA-256 of the seed");
	free(edit);
	/* A swapped winner. */
	edit = strdup(out.data);
	line = strstr(edit, "winner 2 ");
	line[9] = line[9] == 'f' ? '0' : 'f';
	CHECK(draw_result_parse(edit, strlen(edit), &again, why, sizeof(why)) == 0);
	buf_reset(&report);
	CHECK(draw_result_compare(&res, &again, &report) < 0);
	CHECK_CONTAINS(buf_cstr(&report), "winner 2: recomputed");
	draw_result_free(&again);
	free(edit);

	draw_result_free(&back);
	draw_result_free(&res);
	buf_free(&bad);
	buf_free(&text);
	buf_free(&out);
	buf_free(&report);
	free(ex.entries);
}

/* draw_export_finish sorts by pid (a radix sort over the pids' values): 5000 members in
 * any order come out in ascending byte order, each once, their chances with them. */
static void
test_finish_sorts(void)
{
	struct draw_export ex;
	const char *why = NULL;
	memset(&ex, 0, sizeof(ex));
	snprintf(ex.draw_id, sizeof(ex.draw_id), "sort");
	for (unsigned i = 0; i < 5000; i++) {
		char msisdn[20];
		snprintf(msisdn, sizeof(msisdn), "+98912%07u", i * 7919 % 10000000);
		add_entry(&ex, msisdn, "*", 1 + i % 7);
	}
	CHECK(draw_export_finish(&ex, &why) == 0);
	uint64_t total = 0;
	for (size_t i = 0; i < ex.n; i++) {
		total += ex.entries[i].chances;
		if (i > 0)
			CHECK(strcmp(ex.entries[i - 1].pid, ex.entries[i].pid) < 0);
	}
	CHECK(ex.n == 5000 && ex.total == total);
	/* A pid twice is refused. */
	ex.entries[1] = ex.entries[0];
	CHECK(draw_export_finish(&ex, &why) < 0);
	CHECK_CONTAINS(why, "the same pseudonymous id");
	free(ex.entries);
}

static void
test_big_is_fast_enough(void)
{
	/* 200,000 members, 100 picks: the Fenwick tree keeps this to milliseconds. */
	size_t n = 200000;
	uint64_t *w = malloc(n * sizeof(uint64_t));
	for (size_t i = 0; i < n; i++)
		w[i] = 1 + i % 9;
	struct draw_params p;
	memset(&p, 0, sizeof(p));
	p.winners = 90;
	p.backups = 10;
	size_t picks[100], np = 0;
	CHECK(draw_select(w, n, &p, picks, &np) == 0 && np == 100);
	free(w);
}

int
main(void)
{
	RUN(test_pid);
	RUN(test_export_round_trip);
	RUN(test_export_refusals);
	RUN(test_result_refuses_nul);
	RUN(test_known_answer);
	RUN(test_deterministic);
	RUN(test_multiple_wins_and_running_out);
	RUN(test_chi_square);
	RUN(test_result_round_trip_and_tamper);
	RUN(test_finish_sorts);
	RUN(test_big_is_fast_enough);
	return check_summary();
}
