/* router: candidate chains for a model and what each attempt's outcome does to a deployment
 * (cooldowns, quota, auth marks, probes). Pure: the caller passes the time and serialises
 * access; no locks, clocks or I/O here. Admission lives in router_admit.c. */
#include "route/router.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router_priv.h"

static int win_cap_for(long rpm)
{
    if (rpm <= 0 || rpm > RT_WIN_CAP_MAX)
        return RT_WIN_CAP_COUNT;
    return rpm < RT_WIN_CAP_COUNT ? RT_WIN_CAP_COUNT : (int)rpm;
}

struct router *router_new(const struct config *cfg)
{
    if (!cfg || cfg->n_deps > 4096)
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
        d->win_cap = win_cap_for(cfg->deps[i].rpm);
        d->win = calloc((size_t)d->win_cap, sizeof *d->win);
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
           str_eq(a->api_key, b->api_key) && a->rpm == b->rpm && a->tpm == b->tpm;
}

static void copy_runtime(struct dep_rt *dst, const struct dep_rt *src)
{
    struct rt_win_ent *win = dst->win;
    int cap = dst->win_cap;
    *dst = *src;
    dst->win = win;
    dst->win_cap = cap;
    if (cap == src->win_cap) {
        memcpy(win, src->win, sizeof *win * (size_t)cap);
    } else {
        dst->win_head = 0;
        dst->win_n = 0;
    }
}

