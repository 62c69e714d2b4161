/* init_cmd: `switchboard init`, the first-run setup: asks for each provider's key (hidden
 * input in a terminal; one per line from standard input otherwise), checks it against the
 * provider's model list without spending quota, and writes the .env (0600) and a config.yaml
 * that uses the models the keys may use, to $XDG_CONFIG_HOME/switchboard/ (or --dir). Never
 * replaces an existing file unless the user says so (or --force), and keeps the old one.
 * Main thread only: it owns the terminal and the process's signal handlers while it asks. */
#ifndef SB_INIT_CMD_H
#define SB_INIT_CMD_H

/* argv[0] is "init". Returns the exit status: 0 done (or nothing to do), 1 nothing written (no
 * key, a refused key without a terminal, a file that could not be written), 2 usage. */
int init_cmd_run(int argc, char **argv);

#endif
