/* tokbucket: a continuously refilling token bucket, the way Cerebras keeps its limits ("your
 * capacity replenishes continuously rather than resetting at fixed intervals",
 * https://inference-docs.cerebras.ai/support/rate-limits). One bucket holds up to `limit`
 * units (requests or tokens) and refills at limit per window. The router models each provider
 * bucket with one, and the simulated providers enforce theirs with the same arithmetic.
 *
 * The state is three plain numbers so it can be copied, compared or kept elsewhere (a shared
 * store): every change is an explicit operation (take = booking, give = refund, set = what
 * the provider said). Pure; no clock of its own: times are monotonic milliseconds passed in.
 * Not thread-safe; its owner serialises access. */
#ifndef SB_TOKBUCKET_H
#define SB_TOKBUCKET_H

#include <stdbool.h>
#include <stdint.h>

#define TB_MINUTE_MS ((int64_t)60 * 1000)
#define TB_HOUR_MS   ((int64_t)3600 * 1000)
#define TB_DAY_MS    ((int64_t)86400 * 1000)
#define TB_NEVER     INT64_MAX /* tb_when: no amount of waiting makes it fit */

struct tokbucket {
    double limit;      /* capacity (units per window); <= 0 means no such bucket */
    int64_t window_ms; /* refill period: limit units per window_ms */
    double level;      /* units available at time `at`; below 0 after an over-booking */
    int64_t at;        /* when level was last computed */
};

/* A full bucket of limit units per window_ms, as of now. limit <= 0 makes an absent one. */
void tb_init(struct tokbucket *b, double limit, int64_t window_ms, int64_t now);
bool tb_present(const struct tokbucket *b);
/* Units available at now (never above limit; refill runs continuously). */
double tb_level(const struct tokbucket *b, int64_t now);
/* Books n units at now (the level may go below zero: a booking the owner forced). */
void tb_take(struct tokbucket *b, int64_t now, double n);
/* Gives n units back at now (a refused or cancelled booking), never above the limit. */
void tb_give(struct tokbucket *b, int64_t now, double n);
/* The level the provider reports, as of now (clamped to [-limit, limit]). */
void tb_set(struct tokbucket *b, int64_t now, double level);
/* Changes the capacity, keeping what is used (limit - level) as used. */
void tb_set_limit(struct tokbucket *b, int64_t now, double limit);
/* True when n units are available at now. An absent bucket always fits. */
bool tb_fits(const struct tokbucket *b, int64_t now, double n);
/* The earliest time >= now at which n units are available: now when they are, TB_NEVER when
 * n exceeds the limit. */
int64_t tb_when(const struct tokbucket *b, int64_t now, double n);
/* What a provider's x-ratelimit-reset-* header says for this bucket, in seconds: until the
 * whole-unit remaining count next goes up, or the full window when the bucket is full. */
double tb_reset_s(const struct tokbucket *b, int64_t now);

#endif
