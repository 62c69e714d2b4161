/* cfgkeys: LiteLLM config semantics over a cfgtree: sections, deployments, fallbacks, aliases.
 * Leaf module: libc only; the YAML side is config.c. */
#include "config/cfgkeys.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cfgutil.h"
#include "core/netname.h"

#define PATH_LEN       192
#define VAR_LEN        128
#define MAX_BODY_LIMIT ((size_t)1 << 30)
#define NITEMS(a)      (sizeof(a) / sizeof((a)[0]))
#define SECTION(k, u)                                                                              \
    {                                                                                              \
        k, NITEMS(k), u                                                                            \
    }

/* path.key into out; a shortened path only shortens a message. */
static void key_path(char out[PATH_LEN], const char *path, const char *key)
{
    if (snprintf(out, PATH_LEN, "%s.%s", path, key) >= PATH_LEN)
        out[PATH_LEN - 1] = '\0';
}

/* An optional string that may name an environment variable (os.environ/VAR, ${VAR} or $VAR).
 * Returns 1 when v is null (nothing set), 0 with *s the text as written and *ref 1 when it
 * names the variable now in var, else the error (reported at v; tail ends the message for a
 * bad name, so a secret is never quoted back). */
static int env_str(struct cfgctx *x, struct cfgnode *v, const char *path, bool secret,
                   const char *tail, char var[VAR_LEN], const char **s, int *ref)
{
    if (cfgtree_is_null(v))
        return 1;
    if (cfgtree_str(x, v, path, secret, s))
        return -EINVAL;
    *ref = cfgutil_env_ref(*s, var, VAR_LEN);
    if (*ref < 0)
        return cfgtree_fail(x, v, "%s: expected os.environ/NAME with a valid variable name%s", path,
                            tail);
    return 0;
}

/* ---- model groups, fallbacks, aliases -------------------------------------- */

/* Not config_has_group: that lives in the adapter layer, which core must not call. */
static bool has_group(const struct config *c, const char *g)
{
    for (size_t i = 0; i < c->n_deps; i++)
        if (c->deps[i].group && !strcmp(c->deps[i].group, g))
            return true;
    return false;
}

static int need_group(struct cfgctx *x, struct cfgnode *v, const char *path, bool star,
                      const char **out)
{
    char vb[64];

    if (cfgtree_str(x, v, path, false, out))
        return -EINVAL;
    if ((star && !strcmp(*out, "*")) || has_group(x->c, *out))
        return 0;
    return cfgtree_fail(x, v, "%s: no deployment in model_list serves model group %s", path,
                        cfgtree_shown(v, false, vb));
}

static struct fallback_cfg *new_fallback(struct config *c, const char *from, size_t n)
{
    struct fallback_cfg *fb = realloc(c->fallbacks, (c->n_fallbacks + 1) * sizeof(*fb));

    if (!fb)
        return NULL;
    c->fallbacks = fb;
    fb = &c->fallbacks[c->n_fallbacks++];
    *fb = (struct fallback_cfg){strdup(from), calloc(n ? n : 1, sizeof(char *)), 0};
    return fb->from && fb->to ? fb : NULL;
}

/* to is a list of groups, or one group as a plain string. */
static int add_fallback(struct cfgctx *x, const char *from, struct cfgnode *to, const char *path)
{
    bool one = to->type == CFGNODE_SCALAR;
    struct fallback_cfg *fb;
    char sub[PATH_LEN];
    const char *g;

    if (cfgtree_is_null(to) || (!one && to->n == 0))
        return 0; /* an empty list adds nothing for the router to walk */
    if (!(fb = new_fallback(x->c, from, one ? 1 : to->n)))
        return cfgtree_oom(x, to);
    for (size_t i = 0; i < (one ? 1 : to->n); i++) {
        struct cfgnode *t = one ? to : to->kids[i];
        snprintf(sub, sizeof(sub), one ? "%s" : "%s[%zu]", path, i);
        if (need_group(x, t, sub, false, &g))
            return -EINVAL;
        if (!(fb->to[fb->n_to] = strdup(g)))
            return cfgtree_oom(x, t);
        fb->n_to++;
    }
    return 0;
}

static int fallback_map(struct cfgctx *x, struct cfgnode *m, const char *path)
{
    char at[PATH_LEN];
    struct cfgpairs ps;
    const char *from;
    int rc = cfgtree_pairs(x, m, path, &ps);

    for (size_t i = 0; !rc && i < ps.n; i++) {
        key_path(at, path, ps.v[i].k);
        rc = need_group(x, ps.v[i].key, path, true, &from);
        if (!rc && ps.v[i].val->type == CFGNODE_MAP)
            rc = cfgtree_fail(x, ps.v[i].val, "%s: expected a list of model groups", at);
        if (!rc)
            rc = add_fallback(x, from, ps.v[i].val, at);
    }
    free(ps.v);
    return rc;
}

