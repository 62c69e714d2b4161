/* Two routers (two instances) sharing one store, with the router's real admission and
 * outcome code and an in-memory store that keeps the store contract (route/store.h): together
 * they admit no more than the provider's minute allows, a cooldown one learns keeps the other
 * out at its next admission, only one of them probes after it, a model one is told does not
 * exist is MODEL GONE for the other too (until a reset), a shared refusal undoes the local
 * booking, and a store that is down leaves each to its local accounting. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "core/tokbucket.h"
#include "fixture_router.h"
#include "route/store.h"

/* ---- an in-memory store: one instance of "Redis" for the routers of a test ---- */

struct fake {
    const struct config *cfg;
    int64_t now;
    bool down;
    int calls;
    struct tokbucket b[FX_MAX_DEPS][RL_NKINDS][RL_NWINDOWS];
    struct store_mark mark[FX_MAX_DEPS];
    int64_t cd_until[FX_MAX_DEPS], q_until[FX_MAX_DEPS];
    bool probe_held[FX_MAX_DEPS];
    int leases[FX_MAX_DEPS]; /* concurrency leases held by every instance */
    uint64_t seq;
};

static int dep_of(struct fake *f, const struct deployment_cfg *d)
{
    return (int)(d - f->cfg->deps);
}

static enum store_rc fk_buckets(void *ctx, const struct deployment_cfg *dep, struct store_op *op)
{
    struct fake *f = ctx;
    int i = dep_of(f, dep);
    f->calls++;
    if (f->down)
        return STORE_DOWN;
    if (op->check && f->mark[i].seq && f->mark[i].seq != op->known_seq) {
        op->mark = f->mark[i];
        op->mark.cd_left_ms = f->cd_until[i] > f->now ? f->cd_until[i] - f->now : 0;
        op->mark.quota_left_ms = f->q_until[i] > f->now ? f->q_until[i] - f->now : 0;
        return STORE_MARK;
    }
    bool full = false;
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++) {
            struct store_bucket *sb = &op->b[k][w];
            struct tokbucket *b = &f->b[i][k][w];
            if (!(sb->limit > 0))
                continue;
            if (!tb_present(b))
                tb_init(b, sb->limit, sb->window_ms, f->now);
            else if (b->limit != sb->limit)
                tb_set_limit(b, f->now, sb->limit);
            if (op->check && sb->take > 0 && !tb_fits(b, f->now, sb->take))
                full = true;
            sb->level = tb_level(b, f->now);
        }
    if (full)
        return STORE_FULL;
    if (op->check && op->conc_cap > 0 && f->leases[i] >= op->conc_cap)
        return STORE_BUSY;
    if (op->release && f->leases[i] > 0)
        f->leases[i]--;
    if (op->check && op->probe) {
        if (f->probe_held[i])
            return STORE_PROBE_ELSEWHERE;
        f->probe_held[i] = true;
    }
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++) {
            struct store_bucket *sb = &op->b[k][w];
            struct tokbucket *b = &f->b[i][k][w];
            if (!(sb->limit > 0))
                continue;
            if (sb->take > 0)
                tb_take(b, f->now, sb->take);
            else
                tb_give(b, f->now, -sb->take);
            if (!isnan(sb->cap) && tb_level(b, f->now) > sb->cap)
                tb_set(b, f->now, sb->cap);
            sb->level = tb_level(b, f->now);
        }
    if (op->check && op->conc_cap > 0)
        f->leases[i]++;
    return STORE_OK;
}

static enum store_rc fk_mark(void *ctx, const struct deployment_cfg *dep, struct store_mark *m)
{
    struct fake *f = ctx;
    int i = dep_of(f, dep);
    f->calls++;
    if (f->down)
        return STORE_DOWN;
    m->seq = ++f->seq;
    snprintf(m->by, sizeof m->by, "peer:%d",
             f->seq % 2 ? 1 : 2); /* the store names the publisher */
    f->mark[i] = *m;
    f->cd_until[i] = f->now + m->cd_left_ms;
    f->q_until[i] = f->now + m->quota_left_ms;
    f->probe_held[i] = false;
    return STORE_OK;
}

static const struct store_ops fake_ops = {.buckets = fk_buckets, .mark = fk_mark};

/* ---- two instances over the two-group config (cerebras rpm 10, falling back to zai) ---- */

