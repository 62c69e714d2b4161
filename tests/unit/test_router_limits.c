/* Unit tests for what the router does with each of the providers' limit refusals (Cerebras
 * 429 bodies and headers, Z.AI business codes) and with concurrency caps: how long a
 * deployment stays out, whether the request retries or falls back, what comes back to the
 * buckets. Time is a parameter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_router.h"

static struct attempt_outcome refusal(const char *code, const char *message)
{
    struct attempt_outcome o = err_outcome(429, ERRC_RATE_LIMIT, false);
    strcpy(o.err.code, code);
    strcpy(o.err.message, message);
    return o;
}

/* The bug this issue reports: a 429 whose requests-per-minute bucket is empty (reset 2.00)
 * while the token bucket is full (reset 60.00) cooled Cerebras down for 60 s, the largest
 * reset of all buckets. It is out only until the empty bucket has room again. */
static void test_router_429_cools_until_the_empty_bucket_refills(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[0].rpm = 0;
    f->cfg.cooldown_time_s = 3;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 20000, T0, false);
    struct attempt_outcome o = refusal(
        "request_quota_exceeded", "Requests per minute limit exceeded - too many requests sent.");
    o.booked = 20000;
    o.rl.limit_requests_minute = 10;
    o.rl.remaining_requests_minute = 0;
    o.rl.reset_requests_minute_s = 2.00;
    o.rl.limit_tokens_minute = 150000;
    o.rl.remaining_tokens_minute = 150000;
    o.rl.reset_tokens_minute_s = 60.00;
    assert_true(router_finish(r, 0, &o, T0 + 100) & ROUTER_EV_COOLDOWN_STARTED);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0 + 200, &until), DEP_COOLDOWN);
    assert_int_equal(until, T0 + 100 + 2000);
    struct router_dep_view v;
    router_view(r, 0, T0 + 200, &v);
    assert_string_equal(v.reason, "429 from provider (request_quota_exceeded), resets in 2s");
    /* the same with only the headers to say which bucket */
    router_reset(r, 0);
    admit_ok(r, &p, 0, 20000, T0 + 300, false);
    strcpy(o.err.code, "");
    strcpy(o.err.message, "rate limited");
    router_finish(r, 0, &o, T0 + 400);
    assert_int_equal(status_of(r, 0, T0 + 400, &until), DEP_COOLDOWN);
    assert_int_equal(until, T0 + 400 + 2000);
}

/* The body names tokens; the token bucket holds 5000 of the 20000 booked, refilling 2500 a
 * second: out for 6 s, whatever the reset headers of other buckets say. */
static void test_router_429_tokens_bucket(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[0].rpm = 0;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 20000, T0, false);
    struct attempt_outcome o = refusal(
        "token_quota_exceeded", "Tokens per minute limit exceeded - too many tokens processed.");
    o.booked = 20000;
    o.rl.limit_tokens_minute = 150000;
    o.rl.remaining_tokens_minute = 5000;
    o.rl.reset_tokens_minute_s = 0.0004;
    o.rl.limit_requests_day = 100;
    o.rl.remaining_requests_day = 50;
    o.rl.reset_requests_day_s = 40000;
    router_finish(r, 0, &o, T0);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0, &until), DEP_COOLDOWN);
    assert_int_equal(until, T0 + 6000);
}

/* A day bucket that ran out is a QUOTA until it has room, not a cooldown. */
static void test_router_429_day_bucket_is_quota(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[0].rpm = 0;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 20000, T0, false);
    struct attempt_outcome o = refusal(
        "token_quota_exceeded", "Tokens per day limit exceeded - too many tokens processed.");
    o.err.cls = ERRC_QUOTA; /* errmap's reading of a per-day token refusal */
    o.booked = 20000;
    o.rl.limit_tokens_day = 1000000;
    o.rl.remaining_tokens_day = 8400;
    o.rl.reset_tokens_day_s = 0.1;
    assert_true(router_finish(r, 0, &o, T0) & ROUTER_EV_QUOTA_OUT);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0 + 1, &until), DEP_QUOTA);
    /* 11600 more at 1000000 a day: 1002.24 s */
    assert_int_equal(until, T0 + 1002240);
    struct router_dep_view v;
    router_view(r, 0, T0 + 1, &v);
    assert_string_equal(v.reason, "daily quota exhausted, resets in 16m43s");
}

