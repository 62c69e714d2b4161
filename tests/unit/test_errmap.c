/* Unit tests for errmap: real provider error bodies, garbage, and client error bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/errmap.h"
#include "core/json.h"
#include "core/limitcode.h"

static void classify(int status, const char *body, struct upstream_error *e)
{
    errmap_classify(status, body, body ? strlen(body) : 0, e);
}

struct body_case {
    int status;
    const char *body;
    enum err_class cls;
    const char *type;
    const char *code;
    const char *message_prefix;
};

/* Bodies as the providers send them (protocol.md §4, §5, §1.4). */
static const struct body_case cases[] = {
    {429,
     "{\"message\":\"Requests per minute limit exceeded - too many requests sent.\",\"type\":"
     "\"too_many_requests_error\",\"param\":\"quota\",\"code\":\"request_quota_exceeded\"}",
     ERRC_RATE_LIMIT, "rate_limit_error", "request_quota_exceeded", "Requests per minute"},
    {429,
     "{\"message\":\"Tokens per minute limit exceeded - too many tokens processed.\",\"type\":"
     "\"too_many_tokens_error\",\"param\":\"quota\",\"code\":\"token_quota_exceeded\"}",
     ERRC_RATE_LIMIT, "rate_limit_error", "token_quota_exceeded", "Tokens per minute"},
    {429,
     "{\"message\":\"Tokens per day limit exceeded - too many tokens processed.\",\"type\":"
     "\"too_many_tokens_error\",\"param\":\"quota\",\"code\":\"token_quota_exceeded\"}",
     ERRC_QUOTA, "rate_limit_error", "token_quota_exceeded", "Tokens per day"},
    {429,
     "{\"message\":\"We're experiencing high traffic right now! Please try again soon.\","
     "\"type\":\"too_many_requests_error\",\"param\":\"queue\",\"code\":\"queue_exceeded\"}",
     ERRC_RATE_LIMIT, "rate_limit_error", "queue_exceeded", "We're experiencing"},
    {400,
     "{\"message\":\"body.messages.1.assistant.reasoning_content: property "
     "'body.messages.1.assistant.reasoning_content' is unsupported\",\"type\":"
     "\"invalid_request_error\",\"param\":\"validation_error\",\"code\":\"wrong_api_format\"}",
     ERRC_BAD_REQUEST, "invalid_request_error", "wrong_api_format", "body.messages"},
    {401,
     "{\"message\":\"Wrong API Key\",\"type\":\"authentication_error\",\"param\":\"api_key\","
     "\"code\":\"wrong_api_key\"}",
     ERRC_AUTH, "authentication_error", "wrong_api_key",
     "the provider refused the API key configured in switchboard: Wrong API Key"},
    {404,
     "{\"message\":\"Model zai-glm-9 does not exist or you do not have access to it.\",\"type\":"
     "\"not_found_error\",\"param\":\"model\",\"code\":\"model_not_found\"}",
     ERRC_NOT_FOUND, "not_found_error", "model_not_found", "Model zai-glm-9"},
    {429,
     "{\"type\":\"error\",\"error\":{\"type\":\"1113\",\"message\":\"Insufficient balance or no "
     "resource package. Please recharge.\"},\"request_id\":\"20260101abc\"}",
     ERRC_QUOTA, "rate_limit_error", "1113", "Insufficient balance"},
    {429,
     "{\"error\":{\"code\":\"1302\",\"message\":\"High concurrency usage of this API, please "
     "reduce concurrency or contact customer service to increase limits\"}}",
     ERRC_RATE_LIMIT, "rate_limit_error", "1302", "High concurrency"},
    {429,
     "{\"type\":\"error\",\"error\":{\"type\":\"1305\",\"message\":\"The service may be "
     "temporarily overloaded, please try again later\"}}",
     ERRC_RATE_LIMIT, "rate_limit_error", "1305", "The service may be"},
    {503, "{\"error\":{\"code\":\"1305\",\"message\":\"The API has triggered a rate limit\"}}",
     ERRC_RATE_LIMIT, "rate_limit_error", "1305", "The API has triggered"},
    {400,
     "{\"type\":\"error\",\"error\":{\"type\":\"1309\",\"message\":\"Your GLM Coding Plan "
     "package has expired\"}}",
     ERRC_QUOTA, "rate_limit_error", "1309", "Your GLM Coding Plan"},
    {429,
     "{\"error\":{\"code\":\"1308\",\"message\":\"Usage limit reached for 5 hour. Your limit will "
     "reset at 2026-01-01 10:00:00\"}}",
     ERRC_QUOTA, "rate_limit_error", "1308", "Usage limit reached"},
    {401, "{\"error\":{\"code\":\"1002\",\"message\":\"Authorization Token invalid\"}}", ERRC_AUTH,
     "authentication_error", "1002",
     "the provider refused the API key configured in switchboard: Authorization Token"},
    {400,
     "{\"error\":{\"code\":\"1211\",\"message\":\"Unknown Model, please check the model "
     "code.\"}}",
     ERRC_NOT_FOUND, "not_found_error", "1211", "Unknown Model"},
    {400, "{\"error\":{\"code\":\"1214\",\"message\":\"Input validation failed\"}}",
     ERRC_BAD_REQUEST, "invalid_request_error", "1214", "Input validation"},
    {500, "{\"error\":{\"code\":\"1234\",\"message\":\"Network error\"}}", ERRC_SERVER, "api_error",
     "1234", "Network error"},
    {529,
     "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"},"
     "\"request_id\":\"req_011\"}",
     ERRC_SERVER, "overloaded_error", "", "Overloaded"},
    {429,
     "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Number of "
     "request tokens has exceeded your per-minute rate limit\"}}",
     ERRC_RATE_LIMIT, "rate_limit_error", "", "Number of request"},
    {400,
     "{\"error\":{\"message\":\"This model's maximum context length is 131072 tokens. However, "
     "your messages resulted in 140000 tokens.\",\"type\":\"invalid_request_error\",\"param\":"
     "\"messages\",\"code\":\"context_length_exceeded\"}}",
     ERRC_CONTEXT, "invalid_request_error", "context_length_exceeded", "This model's maximum"},
    {400,
     "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"prompt is "
     "too long: 215000 tokens > 200000 maximum\"}}",
     ERRC_CONTEXT, "invalid_request_error", "", "prompt is too long"},
    /* a text-only model refusing an image: another deployment may take it */
    {400,
     "{\"error\":{\"message\":\"Image inputs are not supported by this model\",\"type\":"
     "\"invalid_request_error\",\"param\":\"messages\",\"code\":\"wrong_api_format\"}}",
     ERRC_CONTEXT, "invalid_request_error", "wrong_api_format", "Image inputs are not"},
    {400,
     "{\"error\":{\"message\":\"messages.0.content.1: image_url is unsupported\",\"type\":"
     "\"invalid_request_error\"}}",
     ERRC_CONTEXT, "invalid_request_error", "", "messages.0.content.1"},
    /* an ordinary 400 about some other field stays a bad request */
    {400,
     "{\"error\":{\"message\":\"temperature: not supported\",\"type\":"
     "\"invalid_request_error\"}}",
     ERRC_BAD_REQUEST, "invalid_request_error", "", "temperature"},
    {429,
     "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\","
     "\"param\":null,\"code\":\"insufficient_quota\"}}",
     ERRC_QUOTA, "insufficient_quota", "insufficient_quota", "You exceeded"},
    {403,
     "{\"type\":\"error\",\"error\":{\"type\":\"permission_error\",\"message\":\"no access\"}}",
     ERRC_AUTH, "permission_error", "",
     "the provider refused the API key configured in switchboard: no access"},
    {400, "{\"error\":{\"message\":\"Rate limit exceeded, slow down\",\"type\":\"bad\"}}",
     ERRC_RATE_LIMIT, "rate_limit_error", "", "Rate limit exceeded"},
    {422,
     "{\"message\":\"body.store: property 'body.store' is unsupported\",\"type\":"
     "\"invalid_request_error\",\"param\":\"validation_error\",\"code\":\"wrong_api_format\"}",
     ERRC_BAD_REQUEST, "invalid_request_error", "wrong_api_format", "body.store"},
};

