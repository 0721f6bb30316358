/*
 * cli_reminder — `gamigate reminder add|list|pause|resume|run-now|status`: reminders
 * stored, listed, paused and resumed, fired at once, and the progress of their runs.
 *
 * Main thread only.
 */
#ifndef GAMIGATE_CLI_CLI_REMINDER_H
#define GAMIGATE_CLI_CLI_REMINDER_H

#include "cli/cli.h"

/* Runs `reminder ...` (cli->words[0] is "reminder"); returns the exit status. */
int cli_reminder(const struct cli *cli);
struct campaign;

/* Checks the "reminders" array of campaign c (each item a reminder as in a reminder
 * file, its campaign and time zone defaulting to the campaign's); prints every problem
 * to stderr as "path: $.reminders[i]: field: what". 0 ok (or none), -1 problems. */
int cli_reminder_check_campaign(const struct config *cfg, const struct campaign *c,
                                const char *path);

/* Stores the campaign's reminders (after cli_reminder_check_campaign). The number stored,
 * or -1 with err. */
int cli_reminder_store_campaign(struct db_conn *conn, const struct config *cfg,
                                const struct campaign *c, struct db_error *err);

/* The usage text for `reminder [COMMAND] --help`; static, never NULL. */
const char *cli_reminder_usage(const struct cli *cli);

#endif
