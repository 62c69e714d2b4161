/* Unit tests for router: plans, admission, cooldowns, probes, rpm and token budgets. Time is
 * a parameter, so nothing sleeps. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_router.h"

static void test_router_429_retry_after_probe_ready(void **state)
{
    struct router *r = fx_router(state);
    struct route_plan p;
    assert_int_equal(router_plan(r, "fast", &p), 0);
    admit_ok(r, &p, 0, 1000, T0, false);
    struct attempt_outcome o = err_outcome(429, ERRC_RATE_LIMIT, false);
    o.rl.retry_after_s = 23;
    unsigned ev = router_finish(r, 0, &o, T0 + 100);
    assert_true(ev & ROUTER_EV_COOLDOWN_STARTED);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0 + 200, &until), DEP_COOLDOWN);
    assert_int_equal(until, T0 + 100 + 23000);
    struct router_dep_view v;
    router_view(r, 0, T0 + 200, &v);
    assert_string_equal(v.reason, "429 from provider, retry-after 23s");
    assert_true(router_plan_rate_limited(r, &p, T0 + 200));

    admit_skip(r, &p, 0, 1000, T0 + 23099);
    admit_ok(r, &p, 0, 1000, T0 + 23100, true);
    assert_int_equal(status_of(r, 0, T0 + 23100, NULL), DEP_PROBING);
    admit_skip(r, &p, 0, 1000, T0 + 23101); /* one probe at a time */
    o = ok_outcome(true);
    ev = router_finish(r, 0, &o, T0 + 24000);
    assert_true(ev & ROUTER_EV_RECOVERED);
    assert_int_equal(status_of(r, 0, T0 + 24000, NULL), DEP_READY);
    admit_ok(r, &p, 0, 1000, T0 + 24001, false);
}

static void test_router_429_reset_headers_only(void **state)
{
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 10, T0, false);
    struct attempt_outcome o = err_outcome(429, ERRC_RATE_LIMIT, false);
    o.rl.reset_tokens_minute_s = 12.5;
    o.rl.reset_requests_minute_s = 30.2;
    o.rl.reset_requests_day_s = 50000; /* the day window is not the cooldown */
    strcpy(o.err.code, "request_quota_exceeded");
    router_finish(r, 0, &o, T0);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0, &until), DEP_COOLDOWN);
    assert_int_equal(until, T0 + 30200);
    struct router_dep_view v;
    router_view(r, 0, T0, &v);
    assert_string_equal(v.reason, "429 from provider (request_quota_exceeded), resets in 31s");
}

static void test_router_429_no_headers_uses_cooldown_time(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->cfg.cooldown_time_s = 45;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 10, T0, false);
    struct attempt_outcome o = err_outcome(429, ERRC_RATE_LIMIT, false);
    router_finish(r, 0, &o, T0);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0, &until), DEP_COOLDOWN);
    assert_int_equal(until, T0 + 45000);
    /* absurd retry-after is capped at a day */
    admit_ok(r, &p, 1, 10, T0, false);
    o = err_outcome(429, ERRC_RATE_LIMIT, false);
    o.rl.retry_after_s = 10 * 86400;
    router_finish(r, 1, &o, T0);
    assert_int_equal(status_of(r, 1, T0, &until), DEP_COOLDOWN);
    assert_int_equal(until, T0 + 24LL * 3600 * 1000);
}

static void test_router_single_deployment_group_cools(void **state)
{
    struct fixture f;
    fx_init(&f);
    fx_dep(&f, "only", "cerebras", NULL, 0, 0, "k");
    struct router *r = router_new(&f.cfg);
    struct route_plan p;
    assert_int_equal(router_plan(r, "only", &p), 0);
    assert_int_equal(p.n, 1);
    assert_false(p.has_fallbacks);
    admit_ok(r, &p, 0, 10, T0, false);
    struct attempt_outcome o = err_outcome(429, ERRC_RATE_LIMIT, false);
    o.rl.retry_after_s = 5;
    router_finish(r, 0, &o, T0);
    assert_int_equal(status_of(r, 0, T0 + 1, NULL), DEP_COOLDOWN);
    admit_skip(r, &p, 0, 10, T0 + 1);
    assert_int_equal(router_earliest_ready(r, &p, T0 + 1), T0 + 5000);
    router_free(r);
}

