/* Unit tests for config: the repo's config.yaml, defaults, provider rules, fallbacks, aliases,
 * env references, warnings, and exact "file:line:col: path: why" errors for broken files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "core/buf.h"
#include "route/state.h"

#ifndef SOURCE_DIR
#define SOURCE_DIR "."
#endif

#define MAX_WARN 32

static char warns[MAX_WARN][CONFIG_ERR_LEN];
static int n_warns;

static void on_warn(void *ud, const char *msg)
{
    (void)ud;
    if (n_warns < MAX_WARN)
        snprintf(warns[n_warns], sizeof(warns[0]), "%s", msg);
    n_warns++;
}

static int setup(void **st)
{
    (void)st;
    n_warns = 0;
    unsetenv("LITELLM_MASTER_KEY");
    unsetenv("CEREBRAS_API_KEY");
    setenv("ZAI_API_KEY", "zk-test", 1);
    return 0;
}

static struct config *parse(const char *yaml, char err[CONFIG_ERR_LEN])
{
    return config_parse(yaml, strlen(yaml), "t.yaml", on_warn, NULL, err);
}

static void expect_err(const char *yaml, const char *want)
{
    char err[CONFIG_ERR_LEN];
    struct config *c = parse(yaml, err);

    if (c || strcmp(err, want))
        fail_msg("want error\n  %s\ngot %s\n  %s", want, c ? "a config" : "", err);
}

/* Two groups served, for tests that only care about the other sections (lines 1-8). */
#define BASE                                                                                       \
    "model_list:\n"                                                                                \
    "  - model_name: glm-4.6\n"                                                                    \
    "    litellm_params:\n"                                                                        \
    "      model: cerebras/gpt-oss-120b\n"                                                         \
    "  - model_name: zai-glm-4.6\n"                                                                \
    "    litellm_params:\n"                                                                        \
    "      model: anthropic/glm-4.6\n"                                                             \
    "      api_base: https://api.z.ai/api/anthropic\n"

static void test_config_repo_file(void **st)
{
    char err[CONFIG_ERR_LEN];
    struct config *c = config_load(SOURCE_DIR "/config.yaml", on_warn, NULL, err);

    (void)st;
    if (!c)
        fail_msg("%s", err);
    assert_int_equal(n_warns, 0);
    assert_int_equal(c->n_deps, 3);
    const struct deployment_cfg *cb = &c->deps[0], *zai = &c->deps[1], *air = &c->deps[2];
    assert_string_equal(cb->group, "glm-4.6");
    assert_string_equal(cb->id, "cerebras");
    assert_string_equal(cb->name, "cerebras");
    assert_string_equal(cb->model, "gpt-oss-120b"); /* zai-glm-4.6 was retired on 2026-01-20 */
    assert_int_equal(cb->dialect, API_OPENAI);
    assert_int_equal(cb->kind, PROVIDER_CEREBRAS);
    assert_string_equal(cb->api_base, "https://api.cerebras.ai/v1");
    assert_null(cb->api_key); /* CEREBRAS_API_KEY is unset: "no key", not an error */
    assert_string_equal(cb->api_key_env, "CEREBRAS_API_KEY");
    assert_int_equal(cb->rpm, 10);
    assert_int_equal(cb->tpm, 150000);
    assert_int_equal(cb->max_tokens, 16000);
    assert_int_equal(cb->max_input_tokens, 49536); /* the free tier's 65,536 less the budget */
    assert_true(cb->line > 1);

    assert_string_equal(zai->group, "zai-glm");
    assert_string_equal(zai->id, "zai/zai-glm");
    assert_string_equal(zai->model, "glm-5.2");
    assert_int_equal(zai->dialect, API_ANTHROPIC);
    assert_int_equal(zai->kind, PROVIDER_ZAI);
    assert_string_equal(zai->api_base, "https://api.z.ai/api/anthropic");
    assert_string_equal(zai->api_key, "zk-test");
    assert_string_equal(zai->api_key_env, "ZAI_API_KEY");
    assert_int_equal(zai->rpm, 0);
    assert_int_equal(zai->max_tokens, 0);
    assert_string_equal(air->id, "zai/glm-4.5-air");
    assert_int_equal(air->kind, PROVIDER_ZAI);

    assert_int_equal(c->n_fallbacks, 1);
    assert_string_equal(c->fallbacks[0].from, "glm-4.6");
    assert_int_equal(c->fallbacks[0].n_to, 1);
    assert_string_equal(c->fallbacks[0].to[0], "zai-glm");
    assert_int_equal(c->n_aliases, 2);
    assert_string_equal(c->aliases[0].pattern, "claude-*haiku*");
    assert_string_equal(c->aliases[0].target, "glm-4.5-air");
    assert_string_equal(c->aliases[1].pattern, "claude-*");

    assert_int_equal(c->allowed_fails, 1);
    assert_int_equal(c->num_retries, 2);
    assert_true(c->cooldown_time_s == 60);
    assert_true(c->timeout_s == 600);
    assert_true(c->stream_timeout_s == 0);
    assert_string_equal(c->master_key, "sk-1234");
    assert_string_equal(c->host, "127.0.0.1");
    assert_int_equal(c->port, 4000);
    assert_int_equal(c->num_threads, 128);
    assert_int_equal(c->max_body_bytes, 32u << 20);
    assert_true(c->connect_timeout_s == 10);
    assert_true(c->stream_idle_timeout_s == 120);
    assert_null(c->default_model);
    assert_string_equal(c->path, SOURCE_DIR "/config.yaml");
    config_free(c);
}

