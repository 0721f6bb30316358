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
/* The usage text for `reminder [COMMAND] --help`; static, never NULL. */
const char *cli_reminder_usage(const struct cli *cli);

#endif
