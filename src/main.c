/*
 * main — the gamigate command line: serve, migrate, config, campaign, version.
 *
 * Exit status: 0 ok, 1 the work failed (e.g. the database is unreachable), 2 the
 * command line or the configuration is wrong (nothing was started or changed).
 */
#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "game/campaign.h"
#include "game/expiry.h"
#include "http/daemon.h"
#include "store/campaigns.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/vouchers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef GAMIGATE_VERSION
#define GAMIGATE_VERSION "0.0.0-dev"
#endif

extern char **environ;

#define MAX_SETS  128
#define MAX_WORDS 64

struct cli {
	const char *config_path; /* NULL = look in the usual places */
	const char *sets[MAX_SETS];
	int nsets;
	const char *words[MAX_WORDS]; /* command words and their own flags */
	int nwords;
	int help;
};

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

static const char usage_campaign[] =
    "usage: gamigate [-c FILE] [--set K=V]... campaign validate|load|list|stop|reload\n"
    "\n"
    "  validate FILE...  check campaign files (no database needed): one summary line\n"
    "                    per valid file (exit 0), else every mistake with its JSON path\n"
    "                    and a hint (exit 2)\n"
    "  load FILE         validate, then store the file in the database as a new version\n"
    "                    of its campaign and make that version the active one\n"
    "  list              every loaded campaign with its active and latest version\n"
    "  stop ID           deactivate a campaign; its versions are kept\n"
    "  reload            how running nodes pick up loaded and stopped campaigns\n"
    "\n"
    "The format is described in campaigns/README.md; `gamigate campaign COMMAND --help`\n"
    "tells more about one command.\n";

static const char usage_campaign_validate[] =
    "usage: gamigate [-c FILE] [--set K=V]... campaign validate FILE...\n"
    "\n"
    "Checks each campaign file against campaigns/README.md without touching the\n"
    "database. A valid file gets one line: its id, its window in local time (and\n"
    "Jalali), short codes, prizes and missions. An invalid one gets every mistake, one\n"
    "line each: FILE: $.json.path: what is wrong; hint. Texts must be given in fa and en.\n"
    "Files without a \"timezone\" use game.timezone from the configuration.\n"
    "\n"
    "Exit status: 0 every file is valid, 2 at least one is not.\n";

static const char usage_campaign_load[] =
    "usage: gamigate [-c FILE] [--set K=V]... campaign load FILE\n"
    "\n"
    "Validates FILE like `campaign validate`, then stores its text in the database as\n"
    "the next version of its campaign and makes that version the active one. Loading a\n"
    "text that is already stored changes nothing but re-activates that version. A file\n"
    "whose short code is used by another active campaign at overlapping dates is\n"
    "refused. Prints the version. Running nodes pick it up on SIGHUP.\n"
    "\n"
    "Exit status: 0 stored, 1 the database failed, 2 the file is invalid or conflicts.\n";

static const char usage_campaign_list[] =
    "usage: gamigate [-c FILE] [--set K=V]... campaign list\n"
    "\n"
    "Lists every loaded campaign: its active version (- when stopped), its latest\n"
    "version, how many versions are stored, when it last changed and who loaded it.\n";

static const char usage_campaign_stop[] =
    "usage: gamigate [-c FILE] [--set K=V]... campaign stop ID\n"
    "\n"
    "Deactivates campaign ID: running nodes stop playing it on SIGHUP. Its versions and\n"
    "everything subscribers earned are kept; `campaign load` makes it active again.\n"
    "\n"
    "Exit status: 0 stopped (or already stopped), 1 the database failed, 2 no such\n"
    "campaign.\n";

static const char usage_campaign_reload[] =
    "usage: gamigate campaign reload\n"
    "\n"
    "Running nodes read the active campaigns from the database when they start and\n"
    "when they receive SIGHUP. This command does not signal them yet: send SIGHUP to\n"
    "each node yourself (e.g. kill -HUP <pid>, or systemctl reload gamigate).\n";

static const char usage_version[] = "usage: gamigate version\n"
                                    "\n"
                                    "Prints the version and the newest schema version it knows.\n";

static int
usage_error(const char *msg, const char *usage)
{
	fprintf(stderr, "gamigate: %s\n\n%s", msg, usage);
	return 2;
}

