/* Unit tests for the incremental SSE parser: field grammar, line ends, caps, and the same
 * events whatever the split of the recorded streams in tests/fixtures/streams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sse.h"

#ifndef FIXTURES_DIR
#error "FIXTURES_DIR must point at tests/fixtures"
#endif

/* Events serialised as "<event>|<data>\n---\n" so whole runs compare as one string. */
static int collect(void *ud, const struct sse_event *ev)
{
    struct buf *b = ud;
    assert_int_equal(strlen(ev->data), ev->data_len);
    int rc = buf_printf(b, "%s|", ev->event);
    if (rc == 0)
        rc = buf_append(b, ev->data, ev->data_len);
    if (rc == 0)
        rc = buf_puts(b, "\n---\n");
    return rc;
}

/* Feeds s in pieces of `chunk` bytes (0 = whole), or in two pieces at split; then finishes. */
static int parse(const char *s, size_t n, size_t max, size_t chunk, size_t split, struct buf *out)
{
    struct sse_parser p;
    sse_parser_init(&p, max);
    int rc = 0;
    size_t i = 0;
    while (i < n && rc == 0) {
        size_t k = chunk ? chunk : (split && i < split ? split : n - i);
        if (k > n - i)
            k = n - i;
        rc = sse_parser_feed(&p, s + i, k, collect, out);
        i += k;
    }
    if (rc == 0)
        rc = sse_parser_finish(&p, collect, out);
    sse_parser_release(&p);
    return rc;
}

static void expect_events(const char *in, const char *want)
{
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(parse(in, strlen(in), 0, 0, 0, &out), 0);
    assert_string_equal(buf_cstr(&out), want);
    /* and byte by byte */
    buf_reset(&out);
    assert_int_equal(parse(in, strlen(in), 0, 1, 0, &out), 0);
    assert_string_equal(buf_cstr(&out), want);
    buf_release(&out);
}

static void test_sse_fields(void **state)
{
    (void)state;
    expect_events("event: message_start\ndata: {\"a\":1}\n\n", "message_start|{\"a\":1}\n---\n");
    /* one optional space only */
    expect_events("data:x\n\ndata: y\n\ndata:  z\n\n", "|x\n---\n|y\n---\n| z\n---\n");
    /* several data lines join with \n; comments and unknown fields are skipped */
    expect_events(": keep-alive\ndata: a\nid: 7\nretry: 10\nfoo: bar\ndata: b\n\n", "|a\nb\n---\n");
    /* a bare "data" line is an empty data line; an empty data event still counts */
    expect_events("data\ndata\n\ndata:\n\n", "|\n\n---\n|\n---\n");
    /* blocks without data are not events; the event name does not leak into the next */
    expect_events("event: ping\n\n: only a comment\n\ndata: d\n\n", "|d\n---\n");
    /* a later event: line wins; colons in the value stay */
    expect_events("event: a\nevent: b\ndata: x:y: z\n\n", "b|x:y: z\n---\n");
    expect_events("data: [DONE]\n\n", "|[DONE]\n---\n");
}

static void test_sse_line_ends(void **state)
{
    (void)state;
    const char *want = "e|a\nb\n---\n|c\n---\n";
    expect_events("event: e\ndata: a\ndata: b\n\ndata: c\n\n", want);
    expect_events("event: e\r\ndata: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n", want);
    expect_events("event: e\rdata: a\rdata: b\r\rdata: c\r\r", want);
    expect_events("event: e\r\ndata: a\rdata: b\n\r\ndata: c\n\r", want);
    /* CR at the end of one feed, LF at the start of the next: one line end, not two */
    struct sse_parser p;
    struct buf out;
    buf_init(&out, 0);
    sse_parser_init(&p, 0);
    assert_int_equal(sse_parser_feed(&p, "data: a\r", 8, collect, &out), 0);
    assert_int_equal(sse_parser_feed(&p, "\ndata: b\r", 9, collect, &out), 0);
    assert_int_equal(sse_parser_feed(&p, "\n", 1, collect, &out), 0);
    assert_int_equal(out.len, 0);
    assert_int_equal(sse_parser_feed(&p, "\r\n", 2, collect, &out), 0);
    assert_string_equal(buf_cstr(&out), "|a\nb\n---\n");
    sse_parser_release(&p);
    buf_release(&out);
}

static void test_sse_split_utf8_and_prefix(void **state)
{
    (void)state;
    const char *in =
        "event: content_block_delta\ndata: {\"t\":\"h\xc3\xa9llo \xf0\x9f\x8e\x89\"}\n\n";
    struct buf whole, part;
    buf_init(&whole, 0);
    assert_int_equal(parse(in, strlen(in), 0, 0, 0, &whole), 0);
    for (size_t k = 1; k < strlen(in); k++) {
        buf_init(&part, 0);
        assert_int_equal(parse(in, strlen(in), 0, 0, k, &part), 0);
        assert_string_equal(buf_cstr(&part), buf_cstr(&whole));
        buf_release(&part);
    }
    buf_release(&whole);
}

