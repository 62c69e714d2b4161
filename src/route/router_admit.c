/* router_admit: decides whether a deployment may take an attempt now (toggles, cooldowns,
 * quota, the local rpm window, token budgets from config and provider headers, probes) and
 * describes that decision for views. Pure, like router.c. */
#include "route/router.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "router_priv.h"

/* ---- the 60 s window of admitted attempts ---- */

/* The k-th oldest entry (0 <= k < win_n). Scans call this for every entry under the state
 * lock, so no division: head - n + k lies in [-cap, cap). */
static const struct rt_win_ent *win_at(const struct dep_rt *d, int k)
{
    int idx = d->win_head - d->win_n + k;
    return &d->win[idx < 0 ? idx + d->win_cap : idx];
}

/* Half-open on the right: an attempt at t stops counting exactly at t + 60 s. */
static bool in_window(int64_t t, int64_t now)
{
    return now - t < RT_WINDOW_MS;
}

int rt_win_count(const struct dep_rt *d, int64_t now)
{
    int n = 0;
    for (int k = 0; k < d->win_n; k++)
        if (in_window(win_at(d, k)->t, now))
            n++;
    return n;
}

/* Tokens admitted in the window at or after since (INT64_MIN: the whole window). */
static long win_tokens(const struct dep_rt *d, int64_t now, int64_t since)
{
    long sum = 0;
    for (int k = 0; k < d->win_n; k++) {
        const struct rt_win_ent *e = win_at(d, k);
        if (in_window(e->t, now) && e->t >= since && e->tokens > 0 && sum < LONG_MAX - e->tokens)
            sum += e->tokens;
    }
    return sum;
}

/* Attempts admitted in the window at or after since. */
static int win_count_since(const struct dep_rt *d, int64_t now, int64_t since)
{
    int n = 0;
    for (int k = 0; k < d->win_n; k++) {
        const struct rt_win_ent *e = win_at(d, k);
        if (in_window(e->t, now) && e->t >= since)
            n++;
    }
    return n;
}

void rt_win_after(const struct dep_rt *d, int64_t t, int *n, long *tokens)
{
    *n = 0;
    *tokens = 0;
    for (int k = 0; k < d->win_n; k++) {
        const struct rt_win_ent *e = win_at(d, k);
        if (e->t > t) {
            (*n)++;
            *tokens += e->tokens > 0 ? e->tokens : 0;
        }
    }
}

static void win_prune(struct dep_rt *d, int64_t now)
{
    while (d->win_n > 0 && !in_window(win_at(d, 0)->t, now))
        d->win_n--;
}

static void win_push(struct dep_rt *d, int64_t now, long tokens)
{
    if (d->win_n == d->win_cap)
        d->win_n--; /* counting-only window: the oldest falls off */
    d->win[d->win_head] = (struct rt_win_ent){.t = now, .tokens = tokens};
    d->win_head = d->win_head + 1 == d->win_cap ? 0 : d->win_head + 1;
    d->win_n++;
}

/* When the oldest attempt admitted at or after since leaves the window. */
static int64_t win_frees_at_since(const struct dep_rt *d, int64_t now, int64_t since)
{
    for (int j = 0; j < d->win_n; j++) {
        const struct rt_win_ent *e = win_at(d, j);
        if (in_window(e->t, now) && e->t >= since)
            return e->t + RT_WINDOW_MS;
    }
    return now + RT_WINDOW_MS;
}

/* When the k-th oldest attempt still in the window leaves it (k from 0). */
static int64_t win_frees_at(const struct dep_rt *d, int64_t now, int k)
{
    for (int j = 0; j < d->win_n; j++) {
        const struct rt_win_ent *e = win_at(d, j);
        if (in_window(e->t, now) && k-- == 0)
            return e->t + RT_WINDOW_MS;
    }
    return now + RT_WINDOW_MS;
}

/* When at least `tokens` of the window's tokens admitted at or after since have left it. */
static int64_t win_tokens_free_at(const struct dep_rt *d, int64_t now, int64_t since, long tokens)
{
    long freed = 0;
    for (int j = 0; j < d->win_n; j++) {
        const struct rt_win_ent *e = win_at(d, j);
        if (!in_window(e->t, now) || e->t < since)
            continue;
        freed += e->tokens;
        if (freed >= tokens)
            return e->t + RT_WINDOW_MS;
    }
    return now + RT_WINDOW_MS; /* more than the whole limit: no time makes it fit */
}

