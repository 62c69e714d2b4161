/* Unit tests for ratelimit: every header form providers send. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/ratelimit.h"

/* 2026-10-21T07:28:00Z */
#define WALL_2026_10_21_0728 1792567680.0

static void test_ratelimit_init_all_absent(void **state)
{
    struct ratelimit_info rl;
    ratelimit_init(&rl);
    assert_true(rl.retry_after_s < 0);
    assert_true(rl.remaining_tokens_minute < 0);
    assert_true(rl.limit_tokens_day < 0);
    assert_true(rl.remaining_requests_hour < 0);
}

static void test_ratelimit_cerebras_headers(void **state)
{
    struct ratelimit_info rl;
    ratelimit_init(&rl);
    assert_true(ratelimit_header(&rl, "x-ratelimit-limit-requests-day", "14400", 0));
    assert_true(ratelimit_header(&rl, "X-RateLimit-Limit-Tokens-Minute", " 60000 ", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-remaining-requests-day", "14399", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-remaining-tokens-minute", "20000", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-reset-requests-day", "33011.38", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-reset-tokens-minute", "12.5", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-limit-requests-minute", "10", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-remaining-requests-minute", "0", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-reset-requests-minute", "41.2", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-limit-tokens-day", "1000000", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-remaining-tokens-day", "999000", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-reset-tokens-day", "33011.38", 0));
    assert_float_equal(rl.limit_requests_day, 14400, 1e-9);
    assert_float_equal(rl.limit_tokens_minute, 60000, 1e-9);
    assert_float_equal(rl.remaining_requests_day, 14399, 1e-9);
    assert_float_equal(rl.remaining_tokens_minute, 20000, 1e-9);
    assert_float_equal(rl.reset_requests_day_s, 33011.38, 1e-9);
    assert_float_equal(rl.reset_tokens_minute_s, 12.5, 1e-9);
    assert_float_equal(rl.limit_requests_minute, 10, 1e-9);
    assert_float_equal(rl.remaining_requests_minute, 0, 1e-9);
    assert_float_equal(rl.reset_requests_minute_s, 41.2, 1e-9);
    assert_float_equal(rl.limit_tokens_day, 1000000, 1e-9);
    assert_float_equal(rl.remaining_tokens_day, 999000, 1e-9);
    assert_float_equal(rl.reset_tokens_day_s, 33011.38, 1e-9);
    /* the same numbers, bucket by bucket */
    struct rl_bucket b;
    ratelimit_bucket(&rl, RL_REQUESTS, RL_MINUTE, &b);
    assert_float_equal(b.limit, 10, 1e-9);
    assert_float_equal(b.remaining, 0, 1e-9);
    assert_float_equal(b.reset_s, 41.2, 1e-9);
    ratelimit_bucket(&rl, RL_TOKENS, RL_DAY, &b);
    assert_float_equal(b.limit, 1000000, 1e-9);
    assert_float_equal(b.remaining, 999000, 1e-9);
    ratelimit_bucket(&rl, RL_TOKENS, RL_HOUR, &b);
    assert_true(b.limit < 0 && b.remaining < 0 && b.reset_s < 0);
}

/* Hourly names are not documented by Cerebras; read when a provider sends them. */
static void test_ratelimit_hour_headers(void **state)
{
    struct ratelimit_info rl;
    ratelimit_init(&rl);
    assert_true(ratelimit_header(&rl, "x-ratelimit-limit-requests-hour", "100", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-remaining-tokens-hour", "5000", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-reset-tokens-hour", "120.5", 0));
    assert_false(ratelimit_header(&rl, "x-ratelimit-limit-requests-week", "1", 0));
    struct rl_bucket b;
    ratelimit_bucket(&rl, RL_REQUESTS, RL_HOUR, &b);
    assert_float_equal(b.limit, 100, 1e-9);
    ratelimit_bucket(&rl, RL_TOKENS, RL_HOUR, &b);
    assert_float_equal(b.remaining, 5000, 1e-9);
    assert_float_equal(b.reset_s, 120.5, 1e-9);
    assert_float_equal(ratelimit_window_s(RL_HOUR), 3600, 1e-9);
    assert_string_equal(ratelimit_window_name(RL_DAY), "day");
}

