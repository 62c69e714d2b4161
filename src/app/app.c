/* app: composition root. Order: .env, config, curl, state, HTTP front, view; stops in
 * reverse, letting open streams finish within a grace period. */
#include "app/app.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "app/check_online.h"
#include "app/exposure.h"
#include "app/headless.h"
#include "app/statefile.h"
#include "app/userdirs.h"
#include "config/cfgedit.h"
#include "config/env.h"
#include "core/strutil.h"
#include "front/discovery_watch.h"
#include "front/http_front.h"
#include "front/reqlog.h"
#include "front/upstream.h"
#include "shared/shared.h"
#include "sim/demo.h"
#include "ui/ui.h"

/* For the signal handlers, which run on whatever thread the signal reaches (civetweb's,
 * libcurl's resolver threads): every access to these three is atomic. */
static struct app *the_app;
static volatile sig_atomic_t reload_requested;
static volatile sig_atomic_t interrupts;

static void on_stop_signal(int sig)
{
    if (sig == SIGINT && __atomic_add_fetch(&interrupts, 1, __ATOMIC_ACQ_REL) >= 2)
        _exit(130); /* a second Ctrl-C means now */
    struct app *app = __atomic_load_n(&the_app, __ATOMIC_ACQUIRE);
    if (app)
        __atomic_store_n(&app->stop, 1, __ATOMIC_RELEASE);
}

static void on_hup(int sig)
{
    (void)sig;
    __atomic_store_n(&reload_requested, 1, __ATOMIC_RELEASE);
}

/* Each open stream holds a client socket and an upstream socket; the usual soft limit of 1024
 * descriptors would cap switchboard at a few hundred streams although the hard limit allows
 * far more. Raise the soft limit as far as the hard one (bounded, as nginx and Go do). */
static void raise_fd_limit(void)
{
    enum { FD_WANTED = 65536 };
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= FD_WANTED)
        return;
    rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > FD_WANTED ? FD_WANTED : rl.rlim_max;
    if (want > rl.rlim_cur) {
        rl.rlim_cur = want;
        (void)setrlimit(RLIMIT_NOFILE, &rl); /* best effort: the old limit still works */
    }
}

