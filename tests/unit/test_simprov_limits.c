/* Unit tests for the simulated providers' limits (simprov_limits): one test per rule the real
 * providers keep, with the time passed in. The HTTP side (bodies, headers) is in
 * test_simprov.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/simprov_limits.h"

#define T0 1000000

static struct simlim *lim_new(struct simlim_opts o)
{
    struct simlim *l = malloc(sizeof *l);
    assert_non_null(l);
    simlim_init(l, &o, T0);
    return l;
}

/* Cerebras: "capacity replenishes continuously rather than resetting at fixed intervals". */
static void test_simlim_buckets_refill_continuously(void **state)
{
    struct simlim *l = lim_new((struct simlim_opts){.rpm = 10});
    int w = -1;
    for (int k = 0; k < 10; k++)
        assert_int_equal(simlim_admit_buckets(l, T0, 10, &w), SIMLIM_OK);
    assert_int_equal(simlim_admit_buckets(l, T0, 10, &w), SIMLIM_REQUESTS);
    assert_int_equal(w, 0);
    /* one request comes back every 6 s, not all ten at the next minute */
    assert_int_equal(simlim_admit_buckets(l, T0 + 5999, 10, &w), SIMLIM_REQUESTS);
    assert_int_equal(simlim_admit_buckets(l, T0 + 6000, 10, &w), SIMLIM_OK);
    assert_int_equal(simlim_admit_buckets(l, T0 + 6001, 10, &w), SIMLIM_REQUESTS);
    free(l);
}

/* Requests and tokens per minute, hour and day; whichever runs out first refuses, and the
 * refusal names it (minute before hour before day). */
static void test_simlim_hour_and_day_buckets(void **state)
{
    struct simlim *l = lim_new((struct simlim_opts){.rph = 3, .rpd = 4, .tpd = 1000});
    int w = -1;
    for (int k = 0; k < 3; k++)
        assert_int_equal(simlim_admit_buckets(l, T0, 100, &w), SIMLIM_OK);
    assert_int_equal(simlim_admit_buckets(l, T0, 100, &w), SIMLIM_REQUESTS);
    assert_int_equal(w, 1);
    /* an hour later the hour bucket is full again, but the day has one request left */
    assert_int_equal(simlim_admit_buckets(l, T0 + 3600000, 100, &w), SIMLIM_OK);
    assert_int_equal(simlim_admit_buckets(l, T0 + 3600001, 100, &w), SIMLIM_REQUESTS);
    assert_int_equal(w, 2);
    free(l);
    l = lim_new((struct simlim_opts){.tpd = 1000});
    assert_int_equal(simlim_admit_buckets(l, T0, 900, &w), SIMLIM_OK);
    assert_int_equal(simlim_admit_buckets(l, T0, 200, &w), SIMLIM_TOKENS);
    assert_int_equal(w, 2);
    free(l);
}

/* Booked on arrival: input + the whole budget, refused if that does not fit even when the
 * answer would be short, and never given back. */
static void test_simlim_books_the_budget_up_front(void **state)
{
    struct simlim *l = lim_new((struct simlim_opts){.tpm = 100000});
    int w = -1;
    long booking = simlim_booking(l, 10000, 32000);
    assert_int_equal(booking, 42000);
    assert_int_equal(simlim_admit_buckets(l, T0, booking, &w), SIMLIM_OK);
    assert_int_equal(simlim_admit_buckets(l, T0, booking, &w), SIMLIM_OK);
    /* 16000 left: a request with a 4096 budget fits, one with 32000 does not */
    assert_int_equal(simlim_admit_buckets(l, T0, simlim_booking(l, 10000, 32000), &w),
                     SIMLIM_TOKENS);
    assert_int_equal(w, 0);
    assert_int_equal(simlim_admit_buckets(l, T0, simlim_booking(l, 10000, 4096), &w), SIMLIM_OK);
    free(l);
}

/* No budget sent: the model's maximum sequence length minus the input is booked. */
static void test_simlim_books_msl_without_a_budget(void **state)
{
    struct simlim *l = lim_new((struct simlim_opts){0});
    assert_int_equal(simlim_booking(l, 1000, -1), 131072);
    assert_int_equal(simlim_booking(l, 200000, -1), 200000);
    assert_int_equal(simlim_booking(l, 1000, 0), 1000);
    free(l);
    l = lim_new((struct simlim_opts){.msl = 65536});
    assert_int_equal(simlim_booking(l, 1000, -1), 65536);
    free(l);
}

static const char *line_of(const char *headers, const char *name, char *out, size_t cap)
{
    const char *p = strstr(headers, name);
    if (!p)
        return NULL;
    p += strlen(name) + 2;
    size_t n = strcspn(p, "\r");
    snprintf(out, cap, "%.*s", (int)n, p);
    return out;
}

/* Headers: requests-day and tokens-minute always, requests-minute and tokens-day when
 * limited; remaining in whole units after the booking; reset until that count next goes up,
 * the whole window when the bucket is full. */
