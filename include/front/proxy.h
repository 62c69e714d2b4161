/* proxy: serves one client completion request end to end: validation, routing over the
 * candidates, translation, retries and fallback, streaming relay, and the record of it. */
#ifndef SB_PROXY_H
#define SB_PROXY_H

#include <stddef.h>

#include "core/api.h"

struct front_env;
struct mg_connection;

/* Handles POST /v1/messages (API_ANTHROPIC) or /v1/chat/completions (API_OPENAI). body is the
 * complete request body. Returns the HTTP status sent to the client. */
int proxy_serve(struct front_env *env, struct mg_connection *c, enum api client, const char *body,
                size_t len);
/* Handles POST /v1/messages/count_tokens locally (never calls a provider). */
int proxy_count_tokens(struct front_env *env, struct mg_connection *c, const char *body,
                       size_t len);

#endif
