/* router_outcome: what the end of an attempt does to a deployment. The provider's headers set
 * the buckets; a refusal gives the booking back; a limit refusal cools the deployment down
 * only until the bucket that ran out has room again (the code and headers tell which), backs
 * off a second for momentary ones, takes fewer requests at once after a concurrency refusal,
 * and marks plan and balance limits as QUOTA; failures count towards allowed_fails; a probe's
 * success clears the marks. Pure, like the rest of the router. */
#include "route/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errmap.h"
#include "router_model.h"

static bool valid_dep(const struct router *r, int dep)
{
    return r && dep >= 0 && dep < r->n;
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

static void limit_head(char *out, size_t cap, const struct attempt_outcome *o)
{
    char head[40];
    if (o->status == 429)
        snprintf(head, sizeof head, "429 from provider");
    else
        snprintf(head, sizeof head, "rate limited (HTTP %d)", o->status);
    if (o->err.code[0])
        snprintf(out, cap, "%s (%.31s)", head, o->err.code);
    else
        snprintf(out, cap, "%s", head);
}

/* ---- which bucket ran out ---- */

struct exhausted {
    bool set[RL_NKINDS][RL_NWINDOWS];
    int n;
};

static void mark(struct exhausted *x, int k, int w)
{
    if (!x->set[k][w])
        x->n++;
    x->set[k][w] = true;
}

/* The one whose remaining count cannot cover this request: less than one request, or fewer
 * tokens than were booked for it (protocol.md §8.2). */
static bool header_short(const struct rl_bucket *hb, int k, long booked)
{
    if (hb->remaining < 0)
        return false;
    return k == RL_REQUESTS ? hb->remaining < 1 : hb->remaining < (booked > 0 ? booked : 1);
}

/* The body names the kind (request_quota_exceeded / token_quota_exceeded) and, in its text,
 * the window; the headers name buckets whose remaining count is short. */
static void find_exhausted(const struct attempt_outcome *o, enum err_class cls, struct exhausted *x)
{
    const struct limit_code *lc = limitcode_find(o->err.code);
    int kind = lc && lc->action == LIMIT_BUCKET ? lc->kind : -1;
    int win = ratelimit_window_in_text(o->err.message);
    memset(x, 0, sizeof *x);
    if (kind >= 0 && win < 0 && cls == ERRC_QUOTA)
        win = RL_DAY; /* "per day" is what makes a token refusal a quota */
    if (kind >= 0 && win >= 0) {
        mark(x, kind, win);
        return;
    }
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++) {
            struct rl_bucket hb;
            ratelimit_bucket(&o->rl, (enum rl_kind)k, (enum rl_window)w, &hb);
            if ((kind < 0 || kind == k) && header_short(&hb, k, o->booked))
                mark(x, k, w);
        }
    if (x->n == 0 && kind >= 0)
        mark(x, kind, RL_MINUTE); /* the body names only the kind: the minute is the usual one */
}

/* When bucket (k, w) has room for this request again, or -1 when nothing says. */
static int64_t room_at(const struct dep_rt *d, const struct attempt_outcome *o, int k, int w,
                       int64_t now)
{
    struct rl_bucket hb;
    ratelimit_bucket(&o->rl, (enum rl_kind)k, (enum rl_window)w, &hb);
    int64_t t = hb.reset_s >= 0 ? now + rt_secs_ms(hb.reset_s) : -1;
    const struct tokbucket *b = &d->bk.b[k][w];
    double need = k == RL_REQUESTS ? 1.0 : (double)(o->booked > 0 ? o->booked : 1);
    if (tb_present(b)) {
        int64_t tb = tb_when(b, now, need);
        if (tb != TB_NEVER && tb > t)
            t = tb;
    }
    if (t <= now)
        return -1; /* our numbers say it has room, the provider says not: trust neither */
    if (t > now + RT_MAX_COOLDOWN_MS)
        t = now + RT_MAX_COOLDOWN_MS;
    return t;
}

/* ---- limit refusals ---- */

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

static void quota_name(char *out, size_t cap, const struct attempt_outcome *o)
{
    int code = atoi(o->err.code);
    if (code >= 1000 && code <= 1999)
        snprintf(out, cap, "Z.AI %d %s", code, zai_quota_name(code));
    else
        snprintf(out, cap, "daily quota exhausted");
}