/* Cerebras names the window in its refusal text (protocol.md §4). */
static void test_ratelimit_window_in_text(void **state)
{
    assert_int_equal(
        ratelimit_window_in_text("Requests per minute limit exceeded - too many requests sent."),
        RL_MINUTE);
    assert_int_equal(
        ratelimit_window_in_text("Tokens per day limit exceeded - too many tokens processed."),
        RL_DAY);
    assert_int_equal(ratelimit_window_in_text("Requests per hour limit exceeded"), RL_HOUR);
    assert_int_equal(ratelimit_window_in_text("We're experiencing high traffic right now!"), -1);
    assert_int_equal(ratelimit_window_in_text(NULL), -1);
}

/* Z.AI quotes its plan reset in Beijing time (UTC+8). */
static void test_ratelimit_zai_reset_at(void **state)
{
    double t = 0;
    /* 2026-09-09 05:38:28 +08:00 = 2026-09-08 21:38:28Z = 1788903508 */
    assert_true(ratelimit_reset_at(
        "Usage limit reached for 5 hour. Your limit will reset at 2026-09-09 05:38:28", &t));
    assert_float_equal(t, 1788903508.0, 1e-6);
    assert_true(ratelimit_reset_at("[1310][Weekly/Monthly Limit Exhausted. Your limit will reset "
                                   "at 2026-07-14 07:49:08]",
                                   &t));
    assert_float_equal(t, 1783986548.0, 1e-6);
    assert_false(ratelimit_reset_at("Your limit will reset soon", &t));
    assert_false(ratelimit_reset_at("reset at 2026-13-01 00:00:00", &t));
    assert_false(ratelimit_reset_at("reset at 2026-01-01", &t));
    assert_false(ratelimit_reset_at(NULL, &t));
}

static void test_ratelimit_openai_durations(void **state)
{
    struct ratelimit_info rl;
    ratelimit_init(&rl);
    assert_true(ratelimit_header(&rl, "x-ratelimit-limit-requests", "500", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-remaining-requests", "499", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-reset-requests", "6m0s", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-limit-tokens", "30000", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-remaining-tokens", "29000", 0));
    assert_true(ratelimit_header(&rl, "x-ratelimit-reset-tokens", "1.5s", 0));
    assert_float_equal(rl.limit_requests_minute, 500, 1e-9);
    assert_float_equal(rl.remaining_requests_minute, 499, 1e-9);
    assert_float_equal(rl.reset_requests_minute_s, 360, 1e-9);
    assert_float_equal(rl.limit_tokens_minute, 30000, 1e-9);
    assert_float_equal(rl.remaining_tokens_minute, 29000, 1e-9);
    assert_float_equal(rl.reset_tokens_minute_s, 1.5, 1e-9);
    assert_true(ratelimit_header(&rl, "x-ratelimit-reset-tokens", "20ms", 0));
    assert_float_equal(rl.reset_tokens_minute_s, 0.02, 1e-9);
    assert_true(ratelimit_header(&rl, "x-ratelimit-reset-requests", "1h2m3s", 0));
    assert_float_equal(rl.reset_requests_minute_s, 3723, 1e-9);
    assert_true(ratelimit_header(&rl, "x-ratelimit-reset-requests", "2m30.5s", 0));
    assert_float_equal(rl.reset_requests_minute_s, 150.5, 1e-9);
}

