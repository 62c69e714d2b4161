/* window: how many tokens a deployment's model takes, from what is known of it: the config's
 * model_info.max_input_tokens (a free tier's smaller window), else the context length its
 * provider published (discovery), else the provider table's row for the model. The proxy skips
 * a deployment a request is too large for when a later candidate takes it; /v1/models and
 * `switchboard claude` tell clients the largest window a model group reaches. Pure. */
#ifndef SB_WINDOW_H
#define SB_WINDOW_H

#include "config/config.h"
#include "route/lineup.h"

/* The model's whole context (input + output); 0 = not known. */
long window_context(const struct deployment_cfg *d, const struct dep_lineup *l);
/* The largest input it takes when budget output tokens are asked for (the output takes at
 * most half the context here); 0 = not known. */
long window_max_input(const struct deployment_cfg *d, const struct dep_lineup *l, long budget);

#endif