/* A refused request was never booked: what the router booked for it comes back. */
static void test_router_refusal_refunds_the_booking(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[0].rpm = 0;
    f->deps[0].tpm = 100000;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 60000, T0, false);
    struct router_dep_view v;
    router_view(r, 0, T0, &v);
    assert_int_equal(v.tpm_budget_left, 40000);
    struct attempt_outcome o = err_outcome(400, ERRC_BAD_REQUEST, false);
    o.booked = 60000;
    router_finish(r, 0, &o, T0);
    router_view(r, 0, T0, &v);
    assert_int_equal(v.tpm_budget_left, 100000);
    /* an answer keeps its booking: Cerebras does not give back what the answer left unused */
    admit_ok(r, &p, 0, 60000, T0, false);
    o = ok_outcome(false);
    o.booked = 60000;
    router_finish(r, 0, &o, T0);
    router_view(r, 0, T0, &v);
    assert_int_equal(v.tpm_budget_left, 40000);
}

/* queue_exceeded (Cerebras) and 1303 (Z.AI) clear in about a second: a back-off of 1 s
 * that asks the caller to retry the same deployment, and no probe afterwards. */
static void test_router_momentary_refusals_back_off_a_second(void **state)
{
    static const char *const codes[] = {"queue_exceeded", "1303"};
    for (int c = 0; c < 2; c++) {
        struct fixture f;
        two_groups(&f);
        f.deps[0].rpm = 0;
        struct router *r = router_new(&f.cfg);
        struct route_plan p;
        router_plan(r, "fast", &p);
        admit_ok(r, &p, 0, 10, T0, false);
        struct attempt_outcome o = refusal(codes[c], "We're experiencing high traffic right now!");
        unsigned ev = router_finish(r, 0, &o, T0);
        assert_true(ev & ROUTER_EV_BACKOFF);
        assert_false(ev & ROUTER_EV_COOLDOWN_STARTED);
        int64_t until;
        assert_int_equal(status_of(r, 0, T0 + 1, &until), DEP_COOLDOWN);
        assert_int_equal(until, T0 + 1000);
        assert_true(router_plan_rate_limited(r, &p, T0 + 1));
        admit_skip(r, &p, 0, 10, T0 + 999);
        admit_ok(r, &p, 0, 10, T0 + 1000, false); /* not a probe */
        admit_ok(r, &p, 0, 10, T0 + 1001, false);
        router_free(r);
    }
}

/* Z.AI 1302: too many at once. No cooldown: it takes no more than are still running. */
static void test_router_concurrency_refusal_learns_a_cap(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[1].kind = PROVIDER_ZAI;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "zai", &p);
    for (int k = 0; k < 4; k++)
        admit_ok(r, &p, 0, 10, T0, false);
    struct attempt_outcome o =
        refusal("1302", "High concurrency usage of this API, please reduce concurrency or contact "
                        "customer service to increase limits");
    assert_true(router_finish(r, 1, &o, T0 + 10) & ROUTER_EV_BUSY);
    int64_t until;
    assert_int_equal(status_of(r, 1, T0 + 10, &until), DEP_BUSY);
    assert_int_equal(until, 0);
    struct router_dep_view v;
    router_view(r, 1, T0 + 10, &v);
    assert_int_equal(v.conc_cap, 3);
    assert_string_equal(v.reason, "3 in flight, takes 3 at once (learnt from a 429)");
    admit_skip(r, &p, 0, 10, T0 + 11);
    struct attempt_outcome ok = ok_outcome(false);
    router_finish(r, 1, &ok, T0 + 20);
    admit_ok(r, &p, 0, 10, T0 + 21, false);
    admit_skip(r, &p, 0, 10, T0 + 22);
    /* the user's reset forgets what was learnt */
    router_reset(r, 1);
    router_view(r, 1, T0 + 23, &v);
    assert_int_equal(v.conc_cap, 0);
}

/* max_parallel_requests from the config: the one past it is BUSY, never sent. */
static void test_router_max_parallel_requests(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[1].max_parallel = 2;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 1, 10, T0, false);
    admit_ok(r, &p, 1, 10, T0, false);
    admit_skip(r, &p, 1, 10, T0);
    struct router_dep_view v;
    router_view(r, 1, T0, &v);
    assert_int_equal(v.status, DEP_BUSY);
    assert_string_equal(v.reason, "2 in flight, takes 2 at once (config)");
    /* a waiter learns that only an attempt's end frees it */
    for (int k = 0; k < 10; k++)
        admit_ok(r, &p, 0, 10, T0, false);
    struct admit_ask ask = {.input = 10};
    bool busy = false;
    int64_t at = router_ready_at(r, &p, &ask, T0, &busy);
    assert_true(busy);
    assert_int_equal(at, T0 + 6000); /* the rpm bucket of the first frees one then */
    struct attempt_outcome ok = ok_outcome(false);
    router_finish(r, 1, &ok, T0 + 5);
    assert_int_equal(router_ready_at(r, &p, &ask, T0 + 5, &busy), T0 + 5);
}

/* Z.AI 1308 / 1310 name their reset; the state turns it into seconds. QUOTA until exactly
 * then, and the probe after it. */
