/* router: the routing policy. Picks the ordered candidates for a model, admits or skips each
 * one (cooldown, disabled, no key, the provider's request and token buckets, concurrency,
 * forced fallback), chooses the output budget a booking provider gets, and turns attempt
 * outcomes into cooldowns, quota marks and bucket levels. Pure: no locks, no clocks, no I/O;
 * time is a parameter. The state module owns one router and serialises access to it. */
#ifndef SB_ROUTER_H
#define SB_ROUTER_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "core/errmap.h"
#include "core/ratelimit.h"

#define ROUTER_MAX_CHAIN 16

enum dep_status {
    DEP_READY = 0,
    DEP_COOLDOWN,    /* rate-limited or failing; until cooldown_until_ms */
    DEP_DISABLED,    /* turned off by the user */
    DEP_NO_KEY,      /* api key variable unset */
    DEP_AUTH_FAILED, /* provider refused the key (cools down, shows this badge) */
    DEP_QUOTA,       /* daily quota / balance / plan: out until reset or re-enabled */
    DEP_RPM_FULL,    /* local requests-per-minute window is full; until a slot frees */
    DEP_TPM_LOW,     /* proactive: the token budget would refuse this request */
    DEP_PROBING,     /* cooldown ended; one probe request is in flight */
    DEP_BUSY,        /* as many requests in flight as it takes at once; until one ends */
    DEP_MODEL_GONE,  /* the provider no longer offers the model (route/lineup.h); no clock ends
                        it, a model list that names it again does */
};

enum admit {
    ADMIT_OK = 0,
    ADMIT_SKIP_STATUS, /* not available: see router_status() */
    ADMIT_SKIP_FORCED, /* force-fallback is on and this is a primary with fallbacks */
};

struct route_plan {
    /* The config dep[] indexes into (borrowed). After a live reload a plan may come from a
     * newer config than the caller's state_config() reference: compare, and plan again. */
    const struct config *cfg;
    const char *group; /* resolved model group (borrowed from the config) */
    int n;
    int dep[ROUTER_MAX_CHAIN];          /* deployment indices, in the order to try */
    bool is_fallback[ROUTER_MAX_CHAIN]; /* false for the requested group's own deployments */
    bool has_fallbacks;
};

/* What a request asks of a deployment. */
struct admit_ask {
    long input; /* input tokens as this provider counts them (an estimate) */
    long want;  /* output budget: the client's max_tokens within the deployment's cap; 0 = none */
    long floor; /* smallest useful budget when it has to be lowered; 0 = never lower */
    bool fresh; /* the request's first ask of this candidate (counts towards the demand rate
                   the budget is paced by; retries and waits do not) */
};

/* What an admission granted. */
struct admit_grant {
    bool probe;   /* the single probe after a cooldown */
    long budget;  /* output budget to send (ask.want unless lowered) */
    bool lowered; /* the budget is below ask.want */
    long booked;  /* tokens booked against the token buckets (give it back in the outcome) */
};

struct attempt_outcome {
    bool ok;                   /* 2xx and a complete answer */
    int status;                /* HTTP status, 0 for transport errors */
    struct upstream_error err; /* when !ok */
    struct ratelimit_info rl;  /* headers seen on this answer (2xx or not) */
    long tokens_in;            /* whole prompt, cached parts included */
    long tokens_cached;        /* of which the provider read from its prompt cache */
    long tokens_out;
    bool was_probe;
    long booked;          /* admit_grant.booked of this attempt */
    double reset_in_s;    /* a plan limit's reset time named in the error text, seconds from the
                             answer; 0 when none (the state works it out from the wall clock) */
    long new_connections; /* connections opened for the attempt (0: a kept-alive one reused) */
};

/* Events router_finish reports, for logs and the headless view. */
#define ROUTER_EV_COOLDOWN_STARTED 0x1u
#define ROUTER_EV_RECOVERED        0x2u /* a probe succeeded or a cooldown was cleared */
#define ROUTER_EV_AUTH_FAILED      0x4u
#define ROUTER_EV_QUOTA_OUT        0x8u
#define ROUTER_EV_BACKOFF          0x10u /* momentary refusal: retry the same one after it */
#define ROUTER_EV_BUSY             0x20u /* too many at once: it now takes fewer */

struct router;

/* New router over cfg (borrowed; must outlive the router). NULL on OOM or when cfg holds more
 * than CONFIG_MAX_DEPLOYMENTS (the config loader refuses those already). */
struct router *router_new(const struct config *cfg);
void router_free(struct router *r);
/* Carries runtime state (cooldowns, windows, toggles, counters) of deployments with the same
 * id and the same provider settings from old into r. */
void router_inherit(struct router *r, const struct router *old);

/* Resolves the model (aliases, default) and fills the candidate chain: the group's deployments,
 * then each fallback group's. Returns 0, or -ENOENT for an unknown model. */
int router_plan(const struct router *r, const char *requested_model, struct route_plan *out);
/* Decides whether candidate i of plan may take an attempt for ask now, choosing the output
 * budget for a provider that books it up front (within ask->want, lowered towards ask->floor
 * when the full one would not fit or would spend the buckets faster than requests arrive). On
 * ADMIT_OK the attempt is booked (buckets, in flight) and *g says how. */
