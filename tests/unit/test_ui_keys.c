/* Unit tests for ui_keys: lookup per pane, and the footer and help text made from the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ui/ui_keys.h"

static void test_ui_keys_lookup_by_pane(void **st)
{
    (void)st;
    assert_int_equal(ui_keys_action('q', UI_PANE_PROVIDERS), UI_ACT_QUIT);
    assert_int_equal(ui_keys_action('q', UI_PANE_HELP), UI_ACT_QUIT);
    assert_int_equal(ui_keys_action(' ', UI_PANE_PROVIDERS), UI_ACT_TOGGLE);
    assert_int_equal(ui_keys_action('c', UI_PANE_LOG), UI_ACT_CEREBRAS);
    assert_int_equal(ui_keys_action('f', UI_PANE_PROVIDERS), UI_ACT_FORCE);
    assert_int_equal(ui_keys_action('r', UI_PANE_PROVIDERS), UI_ACT_RESET);
    assert_int_equal(ui_keys_action('p', UI_PANE_LOG), UI_ACT_PAUSE);
    assert_int_equal(ui_keys_action('/', UI_PANE_LOG), UI_ACT_FILTER);
    assert_int_equal(ui_keys_action('R', UI_PANE_PROVIDERS), UI_ACT_RELOAD);
    assert_int_equal(ui_keys_action('g', UI_PANE_PROVIDERS), UI_ACT_TRAFFIC);
    assert_int_equal(ui_keys_action('?', UI_PANE_DETAIL), UI_ACT_HELP);
    assert_int_equal(ui_keys_action(UI_KEY_ESC, UI_PANE_DETAIL), UI_ACT_BACK);
    assert_int_equal(ui_keys_action(UI_KEY_ENTER, UI_PANE_LOG), UI_ACT_DETAIL);
    /* Enter means nothing on the providers pane; commands do nothing under an overlay. */
    assert_int_equal(ui_keys_action(UI_KEY_ENTER, UI_PANE_PROVIDERS), UI_ACT_NONE);
    assert_int_equal(ui_keys_action('c', UI_PANE_DETAIL), UI_ACT_NONE);
    assert_int_equal(ui_keys_action('x', UI_PANE_LOG), UI_ACT_NONE);
    assert_int_equal(ui_keys_action(0, UI_PANE_LOG), UI_ACT_NONE);
}

static void test_ui_keys_aliases(void **st)
{
    (void)st;
    assert_int_equal(ui_keys_action('k', UI_PANE_LOG), UI_ACT_UP);
    assert_int_equal(ui_keys_action(UI_KEY_UP, UI_PANE_LOG), UI_ACT_UP);
    assert_int_equal(ui_keys_action('j', UI_PANE_PROVIDERS), UI_ACT_DOWN);
    assert_int_equal(ui_keys_action(UI_KEY_DOWN, UI_PANE_HELP), UI_ACT_DOWN);
    assert_int_equal(ui_keys_action('1', UI_PANE_PROVIDERS), UI_ACT_SELECT_N);
    assert_int_equal(ui_keys_action('9', UI_PANE_LOG), UI_ACT_SELECT_N);
    assert_int_equal(ui_keys_action('0', UI_PANE_LOG), UI_ACT_NONE);
    assert_int_equal(ui_keys_action(UI_KEY_TAB, UI_PANE_LOG), UI_ACT_FOCUS);
    assert_int_equal(ui_keys_action(UI_KEY_BTAB, UI_PANE_PROVIDERS), UI_ACT_FOCUS);
}

static void test_ui_keys_table_unambiguous(void **st)
{
    size_t n;
    const struct ui_binding *t = ui_keys_table(&n);
    (void)st;
    assert_true(n > 10);
    /* No key may be bound twice in one pane: the second binding would never fire. */
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].label);
        assert_non_null(t[i].help);
        assert_non_null(t[i].brief);
        assert_int_equal(t[i].footer & ~t[i].panes, 0);
        for (size_t j = i + 1; j < n; j++)
            for (int a = 0; a < UI_BIND_KEYS && t[i].keys[a]; a++)
                for (int b = 0; b < UI_BIND_KEYS && t[j].keys[b]; b++)
                    if (t[i].keys[a] == t[j].keys[b])
                        assert_int_equal(t[i].panes & t[j].panes, 0);
    }
}

static void test_ui_keys_footer_per_pane(void **st)
{
    char out[256];
    (void)st;
    ui_keys_footer(out, sizeof out, UI_PANE_PROVIDERS, 200);
    assert_non_null(strstr(out, "space on/off"));
    assert_non_null(strstr(out, "r reset"));
    assert_non_null(strstr(out, "c cerebras"));
    assert_non_null(strstr(out, "q quit"));
    assert_null(strstr(out, "Enter"));

    ui_keys_footer(out, sizeof out, UI_PANE_LOG, 200);
    assert_non_null(strstr(out, "Enter detail"));
    assert_non_null(strstr(out, "/ filter"));
    assert_non_null(strstr(out, "p pause"));
    assert_null(strstr(out, "space"));

    ui_keys_footer(out, sizeof out, UI_PANE_HELP, 200);
    assert_non_null(strstr(out, "Esc back"));
}

static void test_ui_keys_footer_fits_keeps_quit(void **st)
{
    char out[256];
    (void)st;
    ui_keys_footer(out, sizeof out, UI_PANE_LOG, 30);
    assert_true(strlen(out) <= 30);
    assert_non_null(strstr(out, "q quit"));
    assert_non_null(strstr(out, "? help"));
    ui_keys_footer(out, 8, UI_PANE_LOG, 200);
    assert_true(strlen(out) < 8);
    ui_keys_footer(out, sizeof out, UI_PANE_LOG, 0);
    assert_string_equal(out, "");
}

static void test_ui_keys_help_line(void **st)
{
    const struct ui_binding *b = ui_keys_lookup('r', UI_PANE_PROVIDERS);
    char out[128];
    (void)st;
    assert_non_null(b);
    ui_keys_help_line(out, sizeof out, b);
    assert_int_equal(strncmp(out, "r ", 2), 0);
    assert_non_null(strstr(out, b->help));

    b = ui_keys_lookup(UI_KEY_ENTER, UI_PANE_LOG);
    ui_keys_help_line(out, sizeof out, b);
    assert_non_null(strstr(out, "[log]"));
    assert_string_equal(ui_keys_pane_name(UI_PANE_PROVIDERS), "providers");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ui_keys_lookup_by_pane),
        cmocka_unit_test(test_ui_keys_aliases),
        cmocka_unit_test(test_ui_keys_table_unambiguous),
        cmocka_unit_test(test_ui_keys_footer_per_pane),
        cmocka_unit_test(test_ui_keys_footer_fits_keeps_quit),
        cmocka_unit_test(test_ui_keys_help_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