static void test_errmap_real_bodies(void **state)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct body_case *c = &cases[i];
        struct upstream_error e;
        classify(c->status, c->body, &e);
        assert_int_equal(e.status, c->status);
        assert_int_equal(e.cls, c->cls);
        assert_string_equal(e.type, c->type);
        assert_string_equal(e.code, c->code);
        assert_memory_equal(e.message, c->message_prefix, strlen(c->message_prefix));
    }
}

static void test_errmap_garbage_bodies(void **state)
{
    static const struct {
        int status;
        const char *body;
        enum err_class cls;
    } g[] = {
        {502, "<html><body>502 Bad Gateway</body></html>", ERRC_SERVER},
        {429, NULL, ERRC_RATE_LIMIT},
        {429, "", ERRC_RATE_LIMIT},
        {401, "[1,2,3]", ERRC_AUTH},
        {404, "null", ERRC_NOT_FOUND},
        {408, "{\"error\":", ERRC_TIMEOUT},
        {413, "\"too big\"", ERRC_BAD_REQUEST},
        {418, "{}", ERRC_BAD_REQUEST},
        {200, "{\"id\":\"x\"}", ERRC_PROTOCOL},
        {200, "garbage", ERRC_PROTOCOL},
        {0, NULL, ERRC_CONNECT},
        {503, "{\"error\":{\"message\":123,\"type\":[],\"code\":{}}}", ERRC_SERVER},
        {529, "{\"error\":null}", ERRC_SERVER},
        {500, "{\"error\":\"upstream exploded\"}", ERRC_SERVER},
        {400, "{\"type\":\"error\"}", ERRC_BAD_REQUEST},
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        struct upstream_error e;
        classify(g[i].status, g[i].body, &e);
        assert_int_equal(e.cls, g[i].cls);
        assert_true(e.message[0] != '\0');
        assert_true(e.type[0] != '\0');
    }
    struct upstream_error e;
    classify(502, "<html>", &e);
    assert_string_equal(e.message, "HTTP 502 from provider");
    assert_string_equal(e.type, "api_error");
    classify(500, "{\"error\":\"upstream exploded\"}", &e);
    assert_string_equal(e.message, "upstream exploded");
    classify(0, NULL, &e);
    assert_string_equal(e.message, "no response from provider");
    classify(401, "", &e);
    assert_string_equal(e.message,
                        "the provider refused the API key configured in switchboard: HTTP 401 "
                        "from provider");
    /* a body that is not NUL-terminated is read only up to len */
    const char buf[] = "{\"error\":{\"code\":\"1302\",\"message\":\"x\"}}GARBAGE";
    errmap_classify(429, buf, strlen(buf) - 7, &e);
    assert_int_equal(e.cls, ERRC_RATE_LIMIT);
    assert_string_equal(e.code, "1302");
}

