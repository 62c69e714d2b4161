/* proxy_route: which deployments a request is tried on, and when (see proxy_exchange.h).
 * Asks the router for each candidate in order with the request's own needs (input as that
 * provider counts it, output budget, floor), retries quick failures and a momentary refusal
 * once on the same deployment, plans again after a reload, holds the request while a
 * candidate will have room within max_wait, and answers why when nothing served it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/strutil.h"
#include "front/http_reply.h"
#include "front/proxy_wait.h"
#include "front/sockscan.h"
#include "front/window.h"
#include "proxy_exchange.h"
#include "route/waitq.h"

/* Tokens a provider counts beyond the messages themselves (roles, chat template, framing),
 * added to the estimate before a booking provider's budget is fitted to its bucket. */
#define PROMPT_OVERHEAD 64

#define BRIEF_PAUSE_MAX_MS 10000 /* a back-off longer than this is not momentary: fall back */

static void note_skip(struct exchange *ex, int dep_idx, enum admit adm)
{
    const struct deployment_cfg *d = &ex->cfg->deps[dep_idx];
    struct attempt_rec *a = proxy_rec_attempt(ex);
    if (a) {
        str_copy(a->dep, sizeof a->dep, d->id);
        a->status = -1;
        if (adm == ADMIT_SKIP_FORCED) {
            snprintf(a->note, sizeof a->note, "skipped: forced fallback");
        } else {
            struct router_dep_view v;
            if (state_ask_view(ex->env->st, ex->cfg, dep_idx, &ex->last_ask, &v, NULL))
                snprintf(a->note, sizeof a->note, "skipped: %s%s%.130s",
                         router_status_name(v.status), v.reason[0] ? " - " : "", v.reason);
            else
                snprintf(a->note, sizeof a->note, "skipped: the config was reloaded");
        }
    }
    proxy_trail_add(ex, d->id, 0, adm == ADMIT_SKIP_FORCED ? "forced-skip" : "skip");
}

bool proxy_client_gone(void *ud)
{
    struct exchange *ex = ud;
    return __atomic_load_n(&ex->env->abort_upstream, __ATOMIC_ACQUIRE) ||
           sockscan_peer_gone(http_client_fd(ex->c));
}

/* The largest input candidate i takes with budget output tokens asked; 0 = not known. */
static long max_input_of(struct exchange *ex, int i, long budget)
{
    int dep = ex->plan.dep[i];
    struct dep_lineup *l = malloc(sizeof *l);
    long n = 0;
    if (l && state_dep_lineup(ex->env->st, ex->cfg, dep, l))
        n = window_max_input(&ex->cfg->deps[dep], l, budget);
    free(l);
    return n;
}

/* A request larger than candidate i's window goes straight on when a later candidate may
 * take it (its window is larger or not known): no attempt spent on a certain refusal, no rpm
 * slot taken. When none would, i is tried anyway and the provider decides. */
static bool too_large(struct exchange *ex, int i, long need, long budget)
{
    long max_in = max_input_of(ex, i, budget);
    if (max_in <= 0 || need <= max_in)
        return false;
    for (int j = i + 1; j < ex->plan.n; j++) {
        long later = max_input_of(ex, j, budget);
        if (later <= 0 || need <= later) {
            const struct deployment_cfg *d = &ex->cfg->deps[ex->plan.dep[i]];
            if (ex->asked)
                return true; /* a held request asks again and again: its first skip told why */
            struct attempt_rec *a = proxy_rec_attempt(ex);
            if (a) {
                str_copy(a->dep, sizeof a->dep, d->id);
                a->status = -1;
                snprintf(a->note, sizeof a->note,
                         "skipped: ~%ld input tokens, its window takes %ld", need, max_in);
            }
            proxy_trail_add(ex, d->id, 0, "too-large");
            return true;
        }
    }
    return false;
}

/* What this request asks of candidate i: its input as that provider counts it, its output
 * budget within the deployment's cap, and the smallest budget worth lowering it to. */
