/* Tests for lineups: the pure record (route/lineup), the router's model-gone mark, and the
 * state that joins them: a complete list that leaves a model out makes it MODEL GONE, an
 * incomplete one only "not listed", a refusal in traffic makes it gone at once, a list that
 * names it brings it back, a failed discovery changes nothing, and a reload that changes the
 * model is judged by the list the provider gave last. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_router.h"
#include "route/lineup.h"
#include "route/state.h"

static struct lineup_offer offer(bool complete, const char *a, const char *b)
{
    struct lineup_offer o = {.complete = complete};
    if (a)
        assert_true(lineup_offer_add(&o, a, 131072));
    if (b)
        assert_true(lineup_offer_add(&o, b, 0));
    return o;
}

static void test_lineup_verdicts(void **state)
{
    (void)state;
    struct dep_lineup d = {0};
    struct lineup_offer today = offer(true, "gpt-oss-120b", "gemma-4-31b");
    assert_false(lineup_is_gone(&d)); /* nothing known: routed */

    lineup_apply(&d, "zai-glm-4.6", &today, 5000);
    assert_int_equal(d.verdict, LINEUP_GONE);
    assert_true(lineup_is_gone(&d));
    assert_int_equal(d.gone_wall_ms, 5000);
    assert_int_equal(d.checked_wall_ms, 5000);
    char why[200];
    lineup_reason(&d, "zai-glm-4.6", why, sizeof why);
    assert_string_equal(why, "zai-glm-4.6 is not offered; offered: gpt-oss-120b, gemma-4-31b");

    /* a failed discovery changes nothing but says why */
    lineup_failed(&d, "GET x: HTTP 503");
    assert_true(lineup_is_gone(&d));
    assert_string_equal(d.error, "GET x: HTTP 503");
    assert_int_equal(d.offer.n, 2);

    /* listed again: back, with the context the list gave */
    struct lineup_offer back = offer(true, "zai-glm-4.6", NULL);
    lineup_apply(&d, "zai-glm-4.6", &back, 9000);
    assert_int_equal(d.verdict, LINEUP_OFFERED);
    assert_false(lineup_is_gone(&d));
    assert_int_equal(d.context, 131072);
    assert_int_equal(d.gone_wall_ms, 0);
    assert_string_equal(d.error, "");

    /* an incomplete list (Z.AI) that leaves it out: not listed, still routed */
    struct lineup_offer zai = offer(false, "glm-5.2", NULL);
    lineup_apply(&d, "glm-4.6", &zai, 10000);
    assert_int_equal(d.verdict, LINEUP_NOT_LISTED);
    assert_false(lineup_is_gone(&d));

    /* ... until traffic says the model does not exist */
    lineup_refused(&d, 11000);
    assert_true(lineup_is_gone(&d));
    assert_int_equal(d.gone_wall_ms, 11000);
    lineup_reason(&d, "glm-4.6", why, sizeof why);
    assert_string_equal(why, "glm-4.6 no longer exists at the provider; offered: glm-5.2");
    /* a later list that still leaves it out keeps it gone; one that names it brings it back */
    lineup_apply(&d, "glm-4.6", &zai, 12000);
    assert_true(lineup_is_gone(&d));
    assert_int_equal(d.gone_wall_ms, 11000);
    struct lineup_offer named = offer(false, "glm-4.6", NULL);
    lineup_apply(&d, "glm-4.6", &named, 13000);
    assert_false(lineup_is_gone(&d));
}

static void test_lineup_offer_limits(void **state)
{
    (void)state;
    struct lineup_offer o = {0};
    char name[LINEUP_MODEL_LEN + 8];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    assert_false(lineup_offer_add(&o, name, 0)); /* too long */
    assert_false(lineup_offer_add(&o, "", 0));
    for (int i = 0; i < LINEUP_MAX_MODELS; i++) {
        char m[16];
        snprintf(m, sizeof m, "m%d", i);
        assert_true(lineup_offer_add(&o, m, -5));
        assert_int_equal(o.context[i], 0);
    }
    assert_false(lineup_offer_add(&o, "one-too-many", 0));
    assert_int_equal(lineup_offer_find(&o, "m3"), 3);
    assert_int_equal(lineup_offer_find(&o, "nope"), -1);
    struct dep_lineup d = {.offer = o};
    char text[40];
    lineup_offered_text(&d, text, sizeof text); /* cut, terminated */
    assert_int_equal(strlen(text), sizeof text - 1);
}