struct pair {
    struct fixture fx;
    struct fake store;
    struct router *a, *b;
    struct route_plan pa, pb;
};

static struct pair *pair_new(void)
{
    struct pair *p = calloc(1, sizeof *p);
    assert_non_null(p);
    two_groups(&p->fx);
    p->store.cfg = &p->fx.cfg;
    p->store.now = T0;
    p->a = router_new(&p->fx.cfg);
    p->b = router_new(&p->fx.cfg);
    assert_non_null(p->a);
    assert_non_null(p->b);
    router_set_store(p->a, &fake_ops, &p->store);
    router_set_store(p->b, &fake_ops, &p->store);
    assert_int_equal(router_plan(p->a, "fast", &p->pa), 0);
    assert_int_equal(router_plan(p->b, "fast", &p->pb), 0);
    return p;
}

static void pair_free(struct pair *p)
{
    router_free(p->a);
    router_free(p->b);
    free(p);
}

static void at(struct pair *p, int64_t t)
{
    p->store.now = t;
}

static void test_two_instances_admit_one_minute_together(void **st)
{
    (void)st;
    struct pair *p = pair_new();
    int admitted = 0;
    for (int i = 0; i < 12; i++) {
        struct router *r = i % 2 ? p->b : p->a;
        struct route_plan *pl = i % 2 ? &p->pb : &p->pa;
        bool probe;
        admitted += router_admit(r, pl, 0, 10, T0, &probe) == ADMIT_OK;
    }
    assert_int_equal(admitted, 10);
    /* the refused ones were undone locally: in flight counts only what was admitted */
    struct router_dep_view va, vb;
    router_view(p->a, 0, T0, &va);
    router_view(p->b, 0, T0, &vb);
    assert_int_equal(va.in_flight + vb.in_flight, 10);
    assert_int_equal(va.status, DEP_RPM_FULL); /* each shows the shared bucket's state */
    assert_int_equal(vb.status, DEP_RPM_FULL);
    /* six seconds refill one request, for whoever asks first */
    at(p, T0 + 6000);
    bool probe;
    assert_int_equal(router_admit(p->b, &p->pb, 0, 10, T0 + 6000, &probe), ADMIT_OK);
    assert_int_equal(router_admit(p->a, &p->pa, 0, 10, T0 + 6000, &probe), ADMIT_SKIP_STATUS);
    pair_free(p);
}

static void test_cooldown_learnt_by_one_keeps_the_other_out(void **st)
{
    (void)st;
    struct pair *p = pair_new();
    admit_ok(p->a, &p->pa, 0, 10, T0, false);
    struct attempt_outcome o = err_outcome(429, ERRC_RATE_LIMIT, false);
    o.rl.retry_after_s = 30;
    router_finish(p->a, 0, &o, T0 + 100);
    at(p, T0 + 200);
    /* b knew nothing of it: its next admission asks the store, which says */
    admit_skip(p->b, &p->pb, 0, 10, T0 + 200);
    struct router_dep_view v;
    router_view(p->b, 0, T0 + 200, &v);
    assert_int_equal(v.status, DEP_COOLDOWN);
    assert_non_null(strstr(v.reason, "retry-after 30s"));
    assert_true(v.until_ms >= T0 + 30000 && v.until_ms <= T0 + 30100);
    assert_int_equal(v.in_flight, 0);
    /* after it, one probe: a gets it, b waits for its verdict */
    at(p, T0 + 31000);
    admit_ok(p->a, &p->pa, 0, 10, T0 + 31000, true);
    admit_skip(p->b, &p->pb, 0, 10, T0 + 31000);
    struct attempt_outcome ok = ok_outcome(true);
    router_finish(p->a, 0, &ok, T0 + 31500);
    /* the verdict travels: b is in again without probing itself */
    at(p, T0 + 32600);
    admit_ok(p->b, &p->pb, 0, 10, T0 + 32600, false);
    pair_free(p);
}

