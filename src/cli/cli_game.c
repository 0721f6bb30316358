/*
 * cli_game — the game's housekeeping from the command line: expiring points (the same
 * work running daemons do when idle, safe to run on several nodes at once) and voucher
 * pools (importing codes from a file, showing the stock of each pool).
 *
 * Main thread only.
 */
#include "cli/cli_game.h"
#include "cli/cli_points.h"
#include "core/buf.h"
#include "game/campaign.h"
#include "game/expiry.h"
#include "store/vouchers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char cli_game_points_usage[] =
    "usage: gamigate [-c FILE] [--set K=V]... points expire [--dry-run] [--now ISO]\n"
    "\n"
    "Expires every lot of points whose time has come: what is left of it leaves the\n"
    "balance with a ledger row \"expiry\" keyed expire:<lot id>, so running it again, or\n"
    "on several nodes at once, expires nothing twice. Subscribers go in batches, one\n"
    "transaction each; a progress line goes to stderr. Then it queues the expiry\n"
    "warnings of the active campaigns (points.expiry_warning_days): one notification\n"
    "\"points_expiring\" per subscriber and expiry day. Running daemons do the same every\n"
    "10 minutes when they are idle.\n"
    "\n"
    "  --dry-run   count what would expire and how many warnings would go; change nothing\n"
    "  --now ISO   act as if it were that time (UTC): 2026-05-01 or 2026-05-01T10:30:00Z\n"
    "\n"
    "Exit status: 0 done, 1 the database failed, 2 wrong arguments.\n";

const char cli_game_vouchers_usage[] =
    "usage: gamigate [-c FILE] [--set K=V]... vouchers import POOL FILE | status\n"
    "\n"
    "  import POOL FILE  add the codes in FILE to the voucher pool POOL (1-40 of a-z,\n"
    "                    0-9 and '-', the \"voucher_pool\" of a campaign's rewards). One\n"
    "                    code per line, optionally under a header line \"code\"; a code\n"
    "                    is trimmed and must be 1-100 printable ASCII characters without\n"
    "                    ',' ';' or '\"'. Codes repeated in the file, codes the pool has\n"
    "                    already and bad lines are reported with their line numbers and\n"
    "                    skipped. Importing the same file again adds nothing.\n"
    "  status            every pool: codes in all, free, handed out; LOW when fewer than\n"
    "                    10 % of its codes (or fewer than 10) are free\n"
    "\n"
    "Exit status of import: 0 codes were imported; 1 the database failed (the codes\n"
    "imported before stay; run it again); 2 nothing was imported (the file cannot be\n"
    "read, or holds no valid code the pool does not have).\n";

struct expire_progress {
	time_t last;
	int tty;
	int printed;
};

static void
expire_progress(const struct expiry_stats *st, void *arg)
{
	struct expire_progress *p = arg;
	time_t now = time(NULL);
	if (now == p->last)
		return; /* the first batch, then at most one line a second */
	p->last = now;
	p->printed = 1;
	fprintf(stderr,
	        "%sexpiring: %lld subscribers, %lld lots, %lld points, %lld warnings so far%s",
	        p->tty ? "\r" : "", st->subscribers, st->lots, st->points, st->warnings,
	        p->tty ? "" : "\n");
}

static int
cli_game_points_expire(const struct cli *cli)
{
	struct expiry_options opt = {.now = time(NULL)};
	struct expire_progress prog = {0, isatty(2), 0};
	struct expiry_stats st;
	struct cli_db db;
	struct db_error err = {0};
	struct buf errors = BUF_INIT;
	struct campaign **campaigns = NULL;
	unsigned ncampaigns = 0;
	const char *why = NULL;
	int rc = 0;

	for (int i = 2; i < cli->nwords; i++) {
		if (strcmp(cli->words[i], "--dry-run") == 0) {
			opt.dry_run = 1;
		} else if (strcmp(cli->words[i], "--now") == 0 && i + 1 < cli->nwords) {
			if (expiry_parse_now(cli->words[++i], &opt.now, &why) < 0) {
				fprintf(stderr, "gamigate points expire: --now %s: %s\n",
				        cli->words[i], why);
				return 2;
			}
		} else {
			return cli_usage_error("points expire takes --dry-run and --now ISO",
			                       cli_game_points_usage);
		}
	}
	if (cli_db_open(cli, &db) < 0)
		return 2;
	opt.progress = expire_progress;
	opt.progress_arg = &prog;
	if (expiry_load_campaigns(db.conn, db.cfg->game_timezone, &campaigns, &ncampaigns, &errors,
	                          &err) < 0) {
		rc = cli_db_failed(db.cfg, "points expire", &err);
		goto out;
	}
	if (errors.len > 0)
		fprintf(stderr,
		        "warning: active campaigns that no longer validate get no "
		        "warnings:\n%s",
		        buf_cstr(&errors));
	opt.campaigns = campaigns;
	opt.ncampaigns = ncampaigns;
	rc = expiry_run(db.conn, &opt, &st, &err);
	if (prog.tty && prog.printed)
		fputc('\n', stderr);
	{
		char at[32];
		struct tm tm;
		gmtime_r(&opt.now, &tm);
		strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("%s %lld points in %lld lots of %lld subscribers; %s %lld expiry "
		       "warnings (as of %s)\n",
		       opt.dry_run ? "would expire" : "expired", st.points, st.lots, st.subscribers,
		       opt.dry_run ? "would queue" : "queued", st.warnings, at);
	}
	if (rc < 0)
		rc = cli_db_failed(db.cfg, "points expire", &err);
out:
	expiry_campaigns_free(campaigns, ncampaigns);
	buf_free(&errors);
	cli_db_close(&db);
	return rc;
}

