/* Unit tests for init_config: which offered model `switchboard init` picks for each role, and
 * that the config.yaml and .env it writes load as switchboard reads them (with the .env's keys
 * and no warning), for both keys, one key, and lineups without the preferred models. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/init_config.h"
#include "config/config.h"
#include "config/env.h"

static struct lineup_offer offer_of(const char *const *models)
{
    struct lineup_offer o = {0};
    for (; *models; models++)
        assert_true(lineup_offer_add(&o, *models, 0));
    return o;
}

static void test_pick_preferences(void **st)
{
    (void)st;
    struct lineup_offer cerebras = offer_of((const char *[]){"gemma-4-31b", "gpt-oss-120b", NULL});
    struct lineup_offer zai = offer_of(
        (const char *[]){"glm-4.5-air", "glm-4.6", "glm-4.7", "glm-5", "glm-5.1", "glm-5.2", NULL});
    assert_string_equal(init_pick(INIT_PRIMARY, &cerebras), "gpt-oss-120b");
    assert_string_equal(init_pick(INIT_FALLBACK, &zai), "glm-5.2");
    assert_string_equal(init_pick(INIT_SMALL, &zai), "glm-4.5-air");
    /* gpt-oss-120b's free-tier window less the 16,000-token budget, as config.yaml has it */
    assert_int_equal(init_input_tokens(INIT_PRIMARY, "gpt-oss-120b"), 49536);
    assert_int_equal(init_input_tokens(INIT_PRIMARY, "gemma-4-31b"), 0);
}

static void test_pick_without_preferred(void **st)
{
    (void)st;
    /* none preferred: the first of a family the provider table knows, else the first */
    struct lineup_offer cerebras = offer_of((const char *[]){"llama-9", "gpt-oss-20b", NULL});
    assert_string_equal(init_pick(INIT_PRIMARY, &cerebras), "gpt-oss-20b");
    struct lineup_offer unknown = offer_of((const char *[]){"llama-9", "qwen-7", NULL});
    assert_string_equal(init_pick(INIT_PRIMARY, &unknown), "llama-9");
    struct lineup_offer zai = offer_of((const char *[]){"glm-4.7", NULL});
    assert_string_equal(init_pick(INIT_FALLBACK, &zai), "glm-4.7");
    assert_null(init_pick(INIT_SMALL, &zai)); /* no small model: no group */
    struct lineup_offer none = {0};
    assert_null(init_pick(INIT_PRIMARY, &none));
    assert_string_equal(init_default(INIT_PRIMARY), "gpt-oss-120b");
    assert_string_equal(init_default(INIT_SMALL), "glm-4.5-air");
}

static void test_key_plausible(void **st)
{
    (void)st;
    assert_true(init_key_plausible("csk-abcdef0123456789"));
    assert_true(init_key_plausible("0123456789abcdef.ZyXwVuTsRq"));
    assert_false(init_key_plausible("short"));
    assert_false(init_key_plausible("csk-abc def0123456"));
    assert_false(init_key_plausible("csk-abc\"def0123456"));
    assert_false(init_key_plausible("csk-abc#def0123456"));
    assert_false(init_key_plausible("csk-abc$def0123456"));
    assert_false(init_key_plausible("csk-abc\x01"
                                    "def0123456"));
}

static int warnings;
static void count_warning(void *ud, const char *msg)
{
    (void)ud;
    fprintf(stderr, "warning: %s\n", msg);
    warnings++;
}

/* Loads the written pair as switchboard does (no process environment for these names). */
static struct config *load_pair(const struct init_choice *c, const char *ck, const char *zk)
{
    char *yaml = init_config_text(c), *env = init_env_text(ck, zk, "sk-0123456789abcdef0123");
    char err[CONFIG_ERR_LEN] = "";
    assert_non_null(yaml);
    assert_non_null(env);
    struct env_vars *v = env_vars_parse(env, strlen(env));
    warnings = 0;
    struct config *cfg =
        config_parse_env(yaml, strlen(yaml), "init.yaml", v, count_warning, NULL, err);
    if (!cfg)
        fprintf(stderr, "%s\n---\n%s", err, yaml);
    assert_non_null(cfg);
    assert_int_equal(warnings, 0);
    assert_string_equal(cfg->master_key, "sk-0123456789abcdef0123");
    env_vars_free(v);
    free(yaml);
    free(env);
    return cfg;
}

