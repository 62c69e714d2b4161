/* cli: the help text and the subcommand dispatch. The subcommands themselves live in
 * claude_cmd; this file only knows their names. */
#include "app/cli.h"

#include <string.h>

#include "app/claude_cmd.h"

static const char help_text[] =
    "usage: switchboard [options]\n"
    "       switchboard claude [claude args...]\n"
    "       switchboard configure-claude [--undo] [--url URL] [--key-file FILE]\n"
    "       switchboard statusline\n"
    "\n"
    "An LLM proxy for Claude Code and OpenAI clients: requests go to Cerebras first and to\n"
    "Z.AI when Cerebras is rate-limited or failing, translated between the Anthropic and\n"
    "OpenAI APIs, with a live dashboard. The config is LiteLLM's config.yaml.\n"
    "\n"
    "options:\n"
    "  -c, --config FILE    LiteLLM-format config (default ./config.yaml)\n"
    "      --env-file FILE  load provider keys from FILE first (default ./.env); variables\n"
    "                       already in the environment win\n"
    "      --host HOST      listen address (default: switchboard_settings.host, 127.0.0.1)\n"
    "  -p, --port N         listen port (default: switchboard_settings.port, 4000; the next\n"
    "                       free port if it is taken)\n"
    "      --headless       no dashboard: one log line per request on stdout (also what\n"
    "                       happens when not run in a terminal)\n"
    "      --demo           simulated Cerebras and Z.AI on loopback plus generated traffic;\n"
    "                       needs no keys and sends nothing off this machine\n"
    "      --log-file FILE  append one JSON line per request to FILE (with the dashboard the\n"
    "                       default is ~/.local/state/switchboard/switchboard.log)\n"
    "      --log-bodies     include request and response bodies in the log file\n"
    "      --grace SECONDS  at shutdown, how long open streams may finish (default 10)\n"
    "      --insecure       listen on a non-loopback address without a master key, or with\n"
    "                       a weak one (sk-1234, under 16 characters); refused otherwise\n"
    "      --check          validate the config (and .env), print what it sets up and exit:\n"
    "                       0 when valid, 2 with file:line:col when not\n"
    "      --online         with --check: ask each provider which models its key may use (no\n"
    "                       request spent) and show each deployment as offered or gone, with\n"
    "                       the line to write; exit 1 when a primary's model is gone\n"
    "  -h, --help           this text\n"
    "  -V, --version        print the version and exit\n"
    "\n"
    "commands:\n"
    "  claude [args...]     run Claude Code against the running switchboard (sets\n"
    "                       ANTHROPIC_BASE_URL, ANTHROPIC_AUTH_TOKEN and the model variables\n"
    "                       for that process only; your settings files are not touched)\n"
    "  configure-claude     make every Claude Code session use switchboard: merges an env\n"
    "                       block into ~/.claude/settings.json and sets hasCompletedOnboarding\n"
    "                       in ~/.claude.json, keeping other keys and backing both up first\n"
    "      --url URL        address to write (default: the running instance's, else\n"
    "                       http://127.0.0.1:4000)\n"
    "      --key-file FILE  read the token to write from FILE ('-': stdin; default: the\n"
    "                       config's master key, or LITELLM_MASTER_KEY)\n"
    "      --key KEY        the same, visible to `ps` and shell history (warns)\n"
    "      --undo           restore the files as they were before\n"
    "  statusline           one line for Claude Code's statusLine setting: who served the\n"
    "                       last request, cooldowns, requests per minute; prints nothing\n"
    "                       when switchboard is not running\n"
    "  help                 this text\n"
    "\n"
    "environment:\n"
    "  CEREBRAS_API_KEY, ZAI_API_KEY   provider keys named by the shipped config.yaml\n"
    "  LITELLM_MASTER_KEY              the key clients must send; overrides master_key\n"
    "\n"
    "signals: SIGHUP reloads the config (so do `R` in the dashboard and POST /admin/reload);\n"
    "SIGINT or SIGTERM stops after open streams finish, a second Ctrl-C stops at once.\n"
    "\n"
    "endpoints: POST /v1/messages, POST /v1/chat/completions, GET /v1/models, GET /health,\n"
    "GET /metrics, GET /admin/state, POST /admin/providers/{id}/enable|disable|reset,\n"
    "POST /admin/providers/{id}/model {\"model\":\"...\"} (writes it into the config file),\n"
    "POST /admin/fallback {\"force\":bool}, POST /admin/reload. All but /health need the\n"
    "master key when one is set; POSTs need Content-Type: application/json; requests from\n"
    "web pages (a foreign Origin or Host) are refused. A request with\n"
    "x-switchboard-force-fallback: 1 skips the primaries for itself only.\n";

void cli_print_help(FILE *out)
{
    fputs(help_text, out);
}

int cli_subcommand(int argc, char **argv)
{
    const char *cmd = argv[0];
    if (strcmp(cmd, "claude") == 0)
        return claude_cmd_run(argc, argv);
    if (strcmp(cmd, "configure-claude") == 0)
        return claude_cmd_configure(argc, argv);
    if (strcmp(cmd, "statusline") == 0)
        return claude_cmd_statusline(argc, argv);
    if (strcmp(cmd, "help") == 0) {
        cli_print_help(stdout);
        return 0;
    }
    fprintf(stderr, "error: unknown command '%s' (see --help)\n", cmd);
    return 2;
}
