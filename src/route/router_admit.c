/* router_admit: decides whether a deployment may take an attempt now (toggles, cooldowns,
 * quota, probes, the provider's request and token buckets, concurrency), books what it
 * admits, and describes that decision for views. Pure, like the rest of the router. */
#include "route/router.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "router_model.h"

/* What an evaluation needs: tokens to book; a view asks for one request and one token and
 * also shows the sticky token-budget skip. */
struct rt_need {
    long tokens;
    bool view;
    int kept;     /* a scarce window this request is too big for (router_budget.c), or -1 */
    long typical; /* the median request it was compared with */
};

struct rt_eval {
    enum dep_status st;
    int64_t until;
    bool probe; /* READY, and the next admission is the probe */
};

static void say(char *reason, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *reason, size_t cap, const char *fmt, ...)
{
    if (!reason || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, cap, fmt, ap);
    va_end(ap);
}

static bool valid_dep(const struct router *r, int dep)
{
    return r && dep >= 0 && dep < r->n;
}

/* ---- evaluation ---- */

/* Marks that stay until something changes them: keys, toggles, probes, cooldowns, quota. */
static bool eval_marks(const struct router *r, int i, int64_t now, struct rt_eval *ev, char *reason,
                       size_t cap)
{
    const struct dep_rt *d = &r->d[i];
    const struct deployment_cfg *c = &r->cfg->deps[i];
    if (!c->api_key) {
        ev->st = DEP_NO_KEY;
        if (c->api_key_env)
            say(reason, cap, "no API key: set %s", c->api_key_env);
        else
            say(reason, cap, "no API key");
    } else if (!d->enabled) {
        ev->st = DEP_DISABLED;
        say(reason, cap, "disabled by user");
    } else if (d->model_gone || d->refused) {
        ev->st = DEP_MODEL_GONE;
        if (d->model_gone)
            say(reason, cap, "%s", d->gone_reason);
        else /* taken from another instance a moment ago; the state words it next */
            say(reason, cap, "%s no longer exists at the provider (learnt by %s)", c->model,
                d->refused_by[0] ? d->refused_by : "this instance");
    } else if (d->probing) {
        ev->st = DEP_PROBING;
        say(reason, cap, "probe in flight after: %s", d->reason);
    } else if (d->quota && (!d->quota_reset_known || now < d->quota_until)) {
        ev->st = DEP_QUOTA;
        ev->until = d->quota_reset_known ? d->quota_until : 0;
        say(reason, cap, "%s", d->reason);
    } else if (d->cooldown_until > now) {
        ev->st = d->auth_failed ? DEP_AUTH_FAILED : DEP_COOLDOWN;
        ev->until = d->cooldown_until;
        say(reason, cap, "%s", d->reason);
    } else {
        return false;
    }
    return true;
}

static enum dep_status bucket_status(int k, int w)
{
    if (w == RL_DAY)
        return DEP_QUOTA; /* daily exhaustion shows as QUOTA until the bucket has room */
    return k == RL_REQUESTS ? DEP_RPM_FULL : DEP_TPM_LOW;
}

static void say_bucket(char *reason, size_t cap, const struct tokbucket *b, int k, int w,
                       int64_t now, long need, bool from_cfg_only)
{
    const char *src = from_cfg_only ? "config" : "provider";
    double lv = tb_level(b, now);
    long left = lv > 0 ? (long)lv : 0;
    if (k == RL_REQUESTS)
        say(reason, cap, "requests per %s: %ld of %.0f left (%s)", ratelimit_window_name(w), left,
            b->limit, src);
    else
        say(reason, cap, "tokens per %s: %ld of %.0f left, request needs ~%ld (%s)",
            ratelimit_window_name(w), left, b->limit, need, src);
}

/* The buckets: the one that frees last decides until when the deployment is out. */
static bool eval_buckets(const struct router *r, int i, int64_t now, const struct rt_need *need,
                         struct rt_eval *ev, char *reason, size_t cap)
{
    const struct dep_rt *d = &r->d[i];
    int64_t worst = -1;
    int wk = 0, ww = 0;
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++) {
            if (!rt_bucket_enforced(r, d, (enum rl_kind)k, (enum rl_window)w))
                continue;
            const struct tokbucket *b = &d->bk.b[k][w];
            double n = k == RL_REQUESTS ? 1.0 : (double)(need->tokens > 0 ? need->tokens : 1);
            int64_t t = tb_when(b, now, n);
            if (t > now && t > worst) {
                worst = t;
                wk = k;
                ww = w;
            }
        }
    if (worst < 0)
        return false;
    ev->st = bucket_status(wk, ww);
    ev->until = worst == TB_NEVER ? 0 : worst;
    const struct tokbucket *b = &d->bk.b[wk][ww];
    say_bucket(reason, cap, b, wk, ww, now, need->tokens, d->bk.hdr_limit[wk][ww] <= 0);
    if (worst == TB_NEVER) {
        size_t n = reason ? strlen(reason) : 0;
        if (reason && n < cap)
            say(reason + n, cap - n, "; never fits");
    }
    return true;
}

