/* Unit tests for the router's buckets: every request and token bucket the config or the
 * provider's headers reveal (minute, hour, day), refilled continuously; what the headers say
 * wins over our own count; a day bucket out of room is a QUOTA. Time is a parameter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_router.h"

/* rpm 10 is one request every 6 s once the burst of 10 is spent, not a fixed minute. */
static void test_router_rpm_bucket_refills_continuously(void **state)
{
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    for (int k = 0; k < 10; k++)
        admit_ok(r, &p, 0, 10, T0, false);
    admit_skip(r, &p, 0, 10, T0 + 1);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0 + 1, &until), DEP_RPM_FULL);
    assert_int_equal(until, T0 + 6000);
    struct router_dep_view v;
    router_view(r, 0, T0 + 1, &v);
    assert_string_equal(v.reason, "requests per minute: 0 of 10 left (config)");
    assert_int_equal(v.rpm_used, 10);
    assert_int_equal(v.in_flight, 10);
    assert_float_equal(v.buckets[RL_REQUESTS][RL_MINUTE].limit, 10, 1e-9);
    assert_true(router_plan_rate_limited(r, &p, T0 + 1));
    admit_skip(r, &p, 0, 10, T0 + 5999);
    admit_ok(r, &p, 0, 10, T0 + 6000, false);
    admit_skip(r, &p, 0, 10, T0 + 6001);
    /* a quiet minute refills it to the brim, never beyond */
    for (int k = 0; k < 10; k++)
        admit_ok(r, &p, 0, 10, T0 + 600000, false);
    admit_skip(r, &p, 0, 10, T0 + 600000);
}

/* Configured hour and day limits are buckets too; an empty day bucket is a QUOTA. */
static void test_router_hour_and_day_buckets_from_config(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[0].rpm = 0;
    f->deps[0].rph = 3;
    f->deps[0].rpd = 5;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    for (int k = 0; k < 3; k++)
        admit_ok(r, &p, 0, 10, T0, false);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0, &until), DEP_RPM_FULL);
    assert_int_equal(until, T0 + 1200000); /* one request per 20 min */
    struct router_dep_view v;
    router_view(r, 0, T0, &v);
    assert_string_equal(v.reason, "requests per hour: 0 of 3 left (config)");
    admit_ok(r, &p, 0, 10, T0 + 1200000, false);
    admit_ok(r, &p, 0, 10, T0 + 2400000, false);
    /* 5 a day: the day bucket is empty now, and QUOTA until it refills one (86400/5 s) */
    admit_skip(r, &p, 0, 10, T0 + 3600000);
    assert_int_equal(status_of(r, 0, T0 + 3600000, &until), DEP_QUOTA);
    assert_true(until > T0 + 3600000);
    router_view(r, 0, T0 + 3600000, &v);
    assert_non_null(strstr(v.reason, "requests per day"));
    assert_true(router_plan_rate_limited(r, &p, T0 + 3600000));
}

/* tpm from the config: 60000 a minute refill at 1000 a second. */
static void test_router_token_bucket_from_config(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[0].rpm = 0;
    f->deps[0].tpm = 60000;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 50000, T0, false);
    admit_skip(r, &p, 0, 30000, T0 + 1);
    int64_t until;
    /* a view asks for one token, but shows the skip that just happened */
    assert_int_equal(status_of(r, 0, T0 + 1, &until), DEP_TPM_LOW);
    assert_int_equal(until, T0 + 20000);
    struct router_dep_view v;
    router_view(r, 0, T0 + 1, &v);
    assert_int_equal(v.tpm_budget_left, 10001); /* 1 ms of refill */
    admit_skip(r, &p, 0, 30000, T0 + 19999);
    admit_ok(r, &p, 0, 30000, T0 + 20000, false);
    /* a request larger than the whole bucket never fits */
    admit_skip(r, &p, 0, 70000, T0 + 600000);
}

