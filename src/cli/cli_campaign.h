/*
 * cli_campaign — `gamigate campaign validate|load|list|stop|reload`: campaign files
 * checked, stored as versions in the database, listed and stopped.
 *
 * Main thread only.
 */
#ifndef GAMIGATE_CLI_CLI_CAMPAIGN_H
#define GAMIGATE_CLI_CLI_CAMPAIGN_H

#include "cli/cli.h"

/* Runs `campaign ...` (cli->words[0] is "campaign"); returns the exit status. */
int cli_campaign(const struct cli *cli);
/* The usage text for `campaign [COMMAND] --help`; static, never NULL. */
const char *cli_campaign_usage(const struct cli *cli);

#endif
