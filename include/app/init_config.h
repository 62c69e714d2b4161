/* init_config: what `switchboard init` writes, as text: which offered model serves each role
 * (a preference table, one row per role and model, each with its source) and the config.yaml
 * and .env built from those choices. Pure: no I/O, no clock, no globals; thread-safe. */
#ifndef SB_INIT_CONFIG_H
#define SB_INIT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/api.h"
#include "route/lineup.h"

/* What a model does in the written config. */
enum init_role {
    INIT_PRIMARY,  /* Cerebras: the group clients ask for (glm-4.6), tried first */
    INIT_FALLBACK, /* Z.AI: where that group goes when Cerebras refuses (zai-glm), or the group
                      itself without a Cerebras key */
    INIT_SMALL,    /* Z.AI: Claude Code's background model (glm-4.5-air); none = no group */
};

/* The default addresses of the two providers (written into the config only when they differ,
 * or always for Z.AI, whose anthropic/ prefix would otherwise mean Anthropic's own API). */
#define INIT_CEREBRAS_BASE "https://api.cerebras.ai/v1"
#define INIT_ZAI_BASE      "https://api.z.ai/api/anthropic"

/* The model for role among those offered: the first row of the preference table for role that
 * the offer names; else, for PRIMARY and FALLBACK, the first offered model of a family the
 * provider table knows (its quirks are handled), else the first offered. NULL when the offer
 * is empty, or for SMALL when no row matches. */
const char *init_pick(enum init_role role, const struct lineup_offer *offer);
/* The role's first preference (for a key that could not be checked): never NULL. */
const char *init_default(enum init_role role);
/* The input window to write as model_info.max_input_tokens for model in role (a window the
 * list does not say: Cerebras' free tier), or 0 for none. */
long init_input_tokens(enum init_role role, const char *model);

struct init_choice {
    const char *cerebras_model; /* NULL: no Cerebras key */
    const char *zai_model;      /* NULL: no Z.AI key */
    const char *zai_small;      /* NULL: no small group */
    const char *cerebras_base;  /* NULL or "": INIT_CEREBRAS_BASE, not written */
    const char *zai_base;       /* NULL or "": INIT_ZAI_BASE */
    const char *written_on;     /* "2026-12-04", for the header comment */
    bool master_key;            /* the .env holds LITELLM_MASTER_KEY: the config names it */
};

/* config.yaml for c (at least one provider set). Caller frees; NULL when out of memory. */
char *init_config_text(const struct init_choice *c);
/* .env: the keys given (NULL = left out) and the master key. Caller frees (after zeroing:
 * it holds the keys); NULL when out of memory. */
char *init_env_text(const char *cerebras_key, const char *zai_key, const char *master_key);
/* Whether s can be written as an unquoted .env value and sent in a header: printable ASCII,
 * no space, quote, backslash, '#' or '$', 8 to 512 bytes. */
bool init_key_plausible(const char *s);
/* The roles' one-line summary for the terminal: "glm-4.6 -> Cerebras gpt-oss-120b, then
 * Z.AI glm-5.2", written into out (n bytes). */
void init_summary(const struct init_choice *c, char *out, size_t n);

#endif
