/* xlate: request and non-streamed response translation between the Anthropic Messages and
 * OpenAI Chat Completions dialects, plus per-provider cleaning by the provider table
 * (provider_rules.h: Cerebras' strict field whitelist, Z.AI's quirks). Pure functions: const cJSON
 * in, a new tree out (caller frees with cJSON_Delete); they never keep pointers into their
 * arguments. Thread-safe. */
#ifndef SB_XLATE_H
#define SB_XLATE_H

#include <stdbool.h>
#include <cJSON.h>

#include "core/api.h"
#include "xlate/provider_rules.h"

#define XLATE_ERR_LEN 256

struct xlate_opts {
    enum provider_kind provider; /* target provider: with model, picks its provider_rules row */
    const char *model;           /* upstream model id to put in the request */
    long max_tokens_cap;         /* clamp for the output budget; 0 = none */
    bool stream;                 /* request a stream upstream */
};

/* Validates a client request before routing. Returns true, or false with a message naming the
 * offending field (for a 400 invalid_request_error). Checks types of every field the
 * translators read. */
bool xlate_validate_anthropic(const cJSON *req, char err[XLATE_ERR_LEN]);
bool xlate_validate_openai(const cJSON *req, char err[XLATE_ERR_LEN]);

/* Client request -> provider request, for each (client, provider) dialect pair. NULL with err
 * set when the input cannot be translated. */
cJSON *xlate_req_a2o(const cJSON *anthropic_req, const struct xlate_opts *o,
                     char err[XLATE_ERR_LEN]);
cJSON *xlate_req_o2a(const cJSON *openai_req, const struct xlate_opts *o, char err[XLATE_ERR_LEN]);
cJSON *xlate_req_o2o(const cJSON *openai_req, const struct xlate_opts *o, char err[XLATE_ERR_LEN]);
cJSON *xlate_req_a2a(const cJSON *anthropic_req, const struct xlate_opts *o,
                     char err[XLATE_ERR_LEN]);

/* Provider's non-streamed answer -> the client's dialect. model is what the client asked for.
 * tokens_in/out receive the usage (may be NULL). NULL when the answer is unusable. */
cJSON *xlate_resp_o2a(const cJSON *openai_resp, const char *model, long *tokens_in,
                      long *tokens_out);
cJSON *xlate_resp_a2o(const cJSON *anthropic_resp, const char *model, long *tokens_in,
                      long *tokens_out);
/* Same-dialect answers: model renamed, provider-only fields normalised (Cerebras `reasoning`
 * kept; Z.AI numeric error types fixed). */
cJSON *xlate_resp_o2o(const cJSON *openai_resp, const char *model, long *tokens_in,
                      long *tokens_out);
cJSON *xlate_resp_a2a(const cJSON *anthropic_resp, const char *model, long *tokens_in,
                      long *tokens_out);

/* OpenAI-dialect providers take tool names of at most 64 characters (provider_rules.h);
 * Anthropic clients may send longer ones (Claude Code's mcp__server__tool names). A longer
 * name travels as its first 55 characters, '_' and 8 hex digits of its hash, and answers are
 * mapped back. */
#define XLATE_TOOL_NAME_MAX PROVIDER_TOOL_NAME_MAX
void xlate_tool_name_short(const char *name, char out[XLATE_TOOL_NAME_MAX + 1]);
/* The client's own name for `name` as a provider answered it: the tool of client_tools (an
 * Anthropic tools array) whose name shortens to it, else name itself. */
const char *xlate_tool_name_long(const cJSON *client_tools, const char *name);
/* Puts the client's names back into the tool_use blocks of a translated Anthropic answer. */
void xlate_restore_tool_names(cJSON *anthropic_resp, const cJSON *client_tools);

/* Whether an Anthropic request asks for thinking (thinking.type enabled or adaptive). Without
 * it an Anthropic client gets no thinking blocks, even from a model that always reasons. */
bool xlate_thinking_requested(const cJSON *anthropic_req);

/* A tool-call id both dialects accept (Anthropic: ^[a-zA-Z0-9_-]+$; OpenAI: any string): id
 * itself when it fits, else its other bytes as '_' plus a hash of it, so distinct ids stay
 * distinct and both ends of a call map the same way. malloc'd; NULL for an empty id or on
 * OOM. */
char *xlate_tool_id_clean(const char *id);

/* The signature of a thinking block switchboard writes for an OpenAI-dialect model's
 * reasoning (Anthropic clients replay thinking blocks with their signature, and an empty one
 * says nothing about where it came from). Such blocks go back to OpenAI-dialect models as
 * reasoning and are dropped for Anthropic-dialect providers, which did not write them. */
#define XLATE_THINKING_SIGNATURE "switchboard-reasoning-v1"

/* An OpenAI client's response_format (json_schema, json_object) on its way to an
 * Anthropic-dialect provider, which has no such field: the request forces a call to this tool,
 * whose input_schema is the schema, and the call comes back to the client as the message
 * text. Only for requests without tools of their own. */
#define XLATE_JSON_TOOL "json_output"
/* True when xlate_req_o2a carries openai_req's response_format as that tool. */
bool xlate_json_via_tool(const cJSON *openai_req);
/* A copy of an Anthropic answer with the tool's call turned into a text block (its input as
 * JSON) and a tool_use stop reason into end_turn, for xlate_resp_a2o. NULL on OOM. */
cJSON *xlate_resp_unwrap_json_tool(const cJSON *anthropic_resp);

/* The requested output budget of a client request (max_tokens / max_completion_tokens), or def. */
long xlate_max_tokens(const cJSON *req, long def);

#endif