static void test_config_repo_resolve(void **st)
{
    char err[CONFIG_ERR_LEN];
    struct config *c = config_load(SOURCE_DIR "/config.yaml", on_warn, NULL, err);

    (void)st;
    assert_non_null(c);
    assert_string_equal(config_resolve_model(c, "glm-4.6"), "glm-4.6");
    assert_string_equal(config_resolve_model(c, "glm-4.6[1m]"), "glm-4.6");
    assert_string_equal(config_resolve_model(c, "claude-3-5-haiku-20241022"), "glm-4.5-air");
    assert_string_equal(config_resolve_model(c, "claude-haiku-4-5"), "glm-4.5-air");
    assert_string_equal(config_resolve_model(c, "claude-sonnet-4-5-20250929"), "glm-4.6");
    assert_string_equal(config_resolve_model(c, "claude-opus-4-1[1m]"), "glm-4.6");
    assert_null(config_resolve_model(c, "gpt-4o"));
    assert_null(config_resolve_model(c, "claude"));
    assert_null(config_resolve_model(c, ""));
    assert_true(config_has_group(c, "zai-glm"));
    assert_false(config_has_group(c, "claude-*"));
    assert_int_equal(config_find_deployment(c, "zai/glm-4.5-air"), 2);
    assert_int_equal(config_find_deployment(c, "zai"), -1);
    /* Borrowed pointers point into the config. */
    assert_ptr_equal(config_resolve_model(c, "claude-x"), c->aliases[1].target);
    config_free(c);
}

static void test_config_master_key_env_wins(void **st)
{
    char err[CONFIG_ERR_LEN];
    struct config *c;

    (void)st;
    setenv("LITELLM_MASTER_KEY", "sk-from-env", 1);
    c = config_load(SOURCE_DIR "/config.yaml", on_warn, NULL, err);
    assert_non_null(c);
    assert_string_equal(c->master_key, "sk-from-env");
    config_free(c);

    /* Empty counts as unset (a copied .env.example leaves it empty). */
    setenv("LITELLM_MASTER_KEY", "", 1);
    c = config_load(SOURCE_DIR "/config.yaml", on_warn, NULL, err);
    assert_string_equal(c->master_key, "sk-1234");
    config_free(c);
}

static void test_config_master_key_from_var(void **st)
{
    char err[CONFIG_ERR_LEN];
    struct config *c;

    (void)st;
    setenv("SBT_MK", "sk-var", 1);
    c = parse(BASE "general_settings:\n  master_key: os.environ/SBT_MK\n", err);
    assert_non_null(c);
    assert_string_equal(c->master_key, "sk-var");
    config_free(c);
    unsetenv("SBT_MK");
    /* Missing variable: refusing beats serving without auth. */
    expect_err(BASE "general_settings:\n  master_key: os.environ/SBT_MK\n",
               "t.yaml:10:15: general_settings.master_key: environment variable SBT_MK is not "
               "set (set it or LITELLM_MASTER_KEY)");
    setenv("LITELLM_MASTER_KEY", "sk-env", 1);
    c = parse(BASE "general_settings:\n  master_key: os.environ/SBT_MK\n", err);
    assert_non_null(c);
    assert_string_equal(c->master_key, "sk-env");
    config_free(c);
}

static void test_config_assets_load(void **st)
{
    char err[CONFIG_ERR_LEN];
    struct config *c;

    (void)st;
    c = config_load(SOURCE_DIR "/assets/config.example.yaml", on_warn, NULL, err);
    if (!c)
        fail_msg("%s", err);
    assert_int_equal(n_warns, 0);
    assert_int_equal(c->n_deps, 2);
    assert_int_equal(c->n_fallbacks, 1); /* the empty lists add nothing */
    assert_null(c->master_key);
    assert_int_equal(c->max_body_bytes, 32u << 20);
    config_free(c);
    c = config_load(SOURCE_DIR "/assets/config.litellm-minimal.yaml", on_warn, NULL, err);
    if (!c)
        fail_msg("%s", err);
    assert_int_equal(c->n_deps, 2);
    assert_int_equal(c->n_fallbacks, 1);
    assert_int_equal(c->allowed_fails, 3);
    assert_true(c->cooldown_time_s == 60);
    config_free(c);
}

