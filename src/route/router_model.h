/* router_model: the router's picture of each deployment (marks, cooldowns, the provider's
 * request and token buckets, recent admissions), shared by router.c (plans, overrides),
 * router_outcome.c (what an answer does), router_admit.c (admission and views) and
 * router_budget.c (output budgets). Those files call into router_model.c and never into each
 * other. Not a public interface: nothing outside the router includes it.
 *
 * The bucket state is plain numbers (core/tokbucket.h) changed only by explicit bookings,
 * refunds and syncs, so that it can later be kept in a store several instances share. */
#ifndef SB_ROUTER_MODEL_H
#define SB_ROUTER_MODEL_H

#include <stddef.h>

#include "core/limitcode.h"
#include "core/tokbucket.h"
#include "route/router.h"
#include "route/store.h"

#define RT_WINDOW_MS       60000
#define RT_KEEP_MS         300000 /* admissions kept to replay after late provider headers */
#define RT_RING            1024   /* admissions kept at most (older ones fall off) */
#define RT_ASKS            256    /* recent asks kept for the demand rate */
#define RT_FAIL_RING       64     /* allowed_fails is clamped below this */
#define RT_MAX_COOLDOWN_MS (24LL * 3600 * 1000)
#define RT_BRIEF_MS        1000 /* back-off for momentary refusals (queue_exceeded, 1303) */
#define RT_BUSY_RETRY_MS   250  /* all instances at the concurrency cap: ask again after this */

enum rt_cooldown {
    RT_CD_NONE = 0,
    RT_CD_RATE,      /* 429 / rate-limit class: counts for router_plan_rate_limited */
    RT_CD_BRIEF,     /* momentary capacity: a short back-off, no probe afterwards */
    RT_CD_FAIL,      /* too many server / transport failures */
    RT_CD_AUTH,      /* key refused */
    RT_CD_NOT_FOUND, /* the provider lacks the model */
    RT_CD_PROBE,     /* the probe after a cooldown failed or never answered */
};

struct rt_win_ent {
    int64_t t;   /* admission time */
    long tokens; /* tokens booked at admission */
};

/* One deployment's buckets: requests and tokens per minute, hour and day. A bucket exists
 * when the config or the provider's headers give its limit; the smaller wins. */
struct rt_buckets {
    struct tokbucket b[RL_NKINDS][RL_NWINDOWS];
    double cfg_limit[RL_NKINDS][RL_NWINDOWS]; /* 0 = not configured */
    double hdr_limit[RL_NKINDS][RL_NWINDOWS]; /* 0 = not reported */
};

struct dep_rt {
    bool enabled;
    enum rt_cooldown cd;
    int64_t cooldown_until;
    bool auth_failed;
    bool quota;
    bool quota_reset_known;
    int64_t quota_until;
    bool need_probe; /* the next admission after the cooldown / quota is the probe */
    bool model_gone; /* the provider does not offer the model (router_set_model_gone) */
    char gone_reason[128];
    /* The provider answered that the model does not exist: here, or at the instance named by
     * refused_by (a shared mark). One of the reasons for model_gone, kept apart because it
     * travels between instances while a model list does not. */
    bool refused;
    char refused_by[64];
    bool probing;
    int64_t probe_started;
    char reason[160];

    int64_t fails[RT_FAIL_RING]; /* failure times, for allowed_fails per minute */
    int fail_n, fail_pos;

    struct rt_win_ent *win; /* admissions, oldest at win_head - win_n */
    int win_head, win_n;
    int64_t win_lost; /* newest admission time that fell off the ring (0 = none) */

    int64_t asks[RT_ASKS];  /* when requests asked for this deployment (admitted or not) */
    long ask_size[RT_ASKS]; /* and the least each would book (input + floor budget) */
    int ask_pos, ask_n;

    struct rt_buckets bk;
    bool has_rl;
    struct ratelimit_info rl; /* last headers seen, and when */
    int64_t rl_seen;

    int in_flight;
    int conc_learned; /* concurrency cap learnt from a "too many at once" refusal; 0 = none */
    /* The last skip for want of tokens, shown to views (which ask for one token) until it
     * could pass or the next admission: the bucket and what the request needed. */
    int64_t tok_skip_until;
    int tok_skip_window;
    long tok_skip_need;
    uint64_t budget_lowered; /* admissions whose output budget was lowered */

    /* shared with other instances (router_share.c) */
    uint64_t mark_seq; /* the shared marks' seq this record has applied or published */
    bool mark_dirty;   /* marks changed while the store was down: publish when it is back */
    /* Requests and tokens booked (less those given back) while the store did not answer, and
     * since when: replayed into the shared buckets when it is back (rt_share_replay). */
    double unshared[RL_NKINDS];
    int64_t unshared_since; /* 0 = nothing waits */
    int leases;             /* shared concurrency leases held by attempts in flight here */
    int64_t busy_until;     /* every instance together was at the concurrency cap: try then */
    int busy_cap;           /* the cap they were at */
};

struct router {
    const struct config *cfg;
    int n;
    struct dep_rt *d;
    bool force_fallback;
    unsigned *rr; /* simple-shuffle rotation, indexed by a group's first deployment */
    const struct store_ops *store; /* NULL: everything is local */
    void *store_ctx;
};

