/* Tests for simprov: a real server on loopback, driven with libcurl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "fixture_simprov.h"

/* SSE frames of a body: frames[i] is the text of one frame without the blank line. */
static int split_frames(char *body, char **frames, int max)
{
    int n = 0;
    for (char *p = body, *end; p && *p && n < max; p = end + 2) {
        end = strstr(p, "\n\n");
        assert_non_null(end); /* every frame ends with a blank line */
        *end = '\0';
        frames[n++] = p;
    }
    return n;
}

static const char basic_oai[] = "{\"model\":\"gpt-oss-120b\",\"messages\":[{\"role\":\"user\","
                                "\"content\":\"hello\"}],\"max_completion_tokens\":1000}";

static void test_simprov_rejects_unknown_field(void **state)
{
    struct simprov *s = start(API_OPENAI, 0, KEY);
    struct resp r;
    struct simprov_stats st;
    post(&r, s, "/v1/chat/completions",
         "{\"model\":\"gpt-oss-120b\",\"top_k\":5,\"messages\":[{\"role\":\"user\",\"content\":"
         "\"x\"}]}");
    assert_int_equal(r.status, 400);
    cJSON *j = body_json(&r);
    assert_string_equal(json_str(j, "message"), "body: property 'top_k' is unsupported");
    assert_string_equal(json_str(j, "type"), "invalid_request_error");
    assert_string_equal(json_str(j, "param"), "validation_error");
    assert_string_equal(json_str(j, "code"), "wrong_api_format");
    cJSON_Delete(j);
    resp_release(&r);
    simprov_get_stats(s, &st);
    assert_int_equal(st.requests, 1);
    assert_int_equal(st.rejected, 1);
    assert_int_equal(st.ok, 0);
    simprov_stop(s);
}

static void test_simprov_rejects_reasoning_content(void **state)
{
    struct simprov *s = start(API_OPENAI, 0, NULL);
    struct resp r;
    post(
        &r, s, "/chat/completions",
        "{\"model\":\"gpt-oss-120b\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":"
        "\"assistant\",\"content\":\"b\",\"reasoning_content\":\"c\"},{\"role\":\"user\","
        "\"content\":\"d\"}]}");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(buf_cstr(&r.body), "property 'reasoning_content' is unsupported"));
    resp_release(&r);
    /* The Cerebras spelling is accepted. */
    post(
        &r, s, "/chat/completions",
        "{\"model\":\"gpt-oss-120b\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":"
        "\"assistant\",\"content\":\"b\",\"reasoning\":\"c\"},{\"role\":\"user\","
        "\"content\":\"d\"}]}");
    assert_int_equal(r.status, 200);
    resp_release(&r);
    simprov_stop(s);
}

static void test_simprov_requires_key(void **state)
{
    struct simprov *s = start(API_OPENAI, 0, KEY);
    struct resp r;
    http(&r, s, "POST", "/v1/chat/completions", basic_oai, "Authorization: Bearer wrong", 0);
    assert_int_equal(r.status, 401);
    cJSON *j = body_json(&r);
    assert_string_equal(json_str(j, "code"), "wrong_api_key");
    /* quoted back, as OpenAI does, so switchboard's masking has something to mask */
    assert_string_equal(json_str(j, "message"), "Incorrect API key provided: wrong");
    cJSON_Delete(j);
    resp_release(&r);
    simprov_stop(s);

    s = start(API_ANTHROPIC, 0, KEY);
    http(&r, s, "POST", "/v1/messages", "{}", "", 0);
    assert_int_equal(r.status, 401);
    j = body_json(&r);
    assert_string_equal(json_str(j, "type"), "error");
    assert_string_equal(json_str(json_obj(j, "error"), "type"), "1001");
    cJSON_Delete(j);
    resp_release(&r);
    simprov_stop(s);
}

