/* state: the one shared mutable object (router, per-deployment stats, request log, client
 * counters) behind one mutex. The lock guards plain copies and updates only: clocks are read,
 * memory allocated and percentiles sorted outside it. */
#include "route/state.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/ratelimit.h"
#include "route/stats.h"
#include "route/store.h"
#include "route/waitq.h"

#define ARRIVALS_CAP 4096 /* client rpm saturates here */
#define MATCH_CAP    256

_Static_assert(SNAP_SPARK == STATS_SPARK, "sparkline sizes must agree");
_Static_assert(SNAP_SPARK_SECS * 1000 == STATS_SPARK_MS, "sparkline buckets must agree");
_Static_assert(SNAP_HIST == STATS_HIST, "histogram sizes must agree");
_Static_assert(SNAP_CODES == STATS_CODES, "status tables must agree");

struct state {
    pthread_mutex_t mu;
    int64_t (*now_fn)(void);
    int64_t started_ms;
    struct config *cfg;
    struct router *router;
    struct dep_stats *stats;   /* one per cfg deployment */
    struct dep_lineup *lineup; /* one per cfg deployment: what its provider offers */
    uint64_t next_id, seq, total_requests;
    int in_flight;
    int log_head, log_n;
    struct request_rec log[SNAP_LOG];
    int arr_head, arr_n;
    int64_t arrivals[ARRIVALS_CAP];
    struct stats_codes unserved; /* client requests no deployment served */
    uint64_t waited, wait_gave_up, wait_left;
    double wait_ms_total;
    struct waitq *wq; /* its own lock; kicked after this one is released */
    struct snap_shared shared;
    const struct config *today_cfg; /* the config shared_today indexes */
    long shared_today[SNAP_MAX_DEPS];
    uint64_t notice_seq;
    char notice[SNAP_NOTICE];
};

int64_t state_now_ms(const struct state *st)
{
    return st && st->now_fn ? st->now_fn() : (int64_t)clock_mono_ms();
}

static struct dep_stats *stats_new(size_t n)
{
    struct dep_stats *s = calloc(n ? n : 1, sizeof *s);
    for (size_t i = 0; s && i < n; i++)
        stats_init(&s[i]);
    return s;
}

struct state *state_new(struct config *cfg, int64_t (*now_fn)(void))
{
    if (!cfg)
        return NULL;
    struct state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->now_fn = now_fn;
    st->router = router_new(cfg);
    st->stats = stats_new(cfg->n_deps);
    st->wq = waitq_new();
    st->lineup = calloc(cfg->n_deps ? cfg->n_deps : 1, sizeof *st->lineup);
    if (!st->router || !st->stats || !st->wq || !st->lineup ||
        pthread_mutex_init(&st->mu, NULL) != 0) {
        router_free(st->router);
        free(st->stats);
        waitq_free(st->wq);
        free(st->lineup);
        free(st);
        return NULL;
    }
    st->cfg = config_ref(cfg);
    st->started_ms = state_now_ms(st);
    return st;
}

void state_free(struct state *st)
{
    if (!st)
        return;
    router_free(st->router);
    free(st->stats);
    free(st->lineup);
    config_free(st->cfg);
    waitq_free(st->wq);
    pthread_mutex_destroy(&st->mu);
    free(st);
}

struct waitq *state_waitq(struct state *st)
{
    return st->wq;
}

struct config *state_config(struct state *st)
{
    pthread_mutex_lock(&st->mu);
    struct config *c = config_ref(st->cfg);
    pthread_mutex_unlock(&st->mu);
    return c;
}

/* Carries the stats of deployments that keep their id into the new array. */
static void map_stats(struct dep_stats *dst, const struct config *nc, const struct dep_stats *src,
                      const struct config *oc)
{
    for (size_t i = 0; i < nc->n_deps; i++)
        for (size_t j = 0; j < oc->n_deps; j++)
            if (nc->deps[i].id && oc->deps[j].id && strcmp(nc->deps[i].id, oc->deps[j].id) == 0) {
                dst[i] = src[j];
                break;
            }
}

/* Tells the router whether deployment i's model is gone, from its lineup record. A refusal
 * another instance saw says who saw it. */
