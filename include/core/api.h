/* api: the two wire dialects switchboard speaks, on both sides of the proxy. */
#ifndef SB_API_H
#define SB_API_H

enum api {
    API_OPENAI = 0,    /* Chat Completions: /v1/chat/completions */
    API_ANTHROPIC = 1, /* Messages: /v1/messages */
};

/* Which real service sits behind a deployment; drives per-provider field rules. */
enum provider_kind {
    PROVIDER_GENERIC_OPENAI = 0, /* openai/ prefix: permissive OpenAI-compatible */
    PROVIDER_CEREBRAS,           /* cerebras/: strict whitelist, `reasoning` field */
    PROVIDER_ZAI,                /* anthropic/ at *.z.ai or bigmodel: Z.AI quirks */
    PROVIDER_ANTHROPIC,          /* anthropic/ elsewhere: real Anthropic */
};

static inline const char *api_name(enum api a)
{
    return a == API_ANTHROPIC ? "anthropic" : "openai";
}

#endif