static int
parse_cli(int argc, char **argv, struct cli *cli)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			cli->help = 1;
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (i + 1 >= argc)
				return usage_error("-c needs a file name", usage_main);
			cli->config_path = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			cli->config_path = a + 9;
		} else if (strcmp(a, "--set") == 0) {
			if (i + 1 >= argc)
				return usage_error("--set needs section.key=value", usage_main);
			if (cli->nsets == MAX_SETS)
				return usage_error("too many --set options", usage_main);
			cli->sets[cli->nsets++] = argv[++i];
		} else if (strncmp(a, "--set=", 6) == 0) {
			if (cli->nsets == MAX_SETS)
				return usage_error("too many --set options", usage_main);
			cli->sets[cli->nsets++] = a + 6;
		} else {
			if (cli->nwords == MAX_WORDS)
				return usage_error("too many arguments", usage_main);
			cli->words[cli->nwords++] = a;
		}
	}
	return 0;
}

/* Loads the configuration; prints every problem and returns NULL when there are any. */
static struct config *
load_config(const struct cli *cli, int need_complete)
{
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;
	const char *path = cli->config_path;
	int bad = 0;

	if (path == NULL) {
		if (access("conf/gamigate.conf", R_OK) == 0)
			path = "conf/gamigate.conf";
		else if (access("/etc/gamigate/gamigate.conf", R_OK) == 0)
			path = "/etc/gamigate/gamigate.conf";
	}
	if (path != NULL && config_load_file(cfg, path, &errors) < 0)
		bad = 1;
	if (config_apply_env(cfg, environ, &errors) < 0)
		bad = 1;
	for (int i = 0; i < cli->nsets; i++) {
		if (config_set(cfg, cli->sets[i], &errors) < 0)
			bad = 1;
	}
	if (need_complete && config_finish(cfg, &errors) < 0)
		bad = 1;
	if (bad) {
		fprintf(stderr, "gamigate: the configuration has problems:\n%s", buf_cstr(&errors));
		fprintf(stderr, "Fix them and check again with: gamigate%s%s config check\n",
		        path != NULL ? " -c " : "", path != NULL ? path : "");
		buf_free(&errors);
		config_free(cfg);
		return NULL;
	}
	buf_free(&errors);
	enum log_level level = LOG_INFO;
	enum log_format format = LOG_PLAIN;
	log_level_parse(cfg->log_level, &level);
	log_format_parse(cfg->log_format, &format);
	log_init(level, format);
	return cfg;
}

static void
print_db_hint(const struct config *cfg)
{
	if (cfg->db_socket[0] != '\0')
		fprintf(stderr, "(database.socket = %s, user %s, database %s)\n", cfg->db_socket,
		        cfg->db_user, cfg->db_name);
	else
		fprintf(stderr, "(database %s@%s:%lld/%s)\n", cfg->db_user, cfg->db_host,
		        cfg->db_port, cfg->db_name);
	fprintf(stderr, "Is MariaDB running? For the private development database: "
	                "tools/db start\n");
}

static int
cmd_migrate(const struct cli *cli)
{
	int status_only = 0;
	for (int i = 1; i < cli->nwords; i++) {
		if (strcmp(cli->words[i], "--status") == 0)
			status_only = 1;
		else
			return usage_error("unknown argument to migrate", usage_migrate);
	}
	struct config *cfg = load_config(cli, 0);
	if (cfg == NULL)
		return 2;
	struct db_settings s;
	struct db_error err = {0};
	db_settings_from_config(cfg, &s);
	db_library_init();
	struct db_conn *conn = db_conn_new(&s);
	int rc =
	    status_only ? migrate_status(conn, stdout, &err) : migrate_apply(conn, stdout, &err);
	if (rc < 0) {
		fprintf(stderr, "gamigate migrate: %s\n", err.msg);
		if (err.code >= 2000 && err.code < 3000)
			print_db_hint(cfg);
	}
	db_conn_free(conn);
	db_library_end();
	config_free(cfg);
	if (rc == 0)
		return 0;
	/* A newer or altered schema is a refusal, not a passing failure. */
	return err.code == 0 ? 2 : 1;
}

