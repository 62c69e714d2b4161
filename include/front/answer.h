/* answer: the facts the proxy records about an answer it passed on, read from the answer in
 * the client's dialect: the cached part of the input and why it stopped. Pure; thread-safe. */
#ifndef SB_ANSWER_H
#define SB_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/api.h"

/* Anthropic: usage.cache_read_input_tokens and stop_reason; OpenAI:
 * usage.prompt_tokens_details.cached_tokens and choices[0].finish_reason. Absent ones give 0
 * and "". */
void answer_facts(const cJSON *answer, enum api client, long *tokens_cached, char *stop,
                  size_t stop_cap);
/* The answer ran out of output budget: "max_tokens" (Anthropic) or "length" (OpenAI). */
bool answer_stopped_at_budget(const char *stop);

#endif