static void test_config_env_forms(void **st)
{
    char err[CONFIG_ERR_LEN];
    struct config *c;

    (void)st;
    setenv("SBT_K1", "k-one", 1);
    unsetenv("SBT_UNSET");
    c = parse("model_list:\n"
              "  - {model_name: a, litellm_params: {model: openai/m, api_key: \"${SBT_K1}\"}}\n"
              "  - {model_name: b, litellm_params: {model: openai/m, api_key: $SBT_K1}}\n"
              "  - {model_name: c, litellm_params: {model: openai/m, api_key: sk-literal}}\n"
              "  - {model_name: d, litellm_params: {model: openai/m, api_key: "
              "os.environ/SBT_UNSET}}\n"
              "  - {model_name: e, litellm_params: {model: openai/m, api_key: \"$not a var\"}}\n"
              "  - {model_name: f, litellm_params: {model: openai/m, api_key: null}}\n",
              err);
    if (!c)
        fail_msg("%s", err);
    assert_string_equal(c->deps[0].api_key, "k-one");
    assert_string_equal(c->deps[0].api_key_env, "SBT_K1");
    assert_string_equal(c->deps[1].api_key, "k-one");
    assert_string_equal(c->deps[2].api_key, "sk-literal");
    assert_null(c->deps[2].api_key_env);
    assert_null(c->deps[3].api_key);
    assert_string_equal(c->deps[3].api_key_env, "SBT_UNSET");
    assert_string_equal(c->deps[4].api_key, "$not a var");
    assert_null(c->deps[5].api_key);
    assert_null(c->deps[5].api_key_env);
    config_free(c);
}

static void test_config_provider_rules(void **st)
{
    char err[CONFIG_ERR_LEN];
    struct config *c;

    (void)st;
    c = parse("model_list:\n"
              "  - model_name: g1\n"
              "    litellm_params: {model: openai/llama-3.3-70b, api_base: "
              "\"https://api.groq.com/openai/v1//\"}\n"
              "  - {model_name: g2, litellm_params: {model: openai/gpt-4o}}\n"
              "  - {model_name: g3, litellm_params: {model: openai/zai-glm-4.6, api_base: "
              "\"https://api.cerebras.ai/v1\"}}\n"
              "  - {model_name: g4, litellm_params: {model: anthropic/claude-sonnet-4-5}}\n"
              "  - {model_name: g5, litellm_params: {model: openai/glm-4.6, api_base: "
              "\"https://api.z.ai/api/paas/v4\"}}\n"
              "  - {model_name: g6, litellm_params: {model: openai/m, api_base: "
              "\"http://127.0.0.1:8080/v1\"}}\n"
              "  - {model_name: g7, litellm_params: {model: zai-glm-4.6, custom_llm_provider: "
              "cerebras}}\n"
              "  - {model_name: g8, litellm_params: {model: anthropic/glm-4.6, api_base: "
              "\"https://open.bigmodel.cn/api/anthropic\"}}\n"
              "  - {model_name: g9, litellm_params: {model: openai/org/model-x}}\n",
              err);
    if (!c)
        fail_msg("%s", err);
    static const struct {
        const char *id, *name, *model;
        enum api dialect;
        enum provider_kind kind;
    } want[] = {
        {"groq", "groq", "llama-3.3-70b", API_OPENAI, PROVIDER_GENERIC_OPENAI},
        {"openai/g2", "openai", "gpt-4o", API_OPENAI, PROVIDER_GENERIC_OPENAI},
        {"cerebras/g3", "cerebras", "zai-glm-4.6", API_OPENAI, PROVIDER_CEREBRAS},
        {"anthropic", "anthropic", "claude-sonnet-4-5", API_ANTHROPIC, PROVIDER_ANTHROPIC},
        {"zai/g5", "zai", "glm-4.6", API_OPENAI, PROVIDER_GENERIC_OPENAI},
        {"openai/g6", "openai", "m", API_OPENAI, PROVIDER_GENERIC_OPENAI},
        {"cerebras/g7", "cerebras", "zai-glm-4.6", API_OPENAI, PROVIDER_CEREBRAS},
        {"zai/g8", "zai", "glm-4.6", API_ANTHROPIC, PROVIDER_ZAI},
        {"openai/g9", "openai", "org/model-x", API_OPENAI, PROVIDER_GENERIC_OPENAI},
    };
    assert_int_equal(c->n_deps, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < c->n_deps; i++) {
        assert_string_equal(c->deps[i].id, want[i].id);
        assert_string_equal(c->deps[i].name, want[i].name);
        assert_string_equal(c->deps[i].model, want[i].model);
        assert_int_equal(c->deps[i].dialect, want[i].dialect);
        assert_int_equal(c->deps[i].kind, want[i].kind);
    }
    assert_string_equal(c->deps[0].api_base, "https://api.groq.com/openai/v1");
    assert_string_equal(c->deps[1].api_base, "https://api.openai.com/v1");
    assert_string_equal(c->deps[3].api_base, "https://api.anthropic.com");
    assert_string_equal(c->deps[6].api_base, "https://api.cerebras.ai/v1");
    config_free(c);
}

static void test_config_duplicate_ids(void **st)
{
    char err[CONFIG_ERR_LEN];
    struct config *c;

    (void)st;
    c = parse("model_list:\n"
              "  - {model_name: g, litellm_params: {model: cerebras/a, api_key: k1}}\n"
              "  - {model_name: g, litellm_params: {model: cerebras/a, api_key: k2}}\n"
              "  - {model_name: g, litellm_params: {model: cerebras/a, api_key: k3}}\n",
              err);
    assert_non_null(c);
    assert_string_equal(c->deps[0].id, "cerebras/g");
    assert_string_equal(c->deps[1].id, "cerebras/g#2");
    assert_string_equal(c->deps[2].id, "cerebras/g#3");
    assert_int_equal(config_find_deployment(c, "cerebras/g#3"), 2);
    config_free(c);
}