static void ask_of(struct exchange *ex, int i, struct admit_ask *a)
{
    int dep_idx = ex->plan.dep[i];
    const struct deployment_cfg *d = &ex->cfg->deps[dep_idx];
    long cap = d->max_tokens > 0 && d->max_tokens < ex->want_out ? d->max_tokens : ex->want_out;
    *a = (struct admit_ask){
        .input = state_scale_estimate(ex->env->st, ex->cfg, dep_idx, ex->est_in) + PROMPT_OVERHEAD,
        .want = cap,
        .floor = ex->cfg->min_output_tokens,
        .fresh = !ex->asked,
    };
}

static enum admit admit_candidate(struct exchange *ex, int i)
{
    struct admit_ask ask;
    ask_of(ex, i, &ask);
    ex->want = ask.want;
    ex->last_ask = ask;
    if (ex->force_fallback && ex->plan.has_fallbacks && !ex->plan.is_fallback[i])
        return ADMIT_SKIP_FORCED;
    return state_admit_ask(ex->env->st, &ex->plan, i, &ask, &ex->grant);
}

/* After a momentary refusal (queue_exceeded, Z.AI 1303) the same deployment gets one more
 * try once its back-off (about a second) is over. False when it should not wait for it (gone
 * client, or a longer cooldown is running); *gone says which. */
static bool retry_after_backoff(struct exchange *ex, int dep_idx, bool *gone)
{
    struct router_dep_view v;
    int64_t now;
    *gone = false;
    if (!state_dep_view(ex->env->st, ex->cfg, dep_idx, &v, &now))
        return false;
    long ms = v.until_ms > now ? (long)(v.until_ms - now) : 0;
    if (ms > BRIEF_PAUSE_MAX_MS)
        return false;
    *gone = !proxy_pause(ms, proxy_client_gone, ex);
    return !*gone;
}

/* Tries candidate i: admit, translate, attempt with quick retries. */
static enum attempt_result try_candidate(struct exchange *ex, int i, bool *stop)
{
    int dep_idx = ex->plan.dep[i];
    const struct deployment_cfg *d = &ex->cfg->deps[dep_idx];
    /* a request larger than this model's window goes straight to a later candidate that takes
     * it (no booking, no attempt spent on a certain refusal) */
    if (!(ex->force_fallback && ex->plan.has_fallbacks && !ex->plan.is_fallback[i])) {
        struct admit_ask ask;
        ask_of(ex, i, &ask);
        if (too_large(ex, i, ask.input - PROMPT_OVERHEAD, ask.want))
            return ATTEMPT_FAILED;
    }
    enum admit adm = admit_candidate(ex, i);
    if (adm != ADMIT_OK) {
        if (!ex->asked) /* a held request asks again and again: its first skips tell why */
            note_skip(ex, dep_idx, adm);
        return ATTEMPT_FAILED;
    }
    ex->any_admitted = true;
    ex->dep = d;
    ex->pair = xlate_pair(ex->client, d->dialect);
    char err[XLATE_ERR_LEN] = "";
    char *body = proxy_build_body(ex, err);
    if (!body) {
        struct attempt_outcome o = {
            .ok = false, .err = {.cls = ERRC_BAD_REQUEST}, .booked = ex->grant.booked};
        ratelimit_init(&o.rl);
        state_attempt_end(ex->env->st, dep_idx, &o, 0, -1);
        proxy_set_error(&ex->err, ERRC_BAD_REQUEST, 400, err);
        *stop = true;
        return ATTEMPT_FAILED;
    }
    enum attempt_result r = ATTEMPT_FAILED;
    bool backed_off = false;
    for (int tries = 0;; tries++) {
        r = proxy_attempt(ex, dep_idx, ex->grant.probe, body);
        if (r == ATTEMPT_DONE)
            break;
        enum err_class cls = ex->err.cls;
        if (cls == ERRC_BAD_REQUEST || cls == ERRC_CLIENT_GONE ||
            __atomic_load_n(&ex->env->abort_upstream, __ATOMIC_ACQUIRE)) {
            *stop = true;
            break;
        }
        bool brief = (ex->events & ROUTER_EV_BACKOFF) && !backed_off;
        if (!brief &&
            (!errmap_is_retryable(cls) || tries >= ex->cfg->num_retries || ex->grant.probe))
            break;
        if (brief) {
            bool gone;
            backed_off = true;
            if (!retry_after_backoff(ex, dep_idx, &gone)) {
                if (gone) {
                    proxy_set_error(&ex->err, ERRC_CLIENT_GONE, 0, "client closed the connection");
                    *stop = true;
                }
                break;
            }
        }
        free(body);
        body = NULL;
        if (admit_candidate(ex, i) != ADMIT_OK)
            break;
        body = proxy_build_body(ex, err); /* the budget may differ this time */
        if (!body) {
            struct attempt_outcome o = {.err = {.cls = ERRC_BAD_REQUEST},
                                        .booked = ex->grant.booked};
            ratelimit_init(&o.rl);
            state_attempt_end(ex->env->st, dep_idx, &o, 0, -1);
            break;
        }
    }
    free(body);
    return r;
}