/* fallbacks: [{"glm-4.6": ["zai-glm-4.6"]}]; a single string stands for a one-item list. */
static int fn_fallbacks(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    char sub[PATH_LEN], vb[64];
    int rc = 0;

    if (cfgtree_is_null(v))
        return 0;
    if (v->type != CFGNODE_SEQ)
        return cfgtree_fail(x, v, "%s: expected a list of {model_group: [fallback groups]}, got %s",
                            path, cfgtree_shown(v, false, vb));
    for (size_t i = 0; !rc && i < v->n; i++) {
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (v->kids[i]->type != CFGNODE_MAP)
            return cfgtree_fail(x, v->kids[i], "%s: expected {model_group: [fallback groups]}",
                                sub);
        rc = fallback_map(x, v->kids[i], sub);
    }
    return rc;
}

/* default_fallbacks: ["zai-glm-4.6"]: fallbacks for every group. */
static int fn_default_fallbacks(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    char vb[64];

    if (cfgtree_is_null(v))
        return 0;
    if (v->type == CFGNODE_MAP)
        return cfgtree_fail(x, v, "%s: expected a list of model groups, got %s", path,
                            cfgtree_shown(v, false, vb));
    return add_fallback(x, "*", v, path);
}

static int add_alias(struct cfgctx *x, const char *pattern, const char *target, struct cfgnode *at)
{
    struct config *c = x->c;
    struct alias_cfg *a = realloc(c->aliases, (c->n_aliases + 1) * sizeof(*a));

    if (!a)
        return cfgtree_oom(x, at);
    c->aliases = a;
    a = &c->aliases[c->n_aliases++];
    *a = (struct alias_cfg){strdup(pattern), strdup(target)};
    return a->pattern && a->target ? 0 : cfgtree_oom(x, at);
}

/* One alias value: "group", or LiteLLM's {model: group, hidden: bool}. */
static int alias_target(struct cfgctx *x, struct cfgnode *v, const char *path, const char **target)
{
    static const struct cfgkey hidden_key = {.kind = CFGK_BOOL};
    char sub[PATH_LEN], kb[64];
    struct cfgpairs ps;
    bool hidden;
    int rc;

    if (v->type != CFGNODE_MAP)
        return need_group(x, v, path, false, target);
    *target = NULL;
    rc = cfgtree_pairs(x, v, path, &ps);
    for (size_t i = 0; !rc && i < ps.n; i++) {
        struct cfgnode *val = ps.v[i].val;
        key_path(sub, path, ps.v[i].k);
        if (!strcmp(ps.v[i].k, "model"))
            rc = need_group(x, val, sub, false, target);
        else if (!strcmp(ps.v[i].k, "hidden") && !cfgtree_is_null(val))
            rc = cfgtree_scalar(x, val, sub, &hidden_key, &hidden);
        else if (strcmp(ps.v[i].k, "hidden"))
            cfgtree_warn(x, ps.v[i].key, "unknown key '%s' in %s (ignored)",
                         cfgtree_keyname(ps.v[i].k, kb), path);
    }
    free(ps.v);
    if (!rc && !*target)
        rc = cfgtree_fail(x, v, "%s: missing model", path);
    return rc;
}

static int fn_aliases(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    char sub[PATH_LEN];
    const char *target;
    struct cfgpairs ps;
    int rc = cfgtree_pairs(x, v, path, &ps);

    for (size_t i = 0; !rc && i < ps.n; i++) {
        key_path(sub, path, ps.v[i].k);
        if (!ps.v[i].k[0])
            rc = cfgtree_fail(x, ps.v[i].key, "%s: empty alias", path);
        else if (!(rc = alias_target(x, ps.v[i].val, sub, &target)))
            rc = add_alias(x, ps.v[i].k, target, ps.v[i].key);
    }
    free(ps.v);
    return rc;
}

/* ---- router_settings, litellm_settings ------------------------------------- */

#define NUM(k, st, f, l, h, p, w)                                                                  \
    {                                                                                              \
        k, CFGK_NUM, offsetof(st, f), l, h, p, w, NULL                                             \
    }
#define INT(k, st, f, l, h, w)                                                                     \
    {                                                                                              \
        k, CFGK_INT, offsetof(st, f), l, h, false, w, NULL                                         \
    }
#define FN(k, f)                                                                                   \
    {                                                                                              \
        k, CFGK_FN, 0, 0, 0, false, NULL, f                                                        \
    }
#define SECS     "a non-negative number of seconds"
#define POS_SECS "a positive number of seconds"

static const struct cfgkey retries_key =
    INT("num_retries", struct config, num_retries, 0, 100, "an integer from 0 to 100");
static const struct cfgkey timeout_key =
    NUM("timeout", struct config, timeout_s, 0, 1e9, true, POS_SECS);

static int fn_router_retries(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    x->router_retries = !cfgtree_is_null(v);
    return x->router_retries ? cfgtree_scalar(x, v, path, &retries_key, &x->c->num_retries) : 0;
}