static void test_config_settings(void **st)
{
    char err[CONFIG_ERR_LEN];
    struct config *c;

    (void)st;
    c = parse(BASE "litellm_settings:\n"
                   "  num_retries: 5\n"
                   "  request_timeout: 30\n"
                   "  drop_params: yes\n"
                   "  fallbacks: [{\"*\": zai-glm-4.6}]\n"
                   "router_settings:\n"
                   "  num_retries: \"1\"\n"
                   "  stream_timeout: 2.5\n"
                   "  cooldown_time: 0\n"
                   "  routing_strategy: least-busy\n"
                   "  fallbacks: [{glm-4.6: [zai-glm-4.6, glm-4.6]}]\n"
                   "  default_fallbacks: [glm-4.6]\n"
                   "  model_group_alias: {big: {model: glm-4.6, hidden: true}, \"x*\": glm-4.6}\n"
                   "switchboard_settings:\n"
                   "  host: 0.0.0.0\n"
                   "  port: 8080\n"
                   "  num_threads: 8\n"
                   "  max_body_bytes: 8MB\n"
                   "  connect_timeout: 3\n"
                   "  stream_idle_timeout: 45\n"
                   "  default_model: zai-glm-4.6\n",
              err);
    if (!c)
        fail_msg("%s", err);
    assert_int_equal(c->num_retries, 1); /* router_settings wins, whatever the file order */
    assert_true(c->timeout_s == 30);
    assert_true(c->drop_params);
    assert_true(c->stream_timeout_s == 2.5);
    assert_true(c->cooldown_time_s == 0);
    assert_string_equal(c->routing_strategy, "least-busy");
    assert_int_equal(c->n_fallbacks, 3);
    assert_string_equal(c->fallbacks[0].from, "glm-4.6");
    assert_int_equal(c->fallbacks[0].n_to, 2);
    assert_string_equal(c->fallbacks[0].to[1], "glm-4.6");
    assert_string_equal(c->fallbacks[1].from, "*");
    assert_string_equal(c->fallbacks[1].to[0], "glm-4.6");
    assert_string_equal(c->fallbacks[2].from, "*");
    assert_string_equal(c->fallbacks[2].to[0], "zai-glm-4.6");
    assert_string_equal(config_resolve_model(c, "big"), "glm-4.6");
    assert_string_equal(config_resolve_model(c, "xyz"), "glm-4.6");
    assert_string_equal(config_resolve_model(c, "unknown"), "zai-glm-4.6");
    assert_string_equal(c->host, "0.0.0.0");
    assert_int_equal(c->port, 8080);
    assert_int_equal(c->num_threads, 8);
    assert_int_equal(c->max_body_bytes, 8u << 20);
    assert_true(c->connect_timeout_s == 3);
    assert_true(c->stream_idle_timeout_s == 45);
    assert_int_equal(n_warns, 0);
    config_free(c);
}

static void test_config_alias_order_and_globs(void **st)
{
    char err[CONFIG_ERR_LEN];
    struct config *c;

    (void)st;
    c = parse(BASE "router_settings:\n"
                   "  model_group_alias:\n"
                   "    \"claude-*\": glm-4.6\n"
                   "    \"claude-*haiku*\": zai-glm-4.6\n"
                   "    \"*-mini\": zai-glm-4.6\n"
                   "    exact: zai-glm-4.6\n",
              err);
    assert_non_null(c);
    /* File order decides: the broad rule listed first shadows the haiku one. */
    assert_string_equal(config_resolve_model(c, "claude-3-haiku"), "glm-4.6");
    assert_string_equal(config_resolve_model(c, "gpt-4o-mini"), "zai-glm-4.6");
    assert_string_equal(config_resolve_model(c, "exact"), "zai-glm-4.6");
    assert_string_equal(config_resolve_model(c, "exact[1m]"), "zai-glm-4.6");
    assert_null(config_resolve_model(c, "exactly"));
    assert_null(config_resolve_model(c, "gpt-4o-mini-x"));
    /* A group name wins over any alias. */
    assert_string_equal(config_resolve_model(c, "zai-glm-4.6"), "zai-glm-4.6");
    config_free(c);
}

static void test_config_anchors_and_merges(void **st)
{
    char err[CONFIG_ERR_LEN];
    struct config *c;

    (void)st;
    setenv("SBT_ZAI", "zk-anchor", 1);
    c = parse("x-zai: &zai\n"
              "  api_base: https://api.z.ai/api/anthropic/\n"
              "  api_key: os.environ/SBT_ZAI\n"
              "model_list:\n"
              "  - model_name: a\n"
              "    litellm_params:\n"
              "      <<: *zai\n"
              "      model: anthropic/glm-4.6\n"
              "  - model_name: b\n"
              "    litellm_params: &b\n"
              "      <<: [*zai]\n"
              "      model: anthropic/glm-4.5-air\n"
              "      api_base: https://open.bigmodel.cn/api/anthropic\n"
              "  - model_name: c\n"
              "    litellm_params: *b\n"
              "router_settings:\n"
              "  fallbacks: [{a: &fb [b, c]}, {c: *fb}]\n",
              err);
    if (!c)
        fail_msg("%s", err);
    assert_int_equal(n_warns, 1);
    assert_string_equal(warns[0], "t.yaml:1: unknown top-level key 'x-zai' (ignored)");
    assert_string_equal(c->deps[0].api_base, "https://api.z.ai/api/anthropic");
    assert_string_equal(c->deps[0].api_key, "zk-anchor");
    assert_int_equal(c->deps[0].kind, PROVIDER_ZAI);
    assert_string_equal(c->deps[1].api_base, "https://open.bigmodel.cn/api/anthropic");
    assert_string_equal(c->deps[2].model, "glm-4.5-air");
    assert_string_equal(c->deps[2].api_key, "zk-anchor");
    assert_string_equal(c->deps[2].id, "zai/c");
    assert_int_equal(c->n_fallbacks, 2);
    assert_string_equal(c->fallbacks[1].to[1], "c");
    config_free(c);
}

