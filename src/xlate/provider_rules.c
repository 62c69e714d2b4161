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
 * Cerebras SDK's chat.completions.create (cerebras-cloud-sdk-python, types/chat/
 * completion_create_params.py, 2026-01). Every model takes the ones below; the reasoning keys
 * differ by model family (the rows further down).
 * - n, logprobs, top_logprobs: in the SDK, but the answers they shape (several choices, log
 *   probabilities) are not translated: taken, never sent.
 * - parallel_tool_calls: a boolean in the SDK and among the public catalogue's parameters;
 *   older guides (req_llm, protocol.md §8.2) said 400. Taken, never sent: gpt-oss-120b makes
 *   no parallel calls anyway (public catalogue: capabilities.parallel_tool_calls false). */
#define CEREBRAS_COMMON_TOP                                                                        \
    FWD("model"), FWD("messages"), FWD("stream"), FWD("stream_options"),                           \
        FWD("max_completion_tokens"), FWD("max_tokens"), FWD("temperature"), FWD("top_p"),         \
        FWD("stop"), FWD("seed"), FWD("tools"), FWD("tool_choice"), FWD("response_format"),        \
        FWD("user"), TAKE("n"), TAKE("logprobs"), TAKE("top_logprobs"),                            \
        TAKE("parallel_tool_calls")

/* A model switchboard has no row for: every reasoning key the SDK lists is known. */
static const struct provider_key cerebras_top[] = {
    CEREBRAS_COMMON_TOP,
    FWD("reasoning_effort"), /* inference-docs.cerebras.ai/capabilities/reasoning */
    /* GLM on Cerebras: disable_reasoning (GLM-4.6, deprecated), clear_thinking (GLM-4.7 only)
     * (inference-docs.cerebras.ai/capabilities/reasoning). Their rows forward them. */
    TAKE("disable_reasoning"),
    TAKE("clear_thinking"),
    END,
};

/* gpt-oss-120b: reasoning_effort only ("Reasoning flags are currently only available for the
 * OpenAI GPT OSS model": the reasoning guide; the GLM switches are not its parameters). */
static const struct provider_key gpt_oss_top[] = {CEREBRAS_COMMON_TOP, FWD("reasoning_effort"),
                                                  END};
/* gemma-4-31b: the reasoning guide lists no reasoning parameter for it (only GPT-OSS and GLM). */
static const struct provider_key gemma_top[] = {CEREBRAS_COMMON_TOP, END};
/* zai-glm-4.6: "Use the disable_reasoning parameter to toggle reasoning on or off" (reasoning
 * guide, GLM 4.6 section). */
static const struct provider_key glm46_top[] = {CEREBRAS_COMMON_TOP, FWD("disable_reasoning"), END};
/* zai-glm-4.7: reasoning_effort with "none" to disable, clear_thinking (false keeps earlier
 * turns' reasoning); disable_reasoning still accepted but deprecated (glm-47-migration guide). */
static const struct provider_key glm47_top[] = {
    CEREBRAS_COMMON_TOP,
    FWD("reasoning_effort"),
    FWD("clear_thinking"),
    TAKE("disable_reasoning"),
    END,
};

/* `reasoning` is how Cerebras takes earlier reasoning back (the SDK's assistant message has a
 * `reasoning` field); `reasoning_content` (Z.AI's name) gets the 400 on every multi-turn
 * replay (protocol.md §4). */
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

/* reasoning_effort: "low", "medium", "high" (SDK: Literal["low", "medium", "high"]; the
 * reasoning guide); gpt-oss refuses "none" and "minimal" with wrong_api_format (harn-vm's
 * Cerebras capability notes, 2026). */
