/* discovery_watch: the background thread that asks the providers for their lineups (see
 * discovery_watch.h). */
#include "front/discovery_watch.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"

struct discovery_watch {
    struct state *st;
    volatile int abort; /* set by stop, read by a fetch in flight (atomics) */
    pthread_t thread;
    pthread_mutex_t mu; /* guards the three fields below */
    pthread_cond_t cv;
    bool kicked, stopping;
    unsigned long rounds;
};

static bool same_endpoint(const struct deployment_cfg *a, const struct deployment_cfg *b)
{
    return a->kind == b->kind && a->dialect == b->dialect && a->api_base && b->api_base &&
           strcmp(a->api_base, b->api_base) == 0 && a->api_key && b->api_key &&
           strcmp(a->api_key, b->api_key) == 0;
}

void discovery_round(const struct config *cfg, const volatile int *abort_flag,
                     struct discovery_answer *ans)
{
    for (size_t i = 0; i < cfg->n_deps; i++) {
        const struct deployment_cfg *d = &cfg->deps[i];
        size_t j = 0;
        while (j < i && !same_endpoint(&cfg->deps[j], d))
            j++;
        if (j < i) { /* asked already this round */
            ans[i] = ans[j];
            continue;
        }
        struct discovery_target t = {
            .kind = d->kind,
            .dialect = d->dialect,
            .api_base = d->api_base,
            .api_key = d->api_key,
            .connect_timeout_s = cfg->connect_timeout_s,
            .abort_flag = abort_flag,
        };
        ans[i].res = discovery_fetch(&t, &ans[i].offer, ans[i].err, sizeof ans[i].err);
    }
}

void discovery_apply(struct state *st, const struct config *cfg, const struct discovery_answer *ans,
                     int64_t wall_ms)
{
    for (size_t i = 0; i < cfg->n_deps; i++) {
        if (ans[i].res == DISCOVERY_OK)
            state_lineup_offer(st, cfg, (int)i, &ans[i].offer, wall_ms);
        else if (ans[i].res != DISCOVERY_NO_KEY)
            state_lineup_failed(st, cfg, (int)i, ans[i].err);
    }
}

static void one_round(struct discovery_watch *w)
{
    struct config *cfg = state_config(w->st);
    struct discovery_answer *ans = calloc(cfg->n_deps ? cfg->n_deps : 1, sizeof *ans);
    if (ans) {
        discovery_round(cfg, &w->abort, ans);
        discovery_apply(w->st, cfg, ans, clock_wall_ms());
        free(ans);
    }
    config_free(cfg);
}

/* The interval of the config in force; 0 = no periodic rounds. */
static double interval_s(struct state *st)
{
    struct config *cfg = state_config(st);
    double s = cfg->discovery_interval_s;
    config_free(cfg);
    return s;
}

static void *run(void *arg)
{
    struct discovery_watch *w = arg;
    for (;;) {
        one_round(w);
        double every = interval_s(w->st);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += every > 0 ? (time_t)every : 365 * 86400;
        pthread_mutex_lock(&w->mu);
        w->rounds++;
        pthread_cond_broadcast(&w->cv);
        while (!w->kicked && !w->stopping &&
               pthread_cond_timedwait(&w->cv, &w->mu, &until) != ETIMEDOUT)
            ;
        bool stop = w->stopping;
        w->kicked = false;
        pthread_mutex_unlock(&w->mu);
        if (stop)
            return NULL;
    }
}

struct discovery_watch *discovery_watch_start(struct state *st)
{
    struct discovery_watch *w = calloc(1, sizeof *w);
    pthread_condattr_t ca;
    if (!w)
        return NULL;
    w->st = st;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&w->mu, NULL);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return NULL;
    }
    return w;
}

void discovery_watch_kick(struct discovery_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->kicked = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

unsigned long discovery_watch_rounds(struct discovery_watch *w)
{
    if (!w)
        return 0;
    pthread_mutex_lock(&w->mu);
    unsigned long n = w->rounds;
    pthread_mutex_unlock(&w->mu);
    return n;
}

void discovery_watch_stop(struct discovery_watch *w)
{
    if (!w)
        return;
    __atomic_store_n(&w->abort, 1, __ATOMIC_RELEASE); /* a fetch in flight ends now */
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
