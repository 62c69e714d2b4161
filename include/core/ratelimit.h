/* ratelimit: what a provider's response headers (and its refusal texts) say about its limits.
 * Pure parsing; the router decides what to do with it. */
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
    /* -hour names: not documented by Cerebras (whose hourly limits only the config reveals),
     * read when a provider sends them */
    double reset_requests_hour_s;
    double reset_tokens_hour_s;
    double remaining_requests_hour;
    double remaining_tokens_hour;
    double limit_requests_hour;
    double limit_tokens_hour;
};

/* One bucket's numbers from the headers, each -1 when absent. */
enum rl_kind { RL_REQUESTS = 0, RL_TOKENS = 1, RL_NKINDS = 2 };
enum rl_window { RL_MINUTE = 0, RL_HOUR = 1, RL_DAY = 2, RL_NWINDOWS = 3 };
struct rl_bucket {
    double limit;
    double remaining;
    double reset_s;
};

void ratelimit_init(struct ratelimit_info *rl);
/* Feeds one response header (name case-insensitive, value as received). Understands
 * Cerebras' x-ratelimit-{limit,remaining,reset}-{requests,tokens}-{minute,day} (seconds as
 * floats), OpenAI's x-ratelimit-*-requests/-tokens (durations like "6m0s", "1.5s", "20ms"),
 * retry-after and retry-after-ms. now_wall_s (Unix time) converts an HTTP-date retry-after.
 * Returns true when the header was one of these. */
bool ratelimit_header(struct ratelimit_info *rl, const char *name, const char *value,
                      double now_wall_s);
/* The headers' numbers for one bucket. */
void ratelimit_bucket(const struct ratelimit_info *rl, enum rl_kind k, enum rl_window w,
                      struct rl_bucket *out);
/* Window lengths in seconds and names ("minute", "hour", "day"). */
double ratelimit_window_s(enum rl_window w);
const char *ratelimit_window_name(enum rl_window w);
/* The window a provider's refusal text names: Cerebras says "Requests per minute limit
 * exceeded", "Tokens per day limit exceeded". -1 when it names none. */
int ratelimit_window_in_text(const char *msg);
/* Z.AI's plan limits (1308 five-hour, 1310 weekly/monthly) say "Your limit will reset at
 * YYYY-MM-DD HH:MM:SS" in Beijing time (UTC+8). True with *unix_s set when text says so. */
bool ratelimit_reset_at(const char *text, double *unix_s);

#endif