static int fn_router_timeout(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    x->router_timeout = !cfgtree_is_null(v);
    return x->router_timeout ? cfgtree_scalar(x, v, path, &timeout_key, &x->c->timeout_s) : 0;
}

/* litellm_settings.num_retries counts only when router_settings did not set it. */
static int fn_ll_retries(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    int n = x->c->num_retries;
    int rc = cfgtree_is_null(v) ? 0 : cfgtree_scalar(x, v, path, &retries_key, &n);

    if (!x->router_retries)
        x->c->num_retries = n;
    return rc;
}

static int fn_ll_timeout(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    double t = x->c->timeout_s;
    int rc = cfgtree_is_null(v) ? 0 : cfgtree_scalar(x, v, path, &timeout_key, &t);

    if (!x->router_timeout)
        x->c->timeout_s = t;
    return rc;
}

/* redis_*: a string, a number (redis_port) or os.environ/VAR; an unset variable leaves the
 * key unset (as LiteLLM, which then reads REDIS_HOST etc. itself). Secrets are never shown. */
static int redis_value(struct cfgctx *x, struct cfgnode *v, const char *path, bool secret,
                       const char **val)
{
    char var[VAR_LEN];
    const char *s;
    int ref;

    *val = NULL;
    if (cfgtree_is_null(v))
        return 0;
    if (cfgtree_str(x, v, path, secret, &s))
        return -EINVAL;
    ref = cfgutil_env_ref(s, var, sizeof(var));
    if (ref < 0)
        return cfgtree_fail(x, v, "%s: expected os.environ/NAME with a valid variable name", path);
    *val = ref ? getenv(var) : s;
    if (*val && !**val)
        *val = NULL;
    return 0;
}

static int fn_redis_str(struct cfgctx *x, struct cfgnode *v, const char *path, char **field,
                        bool secret)
{
    const char *val;
    int rc = redis_value(x, v, path, secret, &val);

    return rc || !val ? rc : cfgtree_set_str(x, v, field, val);
}

static int fn_redis_host(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    return fn_redis_str(x, v, path, &x->c->redis_host, false);
}

static int fn_redis_password(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    return fn_redis_str(x, v, path, &x->c->redis_password, true);
}

static int fn_redis_url(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    return fn_redis_str(x, v, path, &x->c->redis_url, true);
}

static int fn_redis_port(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    const char *val;
    long port;
    int rc = redis_value(x, v, path, false, &val);

    if (rc || !val)
        return rc;
    if (cfgutil_parse_long(val, &port) || port < 1 || port > 65535)
        return cfgtree_fail(x, v, "%s: expected a port from 1 to 65535", path);
    x->c->redis_port = (int)port;
    return 0;
}

static const struct cfgkey router_keys[] = {
    FN("redis_host", fn_redis_host),
    FN("redis_port", fn_redis_port),
    FN("redis_password", fn_redis_password),
    FN("redis_url", fn_redis_url),
    FN("num_retries", fn_router_retries),
    FN("timeout", fn_router_timeout),
    NUM("stream_timeout", struct config, stream_timeout_s, 0, 1e9, false, SECS),
    INT("allowed_fails", struct config, allowed_fails, 0, INT_MAX, "a non-negative integer"),
    NUM("cooldown_time", struct config, cooldown_time_s, 0, 1e9, false, SECS),
    FN("fallbacks", fn_fallbacks),
    FN("default_fallbacks", fn_default_fallbacks),
    FN("model_group_alias", fn_aliases),
    {"routing_strategy", CFGK_STR, offsetof(struct config, routing_strategy), 0, 0, false, NULL,
     NULL},
};
static const char router_unsup[] =
    " cache_responses cache_kwargs "
    "retry_after retry_policy model_group_retry_policy allowed_fails_policy "
    "disable_cooldowns context_window_fallbacks content_policy_fallbacks max_fallbacks "
    "enable_pre_call_checks optional_pre_call_checks routing_strategy_args "
    "provider_budget_config enable_tag_filtering default_litellm_params "
    "default_max_parallel_requests polling_interval client_ttl set_verbose debug_level ";

static const struct cfgkey litellm_keys[] = {
    FN("fallbacks", fn_fallbacks),
    FN("default_fallbacks", fn_default_fallbacks),
    FN("num_retries", fn_ll_retries),
    FN("request_timeout", fn_ll_timeout),
    {"drop_params", CFGK_BOOL, offsetof(struct config, drop_params), 0, 0, false, NULL, NULL},
};
static const char litellm_unsup[] =
    " modify_params success_callback failure_callback callbacks service_callback "
    "callback_settings cache cache_params set_verbose json_logs turn_off_message_logging "
    "redact_user_api_key_info telemetry context_window_fallbacks content_policy_fallbacks "
    "max_budget budget_duration default_team_settings upperbound_key_generate_params "
    "num_retries_per_request force_ipv4 ssl_verify return_response_headers "
    "enable_preview_features ";

/* ---- general_settings, switchboard_settings -------------------------------- */

