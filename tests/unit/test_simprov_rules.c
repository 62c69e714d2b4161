/* Tests for the limit rules of the simulated providers over HTTP, as a client sees them: the
 * 429 bodies, codes and headers each rule answers with (Cerebras's flat body, Z.AI's business
 * codes), the clock control, cached tokens in usage and the reply-length hook. The rules
 * themselves are tested one by one in test_simprov_limits.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/clock.h"
#include "core/ratelimit.h"
#include "fixture_simprov.h"

static struct simprov *start_opts(struct simprov_opts o)
{
    char err[SIMPROV_ERR_LEN];
    o.threads = 8;
    o.reply_tokens = o.reply_tokens ? o.reply_tokens : 12;
    o.api_key = KEY;
    struct simprov *s = simprov_start(&o, err);
    if (!s)
        fail_msg("simprov_start: %s", err);
    return s;
}

static const char oai_req[] = "{\"model\":\"gpt-oss-120b\",\"messages\":[{\"role\":\"user\","
                              "\"content\":\"hello\"}],\"max_completion_tokens\":100}";
static const char ant_req[] = "{\"model\":\"glm-4.6\",\"max_tokens\":100,\"messages\":[{\"role\":"
                              "\"user\",\"content\":\"hello\"}]}";

static void expect_cerebras_429(struct simprov *s, const char *code, const char *message)
{
    struct resp r;
    post(&r, s, "/v1/chat/completions", oai_req);
    assert_int_equal(r.status, 429);
    cJSON *j = body_json(&r);
    assert_string_equal(json_str(j, "code"), code);
    assert_string_equal(json_str(j, "message"), message);
    assert_non_null(json_str(j, "type"));
    assert_non_null(json_str(j, "param"));
    cJSON_Delete(j);
    resp_release(&r);
}

/* The refusal names the bucket: "Requests per hour limit exceeded". */
static void test_rules_hour_bucket_refusal(void **state)
{
    struct simprov *s = start_opts((struct simprov_opts){.dialect = API_OPENAI, .rph = 1});
    struct resp r;
    post(&r, s, "/v1/chat/completions", oai_req);
    assert_int_equal(r.status, 200);
    resp_release(&r);
    expect_cerebras_429(s, "request_quota_exceeded",
                        "Requests per hour limit exceeded - too many requests sent.");
    simprov_stop(s);
}

/* Tokens per day: "Tokens per day limit exceeded"; the day's headers say it is empty. */
static void test_rules_day_tokens_refusal(void **state)
{
    /* input ~30 + a budget of 100 does not fit in 120 */
    struct simprov *s = start_opts((struct simprov_opts){.dialect = API_OPENAI, .tpd = 120});
    char v[64];
    expect_cerebras_429(s, "token_quota_exceeded",
                        "Tokens per day limit exceeded - too many tokens processed.");
    struct resp r;
    post(&r, s, "/v1/chat/completions", oai_req);
    assert_string_equal(header(&r, "x-ratelimit-limit-tokens-day", v, sizeof v), "120");
    assert_string_equal(header(&r, "x-ratelimit-remaining-tokens-day", v, sizeof v), "120");
    resp_release(&r);
    simprov_stop(s);
}

/* The whole budget is booked on arrival: a short answer's request is still refused when
 * input + max_completion_tokens would not fit. */
static void test_rules_booking_refuses_before_answering(void **state)
{
    struct simprov *s = start_opts((struct simprov_opts){.dialect = API_OPENAI, .tpm_limit = 2000});
    struct resp r;
    post(&r, s, "/v1/chat/completions",
         "{\"model\":\"gpt-oss-120b\",\"max_completion_tokens\":3000,\"messages\":[{\"role\":"
         "\"user\","
         "\"content\":\"hi\"}]}");
    assert_int_equal(r.status, 429);
    resp_release(&r);
    post(&r, s, "/v1/chat/completions", oai_req); /* ~40 + 100 fits */
    assert_int_equal(r.status, 200);
    resp_release(&r);
    struct simprov_stats st;
    simprov_get_stats(s, &st);
    assert_true(st.booked_tokens >= 100 && st.booked_tokens < 200);
    simprov_stop(s);
}

/* The clock control moves the buckets on: one more request per 6 s of 10 a minute. */
static void test_rules_clock_refills(void **state)
{
    struct simprov *s = start_opts((struct simprov_opts){.dialect = API_OPENAI, .rpm_limit = 1});
    struct resp r;
    post(&r, s, "/v1/chat/completions", oai_req);
    assert_int_equal(r.status, 200);
    resp_release(&r);
    post(&r, s, "/v1/chat/completions", oai_req);
    assert_int_equal(r.status, 429);
    resp_release(&r);
    http(&r, s, "POST", "/_mock/clock", "{\"advance_s\":60}", NULL, 0);
    assert_int_equal(r.status, 200);
    resp_release(&r);
    post(&r, s, "/v1/chat/completions", oai_req);
    assert_int_equal(r.status, 200);
    resp_release(&r);
    http(&r, s, "POST", "/_mock/clock", "{\"advance_s\":-5}", NULL, 0);
    assert_int_equal(r.status, 400);
    resp_release(&r);
    simprov_stop(s);
}

