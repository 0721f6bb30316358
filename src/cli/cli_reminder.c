/*
 * cli_reminder — `gamigate reminder ...` (see cli_reminder.h). Running nodes fire and
 * materialise reminders (the scheduler runs on every node; the database decides who
 * does what); these commands change the stored reminders and read the progress.
 *
 * Main thread only.
 */
#include "cli/cli_reminder.h"
#include "core/buf.h"
#include "core/tz.h"
#include "core/xalloc.h"
#include "game/campaign.h"
#include "send/reminder.h"
#include "send/scheduler.h"
#include "store/reminders.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage_reminder[] =
    "usage: gamigate [-c FILE] [--set K=V]... reminder add|list|pause|resume|run-now|status\n"
    "\n"
    "  add FILE        check a reminder file and store it (replacing one with its id)\n"
    "  list            every reminder: status, next firing, schedule, segment\n"
    "  pause ID        stop firing ID (a run in progress finishes)\n"
    "  resume ID       fire ID again from its next scheduled time\n"
    "  run-now ID      fire ID once now (running nodes materialise and send it)\n"
    "  status [ID] [--watch]  queued/sent/delivered/failed per run, with a progress bar\n"
    "                  on a terminal; --watch refreshes every second until all are done\n"
    "\n"
    "The reminder file format is in README.md (section \"Reminders\"). Running nodes\n"
    "(gamigate serve) fire due reminders, materialise their segment into the outbox in\n"
    "batches and send them; `gamigate reminder COMMAND --help` tells more.\n";

static const char usage_add[] =
    "usage: gamigate [-c FILE] [--set K=V]... reminder add FILE\n"
    "\n"
    "Checks FILE (JSON: id, schedule, segment, text per language; see README.md) and\n"
    "stores it, active. Every mistake is printed with its JSON path. A schedule that\n"
    "never fires (a time in the past, a cron line for 30 February) is refused.\n"
    "\n"
    "Exit status: 0 stored, 1 the database failed, 2 the file is invalid.\n";

static const char usage_list[] = "usage: gamigate [-c FILE] [--set K=V]... reminder list\n"
                                 "\n"
                                 "Lists every reminder: id, status (active, paused, done),\n"
                                 "next firing (UTC), campaign.\n";

static const char usage_pause[] =
    "usage: gamigate [-c FILE] [--set K=V]... reminder pause|resume ID\n"
    "\n"
    "pause: ID fires no more until resumed (a run already started finishes).\n"
    "resume: ID fires again from the next time its schedule gives.\n"
    "\n"
    "Exit status: 0 done, 1 the database failed, 2 no such reminder.\n";

static const char usage_run_now[] =
    "usage: gamigate [-c FILE] [--set K=V]... reminder run-now ID\n"
    "\n"
    "Starts a run of ID now, whatever its schedule says; running nodes materialise it\n"
    "into the outbox within a second or two and send it. Follow it with\n"
    "`gamigate reminder status ID --watch`.\n"
    "\n"
    "Exit status: 0 started, 1 the database failed, 2 no such reminder.\n";

static const char usage_status[] =
    "usage: gamigate [-c FILE] [--set K=V]... reminder status [ID] [--watch]\n"
    "\n"
    "The last 20 runs (of ID, or of all reminders): members materialised, refused by a\n"
    "policy, and their outbox rows queued, sent, delivered and failed, with a progress\n"
    "bar when the output is a terminal. --watch refreshes every second until every run\n"
    "is done and nothing is left to send (Ctrl-C stops watching, not the run).\n";

const char *
cli_reminder_usage(const struct cli *cli)
{
	const char *what = cli->nwords > 1 ? cli->words[1] : "";
	if (strcmp(what, "add") == 0)
		return usage_add;
	if (strcmp(what, "list") == 0)
		return usage_list;
	if (strcmp(what, "pause") == 0 || strcmp(what, "resume") == 0)
		return usage_pause;
	if (strcmp(what, "run-now") == 0)
		return usage_run_now;
	if (strcmp(what, "status") == 0)
		return usage_status;
	return usage_reminder;
}

