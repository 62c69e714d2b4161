/* stats: per-deployment rolling counters and sample rings. No locking and no clock of its
 * own: the caller passes the time and holds whatever lock guards the struct. */
#include "route/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Seconds: from a fast non-streamed answer to a long generation. */
static const double hist_bounds[STATS_HIST - 1] = {0.025, 0.05, 0.1, 0.25, 0.5, 1,  2.5,
                                                   5,     10,   30,  60,   120, 300};

#define CALIB_MIN_EST 64
#define CALIB_MARGIN  1.03
#define CALIB_LO      0.25
#define CALIB_HI      4.0

void stats_init(struct dep_stats *s)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < STATS_SPARK; i++)
        s->spark_slot[i] = -1;
}

static void ring_push(struct stats_ring *r, double v)
{
    r->v[r->pos] = (float)v;
    r->pos = (r->pos + 1) % STATS_RING;
    if (r->n < STATS_RING)
        r->n++;
}

static int64_t bucket_of(int64_t now_ms)
{
    return now_ms >= 0 ? now_ms / STATS_SPARK_MS : 0;
}

static void spark_count(struct dep_stats *s, int64_t now_ms)
{
    int64_t b = bucket_of(now_ms);
    int slot = (int)(b % STATS_SPARK);
    if (s->spark_slot[slot] != b) {
        s->spark_slot[slot] = b;
        s->spark[slot] = 0;
    }
    if (s->spark[slot] < UINT32_MAX)
        s->spark[slot]++;
}

/* Streams only: for a buffered answer latency - ttft is transfer time, not generation. */
static void tps_record(struct dep_stats *s, long tokens_out, double latency_ms, double ttft_ms)
{
    double gen_ms = latency_ms - ttft_ms;
    if (ttft_ms < 0 || tokens_out < STATS_TPS_MIN_TOKENS || gen_ms < 1.0)
        return;
    s->tps_tokens[s->tps_pos] = (float)tokens_out;
    s->tps_secs[s->tps_pos] = (float)(gen_ms / 1000.0);
    s->tps_pos = (s->tps_pos + 1) % STATS_TPS_RING;
    if (s->tps_n < STATS_TPS_RING)
        s->tps_n++;
}

void stats_cached(struct dep_stats *s, long tokens_cached)
{
    if (tokens_cached > 0)
        s->tokens_cached += (uint64_t)tokens_cached;
}

double stats_cache_hit_rate(const struct dep_stats *s)
{
    if (s->tokens_in == 0)
        return 0;
    double r = (double)s->tokens_cached / (double)s->tokens_in;
    return r > 1 ? 1 : r;
}

void stats_attempt(struct dep_stats *s, bool ok, int status, enum err_class cls, long tokens_in,
                   long tokens_out, double latency_ms, double ttft_ms, int64_t now_ms)
{
    s->n_total++;
    stats_code_count(&s->codes, status);
    if (tokens_in > 0)
        s->tokens_in += (uint64_t)tokens_in;
    if (tokens_out > 0)
        s->tokens_out += (uint64_t)tokens_out;
    spark_count(s, now_ms);
    if (ok) {
        s->n_ok++;
        if (latency_ms >= 0) {
            ring_push(&s->lat, latency_ms);
            stats_hist_add(&s->lat_hist, latency_ms);
        }
        if (ttft_ms >= 0) {
            ring_push(&s->ttft, ttft_ms);
            stats_hist_add(&s->ttft_hist, ttft_ms);
        }
        tps_record(s, tokens_out, latency_ms, ttft_ms);
    } else if (cls == ERRC_RATE_LIMIT || status == 429) {
        s->n_429++;
    } else if (cls != ERRC_CLIENT_GONE) {
        s->n_err++;
    }
}

