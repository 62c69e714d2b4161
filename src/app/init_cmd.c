/* init_cmd: `switchboard init`, the first-run setup (see init_cmd.h). The keys are asked with
 * the terminal's echo off, checked against each provider's model list (front/discovery: a GET
 * that spends no quota), and written with the chosen models by init_files; init_config makes
 * the text. */
#include "app/init_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "app/cfgpath.h"
#include "app/init_config.h"
#include "app/init_files.h"
#include "app/userdirs.h"
#include "config/env.h"
#include "front/discovery.h"
#include "front/upstream.h"

#define KEY_MAX      600
#define KEY_ATTEMPTS 3

struct init_opts {
    const char *dir;
    bool force;
    const char *cerebras_base;
    const char *zai_base;
};

/* One provider as init asks about it. */
struct ask {
    const char *label; /* "Cerebras" */
    const char *var;   /* the .env variable */
    const char *where; /* where a user gets a key */
    enum provider_kind kind;
    enum api dialect;
    const char *base;
    char key[KEY_MAX]; /* "" = none */
    bool checked;      /* the provider listed the key's models */
    struct lineup_offer offer;
};

static bool interactive;

/* ---- the terminal ---- */

/* The terminal's settings while echo is off, for the signal handler to put back. */
static struct termios saved_tty;
static volatile sig_atomic_t echo_off;

static void on_interrupt(int sig)
{
    (void)sig;
    if (echo_off)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty); /* async-signal-safe */
    (void)!write(STDERR_FILENO, "\n", 1);
    _exit(130);
}

/* One line from standard input without its line end and surrounding blanks; false at EOF.
 * prompt (a terminal only) goes to stderr. hidden: the terminal does not echo it (a key must
 * not stay on the screen); echo goes off before the prompt shows, so nothing typed in answer
 * to it is echoed, and TCSANOW keeps what was typed ahead (a pasted second key). */
