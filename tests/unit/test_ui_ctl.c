/* Unit tests for ui_ctl: what the dashboard's keys do, against a real state built from a YAML
 * config, with a fake clock. No curses: the controller only sees snapshots and calls the same
 * state_* commands as the admin API, so each test checks the core's answer, not just the view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../ui/ui_int.h"
#include "config/config.h"
#include "core/ratelimit.h"
#include "route/state.h"

static const char yaml[] = "model_list:\n"
                           "  - model_name: glm-4.6\n"
                           "    litellm_params:\n"
                           "      model: cerebras/gpt-oss-120b\n"
                           "      api_base: http://127.0.0.1:9/v1\n"
                           "      api_key: ck-test\n"
                           "      rpm: 10\n"
                           "  - model_name: zai-glm-4.6\n"
                           "    litellm_params:\n"
                           "      model: anthropic/glm-4.6\n"
                           "      api_base: http://127.0.0.1:9/api/anthropic\n"
                           "      api_key: zk-test\n"
                           "router_settings:\n"
                           "  fallbacks: [{\"glm-4.6\": [\"zai-glm-4.6\"]}]\n"
                           "  cooldown_time: 60\n";

static int64_t now_ms = 1000000;

static int64_t fake_now(void)
{
    return now_ms;
}

struct fx {
    struct config *cfg;
    struct state *st;
    struct ui_host host;
    struct ui_ctx c;
    int reloads;
    char set_id[64], set_model[64]; /* what the m chooser asked for */
    int sets;
};

static int fake_reload(void *ud, char *err, size_t errlen)
{
    struct fx *f = ud;
    f->reloads++;
    snprintf(err, errlen, "bad yaml");
    return f->reloads > 1 ? -1 : 0;
}

static int fake_set_model(void *ud, const char *id, const char *model, char *msg, size_t len)
{
    struct fx *f = ud;
    f->sets++;
    snprintf(f->set_id, sizeof f->set_id, "%s", id);
    snprintf(f->set_model, sizeof f->set_model, "%s", model);
    snprintf(msg, len, "%s: model set to %s in t.yaml (backup t.yaml.bak); reloaded", id, model);
    return 0;
}

static int setup(void **state)
{
    char err[CONFIG_ERR_LEN];
    struct fx *f = calloc(1, sizeof *f);

    assert_non_null(f);
    f->cfg = config_parse(yaml, strlen(yaml), "t.yaml", NULL, NULL, err);
    assert_non_null(f->cfg);
    f->st = state_new(f->cfg, fake_now);
    assert_non_null(f->st);
    f->host.st = f->st;
    f->host.url = "http://127.0.0.1:4000";
    f->host.ud = f;
    f->c.h = &f->host;
    f->c.focus = UI_PANE_PROVIDERS;
    f->c.snap = calloc(1, sizeof *f->c.snap);
    f->c.frozen = calloc(SNAP_LOG, sizeof *f->c.frozen);
    assert_non_null(f->c.snap);
    assert_non_null(f->c.frozen);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    free(f->c.snap);
    free(f->c.frozen);
    state_free(f->st);
    config_free(f->cfg);
    free(f);
    return 0;
}

/* One tick of the loop: snapshot, derive the view for a 120x40 screen. */
static void frame(struct fx *f)
{
    state_snapshot(f->st, f->c.snap);
    ui_ctl_frame(&f->c, 40, 120);
}

static void keys(struct fx *f, const char *s)
{
    for (; *s; s++) {
        frame(f);
        ui_ctl_key(&f->c, (unsigned char)*s);
    }
    frame(f);
}

static void key(struct fx *f, int k)
{
    frame(f);
    ui_ctl_key(&f->c, k);
    frame(f);
}

static const struct dep_snapshot *dep(struct fx *f, const char *id)
{
    for (int i = 0; i < f->c.snap->n_deps; i++)
        if (strcmp(f->c.snap->deps[i].id, id) == 0)
            return &f->c.snap->deps[i];
    fail_msg("no deployment %s", id);
    return NULL;
}

