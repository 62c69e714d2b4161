/* router_budget: the output budget a request gets on a provider that books it up front.
 *
 * Cerebras books input + max_completion_tokens on arrival and keeps it, however short the
 * answer (router_model.h cites the sources), so a budget beyond what the answer needs is
 * spent for nothing. The budget is the one asked for (the client's max_tokens within the
 * deployment's cap) unless
 *  - it would not fit the token buckets now: then the largest that fits, down to the floor
 *    (min_output_tokens) below which an answer is not worth having; or
 *  - it would spend a bucket faster than requests arrive: over a bucket's window the
 *    deployment can serve (tokens left + one window's refill) tokens to at most
 *    min(demand, requests left + one window's refill) requests, and each gets that share.
 *    Below the floor this only lowers to the floor: it paces, it never refuses.
 * A lowered budget is reported, so that an answer cut by it can be told apart.
 *
 * When an hour or day bucket cannot give even the typical request its share (the free tier's
 * million tokens a day for a whole day of requests), each request it serves costs others: the
 * tokens go furthest on the smaller requests, so one bigger than the median of recent asks is
 * kept off it (it goes to the next candidate) while the scarcity lasts. Pure. */
#include <limits.h>

#include "router_model.h"

long rt_tokens_left(const struct router *r, int i, int64_t now)
{
    const struct dep_rt *d = &r->d[i];
    long left = LONG_MAX;
    for (int w = 0; w < RL_NWINDOWS; w++) {
        if (!rt_bucket_enforced(r, d, RL_TOKENS, (enum rl_window)w))
            continue;
        double lv = tb_level(&d->bk.b[RL_TOKENS][w], now);
        long l = lv < (double)LONG_MIN ? LONG_MIN : (long)lv;
        if (l < left)
            left = l;
    }
    return left;
}

/* Tokens per request that window w can afford at the current demand (LONG_MAX: no bound). */
static long window_share(const struct router *r, const struct dep_rt *d, enum rl_window w,
                         double demand_per_ms, int64_t now)
{
    const struct tokbucket *tok = &d->bk.b[RL_TOKENS][w];
    if (!rt_bucket_enforced(r, d, RL_TOKENS, w))
        return LONG_MAX;
    double supply = tb_level(tok, now) + tok->limit;
    double requests = demand_per_ms * (double)tok->window_ms;
    if (rt_bucket_enforced(r, d, RL_REQUESTS, w)) {
        const struct tokbucket *req = &d->bk.b[RL_REQUESTS][w];
        double can = tb_level(req, now) + req->limit;
        if (can < requests)
            requests = can;
    }
    if (requests < 1)
        requests = 1;
    double share = supply / requests;
    return share >= (double)LONG_MAX ? LONG_MAX : (long)share;
}

static long pace_budget(const struct router *r, int i, long input, int64_t now)
{
    const struct dep_rt *d = &r->d[i];
    double demand = rt_demand_per_ms(d, now);
    long budget = LONG_MAX;
    for (int w = 0; w < RL_NWINDOWS; w++) {
        long share = window_share(r, d, (enum rl_window)w, demand, now);
        if (share != LONG_MAX && share - input < budget)
            budget = share - input;
    }
    return budget;
}

long rt_least_booking(const struct router *r, int i, const struct admit_ask *ask)
{
    struct limit_booking lb;
    limitcode_booking(r->cfg->deps[i].kind, &lb);
    long input = ask->input > 0 ? ask->input : 0;
    long want = ask->want > 0 ? ask->want : 0;
    if (!lb.books_output)
        return input;
    bool lowering = r->cfg->proactive_routing && ask->floor > 0;
    return input + (lowering && ask->floor < want ? ask->floor : want);
}

/* The hour or day window too scarce for a request whose least booking is `least` (-1: none).
 * *typical gets the median least booking of recent asks. */
static int scarce_for(const struct router *r, int i, long least, int64_t now, long *typical)
{
    const struct dep_rt *d = &r->d[i];
    *typical = rt_ask_median(d);
    if (!r->cfg->proactive_routing || *typical <= 0 || least <= *typical)
        return -1;
    double demand = rt_demand_per_ms(d, now);
    for (int w = RL_DAY; w >= RL_HOUR; w--) {
        long share = window_share(r, d, (enum rl_window)w, demand, now);
        if (share != LONG_MAX && share < *typical)
            return w;
    }
    return -1;
}

void rt_choose_budget(const struct router *r, int i, const struct admit_ask *ask, int64_t now,
                      struct rt_budget *out)
{
    struct limit_booking lb;
    limitcode_booking(r->cfg->deps[i].kind, &lb);
    long input = ask->input > 0 ? ask->input : 0;
    long want = ask->want > 0 ? ask->want : 0;
    long left = rt_tokens_left(r, i, now);
    long room = left == LONG_MAX ? LONG_MAX : left - input;
    if (!lb.books_output) {
        *out = (struct rt_budget){.budget = want, .tokens = input, .fits = room >= 0, .kept = -1};
        return;
    }
    if (want == 0 && lb.default_msl > input)
        want = lb.default_msl - input; /* what the provider books when no budget is sent */
    bool lowering = r->cfg->proactive_routing && ask->floor > 0;
    long floor = lowering && ask->floor < want ? ask->floor : want;
    long b = want;
    long pace = lowering ? pace_budget(r, i, input, now) : LONG_MAX;
    if (pace < b)
        b = pace > floor ? pace : floor;
    bool fits = true;
    if (room < b) {
        fits = room >= floor;
        b = fits ? room : floor;
    }
    long typical = 0;
    int kept = scarce_for(r, i, input + floor, now, &typical);
    *out = (struct rt_budget){.budget = b,
                              .tokens = input + b,
                              .lowered = b < want,
                              .fits = fits,
                              .kept = kept,
                              .typical = typical};
}
