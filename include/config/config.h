/* config: loads a LiteLLM proxy config.yaml (plus switchboard's own optional keys) into an
 * immutable struct config. The only module that knows YAML. */
#ifndef SB_CONFIG_H
#define SB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/api.h"

#define CONFIG_ERR_LEN 512
/* The most model_list entries a config may hold, refused with file:line where the config is
 * read. The router, the snapshots (state.h SNAP_MAX_DEPS), /admin/state and the dashboard are
 * sized by it, so every deployment a config names is routed and shown. */
#define CONFIG_MAX_DEPLOYMENTS 64

struct deployment_cfg {
    char *group;      /* model_list[].model_name: the model group clients ask for */
    char *name;       /* display name derived from provider and api_base: "cerebras", "zai" */
    char *id;         /* unique among deployments: name, or "name/group" when name repeats */
    char *model;      /* upstream model id, prefix removed: "zai-glm-4.6", "glm-4.6" */
    enum api dialect; /* what the provider speaks: cerebras/ openai/ -> OPENAI, anthropic/ ->
                         ANTHROPIC */
    enum provider_kind kind;
    char *api_base;          /* no trailing slash; default per prefix when absent */
    char *api_key;           /* resolved secret, or NULL when unset (the deployment shows NO KEY) */
    char *api_key_env;       /* VAR of os.environ/VAR, for the "set VAR" message; NULL if literal */
    double timeout_s;        /* litellm_params.timeout; 0 = router default */
    double stream_timeout_s; /* litellm_params.stream_timeout: time to first byte when streaming */
    /* The provider's limits as the user knows them (LiteLLM's rpm/tpm plus hour and day
     * versions); 0 = unknown. Each becomes a continuously refilled bucket in the router. */
    long rpm, rph, rpd;    /* requests per minute / hour / day */
    long tpm, tph, tpd;    /* tokens per minute / hour / day */
    long max_tokens;       /* clamp for the output budget sent upstream; 0 = no clamp.
                              litellm_params.max_tokens, or model_info.max_output_tokens (or its
                              legacy max_tokens) when that is smaller */
    long max_input_tokens; /* model_info.max_input_tokens: the largest input the model takes
                              (a free tier's smaller window); 0 = not said */
    int max_parallel;      /* LiteLLM max_parallel_requests: requests in flight at once; 0 = any */
    int line;              /* line in the file where this entry starts */
    /* Where litellm_params.model's value is written, for rewriting it in place (cfgedit.h):
     * 1-based line and column of the scalar, the text as written ("cerebras/zai-glm-4.6") and
     * whether it is unquoted. model_line 0: not from a file (or an alias / merged node). */
    int model_line, model_col;
    char *model_written;
    bool model_plain;
};

struct fallback_cfg {
    char *from; /* model group, or "*" */
    char **to;  /* groups tried in order */
    size_t n_to;
};

struct alias_cfg {
    char *pattern; /* exact name or glob with '*', e.g. "claude-*" */
    char *target;  /* model group */
};

struct config {
    int refs;   /* atomic; config_ref / config_free (which drops one reference) */
    char *path; /* as given */
    struct deployment_cfg *deps;
    size_t n_deps;
    struct fallback_cfg *fallbacks; /* router_settings.fallbacks + litellm_settings.fallbacks */
    size_t n_fallbacks;
    struct alias_cfg *aliases; /* router_settings.model_group_alias, in file order */
    size_t n_aliases;

    /* router_settings / litellm_settings (LiteLLM semantics; defaults in brackets) */
    int num_retries;         /* [2] quick retries on 5xx / timeouts / connection errors */
    int allowed_fails;       /* [3] failures per minute tolerated before cooldown */
    double cooldown_time_s;  /* [60] cooldown when the provider gives no reset time */
    double timeout_s;        /* [600] total request timeout (timeout / request_timeout) */
    double stream_timeout_s; /* [0 = timeout_s] time to first byte for streams */
    char *routing_strategy;  /* accepted; "simple-shuffle" rotates within a group */
    bool drop_params;        /* accepted; unsupported fields are always dropped */
    /* router_settings.redis_host / redis_port / redis_password / redis_url (os.environ/VAR
     * resolved): several switchboards share the providers' limits through this Redis. NULL /
     * 0 when not given; the REDIS_* environment variables apply then (src/shared). */
    char *redis_host;
    int redis_port;
    char *redis_password; /* secret: never printed */
    char *redis_url;      /* redis://[:password@]host[:port][/db]; secret */