static void fail_once(struct router *r, const struct route_plan *p, int64_t now, int status,
                      enum err_class cls)
{
    admit_ok(r, p, 0, 10, now, false);
    struct attempt_outcome o = err_outcome(status, cls, false);
    router_finish(r, 0, &o, now);
}

static void test_router_allowed_fails(void **state)
{
    struct fixture f;
    two_groups(&f);
    f.deps[0].rpm = 0;
    f.cfg.allowed_fails = 1;
    struct router *r = router_new(&f.cfg);
    struct route_plan p;
    router_plan(r, "fast", &p);
    fail_once(r, &p, T0, 503, ERRC_SERVER);
    assert_int_equal(status_of(r, 0, T0, NULL), DEP_READY);
    fail_once(r, &p, T0 + 59999, 503, ERRC_SERVER); /* 2nd within the minute */
    int64_t until;
    assert_int_equal(status_of(r, 0, T0 + 59999, &until), DEP_COOLDOWN);
    assert_int_equal(until, T0 + 59999 + 60000);
    assert_false(router_plan_rate_limited(r, &p, T0 + 59999));
    struct router_dep_view v;
    router_view(r, 0, T0 + 59999, &v);
    assert_string_equal(v.reason, "2 failures in 60s (server error 503)");
    router_free(r);

    /* failures a minute apart never add up */
    r = router_new(&f.cfg);
    fail_once(r, &p, T0, 500, ERRC_SERVER);
    fail_once(r, &p, T0 + 60000, 500, ERRC_SERVER);
    fail_once(r, &p, T0 + 120000, 500, ERRC_SERVER);
    assert_int_equal(status_of(r, 0, T0 + 120000, NULL), DEP_READY);
    /* a success in between clears the count */
    fail_once(r, &p, T0 + 200000, 0, ERRC_TIMEOUT);
    admit_ok(r, &p, 0, 10, T0 + 200001, false);
    struct attempt_outcome ok = ok_outcome(false);
    router_finish(r, 0, &ok, T0 + 200002);
    fail_once(r, &p, T0 + 200003, 0, ERRC_CONNECT);
    assert_int_equal(status_of(r, 0, T0 + 200003, NULL), DEP_READY);
    fail_once(r, &p, T0 + 200004, 200, ERRC_PROTOCOL);
    assert_int_equal(status_of(r, 0, T0 + 200004, NULL), DEP_COOLDOWN);
    router_free(r);

    /* allowed_fails 0: the first failure cools */
    f.cfg.allowed_fails = 0;
    r = router_new(&f.cfg);
    fail_once(r, &p, T0, 0, ERRC_TIMEOUT);
    assert_int_equal(status_of(r, 0, T0, NULL), DEP_COOLDOWN);
    router_view(r, 0, T0, &v);
    assert_string_equal(v.reason, "1 failure in 60s (timeout)");
    router_free(r);
}

static void test_router_no_penalty_classes(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[0].rpm = 0;
    f->cfg.allowed_fails = 0;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    fail_once(r, &p, T0, 400, ERRC_CONTEXT);
    fail_once(r, &p, T0, 400, ERRC_BAD_REQUEST);
    fail_once(r, &p, T0, 0, ERRC_CLIENT_GONE);
    assert_int_equal(status_of(r, 0, T0, NULL), DEP_READY);
    fail_once(r, &p, T0, 404, ERRC_NOT_FOUND);
    assert_int_equal(status_of(r, 0, T0, NULL), DEP_COOLDOWN);
    struct router_dep_view v;
    router_view(r, 0, T0, &v);
    assert_string_equal(v.reason, "model not found at provider");
}

static void test_router_auth_failed_self_heals(void **state)
{
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 10, T0, false);
    struct attempt_outcome o = err_outcome(401, ERRC_AUTH, false);
    unsigned ev = router_finish(r, 0, &o, T0);
    assert_true(ev & ROUTER_EV_AUTH_FAILED);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0 + 1, &until), DEP_AUTH_FAILED);
    assert_int_equal(until, T0 + 60000);
    /* zai is ready, but only a clock-bounded state says when: the auth cooldown */
    assert_int_equal(router_earliest_ready(r, &p, T0 + 1), T0 + 60000);
    admit_skip(r, &p, 0, 10, T0 + 59999);
    admit_ok(r, &p, 0, 10, T0 + 60000, true);
    o = ok_outcome(true);
    assert_true(router_finish(r, 0, &o, T0 + 61000) & ROUTER_EV_RECOVERED);
    assert_int_equal(status_of(r, 0, T0 + 61000, NULL), DEP_READY);
}

