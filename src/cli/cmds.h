/* cmds.h - the nouns of the `cardless` program, one per cmd_<noun>.c. */
#ifndef CARDLESS_CLI_CMDS_H
#define CARDLESS_CLI_CMDS_H

#include "cli/cli.h"

extern const struct cli_noun cli_noun_key; /* cmd_key.c: P-256 keys */
extern const struct cli_noun cli_noun_ca;  /* cmd_ca.c: IACA root and document signer */
extern const struct cli_noun cli_noun_mdoc;     /* cmd_mdoc.c: ISO 18013-5 mdoc */
extern const struct cli_noun cli_noun_sdjwt;    /* cmd_sdjwt.c: SD-JWT VC */
extern const struct cli_noun cli_noun_status;   /* cmd_status.c: token status lists */
extern const struct cli_noun cli_noun_benefits; /* cmd_benefits.c: welfare eligibility */

/* cmd_mdoc_session.c: the two ends of a proximity session (ISO 18013-5 §9.1.1), verbs of mdoc */
int cli_mdoc_serve_holder(int argc, char **argv);
int cli_mdoc_read(int argc, char **argv);

#endif /* CARDLESS_CLI_CMDS_H */
