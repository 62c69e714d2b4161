/* Unit tests for xstream: recorded upstream streams (tests/fixtures/streams/NAME.sse) run through
 * each dialect pair and compared with golden output (NAME.PAIR.want; UPDATE_GOLDEN=1 rewrites
 * them for review), checked against the client grammar, and fed at every split point, in
 * small chunks and with CRLF / CR line ends, which must all give byte-identical output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "core/json.h"
#include "core/sse.h"
#include "xlate/xlate.h"
#include "xlate/xstream.h"

#ifndef FIXTURES_DIR
#error "FIXTURES_DIR must point at tests/fixtures"
#endif

#define HINT 1234

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
    if (!b.data)
        return calloc(1, 1);
    return b.data;
}

static char *fixture(const char *name, size_t *n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/streams/%s", FIXTURES_DIR, name);
    char *s = slurp(path, n);
    if (!s)
        fail_msg("missing fixture %s", path);
    return s;
}

static void opts_for(const char *pair, bool include_usage, struct xstream_opts *o)
{
    memset(o, 0, sizeof *o);
    o->from = pair[0] == 'o' ? API_OPENAI : API_ANTHROPIC;
    o->to = pair[2] == 'o' ? API_OPENAI : API_ANTHROPIC;
    o->provider = o->from == API_OPENAI ? PROVIDER_CEREBRAS : PROVIDER_ZAI;
    o->model = o->to == API_ANTHROPIC ? "claude-sonnet-4-5" : "gpt-4o";
    o->include_usage = include_usage;
    o->input_tokens_hint = HINT;
}

struct result {
    struct buf out;
    int rc;
    struct xstream_stats st;
};

/* Drives a stream the way the proxy does: feed pieces; on an error either stop quietly (nothing
 * sent yet: the proxy falls back) or end the client's stream with xstream_fail. */
static void drive(const char *in, size_t n, const struct xstream_opts *o, size_t chunk,
                  size_t split, struct result *r)
{
    buf_init(&r->out, 0);
    struct xstream *x = xstream_new(o);
    assert_non_null(x);
    xstream_seed(x, 42);
    r->rc = 0;
    size_t i = 0;
    while (i < n && r->rc == 0) {
        size_t k = chunk ? chunk : (split && i < split ? split : n - i);
        if (k > n - i)
            k = n - i;
        r->rc = xstream_feed(x, in + i, k, &r->out);
        i += k;
    }
    if (r->rc == 0) {
        r->rc = xstream_finish(x, &r->out);
    } else {
        xstream_get_stats(x, &r->st);
        if (r->st.started)
            assert_int_equal(xstream_fail(x, 502, "stream failed", &r->out), 0);
    }
    xstream_get_stats(x, &r->st);
    xstream_free(x);
}

static void trailer(struct result *r)
{
    assert_int_equal(buf_printf(&r->out,
                                "#-- rc=%d stop=%s in=%ld out=%ld started=%d finished=%d "
                                "upstream_error=%d\n",
                                r->rc, r->st.stop_reason, r->st.tokens_in, r->st.tokens_out,
                                r->st.started, r->st.finished, r->st.upstream_error),
                     0);
}

/* ---- grammar checkers (they read the output with the sse parser) ---- */

struct checker {
    const char *label;
    bool anthropic;
    const char *model;
    int nframes, phase;   /* 0 before start, 1 in message, 2 after message_delta, 3 ended */
    int open, next, kind; /* open block index (-1 none), next index, open kind */
    bool block_has_payload;
    struct buf args[16];
    int ntools, finish_count;
    bool done, error;
};

#define CHECK(c, cond, what)                                                                       \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail_msg("%s: frame %d: %s", (c)->label, (c)->nframes, (what));                        \
    } while (0)

static bool id_ok(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return false;
    return true;
}

/* Tool arguments are whatever the provider sent; a mutation fuzzer feeding broken ones turns
 * this off and checks the rest of the grammar. */
static bool strict_tool_json = true;

static void close_tool_args(struct checker *c)
{
    if (c->args[0].len == 0 || !strict_tool_json)
        return; /* no delta at all: the client keeps the {} of content_block_start */
    cJSON *j = json_parse(c->args[0].data ? c->args[0].data : "", c->args[0].len);
    CHECK(c, cJSON_IsObject(j), "tool input is not a JSON object");
    cJSON_Delete(j);
    buf_reset(&c->args[0]);
}

static void anth_block_start(struct checker *c, const cJSON *j)
{
    const cJSON *cb = json_obj(j, "content_block");
    const char *type = json_str(cb, "type");
    CHECK(c, c->phase == 1, "block outside a message");
    CHECK(c, c->open < 0, "block opened while another is open");
    CHECK(c, json_num(j, "index", -1) == c->next, "block index not contiguous");
    CHECK(c, type != NULL, "block without type");
    c->open = c->next++;
    c->block_has_payload = false;
    if (strcmp(type, "text") == 0) {
        c->kind = 1;
    } else if (strcmp(type, "thinking") == 0) {
        c->kind = 2;
        CHECK(c, json_str(cb, "signature") != NULL, "thinking block without signature string");
    } else {
        CHECK(c, strcmp(type, "tool_use") == 0, "unknown block type");
        CHECK(c, id_ok(json_str(cb, "id")), "tool_use id not ^[a-zA-Z0-9_-]+$");
        CHECK(c, json_str(cb, "name") && *json_str(cb, "name"), "tool_use without name");
        c->kind = 3;
    }
}

