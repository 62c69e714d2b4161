/* window: a deployment's context window from config, discovery and the provider table (see
 * window.h). */
#include "front/window.h"

#include "xlate/provider_rules.h"

long window_context(const struct deployment_cfg *d, const struct dep_lineup *l)
{
    if (l && l->context > 0)
        return l->context;
    return provider_rules_for(d->kind, d->model)->context_window;
}

long window_max_input(const struct deployment_cfg *d, const struct dep_lineup *l, long budget)
{
    if (d->max_input_tokens > 0)
        return d->max_input_tokens;
    long ctx = window_context(d, l);
    if (ctx <= 0)
        return 0;
    long out = budget > 0 ? budget : 0;
    if (out > ctx / 2)
        out = ctx / 2;
    return ctx - out;
}