/* Out until `until` (0: until the user resets or re-enables it). */
static unsigned set_quota(struct dep_rt *d, int64_t now, int64_t until, const char *what,
                          const char *words)
{
    char dur[32], reason[512]; /* rt_set_reason cuts it to fit */
    d->quota = true;
    d->quota_reset_known = until > 0;
    d->quota_until = until > 0 ? until : 0;
    d->need_probe = d->quota_reset_known;
    if (until > 0) {
        rt_fmt_dur(dur, sizeof dur, until - now);
        snprintf(reason, sizeof reason, "%s, resets in %s", what, dur);
    } else if (words && *words) {
        snprintf(reason, sizeof reason, "%s: \"%s\" (off until you reset or enable it)", what,
                 words);
    } else {
        snprintf(reason, sizeof reason, "%s, until reset by the user", what);
    }
    rt_set_reason(d, reason);
    return ROUTER_EV_QUOTA_OUT;
}

/* A refusal no bucket explains: retry-after, then cooldown_time (a quota: out until the
 * retry-after, or until the user says otherwise). */
static unsigned unexplained(struct router *r, struct dep_rt *d, const struct attempt_outcome *o,
                            enum err_class cls, int64_t now)
{
    char head[80], dur[32], reason[200], what[64];
    double ra = o->rl.retry_after_s;
    if (cls == ERRC_QUOTA) {
        quota_name(what, sizeof what, o);
        return set_quota(d, now, ra >= 0 ? now + rt_secs_ms(ra) : 0, what, NULL);
    }
    int64_t ms = ra >= 0 ? rt_secs_ms(ra) : rt_cooldown_ms(r);
    limit_head(head, sizeof head, o);
    rt_fmt_dur(dur, sizeof dur, ms);
    snprintf(reason, sizeof reason, "%s, %s %s", head, ra >= 0 ? "retry-after" : "cooldown", dur);
    rt_cooldown(d, RT_CD_RATE, now + ms, reason);
    return ROUTER_EV_COOLDOWN_STARTED;
}

/* The provider refused for tokens while its headers show at least what we booked: it counted
 * this request bigger than we did. The bucket is not empty; the request was too big for it. */
static bool counted_bigger(const struct attempt_outcome *o, const struct exhausted *x)
{
    if (x->n == 0)
        return false;
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++) {
            struct rl_bucket hb;
            if (!x->set[k][w])
                continue;
            ratelimit_bucket(&o->rl, (enum rl_kind)k, (enum rl_window)w, &hb);
            if (k != RL_TOKENS || hb.remaining < 0 || hb.remaining < (double)o->booked)
                return false;
        }
    return true;
}

/* A bucket ran out: cool down until the latest of the empty buckets has room again (never
 * the largest reset of all of them: a full token bucket resets in 60 s). An empty day bucket
 * is a quota until then. */
static unsigned on_bucket(struct router *r, struct dep_rt *d, const struct attempt_outcome *o,
                          enum err_class cls, int64_t now)
{
    struct exhausted x;
    find_exhausted(o, cls, &x);
    if (counted_bigger(o, &x))
        return 0; /* nothing to wait for: the next request, estimated better, may fit */
    int64_t until = -1;
    bool day = false;
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++) {
            int64_t t = x.set[k][w] ? room_at(d, o, k, w, now) : -1;
            if (t > until) {
                until = t;
                day = w == RL_DAY;
            }
        }
    if (until < 0)
        return unexplained(r, d, o, cls, now);
    if (day) {
        char what[64];
        quota_name(what, sizeof what, o);
        return set_quota(d, now, until > now ? until : now + 1, what, NULL);
    }
    char head[80], dur[32], reason[200];
    limit_head(head, sizeof head, o);
    rt_fmt_dur(dur, sizeof dur, until - now);
    snprintf(reason, sizeof reason, "%s, resets in %s", head, dur);
    rt_cooldown(d, RT_CD_RATE, until, reason);
    return ROUTER_EV_COOLDOWN_STARTED;
}

/* queue_exceeded, Z.AI 1303: clears in about a second (protocol.md §8.2, §8.3). The caller
 * retries the same deployment once after it. */
