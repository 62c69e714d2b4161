/* Unit tests for ui_layout: pane rectangles for terminal sizes and the deployment order. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ui/ui_layout.h"

/* The panes tile the screen top to bottom with no gap or overlap. */
static void assert_tiles(const struct ui_layout *l, int rows, int cols)
{
    assert_false(l->too_small);
    assert_int_equal(l->header.y, 0);
    assert_int_equal(l->providers.y, l->header.y + l->header.h);
    assert_int_equal(l->log.y, l->providers.y + l->providers.h);
    assert_int_equal(l->footer.y, l->log.y + l->log.h);
    assert_int_equal(l->footer.y + l->footer.h, rows);
    assert_int_equal(l->header.w, cols);
    assert_int_equal(l->log.w, cols);
    assert_int_equal(l->log_rows, l->log.h - 2);
    assert_true(l->log_rows >= UI_LOG_MIN);
}

static void test_ui_layout_full_cards_when_room(void **st)
{
    struct ui_layout l;
    (void)st;
    assert_int_equal(ui_layout_compute(&l, 40, 120, 3, 2), 0);
    assert_tiles(&l, 40, 120);
    assert_int_equal(l.card_h, 3);
    assert_int_equal(l.providers.h, 1 + 2 + 3 * 3);
    assert_int_equal(l.log.h, 40 - 4 - 12);
}

static void test_ui_layout_cards_shrink(void **st)
{
    struct ui_layout l;
    (void)st;
    /* 24 rows: 20 for panes; full cards for 4 deps in 2 groups need 15 + 5 = 20: fit. */
    ui_layout_compute(&l, 24, 80, 4, 2);
    assert_tiles(&l, 24, 80);
    assert_int_equal(l.card_h, 3);
    /* 5 deps: 18 + 5 > 20 -> two-row cards (13 + 5). */
    ui_layout_compute(&l, 24, 80, 5, 2);
    assert_tiles(&l, 24, 80);
    assert_int_equal(l.card_h, 2);
    /* 8 deps: 2-row cards need 19 + 5 > 20 -> one row each. */
    ui_layout_compute(&l, 24, 80, 8, 2);
    assert_tiles(&l, 24, 80);
    assert_int_equal(l.card_h, 1);
    assert_int_equal(l.providers.h, 11);
}

static void test_ui_layout_providers_cut_log_keeps_min(void **st)
{
    struct ui_layout l;
    (void)st;
    ui_layout_compute(&l, 16, 60, 16, 4);
    assert_tiles(&l, 16, 60);
    assert_int_equal(l.card_h, 1);
    assert_int_equal(l.log_rows, UI_LOG_MIN);
    assert_true(l.providers.h < ui_layout_providers_need(16, 4, 1));
}

static void test_ui_layout_too_small(void **st)
{
    struct ui_layout l;
    (void)st;
    assert_int_equal(ui_layout_compute(&l, 15, 120, 2, 1), 0);
    assert_true(l.too_small);
    assert_int_equal(ui_layout_compute(&l, 40, 59, 2, 1), 0);
    assert_true(l.too_small);
    assert_int_equal(ui_layout_compute(&l, 16, 60, 2, 1), 0);
    assert_false(l.too_small);
    assert_int_equal(ui_layout_compute(&l, 0, 0, 0, 0), 0);
    assert_true(l.too_small);
    assert_int_equal(ui_layout_compute(&l, -1, 80, 2, 1), -EINVAL);
    assert_int_equal(ui_layout_compute(&l, 40, 80, -2, 1), -EINVAL);
}

static void test_ui_layout_no_deployments(void **st)
{
    struct ui_layout l;
    (void)st;
    ui_layout_compute(&l, 30, 100, 0, 0);
    assert_tiles(&l, 30, 100);
    assert_int_equal(l.providers.h, 1);
}

static void test_ui_layout_center(void **st)
{
    struct ui_rect r;
    (void)st;
    r = ui_layout_center(40, 120, 10, 60);
    assert_int_equal(r.h, 10);
    assert_int_equal(r.w, 60);
    assert_int_equal(r.y, 15);
    assert_int_equal(r.x, 30);
    r = ui_layout_center(16, 60, 30, 100);
    assert_int_equal(r.h, 14);
    assert_int_equal(r.w, 58);
    assert_int_equal(r.y, 1);
    assert_int_equal(r.x, 1);
    r = ui_layout_center(1, 1, 5, 5);
    assert_int_equal(r.h, 0);
    assert_int_equal(r.w, 0);
}

static void set_dep(struct dep_snapshot *d, const char *id, const char *group, bool primary)
{
    memset(d, 0, sizeof *d);
    snprintf(d->id, sizeof d->id, "%s", id);
    snprintf(d->group, sizeof d->group, "%s", group);
    d->is_primary = primary;
}

static void test_ui_layout_order_groups_primary_first(void **st)
{
    struct dep_snapshot d[5];
    int order[5];
    (void)st;
    set_dep(&d[0], "haiku-zai", "haiku", false);
    set_dep(&d[1], "cerebras", "glm", true);
    set_dep(&d[2], "zai", "glm-zai", false);
    set_dep(&d[3], "cerebras-2", "glm", true);
    set_dep(&d[4], "haiku-2", "haiku", false);
    assert_int_equal(ui_layout_order(d, 5, order), 3);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 3);
    assert_int_equal(order[2], 0);
    assert_int_equal(order[3], 4);
    assert_int_equal(order[4], 2);
}

static void test_ui_layout_order_config_order_kept(void **st)
{
    struct dep_snapshot d[2];
    int order[2];
    (void)st;
    set_dep(&d[0], "cerebras", "glm", false);
    set_dep(&d[1], "zai", "glm", false);
    assert_int_equal(ui_layout_order(d, 2, order), 1);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 1);
    assert_int_equal(ui_layout_order(d, 0, order), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ui_layout_full_cards_when_room),
        cmocka_unit_test(test_ui_layout_cards_shrink),
        cmocka_unit_test(test_ui_layout_providers_cut_log_keeps_min),
        cmocka_unit_test(test_ui_layout_too_small),
        cmocka_unit_test(test_ui_layout_no_deployments),
        cmocka_unit_test(test_ui_layout_center),
        cmocka_unit_test(test_ui_layout_order_groups_primary_first),
        cmocka_unit_test(test_ui_layout_order_config_order_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