static void sync_gone(struct router *r, const struct config *c, const struct dep_lineup *l, int i)
{
    char reason[128], by[64];
    bool gone = lineup_is_gone(&l[i]);
    router_set_refused(r, i, l[i].refused);
    if (gone) {
        char what[sizeof reason];
        lineup_reason(&l[i], c->deps[i].model, what, sizeof what);
        if (l[i].verdict != LINEUP_GONE && router_refused(r, i, by, sizeof by) && by[0]) {
            int room = (int)sizeof reason - 1 - (int)strlen(" (learnt by )") - (int)strlen(by);
            snprintf(reason, sizeof reason, "%.*s (learnt by %s)", room > 0 ? room : 0, what, by);
        } else
            snprintf(reason, sizeof reason, "%s", what);
    }
    router_set_model_gone(r, i, gone, gone ? reason : NULL);
}

/* The router takes a refusal of a model (or its end) from other instances' marks: deployment
 * i's lineup record follows, so that the card, /admin/state and /metrics say what the router
 * does. */
static void take_refusal(struct state *st, int i)
{
    if (i < 0 || (size_t)i >= st->cfg->n_deps)
        return;
    bool refused = router_refused(st->router, i, NULL, 0);
    if (refused == st->lineup[i].refused)
        return;
    if (refused)
        lineup_refused(&st->lineup[i], clock_wall_ms());
    else
        lineup_forget_refusal(&st->lineup[i]);
    sync_gone(st->router, st->cfg, st->lineup, i);
}

static bool same_endpoint(const struct deployment_cfg *a, const struct deployment_cfg *b)
{
    return a->kind == b->kind && a->api_base && b->api_base && !strcmp(a->api_base, b->api_base) &&
           (a->api_key == b->api_key ||
            (a->api_key && b->api_key && !strcmp(a->api_key, b->api_key)));
}

/* What the providers offer outlives a reload: a deployment that keeps its id and its provider
 * keeps its record; one whose model changed (the dashboard's m) is judged at once by the list
 * its provider gave last, so a newly chosen model serves without waiting for discovery. */
static void map_lineup(struct dep_lineup *dst, const struct config *nc,
                       const struct dep_lineup *src, const struct config *oc, struct router *r)
{
    for (size_t i = 0; i < nc->n_deps; i++) {
        for (size_t j = 0; j < oc->n_deps; j++) {
            const struct deployment_cfg *n = &nc->deps[i], *o = &oc->deps[j];
            if (!n->id || !o->id || strcmp(n->id, o->id) != 0 || !same_endpoint(n, o))
                continue;
            if (strcmp(n->model, o->model) == 0)
                dst[i] = src[j];
            else if (src[j].checked_wall_ms > 0)
                lineup_apply(&dst[i], n->model, &src[j].offer, src[j].checked_wall_ms);
            break;
        }
        sync_gone(r, nc, dst, (int)i);
    }
}

void state_swap_config(struct state *st, struct config *cfg)
{
    if (!st || !cfg)
        return;
    struct router *r = router_new(cfg);
    struct dep_stats *stats = stats_new(cfg->n_deps);
    struct dep_lineup *lineup = calloc(cfg->n_deps ? cfg->n_deps : 1, sizeof *lineup);
    if (!r || !stats || !lineup) {
        router_free(r); /* out of memory: keep serving with the old config */
        free(stats);
        free(lineup);
        return;
    }
    config_ref(cfg);
    pthread_mutex_lock(&st->mu);
    router_inherit(r, st->router);
    map_stats(stats, cfg, st->stats, st->cfg);
    map_lineup(lineup, cfg, st->lineup, st->cfg, r);
    struct router *old_r = st->router;
    struct dep_stats *old_stats = st->stats;
    struct dep_lineup *old_lineup = st->lineup;
    struct config *old_cfg = st->cfg;
    st->router = r;
    st->stats = stats;
    st->lineup = lineup;
    st->cfg = cfg;
    pthread_mutex_unlock(&st->mu);
    router_free(old_r);
    free(old_stats);
    free(old_lineup);
    config_free(old_cfg);
    waitq_kick(st->wq); /* waiters plan again on the new config */
}

uint64_t state_request_begin(struct state *st)
{
    int64_t now = state_now_ms(st);
    pthread_mutex_lock(&st->mu);
    uint64_t id = ++st->next_id;
    st->total_requests++;
    st->in_flight++;
    st->arrivals[st->arr_head] = now;
    st->arr_head = (st->arr_head + 1) % ARRIVALS_CAP;
    if (st->arr_n < ARRIVALS_CAP)
        st->arr_n++;
    pthread_mutex_unlock(&st->mu);
    return id;
}

