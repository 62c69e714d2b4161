/* Unit tests for state: snapshots, the request log ring, commands, reload, statistics, and
 * consistency under concurrent updates. The clock is injected. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_config.h"
#include "route/state.h"

#define T0 1000000

static _Atomic int64_t fake_now = T0;

static int64_t now_fn(void)
{
    return atomic_load(&fake_now);
}

static void set_now(int64_t t)
{
    atomic_store(&fake_now, t);
}

/* "cerebras" twice (one name, two groups, ids by group) and "zai". */
static void three_deps(struct fixture *f)
{
    fx_init(f);
    fx_dep(f, "fast", "cerebras", "cerebras/fast", 10, 0, "k1");
    fx_dep(f, "slow", "cerebras", "cerebras/slow", 0, 0, "k1");
    fx_dep(f, "zai", "zai", NULL, 0, 0, "k2");
    fx_fallback(f, "fast", "zai", NULL);
}

static struct snapshot *snap(struct state *st)
{
    struct snapshot *s = malloc(sizeof *s);
    assert_non_null(s);
    state_snapshot(st, s);
    return s;
}

static struct attempt_outcome outcome(bool ok, int status, enum err_class cls)
{
    struct attempt_outcome o = {.ok = ok, .status = status};
    ratelimit_init(&o.rl);
    o.err.cls = cls;
    o.err.status = status;
    return o;
}

/* One admitted attempt on plan candidate i, ended with o. */
static unsigned attempt(struct state *st, const struct route_plan *p, int i,
                        const struct attempt_outcome *o, double lat, double ttft)
{
    bool probe = false;
    assert_int_equal(state_admit(st, p, i, 100, &probe), ADMIT_OK);
    struct attempt_outcome copy = *o;
    copy.was_probe = probe;
    return state_attempt_end(st, p->dep[i], &copy, lat, ttft);
}

static void test_state_snapshot_fields(void **state)
{
    struct fixture f;
    three_deps(&f);
    f.deps[2].api_key = NULL;
    set_now(T0);
    struct state *st = state_new(&f.cfg, now_fn);
    assert_non_null(st);
    assert_int_equal(f.cfg.refs, 2);
    assert_int_equal(state_now_ms(st), T0);
    set_now(T0 + 5000);
    struct snapshot *s = snap(st);
    assert_int_equal(s->now_ms, T0 + 5000);
    assert_int_equal(s->started_ms, T0);
    assert_true(s->wall_ms > 1600000000000LL);
    assert_int_equal(s->n_deps, 3);
    assert_string_equal(s->deps[0].id, "cerebras/fast");
    assert_string_equal(s->deps[0].name, "cerebras");
    assert_string_equal(s->deps[0].group, "fast");
    assert_string_equal(s->deps[0].model, "model-x");
    assert_string_equal(s->deps[0].api_base, "https://api.example.test/v1");
    assert_true(s->deps[0].is_primary);
    assert_false(s->deps[1].is_primary);
    assert_false(s->deps[2].is_primary);
    assert_true(s->deps[0].enabled);
    assert_int_equal(s->deps[0].rpm_limit, 10);
    assert_int_equal(s->deps[0].view.status, DEP_READY);
    assert_int_equal(s->deps[2].view.status, DEP_NO_KEY);
    assert_string_equal(s->deps[2].key_env, "EXAMPLE_API_KEY");
    assert_int_equal(s->n_log, 0);
    assert_false(s->force_fallback);
    free(s);
    state_set_force_fallback(st, true);
    assert_true(state_force_fallback(st));
    s = snap(st);
    assert_true(s->force_fallback);
    free(s);
    state_free(st);
    assert_int_equal(f.cfg.refs, 1);
}

/* Notices: counted, the newest kept, a long one cut before a character, never inside it. */
static void test_state_notice(void **state)
{
    (void)state;
    struct fixture f;
    three_deps(&f);
    struct state *st = state_new(&f.cfg, now_fn);
    struct snapshot *s = snap(st);
    assert_int_equal(s->notice_seq, 0);
    assert_string_equal(s->notice, "");
    free(s);
    state_notice(st, "one");
    state_notice(st, "two");
    s = snap(st);
    assert_int_equal(s->notice_seq, 2);
    assert_string_equal(s->notice, "two");
    free(s);
    char long_msg[SNAP_NOTICE + 8];
    memset(long_msg, 'a', SNAP_NOTICE - 2);
    memcpy(long_msg + SNAP_NOTICE - 2, "\xc3\xa9tail", 7); /* é across the limit */
    state_notice(st, long_msg);
    s = snap(st);
    assert_int_equal(strlen(s->notice), SNAP_NOTICE - 2);
    assert_int_equal(s->notice[SNAP_NOTICE - 3], 'a');
    free(s);
    state_free(st);
}

