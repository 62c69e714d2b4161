/* fixture_router: outcomes, a two-group config and admission asserts shared by the router
 * tests. Included by test files only (cmocka must be included first). */
#ifndef SB_FIXTURE_ROUTER_H
#define SB_FIXTURE_ROUTER_H

#include "fixture_config.h"
#include "route/router.h"

#define T0 1000000 /* arbitrary monotonic start, in ms */

static inline struct attempt_outcome ok_outcome(bool probe)
{
    struct attempt_outcome o = {.ok = true, .status = 200, .was_probe = probe};
    ratelimit_init(&o.rl);
    o.tokens_in = 100;
    o.tokens_out = 50;
    return o;
}

static inline struct attempt_outcome err_outcome(int status, enum err_class cls, bool probe)
{
    struct attempt_outcome o = {.ok = false, .status = status, .was_probe = probe};
    ratelimit_init(&o.rl);
    o.err.status = status;
    o.err.cls = cls;
    return o;
}

/* Two groups: "fast" (cerebras, rpm 10) falling back to "zai". */
static inline void two_groups(struct fixture *f)
{
    fx_init(f);
    fx_dep(f, "fast", "cerebras", NULL, 10, 0, "k1");
    fx_dep(f, "zai", "zai", NULL, 0, 0, "k2");
    fx_fallback(f, "fast", "zai", NULL);
}

static inline enum dep_status status_of(struct router *r, int dep, int64_t now, int64_t *until)
{
    int64_t u = 0;
    enum dep_status s = router_status(r, dep, now, &u);
    if (until)
        *until = u;
    return s;
}

static inline void admit_ok(struct router *r, const struct route_plan *p, int i, long est,
                            int64_t now, bool want_probe)
{
    bool probe = !want_probe;
    assert_int_equal(router_admit(r, p, i, est, now, &probe), ADMIT_OK);
    assert_int_equal(probe, want_probe);
}

static inline void admit_skip(struct router *r, const struct route_plan *p, int i, long est,
                              int64_t now)
{
    bool probe = true;
    assert_int_equal(router_admit(r, p, i, est, now, &probe), ADMIT_SKIP_STATUS);
    assert_false(probe);
}

#endif
