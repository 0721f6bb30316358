/*
 * cli_draw — the draw subcommands: the database ones wrap src/game/lottery.c, writing
 * the export and result files; `draw verify --export` recomputes a result offline with
 * src/game/draw.c alone. Exit status: 0 ok, 1 the work failed (database, files, or a
 * verification that does not match), 2 wrong arguments or a refusal (nothing changed).
 *
 * Main thread only.
 */
#include "cli/cli_draw.h"
#include "core/buf.h"
#include "core/sha256.h"
#include "core/xalloc.h"
#include "game/draw.h"
#include "game/expiry.h"
#include "game/lottery.h"
#include "store/draws.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage_draw[] =
    "usage: gamigate [-c FILE] [--set K=V]... draw COMMAND [ARGS]\n"
    "\n"
    "Lottery draws that anyone can verify (docs/draws.md). A draw is defined in its\n"
    "campaign's \"draws\" section; the steps are:\n"
    "\n"
    "  commit DRAW             before the cut-off: seal a random seed, publish its SHA-256\n"
    "  freeze DRAW [--out F]   after the cut-off: write the export file, publish its hash\n"
    "  run DRAW [--beacon HEX] [--out F]   reveal the seed, draw and notify the winners\n"
    "  verify ...              recompute a result: offline from the files, or DRAW from\n"
    "                          the database\n"
    "  audit [DRAW]            check the hash chain of every draw action; list them\n"
    "  status [DRAW]           the draws and where each stands\n"
    "\n"
    "`gamigate draw COMMAND --help` tells more about each.\n";

static const char usage_commit[] =
    "usage: gamigate [-c FILE] [--set K=V]... draw commit DRAW\n"
    "\n"
    "Creates the draw from its definition in a running campaign (cut-off, winners,\n"
    "backups, multiple wins, beacon round), makes a 256-bit seed with getrandom(), stores\n"
    "it sealed and prints SHA-256(seed), the commitment to publish now: after the run\n"
    "anyone can check that the revealed seed is the committed one. When the draw says\n"
    "\"announce\": true, every member with chances who has not opted out gets an SMS with\n"
    "the commitment (notification \"draw_commitment\").\n"
    "\n"
    "Refused (exit 2, nothing changed) after the cut-off, for a draw no running campaign\n"
    "defines, and for a draw already committed: a draw's seed never changes.\n";

static const char usage_freeze[] =
    "usage: gamigate [-c FILE] [--set K=V]... draw freeze DRAW [--out FILE]\n"
    "\n"
    "After the cut-off: turns the chances of the draw's campaign created before the\n"
    "cut-off into the canonical export file (one line per member: pseudonymous id, masked\n"
    "number, chances; docs/draws.md), writes it to FILE (default DRAW.export.txt; an\n"
    "existing file is replaced) and records and prints its SHA-256, which is published\n"
    "before the seed is revealed. Freezing a frozen draw writes the export again and\n"
    "checks that the ledger still gives the same hash.\n"
    "\n"
    "Refused (exit 2) before the cut-off, before commit, and when the ledger no longer\n"
    "gives the frozen export.\n";

static const char usage_run[] =
    "usage: gamigate [-c FILE] [--set K=V]... draw run DRAW [--beacon HEX] [--out FILE]\n"
    "\n"
    "Reveals the sealed seed and draws the winners and backups as the deterministic\n"
    "function of (seed, beacon, export hash) in docs/draws.md; stores the result, writes\n"
    "the result file to FILE (default DRAW.result.txt) and prints it, and queues one\n"
    "\"draw_winner\" notice per winner. --beacon is the randomness (hex) of the drand\n"
    "round the campaign names; it is required then and refused otherwise.\n"
    "\n"
    "Refused (exit 2): before commit, before freeze, when the entries changed since the\n"
    "freeze, when the sealed seed does not match its commitment, and for a draw already\n"
    "run (its stored result is printed).\n";