static const char *const efforts_lmh[] = {"low", "medium", "high", NULL};
/* zai-glm-4.7 adds "none", which turns reasoning off (glm-47-migration guide). */
static const char *const efforts_nlmh[] = {"none", "low", "medium", "high", NULL};

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
    /* roles: system, user, assistant, tool; the newest API reference also lists developer,
     * but the SDK's message types do not: system is what every model takes */
    .developer_role = false,
    /* text and image_url parts only; its models read no PDFs (API reference, content parts) */
    .reads_pdf = false,
    /* Cerebras books input + max_completion_tokens against its token quota before running,
     * and a large budget when none is sent: core/limitcode.c says so for the translators and
     * the router alike (protocol.md §8.2, §4 token accounting). */
    .budget_field = "max_completion_tokens",
    /* what the simulators enforce for a model without a row */
    .max_output_tokens = 131072,
    .temperature_max = 2, /* OpenAI's range, which Cerebras follows (its API reference) */
    .sampling_with_thinking = true,
    .reasoning_param = "reasoning_effort",
    .reasoning_values = efforts_lmh,
    .history_reasoning = "reasoning",
    /* "tools and response_format can't be combined" (protocol.md §4, req_llm Cerebras guide) */
    .tools_with_response_format = false,
    /* never sent to Cerebras since the first version; Cerebras lists `user` (LiteLLM
     * cerebras/chat.py), so this is caution, not a known refusal */
    .user_tag = false,
    /* GET /v1/models "lists all currently available models" for the key
     * (inference-docs.cerebras.ai/api-reference/models/list-models): id, object, created,
     * owned_by, no context length. GET /public/v1/models needs no key and gives
     * limits.max_context_length and max_completion_tokens per model (api-reference/models/
     * public-models). A retired model answers 404 model_not_found (protocol.md §8.1). */
    .models_path = "/models",
    .catalog_path = "/public/v1/models",
    .lineup_complete = true,
    /* tool_choice: "none" | "auto" | "required" | {type: "function", function: {name}}
     * (SDK ToolChoice; inference-docs.cerebras.ai/tool-use). Older guides (req_llm) said only
     * auto/none; Cerebras' own SDK and docs win. */
    .tool_choice_checked = true,
};

/* gpt-oss-120b (inference-docs.cerebras.ai/models/openai-oss): context 65k on the free tier,
 * 131k on paid ones, output up to 32k / 40k; the public catalogue says 131072 / 40960. The
 * row keeps the paid figures; a free-tier key's smaller window goes in config.yaml's
 * model_info.max_input_tokens. Reasoning always runs: effort low / medium (default) / high,
 * returned in `reasoning`; earlier reasoning goes back in `reasoning` (SDK). */
static const struct provider_rules cerebras_gpt_oss = {
    .kind = PROVIDER_CEREBRAS,
    .model_prefix = "gpt-oss-",
    .label = "Cerebras gpt-oss",
    .top_keys = gpt_oss_top,
    .message_keys = cerebras_message,
    .tool_keys = cerebras_tool,
    .function_keys = cerebras_function,
    .call_keys = cerebras_call,
    .call_function_keys = cerebras_call_function,
    .tool_names = &openai_tool_names,
    .budget_field = "max_completion_tokens",
    .context_window = 131072,
    .max_output_tokens = 40960,
    .temperature_max = 2,
    .sampling_with_thinking = true,
    .reasoning_param = "reasoning_effort",
    .reasoning_values = efforts_lmh,
    .reasoning_floor = "low",
    .history_reasoning = "reasoning",
    .tools_with_response_format = false,
    .tool_choice_checked = true,
};

/* gemma-4-31b (inference-docs.cerebras.ai/models/gemma-4-31b): multimodal (images), no
 * reasoning parameter in the reasoning guide, so none is sent and earlier reasoning from
 * another model is dropped rather than replayed into a field it does not use. Its context on
 * Cerebras is not published where we could read it: 0, discovery's catalogue fills it. */
static const struct provider_rules cerebras_gemma = {
    .kind = PROVIDER_CEREBRAS,
    .model_prefix = "gemma-",
    .label = "Cerebras gemma",
    .top_keys = gemma_top,
    .message_keys = cerebras_message,
    .tool_keys = cerebras_tool,
    .function_keys = cerebras_function,
    .call_keys = cerebras_call,
    .call_function_keys = cerebras_call_function,
    .tool_names = &openai_tool_names,
    .budget_field = "max_completion_tokens",
    .max_output_tokens = 131072,
    .temperature_max = 2,
    .sampling_with_thinking = true,
    .tools_with_response_format = false,
    .tool_choice_checked = true,
};

