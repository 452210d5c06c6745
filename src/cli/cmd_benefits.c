/* cmd_benefits.c - `cardless benefits`: placeholder until its issue lands; it has no verbs yet. */
#include "cli/cli.h"
#include "cli/cmds.h"

const struct cli_noun cli_noun_benefits = {"benefits", "proactive welfare eligibility: rules, evaluation, notices (not yet built)", NULL, 0};
