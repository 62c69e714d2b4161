/* store: the narrow interface through which the router shares what it knows about each
 * deployment with other switchboards (issue #14): bookings and refunds against the
 * provider's buckets and its concurrency cap (leases), and the marks (cooldown with its
 * reason and end, QUOTA, AUTH FAILED, MODEL GONE, disabled) with the single probe after them.
 * The router calls these operations at the moments it changes its own model; without a store
 * (NULL) it keeps everything locally, as before. The Redis implementation lives in src/shared
 * (the only layer that knows Redis).
 *
 * Contract for implementations:
 * - Each call is atomic in the shared store: two instances booking the last unit of a bucket
 *   cannot both get it.
 * - Times are durations from the call, never clocks: machines' clocks differ.
 * - A call that cannot reach the store within its short timeout returns STORE_DOWN at once;
 *   the router then carries on with its local accounting. Calls never block for long.
 * - The router calls them with its owner's lock held (state.c's mutex): implementations
 *   must not call back into the state.
 * - Deployments are named by their config (provider, model, key); implementations derive a
 *   namespace from them and never store or send the key itself. */
#ifndef SB_STORE_H
#define SB_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "core/ratelimit.h"

enum store_rc {
    STORE_OK = 0,
    STORE_FULL,            /* a checked bucket lacks room: nothing was booked */
    STORE_MARK,            /* the shared marks changed since known_seq: see op->mark */
    STORE_PROBE_ELSEWHERE, /* another instance holds the probe: nothing was booked */
    STORE_BUSY,            /* every instance together has conc_cap requests in flight */
    STORE_DOWN,            /* no answer in time: account locally */
};

#define STORE_REASON_LEN 160

/* The marks of one deployment as they travel between instances (the router's own fields;
 * `cd` is its cooldown kind, opaque to the store). */
struct store_mark {
    uint64_t seq; /* set by the store on every change; 0 = never marked */
    int cd;       /* 0 = no cooldown */
    int64_t cd_left_ms;
    bool auth_failed;
    bool quota;
    bool quota_known; /* quota with a known end, quota_left_ms from now */
    int64_t quota_left_ms;
    bool off;  /* disabled by a user, for every instance */
    bool gone; /* the provider answered that the model does not exist (MODEL GONE) */
    char reason[STORE_REASON_LEN];
    char by[64]; /* out: the instance that published them ("host:pid"); set by the store */
};

/* One shared bucket: limit units per window_ms, refilled continuously. limit 0 = not shared. */
struct store_bucket {
    double limit;
    int64_t window_ms;
    double take;  /* units to book (negative: to give back) */
    double cap;   /* after the change the level is at most this (the local view); NAN = none */
    double level; /* out: the shared level after the call (OK and FULL) */
};

struct store_op {
    struct store_bucket b[RL_NKINDS][RL_NWINDOWS];
    bool check;         /* booking: refuse (STORE_FULL) when a bucket cannot cover its take */
    bool probe;         /* booking the probe after a cooldown: only one instance gets it */
    int64_t probe_ms;   /* how long the probe may take before another instance may try */
    uint64_t known_seq; /* the marks' seq the caller has applied (checked when booking) */
    /* Concurrency across instances (the provider counts an account's requests at once): a
     * booking with conc_cap > 0 is refused (STORE_BUSY) while every instance together holds
     * conc_cap leases, else it takes one, which lives lease_ms unless given back first. */
    int conc_cap;
    int64_t lease_ms;
    bool release;           /* adjusting: give back one lease this instance holds */
    struct store_mark mark; /* out, with STORE_MARK */
    long today; /* out, with STORE_MARK: requests booked today by every instance; -1 unknown */
};

struct store_ops {
    /* Books (check) or adjusts the buckets of dep. */
    enum store_rc (*buckets)(void *ctx, const struct deployment_cfg *dep, struct store_op *op);
    /* Publishes the marks of dep (m->seq is set to the new one); clears the probe. */
    enum store_rc (*mark)(void *ctx, const struct deployment_cfg *dep, struct store_mark *m);
};

#endif
