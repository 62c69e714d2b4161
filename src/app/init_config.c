/* init_config: the model preferences and the files `switchboard init` writes. */
#include "app/init_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlate/provider_rules.h"

/* Which model serves a role, best first. A model the provider no longer offers is simply not
 * picked; one that is new and unknown here is picked only when no row matches (below). */
struct init_pref {
    enum init_role role;
    const char *model;
    long input_tokens; /* model_info.max_input_tokens to write; 0 = none */
};

static const struct init_pref prefs[] = {
    /* gpt-oss-120b: Cerebras' general model since zai-glm-4.6 was retired (2026-01-20); its
     * free-tier context is 65,536 tokens (inference-docs.cerebras.ai/models/openai-oss), the
     * list and catalogue give the paid 131,072: 65,536 less the 16,000-token output budget
     * below, as the shipped config.yaml has it. A paid key may raise it to 115072. */
    {INIT_PRIMARY, "gpt-oss-120b", 49536},
    /* gemma-4-31b (inference-docs.cerebras.ai/models/gemma-4-31b): context not published */
    {INIT_PRIMARY, "gemma-4-31b", 0},
    /* Z.AI: glm-5.2 is the flagship since June 2026 (1M context); older ones for plans or
     * keys that do not list it (docs.z.ai model overview). */
    {INIT_FALLBACK, "glm-5.2", 0},
    {INIT_FALLBACK, "glm-5.1", 0},
    {INIT_FALLBACK, "glm-5", 0},
    {INIT_FALLBACK, "glm-4.7", 0},
    {INIT_FALLBACK, "glm-4.6", 0},
    /* Claude Code's background calls (titles, summaries): Z.AI's small, fast model */
    {INIT_SMALL, "glm-4.5-air", 0},
};

static enum provider_kind role_kind(enum init_role role)
{
    return role == INIT_PRIMARY ? PROVIDER_CEREBRAS : PROVIDER_ZAI;
}

const char *init_pick(enum init_role role, const struct lineup_offer *offer)
{
    for (size_t i = 0; i < sizeof prefs / sizeof prefs[0]; i++) {
        int at = prefs[i].role == role ? lineup_offer_find(offer, prefs[i].model) : -1;
        if (at >= 0)
            return offer->models[at];
    }
    if (role == INIT_SMALL || offer->n == 0)
        return NULL;
    for (int i = 0; i < offer->n; i++)
        if (provider_rules_for(role_kind(role), offer->models[i])->model_prefix[0])
            return offer->models[i];
    return offer->models[0];
}

const char *init_default(enum init_role role)
{
    for (size_t i = 0; i < sizeof prefs / sizeof prefs[0]; i++)
        if (prefs[i].role == role)
            return prefs[i].model;
    return "glm-4.6"; /* not reached: every role has a row */
}

long init_input_tokens(enum init_role role, const char *model)
{
    for (size_t i = 0; model && i < sizeof prefs / sizeof prefs[0]; i++)
        if (prefs[i].role == role && strcmp(prefs[i].model, model) == 0)
            return prefs[i].input_tokens;
    return 0;
}

bool init_key_plausible(const char *s)
{
    size_t n = strlen(s);
    if (n < 8 || n > 512)
        return false;
    for (const char *p = s; *p; p++)
        if (*p <= ' ' || *p > '~' || strchr("\"'\\#$`", *p))
            return false;
    return true;
}

static const char *base_or(const char *base, const char *dflt)
{
    return base && *base ? base : dflt;
}

static void cerebras_entry(FILE *b, const struct init_choice *c)
{
    long window = init_input_tokens(INIT_PRIMARY, c->cerebras_model);
    fprintf(b,
            "  # Cerebras first: fast, but its free tier allows 10 requests and 150K tokens a\n"
            "  # minute (inference-docs.cerebras.ai/support/rate-limits), and it books\n"
            "  # max_tokens against that up front.\n"
            "  - model_name: glm-4.6\n"
            "    litellm_params:\n"
            "      model: cerebras/%s\n",
            c->cerebras_model);
    if (c->cerebras_base && *c->cerebras_base && strcmp(c->cerebras_base, INIT_CEREBRAS_BASE))
        fprintf(b, "      api_base: %s\n", c->cerebras_base);
    fprintf(b, "      api_key: os.environ/CEREBRAS_API_KEY\n"
               "      rpm: 10\n"
               "      tpm: 150000\n"
               "      max_tokens: 16000\n");
    if (window > 0)
        fprintf(b,
                "    model_info:\n"
                "      # the free tier's window less max_tokens; a paid key may raise it\n"
                "      max_input_tokens: %ld\n",
                window);
}

static void zai_entry(FILE *b, const char *group, const char *model, const char *base)
{
    fprintf(b,
            "  - model_name: %s\n"
            "    litellm_params:\n"
            "      model: anthropic/%s\n"
            "      api_base: %s\n"
            "      api_key: os.environ/ZAI_API_KEY\n",
            group, model, base_or(base, INIT_ZAI_BASE));
}