static void test_router_quota_with_reset(void **state)
{
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 10, T0, false);
    struct attempt_outcome o = err_outcome(429, ERRC_QUOTA, false);
    strcpy(o.err.code, "token_quota_exceeded");
    o.rl.reset_tokens_day_s = 3600;
    o.rl.reset_requests_minute_s = 10;
    assert_true(router_finish(r, 0, &o, T0) & ROUTER_EV_QUOTA_OUT);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0 + 1, &until), DEP_QUOTA);
    assert_int_equal(until, T0 + 3600000);
    struct router_dep_view v;
    router_view(r, 0, T0 + 1, &v);
    assert_string_equal(v.reason, "daily quota exhausted, resets in 1h00m");
    assert_true(router_plan_rate_limited(r, &p, T0 + 1));
    admit_skip(r, &p, 0, 10, T0 + 3599999);
    admit_ok(r, &p, 0, 10, T0 + 3600000, true);
    o = ok_outcome(true);
    router_finish(r, 0, &o, T0 + 3600500);
    assert_int_equal(status_of(r, 0, T0 + 3600500, NULL), DEP_READY);
}

static void test_router_quota_without_reset(void **state)
{
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "zai", &p);
    assert_int_equal(p.dep[0], 1);
    admit_ok(r, &p, 0, 10, T0, false);
    struct attempt_outcome o = err_outcome(429, ERRC_QUOTA, false);
    strcpy(o.err.code, "1113");
    router_finish(r, 1, &o, T0);
    int64_t until;
    assert_int_equal(status_of(r, 1, T0 + 86400000LL * 3, &until), DEP_QUOTA);
    assert_int_equal(until, 0);
    struct router_dep_view v;
    router_view(r, 1, T0, &v);
    assert_non_null(strstr(v.reason, "Z.AI 1113 balance/plan"));
    assert_int_equal(router_earliest_ready(r, &p, T0), 0);
    admit_skip(r, &p, 0, 10, T0 + 86400000LL * 3);
    router_reset(r, 1);
    admit_ok(r, &p, 0, 10, T0 + 1, false);

    /* re-enabling clears it too */
    router_finish(r, 1, &o, T0 + 2);
    assert_int_equal(status_of(r, 1, T0 + 3, NULL), DEP_QUOTA);
    router_set_enabled(r, 1, false);
    assert_int_equal(status_of(r, 1, T0 + 3, NULL), DEP_DISABLED);
    router_set_enabled(r, 1, true);
    assert_int_equal(status_of(r, 1, T0 + 3, NULL), DEP_READY);
}

static void test_router_force_fallback(void **state)
{
    struct router *r = fx_router(state);
    struct route_plan p, z;
    router_plan(r, "fast", &p);
    router_plan(r, "zai", &z);
    assert_true(p.has_fallbacks);
    assert_false(z.has_fallbacks);
    router_set_force_fallback(r, true);
    assert_true(router_force_fallback(r));
    bool probe;
    assert_int_equal(router_admit(r, &p, 0, 10, T0, &probe), ADMIT_SKIP_FORCED);
    admit_ok(r, &p, 1, 10, T0, false);
    admit_ok(r, &z, 0, 10, T0, false); /* no fallbacks: nothing to force */
    router_set_force_fallback(r, false);
    admit_ok(r, &p, 0, 10, T0, false);
}

static void test_router_disabled_and_no_key(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[1].api_key = NULL;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    router_set_enabled(r, 0, false);
    assert_false(router_is_enabled(r, 0));
    admit_skip(r, &p, 0, 10, T0);
    admit_skip(r, &p, 1, 10, T0);
    struct router_dep_view v;
    router_view(r, 0, T0, &v);
    assert_int_equal(v.status, DEP_DISABLED);
    assert_string_equal(v.reason, "disabled by user");
    router_view(r, 1, T0, &v);
    assert_int_equal(v.status, DEP_NO_KEY);
    assert_string_equal(v.reason, "no API key: set EXAMPLE_API_KEY");
    assert_int_equal(router_earliest_ready(r, &p, T0), 0);
    assert_false(router_plan_rate_limited(r, &p, T0));
    assert_string_equal(router_status_name(DEP_NO_KEY), "NO KEY");
    assert_string_equal(router_status_name(DEP_RPM_FULL), "RPM FULL");
    router_set_enabled(r, 0, true);
    admit_ok(r, &p, 0, 10, T0, false);
}

