/* xstream_a2o: Anthropic Messages events -> OpenAI chat.completion.chunk stream (Z.AI
 * answering an OpenAI client). Tool calls are numbered among tool_use blocks only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "xstream_internal.h"
#include "xlate/xlate.h"

#define MAX_BLOCKS 4096

/* ---- chunk frames ---- */

/* `data: {"id":…,"object":…,"created":…,"model":…` is the same in every chunk: built once. */
static void head(struct xstream *x)
{
    struct buf *p = &x->ao.prefix;
    if (p->len == 0 && !x->werr) {
        int rc = buf_printf(p,
                            "data: {\"id\":\"%s\",\"object\":\"chat.completion.chunk\","
                            "\"created\":%ld,\"model\":",
                            xstream_id(x, "chatcmpl-"), x->created);
        if (rc == 0)
            rc = xstream_buf_jstr(p, x->model, strlen(x->model));
        if (rc) {
            buf_reset(p);
            x->werr = rc;
            return;
        }
    }
    xstream_put(x, p->data, p->len);
}

static void chunk_begin(struct xstream *x)
{
    head(x);
    xstream_puts(x, ",\"choices\":[{\"index\":0,\"delta\":{");
}

static void chunk_end(struct xstream *x, const char *finish)
{
    if (finish)
        xstream_printf(x, "},\"finish_reason\":\"%s\"}]}\n\n", finish);
    else
        xstream_puts(x, "},\"finish_reason\":null}]}\n\n");
}

static void role(struct xstream *x)
{
    if (x->ao.sent_role)
        return;
    x->ao.sent_role = true;
    chunk_begin(x);
    xstream_puts(x, "\"role\":\"assistant\",\"content\":\"\"");
    chunk_end(x, NULL);
}

/* One chunk whose delta is {key: s}. */
static void text_chunk(struct xstream *x, const char *key, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0)
        return;
    role(x);
    chunk_begin(x);
    xstream_printf(x, "\"%s\":", key);
    xstream_jstr(x, s, n);
    chunk_end(x, NULL);
    x->out_chars += n;
}

static void args_chunk(struct xstream *x, int k, const char *s, size_t n)
{
    role(x);
    chunk_begin(x);
    xstream_printf(x, "\"tool_calls\":[{\"index\":%d,\"function\":{\"arguments\":", k);
    xstream_jstr(x, s, n);
    xstream_puts(x, "}}]");
    chunk_end(x, NULL);
    x->out_chars += n;
}

/* Message text, or with json_tool held back (see struct xstream_a2o). */
static void content_text(struct xstream *x, const char *s)
{
    if (!x->o.json_tool)
        text_chunk(x, "content", s);
    else if (!x->ao.json_called && s)
        (void)buf_puts(&x->ao.held_text, s); /* past the cap, the rest is dropped */
}

/* ---- blocks ---- */

static struct xstream_ablock *block(struct xstream *x, const cJSON *ev, bool create)
{
    struct xstream_a2o *a = &x->ao;
    double d = json_num(ev, "index", -1);
    if (!(d >= 0 && d < MAX_BLOCKS))
        return NULL;
    size_t i = (size_t)d;
    if (i >= a->n) {
        if (!create)
            return NULL;
        struct xstream_ablock *p = realloc(a->blocks, (i + 1) * sizeof *p);
        if (!p)
            return NULL;
        memset(p + a->n, 0, (i + 1 - a->n) * sizeof *p);
        a->blocks = p;
        a->n = i + 1;
    }
    return &a->blocks[i];
}

static int on_block_start(struct xstream *x, const cJSON *ev)
{
    const cJSON *cb = json_obj(ev, "content_block");
    const char *type = json_str(cb, "type");
    double d = json_num(ev, "index", -1);
    if (!(d >= 0 && d < MAX_BLOCKS))
        return 0; /* no block to hang deltas on: they will be ignored too */
    struct xstream_ablock *b = block(x, ev, true);
    if (!b)
        return -ENOMEM;
    memset(b, 0, sizeof *b);
    if (!type)
        return 0;
    if (strcmp(type, "text") == 0) {
        b->kind = XSK_TEXT;
        content_text(x, json_str(cb, "text"));
    } else if (strcmp(type, "thinking") == 0) {
        b->kind = XSK_THINK;
        text_chunk(x, "reasoning_content", json_str(cb, "thinking"));
    } else if (strcmp(type, "tool_use") == 0 && x->o.json_tool &&
               strcmp(json_str(cb, "name") ? json_str(cb, "name") : "", XLATE_JSON_TOOL) == 0) {
        b->kind = XSK_JSON; /* the client's response_format: its input is the answer text */
        x->ao.json_called = true;
        buf_reset(&x->ao.held_text);
    } else if (strcmp(type, "tool_use") == 0) {
        const char *id = json_str(cb, "id");
        const char *name = json_str(cb, "name");
        char tmp[48];
        if (!id || !*id) {
            xstream_rand_id(x, "call_", tmp, sizeof tmp);
            id = tmp;
        }
        b->kind = XSK_TOOL;
        b->k = x->ao.next_tool++;
        role(x);
        chunk_begin(x);
        xstream_printf(x, "\"tool_calls\":[{\"index\":%d,\"id\":", b->k);
        xstream_jstr(x, id, strlen(id));
        xstream_puts(x, ",\"type\":\"function\",\"function\":{\"name\":");
        xstream_jstr(x, name ? name : "", name ? strlen(name) : 0);
        xstream_puts(x, ",\"arguments\":\"\"}}]");
        chunk_end(x, NULL);
    }
    return 0;
}