/* A finished request in the log, served by dep after the given failed attempt (or none). */
static uint64_t add_request(struct fx *f, const char *served, const char *failed)
{
    struct request_rec r;

    memset(&r, 0, sizeof r);
    r.id = state_request_begin(f->st);
    r.wall_ms = 1700000000000LL;
    r.status = 200;
    snprintf(r.model, sizeof r.model, "glm-4.6");
    snprintf(r.served_by, sizeof r.served_by, "%s", served);
    if (failed) {
        snprintf(r.attempts[r.n_attempts].dep, sizeof r.attempts[0].dep, "%s", failed);
        r.attempts[r.n_attempts++].status = 429;
    }
    snprintf(r.attempts[r.n_attempts].dep, sizeof r.attempts[0].dep, "%s", served);
    r.attempts[r.n_attempts++].status = 200;
    state_request_end(f->st, &r);
    return r.id;
}

/* The router's way to cooldown: an admitted attempt that ends in a 429 with retry-after. */
static void cerebras_429(struct fx *f, double retry_after_s)
{
    struct route_plan plan;
    struct attempt_outcome o = {.ok = false, .status = 429};
    bool probe;

    assert_int_equal(state_plan(f->st, "glm-4.6", &plan), 0);
    assert_int_equal(state_admit(f->st, &plan, 0, 100, &probe), ADMIT_OK);
    o.err.status = 429;
    o.err.cls = ERRC_RATE_LIMIT;
    ratelimit_init(&o.rl);
    o.rl.retry_after_s = retry_after_s;
    state_attempt_end(f->st, plan.dep[0], &o, 5, -1);
}

static void test_ui_ctl_order_and_selection(void **state)
{
    struct fx *f = *state;

    frame(f);
    assert_int_equal(f->c.n_deps, 2);
    assert_int_equal(f->c.n_groups, 2);
    /* The primary group first, and the selection starts on it. */
    assert_string_equal(ui_ctl_selected(&f->c)->id, "cerebras");
    assert_true(ui_ctl_selected(&f->c)->is_primary);
    key(f, UI_KEY_DOWN);
    assert_string_equal(ui_ctl_selected(&f->c)->id, "zai");
    key(f, UI_KEY_DOWN); /* stays on the last */
    assert_string_equal(ui_ctl_selected(&f->c)->id, "zai");
    keys(f, "1");
    assert_string_equal(ui_ctl_selected(&f->c)->id, "cerebras");
    keys(f, "9"); /* no ninth provider: nothing moves */
    assert_string_equal(ui_ctl_selected(&f->c)->id, "cerebras");
    assert_false(f->c.lay.too_small);
}

static void test_ui_ctl_c_toggles_cerebras(void **state)
{
    struct fx *f = *state;

    keys(f, "2c"); /* works whichever provider is selected */
    assert_false(dep(f, "cerebras")->enabled);
    assert_true(dep(f, "zai")->enabled);
    assert_int_equal(ui_dep_status(dep(f, "cerebras")), DEP_DISABLED);
    assert_non_null(strstr(f->c.msg, "DISABLED"));
    keys(f, "c");
    assert_true(dep(f, "cerebras")->enabled);
    assert_non_null(strstr(f->c.msg, "enabled"));
}

static void test_ui_ctl_space_toggles_selected(void **state)
{
    struct fx *f = *state;

    keys(f, "2 ");
    assert_false(dep(f, "zai")->enabled);
    assert_true(dep(f, "cerebras")->enabled);
    keys(f, " ");
    assert_true(dep(f, "zai")->enabled);
}

static void test_ui_ctl_f_forces_fallback(void **state)
{
    struct fx *f = *state;
    char badge[64];

    keys(f, "f");
    assert_true(state_force_fallback(f->st));
    assert_true(f->c.snap->force_fallback);
    assert_int_equal(f->c.msg_tone, UI_TONE_ALERT);
    /* The primary reads BYPASSED while requests skip it. */
    ui_fmt_badge(badge, sizeof badge, dep(f, "cerebras"), f->c.snap->force_fallback);
    assert_string_equal(badge, "BYPASSED");
    keys(f, "f");
    assert_false(state_force_fallback(f->st));
}

