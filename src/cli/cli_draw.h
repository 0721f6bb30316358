/*
 * cli_draw — `gamigate draw commit|freeze|run|verify|audit|status`: verifiable lottery
 * draws from the command line (docs/draws.md). `draw verify --export FILE` works
 * offline, without a configuration or a database.
 *
 * Main thread only.
 */
#ifndef GAMIGATE_CLI_CLI_DRAW_H
#define GAMIGATE_CLI_CLI_DRAW_H

#include "cli/cli.h"

/* Runs `draw ...` (cli->words[0] is "draw"); returns the exit status. */
int cli_draw(const struct cli *cli);
/* The usage text for `draw [COMMAND] --help`; static, never NULL. */
const char *cli_draw_usage(const struct cli *cli);

#endif
