/* simprov_reply: decides the deterministic answer a simulated provider gives to a request
 * (reasoning, text, tool calls, finish, usage). Pure (cJSON and libc, no I/O); simprov_render
 * turns it into bytes, simprov.c sends them. No shared state. */
#ifndef SB_SIMPROV_REPLY_H
#define SB_SIMPROV_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <cJSON.h>

#include "core/api.h"

#define SIMPROV_REPLY_MAX_CALLS 2

struct simprov_call {
    char id[40];
    char *name; /* owned */
    char *args; /* owned: a JSON object as text */
};

struct simprov_reply {
    enum api dialect;
    char id[48];     /* chatcmpl-… or msg_… */
    char *model;     /* owned */
    char *reasoning; /* owned; NULL when no reasoning applies */
    char *text;      /* owned; NULL when the answer is only tool calls */
    struct simprov_call calls[SIMPROV_REPLY_MAX_CALLS];
    int ncalls;
    bool truncated; /* cut at the request's max-tokens budget */
    bool stream;
    bool include_usage; /* OpenAI stream_options.include_usage */
    long prompt_tokens;
    long cached_tokens; /* of prompt_tokens, from the prompt cache (set by the caller) */
    long completion_tokens;
    long created; /* unix seconds */
};

/* Builds the answer to req (a request already accepted by simprov_validate). raw/raw_len is
 * the body as received: it seeds the ids and gives the prompt-token estimate. name appears in
 * text replies ("Hello from <name> mock."), reply_tokens sets their length. Keeps no pointer
 * into its arguments. Returns 0 or -ENOMEM; on error r holds nothing to release. */
int simprov_reply_build(struct simprov_reply *r, enum api dialect, const cJSON *req,
                        const char *raw, size_t raw_len, const char *name, int reply_tokens);
void simprov_reply_release(struct simprov_reply *r);

/* Writes whole filler words ("alpha bravo …", continuing from *seq, which it advances) into
 * dst while they fit in cap - 1 bytes; NUL-terminates. Returns the bytes written. */
size_t simprov_reply_filler(char *dst, size_t cap, long *seq);

#endif