static void test_router_plan_order_fallbacks_and_star(void **state)
{
    struct fixture f;
    fx_init(&f);
    fx_dep(&f, "A", "a1", NULL, 0, 0, "k");
    fx_dep(&f, "B", "b1", NULL, 0, 0, "k");
    fx_dep(&f, "A", "a2", NULL, 0, 0, "k");
    fx_dep(&f, "C", "c1", NULL, 0, 0, "k");
    fx_fallback(&f, "A", "B", NULL);
    fx_fallback(&f, "*", "C", "A");
    struct router *r = router_new(&f.cfg);
    struct route_plan p;
    assert_int_equal(router_plan(r, "A", &p), 0);
    assert_string_equal(p.group, "A");
    assert_ptr_equal(p.cfg, &f.cfg);
    assert_int_equal(p.n, 4);
    int want_a[] = {0, 2, 1, 3};
    bool fb_a[] = {false, false, true, true};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(p.dep[i], want_a[i]);
        assert_int_equal(p.is_fallback[i], fb_a[i]);
    }
    assert_true(p.has_fallbacks);
    assert_int_equal(router_plan(r, "B", &p), 0);
    int want_b[] = {1, 3, 0, 2};
    assert_int_equal(p.n, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(p.dep[i], want_b[i]);
    assert_int_equal(router_plan(r, "C", &p), 0);
    int want_c[] = {3, 0, 2};
    assert_int_equal(p.n, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(p.dep[i], want_c[i]);
    assert_int_equal(router_plan(r, "nope", &p), -ENOENT);
    assert_int_equal(router_plan(r, NULL, &p), -ENOENT);
    router_free(r);
}

static void test_router_plan_chain_capped(void **state)
{
    struct fixture f;
    fx_init(&f);
    for (int i = 0; i < FX_MAX_DEPS; i++)
        fx_dep(&f, i < 10 ? "A" : "B", "d", i < 10 ? "a" : "b", 0, 0, "k");
    fx_fallback(&f, "A", "B", NULL);
    struct router *r = router_new(&f.cfg);
    struct route_plan p;
    assert_int_equal(router_plan(r, "A", &p), 0);
    assert_int_equal(p.n, ROUTER_MAX_CHAIN);
    router_free(r);
}

static void test_router_simple_shuffle_rotates(void **state)
{
    struct fixture f;
    fx_init(&f);
    fx_dep(&f, "G", "x", NULL, 0, 0, "k");
    fx_dep(&f, "G", "y", NULL, 0, 0, "k");
    fx_dep(&f, "G", "z", NULL, 0, 0, "k");
    fx_dep(&f, "H", "h", NULL, 0, 0, "k");
    fx_fallback(&f, "G", "H", NULL);
    f.cfg.routing_strategy = (char *)(uintptr_t) "simple-shuffle";
    struct router *r = router_new(&f.cfg);
    struct route_plan p;
    int firsts[4];
    for (int k = 0; k < 4; k++) {
        router_plan(r, "G", &p);
        assert_int_equal(p.n, 4);
        firsts[k] = p.dep[0];
        assert_int_equal(p.dep[1], (p.dep[0] + 1) % 3);
        assert_int_equal(p.dep[3], 3);
    }
    assert_int_equal(firsts[0], 0);
    assert_int_equal(firsts[1], 1);
    assert_int_equal(firsts[2], 2);
    assert_int_equal(firsts[3], 0);
    router_free(r);

    f.cfg.routing_strategy = (char *)(uintptr_t) "latency-based-routing";
    r = router_new(&f.cfg);
    for (int k = 0; k < 3; k++) {
        router_plan(r, "G", &p);
        assert_int_equal(p.dep[0], 0);
    }
    router_free(r);
}

static void cool_then_probe(struct router *r, const struct route_plan *p, int64_t *now)
{
    admit_ok(r, p, 0, 10, *now, false);
    struct attempt_outcome o = err_outcome(429, ERRC_RATE_LIMIT, false);
    o.rl.retry_after_s = 10;
    router_finish(r, 0, &o, *now);
    *now += 10000;
    admit_ok(r, p, 0, 10, *now, true);
}

static void test_router_probe_failure_new_cooldown(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[0].rpm = 0;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    int64_t now = T0;
    cool_then_probe(r, &p, &now);
    struct attempt_outcome o = err_outcome(503, ERRC_SERVER, true);
    assert_true(router_finish(r, 0, &o, now + 500) & ROUTER_EV_COOLDOWN_STARTED);
    int64_t until;
    assert_int_equal(status_of(r, 0, now + 500, &until), DEP_COOLDOWN);
    assert_int_equal(until, now + 500 + 60000);
    struct router_dep_view v;
    router_view(r, 0, now + 500, &v);
    assert_string_equal(v.reason, "probe failed (server error 503)");
    admit_ok(r, &p, 0, 10, now + 60500, true);
    /* a probe that hits a client error proved nothing: the next request probes again */
    o = err_outcome(400, ERRC_BAD_REQUEST, true);
    router_finish(r, 0, &o, now + 60600);
    admit_ok(r, &p, 0, 10, now + 60700, true);
    /* a probe that gets a 429 cools per its own headers */
    o = err_outcome(429, ERRC_RATE_LIMIT, true);
    o.rl.retry_after_s = 7;
    router_finish(r, 0, &o, now + 61000);
    assert_int_equal(status_of(r, 0, now + 61000, &until), DEP_COOLDOWN);
    assert_int_equal(until, now + 68000);
}

static void test_router_stuck_probe_expires(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->deps[0].rpm = 0;
    f->cfg.timeout_s = 120;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    int64_t now = T0;
    cool_then_probe(r, &p, &now);
    admit_skip(r, &p, 0, 10, now + 119999);
    assert_int_equal(status_of(r, 0, now + 119999, NULL), DEP_PROBING);
    /* the probe is as old as the request timeout: counted as failed, a new cooldown runs */
    admit_skip(r, &p, 0, 10, now + 120000);
    int64_t until;
    assert_int_equal(status_of(r, 0, now + 120000, &until), DEP_COOLDOWN);
    assert_int_equal(until, now + 120000 + 60000);
    admit_ok(r, &p, 0, 10, now + 180000, true);
}

static void test_router_earliest_ready(void **state)
{
    struct fixture *f = fx_two_groups(state);
    f->cfg.allowed_fails = 0;
    struct router *r = fx_router(state);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 10, T0, false);
    admit_ok(r, &p, 1, 10, T0, false);
    struct attempt_outcome o = err_outcome(429, ERRC_RATE_LIMIT, false);
    o.rl.retry_after_s = 23;
    router_finish(r, 0, &o, T0);
    o = err_outcome(503, ERRC_SERVER, false);
    router_finish(r, 1, &o, T0);
    assert_int_equal(router_earliest_ready(r, &p, T0 + 1), T0 + 23000);
    assert_true(router_plan_rate_limited(r, &p, T0 + 1));
    router_set_enabled(r, 0, false);
    assert_int_equal(router_earliest_ready(r, &p, T0 + 1), T0 + 60000);
    assert_false(router_plan_rate_limited(r, &p, T0 + 1));
}

