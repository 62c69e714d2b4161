/* Unit tests for ui_format: every string the dashboard shows for durations, rates, sizes,
 * badges, trails and log rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "core/errmap.h"
#include "route/router.h"
#include "ui/ui_format.h"

static char buf[1024];

static void test_ui_format_duration(void **st)
{
    (void)st;
    assert_string_equal(ui_fmt_duration(buf, sizeof buf, 23000), "00:23");
    assert_string_equal(ui_fmt_duration(buf, sizeof buf, 22001), "00:23");
    assert_string_equal(ui_fmt_duration(buf, sizeof buf, 0), "00:00");
    assert_string_equal(ui_fmt_duration(buf, sizeof buf, -5), "00:00");
    assert_string_equal(ui_fmt_duration(buf, sizeof buf, 725000), "12:05");
    assert_string_equal(ui_fmt_duration(buf, sizeof buf, 3599000), "59:59");
    assert_string_equal(ui_fmt_duration(buf, sizeof buf, 3723000), "1:02:03");
    assert_string_equal(ui_fmt_duration(buf, sizeof buf, 100LL * 3600 * 1000), "100:00:00");
}

static void test_ui_format_rate(void **st)
{
    (void)st;
    assert_string_equal(ui_fmt_rate(buf, sizeof buf, 7.2), "7.2/min");
    assert_string_equal(ui_fmt_rate(buf, sizeof buf, 7), "7/min"); /* a count of the last 60 s */
    assert_string_equal(ui_fmt_rate(buf, sizeof buf, 0), "0/min");
    assert_string_equal(ui_fmt_rate(buf, sizeof buf, 120.4), "120/min");
    assert_string_equal(ui_fmt_rate(buf, sizeof buf, -1), "-");
}

static void test_ui_format_ms(void **st)
{
    (void)st;
    assert_string_equal(ui_fmt_ms(buf, sizeof buf, 95), "95ms");
    assert_string_equal(ui_fmt_ms(buf, sizeof buf, 0), "0ms");
    assert_string_equal(ui_fmt_ms(buf, sizeof buf, 999.7), "1.0s");
    assert_string_equal(ui_fmt_ms(buf, sizeof buf, 1234), "1.2s");
    assert_string_equal(ui_fmt_ms(buf, sizeof buf, 42000), "42s");
    assert_string_equal(ui_fmt_ms(buf, sizeof buf, 185000), "3m05s");
    assert_string_equal(ui_fmt_ms(buf, sizeof buf, -1), "-");
}

static void test_ui_format_count(void **st)
{
    (void)st;
    assert_string_equal(ui_fmt_count(buf, sizeof buf, 310), "310");
    assert_string_equal(ui_fmt_count(buf, sizeof buf, 1234), "1.2k");
    assert_string_equal(ui_fmt_count(buf, sizeof buf, 9999), "10k");
    assert_string_equal(ui_fmt_count(buf, sizeof buf, 42000), "42k");
    assert_string_equal(ui_fmt_count(buf, sizeof buf, 1300000), "1.3M");
    assert_string_equal(ui_fmt_count(buf, sizeof buf, 42e6), "42M");
    assert_string_equal(ui_fmt_count(buf, sizeof buf, -1), "-");
}

static void test_ui_format_tok_per_s(void **st)
{
    (void)st;
    assert_string_equal(ui_fmt_tok_per_s(buf, sizeof buf, 850.2), "850 tok/s");
    assert_string_equal(ui_fmt_tok_per_s(buf, sizeof buf, 42.5), "42.5 tok/s");
    assert_string_equal(ui_fmt_tok_per_s(buf, sizeof buf, 0), "- tok/s");
}

static void test_ui_format_truncates(void **st)
{
    char small[4];
    (void)st;
    assert_string_equal(ui_fmt_ms(small, sizeof small, 1234), "1.2");
    assert_string_equal(ui_fmt_duration(small, sizeof small, 3723000), "1:0");
    assert_string_equal(ui_fmt_rate(small, 1, 7), "");
}

