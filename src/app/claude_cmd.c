/* claude_cmd: `switchboard claude`, `configure-claude` and `statusline`. They find the running
 * instance through the state file, read its config for the master key and model names, and
 * talk to it over loopback. They never touch the instance itself. */
#include "app/claude_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>
#include <curl/curl.h>

#include "app/claude_settings.h"
#include "app/statefile.h"
#include "config/config.h"
#include "config/env.h"
#include "core/buf.h"
#include "core/json.h"

#define DEFAULT_URL    "http://127.0.0.1:4000"
#define NO_KEY_TOKEN   "switchboard" /* Claude Code wants some token even when none is checked */
#define STATE_CAP      (8u << 20)
#define STATUS_TIMEOUT 300L
#define CHECK_TIMEOUT  2000L

/* What Claude Code needs to know about a switchboard. */
struct setup {
    char url[160];
    char token[256]; /* master key; "" when the instance checks none */
    char sonnet[64];
    char haiku[64]; /* "" when no group fits */
    bool demo;
    long window; /* input tokens the main model group takes (its /v1/models); 0 = not known */
};

static void setup_defaults(struct setup *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->url, sizeof s->url, "%s", DEFAULT_URL);
    snprintf(s->sonnet, sizeof s->sonnet, "glm-4.6");
    snprintf(s->haiku, sizeof s->haiku, "glm-4.5-air");
}

/* The main model: the shipped glm-4.6, else the first group with fallbacks, else what a
 * sonnet name resolves to. The small one only when the config names one. */
static void pick_models(const struct config *c, struct setup *s)
{
    const char *big = config_has_group(c, "glm-4.6") ? "glm-4.6" : NULL;
    for (size_t i = 0; !big && i < c->n_fallbacks; i++)
        if (config_has_group(c, c->fallbacks[i].from))
            big = c->fallbacks[i].from;
    if (!big)
        big = config_resolve_model(c, "claude-sonnet-4-5");
    if (!big && c->n_deps > 0)
        big = c->deps[0].group;
    const char *small = config_has_group(c, "glm-4.5-air")
                            ? "glm-4.5-air"
                            : config_resolve_model(c, "claude-haiku-4-5");
    if (small && big && strcmp(small, big) == 0)
        small = NULL;
    snprintf(s->sonnet, sizeof s->sonnet, "%s", big ? big : "glm-4.6");
    snprintf(s->haiku, sizeof s->haiku, "%s", small ? small : "");
}

/* Reads the master key and models from a config file, with the .env beside it (the instance
 * resolved os.environ/ references the same way). The environment is not touched: the
 * provider keys a .env holds must not reach Claude Code, whose tools run with its
 * environment. */
static void read_config(struct setup *s, const char *path, const char *env_dir, bool quiet)
{
    char env_path[PATH_MAX + 8], err[CONFIG_ERR_LEN];
    struct env_vars *dotenv = NULL;
    if (env_dir && *env_dir) {
        snprintf(env_path, sizeof env_path, "%s/.env", env_dir);
        dotenv = env_vars_read(env_path, NULL);
    }
    struct config *c = config_load_env(path, dotenv, NULL, NULL, err);
    const char *k = env_lookup(dotenv, "LITELLM_MASTER_KEY");
    if (c)
        snprintf(s->token, sizeof s->token, "%s", c->master_key ? c->master_key : "");
    else
        snprintf(s->token, sizeof s->token, "%s", k ? k : "");
    if (c)
        pick_models(c, s);
    else if (!quiet)
        fprintf(stderr, "warning: cannot read the config (%s); using the default model names\n",
                err);
    config_free(c);
    env_vars_free(dotenv);
}

/* The running instance's setup. Its config path may be relative to its own working
 * directory, which /proc tells us. -ENOENT when none runs. */
