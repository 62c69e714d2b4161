/* state: the one shared mutable object. Holds the router, per-deployment statistics and the
 * recent-request log behind one mutex, held only to update or copy plain data (no I/O, no
 * allocation, no callbacks under the lock). Views read consistent snapshots. */
#ifndef SB_STATE_H
#define SB_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/api.h"
#include "route/lineup.h"
#include "route/router.h"

#define SNAP_MAX_DEPS    CONFIG_MAX_DEPLOYMENTS /* every deployment of a config */
#define SNAP_LOG         200 /* requests kept for the log pane and /admin/state */
#define SNAP_SPARK       30  /* sparkline buckets ... */
#define SNAP_SPARK_SECS  20  /* ... of this many seconds each: the last 10 minutes */
#define REC_MAX_ATTEMPTS 6
#define SNAP_HIST        14 /* histogram buckets (stats.h STATS_HIST); bounds: stats_hist_bound_s */
#define SNAP_CODES       12 /* status codes counted per table (stats.h STATS_CODES) */
#define SNAP_NOTICE      256 /* bytes of the newest warning kept (longer ones are cut) */

struct attempt_rec {
    char dep[48]; /* deployment id */
    int status;   /* HTTP status, 0 for transport errors, -1 when skipped */
    enum err_class cls;
    char note[160]; /* error message, or why it was skipped ("cooldown 23s", "rpm 10/10") */
    double ms;      /* duration of the attempt */
};

struct request_rec {
    uint64_t id;
    int64_t wall_ms; /* Unix time the request arrived, in ms */
    enum api client_api;
    bool stream;
    char model[64];     /* as the client asked */
    char group[64];     /* resolved model group */
    char served_by[48]; /* deployment id, "" if none served */
    int status;         /* what the client got */
    double latency_ms;  /* arrival until the answer is complete (its last bytes are written
                         * right after the request is recorded) */
    double ttft_ms;     /* arrival to first byte sent to the client; -1 if none */
    double overhead_ms; /* time spent in switchboard itself */
    long tokens_in;
    long tokens_out;
    long tokens_cached; /* of tokens_in, read from the provider's prompt cache */
    long budget_asked;  /* output budget the client asked for (within the deployment's cap) */
    long budget_sent;   /* output budget the serving provider got; lower when switchboard
                           lowered it to run the request there now */
    bool budget_cut;    /* the answer stopped at that lowered budget (max_tokens / length) */
    double wait_ms;     /* time held waiting for a provider to have room */
    char error[160];    /* message the client got, if any */
    int n_attempts;
    struct attempt_rec attempts[REC_MAX_ATTEMPTS];
};

struct snap_code {
    int code; /* HTTP status; 0 = no answer (transport error); -1 = every other code */
    uint64_t n;
};

/* Cumulative since start (kept across reloads): count[i] fell in bucket i, not at or below. */
struct snap_hist {
    uint64_t count[SNAP_HIST];
    uint64_t n;
    double sum_s;
};

struct dep_snapshot {
    char id[48];
    char name[32];
    char group[64];
    char model[64];
    char api_base[128];
    enum api dialect;
    bool is_primary; /* its group has fallbacks configured */
    bool enabled;
    char key_env[48]; /* variable to set when NO KEY */
    struct router_dep_view view;
    int64_t remaining_ms;       /* until_ms - now, >= 0 */
    long rpm_limit;             /* 0 = none */
    long tpm_limit;             /* 0 = none */
    double rpm_now;             /* requests started in the last 60 s */
    uint32_t spark[SNAP_SPARK]; /* requests per bucket, oldest first */
    double tok_per_s;           /* output tokens per second, measured on recent answers */
    double lat_p50_ms, lat_p95_ms;
    double ttft_p50_ms, ttft_p95_ms;
    uint64_t n_total, n_ok, n_429, n_err;
    uint64_t tokens_in, tokens_out;
    uint64_t tokens_cached;               /* of tokens_in, from the provider's prompt cache */
    double cache_hit_rate;                /* tokens_cached / tokens_in, 0..1 */
    uint64_t budget_lowered;              /* admissions whose output budget switchboard lowered */
    uint64_t budget_cut;                  /* answers that stopped at such a budget */
    struct snap_hist lat_hist, ttft_hist; /* successful attempts, like the percentiles */
    int n_codes;
    struct snap_code codes[SNAP_CODES]; /* attempts by upstream status */
    int n_served;
    struct snap_code served[SNAP_CODES]; /* client requests it served, by client status */
    uint64_t fallbacks;                  /* of those, not the request's first candidate */
    uint64_t connects;                   /* connections opened to it (stats.h) */
    double token_ratio;                  /* input estimate calibration (stats_token_ratio) */
    long shared_today; /* requests every instance sharing the limits booked today; -1 unknown */
    struct dep_lineup lineup; /* what its provider offers (lineup.h) */
};

