/* router: the router's life cycle, candidate chains for a model, and the user's overrides.
 * Pure: the caller passes the time and serialises access; no locks, clocks or I/O here.
 * Outcomes live in router_outcome.c, admission in router_admit.c, budgets in
 * router_budget.c; all of them work on the model in router_model.c. */
#include "route/router.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router_model.h"

struct router *router_new(const struct config *cfg)
{
    if (!cfg || cfg->n_deps > CONFIG_MAX_DEPLOYMENTS)
        return NULL;
    struct router *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->cfg = cfg;
    r->n = (int)cfg->n_deps;
    r->d = calloc(cfg->n_deps ? cfg->n_deps : 1, sizeof *r->d);
    r->rr = calloc(cfg->n_deps ? cfg->n_deps : 1, sizeof *r->rr);
    if (!r->d || !r->rr)
        goto out_free;
    for (int i = 0; i < r->n; i++) {
        struct dep_rt *d = &r->d[i];
        d->enabled = true;
        ratelimit_init(&d->rl);
        rt_buckets_init(r, i, 0);
        d->win = calloc(RT_RING, sizeof *d->win);
        if (!d->win)
            goto out_free;
    }
    return r;
out_free:
    router_free(r);
    return NULL;
}

void router_free(struct router *r)
{
    if (!r)
        return;
    for (int i = 0; r->d && i < r->n; i++)
        free(r->d[i].win);
    free(r->d);
    free(r->rr);
    free(r);
}

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* Same provider settings: state learnt about the old one still applies to the new one. */
static bool same_provider(const struct deployment_cfg *a, const struct deployment_cfg *b)
{
    return str_eq(a->api_base, b->api_base) && str_eq(a->model, b->model) &&
           str_eq(a->api_key, b->api_key) && a->rpm == b->rpm && a->rph == b->rph &&
           a->rpd == b->rpd && a->tpm == b->tpm && a->tph == b->tph && a->tpd == b->tpd &&
           a->max_parallel == b->max_parallel;
}

static void copy_runtime(struct dep_rt *dst, const struct dep_rt *src)
{
    struct rt_win_ent *win = dst->win;
    *dst = *src;
    dst->win = win;
    memcpy(win, src->win, sizeof *win * RT_RING);
}

void router_inherit(struct router *r, const struct router *old)
{
    if (!r || !old)
        return;
    r->force_fallback = old->force_fallback;
    r->store = old->store;
    r->store_ctx = old->store_ctx;
    for (int i = 0; i < r->n; i++) {
        const struct deployment_cfg *nd = &r->cfg->deps[i];
        for (int j = 0; j < old->n; j++) {
            const struct deployment_cfg *od = &old->cfg->deps[j];
            if (!str_eq(nd->id, od->id))
                continue;
            if (same_provider(nd, od))
                copy_runtime(&r->d[i], &old->d[j]);
            else
                r->d[i].enabled = old->d[j].enabled; /* the user's switch outlives edits */
            break;
        }
    }
}

static bool plan_has(const struct route_plan *p, int dep)
{
    for (int i = 0; i < p->n; i++)
        if (p->dep[i] == dep)
            return true;
    return false;
}

/* Appends the deployments of group, starting at the rotation offset. */
static void plan_add_group(const struct router *r, struct route_plan *p, const char *group,
                           bool fallback, unsigned rot)
{
    int idx[ROUTER_MAX_CHAIN];
    int n = 0;
    for (int i = 0; i < r->n && n < ROUTER_MAX_CHAIN; i++)
        if (str_eq(r->cfg->deps[i].group, group))
            idx[n++] = i;
    for (int k = 0; k < n && p->n < ROUTER_MAX_CHAIN; k++) {
        int dep = idx[(k + rot) % (unsigned)n];
        if (plan_has(p, dep))
            continue;
        p->dep[p->n] = dep;
        p->is_fallback[p->n] = fallback;
        p->n++;
    }
}

/* Rotation offset for simple-shuffle: one step per plan of the group. */
static unsigned next_rotation(const struct router *r, const char *group)
{
    const char *s = r->cfg->routing_strategy;
    if (!s || strcmp(s, "simple-shuffle") != 0)
        return 0;
    for (int i = 0; i < r->n; i++)
        if (str_eq(r->cfg->deps[i].group, group))
            return __atomic_fetch_add(&r->rr[i], 1u, __ATOMIC_RELAXED);
    return 0;
}