static void eval_limits(const struct router *r, int i, int64_t now, const struct rt_need *need,
                        struct rt_eval *ev, char *reason, size_t cap)
{
    const struct dep_rt *d = &r->d[i];
    if (eval_buckets(r, i, now, need, ev, reason, cap))
        return;
    if (need->kept >= 0) {
        ev->st = DEP_TPM_LOW; /* no clock ends it: smaller requests may still go */
        say(reason, cap,
            "tokens per %s scarce: kept for smaller requests (this one books ~%ld, typical ~%ld)",
            ratelimit_window_name(need->kept), need->tokens, need->typical);
        return;
    }
    int conc = rt_conc_cap(r, i);
    if (conc > 0 && d->in_flight >= conc) {
        ev->st = DEP_BUSY;
        say(reason, cap, "%d in flight, takes %d at once (%s)", d->in_flight, conc,
            d->conc_learned > 0 && d->conc_learned == conc ? "learnt from a 429" : "config");
        return;
    }
    if (conc > 0 && d->busy_until > now) { /* at the cap with the other instances' requests */
        ev->st = DEP_BUSY;
        ev->until = d->busy_until;
        say(reason, cap, "%d in flight across all instances, takes %d at once", d->busy_cap, conc);
        return;
    }
    if (need->view && d->tok_skip_until > now) {
        int w = d->tok_skip_window;
        ev->st = bucket_status(RL_TOKENS, w);
        ev->until = d->tok_skip_until;
        say_bucket(reason, cap, &d->bk.b[RL_TOKENS][w], RL_TOKENS, w, now, d->tok_skip_need,
                   d->bk.hdr_limit[RL_TOKENS][w] <= 0);
    }
}

static void rt_eval(const struct router *r, int i, int64_t now, const struct rt_need *need,
                    struct rt_eval *ev, char *reason, size_t cap)
{
    *ev = (struct rt_eval){.st = DEP_READY};
    say(reason, cap, "%s", "");
    if (eval_marks(r, i, now, ev, reason, cap))
        return;
    ev->probe = r->d[i].need_probe;
    eval_limits(r, i, now, need, ev, reason, cap);
    if (ev->st != DEP_READY)
        ev->probe = false;
}

static const struct rt_need view_need = {.tokens = 1, .view = true, .kept = -1};

/* ---- admission ---- */

static bool forced_out(const struct router *r, const struct route_plan *plan, int i)
{
    return r->force_fallback && plan->has_fallbacks && !plan->is_fallback[i];
}

/* A probe nobody finished within the request timeout failed: never wedge on it. */
static void expire_probe(struct router *r, int i, int64_t now)
{
    struct dep_rt *d = &r->d[i];
    int64_t limit = rt_probe_timeout_ms(r, i);
    char dur[32], reason[128];
    if (!d->probing || now - d->probe_started < limit)
        return;
    d->probing = false;
    rt_fmt_dur(dur, sizeof dur, limit);
    snprintf(reason, sizeof reason, "probe got no answer within %s", dur);
    rt_cooldown(d, RT_CD_PROBE, now + rt_cooldown_ms(r), reason);
}

/* A request skipped for want of tokens: remember which token bucket, for views. */
static void note_token_skip(const struct router *r, struct dep_rt *d, const struct rt_eval *ev,
                            long need, int64_t now)
{
    if (ev->st != DEP_TPM_LOW && ev->st != DEP_QUOTA)
        return;
    for (int w = RL_NWINDOWS - 1; w >= 0; w--) {
        const struct tokbucket *b = &d->bk.b[RL_TOKENS][w];
        int64_t t = rt_bucket_enforced(r, d, RL_TOKENS, (enum rl_window)w)
                        ? tb_when(b, now, (double)need)
                        : -1;
        if (t != ev->until && !(t == TB_NEVER && ev->until == 0))
            continue;
        d->tok_skip_until = ev->until;
        d->tok_skip_window = w;
        d->tok_skip_need = need;
        return;
    }
}

