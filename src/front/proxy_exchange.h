/* proxy_exchange: one client request as the proxy's two halves share it (private to
 * src/front). proxy.c owns the request's life (parse, record, answer) and a single attempt on
 * one deployment (translate, exchange, relay, record); proxy_route.c decides which deployments
 * are tried and when (admission, budgets, retries, the momentary back-off, holds, the failure
 * answer). An exchange belongs to the worker thread serving its request: nothing here is
 * shared between threads. */
#ifndef SB_PROXY_EXCHANGE_H
#define SB_PROXY_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "front/front_env.h"
#include "front/upstream.h"
#include "route/state.h"
#include "xlate/xlate.h"
#include "xlate/xlate_pair.h"
#include "xlate/xstream.h"

struct mg_connection;

enum attempt_result {
    ATTEMPT_DONE,   /* the client got its answer (or an in-stream error after commit) */
    ATTEMPT_FAILED, /* nothing reached the client; ex->err says why */
};

struct exchange {
    struct front_env *env;
    struct mg_connection *c;
    struct config *cfg;
    enum api client;
    cJSON *req;
    const char *model;
    bool stream;
    bool include_usage;
    long est_in;
    long want_out;
    double t0;
    double upstream_ms;
    struct route_plan plan;
    struct request_rec rec;
    struct buf trail; /* "cerebras=429,zai=200" */
    struct upstream_error err;
    bool any_admitted;
    bool force_fallback;       /* x-switchboard-force-fallback: this request skips the primaries */
    bool asked;                /* the candidates have been asked once (later asks are not fresh) */
    bool held_too_long;        /* held for room that did not come within max_wait */
    struct admit_ask last_ask; /* the last ask made, to explain a skip */
    unsigned events;           /* ROUTER_EV_* of the last attempt */
    double hold_t0;            /* when the request started waiting for room (0: it did not) */

    /* per attempt */
    const struct deployment_cfg *dep;
    struct admit_grant grant; /* the router's admission: budget, booking, probe */
    long want;                /* output budget asked of this deployment (client's within cap) */
    long tokens_cached;       /* of the answer's input, read from the provider's cache */
    char stop_reason[32];     /* the answer's, in the client's vocabulary */
    const struct xlate_pair *pair; /* the client's dialect and dep's: the translators */
    struct xstream *xs;
    struct buf out; /* stream bytes staged for the client, or the non-streamed answer */
    bool committed;
    double attempt_t0;   /* when this attempt started */
    double attempt_ttft; /* attempt start to the first byte sent to the client */

    /* --log-bodies: the client's body (borrowed) and the last provider answer as received,
     * kept up to one byte past what the log keeps so that it can mark the cut */
    bool keep_bodies;
    const char *body;
    size_t body_len;
    struct buf answer;

    /* The response's last bytes (a whole answer or error, or a stream's end), held back until
     * the request is in the log: a client that has its complete answer finds its line there
     * even when the process dies right after. */
    struct buf tail;
};

/* ---- proxy.c: one attempt and its records ---- */

/* Adds "dep=status" (or "dep=what") to the x-switchboard-attempts trail. */
void proxy_trail_add(struct exchange *ex, const char *dep, int status, const char *what);
/* The next attempt record of the request (zeroed), or NULL when the record is full. */
struct attempt_rec *proxy_rec_attempt(struct exchange *ex);
/* Sets an error the client may be told (message copied, cut to fit). */
void proxy_set_error(struct upstream_error *e, enum err_class cls, int status, const char *msg);
/* The request translated for ex->dep (ex->pair, ex->grant set); NULL with err on failure.
 * The caller frees it. */
char *proxy_build_body(struct exchange *ex, char err[XLATE_ERR_LEN]);
/* One attempt of body on deployment dep_idx, recorded in the state, the trail and the
 * request record. */
enum attempt_result proxy_attempt(struct exchange *ex, int dep_idx, bool probe, const char *body);
/* The client hung up (or switchboard is shutting down): stop waiting for it. ud: exchange. */
bool proxy_client_gone(void *ud);

/* ---- proxy_route.c: which deployments, and when ---- */

/* Tries the plan's candidates, holds the request while one will have room, and answers the
 * failure when nothing served it. ex->plan is set on ex->cfg. */
void proxy_route(struct exchange *ex);
/* Nothing served the request: tells the client why, in its own format. */
void proxy_send_failure(struct exchange *ex);

#endif