static void test_router_plan_limit_until_its_reset(void **state)
{
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "zai", &p);
    admit_ok(r, &p, 0, 10, T0, false);
    struct attempt_outcome o = refusal(
        "1308", "Usage limit reached for 5 hour. Your limit will reset at 2026-09-09 05:38:28");
    o.reset_in_s = 4 * 3600 + 61;
    o.rl.retry_after_s = 9; /* the text is the provider's own date: it wins */
    assert_true(router_finish(r, 1, &o, T0) & ROUTER_EV_QUOTA_OUT);
    int64_t until;
    assert_int_equal(status_of(r, 1, T0 + 1, &until), DEP_QUOTA);
    assert_int_equal(until, T0 + (4 * 3600 + 61) * 1000LL);
    struct router_dep_view v;
    router_view(r, 1, T0 + 1, &v);
    assert_string_equal(v.reason, "Z.AI 1308 plan usage limit, resets in 4h01m");
    admit_skip(r, &p, 0, 10, until - 1);
    admit_ok(r, &p, 0, 10, until, true);
}

/* 1113 / 1313: off with the provider's own words until the user resets or enables it. */
static void test_router_balance_and_fair_use_disable(void **state)
{
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "zai", &p);
    admit_ok(r, &p, 0, 10, T0, false);
    struct attempt_outcome o =
        refusal("1313", "Your account has violated the fair use policy of the GLM Coding Plan.");
    o.err.cls = ERRC_QUOTA;
    router_finish(r, 1, &o, T0);
    int64_t until;
    assert_int_equal(status_of(r, 1, T0 + 86400000LL * 30, &until), DEP_QUOTA);
    assert_int_equal(until, 0);
    struct router_dep_view v;
    router_view(r, 1, T0, &v);
    assert_string_equal(v.reason, "Z.AI 1313 fair-use limit: \"Your account has violated the fair "
                                  "use policy of the GLM Coding Plan.\" (off until you reset or "
                                  "enable it)");
    router_set_enabled(r, 1, true);
    assert_int_equal(status_of(r, 1, T0 + 1, NULL), DEP_READY);
}

/* ---- budgets for a provider that books them ---- */

static struct router *budget_router(struct fixture *f, long tpm, long tpd, long rpd)
{
    two_groups(f);
    f->deps[0].rpm = 0;
    f->deps[0].tpm = tpm;
    f->deps[0].tpd = tpd;
    f->deps[0].rpd = rpd;
    f->deps[0].kind = PROVIDER_CEREBRAS;
    return router_new(&f->cfg);
}

static struct admit_grant admit_ask_ok(struct router *r, const struct route_plan *p, long input,
                                       long want, long floor, int64_t now)
{
    struct admit_ask a = {.input = input, .want = want, .floor = floor, .fresh = true};
    struct admit_grant g;
    assert_int_equal(router_admit_ask(r, p, 0, &a, now, &g), ADMIT_OK);
    return g;
}

/* Plenty of room: the budget asked for, booked whole. */
static void test_budget_full_when_it_fits(void **state)
{
    struct fixture f;
    struct router *r = budget_router(&f, 500000, 0, 0);
    struct route_plan p;
    router_plan(r, "fast", &p);
    struct admit_grant g = admit_ask_ok(r, &p, 13000, 32000, 4096, T0);
    assert_int_equal(g.budget, 32000);
    assert_false(g.lowered);
    assert_int_equal(g.booked, 45000);
    router_free(r);
}

/* The full budget does not fit now: the largest that does, down to the floor; below the
 * floor it is not worth sending. */
static void test_budget_lowered_to_what_fits(void **state)
{
    struct fixture f;
    struct router *r = budget_router(&f, 150000, 0, 0);
    struct route_plan p;
    router_plan(r, "fast", &p);
    struct admit_grant g = admit_ask_ok(r, &p, 100000, 20000, 4096, T0);
    assert_int_equal(g.budget, 20000);
    /* 30000 left: a 10000-token prompt gets 20000 of the 32000 it asked for */
    g = admit_ask_ok(r, &p, 10000, 32000, 4096, T0);
    assert_int_equal(g.budget, 20000);
    assert_true(g.lowered);
    assert_int_equal(g.booked, 30000);
    /* nothing left: not even the floor fits, so it is not sent */
    struct admit_ask a = {.input = 10000, .want = 32000, .floor = 4096, .fresh = true};
    struct admit_grant none;
    assert_int_equal(router_admit_ask(r, &p, 0, &a, T0 + 1, &none), ADMIT_SKIP_STATUS);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0 + 1, &until), DEP_TPM_LOW);
    assert_int_equal(until, T0 + 5639); /* 14096 tokens at 2500 a second */
    /* the floor never raises a small ask */
    g = admit_ask_ok(r, &p, 100, 200, 4096, T0 + 60000);
    assert_int_equal(g.budget, 200);
    assert_false(g.lowered);
    router_free(r);
}