static void test_ui_ctl_r_resets_cooldown(void **state)
{
    struct fx *f = *state;
    char badge[64];

    cerebras_429(f, 30);
    frame(f);
    assert_int_equal(ui_dep_status(dep(f, "cerebras")), DEP_COOLDOWN);
    ui_fmt_badge(badge, sizeof badge, dep(f, "cerebras"), false);
    assert_string_equal(badge, "COOLDOWN 00:30");
    now_ms += 5000; /* the countdown follows the clock */
    frame(f);
    ui_fmt_badge(badge, sizeof badge, dep(f, "cerebras"), false);
    assert_string_equal(badge, "COOLDOWN 00:25");
    keys(f, "r");
    assert_int_equal(ui_dep_status(dep(f, "cerebras")), DEP_READY);
    assert_non_null(strstr(f->c.msg, "cooldown cleared"));
}

static void test_ui_ctl_r_on_disabled_says_so(void **state)
{
    struct fx *f = *state;

    keys(f, "cr");
    assert_non_null(strstr(f->c.msg, "DISABLED"));
    assert_int_equal(f->c.msg_tone, UI_TONE_WARN);
}

static void test_ui_ctl_message_expires(void **state)
{
    struct fx *f = *state;

    keys(f, "f");
    assert_true(f->c.msg[0] != '\0');
    now_ms += UI_MSG_MS + 1;
    frame(f);
    assert_string_equal(f->c.msg, "");
}

static void test_ui_ctl_log_follows_and_detail(void **state)
{
    struct fx *f = *state;
    uint64_t first = add_request(f, "cerebras", NULL);
    uint64_t second = add_request(f, "zai", "cerebras");

    frame(f);
    assert_int_equal(f->c.n_filt, 2);
    keys(f, "\t");
    assert_int_equal(ui_ctl_pane(&f->c), UI_PANE_LOG);
    key(f, UI_KEY_DOWN); /* hold the older request */
    assert_int_equal(f->c.log[f->c.filt[f->c.log_sel]].id, first);
    add_request(f, "cerebras", NULL);
    frame(f);
    /* A new arrival does not move the cursor off its request. */
    assert_int_equal(f->c.log[f->c.filt[f->c.log_sel]].id, first);
    key(f, UI_KEY_HOME);
    assert_int_equal(f->c.log_sel, 0);
    key(f, UI_KEY_DOWN);
    key(f, UI_KEY_ENTER);
    assert_true(f->c.detail_open);
    assert_int_equal(ui_ctl_pane(&f->c), UI_PANE_DETAIL);
    assert_int_equal(f->c.detail.id, second);
    assert_int_equal(f->c.detail.n_attempts, 2);
    assert_string_equal(f->c.detail.attempts[0].dep, "cerebras");
    key(f, UI_KEY_ESC);
    assert_false(f->c.detail_open);
}

static void test_ui_ctl_enter_in_providers_does_nothing(void **state)
{
    struct fx *f = *state;

    add_request(f, "cerebras", NULL);
    key(f, UI_KEY_ENTER);
    assert_false(f->c.detail_open);
}

static void test_ui_ctl_filter(void **state)
{
    struct fx *f = *state;

    add_request(f, "cerebras", NULL);
    add_request(f, "zai", NULL);
    add_request(f, "zai", NULL);
    keys(f, "/zai");
    assert_true(f->c.filter_edit);
    keys(f, "q"); /* typed into the filter, not a quit */
    assert_false(f->c.quit);
    key(f, UI_KEY_BACKSPACE);
    assert_string_equal(f->c.filter, "zai");
    key(f, UI_KEY_ENTER);
    assert_false(f->c.filter_edit);
    assert_int_equal(f->c.n_filt, 2);
    assert_int_equal(f->c.n_log, 3);
    key(f, UI_KEY_ESC);
    assert_string_equal(f->c.filter, "");
    assert_int_equal(f->c.n_filt, 3);
}

static void test_ui_ctl_pause_freezes_log(void **state)
{
    struct fx *f = *state;

    add_request(f, "cerebras", NULL);
    keys(f, "p");
    assert_true(f->c.paused);
    add_request(f, "cerebras", NULL);
    frame(f);
    assert_int_equal(f->c.n_log, 1);
    assert_int_equal(f->c.snap->n_log, 2);
    keys(f, "p");
    assert_int_equal(f->c.n_log, 2);
}