static void test_config_cycles_do_not_hang(void **st)
{
    (void)st;
    expect_err("model_list:\n"
               "  - model_name: a\n"
               "    litellm_params: &p\n"
               "      model: openai/x\n"
               "      <<: *p\n",
               "t.yaml:3:21: model_list[0].litellm_params: '<<' merges nest too deep");
    expect_err(BASE "router_settings:\n  fallbacks: &f [{glm-4.6: *f}]\n",
               "t.yaml:10:18: router_settings.fallbacks[0].glm-4.6[0]: expected a string, got "
               "a mapping");
}

static void test_config_warnings(void **st)
{
    static const char *const want[] = {
        "t.yaml:18: key 'environment_variables' is not supported by switchboard (ignored)",
        "t.yaml:19: unknown top-level key 'whatever' (ignored)",
        "t.yaml:4: key 'id' in model_list[0].model_info is not supported by switchboard (ignored)",
        "t.yaml:7: key 'api_version' in model_list[0].litellm_params is not supported by "
        "switchboard (ignored)",
        "t.yaml:8: unknown key 'frobnicate' in model_list[0].litellm_params (ignored)",
        "t.yaml:10: key 'cache_responses' in router_settings is not supported by switchboard "
        "(ignored)",
        "t.yaml:11: unknown key 'colour' in router_settings (ignored)",
        "t.yaml:13: key 'success_callback' in litellm_settings is not supported by switchboard "
        "(ignored)",
        "t.yaml:15: key 'database_url' in general_settings is not supported by switchboard "
        "(ignored)",
        "t.yaml:17: unknown key 'bogus' in switchboard_settings (ignored)",
    };
    char err[CONFIG_ERR_LEN];
    struct config *c;

    (void)st;
    c = parse("model_list:\n"
              "  - model_name: glm-4.6\n"
              "    model_info:\n"
              "      id: abc\n"
              "    litellm_params:\n"
              "      model: cerebras/gpt-oss-120b\n"
              "      api_version: \"2024\"\n"
              "      frobnicate: 1\n"
              "router_settings:\n"
              "  cache_responses: true\n"
              "  colour: blue\n"
              "litellm_settings:\n"
              "  success_callback: [\"langfuse\"]\n"
              "general_settings:\n"
              "  database_url: postgres://u:secret@db/x\n"
              "switchboard_settings:\n"
              "  bogus: 1\n"
              "environment_variables: {}\n"
              "whatever: 1\n",
              err);
    if (!c)
        fail_msg("%s", err);
    assert_int_equal(n_warns, sizeof(want) / sizeof(want[0]));
    for (int i = 0; i < n_warns; i++)
        assert_string_equal(warns[i], want[i]);
    config_free(c);
}

static void test_config_bad_values(void **st)
{
    (void)st;
#define RPM(v)                                                                                     \
    "model_list:\n  - model_name: glm-4.6\n    litellm_params:\n"                                  \
    "      model: cerebras/gpt-oss-120b\n      rpm: " v "\n"
    expect_err(RPM("abc"), "t.yaml:5:12: model_list[0].litellm_params.rpm: expected a positive "
                           "integer, got 'abc'");
    expect_err(RPM("0.5"), "t.yaml:5:12: model_list[0].litellm_params.rpm: expected a positive "
                           "integer, got '0.5'");
    expect_err(RPM("-5"), "t.yaml:5:12: model_list[0].litellm_params.rpm: expected a positive "
                          "integer, got '-5'");
    expect_err(RPM("[1]"), "t.yaml:5:12: model_list[0].litellm_params.rpm: expected a positive "
                           "integer, got a list");
    expect_err(BASE "switchboard_settings:\n  port: 70000\n",
               "t.yaml:10:9: switchboard_settings.port: expected an integer from 1 to 65535, "
               "got '70000'");
    expect_err(BASE "switchboard_settings:\n  max_body_bytes: lots\n",
               "t.yaml:10:19: switchboard_settings.max_body_bytes: expected a size from 1KiB to "
               "1GiB such as 32MiB, got 'lots'");
    expect_err(BASE "router_settings:\n  num_retries: {a: 1}\n",
               "t.yaml:10:16: router_settings.num_retries: expected an integer from 0 to 100, "
               "got a mapping");
    expect_err(BASE "router_settings:\n  cooldown_time: -1\n",
               "t.yaml:10:18: router_settings.cooldown_time: expected a non-negative number of "
               "seconds, got '-1'");
    expect_err(BASE "router_settings:\n  timeout: 0\n",
               "t.yaml:10:12: router_settings.timeout: expected a positive number of seconds, "
               "got '0'");
    expect_err(BASE "litellm_settings:\n  drop_params: maybe\n",
               "t.yaml:10:16: litellm_settings.drop_params: expected true or false, got 'maybe'");
    expect_err(BASE "router_settings: [1, 2]\n",
               "t.yaml:9:18: router_settings: expected a mapping, got a list");
    expect_err(BASE "router_settings:\n  fallbacks: {glm-4.6: zai-glm-4.6}\n",
               "t.yaml:10:14: router_settings.fallbacks: expected a list of {model_group: "
               "[fallback groups]}, got a mapping");
    expect_err(BASE "  - model_name: x\n    litellm_params:\n      model: openai/m\n"
                    "      api_base: ftp://example.com\n",
               "t.yaml:12:17: model_list[2].litellm_params.api_base: expected an http:// or "
               "https:// URL, got 'ftp://example.com'");
}