int state_plan(struct state *st, const char *model, struct route_plan *out)
{
    pthread_mutex_lock(&st->mu);
    int rc = router_plan(st->router, model, out);
    pthread_mutex_unlock(&st->mu);
    return rc;
}

enum admit state_admit(struct state *st, const struct route_plan *plan, int i, long est_tokens,
                       bool *is_probe)
{
    int64_t now = state_now_ms(st);
    enum admit a = ADMIT_SKIP_STATUS;
    if (is_probe)
        *is_probe = false;
    pthread_mutex_lock(&st->mu);
    /* a plan made before a reload indexes another config: never admit through it */
    if (plan && plan->cfg == st->cfg) {
        a = router_admit(st->router, plan, i, est_tokens, now, is_probe);
        if (i >= 0 && i < plan->n) /* the marks it may have taken are that deployment's */
            take_refusal(st, plan->dep[i]);
    }
    pthread_mutex_unlock(&st->mu);
    return a;
}

enum admit state_admit_ask(struct state *st, const struct route_plan *plan, int i,
                           const struct admit_ask *ask, struct admit_grant *g)
{
    int64_t now = state_now_ms(st);
    enum admit a = ADMIT_SKIP_STATUS;
    if (g)
        *g = (struct admit_grant){0};
    pthread_mutex_lock(&st->mu);
    if (plan && plan->cfg == st->cfg) {
        a = router_admit_ask(st->router, plan, i, ask, now, g);
        if (i >= 0 && i < plan->n)
            take_refusal(st, plan->dep[i]);
    }
    pthread_mutex_unlock(&st->mu);
    return a;
}

int64_t state_ready_at(struct state *st, const struct route_plan *plan, const struct admit_ask *ask,
                       bool *busy)
{
    int64_t now = state_now_ms(st);
    int64_t t = 0;
    if (busy)
        *busy = false;
    pthread_mutex_lock(&st->mu);
    if (plan && plan->cfg == st->cfg)
        t = router_ready_at(st->router, plan, ask, now, busy);
    pthread_mutex_unlock(&st->mu);
    return t;
}

void state_wait_done(struct state *st, double waited_ms, enum wait_end how)
{
    if (how == WAIT_SERVED && waited_ms < 1)
        return; /* queued behind others and served at once: it never waited */
    pthread_mutex_lock(&st->mu);
    st->waited++;
    st->wait_ms_total += waited_ms > 0 ? waited_ms : 0;
    st->wait_gave_up += how == WAIT_GAVE_UP;
    st->wait_left += how == WAIT_CLIENT_LEFT;
    pthread_mutex_unlock(&st->mu);
}

/* Z.AI names a plan limit's reset as a Beijing date in the message: seconds from now. */
static void plan_reset(struct attempt_outcome *o)
{
    double at;
    if (o->ok || !ratelimit_reset_at(o->err.message, &at))
        return;
    double in = at - (double)clock_wall_ms() / 1000.0;
    o->reset_in_s = in > 0.001 ? in : 0.001; /* a reset in the past: try again at once */
}

unsigned state_attempt_end(struct state *st, int dep, const struct attempt_outcome *in,
                           double latency_ms, double ttft_ms)
{
    if (!in)
        return 0;
    struct attempt_outcome oc = *in;
    const struct attempt_outcome *o = &oc;
    plan_reset(&oc);
    int64_t now = state_now_ms(st);
    /* The router dates the answer's rate-limit headers by the time it is given. A stream's
     * headers came with its first byte, not at its end: admissions during the stream are not
     * in their numbers. Errors and whole answers came with their headers. */
    int64_t headers_at = now;
    if (ttft_ms >= 0 && latency_ms > ttft_ms)
        headers_at = now - (int64_t)(latency_ms - ttft_ms);
    int64_t wall = o->ok ? 0 : clock_wall_ms();
    pthread_mutex_lock(&st->mu);
    unsigned ev = router_finish(st->router, dep, o, headers_at);
    if (dep >= 0 && (size_t)dep < st->cfg->n_deps) {
        stats_attempt(&st->stats[dep], o->ok, o->status, o->ok ? ERRC_NONE : o->err.cls,
                      o->tokens_in, o->tokens_out, latency_ms, ttft_ms, now);
        stats_cached(&st->stats[dep], o->tokens_cached);
        if (o->new_connections > 0)
            st->stats[dep].connects += (uint64_t)o->new_connections;
    }
    if (!o->ok && errmap_model_gone(&o->err) && dep >= 0 && (size_t)dep < st->cfg->n_deps) {
        lineup_refused(&st->lineup[dep], wall);
        sync_gone(st->router, st->cfg, st->lineup, dep);
    }
    pthread_mutex_unlock(&st->mu);
    waitq_kick(st->wq);
    return ev;
}