static bool read_line(char *buf, size_t n, bool hidden, const char *prompt)
{
    struct sigaction sa = {.sa_handler = on_interrupt}, old_int, old_term;
    bool got;
    hidden = hidden && interactive && tcgetattr(STDIN_FILENO, &saved_tty) == 0;
    if (hidden) {
        struct termios quiet = saved_tty;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        echo_off = tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0;
    }
    if (prompt && interactive) {
        fputs(prompt, stderr);
        fflush(stderr);
    }
    got = fgets(buf, (int)n, stdin) != NULL;
    if (hidden) {
        if (echo_off)
            tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
        echo_off = 0;
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
    }
    if (!got) {
        buf[0] = '\0';
        return false;
    }
    size_t len = strcspn(buf, "\r\n"), start = strspn(buf, " \t");
    while (len > start && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
        len--;
    memmove(buf, buf + start, len - (start < len ? start : len));
    buf[len > start ? len - start : 0] = '\0';
    return true;
}

/* A yes/no question, in a terminal only; no is the default. */
static bool ask_yes(const char *question)
{
    char line[16], prompt[CFGPATH_MAX * 2 + 200];
    snprintf(prompt, sizeof prompt, "%s [y/N] ", question);
    return read_line(line, sizeof line, false, prompt) && (line[0] == 'y' || line[0] == 'Y');
}

/* ---- the keys ---- */

static void print_offer(const struct ask *a)
{
    printf("%s: the key works; it may use:", a->label);
    for (int i = 0; i < a->offer.n; i++) {
        printf("%s %s", i ? "," : "", a->offer.models[i]);
        if (a->offer.context[i] > 0)
            printf(" (%ld-token context)", a->offer.context[i]);
    }
    printf("%s\n", a->offer.n ? "" : " (an empty list)");
}

/* Asks the provider for the key's models. 0: listed (or no list to ask, or the user keeps an
 * unchecked key); -1: refused or unreachable. */
static int check_key(struct ask *a)
{
    char err[LINEUP_ERR_LEN + 200];
    struct discovery_target t = {
        .kind = a->kind, .dialect = a->dialect, .api_base = a->base, .api_key = a->key};
    printf("%s: asking %s which models this key may use (no request is spent)...\n", a->label,
           a->base);
    fflush(stdout);
    enum discovery_result r = discovery_fetch(&t, &a->offer, err, sizeof err);
    if (r == DISCOVERY_OK) {
        a->checked = true;
        print_offer(a);
        return 0;
    }
    if (r == DISCOVERY_AUTH) {
        printf("%s refused this key: %s\n", a->label, err);
        return -1;
    }
    if (r == DISCOVERY_NO_LIST) {
        printf("%s has no model list to check the key against (%s): kept unchecked\n", a->label,
               err);
        return 0;
    }
    printf("%s could not be asked: %s\n", a->label, err);
    if (interactive && ask_yes("Keep the key unchecked?"))
        return 0;
    return -1;
}

/* Asks for a's key until the provider takes it, the user skips it (Enter), or attempts run out.
 * 0 with a->key set or empty (skipped); -1 when non-interactive input gave a key that fails. */
static int ask_key(struct ask *a)
{
    for (int attempt = 0; attempt < KEY_ATTEMPTS; attempt++) {
        char prompt[200];
        snprintf(prompt, sizeof prompt,
                 "%s API key (from %s; input hidden, Enter to skip): ", a->label, a->where);
        read_line(a->key, sizeof a->key, true, prompt);
        if (!a->key[0]) {
            printf("%s: skipped\n", a->label);
            return 0;
        }
        if (interactive)
            fprintf(stderr, "(%zu characters)\n", strlen(a->key));
        if (!init_key_plausible(a->key))
            printf("%s: that does not look like a key (8 to 512 printable characters, no "
                   "spaces or quotes)\n",
                   a->label);
        else if (check_key(a) == 0)
            return 0;
        explicit_bzero(a->key, sizeof a->key);
        if (!interactive)
            return -1;
    }
    printf("%s: skipped after %d attempts\n", a->label, KEY_ATTEMPTS);
    return 0;
}

/* The keys of an .env the user keeps, checked the same way. */
static int keys_from_env(struct ask *asks, int n, const char *env_path)
{
    int rc;
    struct env_vars *v = env_vars_read(env_path, &rc);
    if (!v) {
        fprintf(stderr, "error: cannot read %s: %s\n", env_path, strerror(rc ? -rc : ENOMEM));
        return -1;
    }
    printf("using the keys in %s\n", env_path);
    for (int i = 0; i < n; i++) {
        const char *k = env_lookup(v, asks[i].var);
        snprintf(asks[i].key, sizeof asks[i].key, "%s", k ? k : "");
        if (!asks[i].key[0])
            printf("%s: no %s there: left out\n", asks[i].label, asks[i].var);
        else if (check_key(&asks[i]) != 0) {
            env_vars_free(v);
            return -1;
        }
    }
    env_vars_free(v);
    return 0;
}

/* ---- the result ---- */

static const char *pick(enum init_role role, const struct ask *a)
{
    const char *m = a->checked ? init_pick(role, &a->offer) : NULL;
    if (!m && role != INIT_SMALL)
        m = init_default(role);
    if (!m && role == INIT_SMALL && !a->checked)
        m = init_default(role);
    return m;
}

/* "sk-" and 48 hex digits from the kernel's random source. 0, or -1 when none came. */
static int new_master_key(char *out, size_t n)
{
    unsigned char r[24];
    if (n < 3 + 2 * sizeof r + 1 || getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        return -1;
    strcpy(out, "sk-");
    for (size_t i = 0; i < sizeof r; i++)
        sprintf(out + 3 + 2 * i, "%02x", r[i]);
    explicit_bzero(r, sizeof r);
    return 0;
}

static void today(char *out, size_t n)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm) || strftime(out, n, "%Y-%m-%d", &tm) == 0)
        snprintf(out, n, "?");
}

/* ---- the command ---- */

