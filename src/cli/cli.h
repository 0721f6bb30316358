/*
 * cli — what the subcommands of the gamigate command line share: the parsed command
 * line, usage errors, loading the configuration, and opening the database for one
 * command (and explaining its failures).
 *
 * Exit status convention of every subcommand: 0 ok, 1 the work failed (e.g. the
 * database is unreachable), 2 the command line or the configuration is wrong.
 *
 * Main thread only (the command line is single-threaded).
 */
#ifndef GAMIGATE_CLI_CLI_H
#define GAMIGATE_CLI_CLI_H

#include "core/config.h"
#include "store/db.h"

#define CLI_MAX_SETS  128
#define CLI_MAX_WORDS 64

struct cli {
	const char *config_path; /* NULL = look in the usual places */
	const char *sets[CLI_MAX_SETS];
	int nsets;
	const char *words[CLI_MAX_WORDS]; /* command words and their own flags */
	int nwords;
	int help;
};

/* A command's configuration and its database connection (not connected until used). */
struct cli_db {
	struct config *cfg;
	struct db_conn *conn;
};

/* Prints "gamigate: msg" and the usage text to stderr; returns 2 (the exit status). */
int cli_usage_error(const char *msg, const char *usage);

/* Loads the configuration (file, environment, --set; config_finish when need_complete)
 * and sets up logging. NULL when there are problems: every one is printed. The caller
 * owns the result (config_free). */
struct config *cli_load_config(const struct cli *cli, int need_complete);

/* Prints where the database was looked for, and how to start the development one. */
void cli_print_db_hint(const struct config *cfg);

/* A database failure of a command: "gamigate WHAT: message", and where to look.
 * Returns 1 (the exit status). */
int cli_db_failed(const struct config *cfg, const char *what, const struct db_error *err);

/* Loads the configuration (not requiring completeness) and makes the database connection
 * of one command. 0 ok (close with cli_db_close); -1 the configuration has problems
 * (printed; nothing to close, exit status 2). */
int cli_db_open(const struct cli *cli, struct cli_db *db_r);
/* Frees the connection, ends the database library and frees the configuration. */
void cli_db_close(struct cli_db *db);

#endif