static void anth_delta(struct checker *c, const cJSON *j)
{
    const cJSON *d = json_obj(j, "delta");
    const char *type = json_str(d, "type");
    CHECK(c, c->open >= 0 && json_num(j, "index", -1) == c->open, "delta for a block not open");
    CHECK(c, type != NULL, "delta without type");
    const char *payload = NULL;
    if (strcmp(type, "text_delta") == 0) {
        CHECK(c, c->kind == 1, "text_delta in a non-text block");
        payload = json_str(d, "text");
    } else if (strcmp(type, "thinking_delta") == 0) {
        CHECK(c, c->kind == 2, "thinking_delta in a non-thinking block");
        payload = json_str(d, "thinking");
    } else if (strcmp(type, "signature_delta") == 0) {
        CHECK(c, c->kind == 2, "signature_delta in a non-thinking block");
        payload = json_str(d, "signature");
    } else {
        CHECK(c, strcmp(type, "input_json_delta") == 0, "unknown delta type");
        CHECK(c, c->kind == 3, "input_json_delta in a non-tool block");
        payload = json_str(d, "partial_json");
        if (payload)
            buf_puts(&c->args[0], payload);
    }
    CHECK(c, payload != NULL, "delta without payload");
    /* Upstream pass-through may carry an empty first partial_json; we never make one. */
    CHECK(c, *payload || c->kind == 3, "empty delta");
    c->block_has_payload = c->block_has_payload || *payload;
}

static void anth_frame(struct checker *c, const char *ev, const cJSON *j)
{
    const char *type = json_str(j, "type");
    CHECK(c, type && strcmp(type, ev) == 0, "event name differs from JSON type");
    CHECK(c, c->phase < 3, "frame after the end");
    if (strcmp(ev, "ping") == 0)
        return;
    if (strcmp(ev, "error") == 0) {
        const cJSON *e = json_obj(j, "error");
        const char *t = json_str(e, "type");
        CHECK(c, t && (*t < '0' || *t > '9'), "numeric error type reached the client");
        CHECK(c, json_str(e, "message") != NULL, "error without message");
        c->phase = 3;
        c->error = true;
        return;
    }
    if (strcmp(ev, "message_start") == 0) {
        CHECK(c, c->phase == 0 && c->nframes == 1, "message_start not first / twice");
        const cJSON *m = json_obj(j, "message");
        CHECK(c, strcmp(json_str(m, "model") ? json_str(m, "model") : "", c->model) == 0,
              "model not renamed");
        c->phase = 1;
    } else if (strcmp(ev, "content_block_start") == 0) {
        anth_block_start(c, j);
    } else if (strcmp(ev, "content_block_delta") == 0) {
        anth_delta(c, j);
    } else if (strcmp(ev, "content_block_stop") == 0) {
        CHECK(c, c->open >= 0 && json_num(j, "index", -1) == c->open, "stop of a closed block");
        CHECK(c, c->kind == 3 || c->block_has_payload, "empty text/thinking block");
        if (c->kind == 3)
            close_tool_args(c);
        c->open = -1;
    } else if (strcmp(ev, "message_delta") == 0) {
        CHECK(c, c->phase == 1 && c->open < 0, "message_delta with a block open");
        CHECK(c, json_str(json_obj(j, "delta"), "stop_reason") != NULL, "no stop_reason");
        c->phase = 2;
    } else if (strcmp(ev, "message_stop") == 0) {
        CHECK(c, c->phase == 2, "message_stop without message_delta");
        c->phase = 3;
        c->done = true;
    }
}

static void openai_tool(struct checker *c, const cJSON *tc)
{
    int k = (int)json_num(tc, "index", -1);
    CHECK(c, k >= 0 && k < 16, "tool_calls index out of range");
    const cJSON *fn = json_obj(tc, "function");
    if (json_str(tc, "id")) {
        CHECK(c, k == c->ntools, "tool_calls index not sequential");
        CHECK(c, json_str(fn, "name") != NULL, "new tool call without name");
        c->ntools++;
    }
    CHECK(c, k < c->ntools, "arguments for an unknown call");
    const char *a = json_str(fn, "arguments");
    if (a)
        buf_puts(&c->args[k], a);
}

static void openai_frame(struct checker *c, const char *ev, const char *data, const cJSON *j)
{
    CHECK(c, *ev == '\0', "OpenAI frame with an event: line");
    CHECK(c, !c->done && !c->error, "frame after [DONE] / error");
    if (strcmp(data, "[DONE]") == 0) {
        c->done = true;
        return;
    }
    CHECK(c, cJSON_IsObject(j), "chunk is not a JSON object");
    if (json_obj(j, "error")) {
        c->error = true;
        CHECK(c, json_str(json_obj(j, "error"), "type") != NULL, "error without type");
        return;
    }
    CHECK(c,
          strcmp(json_str(j, "object") ? json_str(j, "object") : "", "chat.completion.chunk") == 0,
          "wrong object");
    CHECK(c, strcmp(json_str(j, "model") ? json_str(j, "model") : "", c->model) == 0,
          "model not renamed");
    const cJSON *ch = cJSON_GetArrayItem(json_arr(j, "choices"), 0);
    if (!ch) {
        CHECK(c, json_obj(j, "usage") != NULL, "chunk without choices or usage");
        return;
    }
    const cJSON *tc;
    cJSON_ArrayForEach(tc, json_arr(json_obj(ch, "delta"), "tool_calls")) openai_tool(c, tc);
    if (json_str(ch, "finish_reason"))
        c->finish_count++;
}