/* The group the glm-4.6 requests end in: Cerebras' when there is one, else Z.AI's. */
static void model_list(FILE *b, const struct init_choice *c)
{
    fprintf(b, "model_list:\n");
    if (c->cerebras_model)
        cerebras_entry(b, c);
    if (c->zai_model) {
        fprintf(b, "\n  # Z.AI through its Anthropic-compatible endpoint%s\n",
                c->cerebras_model ? ": where glm-4.6 goes when Cerebras is\n"
                                    "  # rate-limited, failing, or the request is too "
                                    "large for it."
                                  : ".");
        zai_entry(b, c->cerebras_model ? "zai-glm" : "glm-4.6", c->zai_model, c->zai_base);
    }
    if (c->zai_small) {
        fprintf(b, "\n  # Small, fast model for Claude Code's background calls (titles, "
                   "summaries).\n");
        zai_entry(b, "glm-4.5-air", c->zai_small, c->zai_base);
    }
}

/* A string built by fprintf: open_memstream's, NULL when any write failed. */
static FILE *text_open(char **p, size_t *n)
{
    *p = NULL;
    return open_memstream(p, n);
}

/* *p is only valid once the stream is closed (open_memstream sets it on fclose). */
static char *text_close(FILE *b, char **p)
{
    bool ok = !ferror(b);
    if (fclose(b) != 0 || !ok || !*p) {
        free(*p);
        return NULL;
    }
    return *p;
}

char *init_config_text(const struct init_choice *c)
{
    char *p;
    size_t n;
    FILE *b = text_open(&p, &n);
    if (!b)
        return NULL;
    fprintf(b,
            "# switchboard config written by `switchboard init` on %s, for the models these\n"
            "# keys may use (each provider was asked for its list; no request was spent).\n"
            "# A LiteLLM proxy config.yaml: `litellm --config` reads it too. Every key with its\n"
            "# default is in share/switchboard/config.example.yaml. The keys are in the .env\n"
            "# beside this file. Check it with `switchboard --check --online`.\n\n",
            c->written_on ? c->written_on : "");
    model_list(b, c);
    fprintf(b, "\nrouter_settings:\n");
    if (c->cerebras_model && c->zai_model)
        fprintf(b, "  fallbacks: [{\"glm-4.6\": [\"zai-glm\"]}]\n");
    fprintf(b, "  allowed_fails: 1\n"
               "  cooldown_time: 60\n"
               "  num_retries: 2\n"
               "  # Claude Code asks for claude-* names; the first match wins.\n"
               "  model_group_alias:\n");
    if (c->zai_small)
        fprintf(b, "    \"claude-*haiku*\": glm-4.5-air\n");
    fprintf(b, "    \"claude-*\": glm-4.6\n\n");
    if (c->master_key)
        fprintf(b, "general_settings:\n"
                   "  # Clients send this as their API key: a random one, in the .env beside "
                   "this file.\n"
                   "  master_key: os.environ/LITELLM_MASTER_KEY\n");
    else
        fprintf(b,
                "# No master key yet: every program on this machine may use switchboard. Put\n"
                "# LITELLM_MASTER_KEY=<a random key> in the .env beside this file and uncomment:\n"
                "# general_settings:\n"
                "#   master_key: os.environ/LITELLM_MASTER_KEY\n");
    return text_close(b, &p);
}

char *init_env_text(const char *cerebras_key, const char *zai_key, const char *master_key)
{
    char *p;
    size_t n;
    FILE *b = text_open(&p, &n);
    if (!b)
        return NULL;
    fprintf(b, "# switchboard's keys, written by `switchboard init` (mode 0600: keep it so).\n"
               "# Variables already set in the environment win over these.\n");
    if (cerebras_key)
        fprintf(b, "CEREBRAS_API_KEY=%s\n", cerebras_key);
    if (zai_key)
        fprintf(b, "ZAI_API_KEY=%s\n", zai_key);
    fprintf(b,
            "# The key clients send (switchboard claude and configure-claude read it here).\n"
            "LITELLM_MASTER_KEY=%s\n",
            master_key);
    return text_close(b, &p);
}

void init_summary(const struct init_choice *c, char *out, size_t n)
{
    if (c->cerebras_model && c->zai_model)
        snprintf(out, n, "glm-4.6 -> Cerebras %s, then Z.AI %s", c->cerebras_model, c->zai_model);
    else if (c->cerebras_model)
        snprintf(out, n, "glm-4.6 -> Cerebras %s (no fallback: no Z.AI key)", c->cerebras_model);
    else
        snprintf(out, n, "glm-4.6 -> Z.AI %s (no Cerebras key)", c->zai_model ? c->zai_model : "?");
}