static void test_router_inherit_on_reload(void **state)
{
    struct fixture f, g;
    two_groups(&f);
    struct router *old = router_new(&f.cfg);
    struct route_plan p;
    router_plan(old, "fast", &p);
    admit_ok(old, &p, 0, 10, T0, false);
    struct attempt_outcome o = err_outcome(429, ERRC_RATE_LIMIT, false);
    o.rl.retry_after_s = 30;
    router_finish(old, 0, &o, T0);
    router_set_enabled(old, 1, false);
    router_set_force_fallback(old, true);

    /* same deployments in a new order, plus one: state follows the id */
    fx_init(&g);
    fx_dep(&g, "zai", "zai", NULL, 0, 0, "k2");
    fx_dep(&g, "fast", "cerebras", NULL, 10, 0, "k1");
    fx_dep(&g, "fast", "other", NULL, 0, 0, "k3");
    struct router *r = router_new(&g.cfg);
    router_inherit(r, old);
    int64_t until;
    assert_int_equal(status_of(r, 1, T0 + 1, &until), DEP_COOLDOWN);
    assert_int_equal(until, T0 + 30000);
    assert_int_equal(status_of(r, 0, T0 + 1, NULL), DEP_DISABLED);
    assert_int_equal(status_of(r, 2, T0 + 1, NULL), DEP_READY);
    assert_true(router_force_fallback(r));
    router_free(r);

    /* a new key is a new provider account: the cooldown does not apply, the switch does */
    g.deps[1].api_key = (char *)(uintptr_t) "k1-new";
    g.deps[0].rpm = 5;
    r = router_new(&g.cfg);
    router_inherit(r, old);
    assert_int_equal(status_of(r, 1, T0 + 1, NULL), DEP_READY);
    assert_int_equal(status_of(r, 0, T0 + 1, NULL), DEP_DISABLED);
    router_free(r);
    router_free(old);
}

