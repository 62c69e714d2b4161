/* Unit tests for the proactive_routing switch: reactive mode ignores budgets and headers but
 * keeps the configured rpm and cooldowns; and, against a simulated provider that keeps
 * continuously refilled buckets, books input + budget on arrival and reports its buckets in
 * headers the way Cerebras does, the router never sends a request the provider would refuse
 * while still filling most of its capacity. Time is a parameter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/tokbucket.h"
#include "fixture_router.h"

/* Cerebras-like headers as the mock sends them: what is left of the current window. */
static struct attempt_outcome answer(long tok_limit, long tok_left, int req_limit, int req_left,
                                     double reset_s)
{
    struct attempt_outcome o = ok_outcome(false);
    o.rl.limit_tokens_minute = (double)tok_limit;
    o.rl.remaining_tokens_minute = (double)tok_left;
    o.rl.reset_tokens_minute_s = reset_s;
    o.rl.limit_requests_minute = req_limit;
    o.rl.remaining_requests_minute = req_left;
    o.rl.reset_requests_minute_s = reset_s;
    o.rl.limit_requests_day = 14400;
    o.rl.remaining_requests_day = 10000;
    o.rl.reset_requests_day_s = 30000;
    return o;
}

static void test_reactive_ignores_budgets_and_headers(void **state)
{
    struct fixture f;
    two_groups(&f);
    f.cfg.proactive_routing = false;
    f.deps[0].rpm = 3;
    f.deps[0].tpm = 50000;
    struct router *r = router_new(&f.cfg);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 40000, T0, false);
    struct attempt_outcome o = answer(50000, 0, 3, 0, 50);
    o.rl.remaining_requests_day = 0;
    router_finish(r, 0, &o, T0 + 100);
    /* over the local tpm, no tokens and no requests left per the headers, day used up */
    admit_ok(r, &p, 0, 40000, T0 + 200, false);
    int64_t until;
    assert_int_equal(status_of(r, 0, T0 + 200, &until), DEP_READY);
    assert_false(router_plan_rate_limited(r, &p, T0 + 200));
    /* the configured rpm still holds, as in LiteLLM (a bucket: one more every 20 s) */
    admit_ok(r, &p, 0, 40000, T0 + 300, false);
    admit_skip(r, &p, 0, 10, T0 + 400);
    assert_int_equal(status_of(r, 0, T0 + 400, &until), DEP_RPM_FULL);
    assert_int_equal(until, T0 + 20000);
    router_free(r);
}

static void test_reactive_still_cools_down_and_probes(void **state)
{
    struct fixture f;
    two_groups(&f);
    f.cfg.proactive_routing = false;
    f.deps[0].rpm = 0;
    struct router *r = router_new(&f.cfg);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 10, T0, false);
    struct attempt_outcome o = err_outcome(429, ERRC_RATE_LIMIT, false);
    o.rl.retry_after_s = 2;
    router_finish(r, 0, &o, T0 + 10);
    admit_skip(r, &p, 0, 10, T0 + 2009);
    assert_int_equal(status_of(r, 0, T0 + 2009, NULL), DEP_COOLDOWN);
    admit_ok(r, &p, 0, 10, T0 + 2010, true);
    admit_skip(r, &p, 0, 10, T0 + 2011); /* one probe at a time */
    assert_int_equal(status_of(r, 0, T0 + 2011, NULL), DEP_PROBING);
    struct attempt_outcome ok = ok_outcome(true);
    router_finish(r, 0, &ok, T0 + 2500);
    admit_ok(r, &p, 0, 10, T0 + 2501, false);
    admit_ok(r, &p, 0, 10, T0 + 2502, false);
    router_free(r);
}

static void test_proactive_default_skips_on_headers(void **state)
{
    struct fixture f;
    two_groups(&f);
    f.deps[0].rpm = 0;
    struct router *r = router_new(&f.cfg);
    struct route_plan p;
    router_plan(r, "fast", &p);
    admit_ok(r, &p, 0, 1000, T0, false);
    struct attempt_outcome o = answer(50000, 0, 3, 0, 50);
    o.rl.remaining_requests_day = 500;
    router_finish(r, 0, &o, T0 + 100);
    admit_skip(r, &p, 0, 1000, T0 + 200);
    assert_true(router_plan_rate_limited(r, &p, T0 + 200));
    router_free(r);
}

/* ---- a simulated provider: continuous buckets of 10 requests and 150K tokens a minute,
 * booking input + max_tokens at arrival, headers computed after booking (like the mock and
 * Cerebras's documented headers) ---- */

#define SIM_LIMIT_TOK 150000
#define SIM_LIMIT_REQ 10
#define SIM_PENDING   64

struct sim_req {
    int64_t hdr_at; /* when the provider writes the answer's headers (its first byte) */
    int64_t end_at; /* when the answer ends and the router hears of it */
    bool ok, probe, hdr_done;
    long booked;
    struct attempt_outcome o;
};

struct sim {
    struct tokbucket req, tok;
    long refused, served;
    struct sim_req pending[SIM_PENDING];
    int n_pending;
};