static void usage(FILE *out)
{
    fputs("usage: switchboard init [--dir DIR] [--force] [--cerebras-base URL] [--zai-base URL]\n"
          "First-run setup: asks for the Cerebras and Z.AI keys (input hidden; Enter skips a\n"
          "provider), checks each against the provider's model list (no request spent), says\n"
          "which models it may use, and writes DIR/.env (mode 0600) and DIR/config.yaml using\n"
          "those models. DIR defaults to $XDG_CONFIG_HOME/switchboard (~/.config/switchboard),\n"
          "where switchboard looks when the working directory has no config.yaml. An existing\n"
          "file is replaced only when you say so (its old copy kept as FILE.bak).\n"
          "Without a terminal the keys are read one per line from standard input (Cerebras,\n"
          "then Z.AI; an empty line skips) and existing files are kept unless --force.\n"
          "  --dir DIR            write the files to DIR\n"
          "  --force              replace existing files without asking (backups kept)\n"
          "  --cerebras-base URL  Cerebras' API address (default " INIT_CEREBRAS_BASE ")\n"
          "  --zai-base URL       Z.AI's Anthropic endpoint (default " INIT_ZAI_BASE ")\n",
          out);
}

static int parse(int argc, char **argv, struct init_opts *o)
{
    static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
                                         {"force", no_argument, NULL, 'f'},
                                         {"cerebras-base", required_argument, NULL, 'C'},
                                         {"zai-base", required_argument, NULL, 'Z'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'd')
            o->dir = optarg;
        else if (c == 'f')
            o->force = true;
        else if (c == 'C')
            o->cerebras_base = optarg;
        else if (c == 'Z')
            o->zai_base = optarg;
        else
            return usage(c == 'h' ? stdout : stderr), c == 'h' ? 0 : 2;
    }
    if (optind < argc) {
        fprintf(stderr, "error: unexpected argument '%s' (see switchboard init --help)\n",
                argv[optind]);
        return 2;
    }
    return -1; /* go on */
}

/* Which of the two files to write, asking about existing ones. 0, 1 (nothing to do), or -1
 * (refused without a terminal). */
static int decide(const struct init_paths *p, const struct init_opts *o, bool *env, bool *cfg)
{
    const char *files[2] = {p->env, p->config};
    bool *write[2] = {env, cfg};
    for (int i = 0; i < 2; i++) {
        *write[i] = true;
        if (!init_file_exists(files[i]) || o->force)
            continue;
        if (!interactive) {
            fprintf(stderr,
                    "error: %s exists; init replaces a file only when asked: run it in a "
                    "terminal, or pass --force (the old file is kept as %s.bak)\n",
                    files[i], files[i]);
            return -1;
        }
        char q[CFGPATH_MAX * 2 + 100];
        snprintf(q, sizeof q, "%s exists. Replace it (the old one is kept as %s.bak)?", files[i],
                 files[i]);
        *write[i] = ask_yes(q);
    }
    if (!*env && !*cfg) {
        printf("nothing changed\n");
        return 1;
    }
    return 0;
}

static int write_files(const struct init_paths *p, bool env, bool cfg, struct ask *asks,
                       struct init_choice *ch)
{
    char master[64] = "";
    if (env) {
        if (new_master_key(master, sizeof master) != 0) {
            fprintf(stderr, "error: no random bytes for a master key: %s\n", strerror(errno));
            return 1;
        }
        char *text = init_env_text(asks[0].key[0] ? asks[0].key : NULL,
                                   asks[1].key[0] ? asks[1].key : NULL, master);
        int rc = text ? init_file_write(p->env, text, 0600) : -ENOMEM;
        if (text)
            explicit_bzero(text, strlen(text));
        free(text);
        explicit_bzero(master, sizeof master);
        if (rc) {
            fprintf(stderr, "error: cannot write %s: %s\n", p->env, strerror(-rc));
            return 1;
        }
        printf("wrote %s (mode 0600):%s%s LITELLM_MASTER_KEY (a new random key clients send)\n",
               p->env, asks[0].key[0] ? " CEREBRAS_API_KEY," : "",
               asks[1].key[0] ? " ZAI_API_KEY," : "");
        ch->master_key = true;
    }
    if (cfg) {
        char *text = init_config_text(ch);
        int rc = text ? init_file_write(p->config, text, 0644) : -ENOMEM;
        free(text);
        if (rc) {
            fprintf(stderr, "error: cannot write %s: %s\n", p->config, strerror(-rc));
            return 1;
        }
        char summary[300];
        init_summary(ch, summary, sizeof summary);
        printf("wrote %s: %s%s%s\n", p->config, summary,
               ch->zai_small ? "; glm-4.5-air -> Z.AI " : "", ch->zai_small ? ch->zai_small : "");
    }
    return 0;
}