static int on_check(void *ud, const struct sse_event *ev)
{
    struct checker *c = ud;
    c->nframes++;
    cJSON *j = json_parse(ev->data, ev->data_len);
    if (c->anthropic) {
        CHECK(c, cJSON_IsObject(j), "data is not a JSON object");
        anth_frame(c, ev->event, j);
    } else {
        openai_frame(c, ev->event, ev->data, j);
    }
    cJSON_Delete(j);
    return 0;
}

/* Validates a client stream; complete = it must end properly (not with an error). */
static void check_stream(const char *label, const struct xstream_opts *o, const char *s, size_t n)
{
    struct checker c = {.label = label, .anthropic = o->to == API_ANTHROPIC, .model = o->model};
    c.open = -1;
    for (int i = 0; i < 16; i++)
        buf_init(&c.args[i], 0);
    struct sse_parser p;
    sse_parser_init(&p, 0);
    assert_int_equal(sse_parser_feed(&p, s, n, on_check, &c), 0);
    assert_int_equal(sse_parser_finish(&p, on_check, &c), 0);
    sse_parser_release(&p);
    if (n > 0)
        CHECK(&c, c.done || c.error, "stream neither ended nor failed");
    if (c.done && !c.anthropic) {
        CHECK(&c, c.finish_count == 1, "not exactly one finish_reason");
        for (int k = 0; k < c.ntools && strict_tool_json; k++) {
            cJSON *j = json_parse(c.args[k].data ? c.args[k].data : "", c.args[k].len);
            CHECK(&c, cJSON_IsObject(j), "tool arguments are not a JSON object");
            cJSON_Delete(j);
        }
    }
    for (int i = 0; i < 16; i++)
        buf_release(&c.args[i]);
}

/* ---- the case runner ---- */

struct scase {
    const char *name; /* fixture basename */
    const char *pair; /* o2a, o2o, a2o, a2a */
    bool include_usage;
};

static void compare_golden(const char *label, const char *name, const char *pair,
                           const struct buf *got)
{
    char path[512];
    snprintf(path, sizeof path, "%s/streams/%s.%s.want", FIXTURES_DIR, name, pair);
    if (getenv("UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(got->data, 1, got->len, f);
        fclose(f);
        return;
    }
    size_t n;
    char *want = slurp(path, &n);
    if (!want)
        fail_msg("%s: missing golden %s (run with UPDATE_GOLDEN=1 and review)", label, path);
    size_t i = 0;
    while (i < n && i < got->len && want[i] == got->data[i])
        i++;
    if (i != n || n != got->len)
        fail_msg("%s: output differs from %s at byte %zu:\n--- got:\n%s", label, path, i,
                 got->data);
    free(want);
}

/* Same output whatever the pieces. */
static void expect_same(const char *label, const struct buf *want, const struct result *r,
                        const char *how, size_t k)
{
    if (r->out.len != want->len || memcmp(r->out.data, want->data, want->len) != 0)
        fail_msg("%s: output differs when fed %s %zu:\n--- want:\n%s\n--- got:\n%s", label, how, k,
                 want->data, r->out.data);
}

static char *convert_eol(const char *in, size_t n, const char *eol, size_t *out_n)
{
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '\n')
            assert_int_equal(buf_puts(&b, eol), 0);
        else
            assert_int_equal(buf_append(&b, in + i, 1), 0);
    }
    *out_n = b.len;
    return b.data;
}

static void run_case(const struct scase *sc)
{
    char label[128];
    snprintf(label, sizeof label, "%s.%s", sc->name, sc->pair);
    char file[128];
    snprintf(file, sizeof file, "%s.sse", sc->name);
    size_t n;
    char *in = fixture(file, &n);
    struct xstream_opts o;
    opts_for(sc->pair, sc->include_usage, &o);

    struct result whole;
    drive(in, n, &o, 0, 0, &whole);
    check_stream(label, &o, whole.out.data ? whole.out.data : "", whole.out.len);
    trailer(&whole);
    compare_golden(label, sc->name, sc->pair, &whole.out);

    for (size_t k = 1; k < n; k++) {
        struct result r;
        drive(in, n, &o, 0, k, &r);
        trailer(&r);
        expect_same(label, &whole.out, &r, "split at", k);
        buf_release(&r.out);
    }
    for (size_t k = 1; k <= 7; k++) {
        struct result r;
        drive(in, n, &o, k, 0, &r);
        trailer(&r);
        expect_same(label, &whole.out, &r, "in chunks of", k);
        buf_release(&r.out);
    }
    static const char *const eols[] = {"\r\n", "\r"};
    for (size_t e = 0; e < 2; e++) {
        size_t m;
        char *conv = convert_eol(in, n, eols[e], &m);
        struct result r;
        drive(conv, m, &o, 3, 0, &r);
        trailer(&r);
        expect_same(label, &whole.out, &r, e ? "with CR, chunk" : "with CRLF, chunk", 3);
        buf_release(&r.out);
        free(conv);
    }
    buf_release(&whole.out);
    free(in);
}

