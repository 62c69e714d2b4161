/* upstream: one HTTP exchange with a provider over libcurl. Connections to providers are kept
 * alive between exchanges and reused by whichever thread runs the next one (a pool of libcurl
 * handles, each used by one thread at a time); DNS answers and TLS sessions are shared.
 * upstream_perform may be called from any number of threads at once. Body bytes are handed to
 * the caller as they arrive, so streams are relayed, never buffered whole. The client's socket
 * is watched during the exchange so a client that hangs up aborts the transfer at once. */
#ifndef SB_UPSTREAM_H
#define SB_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/api.h"
#include "core/buf.h"
#include "core/errmap.h"
#include "core/ratelimit.h"

struct upstream_req {
    const char *url;
    enum api dialect;
    enum provider_kind kind;
    const char *api_key;        /* may be NULL */
    const char *anthropic_beta; /* forwarded to real Anthropic only; NULL = none */
    const char *body;
    size_t body_len;
    bool stream;
    double connect_timeout_s;
    double first_byte_timeout_s; /* until response headers */
    double idle_timeout_s;       /* max gap between body bytes */
    double total_timeout_s;
    size_t max_error_body; /* cap for non-2xx bodies kept for classification */
    /* Returns true when the client is gone; polled while waiting. May be NULL. */
    bool (*client_gone)(void *ud);
    /* Returns the client's socket to watch for hang-up, or -1. Called lazily. May be NULL. */
    int (*client_fd)(void *ud);
    void *client_ud; /* passed to client_gone and client_fd */
    /* Global abort flag (shutdown grace period over). May be NULL. */
    const volatile int *abort_flag;
};

/* Body bytes of a 2xx answer. Return 0 to go on, nonzero to abort the transfer (the value is
 * reported as result.aborted_by_sink). */
typedef int (*upstream_data_fn)(void *ud, const char *p, size_t n);

struct upstream_result {
    int status;                /* HTTP status, 0 if none arrived */
    struct ratelimit_info rl;  /* rate-limit headers of the answer */
    struct upstream_error err; /* transport or HTTP error, classified (cls NONE when fine) */
    struct buf error_body;     /* body of a non-2xx answer (capped); caller releases */
    int aborted_by_sink;       /* nonzero value the data callback returned */
    bool client_gone;
    double ttfb_ms; /* request sent to first response byte */
    double total_ms;
    char request_id[64];  /* provider's request id header, if any */
    long new_connections; /* connections opened for this exchange (0: a kept-alive one) */
};

/* Once, before any thread starts; cleanup once after every exchange has ended (it closes the
 * kept-alive connections). */
int upstream_global_init(void);
void upstream_global_cleanup(void);

/* Performs the exchange. Always fills res (release res->error_body afterwards). Returns 0 when
 * a 2xx answer completed, or -1 with res->err describing why not. */
int upstream_perform(const struct upstream_req *req, upstream_data_fn on_data, void *ud,
                     struct upstream_result *res);

/* Builds the endpoint URL for a provider base: OpenAI dialect -> base + "/chat/completions",
 * Anthropic -> base + "/v1/messages" (base may already end in /v1). Returns buf_* errors. */
int upstream_url(const char *api_base, enum api dialect, struct buf *out);

/* Appends the header a provider of this kind authenticates by: x-api-key for real Anthropic,
 * a bearer token for Cerebras, Z.AI and the rest (traffic and model discovery alike). The
 * formatted key is wiped from the stack after curl copied it. */
struct curl_slist;
struct curl_slist *upstream_auth_header(struct curl_slist *h, enum provider_kind kind,
                                        const char *api_key);

#endif
