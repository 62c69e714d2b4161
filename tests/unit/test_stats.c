/* Unit tests for the cumulative parts of stats: histogram buckets, status-code tables, served
 * and fallback counts, and the input-token calibration used by the proactive budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "route/stats.h"

static void test_hist_bounds_ascend_and_end_in_inf(void **state)
{
    for (int i = 1; i < STATS_HIST - 1; i++)
        assert_true(stats_hist_bound_s(i) > stats_hist_bound_s(i - 1));
    assert_true(isinf(stats_hist_bound_s(STATS_HIST - 1)));
    assert_true(stats_hist_bound_s(-1) < 0);
    assert_true(stats_hist_bound_s(STATS_HIST) < 0);
}

static void test_hist_bucket_edges(void **state)
{
    struct stats_hist h;
    memset(&h, 0, sizeof h);
    stats_hist_add(&h, 0);      /* first bucket */
    stats_hist_add(&h, 25);     /* exactly the first bound: le is inclusive */
    stats_hist_add(&h, 25.001); /* just above: second bucket */
    stats_hist_add(&h, 1e9);    /* beyond the last bound: +Inf */
    stats_hist_add(&h, -1);     /* ignored */
    stats_hist_add(&h, NAN);    /* ignored */
    assert_int_equal(h.count[0], 2);
    assert_int_equal(h.count[1], 1);
    assert_int_equal(h.count[STATS_HIST - 1], 1);
    assert_int_equal(h.n, 4);
    assert_float_equal(h.sum_s, 0.025 + 0.025001 + 1e6, 1e-6);
}

static void test_attempts_fill_histograms_and_codes(void **state)
{
    struct dep_stats s;
    stats_init(&s);
    stats_attempt(&s, true, 200, ERRC_NONE, 10, 20, 700, 120, 1000);
    stats_attempt(&s, true, 200, ERRC_NONE, 10, 20, 300, -1, 1000); /* not streamed */
    stats_attempt(&s, false, 429, ERRC_RATE_LIMIT, 0, 0, 5, -1, 1000);
    stats_attempt(&s, false, 0, ERRC_CONNECT, 0, 0, 5, -1, 1000);
    assert_int_equal(s.lat_hist.n, 2); /* successes only, like the percentiles */
    assert_int_equal(s.ttft_hist.n, 1);
    assert_int_equal(s.codes.n, 3);
    assert_int_equal(s.codes.c[0].code, 200);
    assert_int_equal(s.codes.c[0].n, 2);
    assert_int_equal(s.codes.c[1].code, 429);
    assert_int_equal(s.codes.c[2].code, 0);
}

static void test_code_table_overflows_into_other(void **state)
{
    struct stats_codes t;
    memset(&t, 0, sizeof t);
    for (int code = 400; code < 400 + STATS_CODES + 5; code++)
        stats_code_count(&t, code);
    stats_code_count(&t, 400);
    assert_int_equal(t.n, STATS_CODES);
    assert_int_equal(t.c[0].n, 2);
    assert_int_equal(t.c[STATS_CODES - 1].code, STATS_CODE_OTHER);
    assert_int_equal(t.c[STATS_CODES - 1].n, 6); /* 17 distinct codes, 11 with their own slot */
}

static void test_served_and_fallbacks(void **state)
{
    struct dep_stats s;
    stats_init(&s);
    stats_served(&s, 200, false);
    stats_served(&s, 200, true);
    stats_served(&s, 502, true);
    assert_int_equal(s.fallbacks, 2);
    assert_int_equal(s.served.n, 2);
    assert_int_equal(s.served.c[0].n, 2);
}

static void test_token_ratio(void **state)
{
    struct dep_stats s;
    stats_init(&s);
    assert_float_equal(stats_token_ratio(&s), 1.0, 1e-9); /* nothing learnt: as estimated */
    stats_token_sample(&s, 50, 10);                       /* too small to learn from */
    stats_token_sample(&s, 1000, 0);                      /* the provider said nothing */
    assert_float_equal(stats_token_ratio(&s), 1.0, 1e-9);
    stats_token_sample(&s, 10000, 7000);
    stats_token_sample(&s, 10000, 7500);
    stats_token_sample(&s, 10000, 7200);
    /* the largest recent ratio plus 3%: an under-estimate costs a 429 */
    assert_float_equal(stats_token_ratio(&s), 0.75 * 1.03, 1e-6);
    for (int i = 0; i < STATS_CALIB; i++)
        stats_token_sample(&s, 10000, 6000);
    assert_float_equal(stats_token_ratio(&s), 0.6 * 1.03, 1e-6); /* old samples age out */
    stats_token_sample(&s, 1000, 100000);
    assert_float_equal(stats_token_ratio(&s), 4.0, 1e-9); /* clamped */
    for (int i = 0; i < STATS_CALIB; i++)
        stats_token_sample(&s, 100000, 1000);
    assert_float_equal(stats_token_ratio(&s), 0.25, 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hist_bounds_ascend_and_end_in_inf),
        cmocka_unit_test(test_hist_bucket_edges),
        cmocka_unit_test(test_attempts_fill_histograms_and_codes),
        cmocka_unit_test(test_code_table_overflows_into_other),
        cmocka_unit_test(test_served_and_fallbacks),
        cmocka_unit_test(test_token_ratio),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
