/*
 * cli_game — the game's housekeeping commands: `gamigate points expire` and
 * `gamigate vouchers import|status`.
 *
 * Main thread only.
 */
#ifndef GAMIGATE_CLI_CLI_GAME_H
#define GAMIGATE_CLI_CLI_GAME_H

#include "cli/cli.h"

extern const char cli_game_points_usage[];
extern const char cli_game_vouchers_usage[];

/* Runs `points ...` (cli->words[0] is "points"); returns the exit status. */
int cli_game_points(const struct cli *cli);
/* Runs `vouchers ...` (cli->words[0] is "vouchers"); returns the exit status. */
int cli_game_vouchers(const struct cli *cli);

#endif
