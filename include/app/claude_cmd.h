/* claude_cmd: the Claude Code subcommands. Each finds the running switchboard through the
 * state file and reads its master key and model names from the config it runs with.
 * argv[0] is the subcommand name; each returns the process exit status. */
#ifndef SB_CLAUDE_CMD_H
#define SB_CLAUDE_CMD_H

/* `switchboard claude [args...]`: execs `claude` from PATH with ANTHROPIC_BASE_URL, the token
 * and the model variables pointing at the running instance. Returns only on error (1). */
int claude_cmd_run(int argc, char **argv);
/* `switchboard configure-claude [--undo] [--url URL] [--key KEY]`: writes (or takes back) the
 * same settings in ~/.claude/settings.json and ~/.claude.json. 0, 1 on error, 2 bad usage. */
int claude_cmd_configure(int argc, char **argv);
/* `switchboard statusline`: one line for Claude Code's statusLine; prints nothing and
 * returns 0 when no instance runs. */
int claude_cmd_statusline(int argc, char **argv);

#endif
