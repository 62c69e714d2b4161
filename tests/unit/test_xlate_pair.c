/* Tests for the dialect-pair table (xlate_pair): each (client, provider) pair names its own
 * request, answer and stream translators, and the answer steps that need the client's request
 * (tool names given back, the json tool's call turned into text) happen on the right pair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "xlate/xlate.h"
#include "xlate/xlate_pair.h"

static cJSON *parse(const char *s)
{
    cJSON *v = json_parse(s, strlen(s));
    assert_non_null(v);
    return v;
}

static void test_xlate_pair_rows(void **state)
{
    (void)state;
    static const struct {
        enum api client, provider;
        const char *name;
        cJSON *(*request)(const cJSON *, const struct xlate_opts *, char *);
        bool json_via_tool;
    } want[] = {
        {API_ANTHROPIC, API_OPENAI, "a2o", xlate_req_a2o, false},
        {API_ANTHROPIC, API_ANTHROPIC, "a2a", xlate_req_a2a, false},
        {API_OPENAI, API_OPENAI, "o2o", xlate_req_o2o, false},
        {API_OPENAI, API_ANTHROPIC, "o2a", xlate_req_o2a, true},
    };
    const struct xstream_ops *seen[4];
    for (size_t i = 0; i < 4; i++) {
        const struct xlate_pair *p = xlate_pair(want[i].client, want[i].provider);
        assert_non_null(p);
        assert_int_equal(p->client, want[i].client);
        assert_int_equal(p->provider, want[i].provider);
        assert_string_equal(p->name, want[i].name);
        assert_ptr_equal(p->request, want[i].request);
        assert_non_null(p->answer);
        assert_non_null(p->stream);
        assert_int_equal(p->json_via_tool, want[i].json_via_tool);
        seen[i] = p->stream;
        for (size_t j = 0; j < i; j++)
            assert_ptr_not_equal(seen[j], p->stream); /* four different stream translators */
    }
}

/* A tool name Claude Code sends longer than 64 characters travels shortened to an
 * OpenAI-dialect provider and comes back under its own name. */
static void test_xlate_pair_a2o_gives_tool_names_back(void **state)
{
    (void)state;
    const char *name = "mcp__a_very_long_server_name_for_testing__and_an_even_longer_tool_name_x";
    assert_true(strlen(name) > XLATE_TOOL_NAME_MAX);
    char short_name[XLATE_TOOL_NAME_MAX + 1];
    xlate_tool_name_short(name, short_name);
    char text[1024];
    snprintf(text, sizeof text,
             "{\"model\":\"m\",\"max_tokens\":9,\"tools\":[{\"name\":\"%s\",\"input_schema\":"
             "{\"type\":\"object\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}",
             name);
    cJSON *req = parse(text);
    snprintf(text, sizeof text,
             "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"finish_reason\":\"tool_calls\","
             "\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":"
             "\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"%s\",\"arguments\":"
             "\"{}\"}}]}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}",
             short_name);
    cJSON *ans = parse(text);
    long tin = 0, tout = 0;
    cJSON *out = xlate_pair(API_ANTHROPIC, API_OPENAI)->answer(ans, req, "m", &tin, &tout);
    assert_non_null(out);
    const cJSON *block = cJSON_GetArrayItem(json_arr(out, "content"), 0);
    assert_string_equal(json_str(block, "type"), "tool_use");
    assert_string_equal(json_str(block, "name"), name);
    assert_int_equal(tin, 5);
    assert_int_equal(tout, 2);
    cJSON_Delete(out);
    cJSON_Delete(ans);
    cJSON_Delete(req);
}

/* An OpenAI client's response_format travelled to an Anthropic-dialect provider as the json
 * tool: the tool's call comes back as the message text, on that pair only. */
static void test_xlate_pair_o2a_json_tool(void **state)
{
    (void)state;
    cJSON *req = parse("{\"model\":\"m\",\"response_format\":{\"type\":\"json_object\"},"
                       "\"messages\":[{\"role\":\"user\",\"content\":\"json please\"}]}");
    cJSON *ans =
        parse("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
              "\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"" XLATE_JSON_TOOL
              "\",\"input\":{\"a\":1}}],\"stop_reason\":\"tool_use\",\"usage\":{"
              "\"input_tokens\":3,\"output_tokens\":4}}");
    const struct xlate_pair *o2a = xlate_pair(API_OPENAI, API_ANTHROPIC);
    assert_true(xlate_pair_json_tool(o2a, req));
    assert_false(xlate_pair_json_tool(xlate_pair(API_OPENAI, API_OPENAI), req));
    cJSON *out = o2a->answer(ans, req, "m", NULL, NULL);
    assert_non_null(out);
    const cJSON *choice = cJSON_GetArrayItem(json_arr(out, "choices"), 0);
    const cJSON *msg = json_obj(choice, "message");
    cJSON *content = parse(json_str(msg, "content"));
    assert_int_equal((int)json_num(content, "a", 0), 1);
    assert_null(cJSON_GetObjectItemCaseSensitive(msg, "tool_calls"));
    assert_string_equal(json_str(choice, "finish_reason"), "stop");
    cJSON_Delete(content);
    cJSON_Delete(out);
    cJSON_Delete(ans);
    cJSON_Delete(req);
}

/* gpt-oss always reasons; an Anthropic client that asked for no thinking gets no thinking
 * block, one that asked gets it (signed as written elsewhere). */
static void test_xlate_pair_o2a_thinking_only_when_asked(void **state)
{
    (void)state;
    const struct xlate_pair *p = xlate_pair(API_ANTHROPIC, API_OPENAI);
    cJSON *ans = parse("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":"
                       "\"Hi\",\"reasoning\":\"greeting\"},\"finish_reason\":\"stop\"}]}");
    cJSON *plain = parse("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[]}");
    cJSON *thinking = parse("{\"model\":\"m\",\"max_tokens\":2000,\"thinking\":{\"type\":"
                            "\"enabled\",\"budget_tokens\":1024},\"messages\":[]}");
    cJSON *a = p->answer(ans, plain, "m", NULL, NULL);
    assert_int_equal(cJSON_GetArraySize(json_arr(a, "content")), 1);
    assert_string_equal(json_str(cJSON_GetArrayItem(json_arr(a, "content"), 0), "type"), "text");
    cJSON *b = p->answer(ans, thinking, "m", NULL, NULL);
    assert_int_equal(cJSON_GetArraySize(json_arr(b, "content")), 2);
    assert_string_equal(json_str(cJSON_GetArrayItem(json_arr(b, "content"), 0), "signature"),
                        XLATE_THINKING_SIGNATURE);
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(ans);
    cJSON_Delete(plain);
    cJSON_Delete(thinking);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlate_pair_o2a_thinking_only_when_asked),
        cmocka_unit_test(test_xlate_pair_rows),
        cmocka_unit_test(test_xlate_pair_a2o_gives_tool_names_back),
        cmocka_unit_test(test_xlate_pair_o2a_json_tool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