int router_plan(const struct router *r, const char *requested_model, struct route_plan *out)
{
    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    if (!r)
        return -ENOENT;
    const char *group = config_resolve_model(r->cfg, requested_model);
    if (!group)
        return -ENOENT;
    out->cfg = r->cfg;
    out->group = group;
    plan_add_group(r, out, group, false, next_rotation(r, group));
    int own = out->n;
    for (size_t f = 0; f < r->cfg->n_fallbacks; f++) {
        const struct fallback_cfg *fb = &r->cfg->fallbacks[f];
        if (!fb->from || (strcmp(fb->from, group) != 0 && strcmp(fb->from, "*") != 0))
            continue;
        for (size_t t = 0; t < fb->n_to; t++)
            plan_add_group(r, out, fb->to[t], true, 0);
    }
    out->has_fallbacks = out->n > own;
    return 0;
}

static bool valid_dep(const struct router *r, int dep)
{
    return r && dep >= 0 && dep < r->n;
}

void router_set_enabled(struct router *r, int dep, bool on)
{
    if (!valid_dep(r, dep))
        return;
    struct dep_rt *d = &r->d[dep];
    if (on && (!d->enabled || (d->quota && !d->quota_reset_known))) {
        /* turning it (back) on is the user's way to say "the quota is sorted" */
        d->quota = false;
        d->quota_reset_known = false;
        d->quota_until = 0;
        if (d->cd == RT_CD_NONE)
            d->reason[0] = '\0';
    }
    d->enabled = on;
}

bool router_is_enabled(const struct router *r, int dep)
{
    return valid_dep(r, dep) && r->d[dep].enabled;
}

void router_set_force_fallback(struct router *r, bool on)
{
    if (r)
        r->force_fallback = on;
}

bool router_force_fallback(const struct router *r)
{
    return r && r->force_fallback;
}

void router_reset(struct router *r, int dep)
{
    if (!valid_dep(r, dep))
        return;
    struct dep_rt *d = &r->d[dep];
    rt_clear_marks(d);
    d->refused = false; /* the user says: try the model again */
    d->refused_by[0] = '\0';
    d->probing = false;
    d->fail_n = 0;
    d->fail_pos = 0;
    d->tok_skip_until = 0;
    d->conc_learned = 0;
    /* the headers' "0 left today" would keep it out; the user asked to try again */
    d->has_rl = false;
    ratelimit_init(&d->rl);
    struct rt_win_ent *win = d->win;
    int64_t lost = d->win_lost;
    rt_buckets_init(r, dep, 0);
    d->win = win;
    d->win_lost = lost;
}

void router_set_store(struct router *r, const struct store_ops *ops, void *ctx)
{
    if (!r)
        return;
    r->store = ops;
    r->store_ctx = ctx;
}

void router_publish(struct router *r, int dep, int64_t now_ms)
{
    if (valid_dep(r, dep))
        rt_share_marks(r, dep, NULL, now_ms);
}

void router_take_mark(struct router *r, int dep, const struct store_mark *m, int64_t now_ms)
{
    /* seqs only grow (the store's script makes each above the last): an older one is a read
     * that crossed a newer change made here */
    if (!valid_dep(r, dep) || !m || m->seq == 0 || m->seq <= r->d[dep].mark_seq)
        return;
    if (r->d[dep].mark_dirty)
        return; /* ours are newer: published when the store answers again */
    rt_apply_mark(&r->d[dep], m, now_ms);
}

void router_resync(struct router *r, int64_t now_ms)
{
    for (int i = 0; r && r->store && i < r->n; i++) {
        if (r->d[i].mark_dirty)
            rt_share_marks(r, i, NULL, now_ms);
        rt_share_replay(r, i, now_ms);
    }
}

void router_set_model_gone(struct router *r, int dep, bool gone, const char *reason)
{
    if (!valid_dep(r, dep))
        return;
    struct dep_rt *d = &r->d[dep];
    d->model_gone = gone;
    snprintf(d->gone_reason, sizeof d->gone_reason, "%s", gone && reason ? reason : "");
    if (!gone && d->cd == RT_CD_NOT_FOUND) {
        /* that cooldown was about the model, which is back */
        d->cd = RT_CD_NONE;
        d->cooldown_until = 0;
        d->need_probe = false;
        d->reason[0] = '\0';
    }
}

bool router_model_gone(const struct router *r, int dep)
{
    return valid_dep(r, dep) && r->d[dep].model_gone;
}

void router_set_refused(struct router *r, int dep, bool refused)
{
    if (!valid_dep(r, dep) || r->d[dep].refused == refused)
        return;
    r->d[dep].refused = refused;
    r->d[dep].refused_by[0] = '\0';
}

bool router_refused(const struct router *r, int dep, char *by, size_t cap)
{
    if (by && cap)
        by[0] = '\0';
    if (!valid_dep(r, dep) || !r->d[dep].refused)
        return false;
    if (by && cap)
        snprintf(by, cap, "%s", r->d[dep].refused_by);
    return true;
}
