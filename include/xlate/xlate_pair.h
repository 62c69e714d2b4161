/* xlate_pair: the dialect pairs, one row per (client dialect, provider dialect): which request
 * translator, answer translator and stream translator serve it. The one place that choice is
 * made; the proxy and the stream object look it up instead of branching on dialects.
 *
 * Names follow the direction of the data: the request of an Anthropic client to an OpenAI
 * provider is translated "a2o", the answer and the stream coming back "o2a". Rows are constant;
 * lookups are pure and thread-safe. */
#ifndef SB_XLATE_PAIR_H
#define SB_XLATE_PAIR_H

#include <stdbool.h>
#include <cJSON.h>

#include "core/api.h"
#include "xlate/xlate.h"

struct xstream_ops; /* the stream translator (internal to xlate; see xstream.h) */

struct xlate_pair {
    enum api client;   /* what the client speaks */
    enum api provider; /* what the provider speaks */
    const char *name;  /* the request's direction, "a2o": for logs and tests */
    /* client request -> provider request (xlate.h) */
    cJSON *(*request)(const cJSON *req, const struct xlate_opts *o, char err[XLATE_ERR_LEN]);
    /* provider's non-streamed answer -> the client's dialect. client_req is the client's
     * request (borrowed: its tools and response_format shape the answer); model is what the
     * client asked for; tokens_in/out receive the usage (may be NULL). NULL when unusable. */
    cJSON *(*answer)(const cJSON *ans, const cJSON *client_req, const char *model, long *tokens_in,
                     long *tokens_out);
    const struct xstream_ops *stream; /* provider stream -> client stream (xstream.c) */
    /* the pair may carry an OpenAI client's response_format as XLATE_JSON_TOOL (xlate.h) */
    bool json_via_tool;
};

/* The row for a client and a provider dialect; never NULL for the two dialects of api.h. */
const struct xlate_pair *xlate_pair(enum api client, enum api provider);
/* True when this request, on this pair, travels with its response_format as the json tool
 * (then the answer and the stream turn the tool's call back into text). */
bool xlate_pair_json_tool(const struct xlate_pair *p, const cJSON *client_req);

#endif
