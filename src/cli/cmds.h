/* cmds.h - the nouns of the `cardless` program, one per cmd_<noun>.c. */
#ifndef CARDLESS_CLI_CMDS_H
#define CARDLESS_CLI_CMDS_H

#include "cli/cli.h"

extern const struct cli_noun cli_noun_key;      /* cmd_key.c: P-256 keys */
extern const struct cli_noun cli_noun_ca;       /* cmd_ca.c: IACA root and document signer */
extern const struct cli_noun cli_noun_mdoc;     /* cmd_mdoc.c: ISO 18013-5 mdoc */
extern const struct cli_noun cli_noun_sdjwt;    /* cmd_sdjwt.c: SD-JWT VC */
extern const struct cli_noun cli_noun_status;   /* cmd_status.c: token status lists */
extern const struct cli_noun cli_noun_benefits; /* cmd_benefits.c: welfare eligibility */

/* cmd_mdoc_session.c: the two ends of a proximity session (ISO 18013-5 §9.1.1), verbs of mdoc */
int cli_mdoc_serve_holder(int argc, char **argv);
int cli_mdoc_read(int argc, char **argv);

/* cmd_mdoc.c: --disclose of mdoc present, --elements of mdoc request and mdoc read */
struct cl_mdoc_sel;
/** Split "NS/ELEMENT[,NS/ELEMENT...]" into selections; the element is after the last '/'. */
cl_err cli_mdoc_split_elements(struct cl_arena *a, const char *list, struct cl_mdoc_sel **out,
                               size_t *n, struct cl_error *err);

/* cmd_mdoc.c: --status-list for mdoc verify and mdoc read (the MSO's status_list {idx, uri}) */
struct cli_mdoc_status;
struct cl_key;
struct cl_mdoc_verified;
struct cl_x509_list;
/** Read the lists (and --status-key); *out stays NULL when n is 0. */
cl_err cli_mdoc_status_load(struct cl_arena *a, const char *const *paths, size_t n,
                            const char *key_path, const struct cl_x509_list *anchors,
                            int64_t leeway, struct cli_mdoc_status **out, struct cl_error *err);
/** status[i] gets document i's {"idx", "uri", "checked", ["value", "name"]} or NULL (owned);
 * the first failure (list does not verify, entry not VALID) is returned in err. */
cl_err cli_mdoc_status_check(struct cl_arena *a, const struct cli_mdoc_status *st,
                             const struct cl_mdoc_verified *docs, size_t n, int64_t at,
                             json_t **status, struct cl_error *err);

#endif /* CARDLESS_CLI_CMDS_H */
