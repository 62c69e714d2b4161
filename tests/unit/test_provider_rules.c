/* Tests for the provider table (provider_rules): how a deployment finds its row (longest
 * model prefix of its kind), that every strict row is complete, the name rule, and that the
 * translators and the simulated providers read the same row (what one side drops or clamps,
 * the other refuses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "sim/simprov_validate.h"
#include "xlate/provider_rules.h"
#include "xlate/xlate.h"

static const enum provider_kind kinds[] = {PROVIDER_GENERIC_OPENAI, PROVIDER_CEREBRAS, PROVIDER_ZAI,
                                           PROVIDER_ANTHROPIC};

static cJSON *parse(const char *s)
{
    cJSON *v = json_parse(s, strlen(s));
    assert_non_null(v);
    return v;
}

/* simprov_validate's verdict on text; why gets the reason. */
static int sim_check(enum api d, const cJSON *req, char why[256])
{
    return simprov_validate(d, req, why, 256);
}

static void test_provider_rules_longest_prefix_wins(void **state)
{
    (void)state;
    static const struct provider_rules any = {.kind = PROVIDER_CEREBRAS, .model_prefix = ""};
    static const struct provider_rules oss = {.kind = PROVIDER_CEREBRAS, .model_prefix = "gpt-oss"};
    static const struct provider_rules oss120 = {.kind = PROVIDER_CEREBRAS,
                                                 .model_prefix = "gpt-oss-120b"};
    static const struct provider_rules glm5 = {.kind = PROVIDER_ZAI, .model_prefix = "glm-5"};
    /* order in the table does not matter, only the length of the match */
    const struct provider_rules *const rows[] = {&oss120, &any, &glm5, &oss};
    const size_t n = sizeof rows / sizeof rows[0];
    assert_ptr_equal(provider_rules_match(rows, n, PROVIDER_CEREBRAS, "gpt-oss-120b"), &oss120);
    assert_ptr_equal(provider_rules_match(rows, n, PROVIDER_CEREBRAS, "GPT-OSS-20b"), &oss);
    assert_ptr_equal(provider_rules_match(rows, n, PROVIDER_CEREBRAS, "zai-glm-4.7"), &any);
    assert_ptr_equal(provider_rules_match(rows, n, PROVIDER_CEREBRAS, NULL), &any);
    assert_ptr_equal(provider_rules_match(rows, n, PROVIDER_ZAI, "glm-5.2"), &glm5);
    /* a kind without a "" row has nothing for other models */
    assert_null(provider_rules_match(rows, n, PROVIDER_ZAI, "glm-4.6"));
    assert_null(provider_rules_match(rows, n, PROVIDER_ZAI, NULL));
    assert_null(provider_rules_match(rows, n, PROVIDER_ANTHROPIC, "gpt-oss-120b"));
}

static void test_provider_rules_every_kind_has_a_row(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const struct provider_rules *r = provider_rules_for(kinds[i], NULL);
        assert_non_null(r);
        assert_int_equal(r->kind, kinds[i]);
        assert_string_equal(r->model_prefix, "");
        assert_ptr_equal(provider_rules_for(kinds[i], "some-model"), r);
        assert_non_null(r->label);
        assert_non_null(r->budget_field);
        assert_true(r->temperature_max > 0);
    }
    const struct provider_rules *unknown = provider_rules_for((enum provider_kind)99, "x");
    assert_int_equal(unknown->kind, PROVIDER_GENERIC_OPENAI);
}

static bool unique(const struct provider_key *list)
{
    for (const struct provider_key *a = list; a && a->name; a++)
        for (const struct provider_key *b = a + 1; b->name; b++)
            if (strcmp(a->name, b->name) == 0)
                return false;
    return true;
}

/* A strict row refuses what it does not list, so each level a request of its dialect has must
 * have a list; a missing one would quietly let anything through on both sides. */
static void test_provider_rules_strict_rows_are_complete(void **state)
{
    (void)state;
    int strict = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const struct provider_rules *r = provider_rules_for(kinds[i], NULL);
        if (!provider_rules_strict(r))
            continue;
        strict++;
        bool openai = r->kind == PROVIDER_CEREBRAS || r->kind == PROVIDER_GENERIC_OPENAI;
        assert_non_null(r->message_keys);
        assert_non_null(r->tool_keys);
        if (openai) {
            assert_non_null(r->function_keys);
            assert_non_null(r->call_keys);
            assert_non_null(r->call_function_keys);
            assert_non_null(r->tool_names);
        }
        const struct provider_key *lists[] = {r->top_keys,  r->message_keys,
                                              r->tool_keys, r->function_keys,
                                              r->call_keys, r->call_function_keys};
        for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
            assert_true(unique(lists[k]));
        assert_true(provider_key_forwarded(r->top_keys, "model"));
        assert_true(provider_key_forwarded(r->top_keys, "messages"));
        assert_false(provider_key_forwarded(r->top_keys, "no_such_key"));
    }
    assert_int_equal(strict, 2); /* Cerebras and Z.AI */
}