static void terminate_strings(struct request_rec *r)
{
    r->model[sizeof r->model - 1] = '\0';
    r->group[sizeof r->group - 1] = '\0';
    r->served_by[sizeof r->served_by - 1] = '\0';
    r->error[sizeof r->error - 1] = '\0';
    if (r->n_attempts < 0)
        r->n_attempts = 0;
    if (r->n_attempts > REC_MAX_ATTEMPTS)
        r->n_attempts = REC_MAX_ATTEMPTS;
    for (int k = 0; k < REC_MAX_ATTEMPTS; k++) {
        r->attempts[k].dep[sizeof r->attempts[k].dep - 1] = '\0';
        r->attempts[k].note[sizeof r->attempts[k].note - 1] = '\0';
    }
}

static int dep_index(const struct config *c, const char *id)
{
    for (size_t i = 0; id[0] && i < c->n_deps; i++)
        if (c->deps[i].id && strcmp(c->deps[i].id, id) == 0)
            return (int)i;
    return -1;
}

/* Client status counters: per serving deployment (and whether it was a fallback), or unserved.
 * A fallback is served by some deployment other than the first candidate tried or skipped. */
static void count_response(struct state *st, const struct request_rec *r)
{
    int dep = dep_index(st->cfg, r->served_by);
    if (dep < 0) {
        stats_code_count(&st->unserved, r->status);
        return;
    }
    bool fallback = r->n_attempts > 0 && strcmp(r->attempts[0].dep, r->served_by) != 0;
    stats_served(&st->stats[dep], r->status, fallback);
    st->stats[dep].budget_cut += r->budget_cut;
}

void state_request_end(struct state *st, const struct request_rec *rec)
{
    if (!rec)
        return;
    pthread_mutex_lock(&st->mu);
    struct request_rec *slot = &st->log[st->log_head];
    *slot = *rec;
    terminate_strings(slot);
    st->log_head = (st->log_head + 1) % SNAP_LOG;
    if (st->log_n < SNAP_LOG)
        st->log_n++;
    st->seq = rec->id;
    count_response(st, slot);
    if (st->in_flight > 0)
        st->in_flight--;
    pthread_mutex_unlock(&st->mu);
}

void state_token_sample(struct state *st, const struct config *cfg, int dep, long estimated,
                        long actual)
{
    pthread_mutex_lock(&st->mu);
    if (cfg == st->cfg && dep >= 0 && (size_t)dep < st->cfg->n_deps)
        stats_token_sample(&st->stats[dep], estimated, actual);
    pthread_mutex_unlock(&st->mu);
}

long state_scale_estimate(struct state *st, const struct config *cfg, int dep, long estimated)
{
    double ratio = 1.0;
    pthread_mutex_lock(&st->mu);
    if (cfg == st->cfg && dep >= 0 && (size_t)dep < st->cfg->n_deps)
        ratio = stats_token_ratio(&st->stats[dep]);
    pthread_mutex_unlock(&st->mu);
    double scaled = ceil((double)(estimated > 0 ? estimated : 0) * ratio);
    return scaled < (double)LONG_MAX ? (long)scaled : LONG_MAX;
}

int64_t state_retry_at(struct state *st, const struct route_plan *plan, bool *rate_limited)
{
    int64_t now = state_now_ms(st);
    pthread_mutex_lock(&st->mu);
    int64_t t = 0;
    bool rl = false;
    if (plan && plan->cfg == st->cfg) {
        t = router_earliest_ready(st->router, plan, now);
        rl = router_plan_rate_limited(st->router, plan, now);
    }
    pthread_mutex_unlock(&st->mu);
    if (rate_limited)
        *rate_limited = rl;
    return t;
}

