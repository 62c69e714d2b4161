/* provider_rules: the provider table (see provider_rules.h). Each rule cites where it comes
 * from; "protocol.md" is the project's compiled reference (shared/reference/protocol.md), whose
 * sections give the original sources. Where the simulators and the translators must differ (a
 * key Cerebras takes but switchboard never sends) the key says so with `forwarded`. */
#include "xlate/provider_rules.h"

#include <string.h>
#include <strings.h>

#define FWD(k)                                                                                     \
    {                                                                                              \
        k, true                                                                                    \
    }
#define TAKE(k)                                                                                    \
    {                                                                                              \
        k, false                                                                                   \
    }
#define END                                                                                        \
    {                                                                                              \
        NULL, false                                                                                \
    }

/* OpenAI's function-name pattern (platform.openai.com/docs/api-reference/chat, tools[].function
 * .name); Cerebras words its 400 as below (the mock's refusal, protocol.md §4 error shape).
 * Claude Code's MCP tool names can be longer: xlate shortens them (xlate.h). */
static const struct provider_name_rule openai_tool_names = {
    PROVIDER_TOOL_NAME_MAX,
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-",
    "string does not match pattern '^[a-zA-Z0-9_-]{1,64}$'",
};

/* ---- Cerebras (OpenAI dialect, api.cerebras.ai) ------------------------------------------ */

/* Cerebras answers 400 "property '…' is unsupported" (code wrong_api_format) for any key it does
 * not know, at every level (protocol.md §4: free-claude-code#1136, QwenLM/qwen-code#11045,
 * anomalyco/opencode#6648). Known keys: LiteLLM llms/cerebras/chat.py supported params and the
 * Cerebras SDK's chat.completions.create (cerebras-cloud-sdk). */
static const struct provider_key cerebras_top[] = {
    FWD("model"),
    FWD("messages"),
    FWD("stream"),
    FWD("stream_options"),
    FWD("max_completion_tokens"),
    FWD("max_tokens"),
    FWD("temperature"),
    FWD("top_p"),
    FWD("stop"),
    FWD("seed"),
    FWD("tools"),
    FWD("tool_choice"),
    FWD("response_format"),
    FWD("user"),
    FWD("reasoning_effort"), /* inference-docs.cerebras.ai/capabilities/reasoning */
    /* In the SDK, but the answers they shape (several choices, log probabilities) are not
     * translated: dropped. */
    TAKE("n"),
    TAKE("logprobs"),
    TAKE("top_logprobs"),
    /* Listed by the SDK and newer docs, refused with 400 by older ones and by the req_llm
     * Cerebras guide (protocol.md §4, §8.2): never sent. */
    TAKE("parallel_tool_calls"),
    /* GLM on Cerebras: disable_reasoning (GLM-4.6, deprecated), clear_thinking (GLM-4.7 only)
     * (inference-docs.cerebras.ai/capabilities/reasoning). Model rows may forward them. */
    TAKE("disable_reasoning"),
    TAKE("clear_thinking"),
    END,
};

/* `reasoning` is how Cerebras takes earlier reasoning back; `reasoning_content` (Z.AI's name)
 * gets the 400 on every multi-turn replay (protocol.md §4). */
static const struct provider_key cerebras_message[] = {
    FWD("role"),         FWD("content"),   FWD("name"), FWD("tool_calls"),
    FWD("tool_call_id"), FWD("reasoning"), END,
};
static const struct provider_key cerebras_tool[] = {FWD("type"), FWD("function"), END};
/* Claude Code's extra tool keys (input_examples, ...) are refused: LiteLLM #16718. */
static const struct provider_key cerebras_function[] = {
    FWD("name"), FWD("description"), FWD("parameters"), FWD("strict"), END,
};
/* `index` belongs to streamed deltas; OpenAI SDKs replay it, Cerebras lets it pass. */
static const struct provider_key cerebras_call[] = {
    FWD("id"), FWD("type"), FWD("function"), TAKE("index"), END,
};
static const struct provider_key cerebras_call_function[] = {FWD("name"), FWD("arguments"), END};

static const struct provider_rules cerebras = {
    .kind = PROVIDER_CEREBRAS,
    .model_prefix = "",
    .label = "Cerebras",
    .top_keys = cerebras_top,
    .message_keys = cerebras_message,
    .tool_keys = cerebras_tool,
    .function_keys = cerebras_function,
    .call_keys = cerebras_call,
    .call_function_keys = cerebras_call_function,
    .tool_names = &openai_tool_names,
    /* roles: system, user, assistant, tool (Cerebras chat-completions API reference) */
    .developer_role = false,
    /* text and image_url parts only; its models read no PDFs (API reference, content parts) */
    .reads_pdf = false,
    /* Cerebras books input + max_completion_tokens against its token quota before running,
     * and a large budget when none is sent: core/limitcode.c says so for the translators and
     * the router alike (protocol.md §8.2, §4 token accounting). */
    .budget_field = "max_completion_tokens",
    /* what the simulators enforce; real caps are per model (zai-glm-4.7 ≈40 K: braintrust-proxy
     * PR #616) and belong in model rows */
    .max_output_tokens = 131072,
    .temperature_max = 2, /* OpenAI's range, which Cerebras follows (its API reference) */
    .sampling_with_thinking = true,
    .reasoning_param = "reasoning_effort",
    .history_reasoning = "reasoning",
    /* "tools and response_format can't be combined" (protocol.md §4, req_llm Cerebras guide) */
    .tools_with_response_format = false,
    /* never sent to Cerebras since the first version; Cerebras lists `user` (LiteLLM
     * cerebras/chat.py), so this is caution, not a known refusal */
    .user_tag = false,
};