struct opts_hold {
	struct tz *tz;
	struct policy policy;
	struct outbox_env env;
	struct scheduler_opts o;
};

static void
opts_init(struct opts_hold *h, const struct config *cfg)
{
	const char *why = NULL;
	memset(h, 0, sizeof(*h));
	if (tz_load(cfg->game_timezone, &h->tz, &why) < 0)
		tz_load("UTC", &h->tz, &why);
	h->policy.tz = h->tz;
	policy_parse_hhmm(cfg->outbox_quiet_start, &h->policy.quiet_start_min);
	policy_parse_hhmm(cfg->outbox_quiet_end, &h->policy.quiet_end_min);
	h->policy.promo_daily_cap = (long)cfg->outbox_promo_daily_cap;
	h->env.policy = &h->policy;
	h->env.default_lang = cfg->sms_default_lang;
	h->env.expire_s = (long)cfg->outbox_expire_s;
	h->env.max_segments = (unsigned)cfg->sms_max_segments;
	h->o.owner = "cli";
	h->o.langs = scheduler_langs;
	h->o.nlangs = scheduler_nlangs;
	h->o.default_tz = cfg->game_timezone;
	h->o.env = &h->env;
	h->o.now = time(NULL);
}

static char *
read_file(const char *path, size_t *len_r)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < 1024 * 1024)
		buf_append(&b, chunk, n);
	fclose(f);
	*len_r = b.len;
	return b.data != NULL ? b.data : xstrdup("");
}

static int
cmd_add(const struct cli *cli)
{
	if (cli->nwords != 3)
		return cli_usage_error("reminder add needs one FILE", usage_add);
	const char *path = cli->words[2];
	size_t len = 0;
	char *text = read_file(path, &len);
	if (text == NULL) {
		fprintf(stderr, "gamigate reminder add: cannot read %s; check the path\n", path);
		return 2;
	}
	struct cli_db db;
	if (cli_db_open(cli, &db) < 0) {
		free(text);
		return 2;
	}
	struct opts_hold h;
	struct buf errors = BUF_INIT;
	struct db_error err = {0};
	char id[41] = "";
	opts_init(&h, db.cfg);
	enum scheduler_result r = scheduler_add(db.conn, &h.o, text, len, path, id, &errors, &err);
	int rc = 0;
	if (r == SCHEDULER_INVALID) {
		fprintf(stderr, "%s", buf_cstr(&errors));
		fprintf(stderr, "gamigate reminder add: %s is not valid; nothing was stored\n",
		        path);
		rc = 2;
	} else if (r == SCHEDULER_DB) {
		rc = cli_db_failed(db.cfg, "reminder add", &err);
	} else {
		struct reminder_row row;
		if (reminders_get(db.conn, id, &row, &err) == 1) {
			printf("reminder %s stored, active; next firing %s\n", id,
			       row.next_run_at[0] != '\0' ? row.next_run_at : "never");
			free(row.definition);
		}
	}
	buf_free(&errors);
	tz_free(h.tz);
	free(text);
	cli_db_close(&db);
	return rc;
}

static void
print_row(const struct reminder_row *r, void *arg)
{
	(*(int *)arg)++;
	printf("%-24s %-8s next %-22s %s\n", r->id, r->status,
	       r->next_run_at[0] != '\0' ? r->next_run_at : "-",
	       r->campaign_id[0] != '\0' ? r->campaign_id : "-");
}

static int
cmd_list(const struct cli *cli)
{
	if (cli->nwords != 2)
		return cli_usage_error("reminder list takes no arguments", usage_list);
	struct cli_db db;
	struct db_error err = {0};
	int n = 0, rc = 0;
	if (cli_db_open(cli, &db) < 0)
		return 2;
	if (reminders_list(db.conn, print_row, &n, &err) < 0)
		rc = cli_db_failed(db.cfg, "reminder list", &err);
	else if (n == 0)
		printf("no reminders; add one with: gamigate reminder add FILE\n");
	cli_db_close(&db);
	return rc;
}

