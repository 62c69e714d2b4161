/* limitcode: the providers' limit codes and booking rules as tables. Each row cites where the
 * behaviour is documented or observed. */
#include "core/limitcode.h"

#include <string.h>

#include "core/ratelimit.h"

static const struct limit_code codes[] = {
    /* Cerebras 429 bodies (protocol.md §4, §8.2; nminaya/grammar-nazi-bot#954): which bucket
     * is empty; the message names the window ("per minute", "per day"). */
    {"request_quota_exceeded", LIMIT_BUCKET, RL_REQUESTS, "request limit"},
    {"token_quota_exceeded", LIMIT_BUCKET, RL_TOKENS, "token limit"},
    /* "We're experiencing high traffic right now!": momentary capacity, clears in about a
     * second (protocol.md §8.2): a long cooldown is wrong. */
    {"queue_exceeded", LIMIT_BRIEF, -1, "provider queue full"},
    /* Z.AI business codes (https://docs.z.ai/api-reference/api-code; protocol.md §5, §8.3). */
    {"1302", LIMIT_CONCURRENCY, -1, "too many concurrent requests"},
    {"1303", LIMIT_BRIEF, -1, "requests too frequent"},
    {"1308", LIMIT_PLAN, -1, "plan usage limit"},
    {"1310", LIMIT_PLAN, -1, "weekly/monthly limit"},
    {"1113", LIMIT_DISABLE, -1, "balance"},
    {"1309", LIMIT_DISABLE, -1, "plan expired"},
    {"1313", LIMIT_DISABLE, -1, "fair use"},
};

const struct limit_code *limitcode_find(const char *code)
{
    if (!code || !*code)
        return NULL;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(codes[i].code, code) == 0)
            return &codes[i];
    return NULL;
}

const struct limit_code *limitcode_all(size_t *n)
{
    *n = sizeof codes / sizeof codes[0];
    return codes;
}

void limitcode_booking(enum provider_kind kind, struct limit_booking *out)
{
    switch (kind) {
    case PROVIDER_CEREBRAS:
        /* "we estimate the input tokens ... adding either the max_completion_tokens parameter
         * or the maximum sequence length (MSL), minus input tokens" and refuse when that would
         * not fit (https://inference-docs.cerebras.ai/support/rate-limits). The share is
         * taken "when it admits the request, not when it finishes", so a one-word answer
         * costs the whole budget (dcdpr/jp PR #1085; cline PR #7881). */
        *out = (struct limit_booking){true, false, 131072};
        break;
    case PROVIDER_GENERIC_OPENAI:
        /* OpenAI-compatible servers count max_tokens toward their token limit on arrival;
         * what they give back afterwards is unknown, so assume nothing. */
        *out = (struct limit_booking){true, false, 0};
        break;
    default:
        /* Z.AI limits by concurrency and plan prompts, Anthropic by tokens actually used. */
        *out = (struct limit_booking){false, true, 0};
        break;
    }
}
