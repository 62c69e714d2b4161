/* app: the composition root. Owns the config, the state, the HTTP front and the view, and
 * starts and stops them in order. */
#ifndef SB_APP_H
#define SB_APP_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "config/config.h"
#include "front/front_env.h"
#include "route/state.h"

struct app_opts {
    const char *config_path; /* --config, else found by cfgpath_resolve (main.c) */
    const char *env_path;    /* --env-file, else the .env beside the config */
    const char *config_from; /* where config_path came from, for --check (cfgpath.h) */
    const char *env_from;
    const char *host; /* overrides the config; NULL = config */
    int port;         /* overrides the config; -1 = config, 0 = any free port */
    bool headless;
    bool demo;
    const char *log_file; /* JSON lines, one per request; NULL = default when the TUI runs */
    bool log_bodies;
    double grace_s; /* shutdown grace period for open streams */
    bool check;     /* validate the config, describe it and exit */
    bool online;    /* with check: ask the providers which models their keys may use */
    bool insecure;  /* serve other machines without a real master key (exposure.h) */
};

struct http_front;
struct demo;
struct shared;
struct discovery_watch;

/* What holds the terminal, for where warnings go (app.c app_warn). */
enum app_view { APP_VIEW_NONE, APP_VIEW_TUI, APP_VIEW_HEADLESS };

struct app {
    struct app_opts opts;
    struct front_env env; /* state, request log, URL, shutdown flags: what the front sees */
    struct http_front *front;
    struct demo *demo;
    struct shared *shared;  /* limits shared with other instances through Redis; NULL = off */
    char shared_where[300]; /* where it shares ("" = not sharing), to see a reload change it */
    struct discovery_watch *watch; /* keeps the lineups current (discovery_watch.h) */
    pthread_mutex_t edit_mu;       /* one config edit (set_model) at a time */
    volatile sig_atomic_t stop;
    int view; /* enum app_view; set by the main thread, read by any: __atomic builtins only */
    /* Warnings from loading the config, kept until the state exists to show them. */
#define APP_EARLY_WARNINGS 8
    char early[APP_EARLY_WARNINGS][256];
    int n_early;
};

/* Runs switchboard with these options until a signal or the user stops it. Returns the
 * process exit status (2 for configuration errors). */
int app_main(const struct app_opts *o);
/* Re-reads the config file and .env; on success swaps it in. 0, or -1 with err set to the
 * file:line:col message (the old config stays). Thread-safe. */
int app_reload(struct app *app, char *err, size_t errlen);
/* Sets deployment id's model in the config file in place (cfgedit.h) and reloads. 0 with msg
 * saying what was done, or -1 with msg saying why not. Thread-safe. */
int app_set_model(struct app *app, const char *id, const char *model, char *msg, size_t len);

#endif
