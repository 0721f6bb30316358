/*
 * Integration: verifiable draws against the real private MariaDB — commit, freeze, run
 * and verify through src/game/lottery.c with the clock given, every refusal (unknown
 * draw, commit after the cut-off, commit twice, freeze or run before commit or before
 * the cut-off, run before freeze, a beacon the campaign does not name, entries changed
 * after the freeze, a sealed seed that no longer matches its commitment, re-running a
 * finished draw prints the stored result), winner notices queued once, and the audit
 * chain catching an edited row, a deleted row and deleted last rows.
 */
#include "check.h"
#include "core/buf.h"
#include "game/campaign.h"
#include "game/draw.h"
#include "game/lottery.h"
#include "store/db.h"
#include "store/draws.h"
#include "store/game.h"
#include "store/migrate.h"
#include "testdb.h"

#include <stdlib.h>
#include <time.h>

static const char *const langs[] = {"fa", "en"};

/* Cut-off 2030-01-01 00:00 in Tehran (2029-12-31T20:30:00Z); the clock is passed in. */
static const char campaign_json[] =
    "{\"id\": \"club\", \"name\": {\"fa\": \"باشگاه\", \"en\": \"Club\"},"
    " \"timezone\": \"Asia/Tehran\", \"starts\": \"2020-01-01\", \"ends\": \"2099-12-31\","
    " \"short_codes\": [\"3000\"],"
    " \"draws\": ["
    "  {\"id\": \"grand\", \"cutoff\": \"2029-12-31\", \"winners\": 3, \"backups\": 2,"
    "   \"prize\": {\"fa\": \"خودرو\", \"en\": \"A car\"}, \"announce\": true},"
    "  {\"id\": \"beaconed\", \"cutoff\": \"2030-01-01T03:00\", \"winners\": 1,"
    "   \"prize\": {\"fa\": \"سکه\", \"en\": \"A coin\"}, \"beacon\": {\"drand_round\": 9000000}}"
    " ]}";

static const time_t before_cutoff = 1893441600; /* 2029-12-31T20:00:00Z */
static const time_t after_cutoff = 1893459600;  /* 2030-01-01T01:00:00Z */

struct world {
	struct db_settings s;
	struct db_conn *conn;
	struct campaign *c;
};

/* Awards chances once per ref (ledger ref "<ref>:c"); 1 awarded, 0 already, -1. */
static int
award_chances(struct db_conn *conn, const struct game_scope *scope, long long sub, long long n,
              const char *ref)
{
	struct db_error err;
	struct game_award a;
	if (game_award(conn, scope, sub, 0, n, "test", ref, 0, 0, &a, &err) < 0) {
		fprintf(stderr, "game_award: %s\n", err.msg);
		return -1;
	}
	return a.chances == n ? 1 : 0;
}

static void
world_open(struct world *w, const char *tag)
{
	struct db_error err = {0};
	struct buf errors = BUF_INIT;
	testdb_create(tag, &w->s);
	w->conn = db_conn_new(&w->s);
	if (migrate_apply(w->conn, NULL, &err) < 0)
		fprintf(stderr, "migrate: %s\n", err.msg);
	w->c = campaign_parse(campaign_json, sizeof(campaign_json) - 1, "test", "UTC", langs, 2,
	                      &errors);
	if (w->c == NULL)
		fprintf(stderr, "campaign: %s", buf_cstr(&errors));
	else
		w->c->version = 1;
	buf_free(&errors);
	/* 20 members; member k has k chances in two ledger rows, member 20 opted out. */
	testdb_exec(w->conn,
	            "INSERT INTO subscribers (msisdn, lang, joined_at, created_at, updated_at)"
	            " SELECT CONCAT('+98912', LPAD(seq, 7, '0')), 'en', UTC_TIMESTAMP(6),"
	            " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_1_to_20");
	testdb_exec(w->conn,
	            "UPDATE subscribers SET opted_out_at = UTC_TIMESTAMP(6) WHERE id = 20");
	struct game_scope scope = {"club", 1};
	for (long long id = 1; id <= 20; id++) {
		char ref[64];
		snprintf(ref, sizeof(ref), "t:%lld:a", id);
		CHECK(award_chances(w->conn, &scope, id, 1, ref) == 1);
		if (id > 1) {
			snprintf(ref, sizeof(ref), "t:%lld:b", id);
			CHECK(award_chances(w->conn, &scope, id, id - 1, ref) == 1);
		}
	}
	/* Chances of another campaign, and chances after the cut-off: not entries. */
	struct game_scope other = {"other", 1};
	CHECK(award_chances(w->conn, &other, 1, 1000, "t:other") == 1);
	CHECK(award_chances(w->conn, &scope, 2, 1000, "t:late") == 1);
	testdb_exec(w->conn,
	            "UPDATE chances_ledger SET created_at = '2030-06-01' WHERE ref = 't:late:c'");
}

