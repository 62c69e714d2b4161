/* simprov_limits: the limits a simulated provider enforces, as the real ones do.
 *
 * Cerebras (https://inference-docs.cerebras.ai/support/rate-limits; protocol.md §8.2):
 * requests and tokens per minute, hour and day, each a bucket that refills continuously
 * (core/tokbucket.h); on arrival it books the input tokens plus max_completion_tokens (or
 * max_tokens, or else the model's maximum sequence length minus the input) and refuses the
 * request with a 429 if any bucket cannot take it, even when the answer would be short; the
 * booking is kept however short the answer (dcdpr/jp PR #1085). Every answer carries
 * x-ratelimit-{limit,remaining,reset}-{requests,tokens}-{minute,day}: remaining is the whole
 * units left after this request was booked, reset the seconds until that count next goes up
 * (a full bucket reports its whole window). Automatic prefix caching in 128-token blocks,
 * kept at least 5 minutes, reported as prompt_tokens_details.cached_tokens.
 *
 * Z.AI (https://docs.z.ai/api-reference/api-code; protocol.md §5, §8.3): concurrency per
 * account (1302 past it), a Coding Plan prompt allowance per 5-hour window (1308 "Usage limit
 * reached for 5 hour. Your limit will reset at YYYY-MM-DD HH:MM:SS", Beijing time).
 *
 * Pure: time is passed in (monotonic ms for buckets, Unix seconds for the reset text); the
 * owner (simprov.c) serialises access under its lock. */
#ifndef SB_SIMPROV_LIMITS_H
#define SB_SIMPROV_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tokbucket.h"

#define SIMLIM_WINDOWS    3   /* minute, hour, day */
#define SIMLIM_BLOCK      128 /* prompt cache block, in tokens */
#define SIMLIM_CACHE      8192
#define SIMLIM_CACHE_KEEP (5 * 60 * 1000) /* ms a cached block is kept after its last use */

struct simlim_opts {
    long rpm, rph, rpd;   /* requests per minute / hour / day; 0 = none */
    long tpm, tph, tpd;   /* tokens per minute / hour / day; 0 = none */
    double minute_s;      /* length of the "minute" window (tests shorten it); default 60 */
    long msl;             /* max sequence length booked when no budget is sent; default:
                           * Cerebras' in core/limitcode (131072) */
    int concurrency;      /* Z.AI: requests at once before 1302; 0 = none */
    long plan_prompts;    /* Z.AI Coding Plan: prompts per plan window before 1308; 0 = none */
    double plan_window_s; /* default 5 hours */
};

enum simlim_refusal {
    SIMLIM_OK = 0,
    SIMLIM_REQUESTS,    /* a requests bucket is empty (window in *w) */
    SIMLIM_TOKENS,      /* a tokens bucket cannot take the booking (window in *w) */
    SIMLIM_CONCURRENCY, /* Z.AI 1302 */
    SIMLIM_PLAN,        /* Z.AI 1308 */
};

struct simlim_block {
    uint64_t hash; /* hash of the prompt up to the end of this block (0 = empty slot) */
    int64_t seen;  /* last use, ms */
};

struct simlim {
    struct simlim_opts o;
    struct tokbucket req[SIMLIM_WINDOWS], tok[SIMLIM_WINDOWS];
    bool reported_only[2][SIMLIM_WINDOWS]; /* reported in headers but never refusing */
    int in_flight;
    double plan_start_wall; /* Unix s when the plan window opened; < 0 none open */
    long plan_used;
    struct simlim_block cache[SIMLIM_CACHE];
};

void simlim_init(struct simlim *l, const struct simlim_opts *o, int64_t now_ms);
/* Forgets all use: full buckets, no plan use, an empty cache. */
void simlim_reset(struct simlim *l, int64_t now_ms);

/* What the provider books for a request: input + max_completion_tokens / max_tokens, or the
 * max sequence length minus the input when neither is sent (never less than the input). */
long simlim_booking(const struct simlim *l, long input_tokens, long max_out);

/* Cerebras admission: books one request and `booking` tokens in every bucket, or refuses
 * (leaving them untouched) naming the first bucket, minute before hour before day, requests
 * before tokens. */
enum simlim_refusal simlim_admit_buckets(struct simlim *l, int64_t now_ms, long booking, int *w);
/* Z.AI admission: concurrency, then the plan allowance (prompts per plan window, opened by
 * the first prompt after the previous window ended). On success the request is in flight
 * until simlim_done. *reset_wall gets the plan reset time for SIMLIM_PLAN. */
enum simlim_refusal simlim_admit_zai(struct simlim *l, double now_wall, double *reset_wall);
void simlim_done(struct simlim *l);

/* Cerebras's x-ratelimit-* header lines ("name: value\r\n"...) as they stand at now. */
void simlim_headers(const struct simlim *l, int64_t now_ms, char *out, size_t cap);

/* Cached prompt tokens of a request whose prompt text is p (n bytes, about 4 per token),
 * counting whole 128-token blocks of the longest prefix seen within 5 minutes; records the
 * prompt's blocks as seen now. */
long simlim_cached_tokens(struct simlim *l, const char *p, size_t n, int64_t now_ms);

/* "YYYY-MM-DD HH:MM:SS" in Beijing time (UTC+8) for a Unix time. */
void simlim_beijing_time(double unix_s, char out[20]);

#endif