/* zai-glm-4.6 (retired 2026-01-20): 128K context (LiteLLM PR #17683), reasoning on unless
 * disable_reasoning is true. Kept so an old config still speaks to it correctly. */
static const struct provider_rules cerebras_glm46 = {
    .kind = PROVIDER_CEREBRAS,
    .model_prefix = "zai-glm-4.6",
    .label = "Cerebras GLM 4.6",
    .top_keys = glm46_top,
    .message_keys = cerebras_message,
    .tool_keys = cerebras_tool,
    .function_keys = cerebras_function,
    .call_keys = cerebras_call,
    .call_function_keys = cerebras_call_function,
    .tool_names = &openai_tool_names,
    .budget_field = "max_completion_tokens",
    .context_window = 131072,
    .max_output_tokens = 40960,
    .temperature_max = 2,
    .sampling_with_thinking = true,
    .reasoning_switch = "disable_reasoning",
    .history_reasoning = "reasoning",
    .tools_with_response_format = false,
    .tool_choice_checked = true,
};

/* zai-glm-4.7 and later GLM on Cerebras (4.7 retired 2026-08-17): ≈131K context, 40K output
 * (braintrust-proxy PR #616); reasoning_effort none/low/medium/high; clear_thinking false keeps
 * the reasoning of earlier turns, "recommended for agentic workflows" (API reference). */
static const struct provider_rules cerebras_glm = {
    .kind = PROVIDER_CEREBRAS,
    .model_prefix = "zai-glm-",
    .label = "Cerebras GLM",
    .top_keys = glm47_top,
    .message_keys = cerebras_message,
    .tool_keys = cerebras_tool,
    .function_keys = cerebras_function,
    .call_keys = cerebras_call,
    .call_function_keys = cerebras_call_function,
    .tool_names = &openai_tool_names,
    .budget_field = "max_completion_tokens",
    .context_window = 131072,
    .max_output_tokens = 40960,
    .temperature_max = 2,
    .sampling_with_thinking = true,
    .reasoning_param = "reasoning_effort",
    .reasoning_values = efforts_nlmh,
    .reasoning_off = "none",
    .history_keep = "clear_thinking",
    .history_reasoning = "reasoning",
    .tools_with_response_format = false,
    .tool_choice_checked = true,
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

/* What every Z.AI model takes; the rows differ in their windows.
 * - temperature_max 1: Anthropic's range (§1.1); Z.AI's own API says 0–1 (§5).
 * - thinking_budget_min: Anthropic's rule (budget >= 1024 and < max_tokens, §1.1), which
 *   Z.AI's endpoint mirrors.
 * - cache_ttl false: non-Anthropic /v1/messages upstreams refuse cache_control.ttl (LiteLLM
 *   PR #39355).
 * - foreign_thinking false: a thinking block another model wrote is not replayed. GLM's
 *   preserved thinking wants "the complete, unmodified reasoning_content" it produced itself
 *   (docs.z.ai thinking-mode), and Z.AI cannot vouch for a signature it did not make.
 * - models_path: GET {api_base}/v1/models on the Anthropic endpoint (Anthropic's Models API
 *   shape, data[].id), as Z.AI clients use it (pythinker-code's Z.AI login, maho's live model
 *   list). lineup_complete false: Z.AI's model lists leave out models a plan grants
 *   (zai_quota.py merges the plan's list for that reason), so only a 1211 in traffic marks a
 *   model gone. */
#define ZAI_ROW(prefix, name, window, out)                                                         \
    {                                                                                              \
        .kind = PROVIDER_ZAI, .model_prefix = prefix, .label = name, .top_keys = zai_top,          \
        .message_keys = zai_message, .tool_keys = zai_tool, .developer_role = true,                \
        .reads_pdf = true, .budget_field = "max_tokens", .context_window = window,                 \
        .max_output_tokens = out, .temperature_max = 1, .sampling_with_thinking = true,            \
        .thinking_budget_min = 1024, .cache_ttl = false, .tools_with_response_format = true,       \
        .user_tag = true, .foreign_thinking = false, .models_path = "/v1/models",                  \
        .lineup_complete = false,                                                                  \
    }

/* Unknown GLM: 128K output like glm-4.6 / glm-4.7 (protocol.md §5); window unknown. */
static const struct provider_rules zai = ZAI_ROW("", "Z.AI", 0, 131072);
/* glm-4.6, glm-4.7: 200K context (204,800), 128K output (protocol.md §5). */
static const struct provider_rules zai_glm4 = ZAI_ROW("glm-4.", "Z.AI GLM-4", 204800, 131072);
/* glm-4.5, glm-4.5-air: ≈128K context, 96K output (protocol.md §5; Z.AI model table). */
static const struct provider_rules zai_glm45 = ZAI_ROW("glm-4.5", "Z.AI GLM-4.5", 131072, 98304);
/* glm-5, glm-5.1, glm-5-turbo: 200K context, 128K output; thinking on by default (Z.AI model
 * tables copied by wolffi.sh's Z.AI guide and runware's GLM-5.1 page, 2026). GLM-5 spends
 * Coding Plan quota about 3x faster than GLM-4.x (protocol.md §8.1). */
static const struct provider_rules zai_glm5 = ZAI_ROW("glm-5", "Z.AI GLM-5", 204800, 131072);
/* glm-5.2, the flagship since June 2026: a 1M-token context, 128K output (wolffi.sh Z.AI
 * guide; anyfast's GLM-5.2 page). */
static const struct provider_rules zai_glm52 = ZAI_ROW("glm-5.2", "Z.AI GLM-5.2", 1000000, 131072);

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
    /* signatures are checked: another model's thinking is refused (claude-code #10627) */
    .foreign_thinking = false,
    /* GET /v1/models (docs.anthropic.com api/models-list) */
    .models_path = "/v1/models",
    .lineup_complete = true,
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
    /* GET {api_base}/models (OpenAI's models.list); servers that have none answer 404, which
     * discovery takes as "no list" and changes nothing */
    .models_path = "/models",
    .lineup_complete = true,
};