enum admit router_admit_ask(struct router *r, const struct route_plan *plan, int i,
                            const struct admit_ask *ask, int64_t now_ms, struct admit_grant *g)
{
    struct admit_grant none = {0};
    if (g)
        *g = none;
    if (!r || !plan || !ask || i < 0 || i >= plan->n || !valid_dep(r, plan->dep[i]))
        return ADMIT_SKIP_STATUS;
    if (forced_out(r, plan, i))
        return ADMIT_SKIP_FORCED;
    int dep = plan->dep[i];
    struct dep_rt *d = &r->d[dep];
    struct rt_marks before;
    rt_marks_get(d, &before);
    expire_probe(r, dep, now_ms);
    rt_share_marks(r, dep, &before, now_ms);
    rt_win_prune(d, now_ms);
    if (ask->fresh)
        rt_ask(d, now_ms, rt_least_booking(r, dep, ask));
    struct rt_budget bg;
    struct rt_eval ev;
    /* a second round only when the shared marks changed under the first (another instance
     * cleared or set them): decide again on what they say now */
    for (int round = 0;; round++) {
        rt_choose_budget(r, dep, ask, now_ms, &bg);
        struct rt_need need = {.tokens = bg.tokens, .kept = bg.kept, .typical = bg.typical};
        rt_eval(r, dep, now_ms, &need, &ev, NULL, 0);
        if (ev.st != DEP_READY) {
            note_token_skip(r, d, &ev, bg.tokens, now_ms);
            return ADMIT_SKIP_STATUS;
        }
        rt_book(d, now_ms, bg.tokens);
        enum store_rc sr = rt_share_book(r, dep, bg.tokens, ev.probe, now_ms);
        if (sr == STORE_OK || sr == STORE_DOWN)
            break;
        if (sr != STORE_MARK || round > 0)
            return ADMIT_SKIP_STATUS;
    }
    if (ev.probe) {
        d->need_probe = false;
        d->probing = true;
        d->probe_started = now_ms;
    }
    rt_win_push(d, now_ms, bg.tokens);
    d->in_flight++;
    d->tok_skip_until = 0;
    if (bg.lowered)
        d->budget_lowered++;
    if (g)
        *g = (struct admit_grant){
            .probe = ev.probe, .budget = bg.budget, .lowered = bg.lowered, .booked = bg.tokens};
    return ADMIT_OK;
}

enum admit router_admit(struct router *r, const struct route_plan *plan, int i, long est_tokens,
                        int64_t now_ms, bool *is_probe)
{
    struct admit_ask ask = {.input = est_tokens > 0 ? est_tokens : 0, .fresh = true};
    struct admit_grant g;
    enum admit a = router_admit_ask(r, plan, i, &ask, now_ms, &g);
    if (is_probe)
        *is_probe = g.probe;
    return a;
}

/* ---- views ---- */

enum dep_status router_status(const struct router *r, int dep, int64_t now_ms, int64_t *until_ms)
{
    struct rt_eval ev = {.st = DEP_READY};
    if (valid_dep(r, dep))
        rt_eval(r, dep, now_ms, &view_need, &ev, NULL, 0);
    if (until_ms)
        *until_ms = ev.until;
    return ev.st;
}

const char *router_status_name(enum dep_status s)
{
    static const char *const names[] = {
        "READY",    "COOLDOWN", "DISABLED", "NO KEY", "AUTH FAILED", "QUOTA",
        "RPM FULL", "TPM LOW",  "PROBING",  "BUSY",   "MODEL GONE",
    };
    if ((unsigned)s >= sizeof names / sizeof names[0])
        return "?";
    return names[s];
}

bool router_books_output(const struct router *r, int dep)
{
    struct limit_booking lb;
    if (!valid_dep(r, dep))
        return false;
    limitcode_booking(r->cfg->deps[dep].kind, &lb);
    return lb.books_output;
}

static void view_buckets(const struct dep_rt *d, int64_t now, struct router_dep_view *out)
{
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++) {
            const struct tokbucket *b = &d->bk.b[k][w];
            struct router_bucket_view *v = &out->buckets[k][w];
            v->limit = tb_present(b) ? b->limit : 0;
            v->left = tb_present(b) ? tb_level(b, now) : 0;
            v->from_headers = d->bk.hdr_limit[k][w] > 0;
        }
}