#define SNAP_PEERS 8

/* Another switchboard sharing the limits (or this one, `self`). */
struct snap_peer {
    char name[96]; /* "host:pid" */
    double rpm;    /* its client requests in the last minute */
    bool self;
};

/* Sharing the limits with other instances through Redis (src/shared). */
struct snap_shared {
    bool configured;    /* a redis_* key or REDIS_* variable was given */
    bool up;            /* SHARED now; false = LOCAL ONLY */
    int instances;      /* instances heard from recently, this one included (0 while down) */
    char where[96];     /* "host:port/db", no password */
    char error[160];    /* why it is LOCAL ONLY, when it is */
    uint64_t calls;     /* store calls on the request path */
    uint64_t fallbacks; /* of those, answered locally (down or slower than the timeout) */
    uint64_t outages;   /* times the connection was lost */
    int n_peers;
    struct snap_peer peers[SNAP_PEERS];
};

struct snapshot {
    int64_t now_ms;     /* monotonic */
    int64_t wall_ms;    /* Unix time */
    int64_t started_ms; /* monotonic start, for uptime */
    bool force_fallback;
    uint64_t total_requests;
    double rpm_total; /* client requests in the last 60 s */
    int in_flight;
    int waiting;           /* requests held now, waiting for a provider to have room */
    uint64_t waited;       /* requests that were held (since start) */
    uint64_t wait_gave_up; /* of those, answered 429 when the wait would be too long */
    uint64_t wait_left;    /* of those, whose client hung up while waiting */
    double wait_s_total;   /* seconds spent waiting, all requests */
    uint64_t seq;          /* id of the newest request in the log */
    int n_deps;
    struct dep_snapshot deps[SNAP_MAX_DEPS]; /* config order */
    int n_unserved;
    struct snap_code unserved[SNAP_CODES]; /* client requests no deployment served, by status */
    struct snap_shared shared;
    uint64_t notice_seq;      /* warnings raised so far (state_notice) */
    char notice[SNAP_NOTICE]; /* the newest one, "" before the first */
    int n_log;
    struct request_rec log[SNAP_LOG]; /* newest first */
};

struct state;

/* now_fn returns monotonic ms (NULL = the real clock); tests inject their own.
 * cfg is referenced (config_ref) and released by state_free. NULL on OOM. */
struct state *state_new(struct config *cfg, int64_t (*now_fn)(void));
void state_free(struct state *st);
int64_t state_now_ms(const struct state *st);

/* The current config, referenced: the caller drops it with config_free when done. */
struct config *state_config(struct state *st);
/* Live reload: switches to cfg (referenced), keeping the runtime state of deployments that did
 * not change. Requests in flight keep the config they started with. */
void state_swap_config(struct state *st, struct config *cfg);

/* Request lifecycle, from any worker thread. */
uint64_t state_request_begin(struct state *st);
int state_plan(struct state *st, const char *model, struct route_plan *out);
enum admit state_admit(struct state *st, const struct route_plan *plan, int i, long est_tokens,
                       bool *is_probe);
/* Admission with the output budget chosen by the router (router_admit_ask). */
enum admit state_admit_ask(struct state *st, const struct route_plan *plan, int i,
                           const struct admit_ask *ask, struct admit_grant *g);
/* When some candidate of plan could take ask (monotonic ms; now when one can, 0 when none
 * will by itself); *busy when one is out only by its concurrency cap (router_ready_at). */
int64_t state_ready_at(struct state *st, const struct route_plan *plan, const struct admit_ask *ask,
                       bool *busy);
/* The line of requests waiting for room (waitq.h). Owned by the state, thread-safe. */
struct waitq *state_waitq(struct state *st);
/* How one request's wait ended, for the counters. */
enum wait_end { WAIT_SERVED, WAIT_GAVE_UP, WAIT_CLIENT_LEFT };
void state_wait_done(struct state *st, double waited_ms, enum wait_end how);
/* Ends an admitted attempt. latency and ttft in ms from the attempt's start to its end and to
 * its first byte (ttft -1 if none: then the rate-limit headers are dated now, else at the first
 * byte). A plan limit's reset named in the error text ("reset at 2026-09-09 05:38:28", Z.AI
 * 1308/1310) is turned into o->reset_in_s from the wall clock. An answer that the model does
 * not exist (errmap_model_gone) makes it MODEL GONE at once. Wakes waiting requests. Returns
 * ROUTER_EV_* bits. */
