/* api: the two wire dialects switchboard speaks, on both sides of the proxy. */
#ifndef SB_API_H
#define SB_API_H

enum api {
    API_OPENAI = 0,    /* Chat Completions: /v1/chat/completions */
    API_ANTHROPIC = 1, /* Messages: /v1/messages */
};

/* Which real service sits behind a deployment. With the model id it picks the deployment's
 * row of the provider table (xlate/provider_rules.h), where every per-provider rule lives. */
enum provider_kind {
    PROVIDER_GENERIC_OPENAI = 0, /* openai/ prefix: permissive OpenAI-compatible */
    PROVIDER_CEREBRAS,           /* cerebras/: strict whitelist */
    PROVIDER_ZAI,                /* anthropic/ at *.z.ai or bigmodel, or a glm model */
    PROVIDER_ANTHROPIC,          /* anthropic/ elsewhere: real Anthropic */
};

static inline const char *api_name(enum api a)
{
    return a == API_ANTHROPIC ? "anthropic" : "openai";
}

#endif
