/* cmds.h - the nouns of the `cardless` program, one per cmd_<noun>.c. */
#ifndef CARDLESS_CLI_CMDS_H
#define CARDLESS_CLI_CMDS_H

#include "cli/cli.h"

extern const struct cli_noun cli_noun_key; /* cmd_key.c: P-256 keys */
extern const struct cli_noun cli_noun_ca;  /* cmd_ca.c: IACA root and document signer */

#endif /* CARDLESS_CLI_CMDS_H */