static const struct scase cases[] = {
    {"o_text", "o2a", true},
    {"o_text", "o2o", false},
    {"o_reasoning", "o2a", true},
    {"o_reasoning", "o2o", true},
    {"o_reasoning_content", "o2a", true},
    {"o_reasoning_content", "o2o", true},
    {"o_tool", "o2a", true},
    {"o_tool", "o2o", true},
    {"o_parallel_interleaved", "o2a", true},
    {"o_parallel_interleaved", "o2o", false},
    {"o_tool_empty_args", "o2a", true},
    {"o_length", "o2a", true},
    {"o_length", "o2o", true},
    {"o_error_mid", "o2a", true},
    {"o_error_mid", "o2o", true},
    {"o_error_first", "o2a", true},
    {"o_error_first", "o2o", true},
    {"o_cut", "o2a", true},
    {"o_cut", "o2o", true},
    {"o_same_index_new_id", "o2a", true},
    {"o_content_finish", "o2a", true},
    {"o_content_finish", "o2o", true},
    {"o_whole_tools", "o2a", true},
    {"o_whole_tools", "o2o", true},
    {"o_network_error", "o2a", true},
    {"o_network_error", "o2o", true},
    {"o_no_done", "o2a", true},
    {"o_no_done", "o2o", true},
    {"o_sensitive", "o2a", true},
    {"o_sensitive", "o2o", true},
    {"a_text", "a2o", true},
    {"a_text", "a2a", false},
    {"a_thinking", "a2o", false},
    {"a_thinking", "a2a", false},
    {"a_tool", "a2o", true},
    {"a_tool", "a2a", false},
    {"a_length", "a2o", true},
    {"a_length", "a2a", false},
    {"a_error_first", "a2o", true},
    {"a_error_first", "a2a", false},
    {"a_error_mid", "a2o", true},
    {"a_error_mid", "a2a", false},
    {"a_error_zai_mid", "a2o", true},
    {"a_error_zai_mid", "a2a", false},
    {"a_cut", "a2o", true},
    {"a_cut", "a2a", false},
    {"a_noevent", "a2o", false},
    {"a_noevent", "a2a", false},
};

static void test_xstream_golden_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
}

/* ---- targeted behaviour, on top of the goldens ---- */

static void run_named(const char *name, const char *pair, bool include_usage, struct result *r)
{
    char file[128];
    snprintf(file, sizeof file, "%s.sse", name);
    size_t n;
    char *in = fixture(file, &n);
    struct xstream_opts o;
    opts_for(pair, include_usage, &o);
    drive(in, n, &o, 0, 0, r);
    free(in);
}

static bool has(const struct result *r, const char *s)
{
    return r->out.data && strstr(r->out.data, s) != NULL;
}

static void test_xstream_o2a_text_shape(void **state)
{
    (void)state;
    struct result r;
    run_named("o_text", "o2a", true, &r);
    assert_int_equal(r.rc, 0);
    assert_true(r.st.finished && r.st.started && r.st.got_usage);
    assert_string_equal(r.st.stop_reason, "end_turn");
    assert_int_equal(r.st.tokens_in, 1210);
    assert_int_equal(r.st.tokens_out, 7);
    assert_true(strncmp(r.out.data, "event: message_start\ndata: ", 27) == 0);
    assert_true(has(&r, "\"id\":\"msg_"));
    assert_true(has(&r, "\"input_tokens\":1234,\"cache_creation_input_tokens\":0,"
                        "\"cache_read_input_tokens\":0,\"output_tokens\":1"));
    assert_true(has(&r, "\"text\":\", wörld \\\"quoted\\\"\\n\\ttab\""));
    assert_false(has(&r, "\"text_delta\",\"text\":\"\"")); /* no empty text delta */
    assert_true(has(&r, "\"stop_reason\":\"end_turn\""));
    buf_release(&r.out);
}

static void test_xstream_o2a_reasoning_to_thinking(void **state)
{
    (void)state;
    const char *names[] = {"o_reasoning", "o_reasoning_content"};
    for (int i = 0; i < 2; i++) {
        struct result r;
        run_named(names[i], "o2a", true, &r);
        assert_true(has(&r, "\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":"
                            "\"\",\"signature\":\"\"}"));
        assert_true(has(&r, "\"type\":\"thinking_delta\""));
        assert_true(has(&r, "\"index\":1,\"content_block\":{\"type\":\"text\""));
        /* the chunk that switches blocks keeps its own text (LiteLLM #30014) */
        assert_true(
            has(&r, "\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}") ||
            has(&r, "\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Answer: 42\"}"));
        /* the block says who wrote it, where Anthropic sends a block's signature: a delta
         * just before its stop */
        assert_true(has(
            &r, "{\"type\":\"signature_delta\",\"signature\":\"" XLATE_THINKING_SIGNATURE "\"}"));
        buf_release(&r.out);
    }
    struct result r;
    run_named("o_reasoning", "o2a", true, &r);
    /* input_tokens excludes the cached part; stats count the whole prompt */
    assert_true(has(&r, "\"input_tokens\":500,\"cache_creation_input_tokens\":0,"
                        "\"cache_read_input_tokens\":1500,\"output_tokens\":20"));
    assert_int_equal(r.st.tokens_in, 2000);
    buf_release(&r.out);
}

