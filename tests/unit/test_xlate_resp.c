/* Unit tests for the non-streamed response translators (xlate_resp_*). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "core/json.h"
#include "xlate/xlate.h"

static cJSON *parse(const char *s)
{
    cJSON *j = cJSON_Parse(s);
    assert_non_null(j);
    return j;
}

typedef cJSON *(*resp_fn)(const cJSON *, const char *, long *, long *);

/* Runs fn over the JSON text in; in_tok/out_tok receive the usage. */
static cJSON *run(resp_fn fn, const char *in, long *in_tok, long *out_tok)
{
    cJSON *req = parse(in);
    cJSON *out = fn(req, "client-model", in_tok, out_tok);
    cJSON_Delete(req);
    return out;
}

static const cJSON *block(const cJSON *msg, int i)
{
    return cJSON_GetArrayItem(json_arr(msg, "content"), i);
}

static bool id_ok(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return false;
    return true;
}

static void test_xlate_resp_o2a_text(void **state)
{
    (void)state;
    long in = -1, out = -1;
    cJSON *m =
        run(xlate_resp_o2a,
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"zai-glm-4.6\","
            "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
            "\"Hello!\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":100,"
            "\"completion_tokens\":5,\"total_tokens\":105,\"prompt_tokens_details\":{"
            "\"cached_tokens\":60}},\"time_info\":{\"total_time\":0.1}}",
            &in, &out);
    assert_non_null(m);
    assert_true(strncmp(json_str(m, "id"), "msg_", 4) == 0);
    assert_string_equal(json_str(m, "type"), "message");
    assert_string_equal(json_str(m, "role"), "assistant");
    assert_string_equal(json_str(m, "model"), "client-model");
    assert_int_equal(cJSON_GetArraySize(json_arr(m, "content")), 1);
    assert_string_equal(json_str(block(m, 0), "type"), "text");
    assert_string_equal(json_str(block(m, 0), "text"), "Hello!");
    assert_string_equal(json_str(m, "stop_reason"), "end_turn");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(m, "stop_sequence")));
    const cJSON *u = json_obj(m, "usage");
    assert_int_equal(json_num(u, "input_tokens", -1), 40);
    assert_int_equal(json_num(u, "cache_read_input_tokens", -1), 60);
    assert_int_equal(json_num(u, "output_tokens", -1), 5);
    assert_int_equal(in, 100);
    assert_int_equal(out, 5);
    cJSON_Delete(m);
}

static void test_xlate_resp_o2a_reasoning(void **state)
{
    (void)state;
    static const char *const keys[] = {"reasoning", "reasoning_content"};
    for (int i = 0; i < 2; i++) {
        char in[512];
        snprintf(in, sizeof in,
                 "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"%s\":\"Think.\","
                 "\"content\":\"Done.\"},\"finish_reason\":\"stop\"}]}",
                 keys[i]);
        cJSON *m = run(xlate_resp_o2a, in, NULL, NULL);
        assert_non_null(m);
        assert_string_equal(json_str(block(m, 0), "type"), "thinking");
        assert_string_equal(json_str(block(m, 0), "thinking"), "Think.");
        assert_string_equal(json_str(block(m, 0), "signature"), XLATE_THINKING_SIGNATURE);
        assert_string_equal(json_str(block(m, 1), "text"), "Done.");
        cJSON_Delete(m);
    }
}