static int
cmd_config(const struct cli *cli)
{
	if (cli->nwords < 2)
		return usage_error("config needs check, sample or keys", usage_config);
	const char *what = cli->words[1];
	if (cli->nwords > 2)
		return usage_error("too many arguments to config", usage_config);
	if (strcmp(what, "sample") == 0) {
		config_sample(stdout);
		return 0;
	}
	if (strcmp(what, "keys") == 0) {
		config_keys(stdout);
		return 0;
	}
	if (strcmp(what, "check") != 0)
		return usage_error("config needs check, sample or keys", usage_config);
	struct config *cfg = load_config(cli, 1);
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
		return usage_error("serve takes no arguments", usage_serve);
	struct config *cfg = load_config(cli, 1);
	if (cfg == NULL)
		return 2;
	db_library_init();
	int rc = daemon_serve(cfg, GAMIGATE_VERSION);
	db_library_end();
	config_free(cfg);
	return rc;
}

/* The languages every campaign text must have. For now a constant; it will come from
 * the languages of templates/ once the daemon loads campaigns. */
static const char *const campaign_langs[] = {"fa", "en"};
#define N_CAMPAIGN_LANGS (sizeof(campaign_langs) / sizeof(campaign_langs[0]))

static const char *
campaign_usage(const struct cli *cli)
{
	const char *what = cli->nwords > 1 ? cli->words[1] : "";
	if (strcmp(what, "validate") == 0)
		return usage_campaign_validate;
	if (strcmp(what, "load") == 0)
		return usage_campaign_load;
	if (strcmp(what, "list") == 0)
		return usage_campaign_list;
	if (strcmp(what, "stop") == 0)
		return usage_campaign_stop;
	if (strcmp(what, "reload") == 0)
		return usage_campaign_reload;
	return usage_campaign;
}

/* Parses one file; prints its problems to stderr. NULL when invalid. */
static struct campaign *
campaign_check_file(const struct config *cfg, const char *path)
{
	struct buf errors = BUF_INIT;
	struct campaign *c = campaign_parse_file(path, cfg->game_timezone, campaign_langs,
	                                         N_CAMPAIGN_LANGS, &errors);
	if (c == NULL)
		fputs(buf_cstr(&errors), stderr);
	buf_free(&errors);
	return c;
}

static int
campaign_validate(const struct cli *cli)
{
	int bad = 0;
	if (cli->nwords < 3)
		return usage_error("campaign validate needs at least one file",
		                   usage_campaign_validate);
	struct config *cfg = load_config(cli, 0);
	if (cfg == NULL)
		return 2;
	for (int i = 2; i < cli->nwords; i++) {
		struct campaign *c = campaign_check_file(cfg, cli->words[i]);
		if (c == NULL) {
			bad++;
			continue;
		}
		struct buf line = BUF_INIT;
		campaign_summary(c, &line);
		printf("%s: ok: %s\n", cli->words[i], buf_cstr(&line));
		buf_free(&line);
		campaign_free(c);
	}
	if (bad > 0)
		fprintf(stderr,
		        "gamigate campaign validate: %d of %d file%s invalid (the format is in "
		        "campaigns/README.md)\n",
		        bad, cli->nwords - 2, cli->nwords - 2 == 1 ? " is" : "s are");
	config_free(cfg);
	return bad > 0 ? 2 : 0;
}

/* A database failure: the message, and where to look. Exit status 1. */
static int
campaign_db_failed(const struct config *cfg, const char *what, const struct db_error *err)
{
	fprintf(stderr, "gamigate campaign %s: %s\n", what, err->msg);
	if (err->code >= 2000 && err->code < 3000)
		print_db_hint(cfg);
	else if (err->code == 1146)
		fprintf(stderr, "The schema is not up to date: run gamigate migrate first.\n");
	return 1;
}

/* 1 when another active campaign shares a short code with c at overlapping dates
 * (printed); 0 none; -1 the database failed (err set). Stored campaigns that no longer
 * parse are reported as warnings and skipped. */
static int
campaign_conflicts(struct db_conn *conn, const struct config *cfg, const struct campaign *c,
                   struct db_error *err)
{
	struct campaigns_source *src = NULL;
	size_t n = 0;
	int found = 0;