static void test_ui_ctl_quit_asks_with_requests_in_flight(void **state)
{
    struct fx *f = *state;
    struct request_rec r;

    memset(&r, 0, sizeof r);
    r.id = state_request_begin(f->st); /* in flight until it ends */
    keys(f, "q");
    assert_true(f->c.confirm_quit);
    assert_false(f->c.quit);
    keys(f, "n");
    assert_false(f->c.confirm_quit);
    assert_false(f->c.quit);
    key(f, UI_KEY_ESC);
    keys(f, "q");
    key(f, UI_KEY_ESC); /* any key but y stays */
    assert_false(f->c.quit);
    keys(f, "qy");
    assert_true(f->c.quit);
    state_request_end(f->st, &r);
}

static void test_ui_ctl_quit_at_once_when_idle(void **state)
{
    struct fx *f = *state;

    keys(f, "q");
    assert_false(f->c.confirm_quit);
    assert_true(f->c.quit);
}

static void test_ui_ctl_help_lists_available_keys(void **state)
{
    struct fx *f = *state;
    size_t n;
    int lines;
    bool has_reload = false, has_traffic = false;

    ui_keys_table(&n);
    frame(f);
    lines = ui_ctl_help_lines(&f->c);
    /* No reload or set_model hook and no demo: R, g, m and the chooser's Enter are left out. */
    assert_int_equal(lines, UI_HELP_HEAD + (int)n - 4);
    for (int i = 0; i < lines; i++) {
        const struct ui_binding *b = ui_ctl_help_binding(&f->c, i);
        assert_true((b == NULL) == (i < UI_HELP_HEAD));
        has_reload = has_reload || (b && b->action == UI_ACT_RELOAD);
        has_traffic = has_traffic || (b && b->action == UI_ACT_TRAFFIC);
    }
    assert_false(has_reload);
    assert_false(has_traffic);
    assert_null(ui_ctl_help_binding(&f->c, lines));
    f->host.reload = fake_reload;
    assert_int_equal(ui_ctl_help_lines(&f->c), lines + 1);

    keys(f, "?");
    assert_true(f->c.help_open);
    assert_int_equal(ui_ctl_pane(&f->c), UI_PANE_HELP);
    keys(f, "c"); /* commands wait while help is open */
    assert_true(dep(f, "cerebras")->enabled);
    key(f, UI_KEY_ESC);
    assert_false(f->c.help_open);
}

static void test_ui_ctl_help_scrolls_on_short_screen(void **state)
{
    struct fx *f = *state;

    keys(f, "?");
    state_snapshot(f->st, f->c.snap);
    ui_ctl_frame(&f->c, 16, 80);
    for (int i = 0; i < 100; i++)
        ui_ctl_key(&f->c, UI_KEY_DOWN);
    ui_ctl_frame(&f->c, 16, 80);
    /* Clamped: the last line shows at the bottom of the box. */
    assert_int_equal(f->c.help_top, ui_ctl_help_lines(&f->c) - (ui_ctl_help_box(&f->c).h - 2));
    ui_ctl_frame(&f->c, 40, 120); /* taller again: all of it fits from the top */
    assert_int_equal(f->c.help_top, 0);
}

static void test_ui_ctl_reload_and_traffic(void **state)
{
    struct fx *f = *state;

    keys(f, "R");
    assert_non_null(strstr(f->c.msg, "not available"));
    keys(f, "g");
    assert_non_null(strstr(f->c.msg, "demo"));
    f->host.reload = fake_reload;
    f->host.config_path = "t.yaml";
    keys(f, "R");
    assert_int_equal(f->reloads, 1);
    assert_non_null(strstr(f->c.msg, "reloaded"));
    keys(f, "R");
    assert_non_null(strstr(f->c.msg, "bad yaml"));
    assert_int_equal(f->c.msg_tone, UI_TONE_BAD);
}

/* A reload that warns, as the app's reload does through state_notice. */
static int warning_reload(void *ud, char *err, size_t errlen)
{
    struct fx *f = ud;
    (void)err, (void)errlen;
    state_notice(f->st, "/etc/sb/t.yaml:7: unknown key 'x'");
    return 0;
}

/* Warnings raised by the program reach the status line in warning tone and stay longer than
 * a command's result; one raised by a key's own command joins that command's result; several
 * at once are counted, with where the rest went. */