static int find_instance(struct setup *s, bool quiet)
{
    struct statefile_info sf;
    setup_defaults(s);
    int rc = statefile_read(&sf);
    if (rc == -EPERM && !quiet)
        fprintf(stderr, "warning: not trusting the state file: %s\n", sf.problem);
    if (rc != 0 || !sf.url[0])
        return -ENOENT;
    snprintf(s->url, sizeof s->url, "%s", sf.url);
    s->demo = sf.demo;
    if (sf.demo)
        return 0; /* built-in config: the default models, no master key */
    char link[64], cwd[PATH_MAX] = "", path[PATH_MAX * 2];
    snprintf(link, sizeof link, "/proc/%d/cwd", sf.pid);
    ssize_t n = readlink(link, cwd, sizeof cwd - 1);
    cwd[n > 0 ? n : 0] = '\0';
    if (sf.config[0] == '/' || !cwd[0])
        snprintf(path, sizeof path, "%s", sf.config);
    else
        snprintf(path, sizeof path, "%s/%s", cwd, sf.config);
    read_config(s, path, cwd, quiet);
    return 0;
}

/* ---- talking to the instance ---- */

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    return buf_append(ud, p, size * n) == 0 ? size * n : 0;
}

/* GET <url><path>. Returns the HTTP status, 0 when it could not be reached. */
static long fetch_path(const struct setup *s, const char *path, long timeout_ms, struct buf *body)
{
    char url[200], auth[300];
    CURL *h = curl_easy_init();
    if (!h)
        return 0;
    struct curl_slist *hdrs = NULL;
    if (s->token[0]) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", s->token);
        hdrs = curl_slist_append(NULL, auth);
    }
    snprintf(url, sizeof url, "%s%s", s->url, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return status;
}

static long fetch_state(const struct setup *s, long timeout_ms, struct buf *body)
{
    return fetch_path(s, "/admin/state", timeout_ms, body);
}

/* The main group's input window from the instance's /v1/models (discovery and config know it;
 * Claude Code otherwise assumes one for a model name it does not know). */
static void read_window(struct setup *s)
{
    struct buf b;
    buf_init(&b, STATE_CAP);
    if (fetch_path(s, "/v1/models", CHECK_TIMEOUT, &b) == 200) {
        cJSON *j = json_parse(b.data ? b.data : "", b.len), *m;
        cJSON_ArrayForEach(m, json_arr(j, "data"))
        {
            const char *id = json_str(m, "id");
            if (id && strcmp(id, s->sonnet) == 0)
                s->window = (long)json_num(m, "max_input_tokens", 0);
        }
        cJSON_Delete(j);
    }
    buf_release(&b);
}

/* Warns when the instance does not answer or refuses the token we are about to hand out, and
 * learns the main model's window. */
static void check_token(struct setup *s)
{
    struct buf b;
    buf_init(&b, STATE_CAP);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    long status = fetch_state(s, CHECK_TIMEOUT, &b);
    if (status == 200)
        read_window(s);
    curl_global_cleanup();
    buf_release(&b);
    if (status == 0)
        fprintf(stderr, "warning: switchboard does not answer at %s\n", s->url);
    else if (status == 401)
        fprintf(stderr,
                "warning: switchboard at %s refused the master key from its config; set "
                "LITELLM_MASTER_KEY to the key it uses\n",
                s->url);
}

/* ---- switchboard claude ---- */

static bool find_on_path(const char *name, char *out, size_t len)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        struct stat st;
        snprintf(out, len, "%.*s/%s", (int)n, n ? path : ".", name);
        if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
            return true;
        path = colon ? colon + 1 : NULL;
    }
    return false;
}

