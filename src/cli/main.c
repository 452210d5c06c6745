/*
 * main.c - the `cardless` program: `cardless <noun> <verb> [options]`, --help at every level.
 * Each noun lives in cmd_<noun>.c and exports its verb table.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmds.h"

#include "base/banned.h"

static const struct cli_noun *const nouns[] = {
    &cli_noun_key,
    &cli_noun_ca,
    &cli_noun_mdoc,
    &cli_noun_sdjwt,
    &cli_noun_status,
    &cli_noun_benefits,
};

static void
usage(FILE *f)
{
    fprintf(f,
            "Usage: %s <noun> <verb> [options]\n"
            "National ID credentials in wallets (ISO 18013-5 mdoc, SD-JWT VC) and\n"
            "proactive welfare eligibility.\n\nNouns:\n",
            CLI_PROG);
    for (size_t i = 0; i < sizeof nouns / sizeof nouns[0]; i++)
        fprintf(f, "  %-10s %s\n", nouns[i]->name, nouns[i]->summary);
    fprintf(f,
            "\nRun '%s <noun> --help' for its verbs. Exit status: 0 success, 1 a\n"
            "verification failed or input data was invalid, 2 usage or I/O error.\n",
            CLI_PROG);
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("%s %s\n", CLI_PROG, CARDLESS_VERSION);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof nouns / sizeof nouns[0]; i++)
        if (strcmp(argv[1], nouns[i]->name) == 0)
            return cli_dispatch_verbs(nouns[i], argc - 1, argv + 1);
    fprintf(stderr, "%s: unknown command '%s' (see '%s --help')\n", CLI_PROG, argv[1], CLI_PROG);
    return CLI_USAGE;
}