static void test_state_cooldown_in_snapshot(void **state)
{
    struct fixture f;
    three_deps(&f);
    set_now(T0);
    struct state *st = state_new(&f.cfg, now_fn);
    struct route_plan p;
    assert_int_equal(state_plan(st, "fast", &p), 0);
    assert_int_equal(state_plan(st, "missing", &p), -ENOENT);
    assert_int_equal(state_plan(st, "fast", &p), 0);
    struct attempt_outcome o = outcome(false, 429, ERRC_RATE_LIMIT);
    o.rl.retry_after_s = 23;
    assert_true(attempt(st, &p, 0, &o, 50, -1) & ROUTER_EV_COOLDOWN_STARTED);
    set_now(T0 + 3000);
    struct snapshot *s = snap(st);
    assert_int_equal(s->deps[0].view.status, DEP_COOLDOWN);
    assert_int_equal(s->deps[0].remaining_ms, 20000);
    assert_string_equal(s->deps[0].view.reason, "429 from provider, retry-after 23s");
    assert_int_equal(s->deps[0].n_429, 1);
    assert_int_equal(s->deps[0].n_total, 1);
    assert_int_equal(s->deps[0].rpm_now, 1);
    free(s);
    bool rl = false;
    assert_int_equal(state_retry_at(st, &p, &rl), T0 + 23000);
    assert_true(rl);
    state_free(st);
}

static void test_state_log_ring_order_and_wrap(void **state)
{
    struct fixture f;
    three_deps(&f);
    struct state *st = state_new(&f.cfg, now_fn);
    for (int k = 0; k < SNAP_LOG + 50; k++) {
        uint64_t id = state_request_begin(st);
        assert_int_equal(id, (uint64_t)k + 1);
        struct request_rec rec;
        memset(&rec, 'x', sizeof rec); /* strings not terminated: state must cope */
        rec.client_api = API_OPENAI;
        rec.stream = false;
        rec.id = id;
        rec.status = 200;
        rec.n_attempts = 99;
        state_request_end(st, &rec);
    }
    struct snapshot *s = snap(st);
    assert_int_equal(s->n_log, SNAP_LOG);
    assert_int_equal(s->seq, SNAP_LOG + 50);
    assert_int_equal(s->total_requests, SNAP_LOG + 50);
    assert_int_equal(s->in_flight, 0);
    for (int k = 0; k < SNAP_LOG; k++)
        assert_int_equal(s->log[k].id, (uint64_t)(SNAP_LOG + 50 - k)); /* newest first */
    assert_int_equal(strlen(s->log[0].model), sizeof s->log[0].model - 1);
    assert_int_equal(s->log[0].n_attempts, REC_MAX_ATTEMPTS);
    free(s);

    state_free(st);
    st = state_new(&f.cfg, now_fn);
    for (int k = 0; k < 3; k++) {
        struct request_rec rec = {.id = state_request_begin(st)};
        snprintf(rec.model, sizeof rec.model, "m%d", k);
        state_request_end(st, &rec);
    }
    s = snap(st);
    assert_int_equal(s->n_log, 3);
    assert_string_equal(s->log[0].model, "m2");
    assert_string_equal(s->log[2].model, "m0");
    free(s);
    state_free(st);
}

static void test_state_client_rpm(void **state)
{
    struct fixture f;
    three_deps(&f);
    set_now(T0);
    struct state *st = state_new(&f.cfg, now_fn);
    for (int k = 0; k < 5; k++)
        state_request_begin(st);
    set_now(T0 + 30000);
    state_request_begin(st);
    struct snapshot *s = snap(st);
    assert_float_equal(s->rpm_total, 6, 1e-9);
    assert_int_equal(s->in_flight, 6);
    free(s);
    set_now(T0 + 60000);
    s = snap(st);
    assert_float_equal(s->rpm_total, 1, 1e-9);
    free(s);
    state_free(st);
}