static void export_setup(const struct setup *s)
{
    setenv("ANTHROPIC_BASE_URL", s->url, 1);
    setenv("ANTHROPIC_AUTH_TOKEN", s->token[0] ? s->token : NO_KEY_TOKEN, 1);
    /* An API key would be sent as x-api-key instead of our token. */
    unsetenv("ANTHROPIC_API_KEY");
    setenv("ANTHROPIC_DEFAULT_OPUS_MODEL", s->sonnet, 1);
    setenv("ANTHROPIC_DEFAULT_SONNET_MODEL", s->sonnet, 1);
    if (s->haiku[0])
        setenv("ANTHROPIC_DEFAULT_HAIKU_MODEL", s->haiku, 1);
    setenv("API_TIMEOUT_MS", "3000000", 1);
    setenv("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1", 1);
    if (s->window > 0) {
        /* The real window, so Claude Code compacts in time instead of assuming 200K or 1M for
         * a model name it does not know: CLAUDE_CODE_AUTO_COMPACT_WINDOW (at most 1M) and
         * CLAUDE_CODE_MAX_CONTEXT_TOKENS (its unknown-model window), with the 1M variant off
         * (claude-code-client.md; llm-env v1.8.0 release notes; claudetto's Claude Code
         * 2.1.296 notes). */
        char n[32];
        snprintf(n, sizeof n, "%ld", s->window < 1000000 ? s->window : 1000000);
        setenv("CLAUDE_CODE_AUTO_COMPACT_WINDOW", n, 1);
        setenv("CLAUDE_CODE_MAX_CONTEXT_TOKENS", n, 1);
        setenv("CLAUDE_CODE_DISABLE_1M_CONTEXT", "1", 1);
    }
}

int claude_cmd_run(int argc, char **argv)
{
    struct setup s;
    char exe[PATH_MAX];
    if (find_instance(&s, false) != 0) {
        fputs("switchboard is not running: start it with `make run` or `switchboard` in "
              "another terminal\n",
              stderr);
        return 1;
    }
    if (!find_on_path("claude", exe, sizeof exe)) {
        fputs("Claude Code (`claude`) is not on PATH. Install it with:\n"
              "  npm install -g @anthropic-ai/claude-code\n",
              stderr);
        return 1;
    }
    check_token(&s);
    export_setup(&s);
    fprintf(stderr, "switchboard: starting Claude Code on %s%s (models %s%s%s", s.url,
            s.demo ? " (demo)" : "", s.sonnet, s.haiku[0] ? ", " : "", s.haiku);
    if (s.window > 0)
        fprintf(stderr, "; %s takes %ld input tokens", s.sonnet, s.window);
    fputs(")\n", stderr);
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    args[0] = "claude";
    for (int i = 1; i < argc; i++)
        args[i] = argv[i];
    execv(exe, args);
    fprintf(stderr, "error: cannot run %s: %s\n", exe, strerror(errno));
    free(args);
    return 1;
}

/* ---- switchboard configure-claude ---- */

static void configure_usage(FILE *out)
{
    fputs("usage: switchboard configure-claude [--undo] [--url URL] [--key-file FILE]\n"
          "Points Claude Code at switchboard for every session by merging an env block into\n"
          "~/.claude/settings.json and setting hasCompletedOnboarding in ~/.claude.json. Other\n"
          "keys are kept; each file is backed up once (*.switchboard-backup). settings.json\n"
          "then holds a token, so it is made readable by you alone (0600).\n"
          "  --url URL        switchboard's address (default: the running instance's, "
          "else " DEFAULT_URL ")\n"
          "  --key-file FILE  read the token Claude Code sends from FILE's first line ('-':\n"
          "                   standard input). Default: the master key from the config, or\n"
          "                   LITELLM_MASTER_KEY\n"
          "  --key KEY        the same on the command line, where every user's `ps` and your\n"
          "                   shell history can see it (still accepted, with a warning)\n"
          "  --undo           put the backed-up files back\n",
          out);
}

/* The first line of path ("-": standard input), without its line end, into key. 0 or -1
 * with a message on stderr. */
static int read_key_file(const char *path, char *key, size_t len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, "error: cannot read --key-file %s: %s\n", path, strerror(errno));
        return -1;
    }
    bool got = fgets(key, (int)len, f) != NULL;
    if (f != stdin)
        fclose(f);
    key[got ? strcspn(key, "\r\n") : 0] = '\0';
    if (!key[0]) {
        fprintf(stderr, "error: --key-file %s holds no key on its first line\n", path);
        return -1;
    }
    return 0;
}

/* A key given on the command line: kept, then starred out of argv so that `ps` from now on
 * shows stars (it could see it until here: hence the warning). */