/* Why each candidate is out, from the router's view of just those deployments (this runs for
 * every refused request, so never a whole snapshot). */
static void describe_unavailable(struct exchange *ex, char *msg, size_t len)
{
    struct buf b;
    buf_init(&b, len - 1);
    buf_printf(&b, "no provider available for model '%s' right now:", ex->model);
    for (int i = 0; i < ex->plan.n; i++) {
        const struct deployment_cfg *d = &ex->cfg->deps[ex->plan.dep[i]];
        struct router_dep_view v;
        struct admit_ask ask;
        int64_t now;
        ask_of(ex, i, &ask);
        if (!state_ask_view(ex->env->st, ex->cfg, ex->plan.dep[i], &ask, &v, &now))
            break; /* reloaded meanwhile: the ids below would not match */
        buf_printf(&b, " %s %s", d->id, router_status_name(v.status));
        if (v.until_ms > now)
            buf_printf(&b, " %llds", (long long)((v.until_ms - now + 999) / 1000));
        if (v.status == DEP_NO_KEY && d->api_key_env && d->api_key_env[0])
            buf_printf(&b, " (set %s)", d->api_key_env);
        buf_puts(&b, i + 1 < ex->plan.n ? ";" : "");
    }
    snprintf(msg, len, "%s", buf_cstr(&b));
    buf_release(&b);
}

static int64_t hold_retry_at(struct exchange *ex);

void proxy_send_failure(struct exchange *ex)
{
    char msg[512];
    int status, retry_s = 0;
    const char *code = NULL;
    bool limited = false;
    int64_t at = state_retry_at(ex->env->st, &ex->plan, &limited);
    if (ex->err.cls == ERRC_BAD_REQUEST) {
        status = ex->err.status >= 400 && ex->err.status < 500 ? ex->err.status : 400;
        str_copy(msg, sizeof msg, ex->err.message);
    } else if (ex->held_too_long &&
               (!ex->any_admitted || ex->err.cls == ERRC_NONE || ex->err.cls == ERRC_RATE_LIMIT)) {
        /* held for room that did not come in time: too many requests for the providers */
        describe_unavailable(ex, msg, sizeof msg);
        size_t n = strlen(msg);
        snprintf(msg + n, sizeof msg - n, " (held %.1f s, max_wait %.0f s)",
                 ex->rec.wait_ms / 1000.0, ex->cfg->max_wait_s);
        status = 429;
        code = "rate_limited";
        at = hold_retry_at(ex);
    } else if (!ex->any_admitted || ex->err.cls == ERRC_NONE) {
        describe_unavailable(ex, msg, sizeof msg);
        status = limited ? 429 : 503;
        code = limited ? "rate_limited" : "no_provider_available";
    } else {
        status = errmap_client_status(&ex->err);
        snprintf(msg, sizeof msg, "%s (after trying %s)", ex->err.message, buf_cstr(&ex->trail));
        if (ex->err.cls == ERRC_QUOTA)
            code = "quota_exhausted";
    }
    if ((status == 429 || status == 503) && at > 0) {
        int64_t wait = at - state_now_ms(ex->env->st);
        retry_s = wait > 0 ? (int)((wait + 999) / 1000) : 1;
    }
    struct http_hdr h[1] = {{"x-switchboard-attempts", buf_cstr(&ex->trail)}};
    http_format_error(ex->c, ex->client, status, msg, code, retry_s, h, 1, &ex->tail);
    ex->rec.status = status;
    str_copy(ex->rec.error, sizeof ex->rec.error, msg);
}

