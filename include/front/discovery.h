/* discovery: asks a provider which models a key may use, without spending quota: a GET of its
 * model list (where its provider_rules row has one), and for Cerebras also its public
 * catalogue, which gives each model's context length and needs no key.
 *
 * Threads: each call makes its own libcurl easy handle and frees it before returning; no
 * handle, share object or connection cache is used by two threads, so any thread may call it
 * (libcurl's rule for threads). curl_global_init must have run (upstream_global_init).
 * Secrets: the key goes only into the request's auth header; it never appears in err.
 * `switchboard init` (issue 15) uses discovery_fetch to check a key as it is typed. */
#ifndef SB_DISCOVERY_H
#define SB_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/api.h"
#include "route/lineup.h"

#define DISCOVERY_BODY_MAX (1u << 20) /* a model list larger than this is not read */

struct discovery_target {
    enum provider_kind kind;
    enum api dialect;
    const char *api_base;     /* no trailing slash */
    const char *api_key;      /* NULL: nothing is asked (a list belongs to a key) */
    double timeout_s;         /* the whole exchange; 0 = 15 s */
    double connect_timeout_s; /* 0 = 10 s */
    /* Polled during the exchange; true aborts it (shutting down). May be NULL. */
    const volatile int *abort_flag;
};

enum discovery_result {
    DISCOVERY_OK = 0,  /* out holds the list */
    DISCOVERY_NO_LIST, /* the provider has no list here (none known, or 404/405 on it) */
    DISCOVERY_NO_KEY,  /* no key to ask with */
    DISCOVERY_AUTH,    /* the key was refused (401, 403) */
    DISCOVERY_FAILED,  /* network, timeout, 5xx, an unreadable answer */
};

/* Asks for t's model list (and context lengths where the provider publishes them). On
 * DISCOVERY_OK out holds the models, with out->complete from the provider's row; otherwise
 * err says why ("GET https://…/models: HTTP 503"). err may be NULL. */
enum discovery_result discovery_fetch(const struct discovery_target *t, struct lineup_offer *out,
                                      char *err, size_t errlen);
/* "ok", "no list", "no key", "key refused", "failed". */
const char *discovery_result_name(enum discovery_result r);

/* The parsers, for tests. A model list: {"data":[{"id":…}, …]} (OpenAI and Anthropic shapes)
 * or a bare array; 0, or -EINVAL when it is none of these. An Anthropic page that says
 * has_more makes the offer incomplete. */
int discovery_parse_list(const char *body, size_t len, struct lineup_offer *out);
/* Cerebras' public catalogue: fills in out's context lengths (limits.max_context_length) for
 * the models out already holds; 0 or -EINVAL. */
int discovery_parse_catalog(const char *body, size_t len, struct lineup_offer *out);

#endif