static const char usage_verify[] =
    "usage: gamigate draw verify --export FILE --seed HEX --winners N [--backups M]\n"
    "                            [--multiple-wins] [--beacon HEX] [--commitment HEX]\n"
    "                            [--export-sha256 HEX] [--result FILE]\n"
    "       gamigate draw verify --export FILE --result FILE\n"
    "       gamigate [-c FILE] [--set K=V]... draw verify DRAW\n"
    "\n"
    "Offline (no configuration, no database): recomputes the winners from the export\n"
    "file and the revealed seed and prints the result file it gives. With --result it\n"
    "compares that with the published result and names every difference; the seed,\n"
    "beacon and counts then default to the result file's. --commitment checks that\n"
    "SHA-256(seed) is the commitment published before the draw, --export-sha256 that the\n"
    "export file is the published one.\n"
    "\n"
    "With DRAW: recomputes a finished draw from the database (the ledger and the revealed\n"
    "seed), compares it with the stored result and records the check in the audit trail.\n"
    "\n"
    "Exit status: 0 it matches, 1 it does not (every difference is printed), 2 wrong\n"
    "arguments or unreadable files.\n";

static const char usage_audit[] =
    "usage: gamigate [-c FILE] [--set K=V]... draw audit [DRAW]\n"
    "\n"
    "Walks the audit trail of every draw action (commit, freeze, run, verify, notify),\n"
    "recomputing each row's hash from its fields and the previous row's hash, and lists\n"
    "the rows (of DRAW only, when given). An edited or deleted row breaks the chain and\n"
    "is named. Prints the hash the chain ends with: publish it to pin the trail.\n"
    "\n"
    "Exit status: 0 the chain is whole, 1 it is broken or the database failed.\n";

static const char usage_status[] =
    "usage: gamigate [-c FILE] [--set K=V]... draw status [DRAW]\n"
    "\n"
    "Lists the draws (or one) with their campaign, cut-off, status, commitment, export\n"
    "hash and totals, and the result's hash once run. Never shows a sealed seed.\n";

const char *
cli_draw_usage(const struct cli *cli)
{
	const char *w = cli->nwords > 1 ? cli->words[1] : "";
	if (strcmp(w, "commit") == 0)
		return usage_commit;
	if (strcmp(w, "freeze") == 0)
		return usage_freeze;
	if (strcmp(w, "run") == 0)
		return usage_run;
	if (strcmp(w, "verify") == 0)
		return usage_verify;
	if (strcmp(w, "audit") == 0)
		return usage_audit;
	if (strcmp(w, "status") == 0)
		return usage_status;
	return usage_draw;
}

static void
actor(char *out, size_t n)
{
	char host[128] = "";
	const char *user = getenv("USER");
	gethostname(host, sizeof(host) - 1);
	snprintf(out, n, "%s@%s", user != NULL && user[0] != '\0' ? user : "unknown",
	         host[0] != '\0' ? host : "localhost");
}

/* Reads a whole file (at most max bytes) into out. 0 ok, -1 with a message printed. */
static int
read_file(const char *what, const char *path, size_t max, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "gamigate draw verify: %s %s: cannot open: %s\n", what, path,
		        strerror(errno));
		return -1;
	}
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > max) {
			fprintf(stderr, "gamigate draw verify: %s %s: larger than %zu bytes\n",
			        what, path, max);
			fclose(f);
			return -1;
		}
		buf_append(out, chunk, n);
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "gamigate draw verify: %s %s: read error\n", what, path);
		return -1;
	}
	return 0;
}

