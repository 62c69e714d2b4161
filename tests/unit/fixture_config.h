/* fixture_config: builds a struct config by hand for router and state tests, without YAML.
 * Strings are literals and the fixture keeps one reference of its own, so config_free from
 * the code under test never reaches zero and frees nothing. */
#ifndef SB_FIXTURE_CONFIG_H
#define SB_FIXTURE_CONFIG_H

#include <stdint.h>
#include <string.h>

#include "config/config.h"

#define FX_MAX_DEPS 16
#define FX_MAX_FB   4

struct fixture {
    struct config cfg;
    struct deployment_cfg deps[FX_MAX_DEPS];
    struct fallback_cfg fb[FX_MAX_FB];
    char *to[FX_MAX_FB][4];
};

static inline void fx_init(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    f->cfg.refs = 1;
    f->cfg.deps = f->deps;
    f->cfg.fallbacks = f->fb;
    f->cfg.num_retries = 2;
    f->cfg.allowed_fails = 3;
    f->cfg.cooldown_time_s = 60;
    f->cfg.timeout_s = 600;
    f->cfg.proactive_routing = true;
}

/* Adds a deployment; name doubles as id unless id is given. Returns its index. */
static inline int fx_dep(struct fixture *f, const char *group, const char *name, const char *id,
                         long rpm, long tpm, const char *key)
{
    int i = (int)f->cfg.n_deps++;
    struct deployment_cfg *d = &f->deps[i];
    d->group = (char *)(uintptr_t)group;
    d->name = (char *)(uintptr_t)name;
    d->id = (char *)(uintptr_t)(id ? id : name);
    d->model = (char *)(uintptr_t) "model-x";
    d->api_base = (char *)(uintptr_t) "https://api.example.test/v1";
    d->api_key = (char *)(uintptr_t)key;
    d->api_key_env = (char *)(uintptr_t) "EXAMPLE_API_KEY";
    d->dialect = API_OPENAI;
    d->rpm = rpm;
    d->tpm = tpm;
    return i;
}

/* Adds a fallback rule from -> up to four groups (NULL-terminated list). */
static inline void fx_fallback(struct fixture *f, const char *from, const char *to0,
                               const char *to1)
{
    int k = (int)f->cfg.n_fallbacks++;
    f->fb[k].from = (char *)(uintptr_t)from;
    f->to[k][0] = (char *)(uintptr_t)to0;
    f->to[k][1] = (char *)(uintptr_t)to1;
    f->fb[k].to = f->to[k];
    f->fb[k].n_to = to1 ? 2 : 1;
}

#endif
