/* simprov_validate: checks a request body the way the simulated providers do: Cerebras's
 * strict whitelist for the OpenAI dialect, Z.AI's Anthropic endpoint for the Anthropic one,
 * each by its row of the provider table (xlate/provider_rules.h) for the request's model.
 * Pure (cJSON and libc); thread-safe (no state). */
#ifndef SB_SIMPROV_VALIDATE_H
#define SB_SIMPROV_VALIDATE_H

#include <stddef.h>
#include <cJSON.h>

#include "core/api.h"

/* Returns 0 if the provider would accept req, else -EINVAL with the reason it would give in
 * its 400 body written to why (always NUL-terminated, truncated to n). Keeps no pointers. */
int simprov_validate(enum api dialect, const cJSON *req, char *why, size_t n);

#endif