static void test_xlate_resp_o2a_tools(void **state)
{
    (void)state;
    cJSON *m =
        run(xlate_resp_o2a,
            "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"\","
            "\"tool_calls\":[{\"id\":\"functions.Bash:0\",\"type\":\"function\","
            "\"function\":{\"name\":\"Bash\",\"arguments\":\"{\\\"command\\\":\\\"ls\\\"}\"}},"
            "{\"type\":\"function\",\"function\":{\"name\":\"Read\",\"arguments\":\"{bad\"}},"
            "{\"id\":\"call_3\",\"type\":\"function\",\"function\":{\"name\":\"ListAgents\","
            "\"arguments\":\"\"}}]},\"finish_reason\":\"stop\"}]}",
            NULL, NULL);
    assert_non_null(m);
    /* the empty content makes no text block */
    assert_int_equal(cJSON_GetArraySize(json_arr(m, "content")), 3);
    assert_string_equal(json_str(block(m, 0), "type"), "tool_use");
    char *want_id = xlate_tool_id_clean("functions.Bash:0");
    assert_string_equal(json_str(block(m, 0), "id"), want_id);
    assert_non_null(strstr(want_id, "functions_Bash_0_"));
    free(want_id);
    assert_string_equal(json_str(block(m, 0), "name"), "Bash");
    assert_string_equal(json_str(json_obj(block(m, 0), "input"), "command"), "ls");
    assert_true(strncmp(json_str(block(m, 1), "id"), "toolu_", 6) == 0);
    assert_true(id_ok(json_str(block(m, 1), "id")));
    assert_non_null(json_obj(block(m, 1), "input"));
    assert_null(json_obj(block(m, 2), "input")->child);
    /* "stop" from upstream, but tools were called */
    assert_string_equal(json_str(m, "stop_reason"), "tool_use");
    cJSON_Delete(m);
}