int
cli_game_points(const struct cli *cli)
{
	if (cli->nwords >= 2 && strcmp(cli->words[1], "adjust") == 0)
		return cli_points_adjust(cli);
	if (cli->nwords >= 2 && strcmp(cli->words[1], "reverse") == 0)
		return cli_points_reverse(cli);
	if (cli->nwords < 2 || strcmp(cli->words[1], "expire") != 0)
		return cli_usage_error("points needs expire, adjust or reverse",
		                       cli_points_usage(cli));
	return cli_game_points_expire(cli);
}

static int
cli_game_vouchers_import(const struct cli *cli)
{
	struct vouchers_file f;
	struct cli_db db;
	struct db_error err = {0};
	struct buf report = BUF_INIT;
	const char *why = NULL;
	long long imported = 0;
	int rc = 0;

	if (cli->nwords != 4)
		return cli_usage_error("vouchers import needs a pool and a file",
		                       cli_game_vouchers_usage);
	const char *pool = cli->words[2], *path = cli->words[3];
	if (!vouchers_pool_valid(pool)) {
		fprintf(stderr,
		        "gamigate vouchers import: \"%s\" is not a pool id (1-40 of a-z, 0-9 and "
		        "'-')\n",
		        pool);
		return 2;
	}
	FILE *in = fopen(path, "r");
	if (in == NULL) {
		fprintf(stderr, "gamigate vouchers import: %s: cannot open: %s\n", path,
		        strerror(errno));
		return 2;
	}
	int read_rc = vouchers_read(in, &f, &why);
	fclose(in);
	if (read_rc < 0) {
		fprintf(stderr, "gamigate vouchers import: %s: %s; nothing was imported\n", path,
		        why);
		vouchers_file_free(&f);
		return 2;
	}
	if (cli_db_open(cli, &db) < 0) {
		vouchers_file_free(&f);
		return 2;
	}
	if (f.ncodes > 0 && vouchers_import(db.conn, pool, &f, &imported, &err) < 0)
		rc = -1;
	vouchers_report(&f, path, pool, &report);
	fputs(buf_cstr(&report), stderr);
	unsigned long existing = 0;
	for (size_t i = 0; i < f.ncodes; i++)
		existing += f.codes[i].existing != 0;
	printf("%s: imported %lld, skipped %lu (%lu repeated in the file, %lu already in pool "
	       "%s, %lu bad)\n",
	       path, imported, f.duplicates + existing + f.bad, f.duplicates, existing, pool,
	       f.bad);
	if (rc < 0) {
		rc = cli_db_failed(db.cfg, "vouchers import", &err);
	} else if (imported == 0) {
		fprintf(stderr, "gamigate vouchers import: %s: nothing was imported (%s)\n", path,
		        f.ncodes > 0 ? "every code is in the pool already" : "no valid code");
		rc = 2;
	}
	buf_free(&report);
	vouchers_file_free(&f);
	cli_db_close(&db);
	return rc;
}

static int
cli_game_vouchers_status(const struct cli *cli)
{
	struct cli_db db;
	struct db_error err = {0};
	struct vouchers_stock *rows = NULL;
	size_t n = 0;
	int rc = 0;

	if (cli->nwords != 2)
		return cli_usage_error("vouchers status takes no arguments",
		                       cli_game_vouchers_usage);
	if (cli_db_open(cli, &db) < 0)
		return 2;
	if (vouchers_list(db.conn, &rows, &n, &err) < 0) {
		rc = cli_db_failed(db.cfg, "vouchers status", &err);
	} else if (n == 0) {
		printf("no voucher codes yet; add some with: gamigate vouchers import POOL FILE\n");
	} else {
		printf("%-40s %10s %10s %10s\n", "POOL", "CODES", "FREE", "USED");
		for (size_t i = 0; i < n; i++)
			printf("%-40s %10lld %10lld %10lld%s\n", rows[i].pool, rows[i].total,
			       rows[i].free_codes, rows[i].total - rows[i].free_codes,
			       vouchers_low(rows[i].free_codes, rows[i].total) ? "  LOW" : "");
	}
	free(rows);
	cli_db_close(&db);
	return rc;
}

int
cli_game_vouchers(const struct cli *cli)
{
	const char *what = cli->nwords > 1 ? cli->words[1] : "";
	if (strcmp(what, "import") == 0)
		return cli_game_vouchers_import(cli);
	if (strcmp(what, "status") == 0)
		return cli_game_vouchers_status(cli);
	return cli_usage_error("vouchers needs import or status", cli_game_vouchers_usage);
}