/* queue_exceeded: the high-traffic body, for the next N requests only. */
static void test_rules_queue_exceeded(void **state)
{
    struct simprov *s = start_opts((struct simprov_opts){.dialect = API_OPENAI});
    struct resp r;
    assert_int_equal(simprov_set_fault(s, "queue:2"), 0);
    for (int k = 0; k < 2; k++)
        expect_cerebras_429(s, "queue_exceeded",
                            "We're experiencing high traffic right now! Please try again soon.");
    post(&r, s, "/v1/chat/completions", oai_req);
    assert_int_equal(r.status, 200);
    resp_release(&r);
    simprov_stop(s);
}

static void expect_zai_429(struct resp *r, const char *code, const char *message_start)
{
    assert_int_equal(r->status, 429);
    cJSON *j = body_json(r);
    assert_string_equal(json_str(j, "type"), "error");
    const cJSON *e = json_obj(j, "error");
    const char *c = json_str(e, "code") ? json_str(e, "code") : json_str(e, "type");
    assert_string_equal(c, code);
    const char *m = json_str(e, "message");
    assert_non_null(m);
    assert_memory_equal(m, message_start, strlen(message_start));
    cJSON_Delete(j);
}

struct held {
    struct simprov *s;
    long status;
};

static void *slow_request(void *arg)
{
    struct held *h = arg;
    struct resp r;
    post(&r, h->s, "/api/anthropic/v1/messages", ant_req);
    h->status = r.status;
    resp_release(&r);
    return NULL;
}

/* Z.AI 1302: more at once than the plan takes. */
static void test_rules_zai_concurrency_1302(void **state)
{
    struct simprov *s = start_opts(
        (struct simprov_opts){.dialect = API_ANTHROPIC, .concurrency = 1, .first_byte_ms = 1500});
    struct held h = {.s = s};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, slow_request, &h), 0);
    struct simprov_stats st = {0};
    double deadline = clock_mono_ms() + 10000;
    while (st.in_flight < 1 && clock_mono_ms() < deadline)
        simprov_get_stats(s, &st);
    assert_int_equal(st.in_flight, 1);
    struct resp r;
    post(&r, s, "/api/anthropic/v1/messages", ant_req);
    expect_zai_429(&r, "1302", "High concurrency usage of this API");
    resp_release(&r);
    pthread_join(t, NULL);
    assert_int_equal(h.status, 200);
    simprov_get_stats(s, &st);
    assert_int_equal(st.max_in_flight, 2); /* the refused one was counted while answered */
    post(&r, s, "/api/anthropic/v1/messages", ant_req); /* the slot is free again */
    assert_int_equal(r.status, 200);
    resp_release(&r);
    simprov_stop(s);
}

static void test_rules_zai_frequency_1303(void **state)
{
    struct simprov *s = start_opts((struct simprov_opts){.dialect = API_ANTHROPIC});
    struct resp r;
    assert_int_equal(simprov_set_fault(s, "1303"), 0);
    post(&r, s, "/api/anthropic/v1/messages", ant_req);
    expect_zai_429(&r, "1303", "High frequency usage of this API");
    resp_release(&r);
    post(&r, s, "/api/anthropic/v1/messages", ant_req);
    assert_int_equal(r.status, 200);
    resp_release(&r);
    simprov_stop(s);
}

/* The reset named in a plan refusal, read back as switchboard reads it. */
static double reset_in(struct resp *r)
{
    cJSON *j = body_json(r);
    double at = 0;
    assert_true(ratelimit_reset_at(json_str(json_obj(j, "error"), "message"), &at));
    cJSON_Delete(j);
    return at - (double)clock_wall_ms() / 1000.0;
}

/* Z.AI 1308: the plan's prompts per 5-hour window, with the reset in Beijing time. */
static void test_rules_zai_plan_1308(void **state)
{
    struct simprov *s =
        start_opts((struct simprov_opts){.dialect = API_ANTHROPIC, .plan_prompts = 1});
    struct resp r;
    post(&r, s, "/api/anthropic/v1/messages", ant_req);
    assert_int_equal(r.status, 200);
    resp_release(&r);
    post(&r, s, "/api/anthropic/v1/messages", ant_req);
    expect_zai_429(&r, "1308", "Usage limit reached for 5 hour. Your limit will reset at ");
    double in = reset_in(&r);
    assert_true(in > 5 * 3600 - 30 && in <= 5 * 3600 + 1);
    resp_release(&r);
    http(&r, s, "POST", "/_mock/clock", "{\"advance_s\":18000}", NULL, 0);
    resp_release(&r);
    post(&r, s, "/api/anthropic/v1/messages", ant_req);
    assert_int_equal(r.status, 200);
    resp_release(&r);
    simprov_stop(s);
}