void router_inherit(struct router *r, const struct router *old)
{
    if (!r || !old)
        return;
    r->force_fallback = old->force_fallback;
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

void rt_cooldown(struct dep_rt *d, enum rt_cooldown kind, int64_t until, const char *reason)
{
    d->need_probe = true;
    if (d->cd != RT_CD_NONE && d->cooldown_until > until)
        return; /* a longer cooldown is already running */
    d->cd = kind;
    d->cooldown_until = until;
    size_t n = strnlen(reason, sizeof d->reason - 1);
    memcpy(d->reason, reason, n);
    d->reason[n] = '\0';
}

static int64_t secs_to_ms(double s)
{
    double ms = s * 1000.0;
    if (ms > (double)RT_MAX_COOLDOWN_MS)
        return RT_MAX_COOLDOWN_MS;
    return ms > 0 ? (int64_t)(ms + 0.5) : 0;
}

static int64_t cooldown_ms(const struct router *r)
{
    return secs_to_ms(r->cfg->cooldown_time_s);
}

/* "server error 503", "timeout", ... for reasons. */
static void failure_kind(char *out, size_t cap, const struct attempt_outcome *o, enum err_class cls)
{
    switch (cls) {
    case ERRC_SERVER:
        snprintf(out, cap, "server error %d", o->status);
        break;
    case ERRC_TIMEOUT:
        snprintf(out, cap, "timeout");
        break;
    case ERRC_CONNECT:
        snprintf(out, cap, "connection failed");
        break;
    default:
        snprintf(out, cap, "bad response");
        break;
    }
}

static unsigned on_rate_limit(struct router *r, struct dep_rt *d, const struct attempt_outcome *o,
                              int64_t now)
{
    char head[40], dur[32], reason[192];
    double hint = ratelimit_reset_hint_s(&o->rl);
    int64_t ms = hint >= 0 ? secs_to_ms(hint) : cooldown_ms(r);
    rt_fmt_dur(dur, sizeof dur, ms);
    if (o->status == 429)
        snprintf(head, sizeof head, "429 from provider");
    else
        snprintf(head, sizeof head, "rate limited (HTTP %d)", o->status);
    const char *how = o->rl.retry_after_s >= 0 ? "retry-after"
                      : hint >= 0              ? "resets in"
                                               : "cooldown";
    if (o->err.code[0])
        snprintf(reason, sizeof reason, "%s (%s), %s %s", head, o->err.code, how, dur);
    else
        snprintf(reason, sizeof reason, "%s, %s %s", head, how, dur);
    rt_cooldown(d, RT_CD_RATE, now + ms, reason);
    return ROUTER_EV_COOLDOWN_STARTED;
}

static const char *zai_quota_name(int code)
{
    switch (code) {
    case 1113:
        return "balance/plan";
    case 1304:
        return "daily call limit";
    case 1308:
        return "plan usage limit";
    case 1309:
        return "plan expired";
    case 1310:
        return "weekly/monthly limit";
    case 1313:
        return "fair-use limit";
    default:
        return "account problem";
    }
}

static unsigned on_quota(struct dep_rt *d, const struct attempt_outcome *o, int64_t now)
{
    char what[64], dur[32];
    double s = o->rl.reset_requests_day_s;
    if (o->rl.reset_tokens_day_s > s)
        s = o->rl.reset_tokens_day_s;
    if (s < 0)
        s = o->rl.retry_after_s;
    int code = atoi(o->err.code);
    if (code >= 1000 && code <= 1999)
        snprintf(what, sizeof what, "Z.AI %d %s", code, zai_quota_name(code));
    else
        snprintf(what, sizeof what, "daily quota exhausted");
    d->quota = true;
    d->quota_reset_known = s >= 0;
    d->quota_until = s >= 0 ? now + secs_to_ms(s) : 0;
    d->need_probe = d->quota_reset_known;
    if (s >= 0) {
        rt_fmt_dur(dur, sizeof dur, secs_to_ms(s));
        snprintf(d->reason, sizeof d->reason, "%s, resets in %s", what, dur);
    } else {
        snprintf(d->reason, sizeof d->reason, "%s, until reset by the user", what);
    }
    return ROUTER_EV_QUOTA_OUT;
}

/* Failures within the last minute, after recording this one. */
static int count_failure(struct dep_rt *d, int64_t now)
{
    d->fails[d->fail_pos] = now;
    d->fail_pos = (d->fail_pos + 1) % RT_FAIL_RING;
    if (d->fail_n < RT_FAIL_RING)
        d->fail_n++;
    int n = 0;
    for (int k = 0; k < d->fail_n; k++)
        if (now - d->fails[k] < RT_WINDOW_MS)
            n++;
    return n;
}

static unsigned on_failure(struct router *r, struct dep_rt *d, const struct attempt_outcome *o,
                           enum err_class cls, bool probe, int64_t now)
{
    char kind[40], reason[192];
    failure_kind(kind, sizeof kind, o, cls);
    if (probe) {
        snprintf(reason, sizeof reason, "probe failed (%s)", kind);
        rt_cooldown(d, RT_CD_PROBE, now + cooldown_ms(r), reason);
        return ROUTER_EV_COOLDOWN_STARTED;
    }
    int allowed = r->cfg->allowed_fails < 0 ? 0 : r->cfg->allowed_fails;
    if (allowed >= RT_FAIL_RING)
        allowed = RT_FAIL_RING - 1;
    int n = count_failure(d, now);
    if (n <= allowed)
        return 0;
    snprintf(reason, sizeof reason, "%d failure%s in 60s (%s)", n, n == 1 ? "" : "s", kind);
    d->fail_n = 0;
    d->fail_pos = 0;
    rt_cooldown(d, RT_CD_FAIL, now + cooldown_ms(r), reason);
    return ROUTER_EV_COOLDOWN_STARTED;
}

static unsigned on_error(struct router *r, struct dep_rt *d, const struct attempt_outcome *o,
                         bool probe, int64_t now)
{
    enum err_class cls = o->err.cls;
    char reason[128];
    if (cls == ERRC_NONE)
        cls = o->status == 429 ? ERRC_RATE_LIMIT : ERRC_SERVER;
    switch (cls) {
    case ERRC_RATE_LIMIT:
        return on_rate_limit(r, d, o, now);
    case ERRC_QUOTA:
        return on_quota(d, o, now);
    case ERRC_AUTH:
        d->auth_failed = true;
        snprintf(reason, sizeof reason, "provider refused the API key (HTTP %d)", o->status);
        rt_cooldown(d, RT_CD_AUTH, now + cooldown_ms(r), reason);
        return ROUTER_EV_AUTH_FAILED | ROUTER_EV_COOLDOWN_STARTED;
    case ERRC_NOT_FOUND:
        rt_cooldown(d, RT_CD_NOT_FOUND, now + cooldown_ms(r), "model not found at provider");
        return ROUTER_EV_COOLDOWN_STARTED;
    case ERRC_SERVER:
    case ERRC_TIMEOUT:
    case ERRC_CONNECT:
    case ERRC_PROTOCOL:
        return on_failure(r, d, o, cls, probe, now);
    default:
        /* the request's fault, not the provider's: a probe proved nothing, so probe again */
        if (probe)
            d->need_probe = true;
        return 0;
    }
}

static bool rl_any(const struct ratelimit_info *rl)
{
    return rl->retry_after_s >= 0 || rl->reset_requests_minute_s >= 0 ||
           rl->reset_tokens_minute_s >= 0 || rl->reset_requests_day_s >= 0 ||
           rl->reset_tokens_day_s >= 0 || rl->remaining_requests_minute >= 0 ||
           rl->remaining_tokens_minute >= 0 || rl->remaining_requests_day >= 0 ||
           rl->remaining_tokens_day >= 0 || rl->limit_requests_minute >= 0 ||
           rl->limit_tokens_minute >= 0 || rl->limit_requests_day >= 0 || rl->limit_tokens_day >= 0;
}

static unsigned on_success(struct dep_rt *d, bool probe)
{
    d->fail_n = 0;
    d->fail_pos = 0;
    if (!probe)
        return 0;
    d->cd = RT_CD_NONE;
    d->cooldown_until = 0;
    d->auth_failed = false;
    d->quota = false;
    d->quota_reset_known = false;
    d->quota_until = 0;
    d->need_probe = false;
    d->reason[0] = '\0';
    return ROUTER_EV_RECOVERED;
}

/* Every field exactly 0 is a caller's zero-initialised struct, never real headers (which
 * would make "0 tokens left, resets now" out of nothing). */
static bool rl_all_zero(const struct ratelimit_info *rl)
{
    static const struct ratelimit_info zero;
    return memcmp(rl, &zero, sizeof zero) == 0;
}

unsigned router_finish(struct router *r, int dep, const struct attempt_outcome *in, int64_t now_ms)
{
    if (!valid_dep(r, dep) || !in)
        return 0;
    struct attempt_outcome oc = *in;
    const struct attempt_outcome *o = &oc;
    if (rl_all_zero(&oc.rl))
        ratelimit_init(&oc.rl);
    struct dep_rt *d = &r->d[dep];
    if (d->in_flight > 0)
        d->in_flight--;
    /* now_ms is when the answer's headers were written (see state_attempt_end): what we
     * admitted after that is not in their numbers. An older answer ending late is stale. */
    if (rl_any(&o->rl) && (!d->has_rl || now_ms >= d->rl_seen)) {
        int n_after;
        long tok_after;
        rt_win_after(d, now_ms, &n_after, &tok_after);
        d->has_rl = true;
        d->rl = o->rl;
        d->rl_seen = now_ms;
        d->req_at_rl = d->req_total - (uint64_t)n_after;
        d->tok_at_rl = d->tok_total - (uint64_t)tok_after;
    }
    bool probe = o->was_probe && d->probing;
    if (probe)
        d->probing = false;
    if (o->ok)
        return on_success(d, probe);
    return on_error(r, d, o, probe, now_ms);
}

void router_set_enabled(struct router *r, int dep, bool on)
{
    if (!valid_dep(r, dep))
        return;
    struct dep_rt *d = &r->d[dep];
    if (on && !d->enabled) {
        /* turning it back on is the user's way to say "the quota is sorted" */
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
    d->cd = RT_CD_NONE;
    d->cooldown_until = 0;
    d->auth_failed = false;
    d->quota = false;
    d->quota_reset_known = false;
    d->quota_until = 0;
    d->need_probe = false;
    d->probing = false;
    d->fail_n = 0;
    d->fail_pos = 0;
    d->tpm_low_until = 0;
    d->reason[0] = '\0';
    /* the headers' "0 left today" would keep it out; the user asked to try again */
    d->has_rl = false;
    ratelimit_init(&d->rl);
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
