/* xstream: the stream object shared by the four dialect pairs: SSE framing of upstream bytes,
 * sticky output writers, ids, usage and error frames. The pairs live in xstream_o2a.c,
 * xstream_a2o.c and xstream_pass.c. Knows nothing of HTTP or sockets. */
#include "xlate/xstream.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/json.h"
#include "xlate/xlate_pair.h"
#include "xstream_internal.h"

#define DEFAULT_MAX_EVENT ((size_t)4 << 20)
#define TEST_CREATED      1700000000L

struct xstream *xstream_new(const struct xstream_opts *opts)
{
    struct xstream *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->o = *opts;
    x->model = strdup(opts->model ? opts->model : "");
    if (!x->model) {
        free(x);
        return NULL;
    }
    x->o.model = x->model;
    if (!x->o.max_event_bytes)
        x->o.max_event_bytes = DEFAULT_MAX_EVENT;
    if (x->o.input_tokens_hint < 0)
        x->o.input_tokens_hint = 0;
    sse_parser_init(&x->sse, x->o.max_event_bytes);
    buf_init(&x->ps.held, x->o.max_event_bytes);
    buf_init(&x->ao.prefix, 0);
    buf_init(&x->ao.held_text, x->o.max_event_bytes);
    x->ops = xlate_pair(opts->to, opts->from)->stream;
    x->oa.cur = -1;
    x->ps.open_block = -1;
    x->created = (long)time(NULL);
    if (getrandom(&x->rng, sizeof x->rng, GRND_NONBLOCK) != (ssize_t)sizeof x->rng)
        x->rng = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)x;
    return x;
}

void xstream_seed(struct xstream *x, unsigned long long seed)
{
    x->rng = seed;
    x->created = TEST_CREATED;
}

void xstream_free(struct xstream *x)
{
    if (!x)
        return;
    x->ops->release(x);
    sse_parser_release(&x->sse);
    buf_release(&x->ps.held);
    buf_release(&x->ao.prefix);
    buf_release(&x->ao.held_text);
    free(x->model);
    free(x);
}

/* Ends a step that wrote to x->out from mark. A step that failed half-way is undone so the
 * client never sees a torn frame; `started` stays exact. */
static int settle(struct xstream *x, size_t mark, int rc)
{
    struct buf *out = x->out;
    if (x->werr) {
        /* Even a proper end that could not be written is no end. */
        rc = x->werr;
        x->client_done = false;
        x->ended = true;
        x->end_rc = rc;
    }
    if (rc && !x->client_done && out->len > mark) {
        /* The machine may have moved past what the client saw: only an error frame is safe
         * from here on. */
        x->broken = true;
        out->len = mark;
        out->data[mark] = '\0';
    }
    if (rc && !x->ended) {
        x->ended = true;
        x->end_rc = rc;
    }
    if (out->len > mark)
        x->st.started = true;
    return rc;
}

static bool is_done_marker(const struct sse_event *ev)
{
    return ev->data_len == 6 && memcmp(ev->data, "[DONE]", 6) == 0;
}

/* Parses the event once for every translator (see struct xstream_ops). */
static int dispatch(struct xstream *x, const struct sse_event *ev)
{
    if (x->ops->done && is_done_marker(ev)) {
        /* the upstream's own end: complete even when finish_reason never came */
        x->upstream_done = true;
        x->ops->done(x);
        return 0;
    }
    if (ev->data_len == 0)
        return 0;
    cJSON *j = json_parse(ev->data, ev->data_len);
    int rc = cJSON_IsObject(j) ? x->ops->event(x, ev, j) : -EPROTO;
    cJSON_Delete(j);
    return rc;
}

static int on_event(void *ud, const struct sse_event *ev)
{
    struct xstream *x = ud;
    if (x->ended)
        return x->end_rc;
    size_t mark = x->out->len;
    return settle(x, mark, dispatch(x, ev));
}

int xstream_feed(struct xstream *x, const char *bytes, size_t n, struct buf *out)
{
    if (x->ended)
        return x->end_rc;
    x->out = out;
    x->werr = 0;
    int rc = sse_parser_feed(&x->sse, bytes, n, on_event, x);
    if (rc && !x->ended) {
        x->ended = true;
        x->end_rc = rc;
    }
    return rc;
}