static int fn_master_key(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    char var[VAR_LEN];
    const char *s, *val, *env = env_lookup(x->dotenv, "LITELLM_MASTER_KEY");
    int ref, rc = env_str(x, v, path, true, "", var, &s, &ref);

    if (rc)
        return rc > 0 ? 0 : rc;
    val = ref ? env_lookup(x->dotenv, var) : s;
    if (val && *val)
        return cfgtree_set_str(x, v, &x->c->master_key, val);
    if (!ref || (env && *env))
        return 0;
    /* Serving without auth because a variable is missing would open the proxy silently. */
    return cfgtree_fail(
        x, v, "%s: environment variable %s is not set (set it or LITELLM_MASTER_KEY)", path, var);
}

static const struct cfgkey general_keys[] = {FN("master_key", fn_master_key)};
static const char general_unsup[] =
    " database_url database_connection_pool_limit database_connection_timeout "
    "store_model_in_db store_prompts_in_spend_logs alerting alerting_threshold alert_types "
    "proxy_batch_write_at disable_spend_logs disable_master_key_return ui_access_mode "
    "allowed_routes admin_only_routes public_routes custom_auth custom_key_generate "
    "max_parallel_requests global_max_parallel_requests background_health_checks "
    "health_check_interval health_check_details pass_through_endpoints "
    "forward_openai_org_id forward_client_headers_to_llm_api "
    "maximum_spend_logs_retention_period enforce_user_param litellm_key_header_name "
    "infer_model_from_keys user_header_name enable_jwt_auth litellm_jwtauth "
    "allow_requests_on_db_unavailable key_management_system key_management_settings otel ";

static int fn_host(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    const char *s;

    if (cfgtree_is_null(v))
        return 0;
    if (cfgtree_str(x, v, path, false, &s))
        return -EINVAL;
    if (!*s || strpbrk(s, " /\t"))
        return cfgtree_fail(x, v, "%s: expected a host name or address", path);
    return cfgtree_set_str(x, v, &x->c->host, s);
}

static int fn_default_model(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    const char *g;

    if (cfgtree_is_null(v))
        return 0;
    if (need_group(x, v, path, false, &g))
        return -EINVAL;
    return cfgtree_set_str(x, v, &x->c->default_model, g);
}

/* Reads one item of a string list into *out (a copy), or fails naming path. */
typedef int (*list_item_fn)(struct cfgctx *x, struct cfgnode *v, const char *path, char **out);

/* A list of strings, or one string standing for a one-item list, into *items and *n. */
static int str_list(struct cfgctx *x, struct cfgnode *v, const char *path, list_item_fn item,
                    char ***items, size_t *n)
{
    bool one = v->type == CFGNODE_SCALAR;
    char sub[PATH_LEN], vb[64];

    if (cfgtree_is_null(v))
        return 0;
    if (v->type == CFGNODE_MAP)
        return cfgtree_fail(x, v, "%s: expected a list, got %s", path, cfgtree_shown(v, false, vb));
    size_t count = one ? 1 : v->n;
    char **list = calloc(count ? count : 1, sizeof *list);
    if (!list)
        return cfgtree_oom(x, v);
    for (size_t i = 0; i < *n; i++)
        free((*items)[i]); /* a repeated key through "<<": the last one wins */
    free(*items);
    *items = list;
    *n = 0;
    for (size_t i = 0; i < count; i++) {
        snprintf(sub, sizeof sub, one ? "%s" : "%s[%zu]", path, i);
        if (item(x, one ? v : v->kids[i], sub, &list[i]))
            return -EINVAL;
        (*n)++;
    }
    return 0;
}

static int host_item(struct cfgctx *x, struct cfgnode *v, const char *path, char **out)
{
    char host[NETNAME_HOST_MAX], vb[64];
    const char *s;

    if (cfgtree_str(x, v, path, false, &s))
        return -EINVAL;
    if (netname_norm_host(s, host) != 0)
        return cfgtree_fail(x, v, "%s: expected a host name or IP address without a port, got %s",
                            path, cfgtree_shown(v, false, vb));
    return (*out = strdup(host)) ? 0 : cfgtree_oom(x, v);
}

static int origin_item(struct cfgctx *x, struct cfgnode *v, const char *path, char **out)
{
    struct netname o;
    char vb[64];
    const char *s;

    if (cfgtree_str(x, v, path, false, &s))
        return -EINVAL;
    if (netname_origin(s, &o) != 0)
        return cfgtree_fail(x, v,
                            "%s: expected an origin such as https://chat.example.com or "
                            "http://127.0.0.1:3000 (scheme, host and port only), got %s",
                            path, cfgtree_shown(v, false, vb));
    return (*out = strdup(s)) ? 0 : cfgtree_oom(x, v);
}

static int fn_allowed_hosts(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    (void)obj;
    return str_list(x, v, path, host_item, &x->c->allowed_hosts, &x->c->n_allowed_hosts);
}