static void test_state_commands_by_id_and_name(void **state)
{
    struct fixture f;
    three_deps(&f);
    set_now(T0);
    struct state *st = state_new(&f.cfg, now_fn);
    assert_int_equal(state_set_enabled(st, "cerebras/fast", false), 0);
    struct snapshot *s = snap(st);
    assert_false(s->deps[0].enabled);
    assert_true(s->deps[1].enabled);
    free(s);
    assert_int_equal(state_set_enabled(st, "cerebras", false), 0);
    s = snap(st);
    assert_false(s->deps[0].enabled);
    assert_false(s->deps[1].enabled);
    assert_true(s->deps[2].enabled);
    free(s);
    /* a name toggles its deployments together */
    assert_int_equal(state_set_enabled(st, "cerebras/slow", true), 0);
    assert_int_equal(state_toggle_enabled(st, "cerebras"), 0);
    s = snap(st);
    assert_false(s->deps[0].enabled);
    assert_false(s->deps[1].enabled);
    free(s);
    assert_int_equal(state_toggle_enabled(st, "cerebras"), 0);
    s = snap(st);
    assert_true(s->deps[0].enabled);
    assert_true(s->deps[1].enabled);
    assert_int_equal(s->deps[0].view.status, DEP_READY);
    free(s);
    assert_int_equal(state_toggle_enabled(st, "zai"), 0);
    s = snap(st);
    assert_int_equal(s->deps[2].view.status, DEP_DISABLED);
    assert_string_equal(s->deps[2].view.reason, "disabled by user");
    free(s);
    assert_int_equal(state_set_enabled(st, "nope", true), -ENOENT);
    assert_int_equal(state_toggle_enabled(st, "CEREBRAS"), -ENOENT);
    assert_int_equal(state_reset(st, "nope"), -ENOENT);
    assert_int_equal(state_reset(st, NULL), -ENOENT);

    /* reset by name clears a cooldown */
    struct route_plan p;
    state_plan(st, "fast", &p);
    struct attempt_outcome o = outcome(false, 429, ERRC_RATE_LIMIT);
    attempt(st, &p, 0, &o, 10, -1);
    s = snap(st);
    assert_int_equal(s->deps[0].view.status, DEP_COOLDOWN);
    free(s);
    assert_int_equal(state_reset(st, "cerebras"), 0);
    s = snap(st);
    assert_int_equal(s->deps[0].view.status, DEP_READY);
    free(s);
    state_free(st);
}

static void test_state_stats(void **state)
{
    struct fixture f;
    three_deps(&f);
    f.deps[0].rpm = 0;
    set_now(T0);
    struct state *st = state_new(&f.cfg, now_fn);
    struct route_plan p;
    state_plan(st, "fast", &p);
    struct attempt_outcome ok = outcome(true, 200, ERRC_NONE);
    ok.tokens_in = 10;
    ok.tokens_out = 100;
    for (int k = 1; k <= 100; k++)
        attempt(st, &p, 0, &ok, k, k * 0.5);
    struct attempt_outcome short_ok = outcome(true, 200, ERRC_NONE);
    short_ok.tokens_out = 5; /* too short to measure speed */
    set_now(T0 - 20000);
    attempt(st, &p, 0, &short_ok, 1000, 10);
    struct attempt_outcome e = outcome(false, 503, ERRC_SERVER);
    attempt(st, &p, 0, &e, 5, -1);
    struct attempt_outcome gone = outcome(false, 0, ERRC_CLIENT_GONE);
    attempt(st, &p, 0, &gone, 5, -1);
    set_now(T0);
    struct snapshot *s = snap(st);
    struct dep_snapshot *d = &s->deps[0];
    assert_int_equal(d->n_total, 103);
    assert_int_equal(d->n_ok, 101);
    assert_int_equal(d->n_err, 1);
    assert_int_equal(d->n_429, 0);
    assert_int_equal(d->tokens_in, 1000);
    assert_int_equal(d->tokens_out, 10005);
    /* nearest rank over 1..100 plus 1000 */
    assert_float_equal(d->lat_p50_ms, 51, 1e-6);
    assert_float_equal(d->lat_p95_ms, 96, 1e-6);
    assert_float_equal(d->ttft_p50_ms, 25, 1e-6);
    assert_float_equal(d->ttft_p95_ms, 47.5, 1e-6);
    /* the last 32 measured answers: 100 tokens each over (k - k/2) ms */
    double tok = 0, secs = 0;
    for (int k = 69; k <= 100; k++) {
        tok += 100;
        secs += (k - k * 0.5) / 1000.0;
    }
    assert_float_equal(d->tok_per_s, tok / secs, tok / secs * 1e-5);
    /* T0 is in bucket 50, T0 - 20000 in bucket 49 */
    assert_int_equal(d->spark[SNAP_SPARK - 1], 100);
    assert_int_equal(d->spark[SNAP_SPARK - 2], 3);
    assert_int_equal(d->spark[0], 0);
    free(s);
    set_now(T0 + SNAP_SPARK * SNAP_SPARK_SECS * 1000);
    s = snap(st);
    for (int k = 0; k < SNAP_SPARK; k++)
        assert_int_equal(s->deps[0].spark[k], 0);
    assert_int_equal(s->deps[0].n_total, 103);
    free(s);
    state_free(st);
}

