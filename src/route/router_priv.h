/* router_priv: the router's runtime record per deployment, shared by router.c (plans,
 * outcomes, overrides) and router_admit.c (status evaluation and admission). Not a public
 * interface: nothing outside the router includes it. */
#ifndef SB_ROUTER_PRIV_H
#define SB_ROUTER_PRIV_H

#include <stddef.h>

#include "route/router.h"

#define RT_WINDOW_MS       60000
#define RT_FAIL_RING       64    /* allowed_fails is clamped below this */
#define RT_WIN_CAP_MAX     65536 /* rpm limits above this are not enforced locally */
#define RT_WIN_CAP_COUNT   1024  /* window kept for counting when there is no rpm limit */
#define RT_MAX_COOLDOWN_MS (24LL * 3600 * 1000)

enum rt_cooldown {
    RT_CD_NONE = 0,
    RT_CD_RATE,      /* 429 / rate-limit class: counts for router_plan_rate_limited */
    RT_CD_FAIL,      /* too many server / transport failures */
    RT_CD_AUTH,      /* key refused */
    RT_CD_NOT_FOUND, /* the provider lacks the model */
    RT_CD_PROBE,     /* the probe after a cooldown failed or never answered */
};

struct rt_win_ent {
    int64_t t;   /* admission time */
    long tokens; /* estimate given at admission */
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
    bool probing;
    int64_t probe_started;
    char reason[128];

    int64_t fails[RT_FAIL_RING]; /* failure times, for allowed_fails per minute */
    int fail_n, fail_pos;

    struct rt_win_ent *win; /* admitted attempts, oldest at win_head - win_n */
    int win_cap, win_head, win_n;
    uint64_t req_total, tok_total; /* admitted since the router was made (never decreases) */

    bool has_rl;
    struct ratelimit_info rl;
    int64_t rl_seen;
    uint64_t req_at_rl, tok_at_rl; /* req_total / tok_total when rl was seen */

    int in_flight;
    int64_t tpm_low_until; /* a token-budget skip, shown until then (or the next admission) */
    long tpm_need, tpm_left;
};

struct router {
    const struct config *cfg;
    int n;
    struct dep_rt *d;
    bool force_fallback;
    unsigned *rr; /* simple-shuffle rotation, indexed by a group's first deployment */
};

/* Status evaluation for one deployment. est < 0 evaluates for a view (1 token, plus the
 * sticky token-budget skip). reason, when not NULL, gets a human explanation. */
struct rt_eval {
    enum dep_status st;
    int64_t until;
    bool probe;  /* READY, and the next admission is the probe */
    long budget; /* tokens left by the tightest known budget, LONG_MAX when unknown */
};
void rt_eval(const struct router *r, int i, int64_t now, long est, struct rt_eval *ev, char *reason,
             size_t cap);
/* Attempts admitted in the last minute. */
int rt_win_count(const struct dep_rt *d, int64_t now);
/* Attempts (and their tokens) still in the window that were admitted after t. */
void rt_win_after(const struct dep_rt *d, int64_t t, int *n, long *tokens);
/* Starts (or extends) a cooldown and arms the probe. */
void rt_cooldown(struct dep_rt *d, enum rt_cooldown kind, int64_t until, const char *reason);
/* "23s", "5m12s", "3h12m" (rounded up to the second). */
void rt_fmt_dur(char *out, size_t cap, int64_t ms);
/* Request timeout for the stuck-probe rule, in ms. */
int64_t rt_probe_timeout_ms(const struct router *r, int i);

#endif