static void test_xlate_resp_o2a_stops_and_bad_input(void **state)
{
    (void)state;
    static const struct {
        const char *fr, *want;
    } map[] = {{"length", "max_tokens"},
               {"content_filter", "refusal"},
               {"sensitive", "refusal"},
               {"function_call", "end_turn"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        char in[256];
        snprintf(in, sizeof in,
                 "{\"choices\":[{\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
                 "{\"type\":\"text\",\"text\":\"b\"}]},\"finish_reason\":\"%s\"}]}",
                 map[i].fr);
        cJSON *m = run(xlate_resp_o2a, in, NULL, NULL);
        assert_string_equal(json_str(m, "stop_reason"), map[i].want);
        assert_string_equal(json_str(block(m, 0), "text"), "ab");
        cJSON_Delete(m);
    }
    static const char *const bad[] = {
        "[]",
        "{}",
        "{\"choices\":[]}",
        "{\"choices\":[{\"delta\":{}}]}",
        "{\"error\":{\"message\":\"x\"}}",
        "{\"choices\":[{\"message\":{\"content\":\"x\"},\"finish_reason\":\"network_error\"}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(run(xlate_resp_o2a, bad[i], NULL, NULL));
        assert_null(run(xlate_resp_o2o, bad[i], NULL, NULL));
    }
    /* content null and nothing else: an empty but valid message */
    cJSON *m = run(xlate_resp_o2a, "{\"choices\":[{\"message\":{\"content\":null}}]}", NULL, NULL);
    assert_non_null(m);
    assert_int_equal(cJSON_GetArraySize(json_arr(m, "content")), 0);
    assert_string_equal(json_str(m, "stop_reason"), "end_turn");
    cJSON_Delete(m);
}

static void test_xlate_resp_a2o(void **state)
{
    (void)state;
    long in = 0, out = 0;
    cJSON *r = run(xlate_resp_a2o,
                   "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
                   "\"glm-4.6\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"Hmm.\","
                   "\"signature\":\"s\"},{\"type\":\"text\",\"text\":\"Let me \"},{\"type\":"
                   "\"text\",\"text\":\"check.\"},{\"type\":\"tool_use\",\"id\":\"toolu_1\","
                   "\"name\":\"Bash\",\"input\":{\"command\":\"ls\"}}],\"stop_reason\":"
                   "\"tool_use\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,"
                   "\"cache_read_input_tokens\":90,\"cache_creation_input_tokens\":5,"
                   "\"output_tokens\":7}}",
                   &in, &out);
    assert_non_null(r);
    assert_true(strncmp(json_str(r, "id"), "chatcmpl-", 9) == 0);
    assert_string_equal(json_str(r, "object"), "chat.completion");
    assert_string_equal(json_str(r, "model"), "client-model");
    const cJSON *c = cJSON_GetArrayItem(json_arr(r, "choices"), 0);
    const cJSON *msg = json_obj(c, "message");
    assert_string_equal(json_str(msg, "role"), "assistant");
    assert_string_equal(json_str(msg, "content"), "Let me check.");
    assert_string_equal(json_str(msg, "reasoning_content"), "Hmm.");
    const cJSON *tc = cJSON_GetArrayItem(json_arr(msg, "tool_calls"), 0);
    assert_string_equal(json_str(tc, "id"), "toolu_1");
    assert_string_equal(json_str(tc, "type"), "function");
    assert_string_equal(json_str(json_obj(tc, "function"), "name"), "Bash");
    assert_string_equal(json_str(json_obj(tc, "function"), "arguments"), "{\"command\":\"ls\"}");
    assert_string_equal(json_str(c, "finish_reason"), "tool_calls");
    const cJSON *u = json_obj(r, "usage");
    assert_int_equal(json_num(u, "prompt_tokens", -1), 105);
    assert_int_equal(json_num(u, "completion_tokens", -1), 7);
    assert_int_equal(json_num(u, "total_tokens", -1), 112);
    assert_int_equal(json_num(json_obj(u, "prompt_tokens_details"), "cached_tokens", -1), 90);
    assert_int_equal(in, 105);
    assert_int_equal(out, 7);
    cJSON_Delete(r);
}

static void test_xlate_resp_a2o_json_tool_unwrapped(void **state)
{
    (void)state;
    cJSON *ans = parse("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                       "\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":"
                       "\"json_output\",\"input\":{\"city\":\"Oslo\",\"n\":2}}],"
                       "\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":10,"
                       "\"output_tokens\":7}}");
    cJSON *plain = xlate_resp_unwrap_json_tool(ans);
    assert_non_null(plain);
    assert_string_equal(json_str(plain, "stop_reason"), "end_turn");
    cJSON *r = xlate_resp_a2o(plain, "client-model", NULL, NULL);
    const cJSON *c = cJSON_GetArrayItem(json_arr(r, "choices"), 0);
    const cJSON *msg = json_obj(c, "message");
    assert_string_equal(json_str(msg, "content"), "{\"city\":\"Oslo\",\"n\":2}");
    assert_null(json_arr(msg, "tool_calls"));
    assert_string_equal(json_str(c, "finish_reason"), "stop");
    cJSON_Delete(r);
    cJSON_Delete(plain);
    /* Text the model wrote around the call (the tool only offered) goes: JSON alone. */
    cJSON *talk = parse("{\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":"
                        "\"Here it is:\"},{\"type\":\"tool_use\",\"id\":\"t\",\"name\":"
                        "\"json_output\",\"input\":{\"a\":1}}],\"stop_reason\":\"tool_use\"}");
    plain = xlate_resp_unwrap_json_tool(talk);
    r = xlate_resp_a2o(plain, "client-model", NULL, NULL);
    c = cJSON_GetArrayItem(json_arr(r, "choices"), 0);
    assert_string_equal(json_str(json_obj(c, "message"), "content"), "{\"a\":1}");
    cJSON_Delete(r);
    cJSON_Delete(plain);
    cJSON_Delete(talk);
    /* The original is untouched, and other tools' calls stay calls. */
    assert_string_equal(json_str(block(ans, 0), "type"), "tool_use");
    cJSON_Delete(ans);
    ans = parse("{\"type\":\"message\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t\","
                "\"name\":\"Bash\",\"input\":{}}],\"stop_reason\":\"tool_use\"}");
    plain = xlate_resp_unwrap_json_tool(ans);
    assert_string_equal(json_str(plain, "stop_reason"), "tool_use");
    assert_string_equal(json_str(block(plain, 0), "type"), "tool_use");
    cJSON_Delete(plain);
    cJSON_Delete(ans);
}

static void test_xlate_resp_a2o_stops_and_bad_input(void **state)
{
    (void)state;
    static const struct {
        const char *stop, *want;
    } map[] = {{"end_turn", "stop"},     {"stop_sequence", "stop"},
               {"max_tokens", "length"}, {"refusal", "content_filter"},
               {"pause_turn", "stop"},   {"model_context_window_exceeded", "length"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        char in[256];
        snprintf(in, sizeof in, "{\"type\":\"message\",\"content\":[],\"stop_reason\":\"%s\"}",
                 map[i].stop);
        cJSON *r = run(xlate_resp_a2o, in, NULL, NULL);
        const cJSON *c = cJSON_GetArrayItem(json_arr(r, "choices"), 0);
        assert_string_equal(json_str(c, "finish_reason"), map[i].want);
        /* no text at all: content is null, and no tool_calls key */
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(json_obj(c, "message"), "content")));
        assert_null(cJSON_GetObjectItem(json_obj(c, "message"), "tool_calls"));
        cJSON_Delete(r);
    }
    static const char *const bad[] = {
        "[]",
        "{}",
        "{\"type\":\"error\",\"error\":{\"type\":\"1113\",\"message\":\"Insufficient balance\"}}",
        "{\"type\":\"message\",\"content\":\"text\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(run(xlate_resp_a2o, bad[i], NULL, NULL));
        assert_null(run(xlate_resp_a2a, bad[i], NULL, NULL));
    }
}

