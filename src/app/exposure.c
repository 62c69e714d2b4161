/* exposure: the refusal to serve a network without a real master key. */
#include "app/exposure.h"

#include <stdio.h>
#include <string.h>

#include "core/netname.h"

/* Example keys from the LiteLLM docs and this repository's own config.yaml and README
 * (https://docs.litellm.ai/docs/proxy/quick_start uses sk-1234): anyone would try them first.
 * Longer ones would go here; every key shorter than EXPOSURE_MIN_KEY is refused anyway. */
static const char *const example_keys[] = {"sk-1234"};

bool exposure_weak_key(const char *key)
{
    if (!key || strlen(key) < EXPOSURE_MIN_KEY)
        return true;
    for (size_t i = 0; i < sizeof example_keys / sizeof example_keys[0]; i++)
        if (strcmp(key, example_keys[i]) == 0)
            return true;
    return false;
}

bool exposure_problem(const char *host, const char *key, char *why, size_t len)
{
    char h[NETNAME_HOST_MAX];
    if (netname_norm_host(host, h) == 0 && netname_is_loopback(h))
        return false;
    if (!exposure_weak_key(key))
        return false;
    const char *what = !key || !*key                    ? "no master key"
                       : strlen(key) < EXPOSURE_MIN_KEY ? "a master key shorter than 16 characters"
                                                        : "the example master key from the docs";
    snprintf(why, len,
             "switchboard would listen on %s, reachable from other machines, with %s: anyone "
             "who can reach it could spend your providers' quota and use its admin API. Set "
             "general_settings.master_key (or LITELLM_MASTER_KEY) to a random key of at least "
             "%d characters (e.g. `openssl rand -hex 24`), listen on 127.0.0.1, or pass "
             "--insecure to run like this anyway",
             host, what, EXPOSURE_MIN_KEY);
    return true;
}