static void test_config_bad_structure(void **st)
{
    (void)st;
    expect_err("model_list:\n  - litellm_params:\n      model: cerebras/x\n",
               "t.yaml:2:5: model_list[0]: missing model_name");
    expect_err("model_list:\n  - model_name: a\n    litellm_params:\n      api_key: k\n",
               "t.yaml:4:7: model_list[0].litellm_params: missing model");
    expect_err("model_list:\n  - model_name: a\n",
               "t.yaml:2:5: model_list[0]: missing litellm_params");
    expect_err("model_list:\n  - just a string\n",
               "t.yaml:2:5: model_list[0]: expected a mapping with model_name and "
               "litellm_params");
    expect_err("router_settings:\n  num_retries: 1\n",
               "t.yaml:1:1: model_list is missing or empty: nothing to serve");
    expect_err("model_list: []\n", "t.yaml:1:13: model_list is empty: nothing to serve");
    expect_err("", "t.yaml:1:1: empty configuration: expected a mapping with model_list");
    expect_err("# only a comment\n",
               "t.yaml:1:1: empty configuration: expected a mapping with model_list");
    expect_err("- a\n- b\n", "t.yaml:1:1: expected a mapping with model_list at the top level");
    expect_err(BASE "router_settings:\n  num_retries: 1\n  num_retries: 2\n",
               "t.yaml:11:3: router_settings: duplicate key 'num_retries'");
    expect_err(BASE "model_list: []\n", "t.yaml:9:1: top level: duplicate key 'model_list'");
    expect_err(BASE "---\nfoo: 1\n", "t.yaml:10:1: a second YAML document is not supported");
}

static void test_config_bad_providers_and_groups(void **st)
{
    (void)st;
    expect_err("model_list:\n  - model_name: g\n    litellm_params:\n      model: gemini/pro\n",
               "t.yaml:4:14: model_list[0].litellm_params.model: provider 'gemini' is not "
               "supported by switchboard (expected cerebras/, anthropic/ or openai/)");
    expect_err("model_list:\n  - model_name: g\n    litellm_params:\n      model: zai-glm-4.6\n",
               "t.yaml:4:14: model_list[0].litellm_params.model: 'zai-glm-4.6' has no provider "
               "prefix (expected cerebras/, anthropic/ or openai/)");
    expect_err("model_list:\n  - model_name: g\n    litellm_params:\n      model: cerebras/\n",
               "t.yaml:4:14: model_list[0].litellm_params.model: no model after the provider");
    expect_err(BASE "router_settings:\n  fallbacks: [{\"glm-4.6\": [\"nope\"]}]\n",
               "t.yaml:10:28: router_settings.fallbacks[0].glm-4.6[0]: no deployment in "
               "model_list serves model group 'nope'");
    expect_err(BASE "router_settings:\n  fallbacks: [{\"nope\": [\"glm-4.6\"]}]\n",
               "t.yaml:10:16: router_settings.fallbacks[0]: no deployment in model_list serves "
               "model group 'nope'");
    expect_err(BASE "litellm_settings:\n  fallbacks: [{glm-4.6: nope}]\n",
               "t.yaml:10:25: litellm_settings.fallbacks[0].glm-4.6: no deployment in model_list "
               "serves model group 'nope'");
    expect_err(BASE "router_settings:\n  model_group_alias:\n    claude-*: nope\n",
               "t.yaml:11:15: router_settings.model_group_alias.claude-*: no deployment in "
               "model_list serves model group 'nope'");
    expect_err(BASE "switchboard_settings:\n  default_model: nope\n",
               "t.yaml:10:18: switchboard_settings.default_model: no deployment in model_list "
               "serves model group 'nope'");
}