static void test_model_gone_learnt_by_one_keeps_the_other_out(void **st)
{
    (void)st;
    struct pair *p = pair_new();
    admit_ok(p->a, &p->pa, 0, 10, T0, false);
    struct attempt_outcome o = err_outcome(404, ERRC_NOT_FOUND, false);
    snprintf(o.err.code, sizeof o.err.code, "model_not_found");
    router_finish(p->a, 0, &o, T0 + 100);
    assert_true(router_refused(p->a, 0, NULL, 0));
    assert_true(p->store.mark[0].gone);
    /* b's next admission takes the mark: MODEL GONE, saying who learnt it */
    at(p, T0 + 200);
    admit_skip(p->b, &p->pb, 0, 10, T0 + 200);
    char by[64];
    assert_true(router_refused(p->b, 0, by, sizeof by));
    assert_string_equal(by, p->store.mark[0].by);
    struct router_dep_view v;
    router_view(p->b, 0, T0 + 200, &v);
    assert_int_equal(v.status, DEP_MODEL_GONE);
    assert_non_null(strstr(v.reason, "learnt by peer:"));
    /* unlike a cooldown it does not run out: a day later neither probes it */
    int64_t later = T0 + 24LL * 3600 * 1000;
    at(p, later);
    admit_skip(p->a, &p->pa, 0, 10, later);
    admit_skip(p->b, &p->pb, 0, 10, later);
    assert_int_equal(status_of(p->a, 0, later, NULL), DEP_MODEL_GONE);
    /* a user's reset at b brings it back for a as well, at a's next pull of the marks */
    router_reset(p->b, 0);
    router_publish(p->b, 0, later);
    assert_false(p->store.mark[0].gone);
    struct store_mark m = p->store.mark[0];
    router_take_mark(p->a, 0, &m, later + 10);
    admit_ok(p->a, &p->pa, 0, 10, later + 10, false);
    assert_false(router_refused(p->a, 0, NULL, 0));
    pair_free(p);
}

/* Another 404 (a wrong path, no word of a model) is a cooldown, not MODEL GONE. */
static void test_other_not_found_is_no_model_gone(void **st)
{
    (void)st;
    struct pair *p = pair_new();
    admit_ok(p->a, &p->pa, 0, 10, T0, false);
    struct attempt_outcome o = err_outcome(404, ERRC_NOT_FOUND, false);
    snprintf(o.err.message, sizeof o.err.message, "Not Found");
    router_finish(p->a, 0, &o, T0 + 100);
    assert_false(router_refused(p->a, 0, NULL, 0));
    assert_false(p->store.mark[0].gone);
    assert_int_equal(status_of(p->a, 0, T0 + 200, NULL), DEP_COOLDOWN);
    pair_free(p);
}

static void test_user_disable_and_reset_reach_the_other(void **st)
{
    (void)st;
    struct pair *p = pair_new();
    router_set_enabled(p->a, 0, false);
    router_publish(p->a, 0, T0);
    admit_skip(p->b, &p->pb, 0, 10, T0);
    assert_int_equal(status_of(p->b, 0, T0, NULL), DEP_DISABLED);
    struct store_mark off = p->store.mark[0];
    router_set_enabled(p->a, 0, true);
    router_publish(p->a, 0, T0 + 10);
    /* b takes what the background pull reads (router_take_mark), then admits */
    struct store_mark m = p->store.mark[0];
    router_take_mark(p->b, 0, &m, T0 + 20);
    /* a pull that read the older "off" before the change must not undo it */
    router_take_mark(p->b, 0, &off, T0 + 20);
    admit_ok(p->b, &p->pb, 0, 10, T0 + 20, false);
    pair_free(p);
}

/* What each booked while the store was away is booked into the shared buckets when it is
 * back (less what refilled since): together they then admit what the minute really has left,
 * not what each one's own view says. */
static void test_bookings_made_while_down_are_replayed(void **st)
{
    (void)st;
    struct pair *p = pair_new();
    admit_ok(p->a, &p->pa, 0, 10, T0, false);
    admit_ok(p->a, &p->pa, 0, 10, T0, false); /* shared: 8 left */
    p->store.down = true;
    at(p, T0 + 1000);
    for (int i = 0; i < 3; i++) {
        admit_ok(p->a, &p->pa, 0, 10, T0 + 1000, false);
        admit_ok(p->b, &p->pb, 0, 10, T0 + 1000, false);
    }
    /* back after 1 s: 8 + 2 s of refill (1 per 6 s) - 6 booked meanwhile + their 1 s of
     * refill = about 2.67 left for both together */
    p->store.down = false;
    at(p, T0 + 2000);
    router_resync(p->a, T0 + 2000);
    router_resync(p->b, T0 + 2000);
    int admitted = 0;
    for (int i = 0; i < 4; i++) {
        bool probe;
        admitted += router_admit(p->a, &p->pa, 0, 10, T0 + 2000, &probe) == ADMIT_OK;
        admitted += router_admit(p->b, &p->pb, 0, 10, T0 + 2000, &probe) == ADMIT_OK;
    }
    assert_int_equal(admitted, 2);
    /* replayed once: a second resync books nothing more */
    double level = tb_level(&p->store.b[0][RL_REQUESTS][RL_MINUTE], T0 + 2000);
    router_resync(p->a, T0 + 2000);
    assert_true(fabs(tb_level(&p->store.b[0][RL_REQUESTS][RL_MINUTE], T0 + 2000) - level) < 1e-9);
    pair_free(p);
}