/* A live reload swapped the config while this request was being routed: the state refuses to
 * admit through a plan of the old one. Plans again on the new config; false when the config is
 * the same (or the model is gone from it). */
static bool replan(struct exchange *ex)
{
    struct config *cur = state_config(ex->env->st);
    if (cur == ex->cfg) {
        config_free(cur);
        return false;
    }
    config_free(ex->cfg);
    ex->cfg = cur;
    ex->dep = NULL; /* pointed into the old config */
    return state_plan(ex->env->st, ex->model, &ex->plan) == 0 && ex->plan.cfg == ex->cfg;
}

/* Asks every candidate in order (planning again after a reload). True when the request is
 * settled: served, or failed in a way another try cannot help. */
static bool try_all(struct exchange *ex)
{
    bool stop = false;
    for (int round = 0; round < 3 && !stop; round++) {
        for (int i = 0; i < ex->plan.n && !stop; i++)
            if (try_candidate(ex, i, &stop) == ATTEMPT_DONE) {
                ex->asked = true;
                return true;
            }
        ex->asked = true;
        if (stop || !replan(ex))
            break;
    }
    return stop;
}

/* Waiting helps only when the candidates are out for their limits (or were all skipped). */
static bool waiting_may_help(const struct exchange *ex)
{
    enum err_class c = ex->err.cls;
    return ex->cfg->max_wait_s > 0 &&
           (c == ERRC_NONE || c == ERRC_RATE_LIMIT || c == ERRC_QUOTA || !ex->any_admitted);
}

static bool hold_attempt(void *ud)
{
    return try_all(ud);
}

static int64_t hold_ready_at(void *ud, bool *busy)
{
    struct exchange *ex = ud;
    struct admit_ask ask = {
        .input = ex->est_in, .want = ex->want_out, .floor = ex->cfg->min_output_tokens};
    return state_ready_at(ex->env->st, &ex->plan, &ask, busy);
}

/* When to come back after a hold ran out: when some candidate could take it, or, when only an
 * attempt's end will free one (a concurrency cap), a few seconds. */
static int64_t hold_retry_at(struct exchange *ex)
{
    bool busy = false;
    int64_t at = hold_ready_at(ex, &busy);
    int64_t now = state_now_ms(ex->env->st);
    if (busy && (at <= now || at == 0))
        return now + 5000;
    return at;
}

/* Every candidate is out: hold the request while one will have room within max_wait. */
static bool hold(struct exchange *ex)
{
    struct hold h = {.st = ex->env->st,
                     .group = ex->plan.group,
                     .max_wait_ms = ex->cfg->max_wait_s * 1000.0,
                     .attempt = hold_attempt,
                     .ready_at = hold_ready_at,
                     .gone = proxy_client_gone,
                     .ud = ex};
    double waited = 0;
    ex->hold_t0 = clock_mono_ms();
    enum hold_end end = proxy_hold(&h, &waited);
    ex->hold_t0 = 0;
    ex->rec.wait_ms += waited;
    if (end == HOLD_GONE)
        proxy_set_error(&ex->err, ERRC_CLIENT_GONE, 0,
                        "client closed the connection while waiting");
    /* held and room did not come: 429; told at once that none will come: as before */
    ex->held_too_long = end == HOLD_TOO_LONG;
    return end == HOLD_SETTLED;
}

void proxy_route(struct exchange *ex)
{
    /* a newcomer queues behind requests already waiting for the same group */
    bool queue = ex->cfg->max_wait_s > 0 && waitq_busy(state_waitq(ex->env->st), ex->plan.group);
    if (!queue && try_all(ex))
        goto settled;
    if ((queue || waiting_may_help(ex)) && hold(ex))
        goto settled;
    if (ex->err.cls == ERRC_CLIENT_GONE) {
        ex->rec.status = 499;
        snprintf(ex->rec.error, sizeof ex->rec.error, "client closed the connection");
        return;
    }
    proxy_send_failure(ex);
    return;
settled:
    if (ex->committed || ex->err.cls != ERRC_CLIENT_GONE) {
        if (!ex->committed)
            proxy_send_failure(ex);
        return;
    }
    ex->rec.status = 499;
    snprintf(ex->rec.error, sizeof ex->rec.error, "client closed the connection");
}