static int fn_allowed_origins(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    (void)obj;
    return str_list(x, v, path, origin_item, &x->c->allowed_origins, &x->c->n_allowed_origins);
}

static const struct cfgkey switchboard_keys[] = {
    FN("host", fn_host),
    INT("port", struct config, port, 1, 65535, "an integer from 1 to 65535"),
    INT("num_threads", struct config, num_threads, 1, 8192, "an integer from 1 to 8192"),
    {"max_body_bytes", CFGK_SIZE, offsetof(struct config, max_body_bytes), 1024,
     (double)MAX_BODY_LIMIT, false, "a size from 1KiB to 1GiB such as 32MiB", NULL},
    NUM("connect_timeout", struct config, connect_timeout_s, 0, 1e6, true, POS_SECS),
    NUM("stream_idle_timeout", struct config, stream_idle_timeout_s, 0, 1e6, true, POS_SECS),
    FN("default_model", fn_default_model),
    {"proactive_routing", CFGK_BOOL, offsetof(struct config, proactive_routing), 0, 0, false, NULL,
     NULL},
    NUM("max_wait", struct config, max_wait_s, 0, 3600, false,
        "a number of seconds from 0 to 3600"),
    {"min_output_tokens", CFGK_LONG, offsetof(struct config, min_output_tokens), 0, 1e9, false,
     "a non-negative integer", NULL},
    NUM("redis_timeout_ms", struct config, redis_timeout_ms, 0, 10000, true,
        "a number of milliseconds from 0 to 10000"),
    FN("allowed_hosts", fn_allowed_hosts),
    FN("allowed_origins", fn_allowed_origins),
    NUM("discovery_interval", struct config, discovery_interval_s, 0, 1e7, false, SECS),
};

/* ---- model_list ------------------------------------------------------------ */

static int fn_model(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    struct deployment_cfg *d = obj;
    const char *s;

    x->model_node = v;
    if (cfgtree_str(x, v, path, false, &s))
        return -EINVAL;
    if (!*s)
        return cfgtree_fail(x, v, "%s: empty model", path);
    d->model_line = (int)v->line;
    d->model_col = (int)v->col;
    d->model_plain = v->plain;
    if (cfgtree_set_str(x, v, &d->model_written, s))
        return -ENOMEM;
    return cfgtree_set_str(x, v, &d->model, s);
}

static int fn_provider(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    const char *s;

    if (cfgtree_is_null(v))
        return 0;
    if (cfgtree_str(x, v, path, false, &s))
        return -EINVAL;
    return cfgtree_set_str(x, v, &x->provider, s);
}

/* os.environ/VAR, ${VAR} or $VAR. An unset variable is not an error: the deployment has no
 * key and the dashboard says which variable to set. */
static int fn_api_key(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    struct deployment_cfg *d = obj;
    char var[VAR_LEN];
    const char *s, *val;
    int ref, rc = env_str(x, v, path, true, ", got '<redacted>'", var, &s, &ref);

    if (rc)
        return rc > 0 ? 0 : rc;
    if (ref && cfgtree_set_str(x, v, &d->api_key_env, var))
        return -ENOMEM;
    val = ref ? env_lookup(x->dotenv, var) : s;
    return val && *val ? cfgtree_set_str(x, v, &d->api_key, val) : 0;
}

static int fn_api_base(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    struct deployment_cfg *d = obj;
    char var[VAR_LEN], host[256], vb[64];
    const char *s;
    int ref, rc = env_str(x, v, path, false, "", var, &s, &ref);

    if (rc)
        return rc > 0 ? 0 : rc;
    if (ref && !(s = env_lookup(x->dotenv, var)))
        return cfgtree_fail(x, v, "%s: environment variable %s is not set", path, var);
    if (cfgutil_url_host(s, host, sizeof(host)))
        return cfgtree_fail(x, v, "%s: expected an http:// or https:// URL, got %s", path,
                            ref ? "the value of $" : cfgtree_shown(v, false, vb));
    if (cfgtree_set_str(x, v, &d->api_base, s))
        return -ENOMEM;
    for (size_t n = strlen(d->api_base); n > 0 && d->api_base[n - 1] == '/'; n--)
        d->api_base[n - 1] = '\0';
    return 0;
}

#define DNUM(k, f) NUM(k, struct deployment_cfg, f, 0, 1e9, false, SECS)
#define DLONG(k, f)                                                                                \
    {                                                                                              \
        k, CFGK_LONG, offsetof(struct deployment_cfg, f), 1, (double)LONG_MAX, false,              \
            "a positive integer", NULL                                                             \
    }