/* Writes data to path through a temporary file renamed into place. 0 ok, -1 printed. */
static int
write_file(const char *cmd, const char *path, const struct buf *data)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	int ok = f != NULL && fwrite(data->data, 1, data->len, f) == data->len;
	if (f != NULL && fclose(f) != 0)
		ok = 0;
	if (ok && rename(tmp, path) != 0)
		ok = 0;
	if (!ok) {
		fprintf(stderr, "gamigate draw %s: %s: cannot write: %s\n", cmd, path,
		        strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ok ? 0 : -1;
}

static int
hex_arg(const char *opt, const char *hex, uint8_t *out, size_t max, size_t *len_r)
{
	size_t n = strlen(hex);
	if (n == 0 || n % 2 != 0 || n / 2 > max || sha256_unhex(hex, out, n / 2) < 0) {
		fprintf(stderr,
		        "gamigate draw: %s must be an even number of hex digits, at most %zu bytes "
		        "(got \"%.80s\")\n",
		        opt, max, hex);
		return -1;
	}
	*len_r = n / 2;
	return 0;
}

/* An outcome to an exit status, with the message. */
static int
outcome_exit(const char *cmd, struct lottery_ctx *ctx, enum lottery_outcome o,
             const struct config *cfg)
{
	if (o == LOTTERY_OK)
		return 0;
	if (o == LOTTERY_FAILED) {
		if (ctx->err.code != 0)
			return cli_db_failed(cfg, cmd, &ctx->err);
		fprintf(stderr, "gamigate %s: %s\n", cmd, ctx->why);
		return 1;
	}
	fprintf(stderr, "gamigate %s: %s\n", cmd, ctx->why);
	return o == LOTTERY_MISMATCH ? 1 : 2;
}

static int
cmd_commit(const struct cli *cli)
{
	struct cli_db db;
	struct buf errors = BUF_INIT;
	struct campaign **campaigns = NULL;
	unsigned ncampaigns = 0;
	char who[200], commitment[65];
	long long announced = 0;
	int rc;

	if (cli->nwords != 3)
		return cli_usage_error("draw commit needs one draw id", usage_commit);
	const char *id = cli->words[2];
	if (!draw_id_valid(id)) {
		fprintf(stderr,
		        "gamigate draw commit: \"%.60s\" is not a draw id (1-40 of a-z, 0-9 "
		        "and '-')\n",
		        id);
		return 2;
	}
	if (cli_db_open(cli, &db) < 0)
		return 2;
	actor(who, sizeof(who));
	struct lottery_ctx ctx = {.conn = db.conn, .now = time(NULL), .actor = who};
	if (expiry_load_campaigns(db.conn, db.cfg->game_timezone, &campaigns, &ncampaigns, &errors,
	                          &ctx.err) < 0) {
		rc = cli_db_failed(db.cfg, "draw commit", &ctx.err);
		goto out;
	}
	enum lottery_outcome o =
	    lottery_commit(&ctx, campaigns, ncampaigns, id, commitment, &announced);
	rc = outcome_exit("draw commit", &ctx, o, db.cfg);
	if (o == LOTTERY_UNKNOWN_DRAW && errors.len > 0)
		fprintf(stderr, "(running campaigns that no longer validate were skipped:\n%s)\n",
		        buf_cstr(&errors));
	if (rc == 0) {
		printf("draw %s committed\nseed-sha256 %s\n", id, commitment);
		if (announced > 0)
			printf("commitment announced to %lld members (notification "
			       "draw_commitment)\n",
			       announced);
		printf("Publish the seed-sha256 line now; after the cut-off run `gamigate draw "
		       "freeze %s`.\n",
		       id);
	}
out:
	expiry_campaigns_free(campaigns, ncampaigns);
	buf_free(&errors);
	cli_db_close(&db);
	return rc;
}

/* DRAW [--out FILE] [--beacon HEX] of freeze and run. */
static int
draw_args(const struct cli *cli, const char *usage, int beacon_ok, const char **id_r,
          const char **out_r, const char **beacon_r)
{
	*id_r = NULL;
	for (int i = 2; i < cli->nwords; i++) {
		const char *a = cli->words[i];
		if (strcmp(a, "--out") == 0 && i + 1 < cli->nwords) {
			*out_r = cli->words[++i];
		} else if (beacon_ok && strcmp(a, "--beacon") == 0 && i + 1 < cli->nwords) {
			*beacon_r = cli->words[++i];
		} else if (a[0] != '-' && *id_r == NULL) {
			*id_r = a;
		} else {
			return cli_usage_error("unexpected argument", usage);
		}
	}
	if (*id_r == NULL)
		return cli_usage_error("a draw id is needed", usage);
	if (!draw_id_valid(*id_r)) {
		fprintf(stderr,
		        "gamigate draw: \"%.60s\" is not a draw id (1-40 of a-z, 0-9 and '-')\n",
		        *id_r);
		return 2;
	}
	return 0;
}

static int
cmd_freeze(const struct cli *cli)
{
	const char *id, *out = NULL, *beacon = NULL;
	struct cli_db db;
	struct buf text = BUF_INIT;
	char who[200], hash[65], path[128];
	int rc = draw_args(cli, usage_freeze, 0, &id, &out, &beacon);
	if (rc != 0)
		return rc;
	if (out == NULL) {
		snprintf(path, sizeof(path), "%s.export.txt", id);
		out = path;
	}
	if (cli_db_open(cli, &db) < 0)
		return 2;
	actor(who, sizeof(who));
	struct lottery_ctx ctx = {.conn = db.conn, .now = time(NULL), .actor = who};
	enum lottery_outcome o = lottery_freeze(&ctx, id, &text, hash);
	rc = outcome_exit("draw freeze", &ctx, o, db.cfg);
	if (rc == 0 && write_file("freeze", out, &text) < 0)
		rc = 1;
	if (rc == 0) {
		unsigned long long entries = 0, chances = 0;
		sscanf(text.data, "gamigate-draw-export 1 %*s %*s %llu %llu", &entries, &chances);
		printf(
		    "draw %s frozen: %llu members, %llu chances\nexport %s\nexport-sha256 %s\n"
		    "Publish the export file and its SHA-256, then run `gamigate draw run %s`.\n",
		    id, entries, chances, out, hash, id);
	}
	buf_free(&text);
	cli_db_close(&db);
	return rc;
}

static int
cmd_run(const struct cli *cli)
{
	const char *id, *out = NULL, *beacon_hex = NULL;
	struct cli_db db;
	struct buf result = BUF_INIT;
	uint8_t beacon[DRAW_BEACON_MAX];
	size_t beacon_len = 0;
	char who[200], path[128];
	int rc = draw_args(cli, usage_run, 1, &id, &out, &beacon_hex);
	if (rc != 0)
		return rc;
	if (beacon_hex != NULL &&
	    hex_arg("--beacon", beacon_hex, beacon, DRAW_BEACON_MAX, &beacon_len) < 0)
		return 2;
	if (out == NULL) {
		snprintf(path, sizeof(path), "%s.result.txt", id);
		out = path;
	}
	if (cli_db_open(cli, &db) < 0)
		return 2;
	actor(who, sizeof(who));
	struct lottery_ctx ctx = {.conn = db.conn, .now = time(NULL), .actor = who};
	enum lottery_outcome o = lottery_run(&ctx, id, beacon, beacon_len, &result);
	rc = outcome_exit("draw run", &ctx, o, db.cfg);
	if (o == LOTTERY_ALREADY_DONE) {
		fputs(buf_cstr(&result), stdout);
	} else if (rc == 0) {
		if (write_file("run", out, &result) < 0)
			rc = 1;
		fputs(buf_cstr(&result), stdout);
		fprintf(stderr,
		        "draw %s run; result written to %s. Publish it: anyone can check it with "
		        "`gamigate draw verify --export %s.export.txt --result %s`.\n",
		        id, out, id, out);
	}
	buf_free(&result);
	cli_db_close(&db);
	return rc;
}

struct verify_opts {
	const char *export_path, *result_path, *seed, *beacon, *commitment, *export_sha;
	long long winners, backups;
	int multiple_wins;
};

static int
number_arg(const char *opt, const char *s, long long *out)
{
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > DRAW_PICKS_MAX) {
		fprintf(stderr, "gamigate draw verify: %s must be a whole number from 0 to %d\n",
		        opt, DRAW_PICKS_MAX);
		return -1;
	}
	*out = v;
	return 0;
}

