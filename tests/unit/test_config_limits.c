/* Unit tests for the limit keys: rpm/rph/rpd and tpm/tph/tpd and max_parallel_requests under
 * a deployment, max_wait and min_output_tokens under switchboard_settings: defaults, values,
 * and bad values refused with file:line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"

#define BASE                                                                                       \
    "model_list:\n"                                                                                \
    "  - model_name: glm-4.6\n"                                                                    \
    "    litellm_params:\n"                                                                        \
    "      model: cerebras/zai-glm-4.6\n"                                                          \
    "      api_key: ck-test\n"

static struct config *parse(const char *yaml, char err[CONFIG_ERR_LEN])
{
    return config_parse(yaml, strlen(yaml), "t.yaml", NULL, NULL, err);
}

static void test_limits_defaults(void **state)
{
    char err[CONFIG_ERR_LEN];
    struct config *c = parse(BASE, err);
    assert_non_null(c);
    const struct deployment_cfg *d = &c->deps[0];
    assert_int_equal(d->rpm + d->rph + d->rpd + d->tpm + d->tph + d->tpd, 0);
    assert_int_equal(d->max_parallel, 0);
    assert_true(c->max_wait_s == 20);
    assert_int_equal(c->min_output_tokens, 4096);
    config_free(c);
}

/* The Cerebras free tier, as a user writes it down. */
static void test_limits_values(void **state)
{
    char err[CONFIG_ERR_LEN];
    struct config *c = parse(BASE "      rpm: 10\n"
                                  "      rph: 100\n"
                                  "      rpd: 100\n"
                                  "      tpm: 150000\n"
                                  "      tph: 1000000\n"
                                  "      tpd: 1000000\n"
                                  "      max_parallel_requests: 3\n"
                                  "switchboard_settings:\n"
                                  "  max_wait: 7.5\n"
                                  "  min_output_tokens: 8192\n",
                             err);
    if (!c)
        fail_msg("%s", err);
    const struct deployment_cfg *d = &c->deps[0];
    assert_int_equal(d->rpm, 10);
    assert_int_equal(d->rph, 100);
    assert_int_equal(d->rpd, 100);
    assert_int_equal(d->tpm, 150000);
    assert_int_equal(d->tph, 1000000);
    assert_int_equal(d->tpd, 1000000);
    assert_int_equal(d->max_parallel, 3);
    assert_true(c->max_wait_s == 7.5);
    assert_int_equal(c->min_output_tokens, 8192);
    config_free(c);
    /* 0 turns waiting and lowering off */
    c = parse(BASE "switchboard_settings:\n  max_wait: 0\n  min_output_tokens: 0\n", err);
    assert_non_null(c);
    assert_true(c->max_wait_s == 0);
    assert_int_equal(c->min_output_tokens, 0);
    config_free(c);
}

static void refused(const char *yaml, const char *where, const char *key)
{
    char err[CONFIG_ERR_LEN];
    struct config *c = parse(yaml, err);
    assert_null(c);
    assert_non_null(strstr(err, where));
    assert_non_null(strstr(err, key));
}

static void test_limits_bad_values(void **state)
{
    refused(BASE "      rph: -1\n", "t.yaml:6:", "rph");
    refused(BASE "      tpd: lots\n", "t.yaml:6:", "tpd");
    refused(BASE "      max_parallel_requests: 0\n", "t.yaml:6:", "max_parallel_requests");
    refused(BASE "switchboard_settings:\n  max_wait: -3\n", "t.yaml:7:", "max_wait");
    refused(BASE "switchboard_settings:\n  max_wait: 99999\n", "t.yaml:7:", "max_wait");
    refused(BASE "switchboard_settings:\n  min_output_tokens: 1.5\n",
            "t.yaml:7:", "min_output_tokens");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limits_defaults),
        cmocka_unit_test(test_limits_values),
        cmocka_unit_test(test_limits_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
