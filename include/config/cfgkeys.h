/* cfgkeys: what each LiteLLM and switchboard config key means: defaults, validation, provider
 * prefixes, fallbacks, aliases, deployment ids. Works on a cfgtree; knows nothing of YAML. */
#ifndef SB_CFGKEYS_H
#define SB_CFGKEYS_H

#include "config/cfgtree.h"
#include "config/config.h"

/* A config holding only the defaults, one reference, path = name. NULL on OOM. */
struct config *cfgkeys_new(const char *name);
/* Frees everything, whatever the refcount (config_free decides when). NULL is a no-op. */
void cfgkeys_destroy(struct config *c);
/* Fills x->c from the document root, applies LITELLM_MASTER_KEY and assigns ids.
 * 0, or -EINVAL / -ENOMEM with x->err set. Frees its scratch (x->provider) before returning. */
int cfgkeys_load(struct cfgctx *x, struct cfgnode *root);

#endif