static void test_ui_ctl_notices_in_status_line(void **state)
{
    struct fx *f = *state;

    f->host.log_path = "/var/log/sb.log";
    f->host.config_path = "/etc/sb/t.yaml";
    frame(f);
    assert_string_equal(f->c.msg, "");
    state_notice(f->st, "cannot open log file /x: Permission denied");
    frame(f);
    assert_string_equal(f->c.msg, "warning: cannot open log file /x: Permission denied");
    assert_int_equal(f->c.msg_tone, UI_TONE_WARN);
    now_ms += UI_MSG_MS + 1000;
    frame(f);
    assert_non_null(strstr(f->c.msg, "Permission denied"));
    now_ms += UI_WARN_MS;
    frame(f);
    assert_string_equal(f->c.msg, "");

    f->host.reload = warning_reload;
    keys(f, "R");
    assert_string_equal(f->c.msg,
                        "config reloaded from t.yaml; warning: t.yaml:7: unknown key 'x'");

    state_notice(f->st, "first");
    state_notice(f->st, "second");
    state_notice(f->st, "third");
    frame(f);
    assert_string_equal(f->c.msg, "warning: third (+2 more in /var/log/sb.log)");
    frame(f);
    assert_string_equal(f->c.msg, "warning: third (+2 more in /var/log/sb.log)");
}

static void test_ui_ctl_too_small(void **state)
{
    struct fx *f = *state;

    state_snapshot(f->st, f->c.snap);
    ui_ctl_frame(&f->c, 12, 50);
    assert_true(f->c.lay.too_small);
    ui_ctl_key(&f->c, UI_KEY_RESIZE);
    ui_ctl_key(&f->c, 'q');
    assert_true(f->c.quit);
}

/* m on a MODEL GONE card lists what its provider offers; Enter writes the chosen one through
 * the set_model hook (the same call as POST /admin/providers/{id}/model); Esc closes. */
static void test_ui_ctl_model_chooser(void **state)
{
    struct fx *f = *state;
    struct lineup_offer o = {.complete = true};
    lineup_offer_add(&o, "zai-glm-4.7", 0);
    lineup_offer_add(&o, "gemma-4-31b", 0);
    lineup_offer_add(&o, "llama-5", 131072);

    /* no hook (the demo): the key says so, nothing opens */
    keys(f, "1m");
    assert_false(f->c.models_open);
    f->host.set_model = fake_set_model;
    f->host.config_path = "/some/dir/t.yaml";
    /* no list yet */
    keys(f, "m");
    assert_false(f->c.models_open);
    assert_non_null(strstr(f->c.msg, "no model list from its provider yet"));

    state_lineup_offer(f->st, f->cfg, 0, &o, 1);
    frame(f);
    assert_int_equal(f->c.snap->deps[0].view.status, DEP_MODEL_GONE);
    keys(f, "m");
    assert_true(f->c.models_open);
    assert_int_equal(ui_ctl_pane(&f->c), UI_PANE_MODELS);
    assert_true(f->c.models_gone);
    assert_int_equal(f->c.models.n, 3);
    assert_string_equal(f->c.models_current, "gpt-oss-120b");
    key(f, UI_KEY_DOWN);
    key(f, UI_KEY_DOWN);
    key(f, UI_KEY_DOWN); /* stops at the last */
    assert_int_equal(f->c.models_sel, 2);
    key(f, UI_KEY_UP);
    key(f, UI_KEY_ENTER);
    assert_false(f->c.models_open);
    assert_int_equal(f->sets, 1);
    assert_string_equal(f->set_id, "cerebras");
    assert_string_equal(f->set_model, "gemma-4-31b");
    assert_string_equal(f->c.msg, "cerebras now uses gemma-4-31b: written into t.yaml (backup "
                                  "t.yaml.bak), reloaded");
    assert_int_equal(f->c.msg_tone, UI_TONE_OK);
    /* Esc closes without writing */
    keys(f, "m");
    assert_true(f->c.models_open);
    key(f, UI_KEY_ESC);
    assert_false(f->c.models_open);
    assert_int_equal(f->sets, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ui_ctl_model_chooser, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_order_and_selection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_c_toggles_cerebras, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_space_toggles_selected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_f_forces_fallback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_r_resets_cooldown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_r_on_disabled_says_so, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_message_expires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_log_follows_and_detail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_enter_in_providers_does_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_pause_freezes_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_quit_asks_with_requests_in_flight, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_quit_at_once_when_idle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_help_lists_available_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_help_scrolls_on_short_screen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_reload_and_traffic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_notices_in_status_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ui_ctl_too_small, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
