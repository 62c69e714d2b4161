/* simprov_limits: buckets, bookings, plan windows and the prompt cache of a simulated
 * provider (the header says what each rule follows and where it is documented). */
#include "sim/simprov_limits.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/limitcode.h"

#define DEFAULT_PLAN_S  (5 * 3600.0)
#define REPORTED_LIMIT  1000000000.0 /* what the docs' example reports where no limit binds */
#define BEIJING_OFFSET  (8 * 3600)
#define PROBE_SLOTS     8
#define BYTES_PER_TOKEN 4

static const int64_t day_ms[SIMLIM_WINDOWS] = {TB_MINUTE_MS, TB_HOUR_MS, TB_DAY_MS};

static void init_buckets(struct simlim *l, int64_t now_ms)
{
    const struct simlim_opts *o = &l->o;
    long req[SIMLIM_WINDOWS] = {o->rpm, o->rph, o->rpd};
    long tok[SIMLIM_WINDOWS] = {o->tpm, o->tph, o->tpd};
    int64_t minute = (int64_t)(o->minute_s * 1000.0);
    for (int w = 0; w < SIMLIM_WINDOWS; w++) {
        int64_t len = w == 0 ? minute : day_ms[w];
        tb_init(&l->req[w], (double)req[w], len, now_ms);
        tb_init(&l->tok[w], (double)tok[w], len, now_ms);
        l->reported_only[0][w] = l->reported_only[1][w] = false;
    }
    /* requests-day and tokens-minute are on every Cerebras answer, limited or not */
    if (!tb_present(&l->req[2])) {
        tb_init(&l->req[2], REPORTED_LIMIT, TB_DAY_MS, now_ms);
        l->reported_only[0][2] = true;
    }
    if (!tb_present(&l->tok[0])) {
        tb_init(&l->tok[0], REPORTED_LIMIT, minute, now_ms);
        l->reported_only[1][0] = true;
    }
}

void simlim_init(struct simlim *l, const struct simlim_opts *o, int64_t now_ms)
{
    memset(l, 0, sizeof *l);
    l->o = *o;
    if (!(l->o.minute_s > 0))
        l->o.minute_s = 60;
    if (l->o.msl <= 0) {
        struct limit_booking lb; /* the sequence length the router expects it to book */
        limitcode_booking(PROVIDER_CEREBRAS, &lb);
        l->o.msl = lb.default_msl;
    }
    if (!(l->o.plan_window_s > 0))
        l->o.plan_window_s = DEFAULT_PLAN_S;
    simlim_reset(l, now_ms);
}

void simlim_reset(struct simlim *l, int64_t now_ms)
{
    init_buckets(l, now_ms);
    l->plan_start_wall = -1;
    l->plan_used = 0;
    memset(l->cache, 0, sizeof l->cache);
}

long simlim_booking(const struct simlim *l, long input_tokens, long max_out)
{
    long in = input_tokens > 0 ? input_tokens : 0;
    if (max_out >= 0)
        return in + max_out;
    return l->o.msl > in ? l->o.msl : in;
}

static bool enforced(const struct simlim *l, int kind, int w)
{
    const struct tokbucket *b = kind == 0 ? &l->req[w] : &l->tok[w];
    return tb_present(b) && !l->reported_only[kind][w];
}

enum simlim_refusal simlim_admit_buckets(struct simlim *l, int64_t now_ms, long booking, int *w)
{
    for (int k = 0; k < SIMLIM_WINDOWS; k++) {
        if (enforced(l, 0, k) && !tb_fits(&l->req[k], now_ms, 1)) {
            *w = k;
            return SIMLIM_REQUESTS;
        }
        if (enforced(l, 1, k) && !tb_fits(&l->tok[k], now_ms, (double)booking)) {
            *w = k;
            return SIMLIM_TOKENS;
        }
    }
    for (int k = 0; k < SIMLIM_WINDOWS; k++) {
        tb_take(&l->req[k], now_ms, 1);
        tb_take(&l->tok[k], now_ms, (double)booking);
    }
    return SIMLIM_OK;
}