/* Offline verification: the files and the arguments only. */
static int
verify_offline(const struct verify_opts *o)
{
	struct buf ex_text = BUF_INIT, res_text = BUF_INIT, out = BUF_INIT, report = BUF_INIT;
	struct draw_export ex;
	struct draw_result pub, computed;
	struct draw_params p;
	char why[400], hex[2 * DRAW_BEACON_MAX + 1];
	int have_pub = 0, rc = 2;
	size_t n = 0;

	memset(&ex, 0, sizeof(ex));
	memset(&pub, 0, sizeof(pub));
	memset(&p, 0, sizeof(p));
	if (read_file("export", o->export_path, (size_t)4 << 30, &ex_text) < 0)
		goto out;
	if (draw_export_parse(ex_text.data, ex_text.len, &ex, why, sizeof(why)) < 0) {
		fprintf(stderr, "gamigate draw verify: export %s: %s\n", o->export_path, why);
		goto out;
	}
	if (o->result_path != NULL) {
		if (read_file("result", o->result_path, (size_t)16 << 20, &res_text) < 0)
			goto out;
		if (draw_result_parse(res_text.data, res_text.len, &pub, why, sizeof(why)) < 0) {
			fprintf(stderr, "gamigate draw verify: result %s: %s\n", o->result_path,
			        why);
			goto out;
		}
		have_pub = 1;
		p = pub.params;
	}
	sha256(ex_text.data, ex_text.len, p.export_hash);
	if (o->seed != NULL && hex_arg("--seed", o->seed, p.seed, SHA256_BYTES, &n) < 0)
		goto out;
	if (o->seed != NULL && n != SHA256_BYTES) {
		fprintf(stderr, "gamigate draw verify: --seed must be 64 hex digits (256 bits)\n");
		goto out;
	}
	if (o->beacon != NULL &&
	    hex_arg("--beacon", o->beacon, p.beacon, DRAW_BEACON_MAX, &p.beacon_len) < 0)
		goto out;
	if (o->winners >= 0)
		p.winners = (unsigned)o->winners;
	if (o->backups >= 0)
		p.backups = (unsigned)o->backups;
	if (o->multiple_wins)
		p.multiple_wins = 1;
	if (p.winners + (size_t)p.backups > DRAW_PICKS_MAX) {
		fprintf(stderr, "gamigate draw verify: at most %d winners and backups together\n",
		        DRAW_PICKS_MAX);
		goto out;
	}
	rc = 1;
	if (o->commitment != NULL) {
		uint8_t want[SHA256_BYTES], got[SHA256_BYTES];
		if (hex_arg("--commitment", o->commitment, want, SHA256_BYTES, &n) < 0 ||
		    n != SHA256_BYTES) {
			rc = 2;
			goto out;
		}
		sha256(p.seed, SHA256_BYTES, got);
		if (memcmp(want, got, SHA256_BYTES) != 0) {
			sha256_hex(got, SHA256_BYTES, hex);
			buf_printf(
			    &report,
			    "seed: SHA-256 of the seed is %s, not the published commitment %s: "
			    "wrong seed\n",
			    hex, o->commitment);
		}
	}
	if (o->export_sha != NULL) {
		sha256_hex(p.export_hash, SHA256_BYTES, hex);
		if (strcasecmp(hex, o->export_sha) != 0)
			buf_printf(
			    &report,
			    "export-sha256: the export file hashes to %s, not to the published "
			    "%s: the file was changed\n",
			    hex, o->export_sha);
	}
	if (draw_run(&ex, &p, &computed) < 0) {
		fprintf(stderr,
		        "gamigate draw verify: the chances of the export are out of range\n");
		rc = 2;
		goto out;
	}
	draw_result_write(&computed, &out);
	if (have_pub)
		draw_result_compare(&computed, &pub, &report);
	if (!have_pub)
		fputs(buf_cstr(&out), stdout);
	if (report.len > 0) {
		fprintf(stderr, "gamigate draw verify: DOES NOT MATCH:\n%s", buf_cstr(&report));
		rc = 1;
	} else {
		rc = 0;
		if (have_pub)
			printf("OK: draw %s verified: %zu winners and backups recomputed from %s "
			       "(export-sha256 %s) match %s\n",
			       computed.draw_id, computed.npicks, o->export_path,
			       (sha256_hex(p.export_hash, SHA256_BYTES, hex), hex), o->result_path);
	}
	draw_result_free(&computed);
out:
	draw_export_free(&ex);
	draw_result_free(&pub);
	buf_free(&ex_text);
	buf_free(&res_text);
	buf_free(&out);
	buf_free(&report);
	return rc;
}