/* The tool_use input the client would assemble for block index idx. */
static char *tool_input(const struct result *r, int idx)
{
    struct buf b;
    buf_init(&b, 0);
    char needle[64];
    snprintf(needle, sizeof needle, "\"index\":%d,\"delta\":{\"type\":\"input_json_delta\"", idx);
    for (const char *p = r->out.data; (p = strstr(p, needle)) != NULL; p++) {
        const char *ls = p, *le = strchr(p, '\n');
        while (ls > r->out.data && ls[-1] != '\n')
            ls--;
        assert_true(strncmp(ls, "data: ", 6) == 0 && le);
        cJSON *j = json_parse(ls + 6, (size_t)(le - ls - 6));
        assert_non_null(j);
        buf_puts(&b, json_str(json_obj(j, "delta"), "partial_json"));
        cJSON_Delete(j);
    }
    return b.data;
}

/* An Anthropic client that asked for no thinking gets none, though gpt-oss reasons anyway:
 * the text block becomes the first and only one. */
static void test_xstream_o2a_reasoning_dropped_unasked(void **state)
{
    (void)state;
    size_t n;
    char *in = fixture("o_reasoning.sse", &n);
    struct xstream_opts o;
    struct result r;
    opts_for("o2a", true, &o);
    o.drop_reasoning = true;
    drive(in, n, &o, 0, 0, &r);
    free(in);
    assert_false(has(&r, "thinking"));
    assert_true(has(&r, "\"index\":0,\"content_block\":{\"type\":\"text\""));
    assert_true(has(&r, "event: message_stop"));
    buf_release(&r.out);
}

static void test_xstream_o2a_parallel_interleaved(void **state)
{
    (void)state;
    struct result r;
    run_named("o_parallel_interleaved", "o2a", true, &r);
    assert_int_equal(r.rc, 0);
    /* upstream said "stop" although tools were called */
    assert_string_equal(r.st.stop_reason, "tool_use");
    char *a = tool_input(&r, 1), *b = tool_input(&r, 2);
    assert_string_equal(a, "{\"file_path\":\"/tmp/a}b.txt\"}");
    assert_string_equal(b, "{\"command\":\"pwd\"}");
    assert_true(has(&r, "\"id\":\"call_one\",\"name\":\"Read\""));
    assert_true(has(&r, "\"id\":\"call_two\",\"name\":\"Bash\""));
    free(a);
    free(b);
    buf_release(&r.out);
}

static void test_xstream_o2a_tool_ids(void **state)
{
    (void)state;
    struct result r;
    run_named("o_same_index_new_id", "o2a", true, &r);
    assert_true(
        has(&r, "\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_first\""));
    assert_true(
        has(&r, "\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_second\""));
    char *a = tool_input(&r, 0), *b = tool_input(&r, 1);
    assert_string_equal(a, "{\"file_path\":\"/a\"}");
    assert_string_equal(b, "{\"file_path\":\"/b\"}");
    free(a);
    free(b);
    buf_release(&r.out);

    run_named("o_whole_tools", "o2a", true, &r);
    /* ids Anthropic would refuse: their other bytes become '_' and a hash of the original
     * keeps two such ids apart */
    assert_true(has(&r, "\"id\":\"functions_Bash_0_"));
    assert_true(has(&r, "\"id\":\"functions_Read_1_"));
    buf_release(&r.out);

    run_named("o_tool_empty_args", "o2a", true, &r);
    assert_true(has(&r, "\"partial_json\":\"{}\""));
    assert_string_equal(r.st.stop_reason, "tool_use");
    buf_release(&r.out);
}

static void test_xstream_o2a_stop_reasons(void **state)
{
    (void)state;
    struct result r;
    run_named("o_length", "o2a", true, &r);
    assert_string_equal(r.st.stop_reason, "max_tokens");
    buf_release(&r.out);
    run_named("o_sensitive", "o2a", true, &r);
    assert_string_equal(r.st.stop_reason, "refusal");
    buf_release(&r.out);
    run_named("o_content_finish", "o2a", true, &r);
    assert_true(has(&r, "\"text\":\"Whole answer in one chunk.\""));
    assert_string_equal(r.st.stop_reason, "end_turn");
    assert_int_equal(r.rc, 0);
    buf_release(&r.out);
    run_named("o_network_error", "o2a", true, &r);
    assert_int_equal(r.rc, -EPROTO);
    assert_true(
        has(&r, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\""));
    assert_false(has(&r, "message_stop"));
    buf_release(&r.out);
}

static void test_xstream_upstream_errors(void **state)
{
    (void)state;
    struct result r;
    /* before anything reached the client: nothing is produced, the proxy falls back */
    run_named("o_error_first", "o2a", true, &r);
    assert_int_equal(r.rc, -EPROTO);
    assert_int_equal(r.out.len, 0);
    assert_false(r.st.started);
    assert_true(r.st.upstream_error);
    assert_string_equal(r.st.err.message,
                        "We're experiencing high traffic right now! Please try again soon.");
    buf_release(&r.out);

    run_named("a_error_first", "a2a", false, &r);
    assert_int_equal(r.out.len, 0);
    assert_true(r.st.upstream_error);
    assert_int_equal(r.st.err.cls, ERRC_RATE_LIMIT); /* Z.AI 1305 */
    buf_release(&r.out);

    /* mid-stream: the open block is closed, an error event ends the stream */
    run_named("o_error_mid", "o2a", true, &r);
    assert_int_equal(r.rc, -EPROTO);
    assert_true(has(&r, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\","
                        "\"index\":0}\n\nevent: error\n"));
    assert_false(has(&r, "IGNORED"));
    assert_false(has(&r, "message_delta"));
    buf_release(&r.out);

    /* Z.AI's numeric type never reaches Claude Code */
    run_named("a_error_zai_mid", "a2a", false, &r);
    assert_true(has(&r, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
                        "\"rate_limit_error\""));
    assert_false(has(&r, "\"1302\""));
    buf_release(&r.out);
    /* proper Anthropic types are kept */
    run_named("a_error_mid", "a2a", false, &r);
    assert_true(has(&r, "\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}"));
    buf_release(&r.out);
    run_named("a_error_zai_mid", "a2o", true, &r);
    assert_true(has(&r, "data: {\"error\":{\"message\":\"High concurrency"));
    assert_true(has(&r, "\"type\":\"rate_limit_error\""));
    assert_false(has(&r, "[DONE]"));
    buf_release(&r.out);
}

