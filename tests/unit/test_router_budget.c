/* Unit tests for the router's windows and budgets: the local rpm window, the proactive token
 * budget from config and provider headers, daily quotas from headers. Time is a parameter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_router.h"

static void test_router_rpm_window_frees_at_oldest_plus_60s(void **state)
{
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    for (int k = 0; k < 10; k++)
        admit_ok(r, &p, 0, 10, T0 + k * 1000, false);
    admit_skip(r, &p, 0, 10, T0 + 10000);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0 + 10000, &until), DEP_RPM_FULL);
    assert_int_equal(until, T0 + 60000);
    struct router_dep_view v;
    router_view(r, 0, T0 + 10000, &v);
    assert_string_equal(v.reason, "rpm 10/10 (local window)");
    assert_int_equal(v.rpm_used, 10);
    assert_int_equal(v.in_flight, 10);
    assert_true(router_plan_rate_limited(r, &p, T0 + 10000));
    admit_skip(r, &p, 0, 10, T0 + 59999);
    /* exactly 60 s after the oldest start the slot is free (no off-by-one) */
    admit_ok(r, &p, 0, 10, T0 + 60000, false);
    admit_skip(r, &p, 0, 10, T0 + 60000);
    assert_int_equal(status_of(r, 0, T0 + 60000, &until), DEP_RPM_FULL);
    assert_int_equal(until, T0 + 61000);
    admit_ok(r, &p, 0, 10, T0 + 61000, false);
    struct attempt_outcome o = ok_outcome(false);
    router_finish(r, 0, &o, T0 + 61001);
    router_view(r, 0, T0 + 61001, &v);
    assert_int_equal(v.in_flight, 11);
}

/* Recorded Cerebras answer: 20000 tokens left this minute, full again in 12.5 s. */
static void test_router_proactive_token_budget(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[0].rpm = 0;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 1000, T0, false);
    struct attempt_outcome o = ok_outcome(false);
    o.rl.limit_tokens_minute = 60000;
    o.rl.remaining_tokens_minute = 20000;
    o.rl.reset_tokens_minute_s = 12.5;
    o.rl.limit_requests_day = 14400;
    o.rl.remaining_requests_day = 14000;
    o.rl.reset_requests_day_s = 33011.38;
    router_finish(r, 0, &o, T0 + 500);
    admit_skip(r, &p, 0, 32000, T0 + 600);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0 + 600, &until), DEP_TPM_LOW);
    assert_int_equal(until, T0 + 500 + 12500);
    assert_true(router_plan_rate_limited(r, &p, T0 + 600));
    assert_int_equal(router_earliest_ready(r, &p, T0 + 600), T0 + 13000);
    struct router_dep_view v;
    router_view(r, 0, T0 + 600, &v);
    assert_int_equal(v.tpm_budget_left, 20000);
    assert_int_equal(v.rl_seen_ms, T0 + 500);
    assert_float_equal(v.rl.remaining_tokens_minute, 20000, 1e-9);
    /* a small request still fits, and counts against what is left */
    admit_ok(r, &p, 0, 12000, T0 + 700, false);
    router_view(r, 0, T0 + 700, &v);
    assert_int_equal(v.tpm_budget_left, 8000);
    admit_skip(r, &p, 0, 9000, T0 + 800);
    admit_ok(r, &p, 0, 8000, T0 + 800, false);
    admit_skip(r, &p, 0, 32000, T0 + 12999);
    /* after the reset the bucket is full again */
    admit_ok(r, &p, 0, 32000, T0 + 13000, false);
    /* a request larger than the whole minute limit would be refused */
    admit_skip(r, &p, 0, 70000, T0 + 13001);
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
    o.rl.remaining_requests_day = 100; /* headers without token numbers */
    router_finish(r, 0, &o, T0 + 1);
    admit_ok(r, &p, 0, 500000, T0 + 2, false);
    struct router_dep_view v;
    router_view(r, 0, T0 + 2, &v);
    assert_int_equal(v.tpm_budget_left, -1);
}

static void test_router_local_tpm_window(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[0].rpm = 0;
    f->deps[0].tpm = 50000;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 30000, T0, false);
    admit_ok(r, &p, 0, 10000, T0 + 5000, false);
    admit_skip(r, &p, 0, 30000, T0 + 6000);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0 + 6000, &until), DEP_TPM_LOW);
    assert_int_equal(until, T0 + 60000);
    admit_ok(r, &p, 0, 10000, T0 + 6000, false);
    admit_skip(r, &p, 0, 30000, T0 + 59999);
    /* 30000 left the window, 20000 are still in it */
    admit_ok(r, &p, 0, 30000, T0 + 60000, false);
}

static void test_router_daily_requests_from_headers(void **state)
{
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 10, T0, false);
    struct attempt_outcome o = ok_outcome(false);
    o.rl.remaining_requests_day = 1;
    o.rl.reset_requests_day_s = 100;
    router_finish(r, 0, &o, T0);
    admit_ok(r, &p, 0, 10, T0 + 1, false); /* the last one of the day */
    admit_skip(r, &p, 0, 10, T0 + 2);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0 + 2, &until), DEP_QUOTA);
    assert_int_equal(until, T0 + 100000);
    assert_true(router_plan_rate_limited(r, &p, T0 + 2));
    admit_ok(r, &p, 0, 10, T0 + 100000, false);
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
        cmocka_unit_test_setup_teardown(test_router_rpm_window_frees_at_oldest_plus_60s, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_proactive_token_budget, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_token_budget_unknown_never_skips, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_local_tpm_window, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_daily_requests_from_headers, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_zeroed_outcome_is_not_headers, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
