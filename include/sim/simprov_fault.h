/* simprov_fault: the fault modes of the simulated providers and the error answers they and
 * the providers' ordinary refusals use, in both dialects (Cerebras's flat body, Z.AI's
 * Anthropic envelope with numeric codes). Pure (cJSON and libc); no state. */
#ifndef SB_SIMPROV_FAULT_H
#define SB_SIMPROV_FAULT_H

#include <stdbool.h>

#include "core/api.h"

enum simprov_fault {
    SIMPROV_F_NONE = 0,
    SIMPROV_F_500,
    SIMPROV_F_502,
    SIMPROV_F_503,
    SIMPROV_F_529,
    SIMPROV_F_429,       /* with retry-after (default 7 s, "429:N" for N) */
    SIMPROV_F_429_RESET, /* only x-ratelimit-reset-*-minute headers */
    SIMPROV_F_429_PLAIN, /* no hint at all */
    SIMPROV_F_QUOTA,
    SIMPROV_F_AUTH,
    SIMPROV_F_SLOW,
    SIMPROV_F_STALL,
    SIMPROV_F_CUT,
    SIMPROV_F_NOT_JSON,
    SIMPROV_F_BAD_SSE,
    SIMPROV_F_HUGE,
    SIMPROV_F_FLAP,
    SIMPROV_F_CONTEXT,
    SIMPROV_F_QUEUE,    /* Cerebras queue_exceeded for the next N requests ("queue:N", N=1) */
    SIMPROV_F_ZAI_1303, /* Z.AI 1303 too frequent for the next N requests ("1303:N", N=1) */
    SIMPROV_F_ZAI_1308, /* Z.AI 1308 five-hour limit, resetting in S s ("1308:S", 3 h) */
    SIMPROV_F_ZAI_1310, /* Z.AI 1310 weekly/monthly limit, resetting in S s ("1310:S", 5 d) */
    SIMPROV_F_ZAI_1313, /* Z.AI 1313 fair use */
};

enum simprov_err {
    SIMPROV_E_500 = 0,
    SIMPROV_E_502,
    SIMPROV_E_503,
    SIMPROV_E_529,
    SIMPROV_E_RPM, /* requests per window */
    SIMPROV_E_TPM, /* tokens per window */
    SIMPROV_E_QUOTA,
    SIMPROV_E_AUTH,
    SIMPROV_E_CONTEXT,
    SIMPROV_E_INVALID, /* validation: the message is the reason */
    SIMPROV_E_TOOBIG,
    SIMPROV_E_NOTFOUND,
    SIMPROV_E_QUEUE,       /* Cerebras: momentary capacity */
    SIMPROV_E_CONCURRENCY, /* Z.AI 1302 */
    SIMPROV_E_FREQUENCY,   /* Z.AI 1303 */
    SIMPROV_E_PLAN_5H,     /* Z.AI 1308 (message completed with the reset time) */
    SIMPROV_E_PLAN_WEEK,   /* Z.AI 1310 (likewise) */
    SIMPROV_E_FAIR_USE,    /* Z.AI 1313 */
};

/* Parses a mode name (see simprov_set_fault). arg receives the retry-after seconds for "429"
 * and "429:N", the request count for "queue:N" and "1303:N", the seconds to the reset for
 * "1308:S" and "1310:S". Returns 0 or -EINVAL. */
int simprov_fault_parse(const char *mode, enum simprov_fault *f, int *arg);
/* The error a fault answers with before the request is looked at; false for the others. */
bool simprov_fault_error(enum simprov_fault f, enum simprov_err *e);
int simprov_fault_status(enum simprov_err e);
/* Whether a fault mode lasts for a number of requests (arg) and then ends by itself. */
bool simprov_fault_counted(enum simprov_fault f);
/* The error body in dialect d; msg (may be NULL) replaces the default message, rid is the
 * request id for Anthropic bodies. Caller frees; NULL on OOM. */
char *simprov_fault_body(enum api d, enum simprov_err e, const char *msg, const char *rid);

#endif