static void test_simprov_openai_answer(void **state)
{
    struct simprov *s = start(API_OPENAI, 0, KEY);
    struct resp r;
    char v[64];
    static const char *const hdrs[] = {"x-ratelimit-limit-requests-day",
                                       "x-ratelimit-remaining-requests-day",
                                       "x-ratelimit-reset-requests-day",
                                       "x-ratelimit-limit-tokens-minute",
                                       "x-ratelimit-remaining-tokens-minute",
                                       "x-ratelimit-reset-tokens-minute",
                                       "cerebras-request-id"};
    post(&r, s, "/v1/chat/completions", basic_oai);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++)
        assert_non_null(header(&r, hdrs[i], v, sizeof(v)));
    cJSON *j = body_json(&r);
    assert_string_equal(json_str(j, "object"), "chat.completion");
    assert_non_null(strstr(json_str(j, "id"), "chatcmpl-"));
    assert_string_equal(json_str(j, "model"), "gpt-oss-120b");
    const cJSON *choice = cJSON_GetArrayItem(json_arr(j, "choices"), 0);
    const cJSON *msg = json_obj(choice, "message");
    assert_string_equal(json_str(msg, "role"), "assistant");
    assert_string_equal(json_str(msg, "content"),
                        "Hello from cerebras mock. alpha bravo charlie delta echo foxtrot golf "
                        "hotel");
    assert_string_equal(json_str(choice, "finish_reason"), "stop");
    const cJSON *u = json_obj(j, "usage");
    assert_int_equal(json_num(u, "completion_tokens", 0), 12);
    assert_int_equal(json_num(u, "prompt_tokens", 0), (double)(strlen(basic_oai) / 4));
    assert_int_equal(json_num(u, "total_tokens", 0),
                     json_num(u, "prompt_tokens", 0) + json_num(u, "completion_tokens", 0));
    assert_non_null(json_obj(j, "time_info"));
    cJSON_Delete(j);
    resp_release(&r);
    simprov_stop(s);
}

/* Checks the chunk grammar and concatenates the reasoning and content deltas. */
static void check_oai_stream(char **f, int n, struct buf *content, struct buf *reasoning,
                             bool *finish, bool *usage)
{
    bool seen_content = false;
    assert_string_equal(f[n - 1], "data: [DONE]");
    for (int i = 0; i < n - 1; i++) {
        assert_memory_equal(f[i], "data: ", 6);
        cJSON *c = json_parse(f[i] + 6, strlen(f[i] + 6));
        assert_non_null(c);
        assert_string_equal(json_str(c, "object"), "chat.completion.chunk");
        const cJSON *choice = cJSON_GetArrayItem(json_arr(c, "choices"), 0);
        const cJSON *delta = json_obj(choice, "delta");
        if (i == 0)
            assert_string_equal(json_str(delta, "role"), "assistant");
        if (json_str(delta, "reasoning")) {
            assert_false(seen_content); /* reasoning comes first */
            buf_puts(reasoning, json_str(delta, "reasoning"));
        }
        if (json_str(delta, "content") && *json_str(delta, "content")) {
            seen_content = true;
            buf_puts(content, json_str(delta, "content"));
        }
        const char *fr = json_str(choice, "finish_reason");
        if (fr) {
            assert_string_equal(fr, "stop");
            *finish = true;
        }
        if (json_obj(c, "usage")) {
            assert_int_equal(cJSON_GetArraySize(json_arr(c, "choices")), 0);
            assert_int_equal(i, n - 2); /* the usage chunk comes last, before [DONE] */
            *usage = true;
        }
        cJSON_Delete(c);
    }
}