static void take_argv_key(char *arg, char *key, size_t len)
{
    snprintf(key, len, "%s", arg);
    memset(arg, '*', strlen(arg));
    fputs("warning: --key puts the key where every user's `ps` and your shell history can see "
          "it; use --key-file FILE (or '-' for standard input) or LITELLM_MASTER_KEY instead\n",
          stderr);
}

/* The setup to write: the running instance's, else ./config.yaml's, then the options. */
static void configure_setup(struct setup *s, const char *url, const char *key)
{
    if (find_instance(s, false) == 0) {
        printf("found switchboard running at %s%s\n", s->url,
               s->demo ? " (the demo: run this again once your own instance runs)" : "");
    } else if (access("config.yaml", R_OK) == 0) {
        printf("switchboard is not running: using ./config.yaml and %s\n", url ? url : s->url);
        read_config(s, "config.yaml", ".", false);
    } else {
        printf("switchboard is not running and there is no ./config.yaml: using the defaults\n");
        const char *k = getenv("LITELLM_MASTER_KEY");
        snprintf(s->token, sizeof s->token, "%s", k ? k : "");
    }
    if (url)
        snprintf(s->url, sizeof s->url, "%s", url);
    if (key)
        snprintf(s->token, sizeof s->token, "%s", key);
}

int claude_cmd_configure(int argc, char **argv)
{
    static const struct option opts[] = {
        {"undo", no_argument, NULL, 'u'},      {"url", required_argument, NULL, 'U'},
        {"key", required_argument, NULL, 'k'}, {"key-file", required_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0}};
    const char *url = NULL, *key = NULL, *home = getenv("HOME");
    char keybuf[256];
    bool undo = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'u')
            undo = true;
        else if (c == 'U')
            url = optarg;
        else if (c == 'k')
            take_argv_key(optarg, keybuf, sizeof keybuf), key = keybuf;
        else if (c == 'K' && read_key_file(optarg, keybuf, sizeof keybuf) != 0)
            return 2;
        else if (c == 'K')
            key = keybuf;
        else
            return configure_usage(c == 'h' ? stdout : stderr), c == 'h' ? 0 : 2;
    }
    if (optind < argc ||
        (url && strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)) {
        fprintf(stderr, "error: %s\n",
                optind < argc ? "unexpected argument" : "--url needs http://");
        return 2;
    }
    if (!home || !*home) {
        fputs("error: HOME is not set\n", stderr);
        return 1;
    }
    if (undo)
        return claude_settings_uninstall(home, stdout, stderr) == 0 ? 0 : 1;
    struct setup s;
    setup_defaults(&s);
    configure_setup(&s, url, key);
    struct claude_conf conf = {s.url, s.token[0] ? s.token : NO_KEY_TOKEN, s.sonnet, s.sonnet,
                               s.haiku[0] ? s.haiku : NULL};
    return claude_settings_install(home, &conf, stdout, stderr) == 0 ? 0 : 1;
}

/* ---- switchboard statusline ---- */

/* Claude Code pipes a JSON description of the session to us; we do not need it, but read
 * what is there so it never blocks on a full pipe. Never waits on a terminal. */
static void drain_stdin(void)
{
    char tmp[4096];
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    if (isatty(STDIN_FILENO))
        return;
    for (int i = 0; i < 64 && poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP)); i++)
        if (read(STDIN_FILENO, tmp, sizeof tmp) <= 0)
            break;
}

static bool utf8_locale(void)
{
    const char *vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
    }
    return false;
}

struct glyphs {
    const char *primary, *fallback, *failed, *sep;
};

/* "cooldown 0:42", "rpm full 0:10", "disabled": why a provider is out, with time left. */
static void status_phrase(const cJSON *p, char *out, size_t len)
{
    const char *st = json_str(p, "status");
    char lower[32];
    size_t i = 0;
    for (; st && st[i] && i + 1 < sizeof lower; i++)
        lower[i] = (char)(st[i] >= 'A' && st[i] <= 'Z' ? st[i] - 'A' + 'a' : st[i]);
    lower[i] = '\0';
    long rem = (long)(json_num(p, "remaining_s", 0) + 0.999);
    if (rem > 0)
        snprintf(out, len, "%s %ld:%02ld", lower, rem / 60, rem % 60);
    else
        snprintf(out, len, "%s", lower);
}