static void test_errmap_message_truncated_on_utf8_boundary(void **state)
{
    char body[1200], msg[900];
    size_t n = 0;
    while (n + 2 < sizeof msg - 1) {
        memcpy(msg + n, "\xc3\xa9", 2); /* é */
        n += 2;
    }
    msg[n] = '\0';
    snprintf(body, sizeof body, "{\"error\":{\"message\":\"a%s\",\"type\":\"api_error\"}}", msg);
    struct upstream_error e;
    classify(500, body, &e);
    size_t len = strlen(e.message);
    assert_true(len < sizeof e.message);
    assert_true(len > 200);
    assert_true(json_utf8_valid(e.message, len));
}

static void test_errmap_in_stream_json(void **state)
{
    cJSON *ev = cJSON_Parse("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                            "\"message\":\"Overloaded\"}}");
    struct upstream_error e;
    errmap_classify_json(200, ev, &e);
    assert_int_equal(e.cls, ERRC_SERVER);
    assert_string_equal(e.type, "overloaded_error");
    cJSON_Delete(ev);

    ev = cJSON_Parse("{\"error\":{\"message\":\"boom\"}}");
    errmap_classify_json(200, ev, &e);
    assert_int_equal(e.cls, ERRC_PROTOCOL);
    assert_string_equal(e.message, "boom");
    cJSON_Delete(ev);

    /* mid-stream (no status): an unknown error object is the server's failure */
    ev = cJSON_Parse("{\"error\":{\"message\":\"boom\",\"type\":\"1234\"}}");
    errmap_classify_json(0, ev, &e);
    assert_int_equal(e.cls, ERRC_SERVER);
    cJSON_Delete(ev);
    ev = cJSON_Parse("{\"error\":{\"message\":\"odd\"}}");
    errmap_classify_json(0, ev, &e);
    assert_int_equal(e.cls, ERRC_SERVER);
    assert_int_equal(errmap_client_status(&e), 502);
    cJSON_Delete(ev);
    ev = cJSON_Parse("{\"type\":\"error\",\"error\":{\"type\":\"1305\",\"message\":\"busy\"}}");
    errmap_classify_json(0, ev, &e);
    assert_int_equal(e.cls, ERRC_RATE_LIMIT);
    cJSON_Delete(ev);

    errmap_classify_json(503, NULL, &e);
    assert_int_equal(e.cls, ERRC_SERVER);
    assert_string_equal(e.message, "HTTP 503 from provider");
}