static void test_ui_format_clock_local(void **st)
{
    (void)st;
    /* main() sets TZ=UTC. 1700000000 = 2023-11-14 22:13:20 UTC. */
    assert_string_equal(ui_fmt_clock(buf, sizeof buf, 1700000000123LL), "22:13:20");
}

static void add_attempt(struct request_rec *r, const char *dep, int status, enum err_class c)
{
    struct attempt_rec *a = &r->attempts[r->n_attempts++];
    snprintf(a->dep, sizeof a->dep, "%s", dep);
    a->status = status;
    a->cls = c;
}

static void fallback_rec(struct request_rec *r)
{
    memset(r, 0, sizeof *r);
    r->wall_ms = 1700000000000LL;
    r->client_api = API_ANTHROPIC;
    snprintf(r->model, sizeof r->model, "claude-sonnet-4");
    snprintf(r->group, sizeof r->group, "glm-4.6");
    snprintf(r->served_by, sizeof r->served_by, "zai");
    r->status = 200;
    r->latency_ms = 1234;
    r->ttft_ms = 210;
    r->tokens_in = 42000;
    r->tokens_out = 1234;
    add_attempt(r, "cerebras", 429, ERRC_RATE_LIMIT);
    add_attempt(r, "zai", 200, ERRC_NONE);
}

static void test_ui_format_trail(void **st)
{
    struct request_rec r;
    char want[128];
    (void)st;
    fallback_rec(&r);
    assert_string_equal(ui_fmt_trail(buf, sizeof buf, &r, true),
                        "cerebras 429 \xe2\x86\x92 zai 200");
    assert_string_equal(ui_fmt_trail(buf, sizeof buf, &r, false), "cerebras 429 -> zai 200");
    assert_true(ui_rec_has_trail(&r));

    r.n_attempts = 0;
    add_attempt(&r, "cerebras", 0, ERRC_TIMEOUT);
    add_attempt(&r, "zai", -1, ERRC_NONE);
    snprintf(want, sizeof want, "cerebras %s -> zai skip", errmap_class_name(ERRC_TIMEOUT));
    assert_string_equal(ui_fmt_trail(buf, sizeof buf, &r, false), want);

    r.n_attempts = 1;
    assert_false(ui_rec_has_trail(&r));
    r.n_attempts = 0;
    assert_string_equal(ui_fmt_trail(buf, sizeof buf, &r, true), "");
}

static void test_ui_format_trail_bad_count(void **st)
{
    struct request_rec r;
    (void)st;
    fallback_rec(&r);
    r.n_attempts = 1000; /* corrupt input must not read past the array */
    ui_fmt_trail(buf, sizeof buf, &r, false);
    assert_non_null(strstr(buf, "cerebras 429 -> zai 200"));
    r.n_attempts = -3;
    assert_string_equal(ui_fmt_trail(buf, sizeof buf, &r, false), "");
}

static void test_ui_format_filter(void **st)
{
    struct request_rec r;
    (void)st;
    fallback_rec(&r);
    assert_true(ui_rec_matches(&r, NULL));
    assert_true(ui_rec_matches(&r, ""));
    assert_true(ui_rec_matches(&r, "SONNET"));
    assert_true(ui_rec_matches(&r, "glm"));
    assert_true(ui_rec_matches(&r, "zai"));
    assert_true(ui_rec_matches(&r, "cerebras")); /* a provider in the trail */
    assert_true(ui_rec_matches(&r, "200"));
    assert_true(ui_rec_matches(&r, "anthropic"));
    assert_false(ui_rec_matches(&r, "openrouter"));
    assert_false(ui_rec_matches(&r, "500"));
}

