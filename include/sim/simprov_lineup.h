/* simprov_lineup: which models a simulated provider serves, and the answers that depend on it:
 * its model list (Cerebras' GET /v1/models, Z.AI's Anthropic-style GET /api/anthropic/v1/models),
 * Cerebras' public catalogue with context lengths (GET /public/v1/models), and the refusal of a
 * model it does not serve (Cerebras 404 model_not_found, Z.AI 1211). Today's lineups are the
 * defaults. Pure (cJSON and libc); a lineup is plain data the server guards. */
#ifndef SB_SIMPROV_LINEUP_H
#define SB_SIMPROV_LINEUP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/api.h"

#define SIMPROV_LINEUP_MAX 32 /* models one simulated provider serves at most */
#define SIMPROV_MODEL_LEN  64

struct simprov_lineup {
    int n;
    char models[SIMPROV_LINEUP_MAX][SIMPROV_MODEL_LEN];
};

/* Today's lineup of the provider a dialect stands for: Cerebras gpt-oss-120b and gemma-4-31b;
 * Z.AI glm-5.2, glm-5.1, glm-5, glm-4.7, glm-4.6 and glm-4.5-air. */
void simprov_lineup_default(enum api d, struct simprov_lineup *out);
/* From "a,b,c" (spaces around names ignored; empty names skipped). 0, or -EINVAL for a name
 * too long or too many names. */
int simprov_lineup_parse(const char *csv, struct simprov_lineup *out);
/* From a JSON array of strings. 0 or -EINVAL. */
int simprov_lineup_from_json(const void *cjson_array, struct simprov_lineup *out);
bool simprov_lineup_has(const struct simprov_lineup *l, const char *model);

/* The model list in the provider's shape; owner goes into owned_by. Caller frees; NULL on
 * OOM. */
char *simprov_lineup_list_body(enum api d, const struct simprov_lineup *l, const char *owner);
/* Cerebras' public catalogue for the lineup: the models it knows the limits of carry
 * limits.max_context_length and max_completion_tokens. Caller frees; NULL on OOM. */
char *simprov_lineup_catalog_body(const struct simprov_lineup *l);

/* The refusal of a model the provider does not serve: status and body (caller frees). rid is
 * the request id for Z.AI's body. */
int simprov_lineup_refusal_status(enum api d);
char *simprov_lineup_refusal_body(enum api d, const char *model, const char *rid);

#endif