static void test_simlim_headers(void **state)
{
    struct simlim *l = lim_new((struct simlim_opts){.rpm = 10, .tpd = 1000000});
    char h[1024], v[64];
    int w;
    simlim_headers(l, T0, h, sizeof h);
    assert_string_equal(line_of(h, "x-ratelimit-limit-requests-day", v, sizeof v), "1000000000");
    assert_string_equal(line_of(h, "x-ratelimit-limit-tokens-minute", v, sizeof v), "1000000000");
    assert_string_equal(line_of(h, "x-ratelimit-reset-requests-minute", v, sizeof v), "60.00");
    assert_null(line_of(h, "x-ratelimit-limit-tokens-hour", v, sizeof v));
    assert_int_equal(simlim_admit_buckets(l, T0, 20000, &w), SIMLIM_OK);
    simlim_headers(l, T0, h, sizeof h);
    assert_string_equal(line_of(h, "x-ratelimit-remaining-requests-minute", v, sizeof v), "9");
    assert_string_equal(line_of(h, "x-ratelimit-reset-requests-minute", v, sizeof v), "6.00");
    assert_string_equal(line_of(h, "x-ratelimit-remaining-tokens-day", v, sizeof v), "980000");
    assert_string_equal(line_of(h, "x-ratelimit-remaining-tokens-minute", v, sizeof v),
                        "999980000");
    /* a second later: 9 + 1/6 left, the tenth is back in 5 s; the day got 11.6 tokens back */
    simlim_headers(l, T0 + 1000, h, sizeof h);
    assert_string_equal(line_of(h, "x-ratelimit-reset-requests-minute", v, sizeof v), "5.00");
    assert_string_equal(line_of(h, "x-ratelimit-remaining-tokens-day", v, sizeof v), "980011");
    free(l);
}

/* Z.AI: past the concurrency limit comes 1302; an answer's end frees its place. */
static void test_simlim_zai_concurrency(void **state)
{
    struct simlim *l = lim_new((struct simlim_opts){.concurrency = 2});
    double reset = 0;
    assert_int_equal(simlim_admit_zai(l, 1.8e9, &reset), SIMLIM_OK);
    assert_int_equal(simlim_admit_zai(l, 1.8e9, &reset), SIMLIM_OK);
    assert_int_equal(simlim_admit_zai(l, 1.8e9, &reset), SIMLIM_CONCURRENCY);
    simlim_done(l);
    assert_int_equal(simlim_admit_zai(l, 1.8e9, &reset), SIMLIM_OK);
    free(l);
}

/* Z.AI's Coding Plan: so many prompts per 5-hour window, then 1308 until the window ends. */
static void test_simlim_zai_plan_window(void **state)
{
    struct simlim *l = lim_new((struct simlim_opts){.plan_prompts = 2});
    double reset = 0, t = 1.8e9;
    assert_int_equal(simlim_admit_zai(l, t, &reset), SIMLIM_OK);
    simlim_done(l);
    assert_int_equal(simlim_admit_zai(l, t + 60, &reset), SIMLIM_OK);
    simlim_done(l);
    assert_int_equal(simlim_admit_zai(l, t + 120, &reset), SIMLIM_PLAN);
    assert_float_equal(reset, t + 5 * 3600, 1e-6);
    assert_int_equal(simlim_admit_zai(l, t + 5 * 3600, &reset), SIMLIM_OK);
    free(l);
}

/* Prefix caching in 128-token blocks, kept 5 minutes after their last use. */
static void test_simlim_prompt_cache(void **state)
{
    struct simlim *l = lim_new((struct simlim_opts){0});
    char *p = malloc(4096);
    assert_non_null(p);
    for (int i = 0; i < 4096; i++)
        p[i] = (char)('a' + (i * 7) % 26);
    /* 4096 bytes = 1024 tokens = 8 blocks; 600 bytes = 1 whole block */
    assert_int_equal(simlim_cached_tokens(l, p, 600, T0), 0);
    assert_int_equal(simlim_cached_tokens(l, p, 4096, T0 + 1), 128);
    assert_int_equal(simlim_cached_tokens(l, p, 4096, T0 + 2), 1024);
    p[1000] = '#'; /* a change in the second block: only the first still matches */
    assert_int_equal(simlim_cached_tokens(l, p, 4096, T0 + 3), 128);
    assert_int_equal(simlim_cached_tokens(l, p, 4096, T0 + 3 + SIMLIM_CACHE_KEEP - 1), 1024);
    assert_int_equal(simlim_cached_tokens(l, p, 4096, T0 + 3 + 2 * SIMLIM_CACHE_KEEP), 0);
    free(p);
    free(l);
}

static void test_simlim_beijing_time(void **state)
{
    char s[20];
    simlim_beijing_time(1788903508.0, s); /* 2026-09-08 21:38:28Z */
    assert_string_equal(s, "2026-09-09 05:38:28");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simlim_buckets_refill_continuously),
        cmocka_unit_test(test_simlim_hour_and_day_buckets),
        cmocka_unit_test(test_simlim_books_the_budget_up_front),
        cmocka_unit_test(test_simlim_books_msl_without_a_budget),
        cmocka_unit_test(test_simlim_headers),
        cmocka_unit_test(test_simlim_zai_concurrency),
        cmocka_unit_test(test_simlim_zai_plan_window),
        cmocka_unit_test(test_simlim_prompt_cache),
        cmocka_unit_test(test_simlim_beijing_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