static void test_state_swap_config(void **state)
{
    struct fixture f, g;
    three_deps(&f);
    set_now(T0);
    struct state *st = state_new(&f.cfg, now_fn);
    struct route_plan old_plan;
    state_plan(st, "fast", &old_plan);
    struct attempt_outcome o = outcome(false, 429, ERRC_RATE_LIMIT);
    o.rl.retry_after_s = 30;
    attempt(st, &old_plan, 0, &o, 10, -1);
    struct config *held = state_config(st);
    assert_ptr_equal(held, &f.cfg);
    assert_int_equal(f.cfg.refs, 3);
    config_free(held);

    fx_init(&g);
    fx_dep(&g, "zai", "zai", NULL, 0, 0, "k2");
    fx_dep(&g, "fast", "cerebras", "cerebras/fast", 10, 0, "k1");
    state_swap_config(st, &g.cfg);
    assert_int_equal(f.cfg.refs, 1);
    assert_int_equal(g.cfg.refs, 2);
    struct snapshot *s = snap(st);
    assert_int_equal(s->n_deps, 2);
    assert_string_equal(s->deps[1].id, "cerebras/fast");
    assert_int_equal(s->deps[1].view.status, DEP_COOLDOWN);
    assert_int_equal(s->deps[1].n_429, 1);
    assert_int_equal(s->deps[0].n_total, 0);
    free(s);
    /* a plan made against the old config is not admitted against the new one */
    bool probe;
    assert_int_equal(state_admit(st, &old_plan, 1, 10, &probe), ADMIT_SKIP_STATUS);
    bool rl = true;
    assert_int_equal(state_retry_at(st, &old_plan, &rl), 0);
    assert_false(rl);
    /* Views by index: through the old config's indices they would describe the wrong
     * deployment (index 0 was "fast", is now "zai"), so they are refused. */
    struct router_dep_view v;
    int64_t now = 0;
    assert_false(state_dep_view(st, &f.cfg, 0, &v, &now));
    assert_int_equal(v.status, 0);
    assert_int_equal(now, T0);
    assert_true(state_dep_view(st, &g.cfg, 1, &v, NULL));
    assert_int_equal(v.status, DEP_COOLDOWN);
    assert_int_equal(v.until_ms, T0 + 30000);
    struct route_plan p;
    assert_int_equal(state_plan(st, "zai", &p), 0);
    assert_ptr_equal(p.cfg, &g.cfg);
    assert_int_equal(state_admit(st, &p, 0, 10, &probe), ADMIT_OK);
    state_free(st);
    assert_int_equal(g.cfg.refs, 1);
}

/* ---- concurrency: 4 workers update while the main thread takes snapshots ---- */

#define WORKERS 4
#define ITERS   2000

struct worker {
    struct state *st;
    int n;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (int k = 0; k < ITERS; k++) {
        struct request_rec rec = {.id = state_request_begin(w->st), .status = 200};
        struct route_plan p;
        if (state_plan(w->st, (k & 1) ? "slow" : "zai", &p) != 0)
            continue;
        bool probe = false;
        if (state_admit(w->st, &p, 0, 50, &probe) == ADMIT_OK) {
            /* failures of a class without penalty, so both stay admissible */
            struct attempt_outcome o = outcome(k % 7 != 0, k % 7 ? 200 : 400, ERRC_CONTEXT);
            o.was_probe = probe;
            o.tokens_out = 20;
            state_attempt_end(w->st, p.dep[0], &o, 10 + k % 50, 2);
        }
        if (k % 97 == 0)
            state_reset(w->st, "zai");
        snprintf(rec.model, sizeof rec.model, "w%d", w->n);
        state_request_end(w->st, &rec);
        if (k % 500 == 0)
            set_now(T0 + k);
    }
    return NULL;
}

static void check_consistent(const struct snapshot *s)
{
    uint64_t attempts = 0, ok = 0, bad = 0;
    for (int i = 0; i < s->n_deps; i++) {
        attempts += s->deps[i].n_total;
        ok += s->deps[i].n_ok;
        bad += s->deps[i].n_err + s->deps[i].n_429;
        assert_true(s->deps[i].lat_p50_ms <= s->deps[i].lat_p95_ms);
    }
    assert_int_equal(attempts, ok + bad);
    /* every finished request ended its attempt first; no attempt without a request */
    assert_true(attempts <= s->total_requests);
    assert_true(s->in_flight >= 0 && (uint64_t)s->in_flight <= s->total_requests);
    for (int k = 1; k < s->n_log; k++)
        assert_true(s->log[k].model[0] == 'w');
}