static void test_config_secrets_never_shown(void **st)
{
    char err[CONFIG_ERR_LEN];

    (void)st;
    expect_err(BASE "general_settings:\n  master_key: [sk-secret-1]\n",
               "t.yaml:10:15: general_settings.master_key: expected a string, got a list");
    expect_err("model_list:\n  - model_name: g\n    litellm_params:\n      model: openai/m\n"
               "      api_key: os.environ/sk-secret-2\n",
               "t.yaml:5:16: model_list[0].litellm_params.api_key: expected os.environ/NAME "
               "with a valid variable name, got '<redacted>'");
    n_warns = 0;
    struct config *c = parse(BASE "general_settings:\n  sk-secret-3: 1\n", err);
    assert_non_null(c);
    assert_int_equal(n_warns, 1);
    assert_null(strstr(warns[0], "sk-secret-3"));
    config_free(c);
}

static void test_config_yaml_syntax_errors(void **st)
{
    (void)st;
    expect_err("model_list:\n  - model_name: a\n    litellm_params: [\n",
               "t.yaml:4:1: YAML syntax error: did not find expected node content while parsing "
               "a flow node");
    expect_err("model_list:\n  - model_name: a: b\n",
               "t.yaml:2:18: YAML syntax error: mapping values are not allowed in this context");
    expect_err("model_list:\n  - model_name: *nope\n",
               "t.yaml:2:17: YAML syntax error: found undefined alias");
    expect_err("model_list: \"a\xff\"\n",
               "t.yaml:1:15: YAML syntax error: invalid leading UTF-8 octet");
}

static void test_config_load_errors_and_refs(void **st)
{
    char err[CONFIG_ERR_LEN];
    struct config *c;

    (void)st;
    assert_null(config_load("/nonexistent/sb.yaml", NULL, NULL, err));
    assert_string_equal(err, "/nonexistent/sb.yaml: cannot open: No such file or directory");
    c = config_parse(BASE, strlen(BASE), NULL, NULL, NULL, err); /* no warn sink is fine */
    assert_non_null(c);
    assert_string_equal(c->path, "<config>");
    assert_ptr_equal(config_ref(c), c);
    assert_int_equal(c->refs, 2);
    config_free(c);
    assert_int_equal(c->refs, 1);
    assert_string_equal(c->deps[0].group, "glm-4.6"); /* still alive */
    config_free(c);
    config_free(NULL);
    assert_null(config_ref(NULL));
    assert_null(config_resolve_model(NULL, "x"));
    assert_int_equal(config_find_deployment(NULL, "x"), -1);
    assert_false(config_has_group(NULL, "x"));
    /* Length is honoured: the tail after len is not read. */
    c = config_parse(BASE "garbage: [", strlen(BASE), "t.yaml", NULL, NULL, err);
    assert_non_null(c);
    config_free(c);
}

/* n model_list entries, groups g0..g(n-1); entry k starts on line 2 + 3k, column 5. */
static char *many_deployments(int n)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "model_list:\n");
    for (int k = 0; k < n; k++)
        buf_printf(&b, "  - model_name: g%d\n    litellm_params:\n      model: cerebras/m%d\n", k,
                   k);
    return b.data;
}

/* One limit on deployments: the config refuses more than CONFIG_MAX_DEPLOYMENTS at the first
 * entry too many, and a config at the limit is routed and shown whole. */
static void test_config_deployment_limit(void **st)
{
    (void)st;
    char err[CONFIG_ERR_LEN], want[CONFIG_ERR_LEN];
    char *yaml = many_deployments(CONFIG_MAX_DEPLOYMENTS + 1);
    snprintf(want, sizeof want,
             "t.yaml:%d:5: model_list: %d deployments, switchboard serves at most %d (this is "
             "entry %d)",
             2 + 3 * CONFIG_MAX_DEPLOYMENTS, CONFIG_MAX_DEPLOYMENTS + 1, CONFIG_MAX_DEPLOYMENTS,
             CONFIG_MAX_DEPLOYMENTS + 1);
    expect_err(yaml, want);
    free(yaml);

    yaml = many_deployments(CONFIG_MAX_DEPLOYMENTS);
    struct config *c = parse(yaml, err);
    free(yaml);
    if (!c)
        fail_msg("%s", err);
    assert_int_equal(c->n_deps, CONFIG_MAX_DEPLOYMENTS);
    struct state *state = state_new(c, NULL);
    assert_non_null(state);
    struct route_plan plan;
    char last[16];
    snprintf(last, sizeof last, "g%d", CONFIG_MAX_DEPLOYMENTS - 1);
    assert_int_equal(state_plan(state, last, &plan), 0);
    assert_int_equal(plan.n, 1);
    assert_int_equal(plan.dep[0], CONFIG_MAX_DEPLOYMENTS - 1);
    struct snapshot *snap = malloc(sizeof *snap);
    assert_non_null(snap);
    state_snapshot(state, snap);
    assert_int_equal(snap->n_deps, CONFIG_MAX_DEPLOYMENTS);
    assert_string_equal(snap->deps[CONFIG_MAX_DEPLOYMENTS - 1].group, last);
    free(snap);
    state_free(state);
    config_free(c);
}

/* LiteLLM's redis_* keys are read (os.environ/VAR, a port as text), turn on sharing through
 * src/shared, and a bad value is an error that never shows the password. */
