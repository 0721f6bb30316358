/*
 * main — the gamigate command line: serve, migrate, config, campaign, points, vouchers,
 * draw, version. main.c parses the command line, dispatches, and runs the core commands
 * (serve, migrate, config, version); campaign is in cli/cli_campaign.c, points and
 * vouchers in cli/cli_game.c, what they share in cli/cli.c.
 *
 * Exit status: 0 ok, 1 the work failed (e.g. the database is unreachable), 2 the
 * command line or the configuration is wrong (nothing was started or changed).
 */
#include "cli/cli.h"
#include "cli/cli_campaign.h"
#include "cli/cli_game.h"
#include "cli/cli_points.h"
#include "cli/cli_draw.h"
#include "cli/cli_reminder.h"
#include "core/config.h"
#include "http/daemon.h"
#include "store/db.h"
#include "store/migrate.h"

#include <stdio.h>
#include <string.h>

#ifndef GAMIGATE_VERSION
#define GAMIGATE_VERSION "0.0.0-dev"
#endif

static const char usage_main[] =
    "usage: gamigate [-c FILE] [--set section.key=value]... COMMAND [ARGS]\n"
    "\n"
    "SMS/USSD gamification gateway for telecom loyalty clubs.\n"
    "\n"
    "commands:\n"
    "  serve              run the daemon (HTTP on http.listen) until SIGTERM or Ctrl-C\n"
    "  migrate [--status] bring the database schema up to date, or show where it stands\n"
    "  config check       read the configuration, report every problem, show the result\n"
    "  config sample      print a commented configuration file with every default\n"
    "  config keys        list every configuration key with its default and range\n"
    "  campaign validate FILE...  check campaign files, list every mistake\n"
    "  campaign load FILE         store a campaign file as a new version and activate it\n"
    "  campaign list|stop ID|reload   loaded campaigns; stop one; how nodes reload\n"
    "  points expire [--dry-run] [--now ISO]  expire points whose time has come, warn\n"
    "  vouchers import POOL FILE|status      load voucher codes; stock of each pool\n"
    "  points adjust MSISDN POINTS --reason TEXT  correct a balance; points reverse REF\n"
    "  tiers review [--campaign ID] [--dry-run]   the tier reviews that are due\n"
    "  draw commit|freeze|run|verify|audit|status DRAW   lottery draws anyone can verify\n"
    "  reminder add FILE|list|pause ID|resume ID|run-now ID|status [ID] [--watch]\n"
    "                     scheduled reminders and the progress of their runs\n"
    "  version            print the version and the schema version this binary knows\n"
    "\n"
    "options (before or after the command):\n"
    "  -c, --config FILE  configuration file (default: ./conf/gamigate.conf, else\n"
    "                     /etc/gamigate/gamigate.conf, else built-in defaults)\n"
    "  --set K=V          override one key, e.g. --set http.listen=127.0.0.1:9090\n"
    "  -h, --help         help; `gamigate COMMAND --help` for one command\n"
    "\n"
    "Every key can also come from the environment as GAMIGATE_<SECTION>_<KEY>, e.g.\n"
    "GAMIGATE_DATABASE_PASSWORD. Order of precedence: --set, environment, file, default.\n";

static const char usage_serve[] =
    "usage: gamigate [-c FILE] [--set K=V]... serve\n"
    "\n"
    "Runs the daemon in the foreground: HTTP on http.listen, database work on\n"
    "database.pool_size worker threads. Endpoints: GET /healthz (200 when the database\n"
    "answers and its schema matches, else 503), GET /metrics (Prometheus text),\n"
    "GET /api/v1/status (admin token). Logs go to stderr, one line per request,\n"
    "phone numbers masked.\n"
    "\n"
    "Signals: SIGTERM or SIGINT stop accepting, answer requests in flight (up to\n"
    "http.shutdown_grace_s) and exit 0; a second signal exits at once. SIGHUP reloads\n"
    "what is reloadable.\n"
    "\n"
    "It refuses to start (exit 2) when the configuration is invalid or the database\n"
    "schema does not match this binary (run `gamigate migrate` first).\n";

static const char usage_migrate[] =
    "usage: gamigate [-c FILE] [--set K=V]... migrate [--status]\n"
    "\n"
    "Applies the SQL migrations built into this binary that the database does not have\n"
    "yet, in order, and records each in the schema_migrations table. Running it again\n"
    "does nothing. A database whose schema is newer than this binary is refused.\n"
    "\n"
    "  --status   list every migration as applied or pending; change nothing\n";

static const char usage_config[] =
    "usage: gamigate [-c FILE] [--set K=V]... config check|sample|keys\n"
    "\n"
    "  check    read the file, the environment and --set; print every problem with\n"
    "           its file:line (exit 2), or the effective configuration (exit 0)\n"
    "  sample   print a commented configuration file with every key and its default\n"
    "  keys     list every key: default, expected values, environment variable, help\n";

static const char usage_version[] = "usage: gamigate version\n"
                                    "\n"
                                    "Prints the version and the newest schema version it knows.\n";