/* Deployments named by id_or_name: the one with that id, else every one with that name. */
static int match_deps(const struct config *c, const char *key, int *idx, int cap)
{
    int n = 0;
    if (!key)
        return 0;
    for (size_t i = 0; i < c->n_deps; i++)
        if (c->deps[i].id && strcmp(c->deps[i].id, key) == 0) {
            idx[0] = (int)i;
            return 1;
        }
    for (size_t i = 0; i < c->n_deps && n < cap; i++)
        if (c->deps[i].name && strcmp(c->deps[i].name, key) == 0)
            idx[n++] = (int)i;
    return n;
}

enum cmd { CMD_ENABLE, CMD_DISABLE, CMD_TOGGLE, CMD_RESET };

static int command(struct state *st, const char *id_or_name, enum cmd cmd)
{
    int idx[MATCH_CAP];
    int64_t now = state_now_ms(st);
    pthread_mutex_lock(&st->mu);
    int n = match_deps(st->cfg, id_or_name, idx, MATCH_CAP);
    bool any_on = false;
    for (int k = 0; k < n; k++)
        any_on = any_on || router_is_enabled(st->router, idx[k]);
    for (int k = 0; k < n; k++) {
        if (cmd == CMD_RESET) {
            router_reset(st->router, idx[k]);
            lineup_forget_refusal(&st->lineup[idx[k]]); /* the user says: try the model again */
            sync_gone(st->router, st->cfg, st->lineup, idx[k]);
        } else if (cmd == CMD_TOGGLE) /* a name toggles its group of deployments as one */
            router_set_enabled(st->router, idx[k], !any_on);
        else
            router_set_enabled(st->router, idx[k], cmd == CMD_ENABLE);
        router_publish(st->router, idx[k], now); /* for every instance, when shared */
    }
    pthread_mutex_unlock(&st->mu);
    waitq_kick(st->wq);
    return n > 0 ? 0 : -ENOENT;
}

int state_set_enabled(struct state *st, const char *id_or_name, bool on)
{
    return command(st, id_or_name, on ? CMD_ENABLE : CMD_DISABLE);
}

int state_toggle_enabled(struct state *st, const char *id_or_name)
{
    return command(st, id_or_name, CMD_TOGGLE);
}

int state_reset(struct state *st, const char *id_or_name)
{
    return command(st, id_or_name, CMD_RESET);
}

void state_set_force_fallback(struct state *st, bool on)
{
    pthread_mutex_lock(&st->mu);
    router_set_force_fallback(st->router, on);
    pthread_mutex_unlock(&st->mu);
    waitq_kick(st->wq);
}

bool state_force_fallback(struct state *st)
{
    pthread_mutex_lock(&st->mu);
    bool on = router_force_fallback(st->router);
    pthread_mutex_unlock(&st->mu);
    return on;
}

bool state_dep_view(struct state *st, const struct config *cfg, int dep,
                    struct router_dep_view *out, int64_t *now_ms)
{
    int64_t now = state_now_ms(st);
    if (now_ms)
        *now_ms = now;
    pthread_mutex_lock(&st->mu);
    bool same = cfg == st->cfg;
    router_view(st->router, same ? dep : -1, now, out); /* -1: cleared */
    pthread_mutex_unlock(&st->mu);
    return same;
}

bool state_ask_view(struct state *st, const struct config *cfg, int dep,
                    const struct admit_ask *ask, struct router_dep_view *out, int64_t *now_ms)
{
    int64_t now = state_now_ms(st);
    if (now_ms)
        *now_ms = now;
    pthread_mutex_lock(&st->mu);
    bool same = cfg == st->cfg;
    router_ask_view(st->router, same ? dep : -1, ask, now, out);
    pthread_mutex_unlock(&st->mu);
    return same;
}

/* ---- snapshots ---- */

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strnlen(src, cap - 1) : 0;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static void copy_hist(struct snap_hist *dst, const struct stats_hist *src)
{
    memcpy(dst->count, src->count, sizeof dst->count);
    dst->n = src->n;
    dst->sum_s = src->sum_s;
}

static int copy_codes(struct snap_code *dst, const struct stats_codes *src)
{
    for (int k = 0; k < src->n; k++)
        dst[k] = (struct snap_code){.code = src->c[k].code, .n = src->c[k].n};
    return src->n;
}