static void test_ratelimit_retry_after_forms(void **state)
{
    struct ratelimit_info rl;
    ratelimit_init(&rl);
    assert_true(ratelimit_header(&rl, "Retry-After", "23", 0));
    assert_float_equal(rl.retry_after_s, 23, 1e-9);

    ratelimit_init(&rl);
    assert_true(ratelimit_header(&rl, "retry-after", "Wed, 21 Oct 2026 07:28:00 GMT",
                                 WALL_2026_10_21_0728 - 90));
    assert_float_equal(rl.retry_after_s, 90, 1e-6);

    /* a date in the past means "now" */
    ratelimit_init(&rl);
    assert_true(ratelimit_header(&rl, "retry-after", "Wed, 21 Oct 2026 07:28:00 GMT",
                                 WALL_2026_10_21_0728 + 5));
    assert_float_equal(rl.retry_after_s, 0, 1e-9);

    ratelimit_init(&rl);
    assert_true(ratelimit_header(&rl, "retry-after-ms", "1500", 0));
    assert_float_equal(rl.retry_after_s, 1.5, 1e-9);
    /* the precise form wins whichever arrives first */
    assert_true(ratelimit_header(&rl, "retry-after", "2", 0));
    assert_float_equal(rl.retry_after_s, 1.5, 1e-9);
    ratelimit_init(&rl);
    assert_true(ratelimit_header(&rl, "retry-after", "2", 0));
    assert_true(ratelimit_header(&rl, "RETRY-AFTER-MS", "250", 0));
    assert_float_equal(rl.retry_after_s, 0.25, 1e-9);
}

static void test_ratelimit_http_date_leap_day(void **state)
{
    struct ratelimit_info rl;
    ratelimit_init(&rl);
    /* 2028-02-29T00:00:00Z = 1835395200 */
    assert_true(
        ratelimit_header(&rl, "retry-after", "Tue, 29 Feb 2028 00:00:00 GMT", 1835395200.0 - 10));
    assert_float_equal(rl.retry_after_s, 10, 1e-6);
}

static void test_ratelimit_bad_values_ignored(void **state)
{
    static const char *const bad[] = {"",     "   ",   "abc",  "-5",    "1e999", "12x",
                                      "5m5",  "nan",   "inf",  "s",     "1..2s", "Wed, 99 Foo 2026",
                                      "0x10", "0x10s", "1e5s", "1.2.3s"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ratelimit_info rl;
        ratelimit_init(&rl);
        assert_true(ratelimit_header(&rl, "retry-after", bad[i], 0));
        assert_true(ratelimit_header(&rl, "x-ratelimit-reset-tokens", bad[i], 0));
        assert_true(ratelimit_header(&rl, "x-ratelimit-remaining-tokens-minute", bad[i], 0));
        assert_true(rl.retry_after_s < 0);
        assert_true(rl.reset_tokens_minute_s < 0);
        assert_true(rl.remaining_tokens_minute < 0);
    }
    struct ratelimit_info rl;
    ratelimit_init(&rl);
    assert_true(ratelimit_header(&rl, "retry-after", NULL, 0));
    assert_true(rl.retry_after_s < 0);
}

static void test_ratelimit_unknown_headers(void **state)
{
    struct ratelimit_info rl;
    ratelimit_init(&rl);
    assert_false(ratelimit_header(&rl, "content-type", "application/json", 0));
    assert_false(ratelimit_header(&rl, "x-ratelimit-remaining-tokens-week", "5", 0));
    assert_false(ratelimit_header(&rl, "x-ratelimit-foo-tokens", "5", 0));
    assert_false(ratelimit_header(&rl, "x-ratelimit-", "5", 0));
    assert_false(ratelimit_header(&rl, "cerebras-request-id", "abc", 0));
    assert_false(ratelimit_header(&rl, NULL, "5", 0));
    assert_false(ratelimit_header(NULL, "retry-after", "5", 0));
    assert_true(rl.remaining_tokens_minute < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ratelimit_init_all_absent),
        cmocka_unit_test(test_ratelimit_cerebras_headers),
        cmocka_unit_test(test_ratelimit_hour_headers),
        cmocka_unit_test(test_ratelimit_window_in_text),
        cmocka_unit_test(test_ratelimit_zai_reset_at),
        cmocka_unit_test(test_ratelimit_openai_durations),
        cmocka_unit_test(test_ratelimit_retry_after_forms),
        cmocka_unit_test(test_ratelimit_http_date_leap_day),
        cmocka_unit_test(test_ratelimit_bad_values_ignored),
        cmocka_unit_test(test_ratelimit_unknown_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