/* A free-tier day: 1M tokens and 100 requests. Every request may take 1M / 100 of it, so a
 * 13K-token prompt gets the floor, not 32000 that an answer of a few hundred tokens leaves
 * unused. */
static void test_budget_paced_by_a_scarce_day(void **state)
{
    struct fixture f;
    struct router *r = budget_router(&f, 150000, 1000000, 100);
    struct route_plan p;
    router_plan(r, "fast", &p);
    struct admit_grant g = admit_ask_ok(r, &p, 13000, 32000, 4096, T0);
    assert_int_equal(g.budget, 4096);
    assert_true(g.lowered);
    assert_int_equal(g.booked, 17096);
    struct router_dep_view v;
    router_view(r, 0, T0, &v);
    assert_int_equal(v.budget_lowered, 1);
    router_free(r);
}

/* A scarce day goes furthest on small requests: while the day bucket cannot give the typical
 * request its share, one bigger than the median of recent asks goes elsewhere; smaller ones
 * still run. Without day limits size does not matter. */
static void test_budget_scarce_day_keeps_to_smaller_requests(void **state)
{
    struct fixture f;
    struct router *r = budget_router(&f, 150000, 1000000, 100);
    struct route_plan p;
    router_plan(r, "fast", &p);
    int64_t t = T0;
    for (int k = 0; k < 9; k++, t += 7000) /* each no bigger than the ones before */
        admit_ask_ok(r, &p, 16000 - 500 * k, 32000, 4096, t);
    struct admit_ask big = {.input = 30000, .want = 32000, .floor = 4096, .fresh = true};
    struct admit_grant g;
    assert_int_equal(router_admit_ask(r, &p, 0, &big, t, &g), ADMIT_SKIP_STATUS);
    struct router_dep_view v;
    router_ask_view(r, 0, &big, t, &v);
    assert_int_equal(v.status, DEP_TPM_LOW);
    assert_int_equal(v.until_ms, 0);
    assert_non_null(strstr(v.reason, "tokens per day scarce: kept for smaller requests"));
    /* it goes to the fallback, which has no such limits */
    assert_int_equal(router_admit_ask(r, &p, 1, &big, t, &g), ADMIT_OK);
    admit_ask_ok(r, &p, 13000, 32000, 4096, t + 1);
    router_free(r);

    r = budget_router(&f, 500000, 0, 0);
    router_plan(r, "fast", &p);
    t = T0;
    for (int k = 0; k < 9; k++, t += 7000)
        admit_ask_ok(r, &p, 16000 - 500 * k, 32000, 4096, t);
    admit_ask_ok(r, &p, 30000, 32000, 4096, t);
    router_free(r);
}

/* Without proactive routing the budget is never lowered (and nothing books against it). */
static void test_budget_reactive_never_lowers(void **state)
{
    struct fixture f;
    struct router *r = budget_router(&f, 150000, 1000000, 100);
    f.cfg.proactive_routing = false;
    struct route_plan p;
    router_plan(r, "fast", &p);
    struct admit_grant g = admit_ask_ok(r, &p, 13000, 32000, 4096, T0);
    assert_int_equal(g.budget, 32000);
    assert_false(g.lowered);
    router_free(r);
}

/* Z.AI does not book the output: its budget is never lowered, only the input is booked. */
static void test_budget_not_for_providers_that_do_not_book(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[1].kind = PROVIDER_ZAI;
    f->deps[1].tpm = 20000;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "zai", &p);
    struct admit_ask a = {.input = 13000, .want = 32000, .floor = 4096, .fresh = true};
    struct admit_grant g;
    assert_int_equal(router_admit_ask(r, &p, 0, &a, T0, &g), ADMIT_OK);
    assert_int_equal(g.budget, 32000);
    assert_false(g.lowered);
    assert_int_equal(g.booked, 13000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_router_429_cools_until_the_empty_bucket_refills,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_429_tokens_bucket, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_429_day_bucket_is_quota, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_refusal_refunds_the_booking, fx_setup,
                                        fx_teardown),
        cmocka_unit_test(test_router_momentary_refusals_back_off_a_second),
        cmocka_unit_test_setup_teardown(test_router_concurrency_refusal_learns_a_cap, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_max_parallel_requests, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_plan_limit_until_its_reset, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_balance_and_fair_use_disable, fx_setup,
                                        fx_teardown),
        cmocka_unit_test(test_budget_full_when_it_fits),
        cmocka_unit_test(test_budget_lowered_to_what_fits),
        cmocka_unit_test(test_budget_paced_by_a_scarce_day),
        cmocka_unit_test(test_budget_scarce_day_keeps_to_smaller_requests),
        cmocka_unit_test(test_budget_reactive_never_lowers),
        cmocka_unit_test_setup_teardown(test_budget_not_for_providers_that_do_not_book, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