/* Z.AI 1310 (weekly/monthly) with its reset, and retry-after-ms as observed; 1313 fair use. */
static void test_rules_zai_1310_and_1313(void **state)
{
    struct simprov *s = start_opts((struct simprov_opts){.dialect = API_ANTHROPIC});
    struct resp r;
    char v[64];
    assert_int_equal(simprov_set_fault(s, "1310:7200"), 0);
    post(&r, s, "/api/anthropic/v1/messages", ant_req);
    expect_zai_429(&r, "1310", "[1310][Weekly/Monthly Limit Exhausted. Your limit will reset at ");
    double in = reset_in(&r);
    assert_true(in > 7200 - 30 && in <= 7201);
    assert_string_equal(header(&r, "retry-after-ms", v, sizeof v), "7200000");
    resp_release(&r);
    assert_int_equal(simprov_set_fault(s, "1313"), 0);
    post(&r, s, "/api/anthropic/v1/messages", ant_req);
    expect_zai_429(&r, "1313", "Your account has violated the fair use policy");
    resp_release(&r);
    assert_int_equal(simprov_set_fault(s, "1313:5"), -EINVAL); /* no count for it */
    simprov_stop(s);
}

/* The second identical prompt is read from the cache: whole 128-token blocks, reported as
 * Cerebras (prompt_tokens_details.cached_tokens) and Z.AI (cache_read_input_tokens) do. */
static void test_rules_cached_tokens_in_usage(void **state)
{
    char big[4200];
    memset(big, 'x', sizeof big);
    big[sizeof big - 1] = '\0';
    char *body = NULL;
    assert_true(
        asprintf(&body,
                 "{\"model\":\"gpt-oss-120b\",\"max_completion_tokens\":10,\"messages\":[{\"role\":"
                 "\"user\",\"content\":\"%s\"}]}",
                 big) > 0);
    struct simprov *s = start_opts((struct simprov_opts){.dialect = API_OPENAI});
    struct resp r;
    long cached[2];
    for (int k = 0; k < 2; k++) {
        post(&r, s, "/v1/chat/completions", body);
        assert_int_equal(r.status, 200);
        cJSON *j = body_json(&r);
        const cJSON *u = json_obj(j, "usage");
        cached[k] = (long)json_num(json_obj(u, "prompt_tokens_details"), "cached_tokens", -1);
        assert_true(cached[k] <= (long)json_num(u, "prompt_tokens", 0));
        cJSON_Delete(j);
        resp_release(&r);
    }
    assert_int_equal(cached[0], 0);
    assert_int_equal(cached[1], 1024); /* 4200 bytes of prompt hold 8 whole blocks */
    simprov_stop(s);
    free(body);
    assert_true(asprintf(&body,
                         "{\"model\":\"glm-4.6\",\"max_tokens\":10,\"messages\":[{\"role\":"
                         "\"user\",\"content\":\"%s\"}]}",
                         big) > 0);
    s = start_opts((struct simprov_opts){.dialect = API_ANTHROPIC});
    for (int k = 0; k < 2; k++) {
        post(&r, s, "/api/anthropic/v1/messages", body);
        cJSON *j = body_json(&r);
        cached[k] = (long)json_num(json_obj(j, "usage"), "cache_read_input_tokens", -1);
        cJSON_Delete(j);
        resp_release(&r);
    }
    assert_int_equal(cached[0], 0);
    assert_int_equal(cached[1], 1024);
    simprov_stop(s);
    free(body);
}

/* "[[reply_tokens=N]]" sets the length of a text answer (benches replay known lengths). */
static void test_rules_reply_length_hook(void **state)
{
    struct simprov *s = start_opts((struct simprov_opts){.dialect = API_OPENAI});
    struct resp r;
    post(&r, s, "/v1/chat/completions",
         "{\"model\":\"gpt-oss-120b\",\"max_completion_tokens\":1000,\"messages\":[{\"role\":"
         "\"user\","
         "\"content\":\"hello [[reply_tokens=300]]\"}]}");
    assert_int_equal(r.status, 200);
    cJSON *j = body_json(&r);
    long n = (long)json_num(json_obj(j, "usage"), "completion_tokens", 0);
    assert_true(n >= 295 && n <= 305);
    cJSON_Delete(j);
    resp_release(&r);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_hour_bucket_refusal),
        cmocka_unit_test(test_rules_day_tokens_refusal),
        cmocka_unit_test(test_rules_booking_refuses_before_answering),
        cmocka_unit_test(test_rules_clock_refills),
        cmocka_unit_test(test_rules_queue_exceeded),
        cmocka_unit_test(test_rules_zai_concurrency_1302),
        cmocka_unit_test(test_rules_zai_frequency_1303),
        cmocka_unit_test(test_rules_zai_plan_1308),
        cmocka_unit_test(test_rules_zai_1310_and_1313),
        cmocka_unit_test(test_rules_cached_tokens_in_usage),
        cmocka_unit_test(test_rules_reply_length_hook),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