void stats_spark(const struct dep_stats *s, int64_t now_ms, uint32_t out[STATS_SPARK])
{
    int64_t newest = bucket_of(now_ms);
    for (int i = 0; i < STATS_SPARK; i++) {
        int64_t b = newest - (STATS_SPARK - 1) + i;
        if (b < 0) {
            out[i] = 0;
            continue;
        }
        int slot = (int)(b % STATS_SPARK);
        out[i] = s->spark_slot[slot] == b ? s->spark[slot] : 0;
    }
}

double stats_tok_per_s(const struct dep_stats *s)
{
    double tok = 0, secs = 0;
    for (int i = 0; i < s->tps_n; i++) {
        tok += s->tps_tokens[i];
        secs += s->tps_secs[i];
    }
    return secs > 0 ? tok / secs : 0;
}

void stats_copy_samples(const struct dep_stats *s, struct stats_samples *out)
{
    out->n_lat = s->lat.n;
    memcpy(out->lat, s->lat.v, sizeof(float) * (size_t)s->lat.n);
    out->n_ttft = s->ttft.n;
    memcpy(out->ttft, s->ttft.v, sizeof(float) * (size_t)s->ttft.n);
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n). */
static double rank(const float *v, int n, int pct)
{
    if (n <= 0)
        return 0;
    int k = (pct * n + 99) / 100;
    if (k < 1)
        k = 1;
    return v[k - 1];
}

void stats_percentiles(struct stats_samples *smp, double *lat_p50, double *lat_p95,
                       double *ttft_p50, double *ttft_p95)
{
    qsort(smp->lat, (size_t)smp->n_lat, sizeof(float), cmp_float);
    qsort(smp->ttft, (size_t)smp->n_ttft, sizeof(float), cmp_float);
    *lat_p50 = rank(smp->lat, smp->n_lat, 50);
    *lat_p95 = rank(smp->lat, smp->n_lat, 95);
    *ttft_p50 = rank(smp->ttft, smp->n_ttft, 50);
    *ttft_p95 = rank(smp->ttft, smp->n_ttft, 95);
}

double stats_hist_bound_s(int i)
{
    if (i < 0 || i >= STATS_HIST)
        return -1;
    return i == STATS_HIST - 1 ? INFINITY : hist_bounds[i];
}

void stats_hist_add(struct stats_hist *h, double ms)
{
    if (!(ms >= 0))
        return;
    double s = ms / 1000.0;
    int i = 0;
    while (i < STATS_HIST - 1 && s > hist_bounds[i])
        i++;
    h->count[i]++;
    h->n++;
    h->sum_s += s;
}

void stats_code_count(struct stats_codes *t, int code)
{
    for (int i = 0; i < t->n; i++)
        if (t->c[i].code == code) {
            t->c[i].n++;
            return;
        }
    if (t->n < STATS_CODES - 1) {
        t->c[t->n++] = (struct stats_code){.code = code, .n = 1};
        return;
    }
    /* the table is full: the last slot collects every other code */
    if (t->n == STATS_CODES - 1)
        t->c[t->n++] = (struct stats_code){.code = STATS_CODE_OTHER};
    t->c[STATS_CODES - 1].n++;
}

void stats_served(struct dep_stats *s, int status, bool fallback)
{
    stats_code_count(&s->served, status);
    if (fallback)
        s->fallbacks++;
}

void stats_token_sample(struct dep_stats *s, long estimated, long actual)
{
    if (estimated < CALIB_MIN_EST || actual <= 0)
        return;
    s->calib[s->calib_pos] = (float)((double)actual / (double)estimated);
    s->calib_pos = (s->calib_pos + 1) % STATS_CALIB;
    if (s->calib_n < STATS_CALIB)
        s->calib_n++;
}

double stats_token_ratio(const struct dep_stats *s)
{
    if (s->calib_n == 0)
        return 1.0;
    double worst = 0;
    for (int i = 0; i < s->calib_n; i++)
        if (s->calib[i] > worst)
            worst = s->calib[i];
    worst *= CALIB_MARGIN;
    return worst < CALIB_LO ? CALIB_LO : worst > CALIB_HI ? CALIB_HI : worst;
}
