/* xstream_pass: the same-dialect paths. OpenAI->OpenAI (Cerebras to an OpenAI client) and
 * Anthropic->Anthropic (Z.AI to Claude Code) pass frames through nearly byte for byte: the
 * model is renamed, usage read, errors normalised. Frames that carry no content yet are held
 * back, so a provider that fails right after its first frame can still be replaced. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "xstream_internal.h"

/* ---- locating a top-level key in JSON text (already validated by the parser) ---- */

static size_t skip_ws(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* s[i] is '"'; returns the index just past the closing quote. */
static size_t skip_str(const char *s, size_t i, size_t n)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return n;
}

static size_t skip_val(const char *s, size_t i, size_t n)
{
    if (i < n && s[i] == '"')
        return skip_str(s, i, n);
    int depth = 0;
    while (i < n) {
        char c = s[i];
        if (c == '"') {
            i = skip_str(s, i, n);
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']')
            depth--;
        if (depth < 0 || (depth == 0 && (c == ',' || c == '}' || c == ']')))
            return depth < 0 || c == ',' ? i : i + 1;
        i++;
    }
    return n;
}

/* Span [*vs, *ve) of the value of top-level key in the object text s. Lets a frame be copied
 * with one value swapped, instead of parsing and printing it again. */
static bool top_key(const char *s, size_t n, const char *key, size_t *vs, size_t *ve)
{
    size_t klen = strlen(key);
    size_t i = skip_ws(s, 0, n);
    if (i >= n || s[i] != '{')
        return false;
    i = skip_ws(s, i + 1, n);
    while (i < n && s[i] == '"') {
        size_t ke = skip_str(s, i, n);
        bool match = ke - i == klen + 2 && memcmp(s + i + 1, key, klen) == 0;
        i = skip_ws(s, ke, n);
        if (i >= n || s[i] != ':')
            return false;
        i = skip_ws(s, i + 1, n);
        size_t end = skip_val(s, i, n);
        if (match) {
            *vs = i;
            *ve = end;
            return true;
        }
        i = skip_ws(s, end, n);
        if (i >= n || s[i] != ',')
            return false;
        i = skip_ws(s, i + 1, n);
    }
    return false;
}

/* ---- shared ---- */

/* A frame with the value of its top-level "model" key replaced by the client's model. */
static void frame_renamed(struct xstream *x, const char *event, const char *s, size_t n)
{
    size_t vs, ve;
    if (!top_key(s, n, "model", &vs, &ve)) {
        xstream_frame(x, event, s, n);
        return;
    }
    if (event && *event)
        xstream_printf(x, "event: %s\n", event);
    xstream_put(x, "data: ", 6);
    xstream_data(x, s, vs);
    xstream_jstr(x, x->model, strlen(x->model));
    xstream_data(x, s + ve, n - ve);
    xstream_put(x, "\n\n", 2);
}

static void frame_json(struct xstream *x, const char *event, const cJSON *j)
{
    char *p = json_print(j);
    if (!p) {
        if (!x->werr)
            x->werr = -ENOMEM;
        return;
    }
    xstream_frame(x, event, p, strlen(p));
    free(p);
}

/* Writers go to the held buffer while hold is set. */
static struct buf *hold_begin(struct xstream *x)
{
    struct buf *out = x->out;
    x->out = &x->ps.held;
    return out;
}

static void hold_end(struct xstream *x, struct buf *out)
{
    x->out = out;
}

static void flush_held(struct xstream *x)
{
    if (x->ps.held.len == 0)
        return;
    xstream_put(x, x->ps.held.data, x->ps.held.len);
    buf_reset(&x->ps.held);
}

static bool set_model(cJSON *obj, const char *model)
{
    cJSON *m = cJSON_CreateString(model);
    if (!m)
        return false;
    bool ok = cJSON_GetObjectItemCaseSensitive(obj, "model")
                  ? cJSON_ReplaceItemInObjectCaseSensitive(obj, "model", m)
                  : cJSON_AddItemToObject(obj, "model", m);
    if (!ok)
        cJSON_Delete(m);
    return ok;
}

/* ---- OpenAI -> OpenAI ---- */

/* Bytes of content a delta carries (text, reasoning, tool arguments); tool calls without
 * arguments count as one so that they are never held back. */
