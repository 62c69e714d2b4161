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

/* Today's model families each have their row, found by the model id. */
static void test_provider_rules_model_rows(void **state)
{
    (void)state;
    static const struct {
        enum provider_kind kind;
        const char *model, *prefix;
        long window;
    } rows[] = {
        {PROVIDER_CEREBRAS, "gpt-oss-120b", "gpt-oss-", 131072},
        {PROVIDER_CEREBRAS, "gemma-4-31b", "gemma-", 0},
        {PROVIDER_CEREBRAS, "zai-glm-4.6", "zai-glm-4.6", 131072},
        {PROVIDER_CEREBRAS, "zai-glm-4.7", "zai-glm-", 131072},
        {PROVIDER_CEREBRAS, "llama-9", "", 0},
        {PROVIDER_ZAI, "glm-5.2", "glm-5.2", 1000000},
        {PROVIDER_ZAI, "glm-5.1", "glm-5", 204800},
        {PROVIDER_ZAI, "glm-5", "glm-5", 204800},
        {PROVIDER_ZAI, "glm-4.7", "glm-4.", 204800},
        {PROVIDER_ZAI, "glm-4.6", "glm-4.", 204800},
        {PROVIDER_ZAI, "glm-4.5-air", "glm-4.5", 131072},
        {PROVIDER_ZAI, "glm-9", "", 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct provider_rules *r = provider_rules_for(rows[i].kind, rows[i].model);
        assert_int_equal(r->kind, rows[i].kind);
        assert_string_equal(r->model_prefix, rows[i].prefix);
        assert_int_equal(r->context_window, rows[i].window);
        /* a model row is as complete as its provider's: the same levels have lists */
        const struct provider_rules *base = provider_rules_for(rows[i].kind, NULL);
        assert_int_equal(provider_rules_strict(r), provider_rules_strict(base));
        assert_int_equal(r->message_keys != NULL, base->message_keys != NULL);
        assert_int_equal(r->call_keys != NULL, base->call_keys != NULL);
        assert_true(unique(r->top_keys));
        assert_true(r->temperature_max > 0);
        assert_true(r->max_output_tokens > 0);
        assert_string_equal(r->budget_field, base->budget_field);
    }
}

static void test_provider_rules_effort_mapping(void **state)
{
    (void)state;
    const struct provider_rules *oss = provider_rules_for(PROVIDER_CEREBRAS, "gpt-oss-120b");
    const struct provider_rules *glm = provider_rules_for(PROVIDER_CEREBRAS, "zai-glm-4.7");
    const struct provider_rules *gemma = provider_rules_for(PROVIDER_CEREBRAS, "gemma-4-31b");
    assert_string_equal(provider_reasoning_effort(oss, "medium"), "medium");
    assert_string_equal(provider_reasoning_effort(oss, "max"), "high");
    assert_string_equal(provider_reasoning_effort(oss, "xhigh"), "high");
    assert_string_equal(provider_reasoning_effort(oss, "minimal"), "low");
    assert_null(provider_reasoning_effort(oss, "none")); /* gpt-oss refuses it */
    assert_null(provider_reasoning_effort(oss, "bogus"));
    assert_string_equal(provider_reasoning_effort(glm, "none"), "none");
    assert_null(provider_reasoning_effort(gemma, "high")); /* no reasoning parameter */
    assert_true(provider_reasoning_value_ok(oss, "low"));
    assert_false(provider_reasoning_value_ok(oss, "none"));
    assert_true(provider_reasoning_value_ok(gemma, "anything")); /* no list */
}

/* Translates in (client dialect d) for model on Cerebras, checks that the simulator takes the
 * result, and returns it. */
static cJSON *to_cerebras(const char *in, bool anthropic_client, const char *model)
{
    char err[XLATE_ERR_LEN] = "", why[256];
    struct xlate_opts o = {PROVIDER_CEREBRAS, model, 16000, false};
    cJSON *req = parse(in);
    cJSON *out = anthropic_client ? xlate_req_a2o(req, &o, err) : xlate_req_o2o(req, &o, err);
    cJSON_Delete(req);
    assert_non_null(out);
    if (sim_check(API_OPENAI, out, why) != 0)
        fail_msg("the simulator refuses what the translator made for %s: %s", model, why);
    return out;
}

static const char *str_or(const cJSON *o, const char *k)
{
    const char *v = json_str(o, k);
    return v ? v : "(none)";
}

/* Each Cerebras model gets the reasoning fields it knows and nothing else, from either
 * client dialect; the simulator refuses the ones a model does not know. */
static void test_provider_rules_cerebras_reasoning_per_model(void **state)
{
    (void)state;
    const char *ant_off = "{'model':'x','max_tokens':100,'messages':[{'role':'user',"
                          "'content':'hi'}]}";
    const char *ant_on = "{'model':'x','max_tokens':100,'thinking':{'type':'adaptive'},"
                         "'output_config':{'effort':'max'},'messages':[{'role':'user',"
                         "'content':'hi'},{'role':'assistant','content':[{'type':'thinking',"
                         "'thinking':'t','signature':'s'},{'type':'text','text':'a'}]},"
                         "{'role':'user','content':'more'}]}";
    char a_off[256], a_on[512];
    snprintf(a_off, sizeof a_off, "%s", ant_off);
    snprintf(a_on, sizeof a_on, "%s", ant_on);
    for (char *p = a_off; *p; p++)
        *p = *p == '\'' ? '"' : *p;
    for (char *p = a_on; *p; p++)
        *p = *p == '\'' ? '"' : *p;

    /* gpt-oss always reasons: "off" is the least effort; max is high */
    cJSON *o = to_cerebras(a_off, true, "gpt-oss-120b");
    assert_string_equal(str_or(o, "reasoning_effort"), "low");
    assert_null(cJSON_GetObjectItem(o, "disable_reasoning"));
    cJSON_Delete(o);
    o = to_cerebras(a_on, true, "gpt-oss-120b");
    assert_string_equal(str_or(o, "reasoning_effort"), "high");
    assert_null(cJSON_GetObjectItem(o, "clear_thinking"));
    assert_string_equal(str_or(cJSON_GetArrayItem(json_arr(o, "messages"), 1), "reasoning"), "t");
    cJSON_Delete(o);
    o = to_cerebras("{\"model\":\"x\",\"reasoning_effort\":\"none\",\"messages\":[{\"role\":"
                    "\"user\",\"content\":\"hi\"}]}",
                    false, "gpt-oss-120b");
    assert_string_equal(str_or(o, "reasoning_effort"), "low");
    cJSON_Delete(o);

    /* gemma: no reasoning field at all, earlier reasoning dropped */
    o = to_cerebras(a_on, true, "gemma-4-31b");
    assert_null(cJSON_GetObjectItem(o, "reasoning_effort"));
    assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(json_arr(o, "messages"), 1), "reasoning"));
    cJSON_Delete(o);
    o = to_cerebras("{\"model\":\"x\",\"reasoning_effort\":\"high\",\"messages\":[{\"role\":"
                    "\"assistant\",\"content\":\"a\",\"reasoning_content\":\"t\"},{\"role\":"
                    "\"user\",\"content\":\"hi\"}]}",
                    false, "gemma-4-31b");
    assert_null(cJSON_GetObjectItem(o, "reasoning_effort"));
    assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(json_arr(o, "messages"), 0), "reasoning"));
    cJSON_Delete(o);

    /* GLM 4.6: a switch; GLM 4.7: "none", and clear_thinking false when reasoning is replayed */
    o = to_cerebras(a_off, true, "zai-glm-4.6");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "disable_reasoning")));
    assert_null(cJSON_GetObjectItem(o, "reasoning_effort"));
    cJSON_Delete(o);
    o = to_cerebras(a_off, true, "zai-glm-4.7");
    assert_string_equal(str_or(o, "reasoning_effort"), "none");
    cJSON_Delete(o);
    o = to_cerebras(a_on, true, "zai-glm-4.7");
    assert_string_equal(str_or(o, "reasoning_effort"), "high");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "clear_thinking")));
    cJSON_Delete(o);

    /* the simulator refuses what a model does not take */
    static const struct {
        const char *model, *extra, *why;
    } refused[] = {
        {"gpt-oss-120b", "\"reasoning_effort\":\"none\"", "'low', 'medium' or 'high'"},
        {"gpt-oss-120b", "\"reasoning_effort\":\"minimal\"", "reasoning_effort"},
        {"gpt-oss-120b", "\"disable_reasoning\":true", "property 'disable_reasoning'"},
        {"gpt-oss-120b", "\"clear_thinking\":false", "property 'clear_thinking'"},
        {"gemma-4-31b", "\"reasoning_effort\":\"low\"", "property 'reasoning_effort'"},
        {"zai-glm-4.6", "\"reasoning_effort\":\"low\"", "property 'reasoning_effort'"},
        {"zai-glm-4.6", "\"disable_reasoning\":\"yes\"", "must be a boolean"},
        {"zai-glm-4.7", "\"reasoning_effort\":\"max\"", "'none', 'low', 'medium' or 'high'"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char text[256], why[256];
        snprintf(text, sizeof text,
                 "{\"model\":\"%s\",%s,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                 refused[i].model, refused[i].extra);
        cJSON *req = parse(text);
        assert_int_equal(sim_check(API_OPENAI, req, why), -EINVAL);
        if (!strstr(why, refused[i].why))
            fail_msg("%s %s: got '%s'", refused[i].model, refused[i].extra, why);
        cJSON_Delete(req);
    }
}

/* tool_choice as Cerebras' SDK types it: none, auto, required or a named function; the
 * translator maps Anthropic's any to required. */
static void test_provider_rules_cerebras_tool_choice(void **state)
{
    (void)state;
    static const struct {
        const char *choice;
        bool ok;
    } cases[] = {
        {"\"none\"", true},     {"\"auto\"", true},
        {"\"required\"", true}, {"{\"type\":\"function\",\"function\":{\"name\":\"f\"}}", true},
        {"\"any\"", false},     {"{\"type\":\"function\"}", false},
        {"5", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512], why[256];
        snprintf(text, sizeof text,
                 "{\"model\":\"gpt-oss-120b\",\"tool_choice\":%s,\"tools\":[{\"type\":"
                 "\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}],\"messages\":"
                 "[{\"role\":\"user\",\"content\":\"hi\"}]}",
                 cases[i].choice);
        cJSON *req = parse(text);
        assert_int_equal(sim_check(API_OPENAI, req, why), cases[i].ok ? 0 : -EINVAL);
        cJSON_Delete(req);
    }
    cJSON *o = to_cerebras("{\"model\":\"x\",\"max_tokens\":10,\"tool_choice\":{\"type\":\"any\"},"
                           "\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}],"
                           "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                           true, "gpt-oss-120b");
    assert_string_equal(str_or(o, "tool_choice"), "required");
    cJSON_Delete(o);
}

/* Thinking switchboard wrote from an OpenAI-dialect model's reasoning does not go to Z.AI,
 * which did not write it; Z.AI's own thinking (its signature) goes back to it. */
static void test_provider_rules_zai_foreign_thinking(void **state)
{
    (void)state;
    char err[XLATE_ERR_LEN] = "", why[256], text[1024];
    snprintf(text, sizeof text,
             "{\"model\":\"x\",\"max_tokens\":2000,\"thinking\":{\"type\":\"enabled\","
             "\"budget_tokens\":1024},\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
             "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":"
             "\"cerebras thought\",\"signature\":\"%s\"},{\"type\":\"text\",\"text\":\"b\"}]},"
             "{\"role\":\"user\",\"content\":\"c\"},{\"role\":\"assistant\",\"content\":"
             "[{\"type\":\"thinking\",\"thinking\":\"zai thought\",\"signature\":\"zsig\"},"
             "{\"type\":\"redacted_thinking\",\"data\":\"xx\"},{\"type\":\"text\",\"text\":"
             "\"d\"}]},{\"role\":\"user\",\"content\":\"e\"}]}",
             XLATE_THINKING_SIGNATURE);
    cJSON *req = parse(text);
    struct xlate_opts o = {PROVIDER_ZAI, "glm-5.2", 0, false};
    cJSON *out = xlate_req_a2a(req, &o, err);
    assert_non_null(out);
    assert_int_equal(sim_check(API_ANTHROPIC, out, why), 0);
    char *s = json_print(out);
    assert_null(strstr(s, "cerebras thought"));
    assert_non_null(strstr(s, "zai thought"));
    assert_null(strstr(s, "redacted_thinking"));
    free(s);
    cJSON_Delete(out);
    /* to Cerebras both go as reasoning text */
    struct xlate_opts c = {PROVIDER_CEREBRAS, "gpt-oss-120b", 0, false};
    out = xlate_req_a2o(req, &c, err);
    assert_non_null(out);
    assert_int_equal(sim_check(API_OPENAI, out, why), 0);
    assert_string_equal(str_or(cJSON_GetArrayItem(json_arr(out, "messages"), 1), "reasoning"),
                        "cerebras thought");
    assert_string_equal(str_or(cJSON_GetArrayItem(json_arr(out, "messages"), 3), "reasoning"),
                        "zai thought");
    cJSON_Delete(out);
    /* real Anthropic checks signatures: ours go, its own (and ones it cannot tell) stay */
    struct xlate_opts a = {PROVIDER_ANTHROPIC, "claude-sonnet-5", 0, false};
    out = xlate_req_a2a(req, &a, err);
    assert_non_null(out);
    char *s2 = json_print(out);
    assert_null(strstr(s2, "cerebras thought"));
    assert_non_null(strstr(s2, "zai thought"));
    free(s2);
    cJSON_Delete(out);
    cJSON_Delete(req);
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
        cmocka_unit_test(test_provider_rules_model_rows),
        cmocka_unit_test(test_provider_rules_effort_mapping),
        cmocka_unit_test(test_provider_rules_cerebras_reasoning_per_model),
        cmocka_unit_test(test_provider_rules_cerebras_tool_choice),
        cmocka_unit_test(test_provider_rules_zai_foreign_thinking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