static void test_errmap_class_helpers(void **state)
{
    assert_string_equal(errmap_class_name(ERRC_RATE_LIMIT), "rate_limit");
    assert_string_equal(errmap_class_name(ERRC_CLIENT_GONE), "client_gone");
    assert_string_equal(errmap_class_name((enum err_class)99), "unknown");
    assert_true(errmap_is_retryable(ERRC_SERVER));
    assert_true(errmap_is_retryable(ERRC_TIMEOUT));
    assert_true(errmap_is_retryable(ERRC_CONNECT));
    assert_true(errmap_is_retryable(ERRC_PROTOCOL));
    assert_false(errmap_is_retryable(ERRC_RATE_LIMIT));
    assert_false(errmap_is_retryable(ERRC_QUOTA));
    assert_false(errmap_is_retryable(ERRC_AUTH));
    assert_true(errmap_falls_back(ERRC_RATE_LIMIT));
    assert_true(errmap_falls_back(ERRC_CONTEXT));
    assert_true(errmap_falls_back(ERRC_AUTH));
    assert_false(errmap_falls_back(ERRC_BAD_REQUEST));
    assert_false(errmap_falls_back(ERRC_CLIENT_GONE));
    assert_string_equal(errmap_anthropic_type(529), "overloaded_error");
    assert_string_equal(errmap_anthropic_type(413), "request_too_large");
    assert_string_equal(errmap_anthropic_type(422), "invalid_request_error");
    assert_string_equal(errmap_anthropic_type(502), "api_error");
    assert_string_equal(errmap_openai_type(429), "rate_limit_error");
    assert_string_equal(errmap_openai_type(500), "server_error");
    assert_string_equal(errmap_openai_type(400), "invalid_request_error");
}

static void test_errmap_client_status(void **state)
{
    static const struct {
        enum err_class cls;
        int provider;
        int want;
    } t[] = {
        {ERRC_RATE_LIMIT, 429, 429}, {ERRC_QUOTA, 400, 429},    {ERRC_AUTH, 401, 502},
        {ERRC_NOT_FOUND, 404, 502},  {ERRC_CONTEXT, 400, 400},  {ERRC_BAD_REQUEST, 422, 422},
        {ERRC_BAD_REQUEST, 0, 400},  {ERRC_SERVER, 503, 503},   {ERRC_SERVER, 529, 529},
        {ERRC_SERVER, 500, 502},     {ERRC_SERVER, 504, 502},   {ERRC_TIMEOUT, 0, 504},
        {ERRC_CONNECT, 0, 502},      {ERRC_PROTOCOL, 200, 502}, {ERRC_CLIENT_GONE, 0, 499},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct upstream_error e = {.status = t[i].provider, .cls = t[i].cls};
        assert_int_equal(errmap_client_status(&e), t[i].want);
    }
}

static cJSON *body_of(enum api api, int status, const char *msg, const char *code)
{
    struct buf b;
    buf_init(&b, 4096);
    assert_int_equal(errmap_body(api, status, msg, code, &b), 0);
    cJSON *v = json_parse(b.data, b.len);
    assert_non_null(v);
    buf_release(&b);
    return v;
}