int xstream_finish(struct xstream *x, struct buf *out)
{
    if (x->ended)
        return x->end_rc;
    x->out = out;
    x->werr = 0;
    int rc = sse_parser_finish(&x->sse, on_event, x);
    size_t mark = out->len;
    if (rc == 0 && !x->ended) {
        if (x->ops->eof(x)) {
            xstream_end_ok(x);
            return settle(x, mark, 0);
        }
        rc = -EPROTO;
    }
    if (rc == 0)
        return x->end_rc; /* the last event ended the stream */
    /* Whatever went wrong last, a client that got bytes must see an error, never a silent
     * end that passes for success. */
    if (x->st.started && !x->client_done)
        xstream_error_frame(x, 502, NULL, "upstream stream ended unexpectedly", NULL);
    return settle(x, mark, rc);
}

int xstream_fail(struct xstream *x, int status, const char *message, struct buf *out)
{
    if (x->client_done)
        return 0;
    x->out = out;
    x->werr = 0;
    size_t mark = out->len;
    xstream_error_frame(x, status, NULL, message ? message : "upstream error", NULL);
    return settle(x, mark, 0);
}

void xstream_get_stats(const struct xstream *x, struct xstream_stats *st)
{
    *st = x->st;
    st->tokens_in = xstream_tokens_in(x);
    st->tokens_cached = x->st.got_usage ? x->u_cache_read : 0;
    st->tokens_out = xstream_tokens_out(x);
}

long xstream_tokens_in(const struct xstream *x)
{
    long total = x->u_in + x->u_cache_read + x->u_cache_create;
    /* No prompt is 0 tokens: a 0 means the provider did not say. */
    return x->st.got_usage && total > 0 ? total : x->o.input_tokens_hint;
}

long xstream_tokens_out(const struct xstream *x)
{
    return x->st.got_usage ? x->u_out : (long)((x->out_chars + 3) / 4);
}

/* ---- writers ---- */

void xstream_put(struct xstream *x, const char *s, size_t n)
{
    if (!x->werr)
        x->werr = buf_append(x->out, s, n);
}

void xstream_puts(struct xstream *x, const char *s)
{
    xstream_put(x, s, strlen(s));
}

void xstream_printf(struct xstream *x, const char *fmt, ...)
{
    if (x->werr)
        return;
    va_list ap;
    va_start(ap, fmt);
    x->werr = buf_vprintf(x->out, fmt, ap);
    va_end(ap);
}

int xstream_buf_jstr(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int rc = buf_append(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        char esc[8] = {'\\', (char)c, 0};
        size_t len = 2;
        switch (c) {
        case '"':
        case '\\':
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            len = 6;
        }
        rc = buf_append(b, s + run, i - run);
        if (rc == 0)
            rc = buf_append(b, esc, len);
        run = i + 1;
    }
    if (rc == 0)
        rc = buf_append(b, s + run, n - run);
    return rc ? rc : buf_append(b, "\"", 1);
}

void xstream_jstr(struct xstream *x, const char *s, size_t n)
{
    if (!x->werr)
        x->werr = xstream_buf_jstr(x->out, s, n);
}

void xstream_data(struct xstream *x, const char *s, size_t n)
{
    const char *nl;
    while ((nl = memchr(s, '\n', n)) != NULL) {
        size_t k = (size_t)(nl - s);
        xstream_put(x, s, k);
        xstream_put(x, "\ndata: ", 7);
        s += k + 1;
        n -= k + 1;
    }
    xstream_put(x, s, n);
}

void xstream_frame(struct xstream *x, const char *event, const char *data, size_t n)
{
    if (event && *event)
        xstream_printf(x, "event: %s\n", event);
    xstream_put(x, "data: ", 6);
    xstream_data(x, data, n);
    xstream_put(x, "\n\n", 2);
}

/* ---- ids ---- */

