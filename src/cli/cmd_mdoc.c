/* cmd_mdoc.c - `cardless mdoc`: placeholder until its issue lands; it has no verbs yet. */
#include "cli/cli.h"
#include "cli/cmds.h"

const struct cli_noun cli_noun_mdoc = {"mdoc", "ISO/IEC 18013-5 mobile documents: issue, present, verify (not yet built)", NULL, 0};