/* ---- time and text ---- */
int64_t rt_secs_ms(double s); /* seconds to ms, capped at RT_MAX_COOLDOWN_MS, >= 0 */
/* "23s", "5m12s", "3h12m" (rounded up to the second). */
void rt_fmt_dur(char *out, size_t cap, int64_t ms);
/* Request timeout for the stuck-probe rule, in ms. */
int64_t rt_probe_timeout_ms(const struct router *r, int i);
int64_t rt_cooldown_ms(const struct router *r); /* cooldown_time */

/* ---- marks ---- */
/* Starts (or extends) a cooldown and arms the probe. */
void rt_cooldown(struct dep_rt *d, enum rt_cooldown kind, int64_t until, const char *reason);
/* A short back-off without a probe (momentary refusals). */
void rt_backoff(struct dep_rt *d, int64_t until, const char *reason);
void rt_set_reason(struct dep_rt *d, const char *reason);
/* Clears cooldown, quota and auth marks. */
void rt_clear_marks(struct dep_rt *d);

/* ---- admissions ring ---- */
int rt_win_count(const struct dep_rt *d, int64_t now); /* admitted in the last minute */
void rt_win_push(struct dep_rt *d, int64_t now, long tokens);
void rt_win_prune(struct dep_rt *d, int64_t now);
void rt_ask(struct dep_rt *d, int64_t now, long least_booking);
/* The median least booking of the recent asks (0 when none). */
long rt_ask_median(const struct dep_rt *d);
/* Requests per ms that asked for the deployment over the last minute (the current one
 * included). */
double rt_demand_per_ms(const struct dep_rt *d, int64_t now);

/* ---- buckets ---- */
/* Sets up the configured buckets of deployment i, full at now. */
void rt_buckets_init(const struct router *r, int i, int64_t now);
bool rt_has_bucket(const struct dep_rt *d, enum rl_kind k, enum rl_window w);
struct tokbucket *rt_bucket(struct dep_rt *d, enum rl_kind k, enum rl_window w);
/* Books one request and `tokens` tokens against every bucket (a refund undoes it). */
void rt_book(struct dep_rt *d, int64_t now, long tokens);
void rt_refund(struct dep_rt *d, int64_t now, long tokens);
/* Takes what the provider's headers (seen at now) say: limits, then levels, with the
 * admissions made after now replayed on top. */
void rt_sync_headers(struct dep_rt *d, const struct ratelimit_info *rl, int64_t now);
/* Whether a bucket counts for admission: with proactive routing every known bucket does;
 * without it only the configured requests per minute, as in LiteLLM (and the provider's
 * headers are not synced into it). */
bool rt_bucket_enforced(const struct router *r, const struct dep_rt *d, enum rl_kind k,
                        enum rl_window w);

/* ---- budgets (router_budget.c) ---- */
/* The output budget for an ask on deployment i, and what it books. *fits is false when even
 * the floor budget does not fit the token buckets now. */
struct rt_budget {
    long budget;  /* output budget to send */
    long tokens;  /* tokens to book */
    bool lowered; /* below what was asked */
    bool fits;
    int kept;     /* a long window (hour, day) too scarce for a request this big, else -1 */
    long typical; /* then: the median least booking of recent requests */
};
void rt_choose_budget(const struct router *r, int i, const struct admit_ask *ask, int64_t now,
                      struct rt_budget *out);
/* The least this ask books: input plus the floor budget (or what it asks, when less). */
long rt_least_booking(const struct router *r, int i, const struct admit_ask *ask);
/* Tokens the token buckets leave now (the tightest), LONG_MAX when none is known. */
long rt_tokens_left(const struct router *r, int i, int64_t now);

/* ---- concurrency ---- */
/* Concurrency cap in force (configured or learnt); 0 = none. */
int rt_conc_cap(const struct router *r, int i);

/* ---- sharing with other instances (router_share.c); no-ops without a store ---- */
/* The marks of a record, to see whether an operation changed them. */
struct rt_marks {
    enum rt_cooldown cd;
    int64_t cooldown_until, quota_until;
    bool auth_failed, quota, quota_reset_known, enabled, refused;
    char reason[160];
};
void rt_marks_get(const struct dep_rt *d, struct rt_marks *m);
/* Publishes the marks of deployment i when they differ from before (always when NULL). */
void rt_share_marks(struct router *r, int i, const struct rt_marks *before, int64_t now);
/* Confirms a booking just made locally (rt_book of tokens, probe or not) with the shared
 * buckets. STORE_OK / STORE_DOWN: keep it; anything else: it was undone locally (and the
 * shared levels or marks applied), the deployment is out for this request. */
enum store_rc rt_share_book(struct router *r, int i, long tokens, bool probe, int64_t now);
/* Passes a local change of the buckets on: requests and tokens given back (negative: taken)
 * on every window; with `capped` the local levels bound the shared ones (headers synced). */
void rt_share_adjust(struct router *r, int i, double give_requests, double give_tokens, bool capped,
                     int64_t now);
/* Takes marks another instance published. */
void rt_apply_mark(struct dep_rt *d, const struct store_mark *m, int64_t now);
/* Books into the shared buckets what this instance booked while the store did not answer,
 * less what each bucket has refilled since (once it is back). */
void rt_share_replay(struct router *r, int i, int64_t now);
/* An attempt ended: gives back one shared concurrency lease, if attempts here hold any. */
void rt_share_release(struct router *r, int i, int64_t now);

#endif