void router_view(const struct router *r, int dep, int64_t now_ms, struct router_dep_view *out)
{
    memset(out, 0, sizeof *out);
    ratelimit_init(&out->rl);
    out->tpm_budget_left = -1;
    if (!valid_dep(r, dep))
        return;
    const struct dep_rt *d = &r->d[dep];
    struct rt_eval ev;
    rt_eval(r, dep, now_ms, &view_need, &ev, out->reason, sizeof out->reason);
    out->status = ev.st;
    out->until_ms = ev.until;
    out->rpm_used = rt_win_count(d, now_ms);
    out->in_flight = d->in_flight;
    if (d->has_rl) {
        out->rl = d->rl;
        out->rl_seen_ms = d->rl_seen;
    }
    long left = rt_tokens_left(r, dep, now_ms);
    if (left != LONG_MAX)
        out->tpm_budget_left = left < 0 ? 0 : left;
    view_buckets(d, now_ms, out);
    out->conc_cap = rt_conc_cap(r, dep);
    out->budget_lowered = d->budget_lowered;
}

int64_t router_earliest_ready(const struct router *r, const struct route_plan *plan, int64_t now_ms)
{
    int64_t best = 0;
    if (!r || !plan)
        return 0;
    for (int i = 0; i < plan->n && i < ROUTER_MAX_CHAIN; i++) {
        if (!valid_dep(r, plan->dep[i]) || forced_out(r, plan, i))
            continue;
        struct rt_eval ev;
        rt_eval(r, plan->dep[i], now_ms, &view_need, &ev, NULL, 0);
        int64_t t = ev.until; /* 0 for READY and for states no clock ends */
        if (t > 0 && (best == 0 || t < best))
            best = t;
    }
    return best;
}

/* How deployment dep stands for ask at its least booking (the floor budget). */
static void eval_ask(const struct router *r, int dep, const struct admit_ask *ask, int64_t now,
                     struct rt_eval *ev, char *reason, size_t cap)
{
    struct rt_budget bg;
    struct admit_ask least = *ask;
    if (least.floor > 0 && least.floor < least.want)
        least.want = least.floor;
    rt_choose_budget(r, dep, &least, now, &bg);
    struct rt_need need = {.tokens = bg.tokens, .kept = bg.kept, .typical = bg.typical};
    rt_eval(r, dep, now, &need, ev, reason, cap);
}

void router_ask_view(const struct router *r, int dep, const struct admit_ask *ask, int64_t now_ms,
                     struct router_dep_view *out)
{
    router_view(r, dep, now_ms, out);
    if (!valid_dep(r, dep) || !ask)
        return;
    struct rt_eval ev;
    eval_ask(r, dep, ask, now_ms, &ev, out->reason, sizeof out->reason);
    out->status = ev.st;
    out->until_ms = ev.until;
}

int64_t router_ready_at(const struct router *r, const struct route_plan *plan,
                        const struct admit_ask *ask, int64_t now_ms, bool *busy)
{
    int64_t best = 0;
    if (busy)
        *busy = false;
    if (!r || !plan || !ask)
        return 0;
    for (int i = 0; i < plan->n && i < ROUTER_MAX_CHAIN; i++) {
        int dep = plan->dep[i];
        if (!valid_dep(r, dep) || forced_out(r, plan, i))
            continue;
        struct rt_eval ev;
        eval_ask(r, dep, ask, now_ms, &ev, NULL, 0);
        int64_t t = ev.st == DEP_READY ? now_ms : ev.until;
        if (ev.st == DEP_BUSY && busy)
            *busy = true;
        if (t > 0 && (best == 0 || t < best))
            best = t;
    }
    return best;
}

bool router_plan_rate_limited(const struct router *r, const struct route_plan *plan, int64_t now_ms)
{
    if (!r || !plan)
        return false;
    for (int i = 0; i < plan->n && i < ROUTER_MAX_CHAIN; i++) {
        int dep = plan->dep[i];
        if (!valid_dep(r, dep) || forced_out(r, plan, i))
            continue;
        struct rt_eval ev;
        rt_eval(r, dep, now_ms, &view_need, &ev, NULL, 0);
        bool rate_cd = r->d[dep].cd == RT_CD_RATE || r->d[dep].cd == RT_CD_BRIEF;
        if ((ev.st == DEP_COOLDOWN && rate_cd) || ev.st == DEP_RPM_FULL || ev.st == DEP_TPM_LOW ||
            ev.st == DEP_QUOTA || ev.st == DEP_BUSY)
            return true;
    }
    return false;
}