static void test_simprov_openai_stream(void **state)
{
    struct simprov *s = start(API_OPENAI, 0, KEY);
    struct resp r;
    char *frames[128], v[64];
    struct buf content, reasoning;
    bool finish = false, usage = false;
    post(&r, s, "/v1/chat/completions",
         "{\"model\":\"gpt-oss-120b\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
         "\"reasoning_effort\":\"low\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(header(&r, "content-type", v, sizeof(v)), "text/event-stream");
    assert_string_equal(header(&r, "transfer-encoding", v, sizeof(v)), "chunked");
    int n = split_frames(r.body.data, frames, 128);
    assert_true(n > 5);
    buf_init(&content, 0);
    buf_init(&reasoning, 0);
    check_oai_stream(frames, n, &content, &reasoning, &finish, &usage);
    assert_string_equal(buf_cstr(&content),
                        "Hello from cerebras mock. alpha bravo charlie delta echo foxtrot golf "
                        "hotel");
    assert_string_equal(buf_cstr(&reasoning), "Thinking about: hello");
    assert_true(finish);
    assert_true(usage);
    buf_release(&content);
    buf_release(&reasoning);
    resp_release(&r);
    simprov_stop(s);
}

static void test_simprov_rpm_limit(void **state)
{
    struct simprov *s = start(API_OPENAI, 2, KEY);
    struct resp r;
    struct simprov_stats st;
    char v[64];
    for (int i = 0; i < 2; i++) {
        post(&r, s, "/v1/chat/completions", basic_oai);
        assert_int_equal(r.status, 200);
        resp_release(&r);
    }
    post(&r, s, "/v1/chat/completions", basic_oai);
    assert_int_equal(r.status, 429);
    cJSON *j = body_json(&r);
    assert_string_equal(json_str(j, "message"),
                        "Requests per minute limit exceeded - too many requests sent.");
    assert_string_equal(json_str(j, "type"), "too_many_requests_error");
    assert_string_equal(json_str(j, "param"), "quota");
    assert_string_equal(json_str(j, "code"), "request_quota_exceeded");
    cJSON_Delete(j);
    double reset = atof(header(&r, "x-ratelimit-reset-tokens-minute", v, sizeof(v)));
    assert_true(reset > 0 && reset <= 60);
    assert_non_null(header(&r, "x-ratelimit-remaining-requests-day", v, sizeof(v)));
    assert_string_equal(header(&r, "x-ratelimit-remaining-requests-minute", v, sizeof(v)), "0");
    resp_release(&r);
    simprov_get_stats(s, &st);
    assert_int_equal(st.requests, 3);
    assert_int_equal(st.ok, 2);
    assert_int_equal(st.rate_limited, 1);
    simprov_reset(s);
    post(&r, s, "/v1/chat/completions", basic_oai);
    assert_int_equal(r.status, 200);
    resp_release(&r);
    simprov_stop(s);
}

/* Output beyond the request's budget is cut with finish "length"; a token budget per window
 * refuses requests whose input + max tokens do not fit. */
static void test_simprov_token_limits(void **state)
{
    char err[SIMPROV_ERR_LEN];
    struct simprov_opts o = {.dialect = API_OPENAI, .tpm_limit = 150, .reply_tokens = 12};
    struct simprov *s = simprov_start(&o, err);
    struct resp r;
    assert_non_null(s);
    post(&r, s, "/v1/chat/completions",
         "{\"model\":\"gpt-oss-120b\",\"max_completion_tokens\":5,\"messages\":[{\"role\":\"user\","
         "\"content\":\"hi\"}]}");
    assert_int_equal(r.status, 200);
    cJSON *j = body_json(&r);
    const cJSON *choice = cJSON_GetArrayItem(json_arr(j, "choices"), 0);
    assert_string_equal(json_str(json_obj(choice, "message"), "content"),
                        "Hello from cerebras mock. alpha");
    assert_string_equal(json_str(choice, "finish_reason"), "length");
    assert_int_equal(json_num(json_obj(j, "usage"), "completion_tokens", 0), 5);
    cJSON_Delete(j);
    resp_release(&r);
    post(&r, s, "/v1/chat/completions", basic_oai); /* reserves 1000 + input > 150 */
    assert_int_equal(r.status, 429);
    j = body_json(&r);
    assert_string_equal(json_str(j, "code"), "token_quota_exceeded");
    cJSON_Delete(j);
    resp_release(&r);
    simprov_stop(s);
}

static const char ant_req[] =
    "{\"model\":\"glm-4.6\",\"max_tokens\":1000,\"stream\":true,\"thinking\":{\"type\":"
    "\"adaptive\"},\"system\":[{\"type\":\"text\",\"text\":\"sys\",\"cache_control\":{\"type\":"
    "\"ephemeral\"}}],\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
    "\"text\":\"hi there\"}]}]}";

/* Checks one Anthropic frame: "event: X" then "data: {type: X}". Returns the data (caller
 * deletes) and the event name. */
static cJSON *ant_frame(char *frame, const char **event)
{
    assert_memory_equal(frame, "event: ", 7);
    char *nl = strchr(frame, '\n');
    assert_non_null(nl);
    *nl = '\0';
    *event = frame + 7;
    assert_memory_equal(nl + 1, "data: ", 6);
    cJSON *d = json_parse(nl + 7, strlen(nl + 7));
    assert_non_null(d);
    assert_string_equal(json_str(d, "type"), *event);
    return d;
}

/* Checks block bookkeeping: indices open in order, deltas match the open block's type, a
 * thinking block ends with its signature. Returns the concatenated text. */
static void check_ant_event(const char *ev, const cJSON *d, int *open, char type[16],
                            struct buf *text)
{
    const cJSON *delta = json_obj(d, "delta");
    int index = (int)json_num(d, "index", -1);
    if (strcmp(ev, "content_block_start") == 0) {
        assert_int_equal(*open, -1);
        *open = index;
        snprintf(type, 16, "%s", json_str(json_obj(d, "content_block"), "type"));
    } else if (strcmp(ev, "content_block_delta") == 0) {
        const char *dt = json_str(delta, "type");
        assert_int_equal(index, *open);
        if (strcmp(type, "text") == 0) {
            assert_string_equal(dt, "text_delta");
            buf_puts(text, json_str(delta, "text"));
        } else {
            assert_string_equal(type, "thinking");
            assert_true(strcmp(dt, "thinking_delta") == 0 || strcmp(dt, "signature_delta") == 0);
        }
    } else if (strcmp(ev, "content_block_stop") == 0) {
        assert_int_equal(index, *open);
        *open = -1;
    }
}

static void test_simprov_anthropic_stream(void **state)
{
    static const char *const head[] = {"message_start", "content_block_start", "ping"};
    struct simprov *s = start(API_ANTHROPIC, 0, KEY);
    struct resp r;
    char *frames[128];
    struct buf text;
    const char *ev = "";
    char type[16] = "", last[32] = "", prev_delta[32] = "";
    int open = -1, blocks = 0;
    http(&r, s, "POST", "/api/anthropic/v1/messages?beta=true", ant_req, "x-api-key: " KEY, 0);
    assert_int_equal(r.status, 200);
    int n = split_frames(r.body.data, frames, 128);
    assert_true(n > 10);
    buf_init(&text, 0);
    for (int i = 0; i < n; i++) {
        cJSON *d = ant_frame(frames[i], &ev);
        if (i < 3)
            assert_string_equal(ev, head[i]);
        if (strcmp(ev, "content_block_start") == 0)
            assert_int_equal(json_num(d, "index", -1), blocks++);
        check_ant_event(ev, d, &open, type, &text);
        if (strcmp(ev, "content_block_stop") == 0 && blocks == 1) /* thinking, signed last */
            assert_string_equal(prev_delta, "signature_delta");
        if (i == n - 2) {
            assert_string_equal(ev, "message_delta");
            assert_string_equal(json_str(json_obj(d, "delta"), "stop_reason"), "end_turn");
            assert_int_equal(json_num(json_obj(d, "usage"), "output_tokens", 0), 16);
        }
        snprintf(last, sizeof(last), "%s", ev);
        const char *dt = json_str(json_obj(d, "delta"), "type");
        snprintf(prev_delta, sizeof(prev_delta), "%s", dt ? dt : "");
        cJSON_Delete(d);
    }
    assert_string_equal(last, "message_stop");
    assert_int_equal(blocks, 2);
    assert_string_equal(buf_cstr(&text),
                        "Hello from zai mock. alpha bravo charlie delta echo foxtrot golf hotel");
    buf_release(&text);
    resp_release(&r);
    simprov_stop(s);
}

static const char tools_oai[] =
    "[{\"type\":\"function\",\"function\":{\"name\":\"Bash\",\"parameters\":{\"type\":\"object\","
    "\"properties\":{\"command\":{\"type\":\"string\"},\"timeout\":{\"type\":\"integer\"}},"
    "\"required\":[\"command\"]}}},{\"type\":\"function\",\"function\":{\"name\":\"Read\","
    "\"parameters\":{\"type\":\"object\",\"properties\":{\"file_path\":{\"type\":\"string\"},"
    "\"limit\":{\"type\":\"integer\"}},\"required\":[\"file_path\",\"limit\"]}}}]";

/* Reassembles OpenAI tool-call fragments by index. */
static void collect_calls(char **f, int n, struct buf args[2], char names[2][16])
{
    for (int i = 0; i < n - 1; i++) {
        cJSON *c = json_parse(f[i] + 6, strlen(f[i] + 6));
        const cJSON *delta = json_obj(cJSON_GetArrayItem(json_arr(c, "choices"), 0), "delta");
        const cJSON *tc;
        cJSON_ArrayForEach(tc, json_arr(delta, "tool_calls"))
        {
            int k = (int)json_num(tc, "index", -1);
            assert_true(k == 0 || k == 1);
            const cJSON *fn = json_obj(tc, "function");
            if (json_str(fn, "name"))
                snprintf(names[k], 16, "%s", json_str(fn, "name"));
            buf_puts(&args[k], json_str(fn, "arguments"));
        }
        cJSON_Delete(c);
    }
}

static void test_simprov_tool_calls(void **state)
{
    struct simprov *s = start(API_OPENAI, 0, NULL);
    struct resp r;
    char *frames[256], body[2048], names[2][16] = {"", ""};
    struct buf args[2];
    snprintf(
        body, sizeof(body),
        "{\"model\":\"gpt-oss-120b\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
        "\"use the read tool in parallel on /etc/hostname\"}],\"tools\":%s}",
        tools_oai);
    post(&r, s, "/v1/chat/completions", body);
    assert_int_equal(r.status, 200);
    int n = split_frames(r.body.data, frames, 256);
    buf_init(&args[0], 0);
    buf_init(&args[1], 0);
    collect_calls(frames, n, args, names);
    assert_string_equal(names[0], "Bash"); /* "parallel": the first two tools */
    assert_string_equal(names[1], "Read");
    assert_string_equal(buf_cstr(&args[0]), "{\"command\":\"echo mock-tool-ok\"}");
    assert_string_equal(buf_cstr(&args[1]), "{\"file_path\":\"/etc/hostname\",\"limit\":1}");
    assert_non_null(strstr(frames[n - 2], "\"finish_reason\":\"tool_calls\""));
    buf_release(&args[0]);
    buf_release(&args[1]);
    resp_release(&r);
    /* Without "parallel": one call, to the tool the prompt names. */
    snprintf(body, sizeof(body),
             "{\"model\":\"gpt-oss-120b\",\"messages\":[{\"role\":\"user\",\"content\":"
             "\"please READ it with a tool\"}],\"tools\":%s}",
             tools_oai);
    post(&r, s, "/v1/chat/completions", body);
    cJSON *j = body_json(&r);
    const cJSON *choice = cJSON_GetArrayItem(json_arr(j, "choices"), 0);
    const cJSON *calls = json_arr(json_obj(choice, "message"), "tool_calls");
    assert_int_equal(cJSON_GetArraySize(calls), 1);
    const cJSON *fn = json_obj(cJSON_GetArrayItem(calls, 0), "function");
    assert_string_equal(json_str(fn, "name"), "Read");
    assert_string_equal(json_str(fn, "arguments"), "{\"file_path\":\"/tmp/mock.txt\",\"limit\":1}");
    assert_string_equal(json_str(choice, "finish_reason"), "tool_calls");
    cJSON_Delete(j);
    resp_release(&r);
    simprov_stop(s);
}

static void test_simprov_anthropic_tool_round_trip(void **state)
{
    struct simprov *s = start(API_ANTHROPIC, 0, NULL);
    struct resp r;
    static const char tool[] =
        "\"tools\":[{\"name\":\"Bash\",\"description\":\"run\",\"input_schema\":{\"type\":"
        "\"object\",\"properties\":{\"command\":{\"type\":\"string\"},\"description\":{"
        "\"type\":\"string\"}},\"required\":[\"command\"]}}]";
    char body[2048];
    snprintf(body, sizeof(body),
             "{\"model\":\"glm-4.6\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\","
             "\"content\":\"call a tool\"}],%s}",
             tool);
    post(&r, s, "/v1/messages", body);
    assert_int_equal(r.status, 200);
    cJSON *j = body_json(&r);
    assert_string_equal(json_str(j, "stop_reason"), "tool_use");
    const cJSON *use = cJSON_GetArrayItem(json_arr(j, "content"), 0);
    assert_string_equal(json_str(use, "type"), "tool_use");
    assert_string_equal(json_str(use, "name"), "Bash");
    assert_string_equal(json_str(json_obj(use, "input"), "command"), "echo mock-tool-ok");
    assert_string_equal(json_str(json_obj(use, "input"), "description"), "mock call");
    char id[64];
    snprintf(id, sizeof(id), "%s", json_str(use, "id"));
    cJSON_Delete(j);
    resp_release(&r);
    snprintf(body, sizeof(body),
             "{\"model\":\"glm-4.6\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\","
             "\"content\":\"call a tool\"},{\"role\":\"assistant\",\"content\":[{\"type\":"
             "\"tool_use\",\"id\":\"%s\",\"name\":\"Bash\",\"input\":{}}]},{\"role\":\"user\","
             "\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"%s\",\"content\":"
             "\"mock-tool-ok\"}]}],%s}",
             id, id, tool);
    post(&r, s, "/v1/messages", body);
    assert_int_equal(r.status, 200);
    j = body_json(&r);
    assert_string_equal(json_str(j, "stop_reason"), "end_turn");
    assert_string_equal(json_str(cJSON_GetArrayItem(json_arr(j, "content"), 0), "text"),
                        "Tool result received: mock-tool-ok");
    cJSON_Delete(j);
    resp_release(&r);
    simprov_stop(s);
}

static void test_simprov_fault_modes(void **state)
{
    struct simprov *s = start(API_OPENAI, 0, KEY);
    struct resp r;
    char v[64];
    assert_int_equal(simprov_set_fault(s, "bogus"), -EINVAL);
    assert_int_equal(simprov_set_fault(s, "503"), 0);
    post(&r, s, "/v1/chat/completions", basic_oai);
    assert_int_equal(r.status, 503);
    resp_release(&r);
    assert_int_equal(simprov_set_fault(s, "429"), 0);
    post(&r, s, "/v1/chat/completions", basic_oai);
    assert_int_equal(r.status, 429);
    assert_string_equal(header(&r, "retry-after", v, sizeof(v)), "7");
    assert_null(header(&r, "x-ratelimit-reset-tokens-minute", v, sizeof(v)));
    resp_release(&r);
    assert_int_equal(simprov_set_fault(s, "429_reset"), 0);
    post(&r, s, "/v1/chat/completions", basic_oai);
    assert_int_equal(r.status, 429);
    assert_null(header(&r, "retry-after", v, sizeof(v)));
    assert_string_equal(header(&r, "x-ratelimit-reset-tokens-minute", v, sizeof(v)), "9.5");
    resp_release(&r);
    assert_int_equal(simprov_set_fault(s, "429_plain"), 0);
    post(&r, s, "/v1/chat/completions", basic_oai);
    assert_int_equal(r.status, 429);
    assert_null(header(&r, "retry-after", v, sizeof(v)));
    assert_null(header(&r, "x-ratelimit-reset-tokens-minute", v, sizeof(v)));
    resp_release(&r);
    assert_int_equal(simprov_set_fault(s, "none"), 0);
    post(&r, s, "/v1/chat/completions", basic_oai);
    assert_int_equal(r.status, 200);
    resp_release(&r);
    simprov_stop(s);
}

static void test_simprov_anthropic_faults(void **state)
{
    struct simprov *s = start(API_ANTHROPIC, 0, NULL);
    struct resp r;
    simprov_set_fault(s, "quota");
    post(&r, s, "/v1/messages", ant_req);
    assert_int_equal(r.status, 429);
    cJSON *j = body_json(&r);
    assert_string_equal(json_str(json_obj(j, "error"), "type"), "1113");
    cJSON_Delete(j);
    resp_release(&r);
    simprov_set_fault(s, "529");
    post(&r, s, "/v1/messages", ant_req);
    assert_int_equal(r.status, 529);
    j = body_json(&r);
    assert_string_equal(json_str(json_obj(j, "error"), "type"), "overloaded_error");
    cJSON_Delete(j);
    resp_release(&r);
    simprov_stop(s);
}

static void test_simprov_cut_truncates(void **state)
{
    struct simprov *s = start(API_ANTHROPIC, 0, NULL);
    struct resp r;
    simprov_set_fault(s, "cut");
    post(&r, s, "/v1/messages", ant_req);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.rc, CURLE_PARTIAL_FILE);
    assert_non_null(strstr(buf_cstr(&r.body), "message_start"));
    assert_null(strstr(buf_cstr(&r.body), "message_stop"));
    resp_release(&r);
    simprov_stop(s);
}