static void test_ui_format_log_row(void **st)
{
    struct request_rec r;
    char head[256];
    (void)st;
    fallback_rec(&r);
    ui_fmt_log_row(buf, sizeof buf, &r, false, 120);
    assert_non_null(strstr(buf, "22:13:20 Anthropic claude-sonnet-4"));
    assert_non_null(strstr(buf, " zai "));
    assert_non_null(strstr(buf, " 200 "));
    assert_non_null(strstr(buf, " 1.2s "));
    assert_non_null(strstr(buf, " 210ms "));
    assert_non_null(strstr(buf, " 42k "));
    assert_non_null(strstr(buf, "cerebras 429 -> zai 200"));
    /* Columns line up with the header. */
    ui_fmt_log_header(head, sizeof head, 120);
    assert_int_equal(strstr(head, "PROVIDER") - head, strstr(buf, "zai ") - buf);
    assert_int_equal(strstr(head, "TRAIL") - head, strstr(buf, "cerebras") - buf);

    r.n_attempts = 1;
    r.served_by[0] = '\0';
    r.status = 0;
    r.ttft_ms = -1;
    ui_fmt_log_row(buf, sizeof buf, &r, false, 120);
    assert_null(strstr(buf, "->"));
    assert_int_not_equal(buf[strlen(buf) - 1], ' ');
}

static void test_ui_format_log_row_narrow(void **st)
{
    struct request_rec r;
    char head[256];
    (void)st;
    fallback_rec(&r);
    ui_fmt_log_row(buf, sizeof buf, &r, false, 78);
    ui_fmt_log_header(head, sizeof head, 78);
    /* The API column goes; tokens and the start of the trail fit in 78 columns. */
    assert_null(strstr(buf, "Anthropic"));
    assert_null(strstr(head, "API"));
    assert_int_equal(strstr(head, "PROVIDER") - head, strstr(buf, "zai ") - buf);
    assert_true(strstr(buf, " 1.2k ") - buf < 78);
    assert_true(strstr(buf, "cerebras 429") - buf < 78);
}

static void test_ui_format_log_row_long_utf8_model(void **st)
{
    struct request_rec r;
    char head[256];
    (void)st;
    fallback_rec(&r);
    /* 30 two-byte characters: cut at whole characters, still aligned. */
    memset(r.model, 0, sizeof r.model);
    for (int i = 0; i < 30; i++)
        memcpy(r.model + 2 * i, "\xc3\xa9", 2);
    ui_fmt_log_row(buf, sizeof buf, &r, true, 120);
    ui_fmt_log_header(head, sizeof head, 120);
    assert_int_equal(ui_utf8_width(head) - ui_utf8_width(strstr(head, "PROVIDER")),
                     ui_utf8_width(buf) - ui_utf8_width(strstr(buf, "zai ")));
}

static void dep(struct dep_snapshot *d, enum dep_status s, int64_t remaining)
{
    memset(d, 0, sizeof *d);
    snprintf(d->id, sizeof d->id, "cerebras");
    snprintf(d->name, sizeof d->name, "cerebras");
    d->enabled = true;
    d->view.status = s;
    d->remaining_ms = remaining;
}

static void test_ui_format_badge(void **st)
{
    struct dep_snapshot d;
    (void)st;
    dep(&d, DEP_READY, 0);
    assert_string_equal(ui_fmt_badge(buf, sizeof buf, &d, false), "READY");
    assert_int_equal(ui_badge_tone(&d, false), UI_TONE_OK);

    dep(&d, DEP_COOLDOWN, 22500);
    assert_string_equal(ui_fmt_badge(buf, sizeof buf, &d, false), "COOLDOWN 00:23");
    assert_int_equal(ui_badge_tone(&d, false), UI_TONE_WARN);

    dep(&d, DEP_NO_KEY, 0);
    snprintf(d.key_env, sizeof d.key_env, "CEREBRAS_API_KEY");
    assert_string_equal(ui_fmt_badge(buf, sizeof buf, &d, false), "NO KEY");
    assert_int_equal(ui_badge_tone(&d, false), UI_TONE_DIM);

    dep(&d, DEP_AUTH_FAILED, 0);
    assert_string_equal(ui_fmt_badge(buf, sizeof buf, &d, false), "AUTH FAILED");
    assert_int_equal(ui_badge_tone(&d, false), UI_TONE_BAD);

    dep(&d, DEP_QUOTA, 3723000);
    assert_string_equal(ui_fmt_badge(buf, sizeof buf, &d, false), "QUOTA 1:02:03");
    assert_int_equal(ui_badge_tone(&d, false), UI_TONE_BAD);

    /* no clock ends it: no countdown, red */
    dep(&d, DEP_MODEL_GONE, 0);
    assert_string_equal(ui_fmt_badge(buf, sizeof buf, &d, false), "MODEL GONE");
    assert_int_equal(ui_badge_tone(&d, false), UI_TONE_BAD);

    dep(&d, DEP_RPM_FULL, 4000);
    assert_string_equal(ui_fmt_badge(buf, sizeof buf, &d, false), "RPM FULL 00:04");
    assert_int_equal(ui_badge_tone(&d, false), UI_TONE_WARN);

    dep(&d, DEP_PROBING, 0);
    assert_string_equal(ui_fmt_badge(buf, sizeof buf, &d, false), "PROBING");
    dep(&d, DEP_TPM_LOW, 0);
    assert_string_equal(ui_fmt_badge(buf, sizeof buf, &d, false), "TPM LOW");
    assert_int_equal(ui_badge_tone(&d, false), UI_TONE_WARN);
}

