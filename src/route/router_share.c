/* router_share: the router's side of sharing a deployment's picture with other switchboards
 * through a store (route/store.h): a local booking is confirmed against the shared buckets
 * (and undone when they are full), refunds and header syncs are passed on, and marks are
 * published when an operation changed them and taken when another instance did. Without a
 * store every function here does nothing. Pure, like the rest of the router: the store's
 * operations are the only calls out, and they are bounded by the store's own timeout. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "router_model.h"

static bool shared(const struct router *r)
{
    return r && r->store;
}

/* ---- marks ---- */

void rt_marks_get(const struct dep_rt *d, struct rt_marks *m)
{
    memset(m, 0, sizeof *m);
    m->cd = d->cd;
    m->cooldown_until = d->cooldown_until;
    m->quota_until = d->quota_until;
    m->auth_failed = d->auth_failed;
    m->quota = d->quota;
    m->quota_reset_known = d->quota_reset_known;
    m->enabled = d->enabled;
    m->refused = d->refused;
    memcpy(m->reason, d->reason, sizeof m->reason);
}

static bool marks_equal(const struct rt_marks *a, const struct rt_marks *b)
{
    return a->cd == b->cd && a->cooldown_until == b->cooldown_until &&
           a->quota_until == b->quota_until && a->auth_failed == b->auth_failed &&
           a->quota == b->quota && a->quota_reset_known == b->quota_reset_known &&
           a->enabled == b->enabled && a->refused == b->refused &&
           strcmp(a->reason, b->reason) == 0;
}

static int64_t left(int64_t until, int64_t now)
{
    return until > now ? until - now : 0;
}

static void to_store(const struct dep_rt *d, int64_t now, struct store_mark *m)
{
    memset(m, 0, sizeof *m);
    m->cd = (int)d->cd;
    m->cd_left_ms = d->cd != RT_CD_NONE ? left(d->cooldown_until, now) : 0;
    m->auth_failed = d->auth_failed;
    m->quota = d->quota;
    m->quota_known = d->quota && d->quota_reset_known;
    m->quota_left_ms = m->quota_known ? left(d->quota_until, now) : 0;
    m->off = !d->enabled;
    m->gone = d->refused;
    memcpy(m->reason, d->reason,
           sizeof m->reason < sizeof d->reason ? sizeof m->reason : sizeof d->reason);
    m->reason[sizeof m->reason - 1] = '\0';
}

static void publish(struct router *r, int i, int64_t now)
{
    struct dep_rt *d = &r->d[i];
    struct store_mark m;
    to_store(d, now, &m);
    if (r->store->mark(r->store_ctx, &r->cfg->deps[i], &m) == STORE_OK) {
        d->mark_seq = m.seq;
        d->mark_dirty = false;
    } else {
        d->mark_dirty = true; /* the store is down: publish when it is back */
    }
}

void rt_share_marks(struct router *r, int i, const struct rt_marks *before, int64_t now)
{
    struct rt_marks after;
    if (!shared(r))
        return;
    rt_marks_get(&r->d[i], &after);
    if (!before || !marks_equal(before, &after))
        publish(r, i, now);
}

/* What another instance sent is data, not trusted: a kind we do not know is a failure
 * cooldown, and no end lies further than the longest cooldown. */
static int64_t bounded(int64_t ms)
{
    return ms < 0 ? 0 : ms > RT_MAX_COOLDOWN_MS ? RT_MAX_COOLDOWN_MS : ms;
}

void rt_apply_mark(struct dep_rt *d, const struct store_mark *m, int64_t now)
{
    int cd = m->cd >= RT_CD_NONE && m->cd <= RT_CD_PROBE ? m->cd : RT_CD_FAIL;
    d->cd = (enum rt_cooldown)cd;
    d->cooldown_until = cd != RT_CD_NONE ? now + bounded(m->cd_left_ms) : 0;
    d->auth_failed = m->auth_failed;
    d->quota = m->quota;
    d->quota_reset_known = m->quota && m->quota_known;
    d->quota_until = d->quota_reset_known ? now + bounded(m->quota_left_ms) : 0;
    /* after a cooldown or a quota with an end, one probe (shared: one instance gets it) */
    d->need_probe = (cd != RT_CD_NONE && cd != RT_CD_BRIEF) || d->quota_reset_known;
    if (m->reason[0] && m->by[0]) { /* say which instance learnt it, cutting the reason */
        char by[sizeof m->by + 16], r[sizeof d->reason];
        int n = snprintf(by, sizeof by, " (learnt by %.63s)", m->by);
        int room = (int)sizeof r - 1 - n;
        snprintf(r, sizeof r, "%.*s%s", room > 0 ? room : 0, m->reason, by);
        rt_set_reason(d, r);
    } else {
        rt_set_reason(d, m->reason);
    }
    d->enabled = !m->off;
    d->refused = m->gone;
    snprintf(d->refused_by, sizeof d->refused_by, "%s", m->gone ? m->by : "");
    d->mark_seq = m->seq;
}

/* ---- buckets ---- */

