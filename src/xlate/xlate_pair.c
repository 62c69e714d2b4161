/* xlate_pair: the table of dialect pairs (see xlate_pair.h) and the answer steps that need
 * the client's request: tool names shortened for OpenAI-dialect providers go back to the
 * client's own, and a json tool's call becomes the message text. */
#include "xlate/xlate_pair.h"

#include <string.h>

#include "core/json.h"
#include "xstream_internal.h"

/* Thinking blocks out of an answer whose client asked for none. */
static void drop_thinking(cJSON *anthropic_resp)
{
    cJSON *content = cJSON_GetObjectItemCaseSensitive(anthropic_resp, "content");
    cJSON *b = cJSON_IsArray(content) ? content->child : NULL;
    while (b) {
        cJSON *next = b->next;
        const char *type = json_str(b, "type");
        if (type && strcmp(type, "thinking") == 0)
            cJSON_Delete(cJSON_DetachItemViaPointer(content, b));
        b = next;
    }
}

static cJSON *answer_o2a(const cJSON *ans, const cJSON *client_req, const char *model,
                         long *tokens_in, long *tokens_out)
{
    cJSON *out = xlate_resp_o2a(ans, model, tokens_in, tokens_out);
    if (out)
        xlate_restore_tool_names(out, json_arr(client_req, "tools"));
    if (out && !xlate_thinking_requested(client_req))
        drop_thinking(out); /* gpt-oss reasons whatever it is asked */
    return out;
}

static cJSON *answer_a2a(const cJSON *ans, const cJSON *client_req, const char *model,
                         long *tokens_in, long *tokens_out)
{
    (void)client_req;
    return xlate_resp_a2a(ans, model, tokens_in, tokens_out);
}

static cJSON *answer_o2o(const cJSON *ans, const cJSON *client_req, const char *model,
                         long *tokens_in, long *tokens_out)
{
    (void)client_req;
    return xlate_resp_o2o(ans, model, tokens_in, tokens_out);
}

static cJSON *answer_a2o(const cJSON *ans, const cJSON *client_req, const char *model,
                         long *tokens_in, long *tokens_out)
{
    if (!xlate_json_via_tool(client_req))
        return xlate_resp_a2o(ans, model, tokens_in, tokens_out);
    cJSON *plain = xlate_resp_unwrap_json_tool(ans);
    cJSON *out = plain ? xlate_resp_a2o(plain, model, tokens_in, tokens_out) : NULL;
    cJSON_Delete(plain);
    return out;
}

/* [client][provider] */
static const struct xlate_pair pairs[2][2] = {
    [API_ANTHROPIC][API_OPENAI] = {API_ANTHROPIC, API_OPENAI, "a2o", xlate_req_a2o, answer_o2a,
                                   &xstream_o2a_ops, false},
    [API_ANTHROPIC][API_ANTHROPIC] = {API_ANTHROPIC, API_ANTHROPIC, "a2a", xlate_req_a2a,
                                      answer_a2a, &xstream_a2a_ops, false},
    [API_OPENAI][API_OPENAI] = {API_OPENAI, API_OPENAI, "o2o", xlate_req_o2o, answer_o2o,
                                &xstream_o2o_ops, false},
    [API_OPENAI][API_ANTHROPIC] = {API_OPENAI, API_ANTHROPIC, "o2a", xlate_req_o2a, answer_a2o,
                                   &xstream_a2o_ops, true},
};

const struct xlate_pair *xlate_pair(enum api client, enum api provider)
{
    return &pairs[client == API_ANTHROPIC][provider == API_ANTHROPIC];
}

bool xlate_pair_json_tool(const struct xlate_pair *p, const cJSON *client_req)
{
    return p->json_via_tool && xlate_json_via_tool(client_req);
}
