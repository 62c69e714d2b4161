/* Tests for discovery: the list parsers (OpenAI and Anthropic shapes, Cerebras' catalogue),
 * discovery_fetch against the simulated providers over loopback (Cerebras: a complete list with
 * context lengths; Z.AI: a list that may miss models; refused keys, failures, no list), a round
 * over a config (one question per endpoint), and fetches from several threads at once, each
 * with its own curl handle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "fixture_config.h"
#include "front/discovery.h"
#include "front/discovery_watch.h"
#include "sim/simprov.h"

#define KEY "dk-test"

static struct simprov *start(enum api d, const char *models)
{
    char err[SIMPROV_ERR_LEN];
    struct simprov_opts o = {.dialect = d, .api_key = KEY, .threads = 8, .models = models};
    struct simprov *s = simprov_start(&o, err);
    if (!s)
        fail_msg("simprov_start: %s", err);
    return s;
}

static void base_of(const struct simprov *s, enum api d, char *out, size_t n)
{
    snprintf(out, n, "http://127.0.0.1:%d%s", simprov_port(s),
             d == API_OPENAI ? "/v1" : "/api/anthropic");
}

static void test_discovery_parse(void **state)
{
    (void)state;
    struct lineup_offer o;
    const char *oai = "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-oss-120b\",\"object\":"
                      "\"model\"},{\"id\":\"gemma-4-31b\"},{\"object\":\"model\"}]}";
    assert_int_equal(discovery_parse_list(oai, strlen(oai), &o), 0);
    assert_int_equal(o.n, 2);
    assert_string_equal(o.models[1], "gemma-4-31b");
    assert_true(o.complete);
    const char *ant = "{\"data\":[{\"type\":\"model\",\"id\":\"glm-5.2\"}],\"has_more\":true}";
    assert_int_equal(discovery_parse_list(ant, strlen(ant), &o), 0);
    assert_int_equal(o.n, 1);
    assert_false(o.complete); /* another page may hold the model */
    assert_int_equal(discovery_parse_list("{\"error\":{}}", 12, &o), -22);
    assert_int_equal(discovery_parse_list("<html>", 6, &o), -22);
    assert_int_equal(discovery_parse_list(NULL, 0, &o), -22);
    const char *bare = "[\"a\",{\"id\":\"b\"}]";
    assert_int_equal(discovery_parse_list(bare, strlen(bare), &o), 0);
    assert_int_equal(o.n, 2);
    const char *cat = "{\"data\":[{\"id\":\"b\",\"limits\":{\"max_context_length\":65536}},"
                      "{\"id\":\"zz\",\"limits\":{\"max_context_length\":1}},{\"id\":\"a\"}]}";
    assert_int_equal(discovery_parse_catalog(cat, strlen(cat), &o), 0);
    assert_int_equal(o.context[1], 65536);
    assert_int_equal(o.context[0], 0);
    assert_int_equal(o.n, 2); /* the catalogue adds no model the key's list lacks */
}

static void test_discovery_fetch_providers(void **state)
{
    (void)state;
    struct simprov *c = start(API_OPENAI, NULL), *z = start(API_ANTHROPIC, NULL);
    char cb[128], zb[128], err[256];
    struct lineup_offer o;
    base_of(c, API_OPENAI, cb, sizeof cb);
    base_of(z, API_ANTHROPIC, zb, sizeof zb);

    struct discovery_target t = {PROVIDER_CEREBRAS, API_OPENAI, cb, KEY, 5, 2, NULL};
    assert_int_equal(discovery_fetch(&t, &o, err, sizeof err), DISCOVERY_OK);
    assert_int_equal(o.n, 2);
    assert_string_equal(o.models[0], "gpt-oss-120b");
    assert_int_equal(o.context[0], 131072); /* from the public catalogue */
    assert_true(o.complete);

    struct discovery_target zt = {PROVIDER_ZAI, API_ANTHROPIC, zb, KEY, 5, 2, NULL};
    assert_int_equal(discovery_fetch(&zt, &o, err, sizeof err), DISCOVERY_OK);
    assert_int_equal(o.n, 6);
    assert_int_equal(lineup_offer_find(&o, "glm-4.5-air"), 5);
    assert_false(o.complete); /* Z.AI's lists can miss models a plan grants */

    /* a refused key, a failing list, no list at all, no key: nothing usable, and why */
    t.api_key = "wrong-key-000000000000";
    assert_int_equal(discovery_fetch(&t, &o, err, sizeof err), DISCOVERY_AUTH);
    assert_non_null(strstr(err, "refused (HTTP 401)"));
    assert_null(strstr(err, "wrong-key")); /* the key never shows */
    t.api_key = KEY;
    CURL *e = curl_easy_init();
    char url[160];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/_mock/lineup", simprov_port(c));
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, "{\"fail\":503}");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fwrite);
    FILE *null = fopen("/dev/null", "w");
    curl_easy_setopt(e, CURLOPT_WRITEDATA, null);
    assert_int_equal(curl_easy_perform(e), CURLE_OK);
    curl_easy_cleanup(e);
    fclose(null);
    assert_int_equal(discovery_fetch(&t, &o, err, sizeof err), DISCOVERY_FAILED);
    assert_non_null(strstr(err, "HTTP 503"));
    struct discovery_target g = {PROVIDER_GENERIC_OPENAI, API_OPENAI, zb, KEY, 5, 2, NULL};
    assert_int_equal(discovery_fetch(&g, &o, err, sizeof err), DISCOVERY_NO_LIST);
    struct discovery_target none = {PROVIDER_ZAI, API_ANTHROPIC, zb, NULL, 5, 2, NULL};
    assert_int_equal(discovery_fetch(&none, &o, err, sizeof err), DISCOVERY_NO_KEY);
    simprov_stop(c);
    /* nobody listening */
    assert_int_equal(discovery_fetch(&t, &o, err, sizeof err), DISCOVERY_FAILED);
    assert_non_null(strstr(err, "GET http://127.0.0.1:"));
    simprov_stop(z);
}

