/* xlate_req_a2o: Anthropic Messages request -> OpenAI Chat Completions request, shaped by the
 * target's provider_rules row (Cerebras' strict field whitelist, or a permissive generic
 * OpenAI-compatible server). Pure; knows nothing of HTTP. */
#include "xlate/xlate.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "xlate_internal.h"

/* Claude Code's user_id is a long JSON string; `user` only needs to be a stable tag. */
#define MAX_USER_LEN 64
/* OpenAI accepts at most four stop strings. */
#define MAX_STOP 4

struct a2o {
    const struct provider_rules *rules; /* the target's */
    cJSON *msgs;                        /* output messages */
    cJSON *pending;       /* tool_calls of the last assistant message, awaiting answers */
    unsigned missing_ids; /* counter for tool_use blocks without an id */
    bool replays;         /* some assistant turn carries its reasoning back */
    bool oom;
};

static void note(struct a2o *st, bool ok)
{
    if (!ok)
        st->oom = true;
}

static cJSON *new_msg(const char *role)
{
    cJSON *m = cJSON_CreateObject();
    if (!xlate_add_str(m, "role", role)) {
        cJSON_Delete(m);
        return NULL;
    }
    return m;
}

static void push_msg(struct a2o *st, const char *role, const char *text)
{
    cJSON *m = new_msg(role);
    note(st, xlate_push_if(st->msgs, m, xlate_add_str(m, "content", text)));
}

static void add_system(struct a2o *st, const cJSON *req)
{
    struct buf b;
    buf_init(&b, 0);
    int rc = xlate_append_text(&b, cJSON_GetObjectItemCaseSensitive(req, "system"), "\n\n");
    const cJSON *m;
    cJSON_ArrayForEach(m, json_arr(req, "messages"))
    {
        const char *role = json_str(m, "role");
        if (!rc && role && strcmp(role, "system") == 0)
            rc = xlate_append_text(&b, cJSON_GetObjectItemCaseSensitive(m, "content"), "\n\n");
    }
    if (rc)
        st->oom = true;
    else if (b.len > 0)
        push_msg(st, "system", b.data);
    buf_release(&b);
}

static cJSON *find_answer(struct a2o *st, const char *id)
{
    cJSON *first = st->msgs->child;
    for (cJSON *m = first ? first->prev : NULL; m; m = m == first ? NULL : m->prev) {
        const char *role = json_str(m, "role");
        if (!role || strcmp(role, "tool") != 0)
            break;
        const char *tid = json_str(m, "tool_call_id");
        if (tid && strcmp(tid, id) == 0)
            return m;
    }
    return NULL;
}

static bool is_pending(const struct a2o *st, const char *id)
{
    const cJSON *tc;
    cJSON_ArrayForEach(tc, st->pending)
    {
        const char *tid = json_str(tc, "id");
        if (tid && strcmp(tid, id) == 0)
            return true;
    }
    return false;
}

/* One tool message per id: a second result for the same id is appended to the first. */
static void answer(struct a2o *st, const char *id, const char *text)
{
    cJSON *m = find_answer(st, id);
    if (!m) {
        m = new_msg("tool");
        bool ok = xlate_add_str(m, "tool_call_id", id) && xlate_add_str(m, "content", text);
        note(st, xlate_push_if(st->msgs, m, ok));
        return;
    }
    struct buf b;
    buf_init(&b, 0);
    if (buf_printf(&b, "%s\n%s", json_str(m, "content") ? json_str(m, "content") : "", text))
        st->oom = true;
    else
        note(st, cJSON_ReplaceItemInObjectCaseSensitive(m, "content", cJSON_CreateString(b.data)));
    buf_release(&b);
}

/* Every tool call must be answered before anything else follows it. */
static void close_pending(struct a2o *st)
{
    const cJSON *tc;
    cJSON_ArrayForEach(tc, st->pending)
    {
        const char *id = json_str(tc, "id");
        if (id && !find_answer(st, id))
            answer(st, id, "(no result)");
    }
    st->pending = NULL;
}

static void add_text_part(struct a2o *st, cJSON *parts, const char *text)
{
    if (!text || !text[0])
        return;
    cJSON *p = cJSON_CreateObject();
    bool ok = xlate_add_str(p, "type", "text") && xlate_add_str(p, "text", text);
    note(st, xlate_push_if(parts, p, ok));
}