static void
world_close(struct world *w)
{
	campaign_free(w->c);
	db_conn_free(w->conn);
	testdb_drop(&w->s);
}

static void
ctx_at(struct lottery_ctx *ctx, struct world *w, time_t now)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->conn = w->conn;
	ctx->now = now;
	ctx->actor = "tester@test";
}

static void
test_full_draw_and_refusals(void)
{
	struct world w;
	struct lottery_ctx ctx;
	struct buf text = BUF_INIT, result = BUF_INIT, again = BUF_INIT, report = BUF_INIT;
	char commitment[65], hash[65];
	long long announced = 0;
	world_open(&w, "draws");
	CHECK(w.c != NULL && w.c->ndraws == 2);
	if (w.c == NULL)
		return;
	struct campaign *list[] = {w.c};

	ctx_at(&ctx, &w, before_cutoff);
	CHECK(lottery_commit(&ctx, list, 1, "nope", commitment, &announced) ==
	      LOTTERY_UNKNOWN_DRAW);
	CHECK_CONTAINS(ctx.why, "no running campaign has a draw \"nope\"");
	CHECK(lottery_freeze(&ctx, "grand", &text, hash) == LOTTERY_NOT_COMMITTED);
	CHECK_CONTAINS(ctx.why, "has not been committed");
	CHECK(lottery_run(&ctx, "grand", NULL, 0, &result) == LOTTERY_NOT_COMMITTED);

	ctx_at(&ctx, &w, after_cutoff);
	CHECK(lottery_commit(&ctx, list, 1, "grand", commitment, &announced) == LOTTERY_TOO_LATE);
	CHECK_CONTAINS(ctx.why, "2029-12-31T20:30:00Z) has passed");
	CHECK(testdb_value(w.conn, "SELECT COUNT(*) FROM draws") == 0);

	ctx_at(&ctx, &w, before_cutoff);
	CHECK(lottery_commit(&ctx, list, 1, "grand", commitment, &announced) == LOTTERY_OK);
	CHECK(strlen(commitment) == 64);
	CHECK(announced == 19); /* members with chances, not the one who opted out */
	CHECK(testdb_value(w.conn, "SELECT COUNT(*) FROM notifications WHERE template ="
	                           " 'draw_commitment' AND kind = 'promotional'") == 19);
	CHECK(lottery_commit(&ctx, list, 1, "grand", commitment, &announced) ==
	      LOTTERY_ALREADY_COMMITTED);
	CHECK_CONTAINS(ctx.why, "was committed already");
	CHECK(testdb_value(w.conn, "SELECT COUNT(*) FROM draw_seeds") == 1);

	CHECK(lottery_freeze(&ctx, "grand", &text, hash) == LOTTERY_TOO_EARLY);
	CHECK_CONTAINS(ctx.why, "chances still count until then");
	CHECK(lottery_run(&ctx, "grand", NULL, 0, &result) == LOTTERY_TOO_EARLY);

	ctx_at(&ctx, &w, after_cutoff);
	CHECK(lottery_run(&ctx, "grand", NULL, 0, &result) == LOTTERY_NOT_FROZEN);
	CHECK_CONTAINS(ctx.why, "gamigate draw freeze grand");

	CHECK(lottery_freeze(&ctx, "grand", &text, hash) == LOTTERY_OK);
	struct draw_export ex;
	char why[300];
	CHECK(draw_export_parse(text.data, text.len, &ex, why, sizeof(why)) == 0);
	CHECK(ex.n == 20 && ex.total == 210); /* 1 + 2 + ... + 20; no late or other chances */
	CHECK_CONTAINS(text.data, "gamigate-draw-export 1 grand 2029-12-31T20:30:00Z 20 210\n");
	CHECK_CONTAINS(text.data, "+98912***0007 7\n");
	draw_export_free(&ex);
	/* Freezing again gives the same export and hash, and changes nothing. */
	struct buf text2 = BUF_INIT;
	char hash2[65];
	CHECK(lottery_freeze(&ctx, "grand", &text2, hash2) == LOTTERY_OK);
	CHECK_STR(hash2, hash);
	CHECK(text2.len == text.len && memcmp(text2.data, text.data, text.len) == 0);
	buf_free(&text2);

	/* A beacon the campaign does not name is refused. */
	uint8_t beacon[4] = {1, 2, 3, 4};
	CHECK(lottery_run(&ctx, "grand", beacon, 4, &result) == LOTTERY_BEACON);
	/* Entries changed after the freeze: refused, nothing run. */
	testdb_exec(w.conn, "UPDATE chances_ledger SET delta = delta + 5 WHERE ref = 't:3:b:c'");
	CHECK(lottery_run(&ctx, "grand", NULL, 0, &result) == LOTTERY_ENTRIES_CHANGED);
	CHECK_CONTAINS(ctx.why, "entries before the cut-off were changed");
	testdb_exec(w.conn, "UPDATE chances_ledger SET delta = delta - 5 WHERE ref = 't:3:b:c'");
	/* A sealed seed that no longer matches its commitment. */
	testdb_exec(w.conn, "UPDATE draw_seeds SET seed = REPEAT('0', 64) WHERE draw_id = 'grand'");
	CHECK(lottery_run(&ctx, "grand", NULL, 0, &result) == LOTTERY_SEED_MISMATCH);
	CHECK_CONTAINS(ctx.why, "not to the published commitment");
	CHECK(testdb_value(w.conn, "SELECT COUNT(*) FROM draws WHERE status = 'frozen'") == 1);
	testdb_exec(w.conn, "DELETE FROM draw_seeds");
	CHECK(lottery_run(&ctx, "grand", NULL, 0, &result) == LOTTERY_SEED_MISMATCH);
	CHECK(testdb_value(w.conn, "SELECT COUNT(*) FROM draw_winners") == 0);
	world_close(&w);
	buf_free(&text);
	buf_free(&result);
	buf_free(&again);
	buf_free(&report);
}