enum admit router_admit_ask(struct router *r, const struct route_plan *plan, int i,
                            const struct admit_ask *ask, int64_t now_ms, struct admit_grant *g);
/* The same with a fixed booking of est_tokens (no budget choice). */
enum admit router_admit(struct router *r, const struct route_plan *plan, int i, long est_tokens,
                        int64_t now_ms, bool *is_probe);
/* Records the end of an admitted attempt; returns ROUTER_EV_* bits. */
unsigned router_finish(struct router *r, int dep, const struct attempt_outcome *o, int64_t now_ms);
/* Earliest time (ms) at which some candidate of plan becomes available, or 0 if none will by
 * itself (disabled, no key). Used for retry-after when every candidate is out. */
int64_t router_earliest_ready(const struct router *r, const struct route_plan *plan,
                              int64_t now_ms);
/* Earliest time (ms) at which some candidate of plan could take ask (at its floor budget):
 * now when one can, 0 when none will by itself. *busy is set when a candidate is out only
 * because of its concurrency cap (it frees when an attempt ends, not at a known time). */
int64_t router_ready_at(const struct router *r, const struct route_plan *plan,
                        const struct admit_ask *ask, int64_t now_ms, bool *busy);
/* True when some candidate of plan is out because of a rate limit (429 vs 503 choice). */
bool router_plan_rate_limited(const struct router *r, const struct route_plan *plan,
                              int64_t now_ms);

/* Status of a deployment now; *until_ms gets the end of a cooldown / rpm wait (or 0). */
enum dep_status router_status(const struct router *r, int dep, int64_t now_ms, int64_t *until_ms);
const char *router_status_name(enum dep_status s); /* "READY", "COOLDOWN", "NO KEY", ... */
/* Whether candidate i of plan belongs to a provider that books the output budget up front. */
bool router_books_output(const struct router *r, int dep);

/* Overrides; each takes effect on the next router_admit. */
void router_set_enabled(struct router *r, int dep, bool on);
bool router_is_enabled(const struct router *r, int dep);
void router_set_force_fallback(struct router *r, bool on);
bool router_force_fallback(const struct router *r);
/* Clears cooldown, auth-failed and quota marks and a refusal of the model: try it again now.
 * The model-gone mark is the lineup's (the state sets it): the state clears the refusal in
 * its lineup record too. */
void router_reset(struct router *r, int dep);
/* The model-gone mark: while set, the deployment takes no attempt and no probe. reason says
 * why ("zai-glm-4.6 is not offered; offered: ..."). Clearing it also ends a cooldown that a
 * "model not found" answer started. */
void router_set_model_gone(struct router *r, int dep, bool gone, const char *reason);
bool router_model_gone(const struct router *r, int dep);
/* The provider answered that dep's model does not exist. The router learns it from such an
 * answer (router_finish) or from another instance (a shared mark, by = "host:pid"; "" when
 * learnt here), publishes it with the other marks, and forgets it on router_reset; the state
 * keeps its lineup record in step both ways (router_set_refused does not publish). */
void router_set_refused(struct router *r, int dep, bool refused);
bool router_refused(const struct router *r, int dep, char *by, size_t cap);

/* ---- sharing with other instances (route/store.h) ---- */
struct store_ops;
struct store_mark;
/* From now on bookings, refunds and marks go through ops (borrowed; NULL = local only). */
void router_set_store(struct router *r, const struct store_ops *ops, void *ctx);
/* Publishes deployment dep's marks to every instance (after a user's reset or toggle). */
void router_publish(struct router *r, int dep, int64_t now_ms);
/* Publishes every deployment's marks that changed while the store was down, and books into
 * the shared buckets what was booked here meanwhile (less what has refilled since). */
void router_resync(struct router *r, int64_t now_ms);
/* Takes the marks another instance published for dep, unless already applied. */
void router_take_mark(struct router *r, int dep, const struct store_mark *m, int64_t now_ms);

/* One of the provider's buckets as the router sees it. */
struct router_bucket_view {
    double limit; /* 0 = no such bucket */
    double left;  /* units available now */
    bool from_headers;
};

/* Read-only facts for snapshots. */
struct router_dep_view {
    enum dep_status status;
    int64_t until_ms; /* cooldown / rpm wait end, 0 if none */
    char reason[160]; /* why it is out: "429 from provider (retry-after 23s)" */
    int rpm_used;     /* requests started in the last 60 s */
    int in_flight;
    struct ratelimit_info rl; /* last headers seen, with the time they were seen */
    int64_t rl_seen_ms;
    long tpm_budget_left; /* tokens the tightest token bucket leaves, -1 unknown */
    struct router_bucket_view buckets[RL_NKINDS][RL_NWINDOWS];
    int conc_cap;            /* requests at once it takes (configured or learnt); 0 = any */
    uint64_t budget_lowered; /* admissions whose output budget was lowered */
};
void router_view(const struct router *r, int dep, int64_t now_ms, struct router_dep_view *out);
/* The same, with status, until and reason for one request's ask (at its floor budget) rather
 * than for a one-token view: why this request cannot go there now. */
void router_ask_view(const struct router *r, int dep, const struct admit_ask *ask, int64_t now_ms,
                     struct router_dep_view *out);

#endif