static void test_ui_format_badge_disabled_wins(void **st)
{
    struct dep_snapshot d;
    (void)st;
    dep(&d, DEP_COOLDOWN, 5000);
    d.enabled = false;
    assert_string_equal(ui_fmt_badge(buf, sizeof buf, &d, false), "DISABLED");
    assert_int_equal(ui_badge_tone(&d, false), UI_TONE_DIM);
    assert_int_equal(ui_dep_status(&d), DEP_DISABLED);
}

static void test_ui_format_status_tone(void **st)
{
    (void)st;
    assert_int_equal(ui_status_tone(200), UI_TONE_OK);
    assert_int_equal(ui_status_tone(429), UI_TONE_WARN);
    assert_int_equal(ui_status_tone(502), UI_TONE_BAD);
    assert_int_equal(ui_status_tone(499), UI_TONE_DIM); /* a client that left is no failure */
    assert_int_equal(ui_status_tone(0), UI_TONE_BAD);
    assert_string_equal(ui_api_label(API_OPENAI), "OpenAI");
    assert_string_equal(ui_api_label(API_ANTHROPIC), "Anthropic");
}

static void test_ui_format_utf8_width(void **st)
{
    const char *s = "a\xe2\x96\x81"
                    "b\xc3\xa9";
    (void)st;
    assert_int_equal(ui_utf8_width(s), 4);
    assert_int_equal(ui_utf8_prefix(s, 0), 0);
    assert_int_equal(ui_utf8_prefix(s, -2), 0);
    assert_int_equal(ui_utf8_prefix(s, 1), 1);
    assert_int_equal(ui_utf8_prefix(s, 2), 4);
    assert_int_equal(ui_utf8_prefix(s, 3), 5);
    assert_int_equal(ui_utf8_prefix(s, 4), 7);
    assert_int_equal(ui_utf8_prefix(s, 99), 7);
}

static void test_ui_format_trail_fit(void **st)
{
    struct request_rec r;
    (void)st;
    fallback_rec(&r);
    snprintf(r.served_by, sizeof r.served_by, "zai/glm-4.6");
    r.n_attempts = 0;
    add_attempt(&r, "cerebras", 429, ERRC_RATE_LIMIT);
    add_attempt(&r, "zai/glm-4.6", 200, ERRC_NONE);
    /* Fits: the whole ids. */
    assert_string_equal(ui_fmt_trail_fit(buf, sizeof buf, &r, false, 40),
                        "cerebras 429 -> zai/glm-4.6 200");
    /* Too long: provider names only. */
    assert_string_equal(ui_fmt_trail_fit(buf, sizeof buf, &r, false, 25),
                        "cerebras 429 -> zai 200");
    /* Still too long: the served attempt goes, the row's columns name it. */
    assert_string_equal(ui_fmt_trail_fit(buf, sizeof buf, &r, false, 16), "cerebras 429 ->");
    assert_string_equal(ui_fmt_trail_fit(buf, sizeof buf, &r, true, 16),
                        "cerebras 429 \xe2\x86\x92");
    assert_string_equal(ui_fmt_trail_fit(buf, sizeof buf, &r, false, -5), "cerebras 429 ->");
    /* Nobody served: every attempt stays, the caller cuts. */
    r.served_by[0] = '\0';
    r.attempts[1].status = 0;
    r.attempts[1].cls = ERRC_TIMEOUT;
    ui_fmt_trail_fit(buf, sizeof buf, &r, false, 10);
    assert_non_null(strstr(buf, "cerebras 429 -> zai "));
}

