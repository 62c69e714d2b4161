/* stats: rolling per-deployment statistics (counters, latency and TTFT samples, a 10-minute
 * request sparkline, output speed). Plain data with no lock of its own: the state module
 * serialises access and copies samples out so percentiles are computed outside its lock. */
#ifndef SB_STATS_H
#define SB_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/errmap.h"

#define STATS_RING           256   /* latency / TTFT samples kept */
#define STATS_TPS_RING       32    /* recent answers used for tokens per second */
#define STATS_SPARK          30    /* sparkline buckets ... */
#define STATS_SPARK_MS       20000 /* ... of this many ms each */
#define STATS_TPS_MIN_TOKENS 16
#define STATS_HIST           14 /* histogram buckets, the last one +Inf */
#define STATS_CODES          12 /* distinct status codes counted; the last slot is "other" */
#define STATS_CODE_OTHER     (-1)
#define STATS_CALIB          16 /* recent input-token samples kept for calibration */

struct stats_ring {
    float v[STATS_RING];
    int n;   /* valid samples, up to STATS_RING */
    int pos; /* next slot to write */
};

/* Cumulative histogram (never reset): count[i] observations fell in bucket i, whose upper
 * bound is stats_hist_bound_s(i). Prometheus wants the running sums, metrics makes them. */
struct stats_hist {
    uint64_t count[STATS_HIST];
    uint64_t n;
    double sum_s;
};

struct stats_code {
    int code; /* HTTP status, 0 for "no answer", STATS_CODE_OTHER for the overflow slot */
    uint64_t n;
};

/* Counts per status code, in order of first appearance. */
struct stats_codes {
    struct stats_code c[STATS_CODES];
    int n;
};

struct dep_stats {
    /* n_total = attempts ended; n_ok successes; n_429 rate-limited (ERRC_RATE_LIMIT or a
     * 429 status); n_err other failures. A client hang-up counts only in n_total. */
    uint64_t n_total, n_ok, n_429, n_err;
    uint64_t tokens_in, tokens_out;
    uint64_t tokens_cached; /* of tokens_in, read from the provider's prompt cache */
    uint64_t budget_cut;    /* answers that stopped at an output budget switchboard lowered */
    struct stats_ring lat;  /* successful attempts only: failures are fast and would skew */
    struct stats_ring ttft; /* successful attempts that sent a first byte */
    uint32_t spark[STATS_SPARK];
    int64_t spark_slot[STATS_SPARK]; /* absolute bucket number each slot currently counts */
    float tps_tokens[STATS_TPS_RING];
    float tps_secs[STATS_TPS_RING];
    int tps_n, tps_pos;
    struct stats_hist lat_hist;  /* successful attempts, like lat */
    struct stats_hist ttft_hist; /* like ttft */
    struct stats_codes codes;    /* attempts by upstream status */
    struct stats_codes served;   /* client requests this deployment served, by client status */
    uint64_t fallbacks;          /* of those, requests whose first candidate was another one */
    uint64_t connects;           /* connections opened to it (the rest of n_total reused one) */
    /* provider's input tokens / our estimate, on recent answers (see stats_token_ratio) */
    float calib[STATS_CALIB];
    int calib_n, calib_pos;
};

/* Samples copied out of a dep_stats, to sort without holding anyone's lock. */
struct stats_samples {
    float lat[STATS_RING];
    int n_lat;
    float ttft[STATS_RING];
    int n_ttft;
};

void stats_init(struct dep_stats *s);
/* Records the end of one attempt. latency/ttft in ms (ttft < 0 when no byte came). */
void stats_attempt(struct dep_stats *s, bool ok, int status, enum err_class cls, long tokens_in,
                   long tokens_out, double latency_ms, double ttft_ms, int64_t now_ms);
/* Records the cached part of an answer's input tokens (prompt_tokens_details.cached_tokens,
 * Anthropic's cache_read_input_tokens). */
void stats_cached(struct dep_stats *s, long tokens_cached);
/* Cached share of the input tokens counted so far (0 when none). */
double stats_cache_hit_rate(const struct dep_stats *s);
/* Attempts per bucket for the last STATS_SPARK buckets, oldest first. */
void stats_spark(const struct dep_stats *s, int64_t now_ms, uint32_t out[STATS_SPARK]);
/* Output tokens per second over recent streamed answers (>= 16 tokens); 0 if none. */
double stats_tok_per_s(const struct dep_stats *s);
void stats_copy_samples(const struct dep_stats *s, struct stats_samples *out);
/* p50 / p95 (nearest rank) of the copied samples; sorts them in place. 0 when empty. */
void stats_percentiles(struct stats_samples *smp, double *lat_p50, double *lat_p95,
                       double *ttft_p50, double *ttft_p95);

/* Upper bound in seconds of histogram bucket i (INFINITY for the last, -1 out of range). */
double stats_hist_bound_s(int i);
/* Adds one observation in ms (negative ones are ignored). */
void stats_hist_add(struct stats_hist *h, double ms);
/* Counts one status code (unknown codes past the table go to the STATS_CODE_OTHER slot). */
void stats_code_count(struct stats_codes *t, int code);
/* Records a client request this deployment served with status; fallback when it was not the
 * request's first candidate. */
void stats_served(struct dep_stats *s, int status, bool fallback);
/* Records the provider's count of input tokens against our estimate for one answer. Estimates
 * under 64 tokens are too small to learn from and are ignored. */
void stats_token_sample(struct dep_stats *s, long estimated, long actual);
/* Factor to scale our input estimate by so that it covers what this provider counts: the
 * largest recent actual/estimate ratio plus 3%, within [0.25, 4]; 1 with no samples. The
 * largest, not the mean: an under-estimate costs a 429, an over-estimate only a fallback. */
double stats_token_ratio(const struct dep_stats *s);

#endif