static void test_provider_rules_name_rule(void **state)
{
    (void)state;
    const struct provider_name_rule *rule = provider_rules_for(PROVIDER_CEREBRAS, NULL)->tool_names;
    char name[PROVIDER_TOOL_NAME_MAX + 2];
    memset(name, 'a', sizeof name - 1);
    name[PROVIDER_TOOL_NAME_MAX] = '\0';
    assert_true(provider_name_ok(rule, name));
    name[PROVIDER_TOOL_NAME_MAX] = 'a';
    name[PROVIDER_TOOL_NAME_MAX + 1] = '\0';
    assert_false(provider_name_ok(rule, name));
    assert_true(provider_name_ok(rule, "mcp__git-hub__x_1"));
    assert_false(provider_name_ok(rule, "functions.bash"));
    assert_false(provider_name_ok(rule, ""));
    assert_true(provider_name_ok(NULL, "any.thing here"));
}

/* Keys Cerebras takes but switchboard does not forward pass the simulator and are dropped by
 * the translator; a key it does not know is refused by one and dropped by the other; the
 * translated request passes. */
static void test_provider_rules_cerebras_both_sides(void **state)
{
    (void)state;
    char why[256];
    const char *base = "{\"model\":\"zai-glm-4.7\",\"messages\":[{\"role\":\"user\",\"content\":"
                       "\"hi\"}],\"n\":1,\"logprobs\":true,\"parallel_tool_calls\":false";
    char text[512];
    snprintf(text, sizeof text, "%s}", base);
    cJSON *taken = parse(text);
    assert_int_equal(sim_check(API_OPENAI, taken, why), 0);
    snprintf(text, sizeof text, "%s,\"frequency_penalty\":0.5}", base);
    cJSON *unknown = parse(text);
    assert_int_equal(sim_check(API_OPENAI, unknown, why), -EINVAL);
    assert_non_null(strstr(why, "property 'frequency_penalty' is unsupported"));

    struct xlate_opts o = {PROVIDER_CEREBRAS, "zai-glm-4.7", 0, false};
    char err[XLATE_ERR_LEN] = "";
    cJSON *out = xlate_req_o2o(unknown, &o, err);
    assert_non_null(out);
    static const char *const dropped[] = {"n", "logprobs", "parallel_tool_calls",
                                          "frequency_penalty"};
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
        assert_null(cJSON_GetObjectItemCaseSensitive(out, dropped[i]));
    assert_int_equal(sim_check(API_OPENAI, out, why), 0);
    cJSON_Delete(out);
    cJSON_Delete(unknown);
    cJSON_Delete(taken);
}

/* Z.AI's row: temperature range [0, 1] clamps on the way out and refuses in the simulator;
 * cache_control.ttl is stripped and refused. */
static void test_provider_rules_zai_both_sides(void **state)
{
    (void)state;
    char why[256];
    const struct provider_rules *r = provider_rules_for(PROVIDER_ZAI, "glm-4.6");
    cJSON *req = parse("{\"model\":\"glm-4.6\",\"max_tokens\":100,\"temperature\":0.5,"
                       "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                       "\"text\":\"hi\",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":"
                       "\"1h\"}}]}]}");
    assert_int_equal(sim_check(API_ANTHROPIC, req, why), -EINVAL);
    assert_non_null(strstr(why, "ttl"));
    cJSON_ReplaceItemInObjectCaseSensitive(req, "temperature", cJSON_CreateNumber(1.5));
    cJSON_DeleteItemFromObjectCaseSensitive(req, "messages");
    cJSON_AddItemToObject(req, "messages", parse("[{\"role\":\"user\",\"content\":\"hi\"}]"));
    assert_int_equal(sim_check(API_ANTHROPIC, req, why), -EINVAL);
    assert_non_null(strstr(why, "temperature"));
    cJSON_Delete(req);

    cJSON *oai = parse("{\"model\":\"x\",\"temperature\":1.7,\"messages\":[{\"role\":\"user\","
                       "\"content\":\"hi\"}]}");
    struct xlate_opts o = {PROVIDER_ZAI, "glm-4.6", 0, false};
    char err[XLATE_ERR_LEN] = "";
    cJSON *out = xlate_req_o2a(oai, &o, err);
    assert_non_null(out);
    assert_true(json_num(out, "temperature", -1) == r->temperature_max);
    assert_int_equal(sim_check(API_ANTHROPIC, out, why), 0);
    cJSON_Delete(out);
    cJSON_Delete(oai);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_provider_rules_longest_prefix_wins),
        cmocka_unit_test(test_provider_rules_every_kind_has_a_row),
        cmocka_unit_test(test_provider_rules_strict_rows_are_complete),
        cmocka_unit_test(test_provider_rules_name_rule),
        cmocka_unit_test(test_provider_rules_cerebras_both_sides),
        cmocka_unit_test(test_provider_rules_zai_both_sides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