static const struct deployment_cfg *dep(const struct config *c, const char *group)
{
    for (size_t i = 0; i < c->n_deps; i++)
        if (strcmp(c->deps[i].group, group) == 0)
            return &c->deps[i];
    return NULL;
}

static void test_both_keys(void **st)
{
    (void)st;
    unsetenv("CEREBRAS_API_KEY"), unsetenv("ZAI_API_KEY"), unsetenv("LITELLM_MASTER_KEY");
    struct init_choice c = {.cerebras_model = "gpt-oss-120b",
                            .zai_model = "glm-5.2",
                            .zai_small = "glm-4.5-air",
                            .zai_base = "http://127.0.0.1:9/api/anthropic",
                            .cerebras_base = "http://127.0.0.1:8/v1",
                            .written_on = "2026-12-04",
                            .master_key = true};
    struct config *cfg = load_pair(&c, "ck-0123456789", "zk-0123456789");
    assert_int_equal(cfg->n_deps, 3);
    const struct deployment_cfg *p = dep(cfg, "glm-4.6"), *f = dep(cfg, "zai-glm"),
                                *s = dep(cfg, "glm-4.5-air");
    assert_non_null(p);
    assert_non_null(f);
    assert_non_null(s);
    assert_int_equal(p->kind, PROVIDER_CEREBRAS);
    assert_string_equal(p->model, "gpt-oss-120b");
    assert_string_equal(p->api_base, "http://127.0.0.1:8/v1");
    assert_string_equal(p->api_key, "ck-0123456789");
    assert_int_equal(p->max_tokens, 16000);
    assert_int_equal(p->rpm, 10);
    assert_int_equal(f->kind, PROVIDER_ZAI);
    assert_string_equal(f->model, "glm-5.2");
    assert_string_equal(f->api_key, "zk-0123456789");
    assert_string_equal(s->model, "glm-4.5-air");
    assert_int_equal(cfg->n_fallbacks, 1);
    assert_string_equal(cfg->fallbacks[0].from, "glm-4.6");
    assert_string_equal(cfg->fallbacks[0].to[0], "zai-glm");
    assert_int_equal(cfg->n_aliases, 2);
    assert_string_equal(cfg->aliases[0].pattern, "claude-*haiku*");
    assert_string_equal(cfg->aliases[0].target, "glm-4.5-air");
    assert_string_equal(cfg->aliases[1].target, "glm-4.6");
    config_free(cfg);
}

static void test_one_key(void **st)
{
    (void)st;
    struct init_choice z = {.zai_model = "glm-4.7", .written_on = "2026-12-04", .master_key = true};
    struct config *cfg = load_pair(&z, NULL, "zk-0123456789");
    assert_int_equal(cfg->n_deps, 1);
    assert_int_equal(dep(cfg, "glm-4.6")->kind, PROVIDER_ZAI);
    assert_string_equal(dep(cfg, "glm-4.6")->api_base, INIT_ZAI_BASE);
    assert_int_equal(cfg->n_fallbacks, 0);
    assert_int_equal(cfg->n_aliases, 1);
    config_free(cfg);

    struct init_choice k = {
        .cerebras_model = "gemma-4-31b", .written_on = "2026-12-04", .master_key = true};
    cfg = load_pair(&k, "ck-0123456789", NULL);
    assert_int_equal(cfg->n_deps, 1);
    assert_string_equal(dep(cfg, "glm-4.6")->api_base, INIT_CEREBRAS_BASE);
    assert_string_equal(dep(cfg, "glm-4.6")->model, "gemma-4-31b");
    config_free(cfg);

    char *env = init_env_text(NULL, "zk-0123456789", "sk-x0123456789abcdef");
    assert_null(strstr(env, "CEREBRAS_API_KEY"));
    assert_non_null(strstr(env, "\nZAI_API_KEY=zk-0123456789\n"));
    free(env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pick_preferences), cmocka_unit_test(test_pick_without_preferred),
        cmocka_unit_test(test_key_plausible),    cmocka_unit_test(test_both_keys),
        cmocka_unit_test(test_one_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