static void test_xstream_cut_short(void **state)
{
    (void)state;
    struct result r;
    run_named("o_cut", "o2a", true, &r);
    assert_int_equal(r.rc, -EPROTO);
    assert_false(r.st.finished);
    assert_true(has(&r, "\"message\":\"upstream stream ended unexpectedly\""));
    assert_false(has(&r, "message_stop"));
    buf_release(&r.out);
    run_named("o_cut", "o2o", true, &r);
    assert_int_equal(r.rc, -EPROTO);
    assert_true(has(&r, "data: {\"error\":{\"message\":\"upstream stream ended unexpectedly\""));
    assert_false(has(&r, "[DONE]"));
    buf_release(&r.out);
    run_named("a_cut", "a2a", false, &r);
    assert_int_equal(r.rc, -EPROTO);
    assert_true(has(&r, "\"index\":0}\n\nevent: error\n"));
    buf_release(&r.out);
    /* the end marker missing after a finish_reason is not a failure */
    run_named("o_no_done", "o2o", true, &r);
    assert_int_equal(r.rc, 0);
    assert_true(has(&r, "data: [DONE]\n\n"));
    buf_release(&r.out);
}

static void test_xstream_o2o_usage(void **state)
{
    (void)state;
    struct result r;
    run_named("o_text", "o2o", false, &r);
    assert_false(has(&r, "\"choices\":[]"));
    assert_true(r.st.got_usage);
    assert_int_equal(r.st.tokens_in, 1210);
    assert_true(has(&r, "\"model\":\"gpt-4o\""));
    assert_false(has(&r, "zai-glm-4.6"));
    buf_release(&r.out);
    run_named("o_text", "o2o", true, &r);
    assert_true(has(&r, "\"choices\":[],\"usage\""));
    buf_release(&r.out);
    run_named("o_reasoning", "o2o", true, &r);
    assert_true(has(&r, "\"reasoning\":\"The user wants\""));
    buf_release(&r.out);
    run_named("o_sensitive", "o2o", true, &r);
    assert_string_equal(r.st.stop_reason, "content_filter");
    buf_release(&r.out);
}

static void test_xstream_a2o_shape(void **state)
{
    (void)state;
    struct result r;
    run_named("a_tool", "a2o", true, &r);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.st.stop_reason, "tool_calls");
    assert_true(has(&r, "\"delta\":{\"role\":\"assistant\",\"content\":\"\"}"));
    assert_true(has(&r, "\"tool_calls\":[{\"index\":0,\"id\":\"toolu_01abc\",\"type\":\"function\","
                        "\"function\":{\"name\":\"Bash\",\"arguments\":\"\"}}]"));
    assert_true(has(&r, "\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{}\"}}]"));
    assert_true(has(&r, "\"usage\":{\"prompt_tokens\":700,\"completion_tokens\":31,"
                        "\"total_tokens\":731}"));
    buf_release(&r.out);
    run_named("a_text", "a2o", true, &r);
    assert_true(has(&r, "\"prompt_tokens\":1800,"));
    assert_true(has(&r, "\"prompt_tokens_details\":{\"cached_tokens\":300}"));
    assert_string_equal(r.st.stop_reason, "stop");
    buf_release(&r.out);
    run_named("a_thinking", "a2o", false, &r);
    assert_true(has(&r, "\"reasoning_content\":\"Consider the\""));
    assert_false(has(&r, "c2lnbmF0dXJl"));
    assert_false(has(&r, "\"usage\""));
    buf_release(&r.out);
    run_named("a_length", "a2o", true, &r);
    assert_string_equal(r.st.stop_reason, "length");
    buf_release(&r.out);
}

/* Anthropic events for the json_output cases below. */
#define SSE(ev, data) "event: " ev "\ndata: " data "\n\n"
#define MSG_START                                                                                  \
    SSE("message_start",                                                                           \
        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":"                      \
        "\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"glm-4.6\","                 \
        "\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}")