static uint64_t next_rand(struct xstream *x)
{
    /* splitmix64: one add and two multiplies; plenty for ids that need only be unique. */
    uint64_t z = (x->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void xstream_rand_id(struct xstream *x, const char *prefix, char *dst, size_t cap)
{
    unsigned long long a = next_rand(x), b = next_rand(x);
    snprintf(dst, cap, "%s%016llx%08llx", prefix, a, b & 0xffffffffull);
}

const char *xstream_id(struct xstream *x, const char *prefix)
{
    if (!x->id[0])
        xstream_rand_id(x, prefix, x->id, sizeof x->id);
    return x->id;
}

char *xstream_tool_id(struct xstream *x, const char *id)
{
    char tmp[48];
    if (!id || !*id) {
        xstream_rand_id(x, "toolu_", tmp, sizeof tmp);
        id = tmp;
    }
    return xlate_tool_id_clean(id);
}

/* ---- usage ---- */

static long tok(const cJSON *o, const char *key, long def)
{
    double v = json_num(o, key, -1);
    return v >= 0 && v < 1e12 ? (long)v : def;
}

void xstream_usage_openai(struct xstream *x, const cJSON *usage)
{
    if (!cJSON_IsObject(usage))
        return;
    long prompt = tok(usage, "prompt_tokens", -1);
    long completion = tok(usage, "completion_tokens", -1);
    if (prompt < 0 && completion < 0)
        return;
    long cached = tok(json_obj(usage, "prompt_tokens_details"), "cached_tokens", 0);
    prompt = prompt < 0 ? 0 : prompt;
    cached = cached > prompt ? prompt : cached;
    x->u_in = prompt - cached;
    x->u_cache_read = cached;
    x->u_cache_create = 0;
    x->u_out = completion < 0 ? 0 : completion;
    x->st.got_usage = true;
}

void xstream_usage_anthropic(struct xstream *x, const cJSON *usage, bool final)
{
    if (!cJSON_IsObject(usage))
        return;
    /* message_start carries the input side and a placeholder output; message_delta carries
     * the cumulative output and, at some providers, the input side too. Zeros in the final
     * usage mean "not reported" rather than "none". */
    long in = tok(usage, "input_tokens", -1);
    long cr = tok(usage, "cache_read_input_tokens", -1);
    long cc = tok(usage, "cache_creation_input_tokens", -1);
    if (in >= 0 && (!final || in > 0))
        x->u_in = in;
    if (cr >= 0 && (!final || cr > 0))
        x->u_cache_read = cr;
    if (cc >= 0 && (!final || cc > 0))
        x->u_cache_create = cc;
    long out = tok(usage, "output_tokens", -1);
    if (out >= 0)
        x->u_out = out;
    if (final)
        x->st.got_usage = true;
}

/* ---- ends and errors ---- */

void xstream_end_ok(struct xstream *x)
{
    x->ended = true;
    x->client_done = true;
    x->end_rc = 0;
    x->st.finished = true;
}

static bool is_anthropic_type(const char *t)
{
    static const char *const known[] = {"invalid_request_error",
                                        "authentication_error",
                                        "permission_error",
                                        "not_found_error",
                                        "request_too_large",
                                        "rate_limit_error",
                                        "api_error",
                                        "overloaded_error",
                                        "billing_error",
                                        "timeout_error",
                                        NULL};
    for (const char *const *k = known; *k; k++)
        if (strcmp(t, *k) == 0)
            return true;
    return false;
}

void xstream_error_frame(struct xstream *x, int status, const char *type, const char *message,
                         const char *code)
{
    if (!x->broken)
        x->ops->close(x);
    if (x->o.to == API_ANTHROPIC) {
        if (!type || !is_anthropic_type(type))
            type = errmap_anthropic_type(status);
        xstream_printf(x,
                       "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"%s\","
                       "\"message\":",
                       type);
        xstream_jstr(x, message, strlen(message));
        xstream_puts(x, "}}\n\n");
    } else {
        type = errmap_openai_type(status);
        xstream_puts(x, "data: {\"error\":{\"message\":");
        xstream_jstr(x, message, strlen(message));
        xstream_printf(x, ",\"type\":\"%s\",\"param\":null,\"code\":", type);
        code = code && *code ? code : type;
        xstream_jstr(x, code, strlen(code));
        xstream_puts(x, "}}\n\n");
    }
    x->client_done = true;
    if (!x->ended) {
        x->ended = true;
        x->end_rc = -EPROTO;
    }
}

static int report(struct xstream *x, const char *upstream_type)
{
    x->st.upstream_error = true;
    if (!x->ended) {
        x->ended = true;
        x->end_rc = -EPROTO;
    }
    if (!x->st.started)
        return -EPROTO;
    const struct upstream_error *e = &x->st.err;
    int status = errmap_client_status(e);
    const char *msg = e->message[0] ? e->message : "upstream error";
    xstream_error_frame(x, status, upstream_type, msg, e->code);
    return -EPROTO;
}

int xstream_upstream_error(struct xstream *x, const cJSON *body)
{
    errmap_classify_json(0, body, &x->st.err);
    const cJSON *err = json_obj(body, "error");
    /* A proper Anthropic type (overloaded_error, ...) is kept as is; Z.AI's numeric codes and
     * unknown names are replaced by the type of the mapped status. */
    return report(x, json_str(err, "type"));
}

int xstream_upstream_failure(struct xstream *x, const char *message)
{
    struct upstream_error *e = &x->st.err;
    memset(e, 0, sizeof *e);
    e->cls = ERRC_SERVER;
    snprintf(e->type, sizeof e->type, "api_error");
    snprintf(e->message, sizeof e->message, "%s", message);
    return report(x, NULL);
}
