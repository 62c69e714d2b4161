/* front_env: what the HTTP front's handlers (routing, proxy, admin) may reach of the running
 * program. The composition root fills it in and owns it; the front never sees the app. */
#ifndef SB_FRONT_ENV_H
#define SB_FRONT_ENV_H

#include <stdbool.h>
#include <stddef.h>

struct state;
struct reqlog;

/* Re-reads the configuration and swaps it in: 0, or -1 with err set (the old one stays).
 * Called from worker threads; must be thread-safe. */
typedef int (*front_reload_fn)(void *ud, char *err, size_t errlen);
/* Changes deployment id's model in the config file (in place, with a backup) and reloads:
 * 0 with msg saying what was done, or -1 with msg saying why not. Thread-safe. */
typedef int (*front_set_model_fn)(void *ud, const char *id, const char *model, char *msg,
                                  size_t len);

struct front_env {
    struct state *st;      /* thread-safe by its own lock */
    struct reqlog *reqlog; /* NULL when not logging; thread-safe */
    bool log_bodies;       /* set before the front starts, then read-only */
    bool demo;
    char url[160];  /* http://host:port clients should use; written before the first request */
    char host[128]; /* the address listened on (config host or --host); written before start */
    char config_path[512];
    int port; /* bound port, written by http_front_start */
    /* Written by the main thread during shutdown, read by every worker: accessed only
     * through the __atomic builtins. */
    volatile int abort_upstream;  /* the grace period is over: abort upstream transfers */
    volatile int draining;        /* new requests get 503 */
    front_reload_fn reload;       /* NULL: this instance cannot reload (the demo) */
    front_set_model_fn set_model; /* NULL likewise */
    void *reload_ud;              /* for both */
    /* Refused browser requests are told (dashboard, log) at most every few seconds: the
     * time of the last telling and how many went untold since. __atomic builtins only. */
    long long refusal_told_ms;
    unsigned long refusals_untold;
};

#endif