	if (campaigns_active_sources(conn, &src, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && !found; i++) {
		struct buf errors = BUF_INIT;
		char name[80];
		const char *code = NULL;
		if (strcmp(src[i].id, c->id) == 0)
			continue;
		snprintf(name, sizeof(name), "%s (version %u in the database)", src[i].id,
		         src[i].version);
		struct campaign *other =
		    campaign_parse(src[i].source, src[i].len, name, cfg->game_timezone,
		                   campaign_langs, N_CAMPAIGN_LANGS, &errors);
		if (other == NULL) {
			fprintf(stderr, "warning: active campaign %s no longer validates:\n%s",
			        name, buf_cstr(&errors));
		} else if (campaign_conflict(c, other, &code)) {
			fprintf(
			    stderr,
			    "gamigate campaign load: %s: short code %s is also used by the active "
			    "campaign %s (version %u) at overlapping dates, so a message to it "
			    "could belong to either; stop that one first (gamigate campaign stop "
			    "%s), or change the dates or short codes\n",
			    c->id, code, src[i].id, src[i].version, src[i].id);
			found = 1;
		}
		campaign_free(other);
		buf_free(&errors);
	}
	campaigns_sources_free(src, n);
	return found;
}

static int
campaign_load(const struct cli *cli)
{
	char who[129], host[64] = "";
	struct db_settings s;
	struct db_error err = {0};
	struct campaigns_stored r;
	int rc = 0;

	if (cli->nwords != 3)
		return usage_error("campaign load needs exactly one file", usage_campaign_load);
	struct config *cfg = load_config(cli, 0);
	if (cfg == NULL)
		return 2;
	struct campaign *c = campaign_check_file(cfg, cli->words[2]);
	if (c == NULL) {
		fprintf(stderr, "gamigate campaign load: %s is invalid; nothing was stored\n",
		        cli->words[2]);
		config_free(cfg);
		return 2;
	}
	const char *user = getenv("USER");
	gethostname(host, sizeof(host) - 1);
	snprintf(who, sizeof(who), "%s@%s", user != NULL && user[0] != '\0' ? user : "unknown",
	         host[0] != '\0' ? host : "localhost");
	db_settings_from_config(cfg, &s);
	db_library_init();
	struct db_conn *conn = db_conn_new(&s);
	int conflict = campaign_conflicts(conn, cfg, c, &err);
	if (conflict < 0) {
		rc = campaign_db_failed(cfg, "load", &err);
	} else if (conflict > 0) {
		rc = 2;
	} else if (campaigns_store(conn, c->id, c->source, who, &r, &err) < 0) {
		rc = campaign_db_failed(cfg, "load", &err);
	} else if (r.created) {
		printf("%s: stored as version %u, now active", c->id, r.version);
		if (r.previous != 0)
			printf(" (was version %u)", r.previous);
		printf("\nRunning nodes pick it up on SIGHUP (see gamigate campaign reload "
		       "--help).\n");
	} else if (r.activated) {
		printf("%s: identical to stored version %u, now active again", c->id, r.version);
		if (r.previous != 0)
			printf(" (was version %u)", r.previous);
		printf("\nRunning nodes pick it up on SIGHUP (see gamigate campaign reload "
		       "--help).\n");
	} else {
		printf("%s: identical to version %u, which is already active; nothing changed\n",
		       c->id, r.version);
	}
	db_conn_free(conn);
	db_library_end();
	campaign_free(c);
	config_free(cfg);
	return rc;
}

static int
campaign_list(const struct cli *cli)
{
	struct db_settings s;
	struct db_error err = {0};
	struct campaigns_row *rows = NULL;
	size_t n = 0;
	int rc = 0;

	if (cli->nwords != 2)
		return usage_error("campaign list takes no arguments", usage_campaign_list);
	struct config *cfg = load_config(cli, 0);
	if (cfg == NULL)
		return 2;
	db_settings_from_config(cfg, &s);
	db_library_init();
	struct db_conn *conn = db_conn_new(&s);
	if (campaigns_list(conn, &rows, &n, &err) < 0) {
		rc = campaign_db_failed(cfg, "list", &err);
	} else if (n == 0) {
		printf("no campaigns loaded; load one with: gamigate campaign load FILE\n");
	} else {
		printf("%-40s %-6s %-6s %-8s %-19s %s\n", "ID", "ACTIVE", "LATEST", "VERSIONS",
		       "CHANGED (UTC)", "LOADED BY");
		for (size_t i = 0; i < n; i++) {
			char active[16];
			if (rows[i].active_version == 0)
				snprintf(active, sizeof(active), "-");
			else
				snprintf(active, sizeof(active), "%u", rows[i].active_version);
			printf("%-40s %-6s %-6u %-8u %-19.19s %s\n", rows[i].id, active,
			       rows[i].latest_version, rows[i].nversions, rows[i].updated_at,
			       rows[i].loaded_by);
		}
	}
	free(rows);
	db_conn_free(conn);
	db_library_end();
	config_free(cfg);
	return rc;
}

static int
campaign_stop(const struct cli *cli)
{
	struct db_settings s;
	struct db_error err = {0};
	enum campaigns_stop_result res = CAMPAIGNS_NO_SUCH;
	unsigned previous = 0;
	int rc = 0;

	if (cli->nwords != 3)
		return usage_error("campaign stop needs the id of one campaign",
		                   usage_campaign_stop);
	const char *id = cli->words[2];
	struct config *cfg = load_config(cli, 0);
	if (cfg == NULL)
		return 2;
	db_settings_from_config(cfg, &s);
	db_library_init();
	struct db_conn *conn = db_conn_new(&s);
	if (campaigns_stop(conn, id, &res, &previous, &err) < 0) {
		rc = campaign_db_failed(cfg, "stop", &err);
	} else if (res == CAMPAIGNS_NO_SUCH) {
		fprintf(stderr,
		        "gamigate campaign stop: no campaign \"%s\" is loaded (see gamigate "
		        "campaign list)\n",
		        id);
		rc = 2;
	} else if (res == CAMPAIGNS_NOT_ACTIVE) {
		printf("%s: not active; nothing changed\n", id);
	} else {
		printf("%s: stopped (version %u is no longer active)\n"
		       "Running nodes stop playing it on SIGHUP (see gamigate campaign reload "
		       "--help).\n",
		       id, previous);
	}
	db_conn_free(conn);
	db_library_end();
	config_free(cfg);
	return rc;
}

static int
cmd_campaign(const struct cli *cli)
{
	const char *what = cli->nwords > 1 ? cli->words[1] : NULL;
	if (what == NULL)
		return usage_error("campaign needs validate, load, list, stop or reload",
		                   usage_campaign);
	if (strcmp(what, "validate") == 0)
		return campaign_validate(cli);
	if (strcmp(what, "load") == 0)
		return campaign_load(cli);
	if (strcmp(what, "list") == 0)
		return campaign_list(cli);
	if (strcmp(what, "stop") == 0)
		return campaign_stop(cli);
	if (strcmp(what, "reload") == 0) {
		if (cli->nwords != 2)
			return usage_error("campaign reload takes no arguments",
			                   usage_campaign_reload);
		printf("gamigate campaign reload does not signal running nodes yet.\n"
		       "They read the active campaigns when they start and when they receive "
		       "SIGHUP:\nsend it to each node (e.g. kill -HUP <pid>, or systemctl reload "
		       "gamigate).\n");
		return 0;
	}
	return usage_error("campaign needs validate, load, list, stop or reload", usage_campaign);
}

/* ---- points and vouchers ---- */

static const char usage_points[] =
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

static const char usage_vouchers[] =
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

/* A database failure of a CLI command: the message, and where to look. Exit status 1. */
static int
cli_db_failed(const struct config *cfg, const char *what, const struct db_error *err)
{
	fprintf(stderr, "gamigate %s: %s\n", what, err->msg);
	if (err->code >= 2000 && err->code < 3000)
		print_db_hint(cfg);
	else if (err->code == 1146 || err->code == 1054)
		fprintf(stderr, "The schema is not up to date: run gamigate migrate first.\n");
	return 1;
}

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
points_expire(const struct cli *cli)
{
	struct expiry_options opt = {.now = time(NULL)};
	struct expire_progress prog = {0, isatty(2), 0};
	struct expiry_stats st;
	struct db_settings s;
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
			return usage_error("points expire takes --dry-run and --now ISO",
			                   usage_points);
		}
	}
	struct config *cfg = load_config(cli, 0);
	if (cfg == NULL)
		return 2;
	opt.progress = expire_progress;
	opt.progress_arg = &prog;
	db_settings_from_config(cfg, &s);
	db_library_init();
	struct db_conn *conn = db_conn_new(&s);
	if (expiry_load_campaigns(conn, cfg->game_timezone, &campaigns, &ncampaigns, &errors,
	                          &err) < 0) {
		rc = cli_db_failed(cfg, "points expire", &err);
		goto out;
	}
	if (errors.len > 0)
		fprintf(stderr,
		        "warning: active campaigns that no longer validate get no "
		        "warnings:\n%s",
		        buf_cstr(&errors));
	opt.campaigns = campaigns;
	opt.ncampaigns = ncampaigns;
	rc = expiry_run(conn, &opt, &st, &err);
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
		rc = cli_db_failed(cfg, "points expire", &err);