static void test_ui_format_log_row_narrow_trail(void **st)
{
    struct request_rec r;
    char head[256];
    (void)st;
    fallback_rec(&r);
    snprintf(r.served_by, sizeof r.served_by, "zai/zai-glm-4.6");
    r.attempts[1] = r.attempts[0];
    snprintf(r.attempts[1].dep, sizeof r.attempts[1].dep, "zai/zai-glm-4.6");
    r.attempts[1].status = 200;
    /* 80 columns: the provider by name, and the failed attempt of the trail fits. */
    ui_fmt_log_row(buf, sizeof buf, &r, true, 78);
    ui_fmt_log_header(head, sizeof head, 78);
    assert_true(ui_utf8_width(buf) <= 78);
    assert_non_null(strstr(buf, " zai "));
    assert_null(strstr(buf, "zai/zai"));
    assert_non_null(strstr(buf, "cerebras 429 \xe2\x86\x92"));
    assert_int_equal(strstr(head, "PROVIDER") - head, strstr(buf, "zai ") - buf);
    /* Wide: the whole id in its column and in the trail. */
    ui_fmt_log_row(buf, sizeof buf, &r, false, 140);
    assert_non_null(strstr(buf, "cerebras 429 -> zai/zai-glm-4.6 200"));
}

static void test_ui_format_badge_forced(void **st)
{
    struct dep_snapshot d;
    (void)st;
    dep(&d, DEP_READY, 0);
    d.is_primary = true;
    assert_true(ui_dep_bypassed(&d, true));
    assert_false(ui_dep_bypassed(&d, false));
    assert_string_equal(ui_fmt_badge(buf, sizeof buf, &d, true), "BYPASSED");
    assert_int_equal(ui_badge_tone(&d, true), UI_TONE_WARN);
    assert_string_equal(ui_fmt_badge(buf, sizeof buf, &d, false), "READY");
    /* A countdown says more than BYPASSED, and so does DISABLED. */
    dep(&d, DEP_COOLDOWN, 9000);
    d.is_primary = true;
    assert_string_equal(ui_fmt_badge(buf, sizeof buf, &d, true), "COOLDOWN 00:09");
    d.enabled = false;
    assert_string_equal(ui_fmt_badge(buf, sizeof buf, &d, true), "DISABLED");
    /* A fallback deployment is what forced fallback uses. */
    dep(&d, DEP_READY, 0);
    assert_false(ui_dep_bypassed(&d, true));
    assert_string_equal(ui_fmt_badge(buf, sizeof buf, &d, true), "READY");
}

static void test_ui_format_p50_p95(void **st)
{
    struct dep_snapshot d;
    (void)st;
    dep(&d, DEP_READY, 0);
    /* The core reports 0 without samples: no answer yet is "-", not "0ms". */
    assert_string_equal(ui_fmt_p50_p95(buf, sizeof buf, &d, 0, 0), "-");
    d.n_ok = 3;
    assert_string_equal(ui_fmt_p50_p95(buf, sizeof buf, &d, 95, 1234), "95ms/1.2s");
    assert_string_equal(ui_fmt_p50_p95(buf, 4, &d, 95, 1234), "95m");
}

/* A card names the model that serves: "cerebras gpt-oss-120b", "zai glm-5.2". */
static void test_ui_format_dep_label(void **st)
{
    struct dep_snapshot d;
    (void)st;
    memset(&d, 0, sizeof d);
    snprintf(d.id, sizeof d.id, "zai/zai-glm");
    snprintf(d.name, sizeof d.name, "zai");
    snprintf(d.model, sizeof d.model, "glm-5.2");
    assert_string_equal(ui_fmt_dep_label(buf, sizeof buf, &d), "zai glm-5.2");
    snprintf(d.model, sizeof d.model, "%s", "");
    assert_string_equal(ui_fmt_dep_label(buf, sizeof buf, &d), "zai/zai-glm");
    char small[6];
    snprintf(d.model, sizeof d.model, "gpt-oss-120b");
    assert_string_equal(ui_fmt_dep_label(small, sizeof small, &d), "zai g");
}

