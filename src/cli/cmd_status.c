/* cmd_status.c - `cardless status`: placeholder until its issue lands; it has no verbs yet. */
#include "cli/cli.h"
#include "cli/cmds.h"

const struct cli_noun cli_noun_status = {"status", "token status lists: revoke and suspend credentials (not yet built)", NULL, 0};