/* A stalled stream is noticed as aborted once the client gives up. */
static void test_simprov_stall_counts_abort(void **state)
{
    struct simprov *s = start(API_OPENAI, 0, NULL);
    struct resp r;
    struct simprov_stats st;
    simprov_set_fault(s, "stall");
    http(&r, s, "POST", "/v1/chat/completions",
         "{\"model\":\"gpt-oss-120b\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
         "\"x\"}]}",
         NULL, 300);
    assert_int_equal(r.rc, CURLE_OPERATION_TIMEDOUT);
    assert_non_null(strstr(buf_cstr(&r.body), "Hello from"));
    resp_release(&r);
    time_t deadline = time(NULL) + 5;
    do {
        simprov_get_stats(s, &st);
    } while ((st.aborted < 1 || st.in_flight > 0) && time(NULL) < deadline);
    assert_int_equal(st.aborted, 1);
    assert_int_equal(st.in_flight, 0);
    simprov_stop(s);
}

static void test_simprov_control_endpoints(void **state)
{
    struct simprov *s = start(API_OPENAI, 0, KEY);
    struct resp r;
    http(&r, s, "POST", "/_mock/fault", "{\"mode\":\"502\"}", NULL, 0);
    assert_int_equal(r.status, 200);
    resp_release(&r);
    http(&r, s, "POST", "/v1/chat/completions", basic_oai, "Authorization: Bearer " KEY, 0);
    assert_int_equal(r.status, 502);
    resp_release(&r);
    http(&r, s, "POST", "/_mock/fault", "{\"mode\":\"nope\"}", NULL, 0);
    assert_int_equal(r.status, 400);
    resp_release(&r);
    http(&r, s, "GET", "/_mock/last", NULL, NULL, 0);
    cJSON *j = body_json(&r);
    cJSON *want = json_parse(basic_oai, strlen(basic_oai));
    assert_true(cJSON_Compare(json_obj(j, "body"), want, 1));
    assert_string_equal(json_str(json_obj(j, "headers"), "authorization"), "Bearer " KEY);
    assert_string_equal(json_str(j, "path"), "/v1/chat/completions");
    cJSON_Delete(want);
    cJSON_Delete(j);
    resp_release(&r);
    http(&r, s, "GET", "/_mock/stats", NULL, NULL, 0);
    j = body_json(&r);
    assert_int_equal(json_num(j, "requests", -1), 1);
    assert_int_equal(json_num(j, "ok", -1), 0);
    assert_int_equal(json_num(j, "in_flight", -1), 0);
    cJSON_Delete(j);
    resp_release(&r);
    http(&r, s, "POST", "/_mock/reset", "", NULL, 0);
    assert_int_equal(r.status, 200);
    resp_release(&r);
    struct simprov_stats st;
    simprov_get_stats(s, &st);
    assert_int_equal(st.requests, 0);
    simprov_stop(s);
}