/* The provider's numbers win: after an answer says 20000 of 150000 tokens are left, what we
 * admitted since is booked on top of that, and the bucket refills at 2500 a second. */
static void test_router_headers_set_the_bucket(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[0].rpm = 0;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 1000, T0, false);
    admit_ok(r, &p, 0, 4000, T0 + 600, false); /* after the headers below were written */
    struct attempt_outcome o = ok_outcome(false);
    o.rl.limit_tokens_minute = 150000;
    o.rl.remaining_tokens_minute = 20000;
    o.rl.reset_tokens_minute_s = 0.0004;
    o.rl.limit_requests_day = 100;
    o.rl.remaining_requests_day = 60;
    o.rl.reset_requests_day_s = 300;
    router_finish(r, 0, &o, T0 + 500);
    struct router_dep_view v;
    router_view(r, 0, T0 + 600, &v);
    /* 20000 + 100 ms of refill (250) - 4000 booked after the headers */
    assert_int_equal(v.tpm_budget_left, 16250);
    assert_true(v.buckets[RL_TOKENS][RL_MINUTE].from_headers);
    /* 60 left and the next one back in 300 s of 864: 0.65 of it is; less the late one */
    assert_float_equal(v.buckets[RL_REQUESTS][RL_DAY].left, 59.65, 0.01);
    admit_skip(r, &p, 0, 20000, T0 + 600);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0 + 600, &until), DEP_TPM_LOW);
    assert_int_equal(until, T0 + 600 + 1500); /* 3750 more at 2.5 per ms */
    admit_ok(r, &p, 0, 20000, T0 + 2100, false);
}

/* An older answer that ends after a newer one must not set the buckets back. */
static void test_router_stale_headers_ignored(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[0].rpm = 0;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 1000, T0, false);
    admit_ok(r, &p, 0, 1000, T0, false);
    struct attempt_outcome o = ok_outcome(false);
    o.rl.limit_tokens_minute = 150000;
    o.rl.remaining_tokens_minute = 1000;
    router_finish(r, 0, &o, T0 + 2000);
    o.rl.remaining_tokens_minute = 149000;
    router_finish(r, 0, &o, T0 + 1000);
    struct router_dep_view v;
    router_view(r, 0, T0 + 2000, &v);
    assert_int_equal(v.tpm_budget_left, 1000);
}

static void test_router_token_budget_unknown_never_skips(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[0].rpm = 0;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 500000, T0, false);
    struct attempt_outcome o = ok_outcome(false);
    o.rl.remaining_requests_day = 100; /* a count without a limit says nothing about refill */
    router_finish(r, 0, &o, T0 + 1);
    admit_ok(r, &p, 0, 500000, T0 + 2, false);
    struct router_dep_view v;
    router_view(r, 0, T0 + 2, &v);
    assert_int_equal(v.tpm_budget_left, -1);
}

static void test_router_zeroed_outcome_is_not_headers(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[0].rpm = 0;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 10, T0, false);
    /* a caller that forgot ratelimit_init: all zeros must not read as "0 tokens left" */
    struct attempt_outcome o = {.ok = false, .err = {.cls = ERRC_BAD_REQUEST}};
    router_finish(r, 0, &o, T0);
    admit_ok(r, &p, 0, 30000, T0 + 1, false);
    struct attempt_outcome z = {.ok = false, .status = 429, .err = {.cls = ERRC_RATE_LIMIT}};
    router_finish(r, 0, &z, T0 + 2);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0 + 2, &until), DEP_COOLDOWN);
    assert_int_equal(until, T0 + 2 + 60000);
    struct router_dep_view v;
    router_view(r, 0, T0 + 2, &v);
    assert_int_equal(v.tpm_budget_left, -1);
    assert_int_equal(v.rl_seen_ms, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_router_rpm_bucket_refills_continuously, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_hour_and_day_buckets_from_config, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_token_bucket_from_config, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_headers_set_the_bucket, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_stale_headers_ignored, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_token_budget_unknown_never_skips, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_zeroed_outcome_is_not_headers, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