static unsigned on_brief(struct dep_rt *d, const struct attempt_outcome *o,
                         const struct limit_code *lc, int64_t now)
{
    char head[80], reason[200];
    double ra = o->rl.retry_after_s;
    int64_t ms = ra > 0 && ra <= 10 ? rt_secs_ms(ra) : RT_BRIEF_MS;
    limit_head(head, sizeof head, o);
    snprintf(reason, sizeof reason, "%s: %s, backing off %.1fs", head, lc->label,
             (double)ms / 1000.0);
    rt_backoff(d, now + ms, reason);
    return ROUTER_EV_BACKOFF;
}

/* Z.AI 1302: fewer at once helps, a cooldown does not. It takes no more than what is still
 * running elsewhere from now on; with nothing else running, a short back-off. */
static unsigned on_concurrency(struct dep_rt *d, const struct attempt_outcome *o,
                               const struct limit_code *lc, int64_t now)
{
    char head[80], reason[200];
    int cap = d->in_flight > 0 ? d->in_flight : 1;
    if (d->conc_learned <= 0 || cap < d->conc_learned)
        d->conc_learned = cap;
    if (d->in_flight == 0) {
        limit_head(head, sizeof head, o);
        snprintf(reason, sizeof reason, "%s: %s, backing off 1.0s", head, lc->label);
        rt_backoff(d, now + RT_BRIEF_MS, reason);
    }
    return ROUTER_EV_BUSY;
}

/* Z.AI 1308/1310: out until the reset the text names (state.c turns it into seconds). */
static unsigned on_plan(struct dep_rt *d, const struct attempt_outcome *o, int64_t now)
{
    char what[64];
    quota_name(what, sizeof what, o);
    double s = o->reset_in_s > 0 ? o->reset_in_s : o->rl.retry_after_s;
    return set_quota(d, now, s >= 0 ? now + rt_secs_ms(s) : 0, what, o->err.message);
}

static unsigned on_limit(struct router *r, struct dep_rt *d, const struct attempt_outcome *o,
                         enum err_class cls, int64_t now)
{
    const struct limit_code *lc = limitcode_find(o->err.code);
    char what[64];
    switch (lc ? lc->action : LIMIT_NONE) {
    case LIMIT_BRIEF:
        return on_brief(d, o, lc, now);
    case LIMIT_CONCURRENCY:
        return on_concurrency(d, o, lc, now);
    case LIMIT_PLAN:
        return on_plan(d, o, now);
    case LIMIT_DISABLE:
        quota_name(what, sizeof what, o);
        return set_quota(d, now, 0, what, o->err.message);
    default:
        return on_bucket(r, d, o, cls, now);
    }
}

/* ---- failures ---- */

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
        rt_cooldown(d, RT_CD_PROBE, now + rt_cooldown_ms(r), reason);
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
    rt_cooldown(d, RT_CD_FAIL, now + rt_cooldown_ms(r), reason);
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
    case ERRC_QUOTA:
        return on_limit(r, d, o, cls, now);
    case ERRC_AUTH:
        d->auth_failed = true;
        snprintf(reason, sizeof reason, "provider refused the API key (HTTP %d)", o->status);
        rt_cooldown(d, RT_CD_AUTH, now + rt_cooldown_ms(r), reason);
        return ROUTER_EV_AUTH_FAILED | ROUTER_EV_COOLDOWN_STARTED;
    case ERRC_NOT_FOUND:
        rt_cooldown(d, RT_CD_NOT_FOUND, now + rt_cooldown_ms(r), "model not found at provider");
        if (errmap_model_gone(&o->err)) { /* MODEL GONE, for every instance when shared */
            d->refused = true;
            d->refused_by[0] = '\0';
        }
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

static unsigned on_success(struct dep_rt *d, bool probe)
{
    d->fail_n = 0;
    d->fail_pos = 0;
    if (!probe)
        return 0;
    rt_clear_marks(d);
    return ROUTER_EV_RECOVERED;
}

/* ---- bookings ---- */

/* A provider refuses before it books: limits, bad requests, keys, unknown models (the
 * simulated providers check in that order too). Failures after it started count. */