static const cJSON *provider_by_id(const cJSON *state, const char *id)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, json_arr(state, "providers"))
    {
        const char *pid = json_str(p, "id");
        if (id && pid && strcmp(pid, id) == 0)
            return p;
    }
    return NULL;
}

/* Appends " · <name> <status>" for each primary that is out, e.g. cerebras cooldown 0:42. */
static void add_primaries_out(struct buf *b, const cJSON *state, const struct glyphs *g)
{
    const cJSON *p;
    char phrase[64];
    cJSON_ArrayForEach(p, json_arr(state, "providers"))
    {
        const char *st = json_str(p, "status");
        if (!json_bool(p, "primary", false) || !st || strcmp(st, "READY") == 0)
            continue;
        status_phrase(p, phrase, sizeof phrase);
        buf_printf(b, " %s %s %s", g->sep, json_str(p, "name") ? json_str(p, "name") : "?", phrase);
    }
}

static void add_rpm(struct buf *b, const cJSON *state, const cJSON *served, const struct glyphs *g)
{
    double limit = json_num(served, "rpm_limit", 0);
    if (served && json_bool(served, "primary", false) && limit > 0)
        buf_printf(b, " %s %.0f/%.0f rpm", g->sep, json_num(served, "rpm_used", 0), limit);
    else
        buf_printf(b, " %s %.0f rpm", g->sep, json_num(state, "rpm", 0));
}

/* A request was served by a fallback when the deployment belongs to another group than the
 * one the request resolved to. */
static bool is_fallback(const cJSON *req, const cJSON *served)
{
    const char *want = json_str(req, "group"), *got = json_str(served, "group");
    return want && got && strcmp(want, got) != 0;
}

/* The line: who served the newest request and why, e.g. "↪ zai · cerebras cooldown 0:42 ·
 * 12 rpm". */
static void format_status(struct buf *b, const cJSON *state, const struct glyphs *g)
{
    const cJSON *last = cJSON_GetArrayItem(json_arr(state, "requests_log"), 0);
    const char *id = json_str(last, "provider");
    const cJSON *served = id && *id ? provider_by_id(state, id) : NULL;
    const char *name = json_str(served, "name");
    if (!last)
        buf_printf(b, "%s switchboard ready", g->primary);
    else if (!served)
        buf_printf(b, "%s last request failed (%.0f)", g->failed, json_num(last, "status", 0));
    else
        buf_printf(b, "%s %s", is_fallback(last, served) ? g->fallback : g->primary,
                   name ? name : id);
    add_primaries_out(b, state, g);
    add_rpm(b, state, served, g);
    if (json_bool(state, "force_fallback", false))
        buf_printf(b, " %s forced fallback", g->sep);
    if (json_bool(state, "demo", false))
        buf_printf(b, " %s demo", g->sep);
}

int claude_cmd_statusline(int argc, char **argv)
{
    (void)argc, (void)argv;
    static const struct glyphs utf8 = {"\xe2\x9a\xa1", "\xe2\x86\xaa", "\xe2\x9c\x97", "\xc2\xb7"};
    static const struct glyphs ascii = {">", "->", "x", "|"};
    struct setup s;
    drain_stdin();
    if (find_instance(&s, true) != 0)
        return 0;
    struct buf body, line;
    buf_init(&body, STATE_CAP);
    buf_init(&line, 0);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    long status = fetch_state(&s, STATUS_TIMEOUT, &body);
    cJSON *state = status == 200 ? json_parse(body.data ? body.data : "", body.len) : NULL;
    if (state) {
        format_status(&line, state, utf8_locale() ? &utf8 : &ascii);
        printf("%s\n", buf_cstr(&line));
    }
    cJSON_Delete(state);
    curl_global_cleanup();
    buf_release(&body);
    buf_release(&line);
    return 0;
}