static size_t payload(const cJSON *d)
{
    static const char *const keys[] = {"content", "reasoning", "reasoning_content", "refusal",
                                       NULL};
    size_t n = 0;
    for (const char *const *k = keys; *k; k++) {
        const char *s = json_str(d, *k);
        n += s ? strlen(s) : 0;
    }
    const cJSON *tc;
    cJSON_ArrayForEach(tc, json_arr(d, "tool_calls"))
    {
        const char *a = json_str(json_obj(tc, "function"), "arguments");
        n += a && *a ? strlen(a) : 1;
    }
    return n + (json_obj(d, "function_call") ? 1 : 0);
}

/* finish_reason in the vocabulary OpenAI clients act on: Z.AI's moderation stop becomes
 * content_filter, and GLM's "stop" after tool calls becomes tool_calls (agents run tools
 * only then). Returns fr itself when it needs no change. */
static const char *finish_reason(const struct xstream *x, const char *fr)
{
    if (strcmp(fr, "sensitive") == 0)
        return "content_filter";
    if (x->ps.saw_tools && strcmp(fr, "stop") == 0)
        return "tool_calls";
    return fr;
}

static void o2o_done(struct xstream *x)
{
    flush_held(x);
    xstream_puts(x, "data: [DONE]\n\n");
    xstream_end_ok(x);
}

static int o2o_choice(struct xstream *x, cJSON *j, cJSON *c, const struct sse_event *ev)
{
    const char *fr = json_str(c, "finish_reason");
    if (fr && strcmp(fr, "network_error") == 0)
        return xstream_upstream_failure(x, "the provider reported a network error mid-answer");
    size_t n = payload(json_obj(c, "delta"));
    x->out_chars += n;
    if (!fr && n == 0 && !x->st.started) {
        struct buf *out = hold_begin(x);
        frame_renamed(x, NULL, ev->data, ev->data_len);
        hold_end(x, out);
        return 0;
    }
    flush_held(x);
    if (cJSON_GetArraySize(json_arr(json_obj(c, "delta"), "tool_calls")) > 0)
        x->ps.saw_tools = true;
    const char *norm = fr ? finish_reason(x, fr) : NULL;
    if (norm != fr) {
        fr = norm;
        cJSON *v = cJSON_CreateString(fr);
        if (!v || !cJSON_ReplaceItemInObjectCaseSensitive(c, "finish_reason", v)) {
            cJSON_Delete(v);
            return -ENOMEM;
        }
        if (!set_model(j, x->model))
            return -ENOMEM;
        frame_json(x, NULL, j);
    } else {
        frame_renamed(x, NULL, ev->data, ev->data_len);
    }
    if (fr) {
        x->ps.got_finish = true;
        snprintf(x->st.stop_reason, sizeof x->st.stop_reason, "%s", fr);
    }
    return 0;
}

static int o2o_chunk(struct xstream *x, cJSON *j, const struct sse_event *ev)
{
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
    bool has_choices = cJSON_HasObjectItem(j, "choices");
    if (strcmp(ev->event, "error") == 0 ||
        ((cJSON_IsObject(err) || cJSON_IsString(err)) && !has_choices))
        return xstream_upstream_error(x, j);
    const cJSON *usage = json_obj(j, "usage");
    xstream_usage_openai(x, usage);
    cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "choices"), 0);
    if (cJSON_IsObject(c))
        return x->ps.got_finish ? 0 : o2o_choice(x, j, c, ev); /* nothing follows a finish */
    if (usage && x->o.include_usage) {
        flush_held(x);
        frame_renamed(x, NULL, ev->data, ev->data_len);
    }
    /* The usage-only chunk was not asked for: it is read above and dropped. */
    return 0;
}

static int o2o_event(struct xstream *x, const struct sse_event *ev, cJSON *j)
{
    return o2o_chunk(x, j, ev);
}

static bool o2o_eof(struct xstream *x)
{
    if (!x->ps.got_finish)
        return false;
    o2o_done(x); /* upstream forgot [DONE]; clients wait for it */
    return true;
}

static void no_close(struct xstream *x)
{
    (void)x;
}

static void no_release(struct xstream *x)
{
    (void)x;
}