/* Every row; order does not matter (the longest matching prefix wins). */
static const struct provider_rules *const table[] = {
    &cerebras, &cerebras_gpt_oss, &cerebras_gemma, &cerebras_glm46, &cerebras_glm, &zai,
    &zai_glm4, &zai_glm45,        &zai_glm5,       &zai_glm52,      &anthropic,    &generic_openai,
};

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

bool provider_reasoning_value_ok(const struct provider_rules *r, const char *value)
{
    if (!r->reasoning_values)
        return true;
    for (const char *const *v = r->reasoning_values; *v; v++)
        if (value && strcmp(*v, value) == 0)
            return true;
    return false;
}

/* Efforts from least to most; a value the row lacks moves to its nearest neighbour on the
 * same side of "off". */
static const char *const effort_scale[] = {"minimal", "low", "medium", "high", "xhigh", "max"};

const char *provider_reasoning_effort(const struct provider_rules *r, const char *value)
{
    if (!r->reasoning_param || !value)
        return NULL;
    if (!r->reasoning_values)
        return value;
    for (const char *const *v = r->reasoning_values; *v; v++)
        if (strcmp(*v, value) == 0)
            return *v;
    if (strcmp(value, "none") == 0)
        return NULL;
    int n = (int)(sizeof effort_scale / sizeof effort_scale[0]), at = -1;
    for (int i = 0; i < n; i++)
        if (strcmp(effort_scale[i], value) == 0)
            at = i;
    for (int d = 1; at >= 0 && d < n; d++) {
        /* the nearer step down first: "max" is "high", "minimal" is "low" */
        int cand[2] = {at - d, at + d};
        for (int k = 0; k < 2; k++)
            if (cand[k] >= 0 && cand[k] < n &&
                provider_reasoning_value_ok(r, effort_scale[cand[k]]))
                return effort_scale[cand[k]];
    }
    return NULL;
}
