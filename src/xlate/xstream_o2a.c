/* xstream_o2a: OpenAI chat.completion.chunk stream -> Anthropic Messages events (Cerebras
 * answering Claude Code). Content arrives as slots (a thinking run, a text run, one tool call);
 * exactly one slot is open as an Anthropic block at a time, in slot order, so interleaved
 * parallel tool calls are buffered and each block is emitted contiguously. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "xlate/xlate.h"
#include "xstream_internal.h"

#define MAX_SLOTS 1024

/* ---- Anthropic frames ---- */

static void ev_begin(struct xstream *x, const char *type)
{
    xstream_printf(x, "event: %s\ndata: {\"type\":\"%s\"", type, type);
}

static void ev_end(struct xstream *x)
{
    xstream_put(x, "}\n\n", 3);
}

static void message_start(struct xstream *x)
{
    if (x->oa.msg_started)
        return;
    x->oa.msg_started = true;
    ev_begin(x, "message_start");
    xstream_printf(x,
                   ",\"message\":{\"id\":\"%s\",\"type\":\"message\",\"role\":\"assistant\","
                   "\"model\":",
                   xstream_id(x, "msg_"));
    xstream_jstr(x, x->model, strlen(x->model));
    xstream_printf(x,
                   ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{"
                   "\"input_tokens\":%ld,\"cache_creation_input_tokens\":0,"
                   "\"cache_read_input_tokens\":0,\"output_tokens\":1}}",
                   x->o.input_tokens_hint);
    ev_end(x);
}

static void delta(struct xstream *x, const struct xstream_slot *s, const char *p, size_t n)
{
    static const char *const dtype[] = {
        [XSK_TEXT] = "text_delta\",\"text",
        [XSK_THINK] = "thinking_delta\",\"thinking",
        [XSK_TOOL] = "input_json_delta\",\"partial_json",
    };
    if (n == 0)
        return;
    ev_begin(x, "content_block_delta");
    xstream_printf(x, ",\"index\":%d,\"delta\":{\"type\":\"%s\":", s->block, dtype[s->kind]);
    xstream_jstr(x, p, n);
    xstream_put(x, "}", 1);
    ev_end(x);
    x->out_chars += n;
}

static void block_start(struct xstream *x, const struct xstream_slot *s)
{
    ev_begin(x, "content_block_start");
    xstream_printf(x, ",\"index\":%d,\"content_block\":", s->block);
    if (s->kind == XSK_TEXT) {
        xstream_puts(x, "{\"type\":\"text\",\"text\":\"\"}");
    } else if (s->kind == XSK_THINK) {
        /* signature "" rather than null (Claude Code replays the block and a null one is
         * rejected); the block's signature_delta comes before its stop, as Anthropic sends
         * it, and says who wrote it (XLATE_THINKING_SIGNATURE). */
        xstream_puts(x, "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}");
    } else {
        /* A call whose name never came cannot run; a stand-in name lets the client answer
         * "no such tool" to the model instead of failing on an empty one. */
        const char *name = s->name ? s->name : "unnamed_tool";
        xstream_puts(x, "{\"type\":\"tool_use\",\"id\":");
        xstream_jstr(x, s->id, strlen(s->id));
        xstream_puts(x, ",\"name\":");
        xstream_jstr(x, name, strlen(name));
        xstream_puts(x, ",\"input\":{}}");
    }
    ev_end(x);
}

/* ---- slots ---- */

static void open_slot(struct xstream *x, size_t i)
{
    struct xstream_o2a *a = &x->oa;
    struct xstream_slot *s = &a->slots[i];
    message_start(x);
    s->block = a->next_block++;
    a->cur = (int)i;
    a->nopen = i + 1;
    if (s->kind == XSK_TOOL)
        a->any_tool = true;
    block_start(x, s);
    delta(x, s, s->pend.data, s->pend.len);
    buf_release(&s->pend);
}

static void close_cur(struct xstream *x)
{
    struct xstream_o2a *a = &x->oa;
    if (a->cur < 0)
        return;
    struct xstream_slot *s = &a->slots[a->cur];
    /* Claude Code parses the concatenated partial_json; nothing at all is not an object. */
    if (s->kind == XSK_TOOL && !s->nonblank)
        delta(x, s, "{}", 2);
    if (s->kind == XSK_THINK) {
        ev_begin(x, "content_block_delta");
        xstream_printf(x,
                       ",\"index\":%d,\"delta\":{\"type\":\"signature_delta\",\"signature\":"
                       "\"%s\"}",
                       s->block, XLATE_THINKING_SIGNATURE);
        ev_end(x);
    }
    ev_begin(x, "content_block_stop");
    xstream_printf(x, ",\"index\":%d", s->block);
    ev_end(x);
    a->cur = -1;
}

/* Whether the open slot may be closed for the next one: a tool only once its arguments form a
 * whole JSON value (a later fragment could not be placed otherwise). */
static bool cur_done(const struct xstream *x, bool force)
{
    const struct xstream_o2a *a = &x->oa;
    if (a->cur < 0 || force)
        return true;
    const struct xstream_slot *s = &a->slots[a->cur];
    return s->kind != XSK_TOOL || s->js.complete;
}

static void drain(struct xstream *x, bool force)
{
    struct xstream_o2a *a = &x->oa;
    while (a->nopen < a->n && !x->werr) {
        const struct xstream_slot *next = &a->slots[a->nopen];
        if (!cur_done(x, force))
            return;
        if (!force && next->kind == XSK_TOOL && !next->name)
            return; /* a tool_use block cannot start without its name */
        close_cur(x);
        open_slot(x, a->nopen);
    }
}

static struct xstream_slot *new_slot(struct xstream *x, enum xstream_kind kind, int *rc)
{
    struct xstream_o2a *a = &x->oa;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 8;
        if (a->n >= MAX_SLOTS) {
            *rc = -E2BIG;
            return NULL;
        }
        struct xstream_slot *p = realloc(a->slots, cap * sizeof *p);
        if (!p) {
            *rc = -ENOMEM;
            return NULL;
        }
        a->slots = p;
        a->cap = cap;
    }
    struct xstream_slot *s = &a->slots[a->n++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->block = -1;
    /* Content waiting behind an unfinished tool call is bounded like the stream itself. */
    size_t max = x->o.max_event_bytes;
    buf_init(&s->pend, max < SIZE_MAX / 4 ? max * 4 : 0);
    return s;
}

static int add_text(struct xstream *x, enum xstream_kind kind, const char *p, size_t n)
{
    struct xstream_o2a *a = &x->oa;
    if (!p || n == 0)
        return 0;
    if (a->n && a->slots[a->n - 1].kind == kind) {
        size_t li = a->n - 1;
        if (a->cur == (int)li) {
            delta(x, &a->slots[li], p, n);
            return 0;
        }
        if (li >= a->nopen)
            return buf_append(&a->slots[li].pend, p, n);
    }
    int rc = 0;
    struct xstream_slot *s = new_slot(x, kind, &rc);
    if (!s)
        return rc;
    rc = buf_append(&s->pend, p, n);
    drain(x, false);
    return rc;
}

/* ---- tool calls ---- */

static void jscan(struct xstream_jscan *j, const char *p, size_t n)
{
    for (size_t i = 0; i < n && !j->complete && !j->other; i++) {
        char c = p[i];
        if (j->in_str) {
            if (j->esc)
                j->esc = false;
            else if (c == '\\')
                j->esc = true;
            else if (c == '"')
                j->in_str = false;
        } else if (c == '"') {
            j->in_str = true;
        } else if (c == '{' || c == '[') {
            j->depth++;
            j->opened = true;
        } else if (c == '}' || c == ']') {
            if (--j->depth == 0 && j->opened)
                j->complete = true;
        } else if (!j->opened && c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            j->other = true; /* a bare scalar: never known to be complete */
        }
    }
}

static long find_tool(const struct xstream_o2a *a, int oa_index)
{
    for (size_t i = a->n; i-- > 0;)
        if (a->slots[i].kind == XSK_TOOL && a->slots[i].oa_index == oa_index)
            return (long)i;
    return -1;
}

static int set_id(struct xstream *x, struct xstream_slot *s, const char *id)
{
    char *raw = id ? strdup(id) : NULL;
    char *shown = xstream_tool_id(x, id);
    if ((id && !raw) || !shown) {
        free(raw);
        free(shown);
        return -ENOMEM;
    }
    free(s->raw_id);
    free(s->id);
    s->raw_id = raw;
    s->id = shown;
    return 0;
}

/* The slot a fragment belongs to: the latest call at its index, unless the fragment names a
 * different id (servers that reuse index 0 for successive calls). */
static struct xstream_slot *tool_slot(struct xstream *x, int oa_index, const char *id,
                                      const char *name, int *rc)
{
    struct xstream_o2a *a = &x->oa;
    long i = find_tool(a, oa_index);
    if (i >= 0) {
        struct xstream_slot *s = &a->slots[i];
        /* Servers that send each whole call as one chunk at index 0 and no id: a name after
         * a finished call starts the next one. */
        bool next_call = name && s->name && s->js.complete;
        if (!next_call && (!id || !s->raw_id || strcmp(s->raw_id, id) == 0)) {
            if (id && !s->raw_id && (size_t)i >= a->nopen)
                *rc = set_id(x, s, id);
            return s;
        }
    }
    struct xstream_slot *s = new_slot(x, XSK_TOOL, rc);
    if (!s)
        return NULL;
    s->oa_index = oa_index;
    *rc = set_id(x, s, id);
    return s;
}

static int add_tool(struct xstream *x, const cJSON *tc, int pos)
{
    double di = json_num(tc, "index", pos);
    int oa_index = di >= 0 && di < 1e6 ? (int)di : pos;
    const char *id = json_str(tc, "id");
    const cJSON *fn = json_obj(tc, "function");
    const char *name = xlate_tool_name_long(x->o.client_tools, json_str(fn, "name"));
    const char *args = json_str(fn, "arguments");
    int rc = 0;
    struct xstream_slot *s =
        tool_slot(x, oa_index, id && *id ? id : NULL, name && *name ? name : NULL, &rc);
    if (!s || rc)
        return rc ? rc : -ENOMEM;
    if (name && *name && !s->name && !(s->name = strdup(name)))
        return -ENOMEM;
    size_t n = args ? strlen(args) : 0;
    if (n) {
        size_t si = (size_t)(s - x->oa.slots);
        jscan(&s->js, args, n);
        s->nonblank = s->nonblank || strspn(args, " \t\r\n") < n;
        if (x->oa.cur == (int)si)
            delta(x, s, args, n);
        else if (si >= x->oa.nopen)
            rc = buf_append(&s->pend, args, n);
        /* else: bytes after the call's JSON closed and its block ended; they could only
         * have made the arguments invalid. */
    }
    drain(x, false);
    return rc;
}

/* ---- the end ---- */

static const char *stop_reason(const struct xstream_o2a *a)
{
    /* GLM and others say "stop" after tool calls: the client must still run the tools. */
    if (a->any_tool)
        return "tool_use";
    if (strcmp(a->finish, "length") == 0)
        return "max_tokens";
    if (a->refusal || strcmp(a->finish, "content_filter") == 0 ||
        strcmp(a->finish, "sensitive") == 0)
        return "refusal";
    return "end_turn";
}

static void finish_blocks(struct xstream *x)
{
    drain(x, true);
    close_cur(x);
}

static void message_end(struct xstream *x)
{
    struct xstream_o2a *a = &x->oa;
    finish_blocks(x);
    message_start(x);
    const char *stop = stop_reason(a);
    bool u = x->st.got_usage;
    ev_begin(x, "message_delta");
    xstream_printf(x, ",\"delta\":{\"stop_reason\":\"%s\",\"stop_sequence\":null},", stop);
    xstream_printf(x,
                   "\"usage\":{\"input_tokens\":%ld,\"cache_creation_input_tokens\":%ld,"
                   "\"cache_read_input_tokens\":%ld,\"output_tokens\":%ld}",
                   u ? x->u_in : x->o.input_tokens_hint, u ? x->u_cache_create : 0,
                   u ? x->u_cache_read : 0, u ? x->u_out : (long)((x->out_chars + 3) / 4));
    ev_end(x);
    ev_begin(x, "message_stop");
    ev_end(x);
    snprintf(x->st.stop_reason, sizeof x->st.stop_reason, "%s", stop);
    xstream_end_ok(x);
}

static int on_finish(struct xstream *x, const char *reason)
{
    struct xstream_o2a *a = &x->oa;
    if (strcmp(reason, "network_error") == 0)
        return xstream_upstream_failure(x, "the provider reported a network error mid-answer");
    snprintf(a->finish, sizeof a->finish, "%s", reason);
    a->got_finish = true;
    /* The message_delta waits for the usage chunk that follows finish_reason. */
    finish_blocks(x);
    return 0;
}

/* ---- chunks ---- */

static const cJSON *first_choice(const cJSON *j)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, json_arr(j, "choices"))
    {
        if (cJSON_IsObject(c) && json_num(c, "index", 0) == 0)
            return c;
    }
    return NULL;
}