static int
cmd_change(const struct cli *cli, const char *what)
{
	const char *usage = strcmp(what, "run-now") == 0 ? usage_run_now : usage_pause;
	if (cli->nwords != 3)
		return cli_usage_error("this command needs one reminder ID", usage);
	const char *id = cli->words[2];
	struct cli_db db;
	struct db_error err = {0};
	struct opts_hold h;
	int rc = 0;
	if (cli_db_open(cli, &db) < 0)
		return 2;
	opts_init(&h, db.cfg);
	enum scheduler_result r;
	if (strcmp(what, "pause") == 0)
		r = scheduler_pause(db.conn, id, &err);
	else if (strcmp(what, "resume") == 0)
		r = scheduler_resume(db.conn, &h.o, id, &err);
	else
		r = scheduler_run_now(db.conn, id, time(NULL), &err);
	if (r == SCHEDULER_DB) {
		rc = cli_db_failed(db.cfg, "reminder", &err);
	} else if (r == SCHEDULER_NOT_FOUND) {
		fprintf(stderr,
		        "gamigate reminder %s: no reminder \"%s\"; see gamigate reminder list\n",
		        what, id);
		rc = 2;
	} else if (strcmp(what, "run-now") == 0) {
		printf("reminder %s: run started; follow it with: gamigate reminder status %s "
		       "--watch\n",
		       id, id);
	} else {
		printf("reminder %s: %s\n", id, strcmp(what, "pause") == 0 ? "paused" : "resumed");
	}
	tz_free(h.tz);
	cli_db_close(&db);
	return rc;
}

struct status_print {
	int tty;
	int runs;
	int open; /* runs not done, or rows still to send */
};

static void
print_status(const struct reminder_run_status *s, void *arg)
{
	struct status_print *p = arg;
	long long finished = s->sent + s->delivered + s->failed + s->expired;
	long long total = s->queued + s->sending + finished;
	p->runs++;
	if (strcmp(s->status, "done") != 0 || s->queued + s->sending > 0)
		p->open++;
	printf("run %lld  %-20s %s  %-7s members %lld (refused %lld)  queued %lld  sent %lld  "
	       "delivered %lld  failed %lld\n",
	       s->id, s->reminder_id, s->scheduled_for, s->status, s->members, s->refused,
	       s->queued + s->sending, s->sent, s->delivered, s->failed + s->expired);
	if (p->tty && total > 0) {
		int width = 40, filled = (int)(finished * width / total);
		char bar[41];
		for (int i = 0; i < width; i++)
			bar[i] = i < filled ? '#' : '.';
		bar[width] = '\0';
		printf("    [%s] %3lld%%\n", bar, finished * 100 / total);
	}
}

static int
cmd_status(const struct cli *cli)
{
	const char *id = "";
	int watch = 0;
	for (int i = 2; i < cli->nwords; i++) {
		if (strcmp(cli->words[i], "--watch") == 0)
			watch = 1;
		else if (id[0] == '\0' && cli->words[i][0] != '-')
			id = cli->words[i];
		else
			return cli_usage_error("unknown argument to reminder status", usage_status);
	}
	struct cli_db db;
	struct db_error err = {0};
	int rc = 0;
	if (cli_db_open(cli, &db) < 0)
		return 2;
	for (;;) {
		struct status_print p = {isatty(STDOUT_FILENO), 0, 0};
		if (watch && p.tty)
			printf("\033[H\033[2J");
		if (reminders_runs(db.conn, id, 20, print_status, &p, &err) < 0) {
			rc = cli_db_failed(db.cfg, "reminder status", &err);
			break;
		}
		if (p.runs == 0)
			printf("no runs yet%s%s\n", id[0] != '\0' ? " of " : "", id);
		fflush(stdout);
		if (!watch || p.open == 0)
			break;
		sleep(1);
	}
	cli_db_close(&db);
	return rc;
}