static void sim_init(struct sim *s)
{
    memset(s, 0, sizeof *s);
    tb_init(&s->req, SIM_LIMIT_REQ, TB_MINUTE_MS, 0);
    tb_init(&s->tok, SIM_LIMIT_TOK, TB_MINUTE_MS, 0);
}

static bool sim_book(struct sim *s, int64_t now, long need)
{
    if (!tb_fits(&s->req, now, 1) || !tb_fits(&s->tok, now, (double)need))
        return false;
    tb_take(&s->req, now, 1);
    tb_take(&s->tok, now, (double)need);
    return true;
}

static struct attempt_outcome sim_headers(const struct sim *s, int64_t now, bool ok)
{
    struct attempt_outcome o = ok_outcome(false);
    o.rl.limit_tokens_minute = SIM_LIMIT_TOK;
    o.rl.remaining_tokens_minute = (double)(long)tb_level(&s->tok, now);
    o.rl.reset_tokens_minute_s = tb_reset_s(&s->tok, now);
    o.rl.limit_requests_minute = SIM_LIMIT_REQ;
    o.rl.remaining_requests_minute = (double)(long)tb_level(&s->req, now);
    o.rl.reset_requests_minute_s = tb_reset_s(&s->req, now);
    if (!ok) {
        o.ok = false;
        o.status = 429;
        o.err.cls = ERRC_RATE_LIMIT;
    }
    return o;
}

/* Headers are written as the provider stands then; the router hears of them when the answer
 * ends, dated when they were written (as state_attempt_end dates them). */
static void sim_step(struct sim *s, struct router *r, int64_t now)
{
    for (int k = 0; k < s->n_pending; k++) {
        struct sim_req *q = &s->pending[k];
        if (!q->hdr_done && q->hdr_at <= now) {
            q->o = sim_headers(s, q->hdr_at, q->ok);
            q->o.was_probe = q->probe;
            q->o.booked = q->booked;
            q->hdr_done = true;
        }
    }
    for (int k = 0; k < s->n_pending;) {
        if (s->pending[k].end_at > now) {
            k++;
            continue;
        }
        router_finish(r, 0, &s->pending[k].o, s->pending[k].hdr_at);
        s->pending[k] = s->pending[--s->n_pending];
    }
}

/* Deterministic pseudo-random numbers (an LCG), so the run is the same every time. */
static unsigned lcg(unsigned *x)
{
    *x = *x * 1103515245u + 12345u;
    return (*x >> 16) & 0x7fff;
}

/* Drives 5 minutes of Claude-Code-like traffic: 0-3 requests every half second, 13-21K tokens
 * each; headers 100 ms after arrival, answers ending 0.3-2.5 s after it. */
static void run_sim(struct router *r, const struct route_plan *p, struct sim *s)
{
    unsigned seed = 42;
    for (int64_t t = T0; t < T0 + 300000; t += 500) {
        sim_step(s, r, t);
        int n = (int)(lcg(&seed) % 4);
        for (int k = 0; k < n && s->n_pending < SIM_PENDING; k++) {
            long need = 13000 + (long)(lcg(&seed) % 8000);
            bool probe;
            if (router_admit(r, p, 0, need, t, &probe) != ADMIT_OK)
                continue;
            bool ok = sim_book(s, t, need);
            s->refused += !ok;
            s->served += ok;
            struct sim_req *q = &s->pending[s->n_pending++];
            *q = (struct sim_req){
                .hdr_at = t + (ok ? 100 : 5), .ok = ok, .probe = probe, .booked = need};
            q->end_at = ok ? t + 300 + (int64_t)(lcg(&seed) % 2200) : q->hdr_at;
        }
    }
}

static void test_simulated_provider_never_refuses(void **state)
{
    /* headers only: no rpm or tpm in the config */
    struct fixture f;
    two_groups(&f);
    f.deps[0].rpm = 0;
    struct router *r = router_new(&f.cfg);
    struct route_plan p;
    router_plan(r, "fast", &p);
    struct sim s;
    sim_init(&s);
    run_sim(r, &p, &s);
    assert_int_equal(s.refused, 0);
    /* 5 minutes of 150K tokens hold about 8.8 requests of 17K a minute: most of it is used */
    assert_true(s.served >= 30);
    router_free(r);
}

static void test_simulated_provider_reactive_gets_refused(void **state)
{
    struct fixture f;
    two_groups(&f);
    f.cfg.proactive_routing = false;
    f.deps[0].rpm = 0;
    struct router *r = router_new(&f.cfg);
    struct route_plan p;
    router_plan(r, "fast", &p);
    struct sim s;
    sim_init(&s);
    run_sim(r, &p, &s);
    assert_true(s.refused > 0); /* the same traffic without the budget meets 429s */
    router_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reactive_ignores_budgets_and_headers),
        cmocka_unit_test(test_reactive_still_cools_down_and_probes),
        cmocka_unit_test(test_proactive_default_skips_on_headers),
        cmocka_unit_test(test_simulated_provider_never_refuses),
        cmocka_unit_test(test_simulated_provider_reactive_gets_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