out:
	expiry_campaigns_free(campaigns, ncampaigns);
	buf_free(&errors);
	db_conn_free(conn);
	db_library_end();
	config_free(cfg);
	return rc;
}

static int
cmd_points(const struct cli *cli)
{
	if (cli->nwords < 2 || strcmp(cli->words[1], "expire") != 0)
		return usage_error("points needs expire", usage_points);
	return points_expire(cli);
}

static int
vouchers_import_file(const struct cli *cli)
{
	struct vouchers_file f;
	struct db_settings s;
	struct db_error err = {0};
	struct buf report = BUF_INIT;
	const char *why = NULL;
	long long imported = 0;
	int rc = 0;

	if (cli->nwords != 4)
		return usage_error("vouchers import needs a pool and a file", usage_vouchers);
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
	struct config *cfg = load_config(cli, 0);
	if (cfg == NULL) {
		vouchers_file_free(&f);
		return 2;
	}
	db_settings_from_config(cfg, &s);
	db_library_init();
	struct db_conn *conn = db_conn_new(&s);
	if (f.ncodes > 0 && vouchers_import(conn, pool, &f, &imported, &err) < 0)
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
		rc = cli_db_failed(cfg, "vouchers import", &err);
	} else if (imported == 0) {
		fprintf(stderr, "gamigate vouchers import: %s: nothing was imported (%s)\n", path,
		        f.ncodes > 0 ? "every code is in the pool already" : "no valid code");
		rc = 2;
	}
	buf_free(&report);
	vouchers_file_free(&f);
	db_conn_free(conn);
	db_library_end();
	config_free(cfg);
	return rc;
}