static void add_url_part(struct a2o *st, cJSON *parts, const char *url)
{
    cJSON *p = cJSON_CreateObject();
    cJSON *iu = cJSON_CreateObject();
    bool ok = xlate_add_str(p, "type", "image_url");
    ok = xlate_add_if(p, "image_url", iu, xlate_add_str(iu, "url", url)) && ok;
    note(st, xlate_push_if(parts, p, ok));
}

/* image and base64 document sources -> an image_url part (data URL for inline bytes). */
static bool add_media_part(struct a2o *st, cJSON *parts, const cJSON *src, const char *def_mt)
{
    const char *type = json_str(src, "type");
    if (type && strcmp(type, "url") == 0 && json_str(src, "url")) {
        add_url_part(st, parts, json_str(src, "url"));
        return true;
    }
    const char *data = json_str(src, "data");
    if (!type || strcmp(type, "base64") != 0 || !data)
        return false;
    const char *mt = json_str(src, "media_type") ? json_str(src, "media_type") : def_mt;
    struct buf b;
    buf_init(&b, 0);
    if (buf_printf(&b, "data:%s;base64,%s", mt, data))
        st->oom = true;
    else
        add_url_part(st, parts, b.data);
    buf_release(&b);
    return true;
}

static void add_document(struct a2o *st, cJSON *parts, const cJSON *block)
{
    const cJSON *src = json_obj(block, "source");
    const char *type = json_str(src, "type");
    if (type && strcmp(type, "text") == 0) {
        add_text_part(st, parts, json_str(src, "data"));
        return;
    }
    if (type && strcmp(type, "content") == 0) {
        struct buf b;
        buf_init(&b, 0);
        if (xlate_append_text(&b, cJSON_GetObjectItemCaseSensitive(src, "content"), "\n\n"))
            st->oom = true;
        add_text_part(st, parts, buf_cstr(&b));
        buf_release(&b);
        return;
    }
    /* A provider that reads no PDFs gets a note rather than a part it would reject. */
    if (st->rules->reads_pdf && add_media_part(st, parts, src, "application/pdf"))
        return;
    char text[160];
    const char *what = json_str(src, "media_type") ? json_str(src, "media_type") : "document";
    snprintf(text, sizeof text, "[document omitted: %.120s]", what);
    add_text_part(st, parts, text);
}

static void add_orphan_result(struct a2o *st, cJSON *parts, const cJSON *block)
{
    struct buf b;
    buf_init(&b, 0);
    const char *id = json_str(block, "tool_use_id");
    if (buf_printf(&b, "[tool result %s] ", id ? id : "?") || xlate_result_text(&b, block))
        st->oom = true;
    add_text_part(st, parts, buf_cstr(&b));
    buf_release(&b);
}

static void add_user_block(struct a2o *st, cJSON *parts, const cJSON *block)
{
    const char *type = json_str(block, "type");
    if (!type)
        return;
    if (strcmp(type, "text") == 0)
        add_text_part(st, parts, json_str(block, "text"));
    else if (strcmp(type, "image") == 0)
        add_media_part(st, parts, json_obj(block, "source"), "image/jpeg");
    else if (strcmp(type, "document") == 0)
        add_document(st, parts, block);
    else if (strcmp(type, "tool_result") == 0)
        add_orphan_result(st, parts, block);
}

/* A list of text parts only becomes a plain string: the most widely accepted shape. */
static cJSON *parts_content(struct a2o *st, const cJSON *parts)
{
    struct buf b;
    buf_init(&b, 0);
    const cJSON *p;
    cJSON_ArrayForEach(p, parts)
    {
        const char *type = json_str(p, "type");
        if (!type || strcmp(type, "text") != 0) {
            buf_release(&b);
            return cJSON_Duplicate(parts, 1);
        }
        if (xlate_append_sep(&b, json_str(p, "text"), "\n\n"))
            st->oom = true;
    }
    cJSON *s = cJSON_CreateString(buf_cstr(&b));
    buf_release(&b);
    return s;
}

static void answer_results(struct a2o *st, const cJSON *content)
{
    const cJSON *bl;
    cJSON_ArrayForEach(bl, content)
    {
        const char *type = json_str(bl, "type");
        const char *id = json_str(bl, "tool_use_id");
        if (!type || strcmp(type, "tool_result") != 0 || !id || !is_pending(st, id))
            continue;
        struct buf b;
        buf_init(&b, 0);
        if (xlate_result_text(&b, bl))
            st->oom = true;
        answer(st, id, buf_cstr(&b));
        buf_release(&b);
    }
}

