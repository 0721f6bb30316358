/*
 * cli_points — support's corrections to a balance (points adjust, points reverse) and
 * the tier review by hand (tiers review). Main thread only.
 */
#ifndef GAMIGATE_CLI_CLI_POINTS_H
#define GAMIGATE_CLI_CLI_POINTS_H

#include "cli/cli.h"

extern const char cli_points_adjust_usage[];
extern const char cli_points_reverse_usage[];
extern const char cli_tiers_usage[];

/* The help text of `points ... --help`: the subcommand's, else all of them. */
const char *cli_points_usage(const struct cli *cli);

/* gamigate points adjust|reverse ...; the exit status. */
int cli_points_adjust(const struct cli *cli);
int cli_points_reverse(const struct cli *cli);
/* gamigate tiers review ...; the exit status. */
int cli_tiers(const struct cli *cli);

#endif