static void test_errmap_body_openai(void **state)
{
    cJSON *v = body_of(API_OPENAI, 429, "slow \"down\"\n\\ now", "rate_limited");
    const cJSON *err = json_obj(v, "error");
    assert_non_null(err);
    assert_string_equal(json_str(err, "message"), "slow \"down\"\n\\ now");
    assert_string_equal(json_str(err, "type"), "rate_limit_error");
    assert_string_equal(json_str(err, "code"), "rate_limited");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(err, "param")));
    cJSON_Delete(v);

    v = body_of(API_OPENAI, 502, "bad gateway", NULL);
    err = json_obj(v, "error");
    assert_string_equal(json_str(err, "type"), "server_error");
    assert_string_equal(json_str(err, "code"), "server_error");
    cJSON_Delete(v);
}

static void test_errmap_body_anthropic(void **state)
{
    cJSON *v = body_of(API_ANTHROPIC, 529, "Overloaded \xe2\x9c\x93", "ignored");
    assert_string_equal(json_str(v, "type"), "error");
    const cJSON *err = json_obj(v, "error");
    assert_non_null(err);
    assert_string_equal(json_str(err, "type"), "overloaded_error");
    assert_string_equal(json_str(err, "message"), "Overloaded \xe2\x9c\x93");
    assert_int_equal(cJSON_GetArraySize(err), 2);
    cJSON_Delete(v);

    /* invalid UTF-8 and a NULL message still give valid JSON */
    v = body_of(API_ANTHROPIC, 400, "bad \xff\xfe bytes", NULL);
    err = json_obj(v, "error");
    assert_string_equal(json_str(err, "type"), "invalid_request_error");
    assert_string_equal(json_str(err, "message"), "bad ?? bytes");
    cJSON_Delete(v);
    v = body_of(API_ANTHROPIC, 404, NULL, NULL);
    assert_string_equal(json_str(json_obj(v, "error"), "message"), "");
    cJSON_Delete(v);
}

static void test_errmap_body_cap(void **state)
{
    struct buf b;
    buf_init(&b, 16);
    assert_true(
        errmap_body(API_OPENAI, 500, "a message that is far too long for the cap", NULL, &b) < 0);
    buf_release(&b);
}

/* errmap (what class of error a code is) and limitcode (what the router does about it) key
 * different facts by the same codes: every limitcode row must be a limit in errmap's eyes,
 * a plan or account code a quota, a momentary or bucket code a rate limit. The codes come as
 * each provider sends them: Cerebras in a flat 429 body, Z.AI in its Anthropic-endpoint body. */
static void test_limitcodes_agree_with_errmap(void **state)
{
    (void)state;
    size_t n = 0;
    const struct limit_code *rows = limitcode_all(&n);
    assert_true(n >= 8);
    for (size_t i = 0; i < n; i++) {
        char body[512];
        bool zai = rows[i].code[0] >= '0' && rows[i].code[0] <= '9';
        if (zai)
            snprintf(body, sizeof body,
                     "{\"type\":\"error\",\"error\":{\"type\":\"%s\",\"message\":\"limit\"}}",
                     rows[i].code);
        else
            snprintf(body, sizeof body,
                     "{\"message\":\"limit\",\"type\":\"too_many_requests_error\","
                     "\"param\":\"quota\",\"code\":\"%s\"}",
                     rows[i].code);
        struct upstream_error e;
        errmap_classify(429, body, strlen(body), &e);
        assert_string_equal(e.code, rows[i].code);
        enum err_class want = rows[i].action == LIMIT_PLAN || rows[i].action == LIMIT_DISABLE
                                  ? ERRC_QUOTA
                                  : ERRC_RATE_LIMIT;
        if (e.cls != want)
            fail_msg("code %s: limitcode says %d, errmap classifies it %s", rows[i].code,
                     (int)rows[i].action, errmap_class_name(e.cls));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errmap_real_bodies),
        cmocka_unit_test(test_errmap_garbage_bodies),
        cmocka_unit_test(test_errmap_message_truncated_on_utf8_boundary),
        cmocka_unit_test(test_errmap_in_stream_json),
        cmocka_unit_test(test_errmap_class_helpers),
        cmocka_unit_test(test_errmap_client_status),
        cmocka_unit_test(test_errmap_body_openai),
        cmocka_unit_test(test_errmap_body_anthropic),
        cmocka_unit_test(test_errmap_body_cap),
        cmocka_unit_test(test_limitcodes_agree_with_errmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