unsigned state_attempt_end(struct state *st, int dep, const struct attempt_outcome *o,
                           double latency_ms, double ttft_ms);
/* Copies rec into the log and updates client-side counters. */
void state_request_end(struct state *st, const struct request_rec *rec);
/* Input-token calibration for the proactive budget: the provider counted `actual` input tokens
 * for a request we estimated at `estimated`; state_scale_estimate turns an estimate into one
 * that covers what this deployment counts. dep indexes cfg; after a reload to another config
 * the sample is dropped and the estimate returned unscaled. */
void state_token_sample(struct state *st, const struct config *cfg, int dep, long estimated,
                        long actual);
long state_scale_estimate(struct state *st, const struct config *cfg, int dep, long estimated);
/* Earliest availability for a plan (monotonic ms, 0 if none) and whether it is rate-limited. */
int64_t state_retry_at(struct state *st, const struct route_plan *plan, bool *rate_limited);

/* Commands: the dashboard and the admin API call these. id_or_name matches a deployment id,
 * or every deployment with that display name. Return 0 or -ENOENT. state_reset also forgets
 * a "no such model" answer from traffic (a list that leaves the model out still counts). */
int state_set_enabled(struct state *st, const char *id_or_name, bool on);
int state_toggle_enabled(struct state *st, const char *id_or_name);
int state_reset(struct state *st, const char *id_or_name);
void state_set_force_fallback(struct state *st, bool on);
bool state_force_fallback(struct state *st);

/* Router facts for deployment dep of cfg now (status, reason, windows), e.g. to explain a
 * skip; *now_ms (may be NULL) gets the time they hold for. False, with out cleared, when a
 * reload has replaced cfg since (its indices no longer name the same deployments). */
bool state_dep_view(struct state *st, const struct config *cfg, int dep,
                    struct router_dep_view *out, int64_t *now_ms);

/* The same for one request's ask (router_ask_view). */
bool state_ask_view(struct state *st, const struct config *cfg, int dep,
                    const struct admit_ask *ask, struct router_dep_view *out, int64_t *now_ms);
/* What discovery learnt for deployment dep of cfg: the provider's list (at wall_ms), or why
 * asking failed (which changes nothing else). A model the list leaves out is MODEL GONE when
 * the list is complete, and one it names comes back. Ignored when a reload has replaced cfg
 * since (the next discovery asks for the new one). */
void state_lineup_offer(struct state *st, const struct config *cfg, int dep,
                        const struct lineup_offer *offer, int64_t wall_ms);
void state_lineup_failed(struct state *st, const struct config *cfg, int dep, const char *why);
/* A copy of deployment dep's lineup record; false (out cleared) after a reload replaced cfg. */
bool state_dep_lineup(struct state *st, const struct config *cfg, int dep, struct dep_lineup *out);

/* A warning for whoever watches (a reload's config warnings, a log file that cannot be
 * opened, a refused browser request): the views show the newest one and count the rest, so
 * nothing is printed under a screen. Thread-safe; copies msg (cut to SNAP_NOTICE - 1 bytes). */
void state_notice(struct state *st, const char *msg);

/* ---- sharing with other instances (src/shared) ---- */
struct store_ops;
struct store_mark;
/* Routes bookings and marks through a store from now on (NULL: local only again). When it
 * returns, no call into the old store is running or will start. */
void state_set_store(struct state *st, const struct store_ops *ops, void *ctx);
/* Marks other instances published for the deployments of cfg, and the requests every
 * instance booked today on each (-1 unknown); ignored after a reload. */
void state_take_marks(struct state *st, const struct config *cfg, const struct store_mark *marks,
                      const long *today, int n);
/* Publishes the marks that changed while the store was down. */
void state_share_resync(struct state *st);
/* What the dashboard and /metrics say about sharing. */
void state_set_shared(struct state *st, const struct snap_shared *s);
/* Client requests in the last 60 s. */
int state_client_rpm(struct state *st);
/* Who a reset or toggle reaches: "for all 3 instances" while shared, else "this instance". */
void state_command_scope(struct state *st, char *out, size_t cap);

/* Consistent copy of everything the views show. */
void state_snapshot(struct state *st, struct snapshot *out);

#endif
