/* router_model: the operations on the router's per-deployment record that the other router
 * files share: marks and cooldowns, the ring of recent admissions, the demand rate, and the
 * provider's buckets (booking, refunds, syncing to its headers). Pure, like the router. */
#include "router_model.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* ---- time and text ---- */

int64_t rt_secs_ms(double s)
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
    return rt_secs_ms(s > 0 ? s : 600);
}

int64_t rt_cooldown_ms(const struct router *r)
{
    return rt_secs_ms(r->cfg->cooldown_time_s);
}

/* ---- marks ---- */

void rt_set_reason(struct dep_rt *d, const char *reason)
{
    size_t n = strnlen(reason, sizeof d->reason - 1);
    /* a provider's words may be cut: never in the middle of a UTF-8 sequence */
    if (reason[n] != '\0')
        while (n > 0 && ((unsigned char)reason[n] & 0xC0) == 0x80)
            n--;
    memcpy(d->reason, reason, n);
    d->reason[n] = '\0';
}

void rt_cooldown(struct dep_rt *d, enum rt_cooldown kind, int64_t until, const char *reason)
{
    d->need_probe = true;
    if (d->cd != RT_CD_NONE && d->cooldown_until > until)
        return; /* a longer cooldown is already running */
    d->cd = kind;
    d->cooldown_until = until;
    rt_set_reason(d, reason);
}

void rt_backoff(struct dep_rt *d, int64_t until, const char *reason)
{
    if (d->cd != RT_CD_NONE && d->cooldown_until > until)
        return;
    d->cd = RT_CD_BRIEF;
    d->cooldown_until = until;
    rt_set_reason(d, reason);
}

void rt_clear_marks(struct dep_rt *d)
{
    d->cd = RT_CD_NONE;
    d->cooldown_until = 0;
    d->auth_failed = false;
    d->quota = false;
    d->quota_reset_known = false;
    d->quota_until = 0;
    d->need_probe = false;
    d->reason[0] = '\0';
}

/* ---- admissions ring ---- */

/* The k-th oldest entry (0 <= k < win_n). Scans call this for every entry under the state
 * lock, so no division: head - n + k lies in [-RT_RING, RT_RING). */
static const struct rt_win_ent *win_at(const struct dep_rt *d, int k)
{
    int idx = d->win_head - d->win_n + k;
    return &d->win[idx < 0 ? idx + RT_RING : idx];
}

int rt_win_count(const struct dep_rt *d, int64_t now)
{
    int n = 0;
    for (int k = 0; k < d->win_n; k++)
        if (now - win_at(d, k)->t < RT_WINDOW_MS) /* half-open: out exactly at t + 60 s */
            n++;
    return n;
}

static void win_drop_oldest(struct dep_rt *d)
{
    int64_t t = win_at(d, 0)->t;
    if (t > d->win_lost)
        d->win_lost = t;
    d->win_n--;
}

void rt_win_push(struct dep_rt *d, int64_t now, long tokens)
{
    if (d->win_n == RT_RING)
        win_drop_oldest(d);
    d->win[d->win_head] = (struct rt_win_ent){.t = now, .tokens = tokens};
    d->win_head = d->win_head + 1 == RT_RING ? 0 : d->win_head + 1;
    d->win_n++;
}

void rt_win_prune(struct dep_rt *d, int64_t now)
{
    while (d->win_n > 0 && now - win_at(d, 0)->t >= RT_KEEP_MS)
        win_drop_oldest(d);
}

void rt_ask(struct dep_rt *d, int64_t now, long least_booking)
{
    d->asks[d->ask_pos] = now;
    d->ask_size[d->ask_pos] = least_booking;
    d->ask_pos = (d->ask_pos + 1) % RT_ASKS;
    if (d->ask_n < RT_ASKS)
        d->ask_n++;
}

#define RT_MEDIAN_OF 32 /* recent asks the typical request size is taken from */

long rt_ask_median(const struct dep_rt *d)
{
    long v[RT_MEDIAN_OF];
    int n = d->ask_n < RT_MEDIAN_OF ? d->ask_n : RT_MEDIAN_OF;
    for (int k = 0; k < n; k++)
        v[k] = d->ask_size[(d->ask_pos - 1 - k + RT_ASKS) % RT_ASKS];
    for (int a = 1; a < n; a++) /* insertion sort: n <= 32 */
        for (int b = a; b > 0 && v[b - 1] > v[b]; b--) {
            long t = v[b];
            v[b] = v[b - 1];
            v[b - 1] = t;
        }
    return n ? v[n / 2] : 0;
}

double rt_demand_per_ms(const struct dep_rt *d, int64_t now)
{
    int n = 1; /* the ask being decided */
    for (int k = 0; k < d->ask_n; k++)
        if (now - d->asks[k] < RT_WINDOW_MS && d->asks[k] <= now)
            n++;
    return (double)n / (double)RT_WINDOW_MS;
}

/* ---- buckets ---- */

static const int64_t window_ms[RL_NWINDOWS] = {TB_MINUTE_MS, TB_HOUR_MS, TB_DAY_MS};

