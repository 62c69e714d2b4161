/* fixture_router: outcomes, a two-group config and admission asserts shared by the router
 * tests. Included by test files only (cmocka must be included first). */
#ifndef SB_FIXTURE_ROUTER_H
#define SB_FIXTURE_ROUTER_H

#include <stdlib.h>

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

/* cmocka set-up for tests over two_groups: fx_setup builds the fixture, a test may adjust it
 * (fx_two_groups) before fx_router starts the router over it, and fx_teardown frees both. */
struct router_fx {
    struct fixture f;
    struct router *r;
};

static inline int fx_setup(void **state)
{
    struct router_fx *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    two_groups(&t->f);
    *state = t;
    return 0;
}

static inline int fx_teardown(void **state)
{
    struct router_fx *t = *state;
    router_free(t->r);
    free(t);
    return 0;
}

static inline struct fixture *fx_two_groups(void **state)
{
    return &((struct router_fx *)*state)->f;
}

static inline struct router *fx_router(void **state)
{
    struct router_fx *t = *state;
    if (!t->r)
        t->r = router_new(&t->f.cfg);
    assert_non_null(t->r);
    return t->r;
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