static void add_user(struct a2o *st, const cJSON *content)
{
    if (cJSON_IsString(content)) {
        close_pending(st);
        if (content->valuestring[0])
            push_msg(st, "user", content->valuestring);
        return;
    }
    answer_results(st, content);
    cJSON *parts = cJSON_CreateArray();
    const cJSON *bl;
    cJSON_ArrayForEach(bl, content)
    {
        const char *type = json_str(bl, "type");
        const char *id = json_str(bl, "tool_use_id");
        bool answered = type && strcmp(type, "tool_result") == 0 && id && is_pending(st, id);
        if (!answered)
            add_user_block(st, parts, bl);
    }
    close_pending(st);
    if (cJSON_GetArraySize(parts) > 0) {
        cJSON *m = new_msg("user");
        note(st, xlate_push_if(st->msgs, m, xlate_add(m, "content", parts_content(st, parts))));
    }
    cJSON_Delete(parts);
}

static cJSON *tool_call(struct a2o *st, const cJSON *block)
{
    char idbuf[32];
    const char *id = json_str(block, "id");
    if (!id || !id[0]) {
        snprintf(idbuf, sizeof idbuf, "call_missing_%u", st->missing_ids++);
        id = idbuf;
    }
    const char *name = json_str(block, "name");
    char short_name[XLATE_TOOL_NAME_MAX + 1];
    xlate_tool_name_short(name && name[0] ? name : "unnamed_tool", short_name);
    const cJSON *input = json_obj(block, "input");
    char *args = input ? json_print(input) : NULL;
    cJSON *tc = cJSON_CreateObject();
    cJSON *fn = cJSON_CreateObject();
    bool ok =
        xlate_add_str(fn, "name", short_name) && xlate_add_str(fn, "arguments", args ? args : "{}");
    cJSON_free(args);
    ok = xlate_add_str(tc, "id", id) && xlate_add_str(tc, "type", "function") && ok;
    if (!xlate_add(tc, "function", fn) || !ok) {
        cJSON_Delete(tc);
        return NULL;
    }
    return tc;
}

/* Gathers an assistant turn's blocks: text, tool calls and, where the provider takes it back,
 * earlier reasoning. */
static void scan_assistant(struct a2o *st, const cJSON *content, struct buf *text,
                           struct buf *reasoning, cJSON *calls)
{
    const cJSON *bl;
    cJSON_ArrayForEach(bl, content)
    {
        const char *type = json_str(bl, "type");
        int rc = 0;
        if (!type)
            continue;
        if (strcmp(type, "text") == 0 && json_str(bl, "text") && json_str(bl, "text")[0])
            rc = xlate_append_sep(text, json_str(bl, "text"), "\n\n");
        else if (strcmp(type, "tool_use") == 0)
            note(st, xlate_push(calls, tool_call(st, bl)));
        else if (strcmp(type, "thinking") == 0 && st->rules->history_reasoning &&
                 json_str(bl, "thinking"))
            rc = xlate_append_sep(reasoning, json_str(bl, "thinking"), "\n\n");
        if (rc)
            st->oom = true;
    }
}

static void add_assistant(struct a2o *st, const cJSON *content)
{
    close_pending(st);
    struct buf text, reasoning;
    buf_init(&text, 0);
    buf_init(&reasoning, 0);
    cJSON *calls = cJSON_CreateArray();
    if (cJSON_IsString(content))
        note(st, !xlate_append_sep(&text, content->valuestring, NULL));
    else
        scan_assistant(st, content, &text, &reasoning, calls);
    bool has_calls = cJSON_GetArraySize(calls) > 0;
    if (text.len > 0 || has_calls) {
        cJSON *m = new_msg("assistant");
        bool ok = xlate_add_str(m, "content", buf_cstr(&text));
        if (reasoning.len > 0) {
            ok = xlate_add_str(m, st->rules->history_reasoning, reasoning.data) && ok;
            st->replays = true;
        }
        cJSON *added = has_calls ? calls : NULL;
        if (has_calls) {
            ok = xlate_add(m, "tool_calls", calls) && ok;
            calls = NULL;
        }
        ok = xlate_push_if(st->msgs, m, ok);
        note(st, ok);
        st->pending = ok ? added : NULL;
    }
    cJSON_Delete(calls);
    buf_release(&text);
    buf_release(&reasoning);
}