static void fill_op(const struct router *r, const struct dep_rt *d, double req, double tok,
                    bool capped, int64_t now, struct store_op *op)
{
    memset(op, 0, sizeof *op);
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++) {
            struct store_bucket *sb = &op->b[k][w];
            const struct tokbucket *b = &d->bk.b[k][w];
            sb->cap = NAN;
            if (!rt_bucket_enforced(r, d, (enum rl_kind)k, (enum rl_window)w))
                continue;
            sb->limit = b->limit;
            sb->window_ms = b->window_ms;
            sb->take = k == RL_REQUESTS ? req : tok;
            if (capped)
                sb->cap = tb_level(b, now);
        }
}

/* The shared levels are the deployment's levels now. */
static void take_levels(struct dep_rt *d, const struct store_op *op, int64_t now)
{
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++)
            if (op->b[k][w].limit > 0 && !isnan(op->b[k][w].level))
                tb_set(&d->bk.b[k][w], now, op->b[k][w].level);
}

/* What the shared buckets missed while the store did not answer. */
static void unshared(struct dep_rt *d, double requests, double tokens, int64_t now)
{
    if (requests == 0 && tokens == 0)
        return; /* a header sync: the provider's next headers say it again */
    if (d->unshared_since == 0)
        d->unshared_since = now > 0 ? now : 1;
    d->unshared[RL_REQUESTS] += requests;
    d->unshared[RL_TOKENS] += tokens;
}

void rt_share_replay(struct router *r, int i, int64_t now)
{
    struct dep_rt *d = &r->d[i];
    if (!shared(r) || d->unshared_since == 0)
        return;
    struct store_op op;
    fill_op(r, d, 0, 0, false, now, &op);
    double gone_ms = (double)(now > d->unshared_since ? now - d->unshared_since : 0);
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++) {
            struct store_bucket *sb = &op.b[k][w];
            if (!(sb->limit > 0))
                continue;
            /* a booking made during the outage has partly refilled by now; a net refund is
             * given back whole */
            double left = d->unshared[k];
            if (left > 0) {
                left -= gone_ms * sb->limit / (double)sb->window_ms;
                left = left > 0 ? left : 0;
            }
            sb->take = left;
        }
    if (r->store->buckets(r->store_ctx, &r->cfg->deps[i], &op) != STORE_OK)
        return; /* still away: next time */
    take_levels(d, &op, now);
    d->unshared[RL_REQUESTS] = d->unshared[RL_TOKENS] = 0;
    d->unshared_since = 0;
}

enum store_rc rt_share_book(struct router *r, int i, long tokens, bool probe, int64_t now)
{
    if (!shared(r))
        return STORE_OK;
    struct dep_rt *d = &r->d[i];
    if (d->mark_dirty)
        publish(r, i, now);
    struct store_op op;
    double tok = (double)(tokens > 0 ? tokens : 0);
    fill_op(r, d, 1, tok, true, now, &op);
    op.check = true;
    op.probe = probe;
    op.probe_ms = rt_probe_timeout_ms(r, i);
    op.known_seq = d->mark_seq;
    op.conc_cap = rt_conc_cap(r, i);
    op.lease_ms = rt_probe_timeout_ms(r, i);
    enum store_rc rc = r->store->buckets(r->store_ctx, &r->cfg->deps[i], &op);
    if (rc == STORE_OK || rc == STORE_DOWN) {
        if (rc == STORE_OK)
            take_levels(d, &op, now);
        else
            unshared(d, 1, tok, now);
        if (rc == STORE_OK && op.conc_cap > 0)
            d->leases++;
        return rc;
    }
    rt_refund(d, now, tokens);
    if (rc == STORE_FULL)
        take_levels(d, &op, now);
    else if (rc == STORE_MARK)
        rt_apply_mark(d, &op.mark, now);
    else if (rc == STORE_PROBE_ELSEWHERE)
        rt_backoff(d, now + RT_BRIEF_MS, "probe in flight on another instance");
    else if (rc == STORE_BUSY) {
        d->busy_until = now + RT_BUSY_RETRY_MS;
        d->busy_cap = op.conc_cap;
    }
    return rc;
}

void rt_share_release(struct router *r, int i, int64_t now)
{
    struct dep_rt *d = &r->d[i];
    if (!shared(r) || d->leases <= 0)
        return;
    d->leases--;
    struct store_op op;
    fill_op(r, d, 0, 0, false, now, &op);
    for (int k = 0; k < RL_NKINDS; k++) /* no bucket changes: only the lease */
        for (int w = 0; w < RL_NWINDOWS; w++)
            op.b[k][w].limit = 0;
    op.release = true;
    /* unanswered: the lease ends by itself after the request timeout */
    (void)r->store->buckets(r->store_ctx, &r->cfg->deps[i], &op);
}

void rt_share_adjust(struct router *r, int i, double give_requests, double give_tokens, bool capped,
                     int64_t now)
{
    if (!shared(r))
        return;
    struct dep_rt *d = &r->d[i];
    struct store_op op;
    fill_op(r, d, -give_requests, -give_tokens, capped, now, &op);
    enum store_rc rc = r->store->buckets(r->store_ctx, &r->cfg->deps[i], &op);
    if (rc == STORE_OK)
        take_levels(d, &op, now);
    else if (rc == STORE_DOWN)
        unshared(d, -give_requests, -give_tokens, now);
}