#define BLOCK_START(i, block)                                                                      \
    SSE("content_block_start",                                                                     \
        "{\"type\":\"content_block_start\",\"index\":" #i ",\"content_block\":" block "}")
#define DELTA(i, delta)                                                                            \
    SSE("content_block_delta",                                                                     \
        "{\"type\":\"content_block_delta\",\"index\":" #i ",\"delta\":" delta "}")
#define BLOCK_STOP(i)                                                                              \
    SSE("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" #i "}")
#define MSG_END(stop)                                                                              \
    SSE("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" stop "\"},"   \
                         "\"usage\":{\"output_tokens\":9}}")                                       \
    SSE("message_stop", "{\"type\":\"message_stop\"}")
#define JSON_CALL(i)                                                                               \
    BLOCK_START(i, "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"json_output\","           \
                   "\"input\":{}}")                                                                \
    DELTA(i, "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\":\"}")                   \
    DELTA(i, "{\"type\":\"input_json_delta\",\"partial_json\":\"1}\"}")                            \
    BLOCK_STOP(i)
#define TALK(i)                                                                                    \
    BLOCK_START(i, "{\"type\":\"text\",\"text\":\"\"}")                                            \
    DELTA(i, "{\"type\":\"text_delta\",\"text\":\"Here you go\"}")                                 \
    BLOCK_STOP(i)

/* An OpenAI client's response_format reached Z.AI as a json_output tool: its input streams to
 * the client as message text, and the turn ends with stop, not tool_calls. */
static void test_xstream_a2o_json_tool(void **state)
{
    (void)state;
    static const char forced[] = MSG_START JSON_CALL(0) MSG_END("tool_use");
    struct xstream_opts o;
    opts_for("a2o", false, &o);
    o.json_tool = true;
    struct result r;
    drive(forced, sizeof forced - 1, &o, 7, 0, &r);
    assert_int_equal(r.rc, 0);
    assert_true(has(&r, "\"delta\":{\"content\":\"{\\\"a\\\":\"}"));
    assert_true(has(&r, "\"delta\":{\"content\":\"1}\"}"));
    assert_false(has(&r, "tool_calls"));
    assert_string_equal(r.st.stop_reason, "stop");
    check_stream("a2o json tool", &o, r.out.data, r.out.len);
    buf_release(&r.out);

    /* Only offered (thinking on), the model may talk first: the text is held back and dropped
     * once the tool is called, so the client gets the JSON alone... */
    static const char talk_then_call[] = MSG_START TALK(0) JSON_CALL(1) MSG_END("tool_use");
    drive(talk_then_call, sizeof talk_then_call - 1, &o, 5, 0, &r);
    assert_int_equal(r.rc, 0);
    assert_false(has(&r, "Here you go"));
    assert_true(has(&r, "\"delta\":{\"content\":\"1}\"}"));
    assert_string_equal(r.st.stop_reason, "stop");
    buf_release(&r.out);
    /* ...and when it never calls it, the text arrives whole before the end. */
    static const char talk_only[] = MSG_START TALK(0) MSG_END("end_turn");
    drive(talk_only, sizeof talk_only - 1, &o, 3, 0, &r);
    assert_int_equal(r.rc, 0);
    assert_true(has(&r, "\"delta\":{\"content\":\"Here you go\"}"));
    assert_string_equal(r.st.stop_reason, "stop");
    check_stream("a2o json tool, text only", &o, r.out.data, r.out.len);
    buf_release(&r.out);

    /* Without the flag the same stream is an ordinary tool call. */
    o.json_tool = false;
    drive(forced, sizeof forced - 1, &o, 0, 0, &r);
    assert_true(has(&r, "\"name\":\"json_output\""));
    assert_string_equal(r.st.stop_reason, "tool_calls");
    buf_release(&r.out);
}

static void test_xstream_a2a_pass(void **state)
{
    (void)state;
    struct result r;
    run_named("a_noevent", "a2a", false, &r);
    assert_true(has(&r, "event: content_block_delta\ndata: "));
    assert_true(has(&r, "\"model\":\"claude-sonnet-4-5\""));
    assert_string_equal(r.st.stop_reason, "end_turn");
    buf_release(&r.out);
    run_named("a_text", "a2a", false, &r);
    assert_int_equal(r.st.tokens_in, 1800);
    assert_int_equal(r.st.tokens_out, 9);
    assert_true(has(&r, "event: ping\n"));
    buf_release(&r.out);
}

static void test_xstream_fail_after_start(void **state)
{
    (void)state;
    static const char *const pairs[] = {"o2a", "o2o"};
    for (int i = 0; i < 2; i++) {
        struct xstream_opts o;
        opts_for(pairs[i], true, &o);
        struct xstream *x = xstream_new(&o);
        assert_non_null(x);
        struct buf out;
        buf_init(&out, 0);
        const char *chunk = "data: {\"object\":\"chat.completion.chunk\",\"model\":\"m\","
                            "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n";
        assert_int_equal(xstream_feed(x, chunk, strlen(chunk), &out), 0);
        assert_int_equal(xstream_fail(x, 429, "slow down", &out), 0);
        if (i == 0) {
            assert_non_null(strstr(out.data, "\"index\":0}\n\nevent: error\ndata: {\"type\":"
                                             "\"error\",\"error\":{\"type\":\"rate_limit_error\","
                                             "\"message\":\"slow down\"}}\n\n"));
        } else {
            assert_non_null(strstr(out.data, "data: {\"error\":{\"message\":\"slow down\","
                                             "\"type\":\"rate_limit_error\""));
        }
        size_t len = out.len;
        /* once ended, nothing more is appended */
        assert_int_equal(xstream_fail(x, 500, "again", &out), 0);
        assert_int_not_equal(xstream_feed(x, chunk, strlen(chunk), &out), 0);
        assert_int_equal(out.len, len);
        check_stream(pairs[i], &o, out.data, out.len);
        buf_release(&out);
        xstream_free(x);
    }
}

static void test_xstream_caps_and_garbage(void **state)
{
    (void)state;
    struct xstream_opts o;
    opts_for("o2a", true, &o);
    o.max_event_bytes = 64;
    struct xstream *x = xstream_new(&o);
    struct buf out;
    buf_init(&out, 0);
    char big[200];
    memset(big, 'a', sizeof big);
    memcpy(big, "data: ", 6);
    assert_int_equal(xstream_feed(x, big, sizeof big, &out), -E2BIG);
    assert_int_equal(out.len, 0);
    xstream_free(x);

    o.max_event_bytes = 0;
    x = xstream_new(&o);
    const char *bad = "data: {not json\n\n";
    assert_int_equal(xstream_feed(x, bad, strlen(bad), &out), -EPROTO);
    assert_int_equal(out.len, 0);
    xstream_free(x);

    /* the client's buffer is full: the event is undone, not torn, and nothing counts as sent */
    x = xstream_new(&o);
    struct buf small;
    buf_init(&small, 200);
    size_t n;
    char *in = fixture("o_text.sse", &n);
    assert_int_equal(xstream_feed(x, in, n, &small), -E2BIG);
    assert_int_equal(small.len, 0);
    struct xstream_stats st;
    xstream_get_stats(x, &st);
    assert_false(st.started);
    assert_int_equal(xstream_finish(x, &small), -E2BIG);
    free(in);
    buf_release(&small);
    xstream_free(x);

    /* an empty upstream body is a failure, with nothing sent */
    x = xstream_new(&o);
    assert_int_equal(xstream_finish(x, &out), -EPROTO);
    assert_int_equal(out.len, 0);
    xstream_free(x);
    buf_release(&out);
}

static void test_xstream_random_ids_differ(void **state)
{
    (void)state;
    struct xstream_opts o;
    opts_for("o2a", true, &o);
    char ids[2][64];
    for (int i = 0; i < 2; i++) {
        struct xstream *x = xstream_new(&o);
        struct buf out;
        buf_init(&out, 0);
        const char *s = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},"
                        "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
        assert_int_equal(xstream_feed(x, s, strlen(s), &out), 0);
        const char *p = strstr(out.data, "\"id\":\"msg_");
        assert_non_null(p);
        snprintf(ids[i], sizeof ids[i], "%.32s", p + 6);
        buf_release(&out);
        xstream_free(x);
    }
    assert_string_not_equal(ids[0], ids[1]);
}

/* ---- mutated upstream streams: never a crash, a leak, or a broken client grammar ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void mutate(struct buf *b)
{
    static const char poke[] = "{}[]\"\\\n\r:, 0a-";
    for (int m = 0, nm = 1 + (int)(rnd() % 4); m < nm && b->len > 2; m++) {
        size_t pos = rnd() % b->len, k = rnd() % 40;
        if (k > b->len - pos)
            k = b->len - pos;
        switch (rnd() % 3) {
        case 0:
            b->data[pos] = poke[rnd() % (sizeof poke - 1)];
            break;
        case 1:
            memmove(b->data + pos, b->data + pos + k, b->len - pos - k);
            b->len -= k;
            break;
        default:
            b->len = pos;
        }
    }
}

static void test_xstream_mutated_streams_stay_valid(void **state)
{
    (void)state;
    static const char *const pairs[] = {"o2a", "a2o"};
    strict_tool_json = false; /* broken arguments in, broken arguments out */
    for (int it = 0; it < 1500; it++) {
        const struct scase *sc = &cases[rnd() % (sizeof cases / sizeof cases[0])];
        char file[128];
        snprintf(file, sizeof file, "%s.sse", sc->name);
        size_t n;
        char *in = fixture(file, &n);
        struct buf b = {.data = in, .len = n, .cap = n + 1, .max = 0};
        mutate(&b);
        struct xstream_opts o;
        opts_for(pairs[sc->name[0] == 'a'], rnd() & 1, &o);
        if (rnd() % 5 == 0)
            o.max_event_bytes = 1 + rnd() % 300;
        struct result r;
        drive(b.data, b.len, &o, rnd() % 2 ? 0 : 1 + rnd() % 50, 0, &r);
        char label[160];
        snprintf(label, sizeof label, "mutation %d of %s", it, file);
        check_stream(label, &o, r.out.data ? r.out.data : "", r.out.len);
        buf_release(&r.out);
        free(in);
    }
    strict_tool_json = true;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xstream_golden_cases),
        cmocka_unit_test(test_xstream_o2a_text_shape),
        cmocka_unit_test(test_xstream_o2a_reasoning_to_thinking),
        cmocka_unit_test(test_xstream_o2a_reasoning_dropped_unasked),
        cmocka_unit_test(test_xstream_o2a_parallel_interleaved),
        cmocka_unit_test(test_xstream_o2a_tool_ids),
        cmocka_unit_test(test_xstream_o2a_stop_reasons),
        cmocka_unit_test(test_xstream_upstream_errors),
        cmocka_unit_test(test_xstream_cut_short),
        cmocka_unit_test(test_xstream_o2o_usage),
        cmocka_unit_test(test_xstream_a2o_json_tool),
        cmocka_unit_test(test_xstream_a2o_shape),
        cmocka_unit_test(test_xstream_a2a_pass),
        cmocka_unit_test(test_xstream_fail_after_start),
        cmocka_unit_test(test_xstream_caps_and_garbage),
        cmocka_unit_test(test_xstream_random_ids_differ),
        cmocka_unit_test(test_xstream_mutated_streams_stay_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