static void test_config_redis_keys(void **st)
{
    char err[CONFIG_ERR_LEN];
    struct config *c;

    (void)st;
    n_warns = 0;
    setenv("SB_T_REDIS_PW", "hunter2-redis", 1);
    setenv("SB_T_REDIS_PORT", "6390", 1);
    c = parse("model_list:\n"
              "  - model_name: glm-4.6\n"
              "    litellm_params:\n"
              "      model: cerebras/zai-glm-4.6\n"
              "router_settings:\n"
              "  redis_host: cache.lan\n"
              "  redis_port: os.environ/SB_T_REDIS_PORT\n"
              "  redis_password: os.environ/SB_T_REDIS_PW\n"
              "switchboard_settings:\n"
              "  redis_timeout_ms: 20\n",
              err);
    if (!c)
        fail_msg("%s", err);
    assert_int_equal(n_warns, 0);
    assert_string_equal(c->redis_host, "cache.lan");
    assert_int_equal(c->redis_port, 6390);
    assert_string_equal(c->redis_password, "hunter2-redis");
    assert_null(c->redis_url);
    assert_true(c->redis_timeout_ms == 20);
    config_free(c);
    c = parse("model_list:\n"
              "  - model_name: glm-4.6\n"
              "    litellm_params:\n"
              "      model: cerebras/zai-glm-4.6\n"
              "router_settings:\n"
              "  redis_url: [\"redis://:hunter2-redis@cache.lan\"]\n",
              err);
    assert_null(c);
    assert_non_null(strstr(err, "redis_url"));
    assert_null(strstr(err, "hunter2"));
    unsetenv("SB_T_REDIS_PW");
    unsetenv("SB_T_REDIS_PORT");
}

/* LiteLLM's model_info windows are read (the output cap bounds max_tokens, whichever is
 * smaller, in either order), the model value's position is kept for rewriting it, and the
 * discovery interval has a default. */
static void test_config_model_info_and_lineup_keys(void **st)
{
    (void)st;
    char err[CONFIG_ERR_LEN];
    struct config *c =
        parse("model_list:\n"
              "  - model_name: glm-4.6\n"
              "    model_info:\n"
              "      max_input_tokens: 65536\n"
              "      max_output_tokens: 8192\n"
              "    litellm_params:\n"
              "      model: cerebras/gpt-oss-120b\n"
              "      max_tokens: 16000\n"
              "  - model_name: b\n"
              "    litellm_params: {model: \"anthropic/glm-5.2\", max_tokens: 4000}\n"
              "    model_info: {max_tokens: 100000}\n",
              err);
    if (!c)
        fail_msg("%s", err);
    assert_int_equal(c->deps[0].max_input_tokens, 65536);
    assert_int_equal(c->deps[0].max_tokens, 8192);
    assert_int_equal(c->deps[1].max_tokens, 4000);
    assert_int_equal(c->deps[1].max_input_tokens, 0);
    assert_int_equal(c->deps[0].model_line, 7);
    assert_int_equal(c->deps[0].model_col, 14);
    assert_true(c->deps[0].model_plain);
    assert_string_equal(c->deps[0].model_written, "cerebras/gpt-oss-120b");
    assert_false(c->deps[1].model_plain);
    assert_int_equal(c->deps[1].model_line, 10);
    assert_true(c->discovery_interval_s == 600);
    assert_false(c->from_file);
    config_free(c);
    c = parse("model_list:\n  - model_name: a\n    litellm_params: {model: openai/x}\n"
              "switchboard_settings:\n  discovery_interval: 0\n",
              err);
    assert_non_null(c);
    assert_true(c->discovery_interval_s == 0);
    config_free(c);
    expect_err("model_list:\n  - model_name: a\n    litellm_params: {model: openai/x}\n"
               "    model_info: {max_input_tokens: -1}\n",
               "t.yaml:4:36: model_list[0].model_info.max_input_tokens: expected a positive "
               "integer, got '-1'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_config_repo_file, setup),
        cmocka_unit_test_setup(test_config_model_info_and_lineup_keys, setup),
        cmocka_unit_test_setup(test_config_deployment_limit, setup),
        cmocka_unit_test_setup(test_config_repo_resolve, setup),
        cmocka_unit_test_setup(test_config_master_key_env_wins, setup),
        cmocka_unit_test_setup(test_config_master_key_from_var, setup),
        cmocka_unit_test_setup(test_config_assets_load, setup),
        cmocka_unit_test_setup(test_config_env_forms, setup),
        cmocka_unit_test_setup(test_config_provider_rules, setup),
        cmocka_unit_test_setup(test_config_duplicate_ids, setup),
        cmocka_unit_test_setup(test_config_settings, setup),
        cmocka_unit_test_setup(test_config_alias_order_and_globs, setup),
        cmocka_unit_test_setup(test_config_anchors_and_merges, setup),
        cmocka_unit_test_setup(test_config_cycles_do_not_hang, setup),
        cmocka_unit_test_setup(test_config_warnings, setup),
        cmocka_unit_test_setup(test_config_redis_keys, setup),
        cmocka_unit_test_setup(test_config_bad_values, setup),
        cmocka_unit_test_setup(test_config_bad_structure, setup),
        cmocka_unit_test_setup(test_config_bad_providers_and_groups, setup),
        cmocka_unit_test_setup(test_config_secrets_never_shown, setup),
        cmocka_unit_test_setup(test_config_yaml_syntax_errors, setup),
        cmocka_unit_test_setup(test_config_load_errors_and_refs, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