/* ---- helpers ---- */

static int64_t secs_ms(double s)
{
    double ms = s * 1000.0;
    if (ms > (double)RT_MAX_COOLDOWN_MS)
        return RT_MAX_COOLDOWN_MS;
    return ms > 0 ? (int64_t)(ms + 0.5) : 0;
}

void rt_fmt_dur(char *out, size_t cap, int64_t ms)
{
    long long s = ms > 0 ? (ms + 999) / 1000 : 0;
    if (s < 120)
        snprintf(out, cap, "%llds", s);
    else if (s < 3600)
        snprintf(out, cap, "%lldm%02llds", s / 60, s % 60);
    else
        snprintf(out, cap, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
}

int64_t rt_probe_timeout_ms(const struct router *r, int i)
{
    double s = r->cfg->deps[i].timeout_s > 0 ? r->cfg->deps[i].timeout_s : r->cfg->timeout_s;
    return secs_ms(s > 0 ? s : 600);
}

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

static long clamp_long(double v)
{
    if (v >= (double)LONG_MAX)
        return LONG_MAX;
    if (v <= (double)LONG_MIN)
        return LONG_MIN;
    return (long)v;
}

/* ---- header budgets: the provider's numbers minus what we admitted since seeing them ---- */

/* The provider's day counters say it will refuse: QUOTA until their reset. */
static bool day_requests_out(const struct dep_rt *d, int64_t now, int64_t *until)
{
    const struct ratelimit_info *rl = &d->rl;
    if (!d->has_rl || rl->remaining_requests_day < 0 || rl->reset_requests_day_s < 0)
        return false;
    int64_t at = d->rl_seen + secs_ms(rl->reset_requests_day_s);
    double left = rl->remaining_requests_day - (double)(d->req_total - d->req_at_rl);
    if (now >= at || left > 0)
        return false;
    *until = at;
    return true;
}

/* After the provider's reset its new minute holds what we sent since its last answer (those
 * still in our window): attempts in flight across the reset count there, not in the old one. */
static bool minute_requests_out(const struct dep_rt *d, int64_t now, int64_t *until)
{
    const struct ratelimit_info *rl = &d->rl;
    if (!d->has_rl || rl->remaining_requests_minute < 0)
        return false;
    int64_t at =
        d->rl_seen +
        (rl->reset_requests_minute_s >= 0 ? secs_ms(rl->reset_requests_minute_s) : RT_WINDOW_MS);
    if (now >= at) {
        int sent = win_count_since(d, now, d->rl_seen);
        if (rl->limit_requests_minute <= 0 || sent < rl->limit_requests_minute)
            return false;
        *until = win_frees_at_since(d, now, d->rl_seen);
        return true;
    }
    double left = rl->remaining_requests_minute - (double)(d->req_total - d->req_at_rl);
    if (left > 0)
        return false;
    *until = at;
    return true;
}

/* Tokens the provider's minute headers leave; LONG_MAX when they say nothing usable. Once
 * the reset passes the bucket is full again (the limit, when the headers gave one) less what
 * we sent since its last answer: a burst right after a reset must not all see a full bucket.
 * *at gets when `need` tokens fit. */
static long header_minute_left(const struct dep_rt *d, int64_t now, long need, int64_t *at)
{
    const struct ratelimit_info *rl = &d->rl;
    if (!d->has_rl || rl->remaining_tokens_minute < 0)
        return LONG_MAX;
    *at = d->rl_seen +
          (rl->reset_tokens_minute_s >= 0 ? secs_ms(rl->reset_tokens_minute_s) : RT_WINDOW_MS);
    if (now < *at)
        return clamp_long(rl->remaining_tokens_minute - (double)(d->tok_total - d->tok_at_rl));
    if (rl->limit_tokens_minute <= 0)
        return LONG_MAX;
    long left = clamp_long(rl->limit_tokens_minute) - win_tokens(d, now, d->rl_seen);
    *at = win_tokens_free_at(d, now, d->rl_seen, need - left);
    return left;
}

static long header_day_left(const struct dep_rt *d, int64_t now, int64_t *at)
{
    const struct ratelimit_info *rl = &d->rl;
    if (!d->has_rl || rl->remaining_tokens_day < 0 || rl->reset_tokens_day_s < 0)
        return LONG_MAX;
    *at = d->rl_seen + secs_ms(rl->reset_tokens_day_s);
    if (now >= *at)
        return LONG_MAX;
    return clamp_long(rl->remaining_tokens_day - (double)(d->tok_total - d->tok_at_rl));
}

struct budget {
    long left;     /* tightest budget */
    long need;     /* est */
    int64_t until; /* when the request fits, if it does not now */
    bool fits;
    const char *which; /* "local tpm", "provider minute", "provider day" */
};

static void budget_check(struct budget *b, long left, int64_t frees_at, const char *which)
{
    if (left < b->left) {
        b->left = left;
        b->which = which;
    }
    if (b->need > left) {
        b->fits = false;
        if (frees_at > b->until)
            b->until = frees_at;
    }
}

/* The provider's own minute numbers win over our sliding window of the configured tpm: they
 * count what it actually booked, in its units and on its clock (a fixed window takes a full
 * minute's tokens right after its reset, where a sliding one would still hold the last
 * minute's). The configured tpm guards until the headers say something. */
static void token_budget(const struct router *r, int i, int64_t now, long est, struct budget *b)
{
    const struct dep_rt *d = &r->d[i];
    long tpm = r->cfg->deps[i].tpm;
    *b = (struct budget){.left = LONG_MAX, .need = est, .fits = true, .which = ""};
    int64_t at = 0;
    long left = header_minute_left(d, now, est, &at);
    if (left != LONG_MAX) {
        budget_check(b, left, at, "provider minute");
    } else if (tpm > 0) {
        left = tpm - win_tokens(d, now, INT64_MIN);
        budget_check(b, left, win_tokens_free_at(d, now, INT64_MIN, est - left), "local tpm");
    }
    left = header_day_left(d, now, &at);
    if (left != LONG_MAX)
        budget_check(b, left, at, "provider day");
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
    } else if (d->model_gone) {
        ev->st = DEP_MODEL_GONE;
        say(reason, cap, "%s", d->gone_reason);
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

/* Limits that come and go with the clock: day quota from headers, rpm, token budgets. */
static void eval_limits(const struct router *r, int i, int64_t now, long est, struct rt_eval *ev,
                        char *reason, size_t cap)
{
    const struct dep_rt *d = &r->d[i];
    long rpm = r->cfg->deps[i].rpm;
    int used = rt_win_count(d, now);
    bool proactive = r->cfg->proactive_routing;
    if (proactive && day_requests_out(d, now, &ev->until)) {
        ev->st = DEP_QUOTA;
        say(reason, cap, "daily request quota used up (provider headers)");
        return;
    }
    if (rpm > 0 && rpm <= RT_WIN_CAP_MAX && used >= rpm) {
        ev->st = DEP_RPM_FULL;
        ev->until = win_frees_at(d, now, used - (int)rpm);
        say(reason, cap, "rpm %d/%ld (local window)", used, rpm);
        return;
    }
    if (!proactive) /* reactive: only cooldowns and the configured rpm, as LiteLLM */
        return;
    if (minute_requests_out(d, now, &ev->until)) {
        ev->st = DEP_RPM_FULL;
        say(reason, cap, "no requests left this minute (provider headers)");
        return;
    }
    struct budget b;
    token_budget(r, i, now, est < 0 ? 1 : est, &b);
    ev->budget = b.left;
    if (!b.fits) {
        ev->st = DEP_TPM_LOW;
        ev->until = b.until;
        say(reason, cap, "token budget %ld left (%s), request needs ~%ld", b.left < 0 ? 0 : b.left,
            b.which, b.need);
    } else if (est < 0 && d->tpm_low_until > now) {
        ev->st = DEP_TPM_LOW;
        ev->until = d->tpm_low_until;
        say(reason, cap, "token budget %ld left, last request needed ~%ld", d->tpm_left,
            d->tpm_need);
    }
}

void rt_eval(const struct router *r, int i, int64_t now, long est, struct rt_eval *ev, char *reason,
             size_t cap)
{
    *ev = (struct rt_eval){.st = DEP_READY, .budget = LONG_MAX};
    say(reason, cap, "%s", "");
    if (eval_marks(r, i, now, ev, reason, cap))
        return;
    ev->probe = r->d[i].need_probe;
    eval_limits(r, i, now, est, ev, reason, cap);
    if (ev->st != DEP_READY)
        ev->probe = false;
}

/* ---- public ---- */

static bool valid_dep(const struct router *r, int dep)
{
    return r && dep >= 0 && dep < r->n;
}

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
    rt_cooldown(d, RT_CD_PROBE, now + secs_ms(r->cfg->cooldown_time_s), reason);
}

enum admit router_admit(struct router *r, const struct route_plan *plan, int i, long est_tokens,
                        int64_t now_ms, bool *is_probe)
{
    if (is_probe)
        *is_probe = false;
    if (!r || !plan || i < 0 || i >= plan->n || !valid_dep(r, plan->dep[i]))
        return ADMIT_SKIP_STATUS;
    if (forced_out(r, plan, i))
        return ADMIT_SKIP_FORCED;
    int dep = plan->dep[i];
    struct dep_rt *d = &r->d[dep];
    long est = est_tokens > 0 ? est_tokens : 0;
    expire_probe(r, dep, now_ms);
    win_prune(d, now_ms);
    struct rt_eval ev;
    rt_eval(r, dep, now_ms, est, &ev, NULL, 0);
    if (ev.st != DEP_READY) {
        if (ev.st == DEP_TPM_LOW) {
            d->tpm_low_until = ev.until;
            d->tpm_need = est;
            d->tpm_left = ev.budget < 0 ? 0 : ev.budget;
        }
        return ADMIT_SKIP_STATUS;
    }
    if (ev.probe) {
        d->need_probe = false;
        d->probing = true;
        d->probe_started = now_ms;
        if (is_probe)
            *is_probe = true;
    }
    win_push(d, now_ms, est);
    d->req_total++;
    d->tok_total += (uint64_t)est;
    d->in_flight++;
    d->tpm_low_until = 0;
    return ADMIT_OK;
}

enum dep_status router_status(const struct router *r, int dep, int64_t now_ms, int64_t *until_ms)
{
    struct rt_eval ev = {.st = DEP_READY};
    if (valid_dep(r, dep))
        rt_eval(r, dep, now_ms, -1, &ev, NULL, 0);
    if (until_ms)
        *until_ms = ev.until;
    return ev.st;
}

const char *router_status_name(enum dep_status s)
{
    static const char *const names[] = {
        "READY", "COOLDOWN", "DISABLED", "NO KEY",  "AUTH FAILED",
        "QUOTA", "RPM FULL", "TPM LOW",  "PROBING", "MODEL GONE",
    };
    if ((unsigned)s >= sizeof names / sizeof names[0])
        return "?";
    return names[s];
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
    rt_eval(r, dep, now_ms, -1, &ev, out->reason, sizeof out->reason);
    out->status = ev.st;
    out->until_ms = ev.until;
    out->rpm_used = rt_win_count(d, now_ms);
    out->in_flight = d->in_flight;
    if (d->has_rl) {
        out->rl = d->rl;
        out->rl_seen_ms = d->rl_seen;
    }
    if (ev.budget == LONG_MAX) {
        /* marks stop evaluation early; the budget still matters to the view */
        struct budget b;
        token_budget(r, dep, now_ms, 1, &b);
        ev.budget = b.left;
    }
    if (ev.budget != LONG_MAX)
        out->tpm_budget_left = ev.budget < 0 ? 0 : ev.budget;
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
        rt_eval(r, plan->dep[i], now_ms, -1, &ev, NULL, 0);
        int64_t t = ev.until; /* 0 for READY and for states no clock ends */
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
        rt_eval(r, dep, now_ms, -1, &ev, NULL, 0);
        if ((ev.st == DEP_COOLDOWN && r->d[dep].cd == RT_CD_RATE) || ev.st == DEP_RPM_FULL ||
            ev.st == DEP_TPM_LOW || ev.st == DEP_QUOTA)
            return true;
    }
    return false;
}