static void test_xlate_resp_o2o(void **state)
{
    (void)state;
    long in = 0, out = 0;
    cJSON *r =
        run(xlate_resp_o2o,
            "{\"id\":\"chatcmpl-7\",\"object\":\"chat.completion\",\"model\":\"zai-glm-4.6\","
            "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
            "null,\"reasoning\":\"Think\",\"tool_calls\":[{\"id\":\"c1\",\"type\":"
            "\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
            "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,"
            "\"completion_tokens\":3,\"total_tokens\":15},\"time_info\":{}}",
            &in, &out);
    assert_non_null(r);
    assert_string_equal(json_str(r, "model"), "client-model");
    assert_string_equal(json_str(r, "id"), "chatcmpl-7");
    const cJSON *c = cJSON_GetArrayItem(json_arr(r, "choices"), 0);
    assert_string_equal(json_str(json_obj(c, "message"), "reasoning"), "Think");
    assert_string_equal(json_str(c, "finish_reason"), "tool_calls");
    assert_non_null(json_obj(r, "time_info"));
    assert_int_equal(in, 12);
    assert_int_equal(out, 3);
    cJSON_Delete(r);

    r = run(xlate_resp_o2o,
            "{\"choices\":[{\"message\":{\"content\":\"x\"},\"finish_reason\":\"sensitive\"}]}",
            NULL, NULL);
    assert_string_equal(json_str(cJSON_GetArrayItem(json_arr(r, "choices"), 0), "finish_reason"),
                        "content_filter");
    assert_string_equal(json_str(r, "model"), "client-model"); /* added when missing */
    cJSON_Delete(r);
}

static void test_xlate_resp_a2a(void **state)
{
    (void)state;
    long in = 0, out = 0;
    cJSON *r = run(xlate_resp_a2a,
                   "{\"id\":\"msg_x\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
                   "\"glm-4.6\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"t\","
                   "\"signature\":null},{\"type\":\"text\",\"text\":\"\"},{\"type\":\"tool_use\","
                   "\"id\":\"call.1:x\",\"name\":\"Bash\",\"input\":{\"command\":\"ls\"}}],"
                   "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":3,"
                   "\"cache_read_input_tokens\":4,\"output_tokens\":2}}",
                   &in, &out);
    assert_non_null(r);
    assert_string_equal(json_str(r, "model"), "client-model");
    assert_string_equal(json_str(r, "id"), "msg_x");
    assert_int_equal(cJSON_GetArraySize(json_arr(r, "content")), 2);
    assert_string_equal(json_str(block(r, 0), "signature"), "");
    char *want_id = xlate_tool_id_clean("call.1:x");
    assert_string_equal(json_str(block(r, 1), "id"), want_id);
    free(want_id);
    assert_string_equal(json_str(json_obj(block(r, 1), "input"), "command"), "ls");
    assert_string_equal(json_str(r, "stop_reason"), "tool_use");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(r, "stop_sequence")));
    assert_int_equal(in, 7);
    assert_int_equal(out, 2);
    cJSON_Delete(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlate_resp_o2a_text),
        cmocka_unit_test(test_xlate_resp_o2a_reasoning),
        cmocka_unit_test(test_xlate_resp_o2a_tools),
        cmocka_unit_test(test_xlate_resp_o2a_stops_and_bad_input),
        cmocka_unit_test(test_xlate_resp_a2o),
        cmocka_unit_test(test_xlate_resp_a2o_stops_and_bad_input),
        cmocka_unit_test(test_xlate_resp_a2o_json_tool_unwrapped),
        cmocka_unit_test(test_xlate_resp_o2o),
        cmocka_unit_test(test_xlate_resp_a2a),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
