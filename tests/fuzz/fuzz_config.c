/* fuzz_config: config_parse on arbitrary bytes as YAML (LiteLLM config.yaml plus our keys).
 * A refusal must come with a message; an accepted config must be self-consistent enough for
 * the lookups the router makes. */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "fuzz_common.h"

static void on_warn(void *ud, const char *msg)
{
    (void)ud;
    if (!msg)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[CONFIG_ERR_LEN] = "";
    struct config *c = config_parse((const char *)data, size, "fuzz.yaml", on_warn, NULL, err);
    if (!c) {
        if (!err[0])
            abort();
        return 0;
    }
    for (size_t i = 0; i < c->n_deps; i++) {
        const struct deployment_cfg *d = &c->deps[i];
        if (!d->group || !d->id || !d->model || !d->api_base)
            abort();
        if (config_find_deployment(c, d->id) < 0 || !config_has_group(c, d->group))
            abort();
    }
    (void)config_resolve_model(c, "claude-sonnet-4-5");
    (void)config_resolve_model(c, "");
    config_free(config_ref(c));
    config_free(c);
    return 0;
}
