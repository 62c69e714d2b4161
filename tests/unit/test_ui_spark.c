/* Unit tests for ui_spark: scaling and glyphs of the per-provider sparklines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ui/ui_spark.h"

static void test_ui_spark_ascii_scaled_to_max(void **st)
{
    const uint32_t s[] = {0, 1, 2, 4, 8};
    char out[32];
    (void)st;
    assert_int_equal(ui_spark(out, sizeof out, s, 5, false), 5);
    /* 0 -> lowest, 8 (max) -> highest, 1/8 rounds up to level 1. */
    assert_string_equal(out, " .:=#");
}

static void test_ui_spark_utf8_glyphs(void **st)
{
    const uint32_t s[] = {0, 6, 14};
    char out[32];
    (void)st;
    assert_int_equal(ui_spark(out, sizeof out, s, 3, true), 3);
    assert_string_equal(out, "\xe2\x96\x81\xe2\x96\x84\xe2\x96\x88"); /* ▁▄█ */
}

static void test_ui_spark_all_zero_and_empty(void **st)
{
    const uint32_t z[] = {0, 0, 0};
    char out[32];
    (void)st;
    assert_int_equal(ui_spark(out, sizeof out, z, 3, false), 3);
    assert_string_equal(out, "   ");
    assert_int_equal(ui_spark(out, sizeof out, z, 0, false), 0);
    assert_string_equal(out, "");
    assert_int_equal(ui_spark(out, sizeof out, NULL, 3, true), 0);
    assert_string_equal(out, "");
    assert_int_equal(ui_spark(out, 0, z, 3, true), 0);
}

static void test_ui_spark_trickle_visible(void **st)
{
    const uint32_t s[] = {1, 1000000};
    char out[32];
    (void)st;
    ui_spark(out, sizeof out, s, 2, false);
    assert_string_equal(out, ".#");
    assert_int_equal(ui_spark_level(UINT32_MAX, UINT32_MAX), 7);
    assert_int_equal(ui_spark_level(UINT32_MAX - 1, UINT32_MAX), 7);
    assert_int_equal(ui_spark_level(5, 0), 0);
}

static void test_ui_spark_whole_glyphs_only(void **st)
{
    const uint32_t s[] = {1, 2, 3, 4};
    char out[8]; /* room for two 3-byte glyphs and the terminator */
    (void)st;
    assert_int_equal(ui_spark(out, sizeof out, s, 4, true), 2);
    assert_int_equal(strlen(out), 6);
    assert_int_equal(ui_spark(out, 3, s, 4, false), 2);
    assert_int_equal(strlen(out), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ui_spark_ascii_scaled_to_max),
        cmocka_unit_test(test_ui_spark_utf8_glyphs),
        cmocka_unit_test(test_ui_spark_all_zero_and_empty),
        cmocka_unit_test(test_ui_spark_trickle_visible),
        cmocka_unit_test(test_ui_spark_whole_glyphs_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
