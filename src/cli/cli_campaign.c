/*
 * cli_campaign — `gamigate campaign validate|load|list|stop|reload`. Validating needs
 * no database; load stores a valid file as the next version of its campaign (refusing
 * short codes another active campaign uses at overlapping dates), list and stop work on
 * the stored versions. Running nodes pick changes up on SIGHUP.
 *
 * Main thread only.
 */
#include "cli/cli_campaign.h"
#include "cmd/rules.h"
#include "cli/cli_reminder.h"
#include "core/buf.h"
#include "game/campaign.h"
#include "route/grammar.h"
#include "store/campaigns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The languages every campaign text must have. For now a constant; it will come from
 * the languages of templates/ once the daemon loads campaigns. */
static const char *const campaign_langs[] = {"fa", "en"};
#define N_CAMPAIGN_LANGS (sizeof(campaign_langs) / sizeof(campaign_langs[0]))

const char *
cli_campaign_usage(const struct cli *cli)
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
cli_campaign_check_file(const struct config *cfg, const char *path)
{
	struct buf errors = BUF_INIT;
	struct campaign *c = campaign_parse_file(path, cfg->game_timezone, campaign_langs,
	                                         N_CAMPAIGN_LANGS, &errors);
	if (c != NULL && c->grammar_json != NULL) {
		/* Its grammar additions, compiled over the grammar file of this config. */
		struct grammar *g = sms_rules_campaign_grammar(cfg, c, path, &errors);
		if (g == NULL) {
			campaign_free(c);
			c = NULL;
		}
		grammar_free(g);
	}
	if (c == NULL)
		fputs(buf_cstr(&errors), stderr);
	buf_free(&errors);
	if (c != NULL && cli_reminder_check_campaign(cfg, c, path) < 0) {
		campaign_free(c);
		c = NULL;
	}
	return c;
}

static int
cli_campaign_validate(const struct cli *cli)
{
	int bad = 0;
	if (cli->nwords < 3)
		return cli_usage_error("campaign validate needs at least one file",
		                       usage_campaign_validate);
	struct config *cfg = cli_load_config(cli, 0);
	if (cfg == NULL)
		return 2;
	for (int i = 2; i < cli->nwords; i++) {
		struct campaign *c = cli_campaign_check_file(cfg, cli->words[i]);
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

/* 1 when another active campaign shares a short code with c at overlapping dates
 * (printed); 0 none; -1 the database failed (err set). Stored campaigns that no longer
 * parse are reported as warnings and skipped. */
static int
cli_campaign_conflicts(struct db_conn *conn, const struct config *cfg, const struct campaign *c,
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
cli_campaign_load(const struct cli *cli)
{
	char who[129], host[64] = "";
	struct cli_db db;
	struct db_error err = {0};
	struct campaigns_stored r;
	int rc = 0;

	if (cli->nwords != 3)
		return cli_usage_error("campaign load needs exactly one file", usage_campaign_load);
	if (cli_db_open(cli, &db) < 0)
		return 2;
	struct campaign *c = cli_campaign_check_file(db.cfg, cli->words[2]);
	if (c == NULL) {
		fprintf(stderr, "gamigate campaign load: %s is invalid; nothing was stored\n",
		        cli->words[2]);
		cli_db_close(&db);
		return 2;
	}
	const char *user = getenv("USER");
	gethostname(host, sizeof(host) - 1);
	snprintf(who, sizeof(who), "%s@%s", user != NULL && user[0] != '\0' ? user : "unknown",
	         host[0] != '\0' ? host : "localhost");
	int conflict = cli_campaign_conflicts(db.conn, db.cfg, c, &err);
	if (conflict < 0) {
		rc = cli_db_failed(db.cfg, "campaign load", &err);
	} else if (conflict > 0) {
		rc = 2;
	} else if (campaigns_store(db.conn, c->id, c->source, who, &r, &err) < 0) {
		rc = cli_db_failed(db.cfg, "campaign load", &err);
	} else if (cli_reminder_store_campaign(db.conn, db.cfg, c, &err) < 0) {
		rc = cli_db_failed(db.cfg, "campaign load (its reminders)", &err);
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
	campaign_free(c);
	cli_db_close(&db);
	return rc;
}

static int
cli_campaign_list(const struct cli *cli)
{
	struct cli_db db;
	struct db_error err = {0};
	struct campaigns_row *rows = NULL;
	size_t n = 0;
	int rc = 0;

	if (cli->nwords != 2)
		return cli_usage_error("campaign list takes no arguments", usage_campaign_list);
	if (cli_db_open(cli, &db) < 0)
		return 2;
	if (campaigns_list(db.conn, &rows, &n, &err) < 0) {
		rc = cli_db_failed(db.cfg, "campaign list", &err);
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
	cli_db_close(&db);
	return rc;
}

static int
cli_campaign_stop(const struct cli *cli)
{
	struct cli_db db;
	struct db_error err = {0};
	enum campaigns_stop_result res = CAMPAIGNS_NO_SUCH;
	unsigned previous = 0;
	int rc = 0;

	if (cli->nwords != 3)
		return cli_usage_error("campaign stop needs the id of one campaign",
		                       usage_campaign_stop);
	const char *id = cli->words[2];
	if (cli_db_open(cli, &db) < 0)
		return 2;
	if (campaigns_stop(db.conn, id, &res, &previous, &err) < 0) {
		rc = cli_db_failed(db.cfg, "campaign stop", &err);
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
	cli_db_close(&db);
	return rc;
}

int
cli_campaign(const struct cli *cli)
{
	const char *what = cli->nwords > 1 ? cli->words[1] : NULL;
	if (what == NULL)
		return cli_usage_error("campaign needs validate, load, list, stop or reload",
		                       usage_campaign);
	if (strcmp(what, "validate") == 0)
		return cli_campaign_validate(cli);
	if (strcmp(what, "load") == 0)
		return cli_campaign_load(cli);
	if (strcmp(what, "list") == 0)
		return cli_campaign_list(cli);
	if (strcmp(what, "stop") == 0)
		return cli_campaign_stop(cli);
	if (strcmp(what, "reload") == 0) {
		if (cli->nwords != 2)
			return cli_usage_error("campaign reload takes no arguments",
			                       usage_campaign_reload);
		printf("gamigate campaign reload does not signal running nodes yet.\n"
		       "They read the active campaigns when they start and when they receive "
		       "SIGHUP:\nsend it to each node (e.g. kill -HUP <pid>, or systemctl reload "
		       "gamigate).\n");
		return 0;
	}
	return cli_usage_error("campaign needs validate, load, list, stop or reload",
	                       usage_campaign);
}