static const struct cfgkey params_keys[] = {
    FN("model", fn_model),
    FN("api_key", fn_api_key),
    FN("api_base", fn_api_base),
    FN("custom_llm_provider", fn_provider),
    DNUM("timeout", timeout_s),
    DNUM("stream_timeout", stream_timeout_s),
    DLONG("rpm", rpm),
    DLONG("rph", rph),
    DLONG("rpd", rpd),
    DLONG("tpm", tpm),
    DLONG("tph", tph),
    DLONG("tpd", tpd),
    DLONG("max_tokens", max_tokens),
    INT("max_parallel_requests", struct deployment_cfg, max_parallel, 1, 100000,
        "an integer from 1 to 100000"),
};
static const char params_unsup[] =
    " api_version organization region_name aws_access_key_id aws_secret_access_key "
    "aws_region_name vertex_project vertex_location vertex_credentials "
    "input_cost_per_token output_cost_per_token max_retries weight order tags "
    "extra_headers headers use_in_pass_through mock_response "
    "merge_reasoning_content_in_choices drop_params additional_drop_params base_model "
    "litellm_credential_name temperature top_p seed reasoning_effort thinking ";

/* Splits "prefix/model" (or takes custom_llm_provider) and derives the provider facts. */
static int classify(struct cfgctx *x, struct deployment_cfg *d, const char *path)
{
    char host[256], name[CFGUTIL_NAME_LEN], vb[64];
    const char *slash = strchr(d->model, '/'), *pfx = x->provider ? x->provider : d->model;
    size_t plen = x->provider ? strlen(pfx) : slash ? (size_t)(slash - d->model) : 0;
    const struct cfgutil_prov *prov = cfgutil_prov_find(pfx, plen);

    if (!x->provider && !slash)
        return cfgtree_fail(x, x->model_node,
                            "%s.model: %s has no provider prefix (expected "
                            "cerebras/, anthropic/ or openai/)",
                            path, cfgtree_shown(x->model_node, false, vb));
    if (!prov)
        return cfgtree_fail(x, x->model_node,
                            "%s.model: provider '%.*s' is not supported by "
                            "switchboard (expected cerebras/, anthropic/ or openai/)",
                            path, (int)(plen > 40 ? 40 : plen), pfx);
    if (slash && (size_t)(slash - d->model) == plen && !strncmp(d->model, prov->prefix, plen))
        memmove(d->model, slash + 1, strlen(slash + 1) + 1);
    if (!d->model[0])
        return cfgtree_fail(x, x->model_node, "%s.model: no model after the provider", path);
    if (!d->api_base && !(d->api_base = strdup(prov->default_base)))
        return cfgtree_oom(x, x->model_node);
    if (cfgutil_url_host(d->api_base, host, sizeof(host)))
        host[0] = '\0';
    d->dialect = prov->dialect;
    d->kind = cfgutil_kind(prov, host);
    /* Only Z.AI (and Zhipu) serve GLM over the Anthropic API, whatever the host is called
     * (a local gateway, a mock): such a deployment needs Z.AI's rules. */
    if (d->kind == PROVIDER_ANTHROPIC && strncasecmp(d->model, "glm", 3) == 0)
        d->kind = PROVIDER_ZAI;
    cfgutil_name(d->kind, host, name);
    return (d->name = strdup(name)) ? 0 : cfgtree_oom(x, x->model_node);
}

static int fn_params(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    x->params = v;
    return 0;
}

static int fn_model_name(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    struct deployment_cfg *d = obj;
    const char *s;

    if (cfgtree_str(x, v, path, false, &s))
        return -EINVAL;
    if (!*s)
        return cfgtree_fail(x, v, "%s: empty model_name", path);
    if (strchr(s, '*'))
        cfgtree_warn(x, v,
                     "%s: wildcard model names are not supported by switchboard "
                     "(matched literally)",
                     path);
    return cfgtree_set_str(x, v, &d->group, s);
}

/* model_info: what LiteLLM knows of the model. switchboard reads its windows: the largest
 * input (for routing a request too large for a fast model straight to its fallback) and the
 * output cap (max_output_tokens, or the legacy max_tokens, which LiteLLM sets to it). */
struct model_info {
    long max_input, max_output, max_legacy;
};

#define MLONG(k, f)                                                                                \
    {                                                                                              \
        k, CFGK_LONG, offsetof(struct model_info, f), 1, (double)LONG_MAX, false,                  \
            "a positive integer", NULL                                                             \
    }
static const struct cfgkey info_keys[] = {
    MLONG("max_input_tokens", max_input),
    MLONG("max_output_tokens", max_output),
    MLONG("max_tokens", max_legacy),
};
static const char info_unsup[] =
    " id mode base_model input_cost_per_token output_cost_per_token metadata tier db_model "
    "access_groups team_id supports_function_calling supports_vision supports_reasoning "
    "supports_prompt_caching supports_response_schema supports_system_messages "
    "supports_tool_choice cache_read_input_token_cost cache_creation_input_token_cost ";
static const struct cfgsection sec_info = SECTION(info_keys, info_unsup);

static int fn_model_info(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj)
{
    struct deployment_cfg *d = obj;
    struct model_info mi = {0};
    int rc = cfgtree_is_null(v) ? 0 : cfgtree_section(x, v, path, &sec_info, &mi);
    d->max_input_tokens = mi.max_input;
    x->info_max_output = mi.max_output > 0 ? mi.max_output : mi.max_legacy;
    return rc;
}