static void test_sse_finish(void **state)
{
    (void)state;
    /* a last event without its blank line, with or without its line end */
    expect_events("data: first\n\ndata: last", "|first\n---\n|last\n---\n");
    expect_events("event: x\ndata: last\n", "x|last\n---\n");
    expect_events("data: last\r", "|last\n---\n");
    expect_events("", "");
    expect_events(": comment only", "");
    /* finish resets: the parser can be fed again */
    struct sse_parser p;
    struct buf out;
    buf_init(&out, 0);
    sse_parser_init(&p, 0);
    assert_int_equal(sse_parser_feed(&p, "event: a\ndata: 1", 16, collect, &out), 0);
    assert_int_equal(sse_parser_finish(&p, collect, &out), 0);
    assert_int_equal(sse_parser_feed(&p, "data: 2\n\n", 9, collect, &out), 0);
    assert_string_equal(buf_cstr(&out), "a|1\n---\n|2\n---\n");
    sse_parser_release(&p);
    buf_release(&out);
}

static void test_sse_caps(void **state)
{
    (void)state;
    struct buf out;
    buf_init(&out, 0);
    /* a line over the cap, whole or in pieces */
    const char *longline = "data: 0123456789012345678901234567890123456789\n\n";
    assert_int_equal(parse(longline, strlen(longline), 16, 0, 0, &out), -E2BIG);
    for (size_t k = 1; k < 20; k++)
        assert_int_equal(parse(longline, strlen(longline), 16, k, 0, &out), -E2BIG);
    /* an event whose joined data is over the cap, although each line fits */
    const char *many = "data: 0123456789\ndata: 0123456789\n\n";
    assert_int_equal(parse(many, strlen(many), 16, 0, 0, &out), -E2BIG);
    /* a long comment line counts too, so the verdict does not depend on the split */
    const char *comment = ": 0123456789012345678901234567890123456789\n\ndata: x\n\n";
    assert_int_equal(parse(comment, strlen(comment), 16, 0, 0, &out), -E2BIG);
    assert_int_equal(parse(comment, strlen(comment), 16, 5, 0, &out), -E2BIG);
    /* at the cap is fine */
    buf_reset(&out);
    const char *fits = "data: 0123456789\n\n";
    assert_int_equal(parse(fits, strlen(fits), 16, 0, 0, &out), 0);
    assert_string_equal(buf_cstr(&out), "|0123456789\n---\n");
    buf_release(&out);
}

static int stop_at_second(void *ud, const struct sse_event *ev)
{
    int *count = ud;
    (void)ev;
    return ++*count == 2 ? 42 : 0;
}

static void test_sse_callback_stops(void **state)
{
    (void)state;
    struct sse_parser p;
    sse_parser_init(&p, 0);
    int count = 0;
    const char *in = "data: 1\n\ndata: 2\n\ndata: 3\n\n";
    assert_int_equal(sse_parser_feed(&p, in, strlen(in), stop_at_second, &count), 42);
    assert_int_equal(count, 2);
    sse_parser_release(&p);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b;
    buf_init(&b, 0);
    char tmp[4096];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
        assert_int_equal(buf_append(&b, tmp, k), 0);
    fclose(f);
    *n = b.len;
    return b.data ? b.data : calloc(1, 1);
}

static char *with_eol(const char *in, size_t n, const char *eol, size_t *m)
{
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(in[i] == '\n' ? buf_puts(&b, eol) : buf_append(&b, in + i, 1), 0);
    *m = b.len;
    return b.data;
}

static void check_recorded(const char *path)
{
    size_t n = 0;
    char *in = slurp(path, &n);
    assert_non_null(in);
    struct buf whole, part;
    buf_init(&whole, 0);
    assert_int_equal(parse(in, n, 1 << 20, 0, 0, &whole), 0);
    assert_true(whole.len > 0);
    for (size_t k = 1; k < n; k++) {
        buf_init(&part, 0);
        assert_int_equal(parse(in, n, 1 << 20, 0, k, &part), 0);
        if (strcmp(buf_cstr(&part), buf_cstr(&whole)) != 0)
            fail_msg("%s: different events when split at %zu", path, k);
        buf_release(&part);
    }
    static const char *const eols[] = {"\r\n", "\r"};
    for (int e = 0; e < 2; e++) {
        size_t m;
        char *conv = with_eol(in, n, eols[e], &m);
        for (size_t chunk = 1; chunk <= 3; chunk++) {
            buf_init(&part, 0);
            assert_int_equal(parse(conv, m, 1 << 20, chunk, 0, &part), 0);
            if (strcmp(buf_cstr(&part), buf_cstr(&whole)) != 0)
                fail_msg("%s: different events with %s line ends", path, e ? "CR" : "CRLF");
            buf_release(&part);
        }
        free(conv);
    }
    buf_release(&whole);
    free(in);
}

static void test_sse_recorded_streams_any_split(void **state)
{
    (void)state;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/streams", FIXTURES_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".sse") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        check_recorded(path);
        files++;
    }
    closedir(d);
    assert_true(files >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sse_fields),
        cmocka_unit_test(test_sse_line_ends),
        cmocka_unit_test(test_sse_split_utf8_and_prefix),
        cmocka_unit_test(test_sse_finish),
        cmocka_unit_test(test_sse_caps),
        cmocka_unit_test(test_sse_callback_stops),
        cmocka_unit_test(test_sse_recorded_streams_any_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