static int
vouchers_show_status(const struct cli *cli)
{
	struct db_settings s;
	struct db_error err = {0};
	struct vouchers_stock *rows = NULL;
	size_t n = 0;
	int rc = 0;

	if (cli->nwords != 2)
		return usage_error("vouchers status takes no arguments", usage_vouchers);
	struct config *cfg = load_config(cli, 0);
	if (cfg == NULL)
		return 2;
	db_settings_from_config(cfg, &s);
	db_library_init();
	struct db_conn *conn = db_conn_new(&s);
	if (vouchers_list(conn, &rows, &n, &err) < 0) {
		rc = cli_db_failed(cfg, "vouchers status", &err);
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
	db_conn_free(conn);
	db_library_end();
	config_free(cfg);
	return rc;
}

static int
cmd_vouchers(const struct cli *cli)
{
	const char *what = cli->nwords > 1 ? cli->words[1] : "";
	if (strcmp(what, "import") == 0)
		return vouchers_import_file(cli);
	if (strcmp(what, "status") == 0)
		return vouchers_show_status(cli);
	return usage_error("vouchers needs import or status", usage_vouchers);
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
			return fputs(campaign_usage(&cli), stdout), 0;
		return cmd_campaign(&cli);
	}
	if (strcmp(cmd, "points") == 0) {
		if (cli.help)
			return fputs(usage_points, stdout), 0;
		return cmd_points(&cli);
	}
	if (strcmp(cmd, "vouchers") == 0) {
		if (cli.help)
			return fputs(usage_vouchers, stdout), 0;
		return cmd_vouchers(&cli);
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
