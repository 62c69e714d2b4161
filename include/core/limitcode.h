/* limitcode: what each provider's limit refusal asks of a router, one row per code, and what
 * each provider does with the output budget of a request. The one place these facts are
 * written: the router budgets and cools down by them, the translators (xlate_req_clean) send a
 * budget to a provider that books one, and the simulated providers book the same sequence
 * length. They live here, not in the provider table (xlate/provider_rules.h), because the
 * router may not include xlate. How a code is classified (rate limit, quota) stays in
 * core/errmap.c. Nothing here keeps state. Pure; thread-safe. */
#ifndef SB_LIMITCODE_H
#define SB_LIMITCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/api.h"

enum limit_action {
    LIMIT_NONE = 0,    /* not a code we know: the error class decides */
    LIMIT_BUCKET,      /* a request or token bucket is empty: wait until it has room */
    LIMIT_BRIEF,       /* momentary capacity: back off about a second, retry the same once */
    LIMIT_CONCURRENCY, /* too many requests at once: send fewer, no cooldown */
    LIMIT_PLAN,        /* a plan window is used up: out until the reset the text names */
    LIMIT_DISABLE,     /* balance, fair use, expired plan: off until the user says otherwise */
};

struct limit_code {
    const char *code;
    enum limit_action action;
    int kind;          /* LIMIT_BUCKET: RL_REQUESTS or RL_TOKENS (core/ratelimit.h), else -1 */
    const char *label; /* for reasons: "queue full", "plan usage limit" */
};

/* The row for a provider's error code ("queue_exceeded", "1302"), or NULL. */
const struct limit_code *limitcode_find(const char *code);
/* Every row, *n of them (for the test that ties them to errmap's classes). */
const struct limit_code *limitcode_all(size_t *n);

/* How a provider charges a request's output budget against its token limits. */
struct limit_booking {
    bool books_output;   /* input + the whole output budget are booked on arrival */
    bool refunds_unused; /* the unused part of the budget comes back after the answer */
    long default_msl;    /* max sequence length booked (minus the input) when no budget is sent */
};
void limitcode_booking(enum provider_kind kind, struct limit_booking *out);

#endif
