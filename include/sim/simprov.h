/* simprov: a simulated LLM provider served over HTTP on loopback. It behaves like Cerebras
 * (OpenAI dialect: strict field validation, 429 bodies and x-ratelimit-* headers, reasoning,
 * tool-call fragments, a usage chunk) or like Z.AI's Anthropic endpoint (the exact event
 * grammar, tool_use with input_json_delta, numeric error codes), with fault modes for tests.
 * Used by the demo (in-process) and by tests/mock/mock_provider (a separate program).
 * Its limits are the real ones' (simprov_limits.h): Cerebras's request and token buckets
 * per minute, hour and day with up-front booking and x-ratelimit-* headers, Z.AI's
 * concurrency and plan allowance; both report cached prompt tokens.
 * Control endpoints on the same port, for tests: POST /_mock/fault {"mode":"503"},
 * POST /_mock/lineup {"models":["a","b"]} (the lineup from now on; "fail": 503 makes the model
 * list answer that status, 0 heals it), GET /_mock/stats (struct simprov_stats as JSON),
 * POST /_mock/reset, POST /_mock/clock {"advance_s": N} (moves its clock on: buckets refill,
 * the cache ages, plan windows pass), and GET /_mock/last: {"method","path","query",
 * "headers":{lower-case name: value},"body":<the JSON as sent>}.
 * A test hook: "[[reply_tokens=N]]" anywhere in a request makes its text reply about N
 * tokens long (benches replay sessions with answers of known lengths). */
#ifndef SB_SIMPROV_H
#define SB_SIMPROV_H

#include <stdbool.h>

#include "core/api.h"

#define SIMPROV_ERR_LEN 256

struct simprov_opts {
    enum api dialect;     /* API_OPENAI = Cerebras-like, API_ANTHROPIC = Z.AI-like */
    const char *name;     /* shown in replies: "cerebras", "zai" */
    const char *host;     /* default 127.0.0.1 */
    int port;             /* 0 = pick a free port */
    const char *api_key;  /* required key; NULL accepts any */
    int rpm_limit;        /* requests per minute (a continuously refilled bucket); 0 = none */
    double window_s;      /* length of that "minute" (tests shorten it); default 60 */
    long tpm_limit;       /* tokens booked (input + budget) per minute; 0 = none */
    long rph, rpd;        /* requests per hour / day; 0 = none */
    long tph, tpd;        /* tokens per hour / day; 0 = none */
    long msl;             /* max sequence length booked when a request sends no budget */
    int concurrency;      /* Z.AI: requests at once before 1302; 0 = none */
    long plan_prompts;    /* Z.AI: Coding Plan prompts per plan window before 1308; 0 = none */
    double plan_window_s; /* default 5 hours */
    double tokens_per_s;  /* streaming pace; 0 = as fast as possible */
    double first_byte_ms; /* delay before the first byte */
    int reply_tokens;     /* approximate length of text replies; default 40 */
    const char *fault;    /* initial fault mode, see simprov_set_fault; NULL = none */
    const char *models;   /* the lineup served, "a,b,c"; NULL = today's (simprov_lineup.h) */
    int threads;          /* server threads; default 64 */
};

struct simprov_stats {
    long requests;     /* completions requests received */
    long ok;           /* answered 2xx */
    long rate_limited; /* answered 429 */
    long rejected;     /* answered 400 by validation */
    long aborted;      /* streams the client hung up on before the end */
    long in_flight;
    long max_in_flight;   /* the most completions requests served at once */
    long cached_tokens;   /* prompt tokens answered from the prompt cache */
    long booked_tokens;   /* tokens booked by admitted requests (input + budget) */
    long out_tokens;      /* completion tokens answered */
    long model_refused;   /* completions for a model outside the lineup (404 / 1211) */
    long models_requests; /* GET of the model list or the public catalogue */
    long connections;     /* TCP connections accepted, the control requests' own included: how
                           * often a client opened a connection rather than reusing one */
};

struct simprov;

/* Starts serving. NULL with err set on failure. */
struct simprov *simprov_start(const struct simprov_opts *o, char err[SIMPROV_ERR_LEN]);
/* Stops the server and frees everything. NULL is a no-op. */
void simprov_stop(struct simprov *s);
int simprov_port(const struct simprov *s);
/* Fault modes (thread-safe, takes effect on the next request): "none", "500", "502", "503",
 * "529", "429" (Retry-After), "429_reset" (only x-ratelimit-reset-* headers), "429_plain"
 * (neither), "quota" (daily quota / Z.AI 1113), "auth" (401), "slow" (first byte after 30 s),
 * "stall" (stream stops midway and hangs), "cut" (stream closes midway), "not_json" (200 with
 * a non-JSON body), "bad_sse" (garbage stream), "huge" (an endless answer), "flap" (503 and
 * healthy alternately every 2 s), "context" (400 context length exceeded), "queue[:N]"
 * (Cerebras queue_exceeded for the next N requests), "1303[:N]" (Z.AI too frequent, next N),
 * "1308[:S]" / "1310[:S]" (Z.AI plan limits resetting in S s), "1313" (Z.AI fair use).
 * Returns 0 or -EINVAL for an unknown mode. */
int simprov_set_fault(struct simprov *s, const char *mode);
void simprov_get_stats(struct simprov *s, struct simprov_stats *out);
/* Refills the buckets, ends plan windows, empties the cache and clears the counters. */
void simprov_reset(struct simprov *s);
/* Moves the provider's clock on by seconds (thread-safe). */
void simprov_advance(struct simprov *s, double seconds);

#endif