/* A round asks each endpoint once: three deployments on two providers are two questions. */
static void test_discovery_round_asks_each_endpoint_once(void **state)
{
    (void)state;
    struct simprov *c = start(API_OPENAI, "zai-glm-4.6"), *z = start(API_ANTHROPIC, NULL);
    char cb[128], zb[128];
    base_of(c, API_OPENAI, cb, sizeof cb);
    base_of(z, API_ANTHROPIC, zb, sizeof zb);
    struct fixture f;
    fx_init(&f);
    fx_dep(&f, "fast", "cerebras", NULL, 0, 0, KEY);
    fx_dep(&f, "zai", "zai", "zai/a", 0, 0, KEY);
    fx_dep(&f, "air", "zai", "zai/b", 0, 0, KEY);
    fx_dep(&f, "nokey", "zai", "zai/c", 0, 0, NULL);
    f.deps[0].kind = PROVIDER_CEREBRAS;
    f.deps[0].api_base = cb;
    for (int i = 1; i < 4; i++) {
        f.deps[i].kind = PROVIDER_ZAI;
        f.deps[i].dialect = API_ANTHROPIC;
        f.deps[i].api_base = zb;
    }
    struct discovery_answer ans[4];
    discovery_round(&f.cfg, NULL, ans);
    assert_int_equal(ans[0].res, DISCOVERY_OK);
    assert_string_equal(ans[0].offer.models[0], "zai-glm-4.6");
    assert_int_equal(ans[1].res, DISCOVERY_OK);
    assert_int_equal(ans[2].res, DISCOVERY_OK);
    assert_int_equal(ans[3].res, DISCOVERY_NO_KEY);
    struct simprov_stats cs, zs;
    simprov_get_stats(c, &cs);
    simprov_get_stats(z, &zs);
    assert_int_equal(cs.models_requests, 2); /* the list and the catalogue */
    assert_int_equal(zs.models_requests, 1);
    assert_int_equal(cs.requests + zs.requests, 0); /* no completion: no quota spent */
    simprov_stop(c);
    simprov_stop(z);
}

struct worker {
    const char *base;
    int ok;
};

static void *fetch_many(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 20; i++) {
        struct lineup_offer o;
        struct discovery_target t = {PROVIDER_CEREBRAS, API_OPENAI, w->base, KEY, 5, 2, NULL};
        w->ok += discovery_fetch(&t, &o, NULL, 0) == DISCOVERY_OK && o.n == 2;
    }
    return NULL;
}

/* Each fetch owns its handle: several threads at once need no lock of their own. */
static void test_discovery_threads(void **state)
{
    (void)state;
    struct simprov *c = start(API_OPENAI, NULL);
    char cb[128];
    base_of(c, API_OPENAI, cb, sizeof cb);
    pthread_t th[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){cb, 0};
        assert_int_equal(pthread_create(&th[i], NULL, fetch_many, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].ok, 20);
    }
    simprov_stop(c);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_discovery_parse),
        cmocka_unit_test(test_discovery_fetch_providers),
        cmocka_unit_test(test_discovery_round_asks_each_endpoint_once),
        cmocka_unit_test(test_discovery_threads),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