static int
parse_cli(int argc, char **argv, struct cli *cli)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			cli->help = 1;
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("-c needs a file name", usage_main);
			cli->config_path = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			cli->config_path = a + 9;
		} else if (strcmp(a, "--set") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("--set needs section.key=value", usage_main);
			if (cli->nsets == CLI_MAX_SETS)
				return cli_usage_error("too many --set options", usage_main);
			cli->sets[cli->nsets++] = argv[++i];
		} else if (strncmp(a, "--set=", 6) == 0) {
			if (cli->nsets == CLI_MAX_SETS)
				return cli_usage_error("too many --set options", usage_main);
			cli->sets[cli->nsets++] = a + 6;
		} else {
			if (cli->nwords == CLI_MAX_WORDS)
				return cli_usage_error("too many arguments", usage_main);
			cli->words[cli->nwords++] = a;
		}
	}
	return 0;
}

static int
cmd_migrate(const struct cli *cli)
{
	int status_only = 0;
	for (int i = 1; i < cli->nwords; i++) {
		if (strcmp(cli->words[i], "--status") == 0)
			status_only = 1;
		else
			return cli_usage_error("unknown argument to migrate", usage_migrate);
	}
	struct cli_db db;
	struct db_error err = {0};
	if (cli_db_open(cli, &db) < 0)
		return 2;
	int rc = status_only ? migrate_status(db.conn, stdout, &err)
	                     : migrate_apply(db.conn, stdout, &err);
	if (rc < 0) {
		fprintf(stderr, "gamigate migrate: %s\n", err.msg);
		if (err.code >= 2000 && err.code < 3000)
			cli_print_db_hint(db.cfg);
	}
	cli_db_close(&db);
	if (rc == 0)
		return 0;
	/* A newer or altered schema is a refusal, not a passing failure. */
	return err.code == 0 ? 2 : 1;
}

static int
cmd_config(const struct cli *cli)
{
	if (cli->nwords < 2)
		return cli_usage_error("config needs check, sample or keys", usage_config);
	const char *what = cli->words[1];
	if (cli->nwords > 2)
		return cli_usage_error("too many arguments to config", usage_config);
	if (strcmp(what, "sample") == 0) {
		config_sample(stdout);
		return 0;
	}
	if (strcmp(what, "keys") == 0) {
		config_keys(stdout);
		return 0;
	}
	if (strcmp(what, "check") != 0)
		return cli_usage_error("config needs check, sample or keys", usage_config);
	struct config *cfg = cli_load_config(cli, 1);
	if (cfg == NULL)
		return 2;
	printf("configuration is valid:\n");
	config_dump(cfg, stdout);
	config_free(cfg);
	return 0;
}

static int
cmd_serve(const struct cli *cli)
{
	if (cli->nwords > 1)
		return cli_usage_error("serve takes no arguments", usage_serve);
	struct config *cfg = cli_load_config(cli, 1);
	if (cfg == NULL)
		return 2;
	db_library_init();
	int rc = daemon_serve(cfg, GAMIGATE_VERSION);
	db_library_end();
	config_free(cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cli cli;
	memset(&cli, 0, sizeof(cli));
	int rc = parse_cli(argc, argv, &cli);
	if (rc != 0)
		return rc;
	const char *cmd = cli.nwords > 0 ? cli.words[0] : NULL;

	if (cmd == NULL || strcmp(cmd, "help") == 0) {
		if (cmd == NULL && !cli.help) {
			fputs(usage_main, stderr);
			return 2;
		}
		fputs(usage_main, stdout);
		return 0;
	}
	if (strcmp(cmd, "serve") == 0) {
		if (cli.help)
			return fputs(usage_serve, stdout), 0;
		return cmd_serve(&cli);
	}
	if (strcmp(cmd, "migrate") == 0) {
		if (cli.help)
			return fputs(usage_migrate, stdout), 0;
		return cmd_migrate(&cli);
	}
	if (strcmp(cmd, "config") == 0) {
		if (cli.help)
			return fputs(usage_config, stdout), 0;
		return cmd_config(&cli);
	}
	if (strcmp(cmd, "campaign") == 0) {
		if (cli.help)
			return fputs(cli_campaign_usage(&cli), stdout), 0;
		return cli_campaign(&cli);
	}
	if (strcmp(cmd, "points") == 0) {
		if (cli.help)
			return fputs(cli_points_usage(&cli), stdout), 0;
		return cli_game_points(&cli);
	}
	if (strcmp(cmd, "vouchers") == 0) {
		if (cli.help)
			return fputs(cli_game_vouchers_usage, stdout), 0;
		return cli_game_vouchers(&cli);
	}
	if (strcmp(cmd, "tiers") == 0) {
		if (cli.help)
			return fputs(cli_tiers_usage, stdout), 0;
		return cli_tiers(&cli);
	}
	if (strcmp(cmd, "draw") == 0) {
		if (cli.help)
			return fputs(cli_draw_usage(&cli), stdout), 0;
		return cli_draw(&cli);
	}
	if (strcmp(cmd, "reminder") == 0) {
		if (cli.help)
			return fputs(cli_reminder_usage(&cli), stdout), 0;
		return cli_reminder(&cli);
	}
	if (strcmp(cmd, "version") == 0) {
		if (cli.help)
			return fputs(usage_version, stdout), 0;
		printf("gamigate %s (schema version %d)\n", GAMIGATE_VERSION, migrate_latest());
		return 0;
	}
	fprintf(stderr, "gamigate: unknown command \"%s\"\n\n%s", cmd, usage_main);
	return 2;
}