static void next_steps(const struct init_paths *p)
{
    char user[CFGPATH_MAX], opt[CFGPATH_MAX + 32] = "";
    bool is_user = cfgpath_user_config(user, sizeof user) == 0 && strcmp(user, p->config) == 0;
    if (!is_user)
        snprintf(opt, sizeof opt, " --config %s", p->config);
    printf("next: switchboard --check --online%s\n"
           "        validates it and asks the providers again\n"
           "      switchboard%s\n"
           "        the dashboard%s\n",
           opt, opt,
           is_user ? " (or headless in the background: systemctl --user enable --now switchboard)"
                   : "");
    if (is_user && init_file_exists("config.yaml"))
        printf("note: ./config.yaml in this directory wins over %s when switchboard starts here\n",
               p->config);
}

static int run(const struct init_opts *o, const struct init_paths *p)
{
    struct ask asks[2] = {
        {.label = "Cerebras",
         .var = "CEREBRAS_API_KEY",
         .where = "https://cloud.cerebras.ai",
         .kind = PROVIDER_CEREBRAS,
         .dialect = API_OPENAI,
         .base = o->cerebras_base ? o->cerebras_base : INIT_CEREBRAS_BASE},
        {.label = "Z.AI",
         .var = "ZAI_API_KEY",
         .where = "https://z.ai/manage-apikey/apikey-list",
         .kind = PROVIDER_ZAI,
         .dialect = API_ANTHROPIC,
         .base = o->zai_base ? o->zai_base : INIT_ZAI_BASE},
    };
    bool env, cfg;
    int rc = decide(p, o, &env, &cfg);
    if (rc)
        return rc < 0 ? 1 : 0;
    rc = env ? 0 : keys_from_env(asks, 2, p->env);
    for (int i = 0; env && rc == 0 && i < 2; i++)
        rc = ask_key(&asks[i]);
    if (rc == 0 && !asks[0].key[0] && !asks[1].key[0]) {
        printf("no key: nothing written (`switchboard --demo` runs without keys)\n");
        rc = -1;
    }
    char date[16];
    today(date, sizeof date);
    struct init_choice ch = {
        .cerebras_model = asks[0].key[0] ? pick(INIT_PRIMARY, &asks[0]) : NULL,
        .zai_model = asks[1].key[0] ? pick(INIT_FALLBACK, &asks[1]) : NULL,
        .zai_small = asks[1].key[0] ? pick(INIT_SMALL, &asks[1]) : NULL,
        .cerebras_base = o->cerebras_base,
        .zai_base = o->zai_base,
        .written_on = date,
        .master_key = !env && init_env_has(p->env, "LITELLM_MASTER_KEY"),
    };
    if (rc == 0)
        rc = write_files(p, env, cfg, asks, &ch);
    explicit_bzero(asks, sizeof asks);
    if (rc == 0)
        next_steps(p);
    return rc == 0 ? 0 : 1;
}

int init_cmd_run(int argc, char **argv)
{
    struct init_opts o = {0};
    int rc = parse(argc, argv, &o);
    if (rc >= 0)
        return rc;
    struct init_paths p;
    char err[300];
    if (init_paths_for(o.dir, &p, err, sizeof err) != 0) {
        fprintf(stderr, "error: %s\n", err);
        return 1;
    }
    interactive = isatty(STDIN_FILENO);
    printf("switchboard init: sets up %s and %s\n", p.config, p.env);
    if (upstream_global_init() != 0) {
        fprintf(stderr, "error: cannot initialise libcurl\n");
        return 1;
    }
    rc = run(&o, &p);
    upstream_global_cleanup();
    return rc;
}
