/* cmd_sdjwt.c - `cardless sdjwt`: placeholder until its issue lands; it has no verbs yet. */
#include "cli/cli.h"
#include "cli/cmds.h"

const struct cli_noun cli_noun_sdjwt = {"sdjwt", "SD-JWT VC credentials: issue, present, verify (not yet built)", NULL, 0};