static void fill_dep(const struct state *st, int i, int64_t now, struct dep_snapshot *d)
{
    const struct deployment_cfg *c = &st->cfg->deps[i];
    const struct dep_stats *s = &st->stats[i];
    copy_str(d->id, sizeof d->id, c->id);
    copy_str(d->name, sizeof d->name, c->name);
    copy_str(d->group, sizeof d->group, c->group);
    copy_str(d->model, sizeof d->model, c->model);
    copy_str(d->api_base, sizeof d->api_base, c->api_base);
    copy_str(d->key_env, sizeof d->key_env, c->api_key_env);
    d->dialect = c->dialect;
    d->is_primary = c->group && config_group_has_fallbacks(st->cfg, c->group);
    d->enabled = router_is_enabled(st->router, i);
    router_view(st->router, i, now, &d->view);
    d->remaining_ms = d->view.until_ms > now ? d->view.until_ms - now : 0;
    d->rpm_limit = c->rpm;
    d->tpm_limit = c->tpm;
    d->rpm_now = d->view.rpm_used;
    stats_spark(s, now, d->spark);
    d->tok_per_s = stats_tok_per_s(s);
    d->n_total = s->n_total;
    d->n_ok = s->n_ok;
    d->n_429 = s->n_429;
    d->n_err = s->n_err;
    d->tokens_in = s->tokens_in;
    d->tokens_out = s->tokens_out;
    d->tokens_cached = s->tokens_cached;
    d->cache_hit_rate = stats_cache_hit_rate(s);
    d->budget_lowered = d->view.budget_lowered;
    d->budget_cut = s->budget_cut;
    copy_hist(&d->lat_hist, &s->lat_hist);
    copy_hist(&d->ttft_hist, &s->ttft_hist);
    d->n_codes = copy_codes(d->codes, &s->codes);
    d->n_served = copy_codes(d->served, &s->served);
    d->fallbacks = s->fallbacks;
    d->connects = s->connects;
    d->token_ratio = stats_token_ratio(s);
    d->shared_today =
        st->today_cfg == st->cfg && st->shared.up && i < SNAP_MAX_DEPS ? st->shared_today[i] : -1;
    d->lineup = st->lineup[i];
}

static int client_rpm(const struct state *st, int64_t now)
{
    int n = 0;
    for (int k = 0; k < st->arr_n; k++)
        if (now - st->arrivals[k] < 60000)
            n++;
    return n;
}

static void copy_log(const struct state *st, struct snapshot *out)
{
    out->n_log = st->log_n;
    for (int k = 0; k < st->log_n; k++) {
        int idx = (st->log_head - 1 - k + SNAP_LOG) % SNAP_LOG;
        out->log[k] = st->log[idx];
    }
}

void state_snapshot(struct state *st, struct snapshot *out)
{
    /* sized for the most deployments a snapshot holds, so nothing is allocated under the lock */
    struct stats_samples *smp = malloc(sizeof *smp * SNAP_MAX_DEPS);
    memset(out, 0, offsetof(struct snapshot, log));
    out->wall_ms = clock_wall_ms();
    int64_t now = state_now_ms(st);
    pthread_mutex_lock(&st->mu);
    out->now_ms = now;
    out->started_ms = st->started_ms;
    out->force_fallback = router_force_fallback(st->router);
    out->total_requests = st->total_requests;
    out->rpm_total = client_rpm(st, now);
    out->in_flight = st->in_flight;
    out->waited = st->waited;
    out->wait_gave_up = st->wait_gave_up;
    out->wait_left = st->wait_left;
    out->wait_s_total = st->wait_ms_total / 1000.0;
    out->seq = st->seq;
    out->n_deps = st->cfg->n_deps < SNAP_MAX_DEPS ? (int)st->cfg->n_deps : SNAP_MAX_DEPS;
    for (int i = 0; i < out->n_deps; i++) {
        fill_dep(st, i, now, &out->deps[i]);
        if (smp)
            stats_copy_samples(&st->stats[i], &smp[i]);
    }
    out->n_unserved = copy_codes(out->unserved, &st->unserved);
    out->shared = st->shared;
    out->notice_seq = st->notice_seq;
    memcpy(out->notice, st->notice, sizeof out->notice);
    copy_log(st, out);
    pthread_mutex_unlock(&st->mu);
    out->waiting = waitq_len(st->wq);
    for (int i = 0; smp && i < out->n_deps; i++) {
        struct dep_snapshot *d = &out->deps[i];
        stats_percentiles(&smp[i], &d->lat_p50_ms, &d->lat_p95_ms, &d->ttft_p50_ms,
                          &d->ttft_p95_ms);
    }
    free(smp);
}

