/* tokest: a conservative local token estimate for count_tokens and the proactive token
 * budget. Over-estimates on purpose (GLM tokenises JSON and code densely). Pure. */
#ifndef SB_TOKEST_H
#define SB_TOKEST_H

#include <cJSON.h>

#include "core/api.h"

/* Estimated input tokens of a request in the given dialect (system, messages, tools). */
long tokest_request(const cJSON *req, enum api dialect);
/* Estimated tokens of a plain text. */
long tokest_text(const char *s, size_t n);

#endif