static void add_messages(struct a2o *st, const cJSON *req)
{
    add_system(st, req);
    const cJSON *m;
    cJSON_ArrayForEach(m, json_arr(req, "messages"))
    {
        const char *role = json_str(m, "role");
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
        if (!role || !(cJSON_IsString(content) || cJSON_IsArray(content)))
            continue;
        if (strcmp(role, "user") == 0)
            add_user(st, content);
        else if (strcmp(role, "assistant") == 0)
            add_assistant(st, content);
    }
    close_pending(st);
}

static cJSON *function_tool(const cJSON *t)
{
    const char *name = json_str(t, "name");
    const char *type = json_str(t, "type");
    /* Typed tools other than "custom" are Anthropic server tools; no OpenAI equivalent. */
    if (!name || !name[0] || (type && strcmp(type, "custom") != 0))
        return NULL;
    char short_name[XLATE_TOOL_NAME_MAX + 1];
    xlate_tool_name_short(name, short_name);
    cJSON *fn = cJSON_CreateObject();
    bool ok = xlate_add_str(fn, "name", short_name);
    if (json_str(t, "description"))
        ok = xlate_add_str(fn, "description", json_str(t, "description")) && ok;
    ok = xlate_add(fn, "parameters", xlate_schema_copy(json_obj(t, "input_schema"))) && ok;
    cJSON *out = cJSON_CreateObject();
    ok = xlate_add_str(out, "type", "function") && ok;
    if (!xlate_add(out, "function", fn) || !ok) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

static cJSON *tool_choice(const cJSON *tc)
{
    const char *type = json_str(tc, "type");
    if (!type)
        return NULL;
    if (strcmp(type, "auto") == 0 || strcmp(type, "none") == 0)
        return cJSON_CreateString(type);
    if (strcmp(type, "any") == 0)
        return cJSON_CreateString("required");
    const char *name = json_str(tc, "name");
    if (strcmp(type, "tool") != 0 || !name)
        return NULL;
    char short_name[XLATE_TOOL_NAME_MAX + 1];
    xlate_tool_name_short(name, short_name);
    cJSON *out = cJSON_CreateObject();
    cJSON *fn = cJSON_CreateObject();
    bool ok = xlate_add_str(fn, "name", short_name);
    if (!xlate_add(out, "function", fn) || !ok || !xlate_add_str(out, "type", "function")) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

static void add_tools(struct a2o *st, cJSON *out, const cJSON *req)
{
    cJSON *tools = cJSON_CreateArray();
    const cJSON *t;
    cJSON_ArrayForEach(t, json_arr(req, "tools"))
    {
        cJSON *fn = function_tool(t);
        if (fn)
            note(st, xlate_push(tools, fn));
    }
    if (cJSON_GetArraySize(tools) == 0) {
        cJSON_Delete(tools);
        return;
    }
    note(st, xlate_add(out, "tools", tools));
    const cJSON *tc = json_obj(req, "tool_choice");
    cJSON *choice = tool_choice(tc);
    if (choice)
        note(st, xlate_add(out, "tool_choice", choice));
    if (provider_key_forwarded(st->rules->top_keys, "parallel_tool_calls") &&
        json_bool(tc, "disable_parallel_tool_use", false))
        note(st, xlate_add(out, "parallel_tool_calls", cJSON_CreateFalse()));
}

/* An Anthropic request thinks when it says so; without a thinking field it does not. */
static enum xlate_reason reason_of(const cJSON *req)
{
    return xlate_thinking_requested(req) ? XLATE_REASON_ON : XLATE_REASON_OFF;
}

/* The effort it asks for: output_config.effort as written (the target's row maps it to one
 * the model takes), else one from the thinking budget. */
static const char *effort_of(const cJSON *req)
{
    const cJSON *th = json_obj(req, "thinking");
    if (reason_of(req) != XLATE_REASON_ON)
        return NULL;
    const char *e = json_str(json_obj(req, "output_config"), "effort");
    if (e)
        return e;
    const cJSON *budget = cJSON_GetObjectItemCaseSensitive(th, "budget_tokens");
    if (!xlate_is_int(budget))
        return NULL;
    return budget->valuedouble < 2048 ? "low" : budget->valuedouble < 4096 ? "medium" : "high";
}

static void add_stop(struct a2o *st, cJSON *out, const cJSON *req)
{
    cJSON *stop = cJSON_CreateArray();
    const cJSON *s;
    cJSON_ArrayForEach(s, json_arr(req, "stop_sequences"))
    {
        if (cJSON_IsString(s) && s->valuestring[0] && cJSON_GetArraySize(stop) < MAX_STOP)
            note(st, xlate_push(stop, cJSON_CreateString(s->valuestring)));
    }
    if (cJSON_GetArraySize(stop) > 0)
        note(st, xlate_add(out, "stop", stop));
    else
        cJSON_Delete(stop);
}

static void add_user_tag(struct a2o *st, cJSON *out, const cJSON *req)
{
    const char *uid = json_str(json_obj(req, "metadata"), "user_id");
    if (!uid || !uid[0])
        return;
    char tag[MAX_USER_LEN + 1];
    size_t n = strlen(uid) < MAX_USER_LEN ? strlen(uid) : MAX_USER_LEN;
    /* Cut on a UTF-8 character boundary. */
    while (n > 0 && n < strlen(uid) && ((unsigned char)uid[n] & 0xC0) == 0x80)
        n--;
    memcpy(tag, uid, n);
    tag[n] = '\0';
    note(st, xlate_add_str(out, "user", tag));
}

/* Structured output: Anthropic's output_config.format (or the older beta's top-level
 * output_format) {type:"json_schema", schema} becomes OpenAI's strict json_schema
 * response_format. Where a provider refuses tools and response_format together (Cerebras) the
 * tools win, since an agent loop depends on them. */
static void add_format(struct a2o *st, cJSON *out, const cJSON *req)
{
    const cJSON *f = json_obj(json_obj(req, "output_config"), "format");
    if (!f)
        f = json_obj(req, "output_format");
    const char *type = json_str(f, "type");
    const cJSON *schema = json_obj(f, "schema");
    if (!type || strcmp(type, "json_schema") != 0 || !schema)
        return;
    if (!st->rules->tools_with_response_format && cJSON_GetArraySize(json_arr(out, "tools")) > 0)
        return;
    cJSON *js = cJSON_CreateObject();
    bool ok = xlate_add_str(js, "name", "structured_output") &&
              xlate_add_copy(js, "schema", schema) && xlate_add(js, "strict", cJSON_CreateTrue());
    cJSON *rf = cJSON_CreateObject();
    bool typed = xlate_add_str(rf, "type", "json_schema");
    ok = xlate_add_if(rf, "json_schema", js, ok && typed);
    note(st, xlate_add_if(out, "response_format", rf, ok));
}

static void add_params(struct a2o *st, cJSON *out, const cJSON *req, const struct xlate_opts *o)
{
    long budget = xlate_out_budget(req, 0, o->max_tokens_cap);
    if (budget > 0)
        note(st, xlate_add(out, st->rules->budget_field, cJSON_CreateNumber((double)budget)));
    static const char *const nums[] = {"temperature", "top_p"};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, nums[i]);
        if (cJSON_IsNumber(v))
            note(st, xlate_add_copy(out, nums[i], v));
    }
    add_stop(st, out, req);
    note(st, xlate_add(out, "stream", cJSON_CreateBool(o->stream)));
    if (o->stream) {
        cJSON *so = cJSON_CreateObject();
        bool ok = xlate_add(so, "include_usage", cJSON_CreateTrue());
        note(st, xlate_add_if(out, "stream_options", so, ok));
    }
    note(st, xlate_reasoning_fields(out, st->rules, reason_of(req), effort_of(req), st->replays));
    if (st->rules->user_tag)
        add_user_tag(st, out, req);
    add_format(st, out, req);
}

cJSON *xlate_req_a2o(const cJSON *anthropic_req, const struct xlate_opts *o,
                     char err[XLATE_ERR_LEN])
{
    if (!cJSON_IsObject(anthropic_req) || !o || !json_arr(anthropic_req, "messages")) {
        xlate_errf(err, "messages: expected array");
        return NULL;
    }
    const char *model = o->model ? o->model : json_str(anthropic_req, "model");
    struct a2o st = {.rules = provider_rules_for(o->provider, model)};
    cJSON *out = cJSON_CreateObject();
    st.msgs = cJSON_CreateArray();
    note(&st, xlate_add_str(out, "model", model ? model : ""));
    note(&st, xlate_add(out, "messages", st.msgs));
    if (!st.oom) {
        add_messages(&st, anthropic_req);
        add_tools(&st, out, anthropic_req);
        add_params(&st, out, anthropic_req, o);
    }
    if (st.oom) {
        cJSON_Delete(out);
        xlate_errf(err, "out of memory translating the request");
        return NULL;
    }
    xlate_keep_forwarded(out, st.rules->top_keys);
    return out;
}