enum simlim_refusal simlim_admit_zai(struct simlim *l, double now_wall, double *reset_wall)
{
    if (l->o.concurrency > 0 && l->in_flight >= l->o.concurrency)
        return SIMLIM_CONCURRENCY;
    if (l->o.plan_prompts > 0) {
        if (l->plan_start_wall < 0 || now_wall >= l->plan_start_wall + l->o.plan_window_s) {
            l->plan_start_wall = now_wall;
            l->plan_used = 0;
        }
        if (l->plan_used >= l->o.plan_prompts) {
            *reset_wall = l->plan_start_wall + l->o.plan_window_s;
            return SIMLIM_PLAN;
        }
        l->plan_used++;
    }
    l->in_flight++;
    return SIMLIM_OK;
}

void simlim_done(struct simlim *l)
{
    if (l->in_flight > 0)
        l->in_flight--;
}

static int header_line(char *out, size_t cap, const char *what, const char *kind, int w,
                       const struct tokbucket *b, int64_t now_ms)
{
    static const char *const names[SIMLIM_WINDOWS] = {"minute", "hour", "day"};
    double lv = tb_level(b, now_ms);
    long left = lv > 0 ? (long)floor(lv) : 0;
    if (strcmp(what, "limit") == 0)
        return snprintf(out, cap, "x-ratelimit-limit-%s-%s: %.0f\r\n", kind, names[w], b->limit);
    if (strcmp(what, "remaining") == 0)
        return snprintf(out, cap, "x-ratelimit-remaining-%s-%s: %ld\r\n", kind, names[w], left);
    return snprintf(out, cap, "x-ratelimit-reset-%s-%s: %.2f\r\n", kind, names[w],
                    tb_reset_s(b, now_ms));
}

void simlim_headers(const struct simlim *l, int64_t now_ms, char *out, size_t cap)
{
    static const char *const what[] = {"limit", "remaining", "reset"};
    size_t n = 0;
    out[0] = '\0';
    /* the minute and the day: the windows Cerebras reports (protocol.md §8.2) */
    for (int w = 0; w < SIMLIM_WINDOWS; w += 2)
        for (int kind = 0; kind < 2; kind++) {
            const struct tokbucket *b = kind == 0 ? &l->req[w] : &l->tok[w];
            if (!tb_present(b))
                continue;
            for (int k = 0; k < 3 && n < cap; k++) {
                int m = header_line(out + n, cap - n, what[k], kind == 0 ? "requests" : "tokens", w,
                                    b, now_ms);
                if (m < 0 || (size_t)m >= cap - n) {
                    out[n] = '\0';
                    return;
                }
                n += (size_t)m;
            }
        }
}

/* ---- prompt cache ---- */

static uint64_t fnv(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h ? h : 1;
}

/* The block with hash h; with insert, else the slot to put it in (a free or expired one
 * first, then the least recently used of its probe run). */
static struct simlim_block *slot_for(struct simlim *l, uint64_t h, int64_t now_ms, bool insert)
{
    struct simlim_block *victim = NULL;
    bool victim_stale = false;
    for (int k = 0; k < PROBE_SLOTS; k++) {
        struct simlim_block *b = &l->cache[(h + (uint64_t)k) % SIMLIM_CACHE];
        if (b->hash == h)
            return b;
        if (!insert)
            continue;
        bool stale = b->hash == 0 || now_ms - b->seen >= SIMLIM_CACHE_KEEP;
        if (stale && !victim_stale) {
            victim = b;
            victim_stale = true;
        } else if (!victim_stale && (!victim || b->seen < victim->seen)) {
            victim = b;
        }
    }
    return victim;
}

long simlim_cached_tokens(struct simlim *l, const char *p, size_t n, int64_t now_ms)
{
    size_t block = SIMLIM_BLOCK * BYTES_PER_TOKEN;
    uint64_t h = 1469598103934665603ULL;
    long cached = 0;
    bool hit = true;
    for (size_t off = 0; off + block <= n; off += block) {
        h = fnv(h, p + off, block);
        struct simlim_block *b = slot_for(l, h, now_ms, false);
        hit = hit && b && now_ms - b->seen < SIMLIM_CACHE_KEEP;
        if (hit)
            cached += SIMLIM_BLOCK;
        b = slot_for(l, h, now_ms, true);
        if (b) {
            b->hash = h;
            b->seen = now_ms;
        }
    }
    return cached;
}

void simlim_beijing_time(double unix_s, char out[20])
{
    time_t t = (time_t)ceil(unix_s) + BEIJING_OFFSET;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}