static int on_delta(struct xstream *x, const cJSON *d)
{
    /* Split in the order the client expects: thinking, then text, then tool calls. */
    const char *r = json_str(d, "reasoning_content");
    if (!r || !*r)
        r = json_str(d, "reasoning");
    if (x->o.drop_reasoning)
        r = NULL;
    int rc = add_text(x, XSK_THINK, r, r ? strlen(r) : 0);
    const char *t = json_str(d, "content");
    if (rc == 0)
        rc = add_text(x, XSK_TEXT, t, t ? strlen(t) : 0);
    const char *refusal = json_str(d, "refusal");
    if (rc == 0 && refusal && *refusal) {
        x->oa.refusal = true;
        rc = add_text(x, XSK_TEXT, refusal, strlen(refusal));
    }
    int pos = 0;
    const cJSON *tc;
    cJSON_ArrayForEach(tc, json_arr(d, "tool_calls"))
    {
        if (rc == 0 && cJSON_IsObject(tc))
            rc = add_tool(x, tc, pos);
        pos++;
    }
    return rc;
}

static int on_chunk(struct xstream *x, const cJSON *j)
{
    struct xstream_o2a *a = &x->oa;
    int rc = 0;
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
    if ((cJSON_IsObject(err) || cJSON_IsString(err)) && !cJSON_HasObjectItem(j, "choices"))
        return xstream_upstream_error(x, j);
    xstream_usage_openai(x, json_obj(j, "usage"));
    const cJSON *c = first_choice(j);
    if (c && !a->got_finish) {
        rc = on_delta(x, json_obj(c, "delta"));
        const char *fr = json_str(c, "finish_reason");
        if (rc == 0 && fr && *fr)
            rc = on_finish(x, fr);
    }
    if (rc == 0 && !x->ended && a->got_finish && x->st.got_usage)
        message_end(x);
    return rc;
}