static const struct cfgkey entry_keys[] = {
    FN("model_name", fn_model_name),
    FN("litellm_params", fn_params),
    FN("model_info", fn_model_info),
};
static const char entry_unsup[] = "";

static const struct cfgsection sec_entry = SECTION(entry_keys, entry_unsup);
static const struct cfgsection sec_params = SECTION(params_keys, params_unsup);

static int load_deployment(struct cfgctx *x, struct cfgnode *e, size_t i)
{
    struct deployment_cfg *d = &x->c->deps[x->c->n_deps++];
    char path[40], sub[64];
    int rc;

    snprintf(path, sizeof(path), "model_list[%zu]", i);
    if (snprintf(sub, sizeof(sub), "%s.litellm_params", path) >= (int)sizeof(sub))
        sub[sizeof(sub) - 1] = '\0';
    d->line = (int)e->line;
    x->params = x->model_node = NULL;
    x->info_max_output = 0;
    free(x->provider);
    x->provider = NULL;
    if (e->type != CFGNODE_MAP)
        return cfgtree_fail(x, e, "%s: expected a mapping with model_name and litellm_params",
                            path);
    if ((rc = cfgtree_section(x, e, path, &sec_entry, d)))
        return rc;
    if (!d->group)
        return cfgtree_fail(x, e, "%s: missing model_name", path);
    if (!x->params || cfgtree_is_null(x->params))
        return cfgtree_fail(x, x->params ? x->params : e, "%s: missing litellm_params", path);
    if ((rc = cfgtree_section(x, x->params, sub, &sec_params, d)))
        return rc;
    /* the model's own output cap (model_info) bounds the configured clamp too */
    if (x->info_max_output > 0 && (d->max_tokens <= 0 || x->info_max_output < d->max_tokens))
        d->max_tokens = x->info_max_output;
    if (!d->model)
        return cfgtree_fail(x, x->params, "%s: missing model", sub);
    return classify(x, d, sub);
}

