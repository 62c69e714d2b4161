/* ratelimit: what a provider's response headers say about its limits. Pure parsing. */
#ifndef SB_RATELIMIT_H
#define SB_RATELIMIT_H

#include <stdbool.h>

/* Every field is -1 when the header was absent. Times are seconds from the response. */
struct ratelimit_info {
    double retry_after_s; /* retry-after (delta seconds or HTTP-date), or retry-after-ms / 1000 */
    double reset_requests_minute_s;
    double reset_tokens_minute_s;
    double reset_requests_day_s;
    double reset_tokens_day_s;
    double remaining_requests_minute;
    double remaining_tokens_minute;
    double remaining_requests_day;
    double remaining_tokens_day;
    double limit_requests_minute;
    double limit_tokens_minute;
    double limit_requests_day;
    double limit_tokens_day;
};

void ratelimit_init(struct ratelimit_info *rl);
/* Feeds one response header (name case-insensitive, value as received). Understands
 * Cerebras' x-ratelimit-{limit,remaining,reset}-{requests,tokens}-{minute,day} (seconds as
 * floats), OpenAI's x-ratelimit-*-requests/-tokens (durations like "6m0s", "1.5s", "20ms"),
 * retry-after and retry-after-ms. now_wall_s (Unix time) converts an HTTP-date retry-after.
 * Returns true when the header was one of these. */
bool ratelimit_header(struct ratelimit_info *rl, const char *name, const char *value,
                      double now_wall_s);
/* Seconds until the provider says it will accept requests again (the largest relevant reset
 * for a rate-limited answer), or -1 when the headers do not say. */
double ratelimit_reset_hint_s(const struct ratelimit_info *rl);

#endif
