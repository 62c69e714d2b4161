/* Unit tests for switchboard_settings.proactive_routing: default on, both values read, a
 * non-boolean refused with file:line:col, and the documented example file agreeing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"

#ifndef SOURCE_DIR
#define SOURCE_DIR "."
#endif

#define BASE                                                                                       \
    "model_list:\n"                                                                                \
    "  - model_name: glm-4.6\n"                                                                    \
    "    litellm_params:\n"                                                                        \
    "      model: cerebras/gpt-oss-120b\n"                                                         \
    "      api_key: ck-test\n"

static struct config *parse(const char *yaml, char err[CONFIG_ERR_LEN])
{
    return config_parse(yaml, strlen(yaml), "t.yaml", NULL, NULL, err);
}

static void test_default_on(void **state)
{
    char err[CONFIG_ERR_LEN];
    struct config *c = parse(BASE, err);
    assert_non_null(c);
    assert_true(c->proactive_routing);
    config_free(c);
}

static void test_values(void **state)
{
    char err[CONFIG_ERR_LEN];
    struct config *c = parse(BASE "switchboard_settings:\n  proactive_routing: false\n", err);
    assert_non_null(c);
    assert_false(c->proactive_routing);
    config_free(c);
    c = parse(BASE "switchboard_settings:\n  proactive_routing: true\n", err);
    assert_non_null(c);
    assert_true(c->proactive_routing);
    config_free(c);
}

static void test_not_a_bool(void **state)
{
    char err[CONFIG_ERR_LEN];
    struct config *c = parse(BASE "switchboard_settings:\n  proactive_routing: sometimes\n", err);
    assert_null(c);
    assert_non_null(strstr(err, "t.yaml:7:"));
    assert_non_null(strstr(err, "switchboard_settings.proactive_routing"));
}

static void test_example_file_says_true(void **state)
{
    char err[CONFIG_ERR_LEN];
    struct config *c = config_load(SOURCE_DIR "/assets/config.example.yaml", NULL, NULL, err);
    if (!c)
        fail_msg("%s", err);
    assert_true(c->proactive_routing);
    config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_on),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_not_a_bool),
        cmocka_unit_test(test_example_file_says_true),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