/* ---- sharing with other instances ---- */

void state_set_store(struct state *st, const struct store_ops *ops, void *ctx)
{
    pthread_mutex_lock(&st->mu);
    router_set_store(st->router, ops, ctx);
    pthread_mutex_unlock(&st->mu);
}

void state_take_marks(struct state *st, const struct config *cfg, const struct store_mark *marks,
                      const long *today, int n)
{
    int64_t now = state_now_ms(st);
    pthread_mutex_lock(&st->mu);
    if (cfg == st->cfg)
        st->today_cfg = cfg;
    for (int i = 0; cfg == st->cfg && i < n && (size_t)i < st->cfg->n_deps; i++) {
        router_take_mark(st->router, i, &marks[i], now);
        take_refusal(st, i);
        if (i < SNAP_MAX_DEPS)
            st->shared_today[i] = today ? today[i] : -1;
    }
    pthread_mutex_unlock(&st->mu);
    waitq_kick(st->wq); /* a mark cleared elsewhere may let a waiter through */
}

void state_share_resync(struct state *st)
{
    int64_t now = state_now_ms(st);
    pthread_mutex_lock(&st->mu);
    router_resync(st->router, now);
    pthread_mutex_unlock(&st->mu);
}

void state_set_shared(struct state *st, const struct snap_shared *s)
{
    pthread_mutex_lock(&st->mu);
    st->shared = *s;
    pthread_mutex_unlock(&st->mu);
}

int state_client_rpm(struct state *st)
{
    int64_t now = state_now_ms(st);
    pthread_mutex_lock(&st->mu);
    int n = client_rpm(st, now);
    pthread_mutex_unlock(&st->mu);
    return n;
}

void state_command_scope(struct state *st, char *out, size_t cap)
{
    pthread_mutex_lock(&st->mu);
    int n = st->shared.up ? st->shared.instances : 0;
    pthread_mutex_unlock(&st->mu);
    if (n > 1)
        snprintf(out, cap, "for all %d instances", n);
    else
        snprintf(out, cap, "this instance");
}
void state_notice(struct state *st, const char *msg)
{
    size_t n = msg ? strnlen(msg, SNAP_NOTICE - 1) : 0;
    while (n > 0 && ((unsigned char)msg[n] & 0xC0) == 0x80)
        n--; /* cut before a character, not inside it */
    pthread_mutex_lock(&st->mu);
    memcpy(st->notice, msg ? msg : "", n);
    st->notice[n] = '\0';
    st->notice_seq++;
    pthread_mutex_unlock(&st->mu);
}

/* ---- lineup ---- */

void state_lineup_offer(struct state *st, const struct config *cfg, int dep,
                        const struct lineup_offer *offer, int64_t wall_ms)
{
    int64_t now = state_now_ms(st);
    pthread_mutex_lock(&st->mu);
    if (cfg == st->cfg && dep >= 0 && (size_t)dep < st->cfg->n_deps) {
        bool was_refused = st->lineup[dep].refused;
        lineup_apply(&st->lineup[dep], st->cfg->deps[dep].model, offer, wall_ms);
        sync_gone(st->router, st->cfg, st->lineup, dep);
        if (was_refused && !st->lineup[dep].refused) /* listed again: back for every instance */
            router_publish(st->router, dep, now);
    }
    pthread_mutex_unlock(&st->mu);
}

void state_lineup_failed(struct state *st, const struct config *cfg, int dep, const char *why)
{
    pthread_mutex_lock(&st->mu);
    if (cfg == st->cfg && dep >= 0 && (size_t)dep < st->cfg->n_deps)
        lineup_failed(&st->lineup[dep], why);
    pthread_mutex_unlock(&st->mu);
}

bool state_dep_lineup(struct state *st, const struct config *cfg, int dep, struct dep_lineup *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&st->mu);
    bool same = cfg == st->cfg && dep >= 0 && (size_t)dep < st->cfg->n_deps;
    if (same)
        *out = st->lineup[dep];
    pthread_mutex_unlock(&st->mu);
    return same;
}