static int group_setup(void **state)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    curl_global_cleanup();
    return 0;
}

/* Ids of a model list body, comma-joined, in order. */
static void list_ids(struct resp *r, char *out, size_t n)
{
    cJSON *j = body_json(r), *m;
    size_t len = 0;
    out[0] = '\0';
    cJSON_ArrayForEach(m, json_arr(j, "data"))
    {
        int k = snprintf(out + len, n - len, "%s%s", len ? "," : "", json_str(m, "id"));
        len += k > 0 ? (size_t)k : 0;
    }
    cJSON_Delete(j);
}

/* Today's lineups: what each simulated provider lists (in its own shape) and serves; a model
 * outside it is refused as the real service refuses a retired one. */
static void test_simprov_lineup_defaults(void **state)
{
    struct simprov *c = start(API_OPENAI, 0, KEY), *z = start(API_ANTHROPIC, 0, KEY);
    struct resp r;
    char ids[512];
    struct simprov_stats st;

    http(&r, c, "GET", "/v1/models", NULL, "Authorization: Bearer " KEY, 0);
    assert_int_equal(r.status, 200);
    list_ids(&r, ids, sizeof ids);
    assert_string_equal(ids, "gpt-oss-120b,gemma-4-31b");
    cJSON *j = body_json(&r);
    assert_string_equal(json_str(j, "object"), "list");
    assert_string_equal(json_str(cJSON_GetArrayItem(json_arr(j, "data"), 0), "owned_by"), "OpenAI");
    cJSON_Delete(j);
    resp_release(&r);
    http(&r, c, "GET", "/v1/models", NULL, "", 0); /* the key's list needs the key */
    assert_int_equal(r.status, 401);
    resp_release(&r);

    http(&r, z, "GET", "/api/anthropic/v1/models", NULL, "x-api-key: " KEY, 0);
    assert_int_equal(r.status, 200);
    list_ids(&r, ids, sizeof ids);
    assert_string_equal(ids, "glm-5.2,glm-5.1,glm-5,glm-4.7,glm-4.6,glm-4.5-air");
    j = body_json(&r);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "has_more")));
    assert_string_equal(json_str(cJSON_GetArrayItem(json_arr(j, "data"), 0), "type"), "model");
    cJSON_Delete(j);
    resp_release(&r);

    /* a retired model: Cerebras 404 model_not_found, exactly its body */
    post(&r, c, "/v1/chat/completions",
         "{\"model\":\"zai-glm-4.6\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assert_int_equal(r.status, 404);
    assert_string_equal(buf_cstr(&r.body),
                        "{\"message\":\"Model does not exist or you do not have access to it.\","
                        "\"type\":\"not_found_error\",\"param\":\"model\",\"code\":"
                        "\"model_not_found\"}");
    resp_release(&r);
    /* Z.AI: 400 with business code 1211 */
    http(&r, z, "POST", "/api/anthropic/v1/messages",
         "{\"model\":\"glm-9\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":"
         "\"x\"}]}",
         "x-api-key: " KEY, 0);
    assert_int_equal(r.status, 400);
    j = body_json(&r);
    assert_string_equal(json_str(json_obj(j, "error"), "type"), "1211");
    assert_non_null(strstr(json_str(json_obj(j, "error"), "message"), "Unknown Model"));
    cJSON_Delete(j);
    resp_release(&r);
    simprov_get_stats(c, &st);
    assert_int_equal(st.model_refused, 1);
    assert_int_equal(st.models_requests, 2);
    assert_int_equal(st.ok, 0);
    simprov_stop(c);
    simprov_stop(z);
}

