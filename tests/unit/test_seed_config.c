/* The seed's config.yaml (assets/config.seed-2025.yaml, the file switchboard shipped with in
 * 2025) still loads unchanged, and against providers with today's lineup its Cerebras
 * deployment (zai-glm-4.6, retired 2026-01-20) is MODEL GONE, in the state and in
 * `--check --online`'s report, while its Z.AI deployments are offered. Only the api_base of each
 * loaded deployment is pointed at the simulated providers, in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "app/check_online.h"
#include "config/config.h"
#include "front/discovery_watch.h"
#include "route/state.h"
#include "sim/simprov.h"

#ifndef SOURCE_DIR
#error "SOURCE_DIR must point at the source tree"
#endif

static struct simprov *start(enum api d)
{
    char err[SIMPROV_ERR_LEN];
    struct simprov_opts o = {.dialect = d, .threads = 4}; /* today's lineup, any key */
    struct simprov *s = simprov_start(&o, err);
    if (!s)
        fail_msg("%s", err);
    return s;
}

static void test_seed_config_model_gone(void **state)
{
    (void)state;
    char err[CONFIG_ERR_LEN];
    setenv("CEREBRAS_API_KEY", "ck-seed", 1);
    setenv("ZAI_API_KEY", "zk-seed", 1);
    struct config *c = config_load(SOURCE_DIR "/assets/config.seed-2025.yaml", NULL, NULL, err);
    if (!c)
        fail_msg("the seed config no longer loads: %s", err);
    assert_int_equal(c->n_deps, 3);
    assert_string_equal(c->deps[0].id, "cerebras");
    assert_string_equal(c->deps[0].model, "zai-glm-4.6");
    assert_string_equal(c->deps[0].api_base, "https://api.cerebras.ai/v1");
    assert_string_equal(c->deps[1].model, "glm-4.6");
    assert_string_equal(c->deps[2].model, "glm-4.5-air");

    struct simprov *cer = start(API_OPENAI), *zai = start(API_ANTHROPIC);
    char cb[96], zb[96];
    snprintf(cb, sizeof cb, "http://127.0.0.1:%d/v1", simprov_port(cer));
    snprintf(zb, sizeof zb, "http://127.0.0.1:%d/api/anthropic", simprov_port(zai));
    for (size_t i = 0; i < c->n_deps; i++) {
        free(c->deps[i].api_base);
        c->deps[i].api_base = strdup(i == 0 ? cb : zb);
    }
    struct discovery_answer ans[3];
    discovery_round(c, NULL, ans);

    /* --check --online: gone, the offered models, the line to write; exit 1 (a primary) */
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(check_online_report(c, ans, out), 1);
    fclose(out);
    assert_non_null(strstr(text, "cerebras             zai-glm-4.6: GONE"));
    assert_non_null(strstr(text, "offered: gpt-oss-120b (131072-token context), gemma-4-31b"));
    assert_non_null(strstr(text, "config.seed-2025.yaml:11:  model: cerebras/gpt-oss-120b"));
    assert_non_null(strstr(text, "zai/zai-glm-4.6      glm-4.6: offered"));
    assert_non_null(strstr(text, "zai/glm-4.5-air      glm-4.5-air: offered"));
    free(text);

    /* the running state: MODEL GONE with the offered names, the fallback ready */
    struct state *st = state_new(c, NULL);
    discovery_apply(st, c, ans, 1);
    struct snapshot *s = malloc(sizeof *s);
    state_snapshot(st, s);
    assert_int_equal(s->deps[0].view.status, DEP_MODEL_GONE);
    assert_string_equal(s->deps[0].view.reason,
                        "zai-glm-4.6 is not offered; offered: gpt-oss-120b, gemma-4-31b");
    assert_int_equal(s->deps[1].view.status, DEP_READY);
    assert_int_equal(s->deps[2].view.status, DEP_READY);
    free(s);
    state_free(st);
    config_free(c);
    simprov_stop(cer);
    simprov_stop(zai);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_config_model_gone),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