static int o2a_event(struct xstream *x, const struct sse_event *ev, cJSON *j)
{
    return strcmp(ev->event, "error") == 0 ? xstream_upstream_error(x, j) : on_chunk(x, j);
}

static bool o2a_eof(struct xstream *x)
{
    if (!x->oa.got_finish)
        return false;
    message_end(x);
    return true;
}

static void o2a_close(struct xstream *x)
{
    /* A tool block cut inside its JSON stays open: closing it would declare a broken input
     * final, and the error frame that follows ends the message anyway. */
    if (x->oa.cur >= 0 && !cur_done(x, false) && x->oa.slots[x->oa.cur].nonblank)
        return;
    close_cur(x);
}

static void o2a_release(struct xstream *x)
{
    struct xstream_o2a *a = &x->oa;
    for (size_t i = 0; i < a->n; i++) {
        free(a->slots[i].raw_id);
        free(a->slots[i].id);
        free(a->slots[i].name);
        buf_release(&a->slots[i].pend);
    }
    free(a->slots);
    a->slots = NULL;
    a->n = a->cap = 0;
}

const struct xstream_ops xstream_o2a_ops = {
    .event = o2a_event,
    .done = message_end,
    .eof = o2a_eof,
    .close = o2a_close,
    .release = o2a_release,
};