const struct xstream_ops xstream_o2o_ops = {
    .event = o2o_event,
    .done = o2o_done,
    .eof = o2o_eof,
    .close = no_close,
    .release = no_release,
};

/* ---- Anthropic -> Anthropic ---- */

static int a2a_message_start(struct xstream *x, cJSON *j)
{
    cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "message");
    if (!cJSON_IsObject(msg))
        return -EPROTO;
    cJSON *usage = cJSON_GetObjectItemCaseSensitive(msg, "usage");
    xstream_usage_anthropic(x, usage, false);
    if (!set_model(msg, x->model))
        return -ENOMEM;
    /* Z.AI reports input_tokens 0 here (the real count comes with message_delta); a local
     * estimate serves Claude Code's context meter better than nothing. */
    cJSON *in = cJSON_GetObjectItemCaseSensitive(usage, "input_tokens");
    if (cJSON_IsNumber(in) && in->valuedouble == 0 && x->o.input_tokens_hint > 0)
        cJSON_SetNumberValue(in, (double)x->o.input_tokens_hint);
    struct buf *out = hold_begin(x);
    frame_json(x, "message_start", j);
    hold_end(x, out);
    return 0;
}

static void a2a_track(struct xstream *x, const char *type, const cJSON *j)
{
    if (strcmp(type, "content_block_start") == 0) {
        double d = json_num(j, "index", -1);
        const char *bt = json_str(json_obj(j, "content_block"), "type");
        x->ps.open_block = d >= 0 && d < 1e9 ? (long)d : -1;
        x->ps.open_is_tool = bt && strstr(bt, "tool_use") != NULL;
    } else if (strcmp(type, "content_block_stop") == 0) {
        x->ps.open_block = -1;
    } else if (strcmp(type, "message_delta") == 0) {
        xstream_usage_anthropic(x, json_obj(j, "usage"), true);
        const char *stop = json_str(json_obj(j, "delta"), "stop_reason");
        if (stop)
            snprintf(x->st.stop_reason, sizeof x->st.stop_reason, "%s", stop);
        x->ps.got_finish = true;
    }
}

static void a2a_frame(struct xstream *x, const char *type, const struct sse_event *ev)
{
    if (strcmp(type, "ping") == 0 && !x->st.started) {
        struct buf *out = hold_begin(x);
        xstream_frame(x, type, ev->data, ev->data_len);
        hold_end(x, out);
        return;
    }
    flush_held(x);
    /* Claude Code ignores frames without an event: line, so name them from "type". */
    xstream_frame(x, type, ev->data, ev->data_len);
}

/* Every event is parsed, deltas too: an invalid frame must stop here rather than break the
 * client's parser mid-answer. */
static int a2a_event(struct xstream *x, const struct sse_event *ev, cJSON *j)
{
    const char *type = ev->event[0] ? ev->event : json_str(j, "type");
    int rc = 0;
    if (!type) {
        rc = 0; /* nothing a client could dispatch on */
    } else if (strcmp(type, "error") == 0) {
        rc = xstream_upstream_error(x, j);
    } else if (strcmp(type, "message_start") == 0) {
        rc = a2a_message_start(x, j);
    } else {
        a2a_track(x, type, j);
        a2a_frame(x, type, ev);
        if (strcmp(type, "message_stop") == 0) {
            x->upstream_done = true;
            xstream_end_ok(x);
        }
    }
    return rc;
}

static void a2a_close(struct xstream *x)
{
    /* A tool block may be cut inside its JSON (not parsed here): leave it open rather than
     * declare a broken input final; the error frame ends the message anyway. */
    if (x->ps.open_block < 0 || x->ps.open_is_tool)
        return;
    xstream_printf(x,
                   "event: content_block_stop\ndata: "
                   "{\"type\":\"content_block_stop\",\"index\":%ld}\n\n",
                   x->ps.open_block);
    x->ps.open_block = -1;
}

static bool a2a_eof(struct xstream *x)
{
    if (!x->ps.got_finish)
        return false;
    /* message_delta came, so the answer is whole; only message_stop got lost. */
    flush_held(x);
    xstream_puts(x, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    return true;
}

const struct xstream_ops xstream_a2a_ops = {
    .event = a2a_event,
    .done = NULL,
    .eof = a2a_eof,
    .close = a2a_close,
    .release = no_release,
};