/* ---- Z.AI (Anthropic endpoint, api.z.ai/api/anthropic) ----------------------------------- */

/* Z.AI's Anthropic endpoint refuses unknown top-level keys with "Extra inputs are not
 * permitted" (protocol.md §5, §8.3: context_management and other newer Claude Code fields). The
 * keys are Anthropic's Messages fields it implements (docs.z.ai Claude Code guide; §1.1). */
static const struct provider_key zai_top[] = {
    FWD("model"),    FWD("messages"),
    FWD("system"),   FWD("max_tokens"),
    FWD("metadata"), FWD("stop_sequences"),
    FWD("stream"),   FWD("temperature"),
    FWD("top_p"),    FWD("top_k"),
    FWD("tools"),    FWD("tool_choice"),
    FWD("thinking"), END,
};
static const struct provider_key zai_message[] = {FWD("role"), FWD("content"), END};
/* Claude Code's input_examples and other tool extras: LiteLLM #16718, #26240 */
static const struct provider_key zai_tool[] = {
    FWD("name"), FWD("description"), FWD("input_schema"), FWD("cache_control"), END,
};

static const struct provider_rules zai = {
    .kind = PROVIDER_ZAI,
    .model_prefix = "",
    .label = "Z.AI",
    .top_keys = zai_top,
    .message_keys = zai_message,
    .tool_keys = zai_tool,
    .developer_role = true,
    .reads_pdf = true,
    .budget_field = "max_tokens",
    .max_output_tokens = 131072, /* glm-4.6 / glm-4.7: 128 K output (protocol.md §5) */
    .temperature_max = 1,        /* Anthropic's range (§1.1); Z.AI's own API says 0–1 (§5) */
    .sampling_with_thinking = true,
    /* Anthropic's rule (budget >= 1024 and < max_tokens, §1.1), which Z.AI's endpoint mirrors */
    .thinking_budget_min = 1024,
    /* non-Anthropic /v1/messages upstreams refuse cache_control.ttl (LiteLLM PR #39355) */
    .cache_ttl = false,
    .tools_with_response_format = true,
    .user_tag = true,
};

/* ---- real Anthropic, and generic OpenAI-compatible servers ------------------------------- */

static const struct provider_rules anthropic = {
    .kind = PROVIDER_ANTHROPIC,
    .model_prefix = "",
    .label = "Anthropic",
    .developer_role = true,
    .reads_pdf = true,
    .budget_field = "max_tokens",
    .temperature_max = 1, /* §1.1 */
    /* "Thinking isn't compatible with temperature or top_k modifications" (Anthropic extended
     * thinking docs, feature compatibility) */
    .sampling_with_thinking = false,
    .thinking_budget_min = 1024,
    .cache_ttl = true,
    .tools_with_response_format = true,
    .user_tag = true,
};

static const struct provider_rules generic_openai = {
    .kind = PROVIDER_GENERIC_OPENAI,
    .model_prefix = "",
    .label = "OpenAI-compatible",
    .tool_names = &openai_tool_names,
    .developer_role = true,
    .reads_pdf = true, /* as an image_url data URL, as LiteLLM sends it (§3.1) */
    .budget_field = "max_tokens",
    .temperature_max = 2,
    .sampling_with_thinking = true,
    .tools_with_response_format = true,
    .user_tag = true,
};

/* Model-family rows go here, after their provider's "" row (issue 11: Cerebras gpt-oss-120b,
 * gemma-4-31b; Z.AI glm-5.x). */
static const struct provider_rules *const table[] = {&cerebras, &zai, &anthropic, &generic_openai};

const struct provider_rules *provider_rules_match(const struct provider_rules *const *rows,
                                                  size_t n, enum provider_kind kind,
                                                  const char *model)
{
    const struct provider_rules *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < n; i++) {
        const struct provider_rules *r = rows[i];
        size_t len = strlen(r->model_prefix);
        if (r->kind != kind || (len && (!model || strncasecmp(model, r->model_prefix, len) != 0)))
            continue;
        if (!best || len > best_len) {
            best = r;
            best_len = len;
        }
    }
    return best;
}

const struct provider_rules *provider_rules_for(enum provider_kind kind, const char *model)
{
    const struct provider_rules *r =
        provider_rules_match(table, sizeof table / sizeof table[0], kind, model);
    return r ? r : &generic_openai;
}

bool provider_rules_strict(const struct provider_rules *r)
{
    return r->top_keys != NULL;
}

const struct provider_key *provider_key_find(const struct provider_key *list, const char *name)
{
    for (; list && list->name; list++)
        if (name && strcmp(list->name, name) == 0)
            return list;
    return NULL;
}

bool provider_key_forwarded(const struct provider_key *list, const char *name)
{
    if (!list)
        return true;
    const struct provider_key *k = provider_key_find(list, name);
    return k && k->forwarded;
}

bool provider_name_ok(const struct provider_name_rule *rule, const char *name)
{
    if (!rule)
        return true;
    size_t n = strspn(name ? name : "", rule->chars);
    return n >= 1 && n <= rule->max_len && name[n] == '\0';
}
