/*
 * cli — the helpers every subcommand of the command line shares: usage errors, the
 * configuration (file, environment, --set), and a database connection per command
 * with the hints printed when the database fails.
 *
 * Main thread only.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/log.h"

#include <stdio.h>
#include <unistd.h>

extern char **environ;

int
cli_usage_error(const char *msg, const char *usage)
{
	fprintf(stderr, "gamigate: %s\n\n%s", msg, usage);
	return 2;
}

struct config *
cli_load_config(const struct cli *cli, int need_complete)
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

void
cli_print_db_hint(const struct config *cfg)
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

int
cli_db_failed(const struct config *cfg, const char *what, const struct db_error *err)
{
	fprintf(stderr, "gamigate %s: %s\n", what, err->msg);
	/* 2000-2999: the client could not talk to the server; 1146 no such table, 1054 no
	 * such column: the schema is behind this binary. */
	if (err->code >= 2000 && err->code < 3000)
		cli_print_db_hint(cfg);
	else if (err->code == 1146 || err->code == 1054)
		fprintf(stderr, "The schema is not up to date: run gamigate migrate first.\n");
	return 1;
}

int
cli_db_open(const struct cli *cli, struct cli_db *db_r)
{
	struct db_settings s;

	db_r->conn = NULL;
	db_r->cfg = cli_load_config(cli, 0);
	if (db_r->cfg == NULL)
		return -1;
	db_settings_from_config(db_r->cfg, &s);
	db_library_init();
	db_r->conn = db_conn_new(&s);
	return 0;
}

void
cli_db_close(struct cli_db *db)
{
	db_conn_free(db->conn);
	db_library_end();
	config_free(db->cfg);
	db->conn = NULL;
	db->cfg = NULL;
}
