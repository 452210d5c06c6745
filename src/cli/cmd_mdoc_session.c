/* cmd_mdoc_session.c - `cardless mdoc serve-holder|read`: placeholder until session encryption lands. */
#include "cli/cli.h"
#include "cli/cmds.h"

int
cli_mdoc_serve_holder(int argc, char **argv)
{
    (void)argc;
    return cli_usage_error(argv[0], "proximity sessions are not built yet");
}

int
cli_mdoc_read(int argc, char **argv)
{
    (void)argc;
    return cli_usage_error(argv[0], "proximity sessions are not built yet");
}