static int load_model_list(struct cfgctx *x, struct cfgnode *v, struct cfgnode *root)
{
    char vb[64];

    if (!v || cfgtree_is_null(v))
        return cfgtree_fail(x, v ? v : root, "model_list is missing or empty: nothing to serve");
    if (v->type != CFGNODE_SEQ)
        return cfgtree_fail(x, v, "model_list: expected a list of deployments, got %s",
                            cfgtree_shown(v, false, vb));
    if (v->n == 0)
        return cfgtree_fail(x, v, "model_list is empty: nothing to serve");
    if (v->n > CONFIG_MAX_DEPLOYMENTS)
        return cfgtree_fail(x, v->kids[CONFIG_MAX_DEPLOYMENTS],
                            "model_list: %zu deployments, switchboard serves at most %d (this "
                            "is entry %d)",
                            v->n, CONFIG_MAX_DEPLOYMENTS, CONFIG_MAX_DEPLOYMENTS + 1);
    if (!(x->c->deps = calloc(v->n, sizeof(*x->c->deps))))
        return cfgtree_oom(x, v);
    for (size_t i = 0; i < v->n; i++) {
        int rc = load_deployment(x, v->kids[i], i);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- top level ------------------------------------------------------------- */

enum { SEC_MODELS, SEC_ROUTER, SEC_LITELLM, SEC_GENERAL, SEC_SWITCHBOARD, N_SEC };

static const char *const sections[N_SEC] = {"model_list", "router_settings", "litellm_settings",
                                            "general_settings", "switchboard_settings"};
static const char top_unsup[] =
    " environment_variables include credential_list mcp_servers guardrails "
    "callback_settings files_settings assistant_settings finetune_settings "
    "vector_store_registry search_tools prompts ";
static const struct cfgsection sec_settings[N_SEC] = {
    [SEC_ROUTER] = SECTION(router_keys, router_unsup),
    [SEC_LITELLM] = SECTION(litellm_keys, litellm_unsup),
    [SEC_GENERAL] = SECTION(general_keys, general_unsup),
    [SEC_SWITCHBOARD] = {switchboard_keys, NITEMS(switchboard_keys), NULL},
};

static void find_sections(struct cfgctx *x, const struct cfgpairs *ps, struct cfgnode *sec[N_SEC])
{
    char kb[64];

    for (size_t i = 0; i < ps->n; i++) {
        size_t j = 0;
        bool known = false;
        while (j < N_SEC && strcmp(sections[j], ps->v[i].k))
            j++;
        if (j < N_SEC) {
            sec[j] = ps->v[i].val;
            continue;
        }
        known = cfgtree_listed(top_unsup, ps->v[i].k);
        cfgtree_warn(x, ps->v[i].key,
                     known ? "key '%s' is not supported by switchboard (ignored)"
                           : "unknown top-level key '%s' (ignored)",
                     cfgtree_keyname(ps->v[i].k, kb));
    }
}

/* Sections are read in a fixed order whatever the file's order: groups must exist before
 * fallbacks name them, and router_settings must be seen before litellm_settings. */
static int load_root(struct cfgctx *x, struct cfgnode *root)
{
    struct cfgnode *sec[N_SEC] = {0};
    struct cfgpairs ps;
    int rc;

    if (root->type != CFGNODE_MAP)
        return cfgtree_fail(x, root, "expected a mapping with model_list at the top level");
    rc = cfgtree_pairs(x, root, "top level", &ps);
    if (!rc) {
        find_sections(x, &ps, sec);
        rc = load_model_list(x, sec[SEC_MODELS], root);
    }
    for (int s = SEC_ROUTER; !rc && s < N_SEC; s++)
        if (sec[s])
            rc = cfgtree_section(x, sec[s], sections[s], &sec_settings[s], x->c);
    free(ps.v);
    return rc;
}

/* ---- finishing ------------------------------------------------------------- */

static bool id_taken(const struct config *c, size_t self, const char *id)
{
    for (size_t j = 0; j < c->n_deps; j++)
        if (j != self && c->deps[j].id && !strcmp(c->deps[j].id, id))
            return true;
    return false;
}

/* id = name when unique, else name/group, else name/group#2, #3... */
static int assign_ids(struct config *c)
{
    for (size_t i = 0; i < c->n_deps; i++) {
        struct deployment_cfg *d = &c->deps[i];
        size_t same = 0;
        for (size_t j = 0; j < c->n_deps; j++)
            same += !strcmp(c->deps[j].name, d->name);
        if (same == 1 ? !(d->id = strdup(d->name))
                      : asprintf(&d->id, "%s/%s", d->name, d->group) < 0) {
            d->id = NULL;
            return -ENOMEM;
        }
        for (int k = 2; id_taken(c, i, d->id); k++) {
            char *next;
            if (asprintf(&next, "%s/%s#%d", d->name, d->group, k) < 0)
                return -ENOMEM;
            free(d->id);
            d->id = next;
        }
    }
    return 0;
}

int cfgkeys_load(struct cfgctx *x, struct cfgnode *root)
{
    int rc = load_root(x, root);
    const char *env = env_lookup(x->dotenv, "LITELLM_MASTER_KEY");

    free(x->provider);
    x->provider = NULL;
    if (rc)
        return rc;
    if (env && *env && cfgtree_set_str(x, NULL, &x->c->master_key, env))
        return -ENOMEM;
    return assign_ids(x->c) ? cfgtree_oom(x, NULL) : 0;
}

struct config *cfgkeys_new(const char *name)
{
    struct config *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    *c = (struct config){
        .refs = 1,
        .path = strdup(name),
        .num_retries = 2,
        .allowed_fails = 3,
        .cooldown_time_s = 60, /* LiteLLM's is 5; config.yaml says why ours is longer */
        .timeout_s = 600,
        .routing_strategy = strdup("simple-shuffle"),
        .host = strdup("127.0.0.1"),
        .port = 4000,
        .num_threads = 128,
        .max_body_bytes = (size_t)32 << 20,
        .connect_timeout_s = 10,
        .stream_idle_timeout_s = 120,
        .proactive_routing = true,
        .max_wait_s = 20,
        .min_output_tokens = 4096,
        .redis_timeout_ms = 5,
        .discovery_interval_s = 600,
    };
    if (!c->path || !c->routing_strategy || !c->host) {
        cfgkeys_destroy(c);
        return NULL;
    }
    return c;
}

static void free_deployment(struct deployment_cfg *d)
{
    free(d->group);
    free(d->name);
    free(d->id);
    free(d->model);
    free(d->api_base);
    free(d->api_key);
    free(d->api_key_env);
    free(d->model_written);
}

void cfgkeys_destroy(struct config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_deps; i++)
        free_deployment(&c->deps[i]);
    for (size_t i = 0; i < c->n_fallbacks; i++) {
        for (size_t j = 0; j < c->fallbacks[i].n_to; j++)
            free(c->fallbacks[i].to[j]);
        free(c->fallbacks[i].to);
        free(c->fallbacks[i].from);
    }
    for (size_t i = 0; i < c->n_aliases; i++) {
        free(c->aliases[i].pattern);
        free(c->aliases[i].target);
    }
    free(c->deps);
    free(c->fallbacks);
    free(c->aliases);
    free(c->path);
    free(c->routing_strategy);
    free(c->master_key);
    free(c->host);
    free(c->default_model);
    free(c->redis_host);
    free(c->redis_password);
    free(c->redis_url);
    for (size_t i = 0; i < c->n_allowed_hosts; i++)
        free(c->allowed_hosts[i]);
    free(c->allowed_hosts);
    for (size_t i = 0; i < c->n_allowed_origins; i++)
        free(c->allowed_origins[i]);
    free(c->allowed_origins);
    free(c);
}