/* The router: a gone model takes no attempt and no probe, and no clock brings it back. */
static void test_lineup_router_mark(void **state)
{
    struct router *r = fx_router(state);
    struct route_plan p;
    bool probe;
    assert_int_equal(router_plan(r, "fast", &p), 0);
    router_set_model_gone(r, 0, true, "model-x is not offered; offered: a, b");
    assert_true(router_model_gone(r, 0));
    assert_int_equal(router_admit(r, &p, 0, 10, T0, &probe), ADMIT_SKIP_STATUS);
    int64_t until = 1;
    assert_int_equal(router_status(r, 0, T0 + 86400000LL * 30, &until), DEP_MODEL_GONE);
    assert_int_equal(until, 0);
    assert_string_equal(router_status_name(DEP_MODEL_GONE), "MODEL GONE");
    struct router_dep_view v;
    router_view(r, 0, T0, &v);
    assert_string_equal(v.reason, "model-x is not offered; offered: a, b");
    /* the fallback still serves, and retry-after is not promised for the gone one */
    assert_int_equal(router_admit(r, &p, 1, 10, T0, &probe), ADMIT_OK);
    assert_int_equal(router_earliest_ready(r, &p, T0), 0);
    /* a reset (r on the card) does not undo the lineup's mark */
    router_reset(r, 0);
    assert_true(router_model_gone(r, 0));
    /* a 404 during traffic started a cooldown; the model coming back ends it too */
    router_set_model_gone(r, 0, false, NULL);
    assert_int_equal(router_admit(r, &p, 0, 10, T0, &probe), ADMIT_OK);
    struct attempt_outcome nf = err_outcome(404, ERRC_NOT_FOUND, probe);
    router_finish(r, 0, &nf, T0 + 1);
    assert_int_equal(router_status(r, 0, T0 + 2, NULL), DEP_COOLDOWN);
    router_set_model_gone(r, 0, false, NULL);
    assert_int_equal(router_status(r, 0, T0 + 2, NULL), DEP_READY);
}

static int64_t fake_now = T0;
static int64_t now_fn(void)
{
    return fake_now;
}

static struct attempt_outcome model_not_found(void)
{
    struct attempt_outcome o = err_outcome(404, ERRC_NOT_FOUND, false);
    snprintf(o.err.code, sizeof o.err.code, "model_not_found");
    snprintf(o.err.message, sizeof o.err.message,
             "Model does not exist or you do not have access to it.");
    return o;
}

/* One attempt through the state on candidate i of a fresh plan; false when not admitted. */
static bool attempt(struct state *st, int i, const struct attempt_outcome *o)
{
    struct route_plan p;
    bool probe;
    assert_int_equal(state_plan(st, "fast", &p), 0);
    if (state_admit(st, &p, i, 10, &probe) != ADMIT_OK)
        return false;
    state_attempt_end(st, p.dep[i], o, 5, -1);
    return true;
}

static void test_lineup_state(void **state)
{
    struct fixture *f = fx_two_groups(state);
    struct state *st = state_new(&f->cfg, now_fn);
    struct config *cfg = state_config(st);
    assert_non_null(st);

    /* a refusal in traffic: gone at once, no second attempt */
    struct attempt_outcome nf = model_not_found();
    assert_true(attempt(st, 0, &nf));
    struct snapshot *s = malloc(sizeof *s);
    state_snapshot(st, s);
    assert_int_equal(s->deps[0].view.status, DEP_MODEL_GONE);
    assert_true(s->deps[0].lineup.refused);
    struct attempt_outcome ok = ok_outcome(false);
    fake_now += 3600 * 1000; /* no clock brings it back */
    assert_false(attempt(st, 0, &ok));
    /* a 404 that is not about the model (a wrong path) is not MODEL GONE */
    struct attempt_outcome plain = err_outcome(404, ERRC_NOT_FOUND, false);
    snprintf(plain.err.message, sizeof plain.err.message, "Not Found");
    assert_true(attempt(st, 1, &plain));
    state_snapshot(st, s);
    assert_false(lineup_is_gone(&s->deps[1].lineup));

    /* the user's reset forgets the refusal */
    assert_int_equal(state_reset(st, "cerebras"), 0);
    assert_true(attempt(st, 0, &ok));

    /* a complete list without it: gone; a failed discovery changes nothing */
    struct lineup_offer today = offer(true, "gpt-oss-120b", "gemma-4-31b");
    state_lineup_offer(st, cfg, 0, &today, 1234);
    state_lineup_failed(st, cfg, 0, "GET http://x/v1/models: HTTP 503");
    state_snapshot(st, s);
    assert_int_equal(s->deps[0].view.status, DEP_MODEL_GONE);
    assert_string_equal(s->deps[0].view.reason,
                        "model-x is not offered; offered: gpt-oss-120b, gemma-4-31b");
    assert_string_equal(s->deps[0].lineup.error, "GET http://x/v1/models: HTTP 503");
    assert_int_equal(state_reset(st, "cerebras"), 0); /* the list still says gone */
    assert_false(attempt(st, 0, &ok));

    /* a reload that changes the model: judged by the last list at once */
    static struct fixture g;
    g = *f;
    g.cfg.deps = g.deps;
    g.cfg.fallbacks = g.fb;
    g.deps[0].model = (char *)(uintptr_t) "gpt-oss-120b";
    state_swap_config(st, &g.cfg);
    assert_true(attempt(st, 0, &ok));
    state_snapshot(st, s);
    assert_int_equal(s->deps[0].lineup.verdict, LINEUP_OFFERED);
    assert_int_equal(s->deps[0].lineup.context, 131072);
    /* an answer for the old config is ignored */
    state_lineup_offer(st, cfg, 0, &today, 5678);
    state_snapshot(st, s);
    assert_int_equal(s->deps[0].lineup.checked_wall_ms, 1234);
    free(s);
    config_free(cfg);
    state_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lineup_verdicts),
        cmocka_unit_test(test_lineup_offer_limits),
        cmocka_unit_test_setup_teardown(test_lineup_router_mark, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_lineup_state, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