static int on_block_delta(struct xstream *x, const cJSON *ev)
{
    struct xstream_ablock *b = block(x, ev, false);
    const cJSON *d = json_obj(ev, "delta");
    const char *type = json_str(d, "type");
    if (!b || !type)
        return 0;
    if (strcmp(type, "text_delta") == 0) {
        content_text(x, json_str(d, "text"));
    } else if (strcmp(type, "thinking_delta") == 0) {
        text_chunk(x, "reasoning_content", json_str(d, "thinking"));
    } else if (strcmp(type, "input_json_delta") == 0 && b->kind == XSK_JSON) {
        const char *p = json_str(d, "partial_json");
        if (p && *p) {
            b->got_args = true;
            text_chunk(x, "content", p);
        }
    } else if (strcmp(type, "input_json_delta") == 0 && b->kind == XSK_TOOL) {
        const char *p = json_str(d, "partial_json");
        size_t n = p ? strlen(p) : 0;
        if (n) {
            b->got_args = true;
            args_chunk(x, b->k, p, n);
        }
    }
    return 0;
}

static int on_block_stop(struct xstream *x, const cJSON *ev)
{
    struct xstream_ablock *b = block(x, ev, false);
    if (b && b->kind == XSK_TOOL && !b->got_args) {
        b->got_args = true;
        args_chunk(x, b->k, "{}", 2);
    } else if (b && b->kind == XSK_JSON && !b->got_args) {
        b->got_args = true;
        text_chunk(x, "content", "{}");
    }
    return 0;
}

/* ---- the end ---- */

static const char *finish_reason(const struct xstream *x, const char *stop)
{
    if (x->ao.next_tool > 0)
        return "tool_calls";
    if (!stop)
        return "stop";
    if (strcmp(stop, "max_tokens") == 0 || strcmp(stop, "model_context_window_exceeded") == 0)
        return "length";
    if (strcmp(stop, "tool_use") == 0)
        return x->o.json_tool ? "stop" : "tool_calls"; /* only the json tool was called */
    if (strcmp(stop, "refusal") == 0)
        return "content_filter";
    return "stop";
}

static void finish_chunk(struct xstream *x, const char *stop)
{
    if (x->ao.held_text.len) { /* json_tool, but the model answered in text after all */
        text_chunk(x, "content", buf_cstr(&x->ao.held_text));
        buf_reset(&x->ao.held_text);
    }
    const char *fr = finish_reason(x, stop);
    x->ao.got_stop_reason = true;
    snprintf(x->st.stop_reason, sizeof x->st.stop_reason, "%s", fr);
    role(x);
    chunk_begin(x);
    chunk_end(x, fr);
}

static void stream_end(struct xstream *x)
{
    if (!x->ao.got_stop_reason)
        finish_chunk(x, NULL);
    if (x->o.include_usage) {
        long in = xstream_tokens_in(x), out = xstream_tokens_out(x);
        head(x);
        xstream_printf(x,
                       ",\"choices\":[],\"usage\":{\"prompt_tokens\":%ld,"
                       "\"completion_tokens\":%ld,\"total_tokens\":%ld",
                       in, out, in + out);
        if (x->st.got_usage && x->u_cache_read > 0)
            xstream_printf(x, ",\"prompt_tokens_details\":{\"cached_tokens\":%ld}",
                           x->u_cache_read);
        xstream_puts(x, "}}\n\n");
    }
    xstream_puts(x, "data: [DONE]\n\n");
    xstream_end_ok(x);
}

static int on_message_delta(struct xstream *x, const cJSON *ev)
{
    xstream_usage_anthropic(x, json_obj(ev, "usage"), true);
    const char *stop = json_str(json_obj(ev, "delta"), "stop_reason");
    if (stop && !x->ao.got_stop_reason)
        finish_chunk(x, stop);
    return 0;
}

static int dispatch(struct xstream *x, const char *type, const cJSON *ev)
{
    if (strcmp(type, "content_block_delta") == 0)
        return on_block_delta(x, ev);
    if (strcmp(type, "content_block_start") == 0)
        return on_block_start(x, ev);
    if (strcmp(type, "content_block_stop") == 0)
        return on_block_stop(x, ev);
    if (strcmp(type, "message_start") == 0) {
        xstream_usage_anthropic(x, json_obj(json_obj(ev, "message"), "usage"), false);
        return 0;
    }
    if (strcmp(type, "message_delta") == 0)
        return on_message_delta(x, ev);
    if (strcmp(type, "message_stop") == 0) {
        x->upstream_done = true;
        stream_end(x);
        return 0;
    }
    if (strcmp(type, "error") == 0)
        return xstream_upstream_error(x, ev);
    return 0; /* ping and event types added later */
}

static int a2o_event(struct xstream *x, const struct sse_event *ev, cJSON *j)
{
    const char *type = ev->event[0] ? ev->event : json_str(j, "type");
    return type ? dispatch(x, type, j) : 0;
}

static bool a2o_eof(struct xstream *x)
{
    /* A stop_reason means the answer is whole even if message_stop got lost. */
    if (!x->ao.got_stop_reason)
        return false;
    stream_end(x);
    return true;
}

static void a2o_close(struct xstream *x)
{
    (void)x; /* OpenAI streams have no blocks to close */
}

static void a2o_release(struct xstream *x)
{
    free(x->ao.blocks);
    x->ao.blocks = NULL;
    x->ao.n = 0;
}

const struct xstream_ops xstream_a2o_ops = {
    .event = a2o_event,
    .done = NULL,
    .eof = a2o_eof,
    .close = a2o_close,
    .release = a2o_release,
};