/* The provider counts an account's requests at once (Z.AI 1302): two instances with
 * max_parallel_requests 2 hold at most 2 together, and an end at one lets the other in. */
static void test_concurrency_is_counted_across_instances(void **st)
{
    (void)st;
    struct pair *p = pair_new();
    p->fx.cfg.deps[0].max_parallel = 2;
    admit_ok(p->a, &p->pa, 0, 10, T0, false);
    admit_ok(p->b, &p->pb, 0, 10, T0, false);
    /* each has one in flight, under its own cap, but together they are at it */
    admit_skip(p->a, &p->pa, 0, 10, T0 + 1);
    struct router_dep_view v;
    router_view(p->a, 0, T0 + 1, &v);
    assert_int_equal(v.status, DEP_BUSY);
    assert_non_null(strstr(v.reason, "across all instances"));
    assert_int_equal(v.in_flight, 1); /* the refused one left nothing booked */
    assert_int_equal(p->store.leases[0], 2);
    /* b's attempt ends: its lease is given back, and a gets the place at its next try */
    struct attempt_outcome ok = ok_outcome(false);
    router_finish(p->b, 0, &ok, T0 + 100);
    assert_int_equal(p->store.leases[0], 1);
    at(p, T0 + 400);
    admit_ok(p->a, &p->pa, 0, 10, T0 + 400, false);
    assert_int_equal(p->store.leases[0], 2);
    /* without a cap nothing is leased */
    p->fx.cfg.deps[0].max_parallel = 0;
    router_finish(p->a, 0, &ok, T0 + 500);
    router_finish(p->a, 0, &ok, T0 + 501);
    assert_int_equal(p->store.leases[0], 0);
    admit_ok(p->b, &p->pb, 0, 10, T0 + 600, false);
    assert_int_equal(p->store.leases[0], 0);
    pair_free(p);
}

static void test_store_down_leaves_local_accounting(void **st)
{
    (void)st;
    struct pair *p = pair_new();
    p->store.down = true;
    int a_in = 0, b_in = 0;
    for (int i = 0; i < 12; i++) {
        bool probe;
        a_in += router_admit(p->a, &p->pa, 0, 10, T0, &probe) == ADMIT_OK;
        b_in += router_admit(p->b, &p->pb, 0, 10, T0, &probe) == ADMIT_OK;
    }
    assert_int_equal(a_in, 10); /* each alone, as without a store */
    assert_int_equal(b_in, 10);
    /* a cooldown learnt while down is published when the store answers again */
    struct attempt_outcome o = err_outcome(429, ERRC_RATE_LIMIT, false);
    o.rl.retry_after_s = 40;
    router_finish(p->a, 0, &o, T0 + 100);
    assert_int_equal(p->store.mark[0].seq, 0u);
    p->store.down = false;
    router_resync(p->a, T0 + 200);
    assert_true(p->store.mark[0].seq > 0);
    assert_non_null(strstr(p->store.mark[0].reason, "retry-after 40s"));
    pair_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_instances_admit_one_minute_together),
        cmocka_unit_test(test_cooldown_learnt_by_one_keeps_the_other_out),
        cmocka_unit_test(test_model_gone_learnt_by_one_keeps_the_other_out),
        cmocka_unit_test(test_other_not_found_is_no_model_gone),
        cmocka_unit_test(test_user_disable_and_reset_reach_the_other),
        cmocka_unit_test(test_concurrency_is_counted_across_instances),
        cmocka_unit_test(test_store_down_leaves_local_accounting),
        cmocka_unit_test(test_bookings_made_while_down_are_replayed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