static void
test_run_verify_and_audit(void)
{
	struct world w;
	struct lottery_ctx ctx;
	struct buf text = BUF_INIT, result = BUF_INIT, again = BUF_INIT, report = BUF_INIT;
	char commitment[65], hash[65], why[300];
	long long announced = 0;
	world_open(&w, "draws_run");
	if (w.c == NULL)
		return;
	struct campaign *list[] = {w.c};
	ctx_at(&ctx, &w, before_cutoff);
	CHECK(lottery_commit(&ctx, list, 1, "grand", commitment, &announced) == LOTTERY_OK);
	CHECK(lottery_commit(&ctx, list, 1, "beaconed", commitment, &announced) == LOTTERY_OK);
	ctx_at(&ctx, &w, after_cutoff);
	CHECK(lottery_freeze(&ctx, "grand", &text, hash) == LOTTERY_OK);
	CHECK(lottery_run(&ctx, "grand", NULL, 0, &result) == LOTTERY_OK);

	struct draw_result res;
	CHECK(draw_result_parse(result.data, result.len, &res, why, sizeof(why)) == 0);
	CHECK(res.npicks == 5);
	for (size_t i = 0; i < res.npicks; i++)
		for (size_t j = i + 1; j < res.npicks; j++)
			CHECK(strcmp(res.picks[i].pid, res.picks[j].pid) != 0);
	/* Anyone with the export and the revealed seed gets the same result, offline. */
	struct draw_export ex;
	struct draw_result offline;
	struct draw_params p = res.params;
	CHECK(draw_export_parse(text.data, text.len, &ex, why, sizeof(why)) == 0);
	sha256(text.data, text.len, p.export_hash);
	CHECK(draw_run(&ex, &p, &offline) == 0);
	CHECK(draw_result_compare(&offline, &res, &report) == 0);
	draw_result_free(&offline);
	draw_export_free(&ex);
	draw_result_free(&res);

	CHECK(testdb_value(w.conn, "SELECT COUNT(*) FROM draw_winners WHERE draw_id = 'grand'") ==
	      5);
	CHECK(testdb_value(w.conn,
	                   "SELECT COUNT(*) FROM notifications WHERE template = 'draw_winner'"
	                   " AND kind = 'transactional' AND ref LIKE 'draw:grand:winner:%'") == 3);
	CHECK(testdb_value(w.conn, "SELECT COUNT(*) FROM draws WHERE status = 'done'") == 1);

	/* Run again: refused, with the stored result. */
	CHECK(lottery_run(&ctx, "grand", NULL, 0, &again) == LOTTERY_ALREADY_DONE);
	CHECK(again.len == result.len && memcmp(again.data, result.data, result.len) == 0);
	CHECK_CONTAINS(ctx.why, "a draw runs once");
	CHECK(testdb_value(w.conn, "SELECT COUNT(*) FROM notifications WHERE template ="
	                           " 'draw_winner'") == 3);

	/* The beaconed draw needs its beacon. */
	buf_reset(&text);
	CHECK(lottery_freeze(&ctx, "beaconed", &text, hash) == LOTTERY_OK);
	buf_reset(&again);
	CHECK(lottery_run(&ctx, "beaconed", NULL, 0, &again) == LOTTERY_BEACON);
	CHECK_CONTAINS(ctx.why, "drand round 9000000");
	uint8_t beacon[32] = {7};
	CHECK(lottery_run(&ctx, "beaconed", beacon, 32, &again) == LOTTERY_OK);
	CHECK_CONTAINS(again.data, "beacon 0700000000");

	CHECK(lottery_verify(&ctx, "grand", &report) == LOTTERY_OK);
	CHECK(report.len == 0);
	/* A stored result that was edited afterwards does not verify. */
	testdb_exec(w.conn, "UPDATE draws SET result = REPLACE(result, 'winner 1 ', 'winner 9 ')"
	                    " WHERE draw_id = 'grand'");
	CHECK(lottery_verify(&ctx, "grand", &report) == LOTTERY_MISMATCH);
	CHECK_CONTAINS(buf_cstr(&report), "winner 1: recomputed");

	/* The audit chain: commit x2, notify (announcement) x2... then whole. */
	struct buf listing = BUF_INIT, problems = BUF_INIT;
	struct draws_audit_report rep;
	struct db_error err = {0};
	CHECK(draws_audit_check(w.conn, NULL, &listing, &problems, &rep, &err) == 0);
	CHECK(problems.len == 0);
	CHECK(rep.rows == 11); /* commit+notify, commit, freeze, run, notify, freeze, run,
	                          notify, verify, verify */
	CHECK_CONTAINS(buf_cstr(&listing), " run     grand by tester@test: seed=");
	printf("%s", buf_cstr(&listing));

	/* An edited row. */
	testdb_exec(w.conn,
	            "UPDATE draw_audit SET details = REPLACE(details, 'entries=20', 'entries=21')"
	            " WHERE action = 'freeze' AND draw_id = 'grand'");
	buf_reset(&listing);
	CHECK(draws_audit_check(w.conn, "grand", &listing, &problems, &rep, &err) == 0);
	CHECK_CONTAINS(buf_cstr(&problems), "its fields do not hash to its row_hash");
	CHECK(rep.broken == 1);
	/* A deleted row in the middle. */
	buf_reset(&problems);
	testdb_exec(w.conn, "DELETE FROM draw_audit WHERE action = 'freeze' AND draw_id = 'grand'");
	CHECK(draws_audit_check(w.conn, NULL, &listing, &problems, &rep, &err) == 0);
	CHECK_CONTAINS(buf_cstr(&problems), "it does not follow the row before");
	CHECK(rep.broken == 1);
	/* The last rows deleted. */
	buf_reset(&problems);
	testdb_exec(w.conn, "DELETE FROM draw_audit ORDER BY id DESC LIMIT 1");
	CHECK(draws_audit_check(w.conn, NULL, &listing, &problems, &rep, &err) == 0);
	CHECK_CONTAINS(buf_cstr(&problems), "rows at the end were deleted");

	buf_free(&listing);
	buf_free(&problems);
	world_close(&w);
	buf_free(&text);
	buf_free(&result);
	buf_free(&again);
	buf_free(&report);
}

static void
test_member_chances(void)
{
	struct world w;
	struct db_error err = {0};
	long long n = -1;
	world_open(&w, "draws_chances");
	CHECK(draws_member_chances(w.conn, 7, "club", 0, &n, &err) == 0 && n == 7);
	CHECK(draws_member_chances(w.conn, 2, "club", 0, &n, &err) == 0 && n == 1002);
	CHECK(draws_member_chances(w.conn, 2, "club", after_cutoff, &n, &err) == 0 && n == 2);
	CHECK(draws_member_chances(w.conn, 99, "club", 0, &n, &err) == 0 && n == 0);
	world_close(&w);
}

int
main(void)
{
	db_library_init();
	RUN(test_full_draw_and_refusals);
	RUN(test_run_verify_and_audit);
	RUN(test_member_chances);
	db_library_end();
	return check_summary();
}
