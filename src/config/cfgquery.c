/* cfgquery: lookups on a loaded struct config and its reference count. Pure (no YAML), so the
 * core (router, state) can use them without depending on the loader. */
#include "config/config.h"

#include <string.h>

#include "config/cfgkeys.h"
#include "config/cfgutil.h"

struct config *config_ref(struct config *c)
{
    if (c)
        __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
    return c;
}

void config_free(struct config *c)
{
    if (c && __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
        cfgkeys_destroy(c);
}

int config_find_deployment(const struct config *c, const char *id)
{
    for (size_t i = 0; c && id && i < c->n_deps; i++)
        if (!strcmp(c->deps[i].id, id))
            return (int)i;
    return -1;
}

static const char *group_n(const struct config *c, const char *s, size_t n)
{
    for (size_t i = 0; i < c->n_deps; i++)
        if (strlen(c->deps[i].group) == n && !strncmp(c->deps[i].group, s, n))
            return c->deps[i].group;
    return NULL;
}

bool config_has_group(const struct config *c, const char *group)
{
    return c && group && group_n(c, group, strlen(group));
}

bool config_group_has_fallbacks(const struct config *c, const char *group)
{
    for (size_t f = 0; c && group && f < c->n_fallbacks; f++) {
        const struct fallback_cfg *fb = &c->fallbacks[f];
        if (!fb->from || (strcmp(fb->from, group) != 0 && strcmp(fb->from, "*") != 0))
            continue;
        for (size_t t = 0; t < fb->n_to; t++)
            if (fb->to[t] && strcmp(fb->to[t], group) != 0 && config_has_group(c, fb->to[t]))
                return true;
    }
    return false;
}

const char *config_resolve_model(const struct config *c, const char *requested)
{
    const char *g;
    size_t n;

    if (!c)
        return NULL;
    if (!requested || !*requested)
        return c->default_model;
    /* "glm-4.6[1m]": a context-size tag some clients append; the group is what precedes it. */
    n = cfgutil_strip_tag(requested);
    if ((g = group_n(c, requested, strlen(requested))) || (g = group_n(c, requested, n)))
        return g;
    for (size_t i = 0; i < c->n_aliases; i++)
        if (cfgutil_glob(c->aliases[i].pattern, requested, n))
            return c->aliases[i].target;
    return c->default_model;
}

unsigned long long config_text_hash(const char *p, size_t n)
{
    unsigned long long h = 1469598103934665603ull;
    for (size_t i = 0; p && i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}