/* Today's requests of all instances: shown only while shared and known, whole or shortened,
 * never cut into a smaller number. */
static void test_ui_format_shared_today(void **st)
{
    (void)st;
    struct snap_shared sh = {.configured = true, .up = true, .instances = 3};
    struct dep_snapshot d = {.shared_today = 37};

    assert_string_equal(ui_fmt_shared_today(buf, sizeof buf, &sh, &d, 80),
                        "today 37 (all instances)");
    assert_string_equal(ui_fmt_shared_today(buf, sizeof buf, &sh, &d, 24),
                        "today 37 (all instances)");
    assert_string_equal(ui_fmt_shared_today(buf, sizeof buf, &sh, &d, 23), "today 37 (all)");
    assert_string_equal(ui_fmt_shared_today(buf, sizeof buf, &sh, &d, 14), "today 37 (all)");
    assert_string_equal(ui_fmt_shared_today(buf, sizeof buf, &sh, &d, 13), "");
    d.shared_today = 0; /* known and zero: Redis has no booking today yet */
    assert_string_equal(ui_fmt_shared_today(buf, sizeof buf, &sh, &d, 80),
                        "today 0 (all instances)");
    d.shared_today = 12345;
    assert_string_equal(ui_fmt_shared_today(buf, sizeof buf, &sh, &d, 80),
                        "today 12k (all instances)");
    d.shared_today = -1; /* not pulled yet */
    assert_string_equal(ui_fmt_shared_today(buf, sizeof buf, &sh, &d, 80), "");
    d.shared_today = 37;
    sh.up = false; /* LOCAL ONLY */
    assert_string_equal(ui_fmt_shared_today(buf, sizeof buf, &sh, &d, 80), "");
    sh = (struct snap_shared){0}; /* no Redis configured */
    assert_string_equal(ui_fmt_shared_today(buf, sizeof buf, &sh, &d, 80), "");
    sh = (struct snap_shared){.configured = true, .up = true, .instances = 2};
    char small[15]; /* too small a buffer shortens or drops it too, never cuts the number */
    assert_string_equal(ui_fmt_shared_today(small, sizeof small, &sh, &d, 80), "today 37 (all)");
    assert_string_equal(ui_fmt_shared_today(small, 8, &sh, &d, 80), "");
    assert_ptr_equal(ui_fmt_shared_today(small, 0, &sh, &d, 80), small);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ui_format_duration),
        cmocka_unit_test(test_ui_format_rate),
        cmocka_unit_test(test_ui_format_ms),
        cmocka_unit_test(test_ui_format_count),
        cmocka_unit_test(test_ui_format_tok_per_s),
        cmocka_unit_test(test_ui_format_truncates),
        cmocka_unit_test(test_ui_format_clock_local),
        cmocka_unit_test(test_ui_format_trail),
        cmocka_unit_test(test_ui_format_trail_bad_count),
        cmocka_unit_test(test_ui_format_filter),
        cmocka_unit_test(test_ui_format_log_row),
        cmocka_unit_test(test_ui_format_log_row_narrow),
        cmocka_unit_test(test_ui_format_log_row_long_utf8_model),
        cmocka_unit_test(test_ui_format_badge),
        cmocka_unit_test(test_ui_format_dep_label),
        cmocka_unit_test(test_ui_format_badge_disabled_wins),
        cmocka_unit_test(test_ui_format_status_tone),
        cmocka_unit_test(test_ui_format_utf8_width),
        cmocka_unit_test(test_ui_format_trail_fit),
        cmocka_unit_test(test_ui_format_log_row_narrow_trail),
        cmocka_unit_test(test_ui_format_badge_forced),
        cmocka_unit_test(test_ui_format_p50_p95),
        cmocka_unit_test(test_ui_format_shared_today),
    };
    setenv("TZ", "UTC", 1);
    tzset();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