/* Calls fn for each item of c's "reminders", as JSON text with the campaign's id and
 * zone filled in where the item has none. The number of items, or -1 when fn failed. */
static int
campaign_reminders(const struct campaign *c, int (*fn)(const char *json, unsigned i, void *arg),
                   void *arg)
{
	json_t *root = json_loads(c->source, 0, NULL);
	json_t *list = root != NULL ? json_object_get(root, "reminders") : NULL;
	int n = 0, failed = 0;
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item)
	{
		json_t *copy = json_deep_copy(item);
		if (json_is_object(copy)) {
			if (json_object_get(copy, "campaign") == NULL)
				json_object_set_new(copy, "campaign", json_string(c->id));
			if (json_object_get(copy, "timezone") == NULL)
				json_object_set_new(copy, "timezone", json_string(c->timezone));
		}
		char *text =
		    json_dumps(copy != NULL ? copy : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
		if (fn(text != NULL ? text : "null", (unsigned)i, arg) < 0)
			failed = 1;
		free(text);
		json_decref(copy);
		n++;
	}
	json_decref(root);
	return failed ? -1 : n;
}

struct campaign_check {
	const struct config *cfg;
	const char *path;
	struct buf errors;
};

static int
check_one(const char *json, unsigned i, void *arg)
{
	struct campaign_check *k = arg;
	char where[600];
	snprintf(where, sizeof(where), "%s: $.reminders[%u]", k->path, i);
	struct reminder *r =
	    reminder_parse(json, strlen(json), where, scheduler_langs, scheduler_nlangs,
	                   k->cfg->game_timezone, time(NULL), &k->errors);
	reminder_free(r);
	return r != NULL ? 0 : -1;
}

int
cli_reminder_check_campaign(const struct config *cfg, const struct campaign *c, const char *path)
{
	struct campaign_check k = {cfg, path, BUF_INIT};
	json_t *root = json_loads(c->source, 0, NULL);
	json_t *list = root != NULL ? json_object_get(root, "reminders") : NULL;
	int rc = 0;
	if (list != NULL && !json_is_array(list)) {
		fprintf(stderr,
		        "%s: $.reminders: expected a list of reminders (README.md, "
		        "\"Reminders\")\n",
		        path);
		rc = -1;
	} else if (campaign_reminders(c, check_one, &k) < 0) {
		fputs(buf_cstr(&k.errors), stderr);
		rc = -1;
	}
	json_decref(root);
	buf_free(&k.errors);
	return rc;
}

struct campaign_store {
	struct db_conn *conn;
	struct opts_hold h;
	struct db_error *err;
};

static int
store_one(const char *json, unsigned i, void *arg)
{
	struct campaign_store *k = arg;
	struct buf errors = BUF_INIT;
	char id[41];
	(void)i;
	enum scheduler_result r =
	    scheduler_add(k->conn, &k->h.o, json, strlen(json), "campaign", id, &errors, k->err);
	buf_free(&errors);
	return r == SCHEDULER_OK ? 0 : -1;
}

int
cli_reminder_store_campaign(struct db_conn *conn, const struct config *cfg,
                            const struct campaign *c, struct db_error *err)
{
	struct campaign_store k = {.conn = conn, .err = err};
	opts_init(&k.h, cfg);
	int n = campaign_reminders(c, store_one, &k);
	tz_free(k.h.tz);
	return n;
}

int
cli_reminder(const struct cli *cli)
{
	const char *what = cli->nwords > 1 ? cli->words[1] : "";
	if (strcmp(what, "add") == 0)
		return cmd_add(cli);
	if (strcmp(what, "list") == 0)
		return cmd_list(cli);
	if (strcmp(what, "pause") == 0 || strcmp(what, "resume") == 0 ||
	    strcmp(what, "run-now") == 0)
		return cmd_change(cli, what);
	if (strcmp(what, "status") == 0)
		return cmd_status(cli);
	return cli_usage_error("reminder needs add, list, pause, resume, run-now or status",
	                       usage_reminder);
}