static void install_signals(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

/* Where a warning goes depends on what holds the terminal: before any view, stderr (and the
 * state, so the dashboard shows it on its first frame); under the dashboard, the state only
 * (its status line shows it; printing would scribble over the screen or vanish); under the
 * headless view, stderr only. The log file records every one. Thread-safe: reloads warn
 * from worker threads. */
static void app_warn(struct app *app, const char *msg)
{
    int view = __atomic_load_n(&app->view, __ATOMIC_ACQUIRE);
    if (view != APP_VIEW_TUI)
        fprintf(stderr, "warning: %s\n", msg);
    if (view != APP_VIEW_HEADLESS && app->env.st)
        state_notice(app->env.st, msg);
    else if (!app->env.st && app->n_early < APP_EARLY_WARNINGS) /* the config's, before the state */
        snprintf(app->early[app->n_early++], sizeof app->early[0], "%s", msg);
    if (app->env.reqlog)
        reqlog_event(app->env.reqlog, "warning", msg);
}

static void print_warning(void *ud, const char *msg)
{
    app_warn(ud, msg);
}

static void report_providers(const struct config *cfg, FILE *out)
{
    for (size_t i = 0; i < cfg->n_deps; i++) {
        const struct deployment_cfg *d = &cfg->deps[i];
        if (d->api_key)
            continue;
        if (d->api_key_env)
            fprintf(out, "%s (%s): no key - set %s; it is skipped until then\n", d->id, d->group,
                    d->api_key_env);
        else
            fprintf(out, "%s (%s): no api_key in the config; it is skipped\n", d->id, d->group);
    }
}

/* Reads .env (never into the environment: a reload runs beside threads that call getenv)
 * and the config, whose keys are resolved once, there. */
static const char *listen_host(const struct app *app, const struct config *cfg)
{
    return app->opts.host ? app->opts.host : cfg->host;
}

/* A config that would serve other machines without a real master key is refused (at start
 * and on reload) unless --insecure says the user means it; with --insecure it is a warning. */
static bool exposure_refused(struct app *app, const struct config *cfg, const char *host, char *err,
                             size_t len)
{
    char why[700];
    if (app->opts.demo || !exposure_problem(host, cfg->master_key, why, sizeof why))
        return false;
    if (app->opts.insecure) {
        char msg[760];
        snprintf(msg, sizeof msg, "--insecure: %s", why);
        app_warn(app, msg);
        return false;
    }
    str_copy(err, len, why); /* err is the caller's CONFIG_ERR_LEN: cut, never overrun */
    return true;
}

static struct config *load_config(struct app *app, char *err, size_t len)
{
    char cerr[CONFIG_ERR_LEN];
    int rc;
    struct env_vars *dotenv = env_vars_read(app->opts.env_path, &rc);
    if (!dotenv) {
        snprintf(err, len, "%s: cannot read: %s", app->opts.env_path, strerror(rc ? -rc : ENOMEM));
        return NULL;
    }
    struct config *cfg = config_load_env(app->opts.config_path, dotenv, print_warning, app, cerr);
    env_vars_free(dotenv);
    if (!cfg)
        snprintf(err, len, "%s", cerr);
    return cfg;
}

/* --check names the files it read, by absolute path, and why those: a user with a config in
 * two places sees which one counted. */
static void describe_file(const char *what, const char *path, const char *from, FILE *out)
{
    char abs[PATH_MAX], cwd[PATH_MAX], joined[PATH_MAX * 2];
    bool there = access(path, F_OK) == 0;
    const char *shown = path;
    if (there && realpath(path, abs))
        shown = abs;
    else if (path[0] != '/' && getcwd(cwd, sizeof cwd))
        shown = (snprintf(joined, sizeof joined, "%s/%s", cwd, path), joined);
    fprintf(out, "  %-7s %s (%s)%s\n", what, shown, from ? from : "",
            there ? "" : ": not there; keys come from the environment only");
}

static void describe_files(const struct app_opts *o, FILE *out)
{
    fprintf(out, "files read:\n");
    describe_file("config", o->config_path, o->config_from, out);
    describe_file(".env", o->env_path, o->env_from, out);
}

/* --check: what the config amounts to, without listening. Warnings and missing keys have
 * already gone to stderr; an invalid file never gets here (exit 2 with file:line:col). */
static void describe_config(const struct config *cfg, FILE *out)
{
    fprintf(out, "%s: valid; %zu deployment%s\n", cfg->path, cfg->n_deps,
            cfg->n_deps == 1 ? "" : "s");
    for (size_t i = 0; i < cfg->n_deps; i++) {
        const struct deployment_cfg *d = &cfg->deps[i];
        fprintf(out, "  %-16s %-20s %s at %s, %s API, key %s%s%s", d->group, d->id, d->model,
                d->api_base, api_name(d->dialect), d->api_key ? "set" : "MISSING",
                d->api_key_env ? " from " : "", d->api_key_env ? d->api_key_env : "");
        if (d->rpm > 0)
            fprintf(out, ", rpm %ld", d->rpm);
        if (d->tpm > 0)
            fprintf(out, ", tpm %ld", d->tpm);
        if (d->max_tokens > 0)
            fprintf(out, ", max_tokens %ld", d->max_tokens);
        if (d->max_input_tokens > 0)
            fprintf(out, ", max_input_tokens %ld", d->max_input_tokens);
        fputc('\n', out);
    }
    for (size_t i = 0; i < cfg->n_fallbacks; i++) {
        const struct fallback_cfg *f = &cfg->fallbacks[i];
        fprintf(out, "  fallback %s ->", f->from);
        for (size_t k = 0; k < f->n_to; k++)
            fprintf(out, "%s %s", k ? "," : "", f->to[k]);
        fputc('\n', out);
    }
    for (size_t i = 0; i < cfg->n_aliases; i++)
        fprintf(out, "  alias %s -> %s\n", cfg->aliases[i].pattern, cfg->aliases[i].target);
    fprintf(out, "  master key %s; listens on %s:%d\n", cfg->master_key ? "set" : "not set",
            cfg->host, cfg->port);
    struct shared_settings share;
    char err[256];
    if (shared_settings_from(cfg, NULL, &share, err, sizeof err) != 0)
        fprintf(out, "  limits shared through Redis: %s\n", err);
    else if (share.on)
        fprintf(out, "  limits shared with other instances through Redis at %s (password %s)\n",
                share.where, share.password[0] ? "set" : "not set");
    memset(share.password, 0, sizeof share.password);
}

/* The Redis connection is made once at start: a reload that points elsewhere says so. */
static void warn_redis_change(struct app *app, const struct config *cfg)
{
    struct shared_settings share;
    char err[256], msg[700];
    if (shared_settings_from(cfg, NULL, &share, err, sizeof err) != 0)
        snprintf(share.where, sizeof share.where, "(invalid: %.200s)", err);
    else if (!share.on)
        share.where[0] = '\0';
    memset(share.password, 0, sizeof share.password);
    if (strcmp(share.where, app->shared_where) == 0)
        return;
    snprintf(msg, sizeof msg,
             "the Redis settings changed (%.280s -> %.280s): restart switchboard to use them",
             app->shared_where[0] ? app->shared_where : "none",
             share.where[0] ? share.where : "none");
    app_warn(app, msg);
}

int app_reload(struct app *app, char *err, size_t errlen)
{
    if (app->opts.demo) {
        snprintf(err, errlen, "the demo has no config file to reload");
        return -1;
    }
    struct config *cfg = load_config(app, err, errlen);
    if (cfg && exposure_refused(app, cfg, app->env.host, err, errlen)) {
        config_free(cfg);
        cfg = NULL;
    }
    if (!cfg) {
        if (app->env.reqlog)
            reqlog_event(app->env.reqlog, "reload_failed", err);
        return -1;
    }
    state_swap_config(app->env.st, cfg);
    warn_redis_change(app, cfg);
    config_free(cfg);
    discovery_watch_kick(app->watch); /* the new config may name other models or keys */
    if (app->env.reqlog)
        reqlog_event(app->env.reqlog, "reload", "config reloaded");
    return 0;
}

int app_set_model(struct app *app, const char *id, const char *model, char *msg, size_t len)
{
    char backup[1024] = "", err[600];
    if (app->opts.demo) {
        snprintf(msg, len, "the demo has no config file to change");
        return -1;
    }
    pthread_mutex_lock(&app->edit_mu);
    struct config *cfg = state_config(app->env.st);
    int rc = cfgedit_set_model(cfg, id, model, backup, sizeof backup, err, sizeof err);
    config_free(cfg);
    if (rc != 0) {
        snprintf(msg, len, "%s", err);
    } else if (app_reload(app, err, sizeof err) != 0) {
        snprintf(msg, len, "%s: model set to %s in %s (backup %s), but the reload failed: %s", id,
                 model, app->env.config_path, backup, err);
        rc = -1;
    } else {
        snprintf(msg, len, "%s: model set to %s in %s (backup %s); reloaded", id, model,
                 app->env.config_path, backup);
    }
    pthread_mutex_unlock(&app->edit_mu);
    if (app->env.reqlog)
        reqlog_event(app->env.reqlog, rc ? "set_model_failed" : "set_model", msg);
    return rc ? -1 : 0;
}

/* The reload callback the dashboard and the admin API get: they never see struct app. */
static int reload_cb(void *ud, char *err, size_t len)
{
    return app_reload(ud, err, len);
}

static int set_model_cb(void *ud, const char *id, const char *model, char *msg, size_t len)
{
    return app_set_model(ud, id, model, msg, len);
}

static void toggle_traffic(void *ud)
{
    struct app *app = ud;
    demo_traffic_toggle(app->demo);
}

static bool traffic_on(void *ud)
{
    struct app *app = ud;
    return demo_traffic_on(app->demo);
}

/* Watches SIGHUP while a view runs. */
static void *reload_watcher(void *ud)
{
    struct app *app = ud;
    struct timespec t = {.tv_sec = 0, .tv_nsec = 100 * 1000000L};
    /* stop is written by the signal handler on the main thread and read here: the flag
     * fields in struct app are plain volatile ints, so every cross-thread access goes
     * through the atomic builtins. */
    while (!__atomic_load_n(&app->stop, __ATOMIC_ACQUIRE)) {
        /* Taken and cleared in one step: a SIGHUP between a read and a clear would be lost. */
        if (__atomic_exchange_n(&reload_requested, 0, __ATOMIC_ACQ_REL)) {
            char err[600], msg[700];
            bool tui = __atomic_load_n(&app->view, __ATOMIC_ACQUIRE) == APP_VIEW_TUI;
            bool ok = app_reload(app, err, sizeof err) == 0;
            if (!ok && tui) {
                snprintf(msg, sizeof msg, "reload failed, keeping the running config: %s", err);
                state_notice(app->env.st, msg); /* app_reload logged it already */
            } else if (!ok) {
                fprintf(stderr, "reload failed, keeping the running config: %s\n", err);
            } else if (!tui) {
                fprintf(stdout, "config reloaded from %s\n", app->env.config_path);
            }
        }
        nanosleep(&t, NULL);
    }
    return NULL;
}

/* The dashboard's log: <state dir>/switchboard/switchboard.log; none ("") when there is no
 * home to keep it in, never /tmp, where another user could plant or read it. */
static void default_log_path(char *buf, size_t len)
{
    char dir[4096];
    buf[0] = '\0';
    if (userdirs_state(dir, sizeof dir) == 0 &&
        snprintf(buf, len, "%s/switchboard/switchboard.log", dir) >= (int)len)
        buf[0] = '\0';
}

static int run_view(struct app *app, const char *log_path)
{
    bool tui = !app->opts.headless && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
    if (tui) {
        struct config *cfg = state_config(app->env.st);
        struct ui_host h = {
            .st = app->env.st,
            .url = app->env.url,
            .config_path = app->env.config_path,
            .log_path = log_path,
            .master_key_set = cfg->master_key && *cfg->master_key,
            .demo = app->opts.demo,
            .reload = app->env.reload,
            .set_model = app->env.set_model,
            .toggle_traffic = app->demo ? toggle_traffic : NULL,
            .traffic_on = app->demo ? traffic_on : NULL,
            .ud = app,
        };
        config_free(cfg);
        __atomic_store_n(&app->view, APP_VIEW_TUI, __ATOMIC_RELEASE);
        int rc = ui_run(&h, &app->stop);
        __atomic_store_n(&app->view, APP_VIEW_NONE, __ATOMIC_RELEASE);
        if (rc == 0)
            return 0;
        fprintf(stderr, "the dashboard cannot use this terminal; running headless\n");
    }
    __atomic_store_n(&app->view, APP_VIEW_HEADLESS, __ATOMIC_RELEASE);
    int rc = headless_run(app->env.st, app->env.reqlog, &app->stop, stdout);
    __atomic_store_n(&app->view, APP_VIEW_NONE, __ATOMIC_RELEASE);
    return rc;
}

/* How long aborted requests get to tell their clients, after the grace period. */
#define ABORT_WRITE_MS 2000

/* Lets open requests finish, then aborts what is left after the grace period. */
static void drain(struct app *app)
{
    __atomic_store_n(&app->env.draining, 1, __ATOMIC_RELEASE);
    struct snapshot *s = malloc(sizeof *s);
    double waited = 0, grace = app->opts.grace_s > 0 ? app->opts.grace_s : 10;
    struct timespec t = {.tv_sec = 0, .tv_nsec = 50 * 1000000L};
    while (s && waited < grace * 1000) {
        state_snapshot(app->env.st, s);
        if (s->in_flight == 0)
            break;
        if (waited == 0 && !app->opts.headless) {
            /* the dashboard is gone: say why the program has not ended yet */
            printf("finishing %d request%s in flight (up to %.0f s; Ctrl-C stops now)\n",
                   s->in_flight, s->in_flight == 1 ? "" : "s", grace);
            fflush(stdout);
        }
        nanosleep(&t, NULL);
        waited += 50;
    }
    __atomic_store_n(&app->env.abort_upstream, 1, __ATOMIC_RELEASE);
    /* The aborted streams still owe their clients an error event, and civetweb refuses every
     * write once it is stopping: give the handlers a moment to send it. */
    for (waited = 0; s && waited < ABORT_WRITE_MS; waited += 50) {
        state_snapshot(app->env.st, s);
        if (s->in_flight == 0)
            break;
        nanosleep(&t, NULL);
    }
    free(s);
}

/* A state file whose process is gone means the last instance crashed or was killed: say so
 * before the file is replaced, on stdout (the journal keeps it), in the state (the dashboard's
 * status line shows it on its first frame) and in the log. Runs before any view. */
static void note_unclean_exit(struct app *app)
{
    struct statefile_info prev;
    char msg[200];
    if (statefile_read(&prev) != -ESRCH || prev.pid <= 0)
        return;
    snprintf(msg, sizeof msg, "the previous switchboard (pid %d) did not exit cleanly", prev.pid);
    printf("note: %s; its state file is replaced\n", msg);
    if (app->env.st)
        state_notice(app->env.st, msg);
    if (app->env.reqlog)
        reqlog_event(app->env.reqlog, "unclean_exit", msg);
}

/* The request log: --log-file, else under the dashboard the default one. */
static void open_log(struct app *app, char *log_path, size_t log_len)
{
    /* Written straight into log_path: copying a path into the buffer it came from is an
     * overlapping snprintf, which glibc answers with an empty string. */
    log_path[0] = '\0';
    if (app->opts.log_file)
        snprintf(log_path, log_len, "%s", app->opts.log_file);
    else if (!app->opts.headless && isatty(STDOUT_FILENO) &&
             (default_log_path(log_path, log_len), !log_path[0]))
        app_warn(app, "no log file: there is no home directory to keep it in (use --log-file)");
    if (log_path[0]) {
        char note[1200];
        app->env.reqlog = reqlog_open(log_path, note, sizeof note);
        if (!app->env.reqlog) {
            snprintf(note, sizeof note, "cannot open log file %s: %s", log_path, strerror(errno));
            app_warn(app, note);
        } else if (note[0]) {
            app_warn(app, note);
        }
    }
}

static int start(struct app *app, struct config *cfg, char *log_path, size_t log_len)
{
    const char *host = listen_host(app, cfg);
    int port = app->opts.port >= 0 ? app->opts.port : cfg->port;
    char err[HTTP_ERR_LEN];
    snprintf(app->env.host, sizeof app->env.host, "%s", host);
    open_log(app, log_path, log_len); /* before the front serves: workers read env.reqlog */
    app->front = http_front_start(&app->env, host, port, cfg->num_threads, true, err);
    if (!app->front) {
        fprintf(stderr, "error: cannot listen on %s:%d: %s\n", host, port, err);
        return 1;
    }
    if (app->env.port != port && port != 0)
        printf("port %d is in use; listening on %s instead\n", port, app->env.url);
    printf("switchboard %s listening on %s%s\n", SB_VERSION, app->env.url,
           app->opts.demo ? " (DEMO: simulated providers, nothing leaves this machine)" : "");
    note_unclean_exit(app);
    int rc = statefile_write(app->env.url, app->env.config_path, app->opts.demo);
    if (rc) {
        char msg[300];
        snprintf(msg, sizeof msg,
                 "no state file (%s): `switchboard claude` and `switchboard statusline` will "
                 "not find this instance",
                 rc == -ENOENT ? "no home directory to keep it in" : strerror(-rc));
        app_warn(app, msg);
    }
    fflush(stdout);
    return 0;
}

/* --check (with --online), the exposure refusal and the no-master-key note. True when app_main
 * ends here, with *status its exit status. */
static bool checked_only(struct app *app, struct config *cfg, int *status)
{
    char err[CONFIG_ERR_LEN];
    report_providers(cfg, stderr);
    bool refused = exposure_refused(app, cfg, listen_host(app, cfg), err, sizeof err);
    int online = 0;
    if (app->opts.check) {
        describe_files(&app->opts, stdout);
        describe_config(cfg, stdout);
    }
    if (app->opts.check && app->opts.online)
        online = check_online(cfg, stdout);
    if (refused)
        fprintf(stderr, "error: %s\n", err);
    else if (!cfg->master_key && !app->opts.demo)
        fprintf(stderr, "note: no master key: every program on this machine can use switchboard "
                        "and its admin API (set general_settings.master_key)\n");
    *status = refused ? 2 : online;
    return app->opts.check || refused;
}

/* From the front's start to the view's end: the reload watcher, the demo's traffic, then the
 * drain. The exit status. */
static int serve_started(struct app *app, struct config *cfg, const char *log_path)
{
    if (app->demo)
        demo_traffic_start(app->demo, app->env.url, cfg->master_key);
    pthread_t watcher;
    bool watching = pthread_create(&watcher, NULL, reload_watcher, app) == 0;
    int status = run_view(app, log_path) == 0 ? 0 : 1;
    __atomic_store_n(&app->stop, 1, __ATOMIC_RELEASE);
    if (watching)
        pthread_join(watcher, NULL);
    demo_traffic_stop(app->demo);
    drain(app);
    http_front_stop(app->front);
    statefile_remove();
    return status;
}

/* Sharing the limits through Redis when the config or REDIS_* say where (never in the demo:
 * its simulated providers are this process's own). Before the front serves. */
static void start_sharing(struct app *app, struct shared_settings *share)
{
    if (share->on) {
        app->shared = shared_new(share, app->env.st);
        if (app->shared)
            printf("sharing limits with other instances through Redis at %s\n", share->where);
        else
            app_warn(app, "cannot start sharing through Redis; limits are local");
        snprintf(app->shared_where, sizeof app->shared_where, "%s", share->where);
    }
    memset(share->password, 0, sizeof share->password);
}

/* The state, model discovery, sharing and the front, until the view ends. The exit status. */
static int serve(struct app *app, struct config *cfg)
{
    struct shared_settings share = {0};
    char err[256];
    if (!app->opts.demo && shared_settings_from(cfg, NULL, &share, err, sizeof err) != 0) {
        fprintf(stderr, "error: %s\n", err);
        return 2;
    }
    app->env.st = state_new(cfg, NULL);
    if (!app->env.st)
        return 1;
    for (int i = 0; i < app->n_early; i++)
        state_notice(app->env.st, app->early[i]);
    start_sharing(app, &share);
    /* before the front serves: workers that reload (admin API) kick it without a lock */
    app->watch = discovery_watch_start(app->env.st);
    if (!app->watch)
        app_warn(app, "cannot start model discovery: lineups will not be checked");
    char log_path[1024] = "";
    int status = 1;
    if (start(app, cfg, log_path, sizeof log_path) == 0)
        status = serve_started(app, cfg, log_path);
    discovery_watch_stop(app->watch); /* after the front's workers, who may kick it, ended */
    app->watch = NULL;
    shared_free(app->shared);
    app->shared = NULL;
    reqlog_close(app->env.reqlog);
    state_free(app->env.st);
    return status;
}

/* The config: the demo's, or the file's. NULL with err set. */
static struct config *first_config(struct app *app, char *err, size_t len)
{
    if (!app->opts.demo)
        return load_config(app, err, len);
    app->demo = demo_start(err, len);
    snprintf(app->env.config_path, sizeof app->env.config_path, "(built-in demo)");
    return app->demo ? demo_config(app->demo, err, len) : NULL;
}

int app_main(const struct app_opts *o)
{
    struct app *app = calloc(1, sizeof *app);
    if (!app)
        return 1;
    app->opts = *o;
    app->env.log_bodies = o->log_bodies;
    app->env.demo = o->demo;
    app->env.reload = o->demo ? NULL : reload_cb;
    app->env.set_model = o->demo ? NULL : set_model_cb;
    app->env.reload_ud = app;
    if (o->config_path)
        snprintf(app->env.config_path, sizeof app->env.config_path, "%s", o->config_path);
    raise_fd_limit();
    if (!o->headless && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO))
        ui_locale_init(); /* before any thread: see ui.h */
    /* Before any thread exists (the demo's simulated providers start threads). */
    if (upstream_global_init() != 0) {
        fprintf(stderr, "error: cannot initialise libcurl\n");
        free(app);
        return 1;
    }
    char err[CONFIG_ERR_LEN];
    struct config *cfg = first_config(app, err, sizeof err);
    int status = 2;
    if (!cfg)
        fprintf(stderr, "error: %s\n", err);
    pthread_mutex_init(&app->edit_mu, NULL);
    if (cfg && !checked_only(app, cfg, &status)) {
        __atomic_store_n(&the_app, app, __ATOMIC_RELEASE);
        install_signals();
        status = serve(app, cfg);
        __atomic_store_n(&the_app, NULL, __ATOMIC_RELEASE);
    }
    config_free(cfg);
    demo_stop(app->demo);
    upstream_global_cleanup();
    pthread_mutex_destroy(&app->edit_mu);
    free(app);
    return status;
}