struct tokbucket *rt_bucket(struct dep_rt *d, enum rl_kind k, enum rl_window w)
{
    return &d->bk.b[k][w];
}

bool rt_has_bucket(const struct dep_rt *d, enum rl_kind k, enum rl_window w)
{
    return tb_present(&d->bk.b[k][w]);
}

/* The limit in force: the smaller of the configured and the reported one. */
static void apply_limit(struct dep_rt *d, enum rl_kind k, enum rl_window w, int64_t now)
{
    double c = d->bk.cfg_limit[k][w], h = d->bk.hdr_limit[k][w];
    double lim = c > 0 && (h <= 0 || c < h) ? c : h;
    struct tokbucket *b = &d->bk.b[k][w];
    if (!tb_present(b))
        tb_init(b, lim, window_ms[w], now);
    else
        tb_set_limit(b, now, lim);
}

void rt_buckets_init(const struct router *r, int i, int64_t now)
{
    const struct deployment_cfg *c = &r->cfg->deps[i];
    struct dep_rt *d = &r->d[i];
    const long cfg[RL_NKINDS][RL_NWINDOWS] = {{c->rpm, c->rph, c->rpd}, {c->tpm, c->tph, c->tpd}};
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++) {
            d->bk.cfg_limit[k][w] = cfg[k][w] > 0 ? (double)cfg[k][w] : 0;
            d->bk.hdr_limit[k][w] = 0;
            tb_init(&d->bk.b[k][w], d->bk.cfg_limit[k][w], window_ms[w], now);
        }
}

void rt_book(struct dep_rt *d, int64_t now, long tokens)
{
    for (int w = 0; w < RL_NWINDOWS; w++) {
        tb_take(&d->bk.b[RL_REQUESTS][w], now, 1);
        tb_take(&d->bk.b[RL_TOKENS][w], now, (double)tokens);
    }
}

void rt_refund(struct dep_rt *d, int64_t now, long tokens)
{
    for (int w = 0; w < RL_NWINDOWS; w++) {
        tb_give(&d->bk.b[RL_REQUESTS][w], now, 1);
        tb_give(&d->bk.b[RL_TOKENS][w], now, (double)tokens);
    }
}

/* A provider's reset header for a requests bucket tells the fraction of the next request
 * already refilled: "remaining 0, reset 2.00" with 10 per minute means 2/3 of one request is
 * back (the bucket refills one request every 6 s). */
static double with_fraction(const struct tokbucket *b, const struct rl_bucket *hb)
{
    double level = hb->remaining;
    if (hb->reset_s <= 0 || level >= b->limit)
        return level;
    double per_ms = b->limit / (double)b->window_ms;
    double frac = 1.0 - hb->reset_s * 1000.0 * per_ms;
    return frac > 0 && frac < 1 ? level + frac : level;
}

/* The level at now is what the provider reported; the admissions made after now were not in
 * its numbers, so they are booked again on top, each at its own time. */
static void replay_after(struct dep_rt *d, struct tokbucket *b, enum rl_kind k, double level,
                         int64_t now)
{
    double per_ms = b->limit / (double)b->window_ms;
    int64_t at = now;
    for (int j = 0; j < d->win_n; j++) {
        const struct rt_win_ent *e = win_at(d, j);
        if (e->t <= now)
            continue;
        level += (double)(e->t - at) * per_ms;
        if (level > b->limit)
            level = b->limit;
        level -= k == RL_REQUESTS ? 1.0 : (double)(e->tokens > 0 ? e->tokens : 0);
        at = e->t;
    }
    b->level = level < -b->limit ? -b->limit : level;
    b->at = at;
}

void rt_sync_headers(struct dep_rt *d, const struct ratelimit_info *rl, int64_t now)
{
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++) {
            struct rl_bucket hb;
            ratelimit_bucket(rl, (enum rl_kind)k, (enum rl_window)w, &hb);
            if (hb.limit > 0) {
                d->bk.hdr_limit[k][w] = hb.limit;
                apply_limit(d, (enum rl_kind)k, (enum rl_window)w, now);
            }
            struct tokbucket *b = &d->bk.b[k][w];
            /* without the admissions since, the provider's number would be replayed short */
            if (hb.remaining < 0 || !tb_present(b) || d->win_lost > now)
                continue;
            replay_after(d, b, (enum rl_kind)k, with_fraction(b, &hb), now);
        }
}

bool rt_bucket_enforced(const struct router *r, const struct dep_rt *d, enum rl_kind k,
                        enum rl_window w)
{
    if (!tb_present(&d->bk.b[k][w]))
        return false;
    if (r->cfg->proactive_routing)
        return true;
    return k == RL_REQUESTS && w == RL_MINUTE && d->bk.cfg_limit[k][w] > 0;
}

/* ---- concurrency ---- */

int rt_conc_cap(const struct router *r, int i)
{
    int c = r->cfg->deps[i].max_parallel, l = r->d[i].conc_learned;
    if (c > 0 && (l <= 0 || c < l))
        return c;
    return l > 0 ? l : 0;
}