/* Cerebras' public catalogue needs no key and gives context lengths where they are known. */
static void test_simprov_lineup_catalog(void **state)
{
    struct simprov *c = start(API_OPENAI, 0, KEY);
    struct resp r;
    http(&r, c, "GET", "/public/v1/models", NULL, "", 0);
    assert_int_equal(r.status, 200);
    cJSON *j = body_json(&r);
    const cJSON *oss = cJSON_GetArrayItem(json_arr(j, "data"), 0);
    assert_string_equal(json_str(oss, "id"), "gpt-oss-120b");
    assert_int_equal((long)json_num(json_obj(oss, "limits"), "max_context_length", 0), 131072);
    assert_int_equal((long)json_num(json_obj(oss, "limits"), "max_completion_tokens", 0), 40960);
    /* gemma's limits are not published: left out, not invented */
    assert_null(json_obj(cJSON_GetArrayItem(json_arr(j, "data"), 1), "limits"));
    cJSON_Delete(j);
    resp_release(&r);
    simprov_stop(c);
}

/* A test changes the lineup (the provider retires or brings back a model) and can make the
 * list fail; completions follow the lineup at once. */
static void test_simprov_lineup_control(void **state)
{
    char err[SIMPROV_ERR_LEN], ids[256];
    struct simprov_opts o = {.dialect = API_OPENAI, .api_key = KEY, .models = "zai-glm-4.6"};
    struct simprov *c = simprov_start(&o, err);
    assert_non_null(c);
    struct resp r;
    const char *req = "{\"model\":\"zai-glm-4.6\",\"messages\":[{\"role\":\"user\",\"content\":"
                      "\"x\"}]}";
    post(&r, c, "/v1/chat/completions", req);
    assert_int_equal(r.status, 200);
    resp_release(&r);
    http(&r, c, "POST", "/_mock/lineup", "{\"models\":[\"gpt-oss-120b\"]}", "", 0);
    assert_int_equal(r.status, 200);
    resp_release(&r);
    post(&r, c, "/v1/chat/completions", req);
    assert_int_equal(r.status, 404);
    resp_release(&r);
    http(&r, c, "POST", "/_mock/lineup", "{\"fail\":503}", "", 0);
    resp_release(&r);
    http(&r, c, "GET", "/v1/models", NULL, "Authorization: Bearer " KEY, 0);
    assert_int_equal(r.status, 503);
    resp_release(&r);
    http(&r, c, "POST", "/_mock/lineup", "{\"fail\":0,\"models\":[\"a\",\"b\"]}", "", 0);
    resp_release(&r);
    http(&r, c, "GET", "/v1/models", NULL, "Authorization: Bearer " KEY, 0);
    assert_int_equal(r.status, 200);
    list_ids(&r, ids, sizeof ids);
    assert_string_equal(ids, "a,b");
    resp_release(&r);
    http(&r, c, "POST", "/_mock/lineup", "{\"models\":\"nope\"}", "", 0);
    assert_int_equal(r.status, 400);
    resp_release(&r);
    simprov_stop(c);
    o.models =
        "ok,a-name-that-is-much-longer-than-sixty-four-bytes-which-no-model-id-has-ever-been";
    assert_null(simprov_start(&o, err));
    assert_non_null(strstr(err, "bad model list"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simprov_rejects_unknown_field),
        cmocka_unit_test(test_simprov_rejects_reasoning_content),
        cmocka_unit_test(test_simprov_requires_key),
        cmocka_unit_test(test_simprov_openai_answer),
        cmocka_unit_test(test_simprov_openai_stream),
        cmocka_unit_test(test_simprov_rpm_limit),
        cmocka_unit_test(test_simprov_token_limits),
        cmocka_unit_test(test_simprov_anthropic_stream),
        cmocka_unit_test(test_simprov_tool_calls),
        cmocka_unit_test(test_simprov_anthropic_tool_round_trip),
        cmocka_unit_test(test_simprov_fault_modes),
        cmocka_unit_test(test_simprov_anthropic_faults),
        cmocka_unit_test(test_simprov_cut_truncates),
        cmocka_unit_test(test_simprov_stall_counts_abort),
        cmocka_unit_test(test_simprov_control_endpoints),
        cmocka_unit_test(test_simprov_lineup_defaults),
        cmocka_unit_test(test_simprov_lineup_catalog),
        cmocka_unit_test(test_simprov_lineup_control),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
