/* errmap: classifies provider errors (Cerebras, Z.AI, OpenAI, Anthropic bodies) for the
 * router, and writes client errors in each API's own format. Pure; thread-safe. */
#ifndef SB_ERRMAP_H
#define SB_ERRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <cJSON.h>

#include "core/api.h"
#include "core/buf.h"

enum err_class {
    ERRC_NONE = 0,
    ERRC_RATE_LIMIT, /* transient 429 (rpm/tpm minute, Z.AI 1302/1303/1305, queue): cool down, fall
                        back */
    ERRC_QUOTA, /* daily quota, balance, plan expired (Z.AI 1113/1309/1308/1304, tokens-day): out
                   until reset */
    ERRC_AUTH,  /* 401/403 from the provider: fall back, mark auth failed */
    ERRC_NOT_FOUND,   /* the provider lacks the model (404, Z.AI 1211): fall back, cool down */
    ERRC_CONTEXT,     /* this deployment cannot take this request (context too long, images
                         to a text-only model): fall back without cooldown */
    ERRC_BAD_REQUEST, /* any other 4xx: the client's problem, returned to it */
    ERRC_SERVER,      /* 5xx, 529, overloaded: retry, then fall back */
    ERRC_TIMEOUT,     /* no first byte in time, or a stalled stream */
    ERRC_CONNECT,     /* refused, unresolvable host, TLS failure */
    ERRC_PROTOCOL,    /* 2xx with an unusable body, invalid SSE, an answer over the size cap */
    ERRC_CLIENT_GONE, /* the client hung up; not the provider's fault */
};

struct upstream_error {
    int status; /* HTTP status from the provider, 0 for transport errors */
    enum err_class cls;
    char type[48];     /* normalised type, e.g. "rate_limit_error" */
    char code[32];     /* provider code when given: "request_quota_exceeded", "1113" */
    char message[256]; /* provider's message, truncated; never contains secrets we added */
};

/* From an HTTP status and a response body (any provider's shape; body may be NULL/invalid). */
void errmap_classify(int status, const char *body, size_t len, struct upstream_error *out);
/* From an in-stream error object (Anthropic `error` event data or OpenAI {"error":{...}}). */
void errmap_classify_json(int status, const cJSON *body, struct upstream_error *out);
/* Short stable name for logs and the dashboard: "rate_limit", "server", ... */
const char *errmap_class_name(enum err_class c);
/* Whether the error says the provider has no such model for this key (Cerebras 404
 * model_not_found, Z.AI 1211, an Anthropic-style not_found_error about the model): the
 * deployment's model is gone, not merely a bad path or a missing resource. */
bool errmap_model_gone(const struct upstream_error *e);
/* Whether the router should retry the same deployment (SERVER, TIMEOUT, CONNECT, PROTOCOL). */
bool errmap_is_retryable(enum err_class c);
/* Whether the next candidate should be tried (everything except BAD_REQUEST, CLIENT_GONE). */
bool errmap_falls_back(enum err_class c);

/* Anthropic error.type for a status: 400 invalid_request_error, 401 authentication_error,
 * 403 permission_error, 404 not_found_error, 413 request_too_large, 429 rate_limit_error,
 * 500 api_error, 529 overloaded_error, other -> api_error (4xx -> invalid_request_error). */
const char *errmap_anthropic_type(int status);
/* OpenAI error.type for a status: invalid_request_error, authentication_error,
 * permission_error, not_found_error, rate_limit_error, server_error ... */
const char *errmap_openai_type(int status);
/* Appends a complete JSON error body in the client's format:
 *   OpenAI:    {"error":{"message":m,"type":t,"param":null,"code":code}}
 *   Anthropic: {"type":"error","error":{"type":t,"message":m}}
 * code may be NULL (then the type is used for OpenAI's code). Returns buf_* errors. */
int errmap_body(enum api client, int status, const char *message, const char *code,
                struct buf *out);
/* Maps a provider failure to the status the client should see (429 stays 429, quota -> 429,
 * auth at the provider -> 502, timeouts -> 504, connect -> 502, server -> same 5xx or 502). */
int errmap_client_status(const struct upstream_error *e);

#endif