static int
verify_db(const struct cli *cli, const char *id)
{
	struct cli_db db;
	struct buf report = BUF_INIT;
	char who[200];
	if (!draw_id_valid(id)) {
		fprintf(stderr, "gamigate draw verify: \"%.60s\" is not a draw id\n", id);
		return 2;
	}
	if (cli_db_open(cli, &db) < 0)
		return 2;
	actor(who, sizeof(who));
	struct lottery_ctx ctx = {.conn = db.conn, .now = time(NULL), .actor = who};
	enum lottery_outcome o = lottery_verify(&ctx, id, &report);
	int rc = outcome_exit("draw verify", &ctx, o, db.cfg);
	if (report.len > 0)
		fputs(buf_cstr(&report), stderr);
	if (rc == 0)
		printf("OK: draw %s recomputed from the database matches its stored result\n", id);
	buf_free(&report);
	cli_db_close(&db);
	return rc;
}

static int
cmd_verify(const struct cli *cli)
{
	struct verify_opts o = {.winners = -1, .backups = -1};
	const char *id = NULL;
	for (int i = 2; i < cli->nwords; i++) {
		const char *a = cli->words[i], *v = i + 1 < cli->nwords ? cli->words[i + 1] : NULL;
		const char **slot = NULL;
		if (strcmp(a, "--multiple-wins") == 0) {
			o.multiple_wins = 1;
			continue;
		}
		if (strcmp(a, "--export") == 0)
			slot = &o.export_path;
		else if (strcmp(a, "--result") == 0)
			slot = &o.result_path;
		else if (strcmp(a, "--seed") == 0)
			slot = &o.seed;
		else if (strcmp(a, "--beacon") == 0)
			slot = &o.beacon;
		else if (strcmp(a, "--commitment") == 0)
			slot = &o.commitment;
		else if (strcmp(a, "--export-sha256") == 0)
			slot = &o.export_sha;
		if (slot != NULL && v != NULL) {
			*slot = v;
			i++;
			continue;
		}
		if ((strcmp(a, "--winners") == 0 || strcmp(a, "--backups") == 0) && v != NULL) {
			if (number_arg(a, v, a[2] == 'w' ? &o.winners : &o.backups) < 0)
				return 2;
			i++;
			continue;
		}
		if (a[0] != '-' && id == NULL) {
			id = a;
			continue;
		}
		return cli_usage_error("unexpected argument to draw verify", usage_verify);
	}
	if (id != NULL && o.export_path == NULL)
		return verify_db(cli, id);
	if (id != NULL || o.export_path == NULL)
		return cli_usage_error(
		    "draw verify needs --export FILE (offline) or a draw id alone", usage_verify);
	if (o.result_path == NULL && (o.seed == NULL || o.winners < 0))
		return cli_usage_error("without --result, --seed and --winners are needed",
		                       usage_verify);
	return verify_offline(&o);
}