static void test_state_concurrent_snapshots(void **state)
{
    struct fixture f;
    fx_init(&f);
    fx_dep(&f, "slow", "cerebras", NULL, 0, 0, "k1");
    fx_dep(&f, "zai", "zai", NULL, 0, 0, "k2");
    set_now(T0);
    struct state *st = state_new(&f.cfg, now_fn);
    pthread_t th[WORKERS];
    struct worker w[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        w[i] = (struct worker){.st = st, .n = i};
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    struct snapshot *s = malloc(sizeof *s);
    assert_non_null(s);
    uint64_t last_total = 0;
    for (int k = 0; k < 200; k++) {
        state_snapshot(st, s);
        check_consistent(s);
        assert_true(s->total_requests >= last_total);
        last_total = s->total_requests;
        state_toggle_enabled(st, "nobody");
    }
    for (int i = 0; i < WORKERS; i++)
        pthread_join(th[i], NULL);
    state_snapshot(st, s);
    check_consistent(s);
    assert_int_equal(s->total_requests, WORKERS * ITERS);
    assert_int_equal(s->in_flight, 0);
    assert_int_equal(s->deps[0].n_total + s->deps[1].n_total, WORKERS * ITERS);
    assert_int_equal(s->n_log, SNAP_LOG);
    free(s);
    state_free(st);
}

/* Workers follow the reload protocol (hold a config, plan again when the plan is newer)
 * while the main thread swaps between two equal configs. */
static void *reload_worker(void *arg)
{
    struct worker *w = arg;
    for (int k = 0; k < ITERS / 4; k++) {
        struct request_rec rec = {.id = state_request_begin(w->st)};
        struct config *cfg = state_config(w->st);
        struct route_plan p;
        if (state_plan(w->st, "zai", &p) == 0 && p.cfg == cfg) {
            bool probe = false;
            if (state_admit(w->st, &p, 0, 50, &probe) == ADMIT_OK) {
                struct attempt_outcome o = outcome(true, 200, ERRC_NONE);
                o.was_probe = probe;
                state_attempt_end(w->st, p.dep[0], &o, 5, 1);
            }
        }
        config_free(cfg);
        snprintf(rec.model, sizeof rec.model, "w%d", w->n);
        state_request_end(w->st, &rec);
    }
    return NULL;
}

static void test_state_concurrent_reload(void **state)
{
    struct fixture f, g;
    fx_init(&f);
    fx_dep(&f, "slow", "cerebras", NULL, 0, 0, "k1");
    fx_dep(&f, "zai", "zai", NULL, 0, 0, "k2");
    g = f;
    g.cfg.deps = g.deps;
    g.cfg.fallbacks = g.fb;
    set_now(T0);
    struct state *st = state_new(&f.cfg, now_fn);
    pthread_t th[WORKERS];
    struct worker w[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        w[i] = (struct worker){.st = st, .n = i};
        assert_int_equal(pthread_create(&th[i], NULL, reload_worker, &w[i]), 0);
    }
    struct snapshot *s = malloc(sizeof *s);
    assert_non_null(s);
    for (int k = 0; k < 100; k++) {
        state_swap_config(st, (k & 1) ? &f.cfg : &g.cfg);
        state_snapshot(st, s);
        check_consistent(s);
    }
    for (int i = 0; i < WORKERS; i++)
        pthread_join(th[i], NULL);
    state_snapshot(st, s);
    assert_int_equal(s->total_requests, WORKERS * (ITERS / 4));
    assert_int_equal(s->in_flight, 0);
    assert_int_equal(s->deps[1].view.in_flight, 0);
    free(s);
    state_free(st);
    assert_int_equal(f.cfg.refs, 1);
    assert_int_equal(g.cfg.refs, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_snapshot_fields),
        cmocka_unit_test(test_state_cooldown_in_snapshot),
        cmocka_unit_test(test_state_log_ring_order_and_wrap),
        cmocka_unit_test(test_state_client_rpm),
        cmocka_unit_test(test_state_commands_by_id_and_name),
        cmocka_unit_test(test_state_stats),
        cmocka_unit_test(test_state_notice),
        cmocka_unit_test(test_state_swap_config),
        cmocka_unit_test(test_state_concurrent_snapshots),
        cmocka_unit_test(test_state_concurrent_reload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
