/* cli: the help text and the subcommands (claude, configure-claude, statusline). */
#ifndef SB_CLI_H
#define SB_CLI_H

#include <stdio.h>

void cli_print_help(FILE *out);
/* argv[0] is the subcommand name. Returns the exit status. */
int cli_subcommand(int argc, char **argv);

#endif