static int
cmd_audit(const struct cli *cli)
{
	struct cli_db db;
	struct buf listing = BUF_INIT, problems = BUF_INIT;
	struct draws_audit_report rep;
	struct db_error err = {0};
	if (cli->nwords > 3)
		return cli_usage_error("draw audit takes at most one draw id", usage_audit);
	const char *id = cli->nwords == 3 ? cli->words[2] : NULL;
	if (cli_db_open(cli, &db) < 0)
		return 2;
	int rc = 0;
	if (draws_audit_check(db.conn, id, &listing, &problems, &rep, &err) < 0) {
		rc = cli_db_failed(db.cfg, "draw audit", &err);
		goto out;
	}
	fputs(buf_cstr(&listing), stdout);
	if (problems.len > 0) {
		fprintf(stderr, "gamigate draw audit: THE AUDIT CHAIN IS BROKEN:\n%s",
		        buf_cstr(&problems));
		rc = 1;
	}
	printf("%lld audit rows, %lld broken; the chain ends with %s\n", rep.rows, rep.broken,
	       rep.head);
out:
	buf_free(&listing);
	buf_free(&problems);
	cli_db_close(&db);
	return rc;
}

static void
status_row(const struct draws_row *r)
{
	char cutoff[32];
	struct tm tm;
	gmtime_r(&r->cutoff, &tm);
	strftime(cutoff, sizeof(cutoff), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("draw %s\n  campaign       %s (version %u)\n  cut-off        %s\n  status         "
	       "%s\n  winners        %u, backups %u, multiple wins %s\n",
	       r->draw_id, r->campaign_id, r->campaign_version, cutoff, r->status, r->winners,
	       r->backups, r->multiple_wins ? "yes" : "no");
	if (r->beacon_round > 0)
		printf("  beacon         drand round %lld\n", r->beacon_round);
	printf("  seed-sha256    %s (committed %s UTC by %s)\n", r->seed_sha256, r->committed_at,
	       r->committed_by);
	if (r->export_sha256[0] != '\0')
		printf("  export-sha256  %s (%lld members, %lld chances; frozen %s UTC)\n",
		       r->export_sha256, r->entries, r->chances, r->frozen_at);
	if (r->result_sha256[0] != '\0')
		printf("  result-sha256  %s (run %s UTC)\n", r->result_sha256, r->run_at);
}

static int
cmd_status(const struct cli *cli)
{
	struct cli_db db;
	struct db_error err = {0};
	struct draws_row *rows = NULL;
	size_t n = 0;
	int rc = 0;
	if (cli->nwords > 3)
		return cli_usage_error("draw status takes at most one draw id", usage_status);
	if (cli_db_open(cli, &db) < 0)
		return 2;
	if (cli->nwords == 3) {
		struct draws_row r;
		int got = draws_get(db.conn, cli->words[2], &r, &err);
		if (got < 0) {
			rc = cli_db_failed(db.cfg, "draw status", &err);
		} else if (got == 0) {
			fprintf(
			    stderr,
			    "gamigate draw status: no draw \"%.60s\" has been committed (`gamigate "
			    "draw status` lists them)\n",
			    cli->words[2]);
			rc = 2;
		} else {
			status_row(&r);
		}
	} else if (draws_list(db.conn, NULL, &rows, &n, &err) < 0) {
		rc = cli_db_failed(db.cfg, "draw status", &err);
	} else {
		for (size_t i = 0; i < n; i++)
			status_row(&rows[i]);
		if (n == 0)
			printf("no draws have been committed yet (gamigate draw commit DRAW)\n");
	}
	free(rows);
	cli_db_close(&db);
	return rc;
}

int
cli_draw(const struct cli *cli)
{
	const char *w = cli->nwords > 1 ? cli->words[1] : "";
	if (strcmp(w, "commit") == 0)
		return cmd_commit(cli);
	if (strcmp(w, "freeze") == 0)
		return cmd_freeze(cli);
	if (strcmp(w, "run") == 0)
		return cmd_run(cli);
	if (strcmp(w, "verify") == 0)
		return cmd_verify(cli);
	if (strcmp(w, "audit") == 0)
		return cmd_audit(cli);
	if (strcmp(w, "status") == 0)
		return cmd_status(cli);
	return cli_usage_error("draw needs commit, freeze, run, verify, audit or status",
	                       usage_draw);
}