static bool refused_unbooked(const struct attempt_outcome *o)
{
    switch (o->err.cls) {
    case ERRC_RATE_LIMIT:
    case ERRC_QUOTA:
    case ERRC_BAD_REQUEST:
    case ERRC_CONTEXT:
    case ERRC_AUTH:
    case ERRC_NOT_FOUND:
        return true;
    default:
        return o->status == 429;
    }
}

/* Bookings meet what happened: a refusal gives them back; a provider that only counts what
 * it used (or gives the rest back) gets the difference. */
static void settle(struct router *r, int dep, struct dep_rt *d, const struct attempt_outcome *o,
                   int64_t now)
{
    struct limit_booking lb;
    limitcode_booking(r->cfg->deps[dep].kind, &lb);
    long booked = o->booked > 0 ? o->booked : 0;
    if (!o->ok && refused_unbooked(o)) {
        rt_refund(d, now, booked);
        rt_share_adjust(r, dep, 1, (double)booked, false, now);
        return;
    }
    if (!lb.refunds_unused || !o->ok)
        return;
    long used = (o->tokens_in > 0 ? o->tokens_in : 0) + (o->tokens_out > 0 ? o->tokens_out : 0);
    for (int w = 0; w < RL_NWINDOWS; w++) {
        if (used > booked)
            tb_take(rt_bucket(d, RL_TOKENS, (enum rl_window)w), now, (double)(used - booked));
        else
            tb_give(rt_bucket(d, RL_TOKENS, (enum rl_window)w), now, (double)(booked - used));
    }
    if (used != booked)
        rt_share_adjust(r, dep, 0, (double)(booked - used), false, now);
}

static bool rl_any(const struct ratelimit_info *rl)
{
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++) {
            struct rl_bucket hb;
            ratelimit_bucket(rl, (enum rl_kind)k, (enum rl_window)w, &hb);
            if (hb.limit >= 0 || hb.remaining >= 0 || hb.reset_s >= 0)
                return true;
        }
    return rl->retry_after_s >= 0;
}

/* Every field exactly 0 is a caller's zero-initialised struct, never real headers (which
 * would make "0 tokens left, resets now" out of nothing). */
static bool rl_all_zero(const struct ratelimit_info *rl)
{
    static const struct ratelimit_info zero;
    return memcmp(rl, &zero, sizeof zero) == 0;
}

static unsigned finish(struct router *r, int dep, const struct attempt_outcome *in, int64_t now_ms)
{
    struct attempt_outcome oc = *in;
    const struct attempt_outcome *o = &oc;
    if (rl_all_zero(&oc.rl))
        ratelimit_init(&oc.rl);
    struct dep_rt *d = &r->d[dep];
    if (d->in_flight > 0)
        d->in_flight--;
    settle(r, dep, d, o, now_ms);
    /* now_ms is when the answer's headers were written (see state_attempt_end): what we
     * admitted after that is not in their numbers. An older answer ending late is stale. */
    if (rl_any(&o->rl) && (!d->has_rl || now_ms >= d->rl_seen)) {
        d->has_rl = true;
        d->rl = o->rl;
        d->rl_seen = now_ms;
        if (r->cfg->proactive_routing) {
            rt_sync_headers(d, &o->rl, now_ms);
            rt_share_adjust(r, dep, 0, 0, true, now_ms); /* what the provider said bounds all */
        }
    }
    bool probe = o->was_probe && d->probing;
    if (probe)
        d->probing = false;
    if (o->ok)
        return on_success(d, probe);
    return on_error(r, d, o, probe, now_ms);
}

/* What an answer taught this instance (cooldowns, quota, a probe's verdict) is published for
 * the others when a store is set. */
unsigned router_finish(struct router *r, int dep, const struct attempt_outcome *in, int64_t now_ms)
{
    if (!valid_dep(r, dep) || !in)
        return 0;
    struct rt_marks before;
    rt_marks_get(&r->d[dep], &before);
    unsigned ev = finish(r, dep, in, now_ms);
    rt_share_marks(r, dep, &before, now_ms);
    rt_share_release(r, dep, now_ms);
    r->d[dep].busy_until = 0; /* a place is free now, at least the one this attempt held */
    return ev;
}