/* The router takes as many deployments as a config may hold (CONFIG_MAX_DEPLOYMENTS), every
 * one of them routable, and no more: one limit, the config's, not a number of its own. */
static void test_router_takes_the_config_limit_of_deployments(void **state)
{
    enum { N = CONFIG_MAX_DEPLOYMENTS + 1 };
    static char names[N][16];
    static struct deployment_cfg deps[N];
    struct config cfg = {.refs = 1, .deps = deps, .num_retries = 2, .allowed_fails = 3};
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "g%d", i);
        deps[i] = (struct deployment_cfg){
            .group = names[i], .name = names[i], .id = names[i], .dialect = API_OPENAI};
    }
    cfg.n_deps = CONFIG_MAX_DEPLOYMENTS;
    struct router *r = router_new(&cfg);
    assert_non_null(r);
    struct route_plan p;
    assert_int_equal(router_plan(r, names[CONFIG_MAX_DEPLOYMENTS - 1], &p), 0);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.dep[0], CONFIG_MAX_DEPLOYMENTS - 1);
    router_free(r);
    cfg.n_deps = N;
    assert_null(router_new(&cfg));
}

static void test_router_bad_arguments(void **state)
{
    struct fixture f;
    two_groups(&f);
    struct router *r = router_new(&f.cfg);
    struct route_plan p;
    router_plan(r, "fast", &p);
    bool probe = true;
    assert_int_equal(router_admit(r, &p, -1, 10, T0, &probe), ADMIT_SKIP_STATUS);
    assert_int_equal(router_admit(r, &p, p.n, 10, T0, &probe), ADMIT_SKIP_STATUS);
    assert_int_equal(router_admit(NULL, &p, 0, 10, T0, NULL), ADMIT_SKIP_STATUS);
    struct attempt_outcome o = ok_outcome(false);
    assert_int_equal(router_finish(r, 99, &o, T0), 0);
    assert_int_equal(router_finish(r, 0, NULL, T0), 0);
    struct router_dep_view v;
    router_view(r, 42, T0, &v);
    assert_int_equal(v.tpm_budget_left, -1);
    router_reset(r, -3);
    router_set_enabled(r, 7, false);
    assert_false(router_is_enabled(r, 7));
    assert_null(router_new(NULL));
    router_free(NULL);
    /* an unfinished admission leaves in_flight; finishing twice does not go negative */
    admit_ok(r, &p, 0, 10, T0, false);
    router_finish(r, 0, &o, T0);
    router_finish(r, 0, &o, T0);
    router_view(r, 0, T0, &v);
    assert_int_equal(v.in_flight, 0);
    router_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_router_429_retry_after_probe_ready, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_429_reset_headers_only, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_429_no_headers_uses_cooldown_time, fx_setup,
                                        fx_teardown),
        cmocka_unit_test(test_router_single_deployment_group_cools),
        cmocka_unit_test(test_router_allowed_fails),
        cmocka_unit_test_setup_teardown(test_router_no_penalty_classes, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_auth_failed_self_heals, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_quota_with_reset, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_quota_without_reset, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_force_fallback, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_disabled_and_no_key, fx_setup, fx_teardown),
        cmocka_unit_test(test_router_plan_order_fallbacks_and_star),
        cmocka_unit_test(test_router_plan_chain_capped),
        cmocka_unit_test(test_router_simple_shuffle_rotates),
        cmocka_unit_test_setup_teardown(test_router_probe_failure_new_cooldown, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_stuck_probe_expires, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_router_earliest_ready, fx_setup, fx_teardown),
        cmocka_unit_test(test_router_inherit_on_reload),
        cmocka_unit_test(test_router_bad_arguments),
        cmocka_unit_test(test_router_takes_the_config_limit_of_deployments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