    /* general_settings */
    char *master_key; /* NULL = no auth; LITELLM_MASTER_KEY overrides */

    /* switchboard_settings (ours; optional) */
    char *host;                   /* [127.0.0.1] */
    int port;                     /* [4000] */
    int num_threads;              /* [128] civetweb workers */
    size_t max_body_bytes;        /* [32 MiB] */
    double connect_timeout_s;     /* [10] */
    double stream_idle_timeout_s; /* [120] gap between upstream bytes once streaming */
    char *default_model;          /* model group for unknown names; NULL = 404 */
    /* [true] skip a deployment before it would answer 429 (token budget, provider headers);
     * false routes reactively like LiteLLM: only cooldowns and the configured rpm window */
    bool proactive_routing;
    /* [20] when every candidate is out but one has room within this many seconds, requests
     * wait for it (first come, first served) instead of getting a 429; 0 = never wait */
    double max_wait_s;
    /* [4096] smallest output budget switchboard lowers a request to, so that it runs on a
     * provider that books the whole budget up front (Cerebras) now; 0 = never lower */
    long min_output_tokens;
    /* [5] a shared-state Redis call that takes longer falls back to local accounting */
    double redis_timeout_ms;
    /* [none] Host names a request may address switchboard by besides 127.0.0.1, localhost,
     * [::1] and `host` (normalized: lower case, no brackets, no port) ... */
    char **allowed_hosts;
    size_t n_allowed_hosts;
    /* [none] ... and web origins whose requests it serves ("https://chat.example.com"; a
     * same-origin web UI behind a reverse proxy). No CORS header is ever sent either way. */
    char **allowed_origins;
    size_t n_allowed_origins;
    /* [600] seconds between two rounds of asking the providers which models their keys may
     * use (discovery_watch.h); 0 = only at start and on reload */
    double discovery_interval_s;

    /* the file as loaded, to notice it changed on disk before rewriting it (cfgedit.h) */
    bool from_file;
    size_t file_len;
    unsigned long long file_hash; /* FNV-1a 64 of the bytes */
};

/* Warning sink: called with "file:line: message" for each unknown key. */
typedef void (*config_warn_fn)(void *ud, const char *msg);

struct env_vars;

/* Loads and validates path. Returns the config (free with config_free) or NULL with err set to
 * "file:line:col: what is wrong". Resolves os.environ/VAR (and LITELLM_MASTER_KEY) from the
 * process environment, then from dotenv (a .env file's pairs; NULL for none), once: the
 * config holds the resolved values. Never aborts on bad input; never modifies the
 * environment, so it may run on any thread. */
struct config *config_load_env(const char *path, const struct env_vars *dotenv, config_warn_fn warn,
                               void *ud, char err[CONFIG_ERR_LEN]);
/* config_load_env without a .env. */
struct config *config_load(const char *path, config_warn_fn warn, void *ud,
                           char err[CONFIG_ERR_LEN]);
/* Same, from a YAML string; name is used in messages. */
struct config *config_parse_env(const char *yaml, size_t len, const char *name,
                                const struct env_vars *dotenv, config_warn_fn warn, void *ud,
                                char err[CONFIG_ERR_LEN]);
struct config *config_parse(const char *yaml, size_t len, const char *name, config_warn_fn warn,
                            void *ud, char err[CONFIG_ERR_LEN]);
/* Reference counting lets a live reload swap configs while requests still use the old one.
 * config_load returns one reference; config_free drops one and frees at zero. Thread-safe. */
struct config *config_ref(struct config *c);
void config_free(struct config *c);

/* FNV-1a 64 of a file's bytes: what config_load_env records in file_hash. */
unsigned long long config_text_hash(const char *p, size_t n);

/* Index of the deployment with this id, or -1. */
int config_find_deployment(const struct config *c, const char *id);
/* True when some deployment serves this model group. */
bool config_has_group(const struct config *c, const char *group);
/* True when the group falls back to some other group that exists (its own entry or "*"). */
bool config_group_has_fallbacks(const struct config *c, const char *group);
/* Resolves a requested model name to a group: exact group, then aliases (globs), then
 * default_model. Returns NULL when nothing matches. Borrowed pointer into c. */
const char *config_resolve_model(const struct config *c, const char *requested);

#endif
