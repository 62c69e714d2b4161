/* xlate_req_o2a: OpenAI Chat Completions request -> Anthropic Messages request for Z.AI's
 * Anthropic endpoint (or real Anthropic), shaped by the target's provider_rules row: Z.AI
 * rejects unknown top-level fields, so only the listed ones go. Pure; knows nothing of HTTP. */
#include "xlate/xlate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "xlate_internal.h"

struct o2a {
    cJSON *msgs;
    unsigned missing_ids; /* counter for tool calls without an id */
    bool oom;
};

static void note(struct o2a *st, bool ok)
{
    if (!ok)
        st->oom = true;
}

/* Anthropic tool ids must match ^[a-zA-Z0-9_-]+$; both ends of a call get the same mapping
 * (xlate_tool_id_clean). */
static char *clean_id(const char *id, unsigned *counter)
{
    if (id && id[0])
        return xlate_tool_id_clean(id);
    char *out = malloc(32);
    if (out)
        snprintf(out, 32, "toolu_missing_%u", (*counter)++);
    return out;
}

static cJSON *block(const char *type)
{
    cJSON *b = cJSON_CreateObject();
    if (!xlate_add_str(b, "type", type)) {
        cJSON_Delete(b);
        return NULL;
    }
    return b;
}

static void push_text(struct o2a *st, cJSON *blocks, const char *text)
{
    if (xlate_is_blank(text))
        return;
    cJSON *b = block("text");
    note(st, xlate_push_if(blocks, b, xlate_add_str(b, "text", text)));
}

/* data:<media type>;base64,<data> -> base64 source; anything else -> url source. */
static void push_image(struct o2a *st, cJSON *blocks, const char *url)
{
    if (!url || !url[0])
        return;
    cJSON *src = cJSON_CreateObject();
    const char *semi = strncmp(url, "data:", 5) == 0 ? strstr(url, ";base64,") : NULL;
    bool ok;
    if (semi) {
        char mt[128];
        size_t n = (size_t)(semi - url - 5);
        snprintf(mt, sizeof mt, "%.*s", (int)(n < sizeof mt ? n : sizeof mt - 1), url + 5);
        ok = xlate_add_str(src, "type", "base64") &&
             xlate_add_str(src, "media_type", mt[0] ? mt : "image/jpeg") &&
             xlate_add_str(src, "data", semi + strlen(";base64,"));
    } else {
        ok = xlate_add_str(src, "type", "url") && xlate_add_str(src, "url", url);
    }
    cJSON *b = block("image");
    ok = xlate_add_if(b, "source", src, ok) && ok;
    note(st, xlate_push_if(blocks, b, ok));
}

static void push_content(struct o2a *st, cJSON *blocks, const cJSON *content)
{
    if (cJSON_IsString(content)) {
        push_text(st, blocks, content->valuestring);
        return;
    }
    const cJSON *parts = cJSON_IsArray(content) ? content : NULL;
    const cJSON *p;
    cJSON_ArrayForEach(p, parts)
    {
        const char *type = json_str(p, "type");
        if (!type)
            continue;
        if (strcmp(type, "text") == 0)
            push_text(st, blocks, json_str(p, "text"));
        else if (strcmp(type, "image_url") == 0)
            push_image(st, blocks, json_str(json_obj(p, "image_url"), "url"));
    }
}

static void push_tool_result(struct o2a *st, cJSON *blocks, const cJSON *m)
{
    struct buf b;
    buf_init(&b, 0);
    note(st, !xlate_append_text(&b, cJSON_GetObjectItemCaseSensitive(m, "content"), "\n"));
    char *id = clean_id(json_str(m, "tool_call_id"), &st->missing_ids);
    cJSON *r = block("tool_result");
    bool ok = id && xlate_add_str(r, "tool_use_id", id);
    /* Omitted rather than "": empty text is what Anthropic-shaped servers reject. */
    if (!xlate_is_blank(buf_cstr(&b)))
        ok = ok && xlate_add_str(r, "content", b.data);
    note(st, xlate_push_if(blocks, r, ok));
    free(id);
    buf_release(&b);
}

static cJSON *tool_input(const cJSON *fn)
{
    const char *args = json_str(fn, "arguments");
    cJSON *in = args ? json_parse(args, strlen(args)) : NULL;
    if (cJSON_IsObject(in))
        return in;
    cJSON_Delete(in);
    return cJSON_CreateObject();
}

static void push_tool_use(struct o2a *st, cJSON *blocks, const cJSON *call)
{
    const cJSON *fn = json_obj(call, "function");
    const char *name = json_str(fn, "name");
    char *id = clean_id(json_str(call, "id"), &st->missing_ids);
    cJSON *b = block("tool_use");
    bool ok = id && xlate_add_str(b, "id", id) &&
              xlate_add_str(b, "name", name && name[0] ? name : "unnamed_tool");
    ok = xlate_add(b, "input", tool_input(fn)) && ok;
    note(st, xlate_push_if(blocks, b, ok));
    free(id);
}

/* Appends blocks to the last turn when it has the same role (consecutive user/tool turns
 * become one user turn); takes blocks. */
static void emit(struct o2a *st, const char *role, cJSON *blocks)
{
    cJSON *last = st->msgs->child ? st->msgs->child->prev : NULL;
    const char *last_role = json_str(last, "role");
    if (!blocks || !blocks->child) {
        cJSON_Delete(blocks);
        return;
    }
    if (last_role && strcmp(last_role, role) == 0) {
        cJSON *dst = cJSON_GetObjectItemCaseSensitive(last, "content");
        while (blocks->child)
            cJSON_AddItemToArray(dst, cJSON_DetachItemViaPointer(blocks, blocks->child));
        cJSON_Delete(blocks);
        return;
    }
    cJSON *m = cJSON_CreateObject();
    bool ok = xlate_add_str(m, "role", role);
    ok = xlate_add(m, "content", blocks) && ok;
    note(st, xlate_push_if(st->msgs, m, ok));
}

/* Reasoning from earlier turns is dropped: it carries no signature Anthropic would accept. */
static void add_message(struct o2a *st, const cJSON *m, struct buf *system)
{
    const char *role = json_str(m, "role");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
    if (!role)
        return;
    if (strcmp(role, "system") == 0 || strcmp(role, "developer") == 0) {
        note(st, !xlate_append_text(system, content, "\n\n"));
        return;
    }
    cJSON *blocks = cJSON_CreateArray();
    note(st, blocks != NULL);
    if (strcmp(role, "user") == 0) {
        push_content(st, blocks, content);
    } else if (strcmp(role, "tool") == 0) {
        push_tool_result(st, blocks, m);
        role = "user";
    } else if (strcmp(role, "assistant") == 0) {
        push_content(st, blocks, content);
        const cJSON *call;
        cJSON_ArrayForEach(call, json_arr(m, "tool_calls"))
        {
            push_tool_use(st, blocks, call);
        }
    } else {
        cJSON_Delete(blocks);
        return;
    }
    emit(st, role, blocks);
}

/* A final assistant turn is a prefill, which must not end in whitespace. */
static void trim_prefill(cJSON *msgs)
{
    cJSON *last = msgs->child ? msgs->child->prev : NULL;
    const char *role = json_str(last, "role");
    cJSON *content = cJSON_GetObjectItemCaseSensitive(last, "content");
    cJSON *b = content && content->child ? content->child->prev : NULL;
    const char *text = json_str(b, "text");
    if (!role || strcmp(role, "assistant") != 0 || !text)
        return;
    size_t n = strlen(text);
    while (n > 0 && isspace((unsigned char)text[n - 1]))
        n--;
    if (n == 0) {
        cJSON_Delete(cJSON_DetachItemViaPointer(content, b));
        return;
    }
    char *t = strndup(text, n);
    if (t)
        cJSON_ReplaceItemInObjectCaseSensitive(b, "text", cJSON_CreateString(t));
    free(t);
}

static void add_messages(struct o2a *st, cJSON *out, const cJSON *req)
{
    struct buf system;
    buf_init(&system, 0);
    const cJSON *m;
    cJSON_ArrayForEach(m, json_arr(req, "messages"))
    {
        add_message(st, m, &system);
    }
    trim_prefill(st->msgs);
    note(st, xlate_anth_fix_messages(st->msgs));
    if (system.len > 0)
        note(st, xlate_add_str(out, "system", system.data));
    buf_release(&system);
}

static cJSON *anthropic_tool(const cJSON *t)
{
    const char *type = json_str(t, "type");
    const cJSON *fn = json_obj(t, "function");
    const char *name = json_str(fn, "name");
    if ((type && strcmp(type, "function") != 0) || !name || !name[0])
        return NULL;
    cJSON *out = cJSON_CreateObject();
    bool ok = xlate_add_str(out, "name", name);
    if (json_str(fn, "description"))
        ok = xlate_add_str(out, "description", json_str(fn, "description")) && ok;
    cJSON *schema = xlate_schema_copy(json_obj(fn, "parameters"));
    /* Anthropic insists on an object schema at the top. */
    if (schema && !json_str(schema, "type"))
        ok = xlate_add_str(schema, "type", "object") && ok;
    ok = xlate_add(out, "input_schema", schema) && ok;
    if (!ok) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

static const char *choice_type(const cJSON *tc, bool no_parallel)
{
    if (!tc || cJSON_IsNull(tc))
        return no_parallel ? "auto" : NULL;
    if (cJSON_IsObject(tc))
        return json_str(json_obj(tc, "function"), "name") ? "tool" : NULL;
    if (!cJSON_IsString(tc))
        return NULL;
    if (strcmp(tc->valuestring, "auto") == 0 || strcmp(tc->valuestring, "none") == 0)
        return tc->valuestring;
    return strcmp(tc->valuestring, "required") == 0 ? "any" : NULL;
}

static cJSON *tool_choice(const cJSON *tc, bool no_parallel)
{
    const char *type = choice_type(tc, no_parallel);
    const char *name = json_str(json_obj(tc, "function"), "name");
    if (!type)
        return NULL;
    cJSON *out = block(type);
    bool ok = out != NULL;
    if (strcmp(type, "tool") == 0)
        ok = xlate_add_str(out, "name", name) && ok;
    if (no_parallel && strcmp(type, "none") != 0)
        ok = xlate_add(out, "disable_parallel_tool_use", cJSON_CreateTrue()) && ok;
    if (!ok) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

static void add_tools(struct o2a *st, cJSON *out, const cJSON *req)
{
    cJSON *tools = cJSON_CreateArray();
    const cJSON *t;
    cJSON_ArrayForEach(t, json_arr(req, "tools"))
    {
        cJSON *at = anthropic_tool(t);
        if (at)
            note(st, xlate_push(tools, at));
    }
    if (!tools || !tools->child) {
        cJSON_Delete(tools);
        return;
    }
    note(st, xlate_add(out, "tools", tools));
    const cJSON *tc = cJSON_GetObjectItemCaseSensitive(req, "tool_choice");
    bool no_parallel = !json_bool(req, "parallel_tool_calls", true);
    cJSON *choice = tool_choice(tc, no_parallel);
    if (choice)
        note(st, xlate_add(out, "tool_choice", choice));
}

static void add_stop(struct o2a *st, cJSON *out, const cJSON *req)
{
    const cJSON *stop = cJSON_GetObjectItemCaseSensitive(req, "stop");
    cJSON *seqs = cJSON_CreateArray();
    if (cJSON_IsString(stop) && !xlate_is_blank(stop->valuestring))
        note(st, xlate_push(seqs, cJSON_CreateString(stop->valuestring)));
    const cJSON *list = cJSON_IsArray(stop) ? stop : NULL;
    const cJSON *s;
    cJSON_ArrayForEach(s, list)
    {
        /* Anthropic rejects whitespace-only stop sequences. */
        if (cJSON_IsString(s) && !xlate_is_blank(s->valuestring))
            note(st, xlate_push(seqs, cJSON_CreateString(s->valuestring)));
    }
    if (seqs && seqs->child)
        note(st, xlate_add(out, "stop_sequences", seqs));
    else
        cJSON_Delete(seqs);
}

static void add_thinking(struct o2a *st, cJSON *out, const char *effort, long max_tokens)
{
    static const struct {
        const char *effort;
        long budget;
    } map[] = {{"minimal", 1024}, {"low", 1024}, {"medium", 2048}, {"high", 4096}};
    if (!effort)
        return;
    cJSON *th = NULL;
    if (strcmp(effort, "none") == 0) {
        th = block("disabled");
    } else {
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
            /* The budget must stay below max_tokens or the request is rejected. */
            if (strcmp(effort, map[i].effort) == 0 && map[i].budget < max_tokens) {
                th = block("enabled");
                note(st, xlate_add(th, "budget_tokens", cJSON_CreateNumber(map[i].budget)));
            }
    }
    if (th)
        note(st, xlate_add(out, "thinking", th));
}

static double clamp(double v, double max)
{
    return v < 0 ? 0 : v > max ? max : v;
}

static void add_params(struct o2a *st, cJSON *out, const cJSON *req, const struct xlate_opts *o,
                       const struct provider_rules *r)
{
    long max_tokens = xlate_out_budget(req, XLATE_DEFAULT_MAX_TOKENS, o->max_tokens_cap);
    note(st, xlate_add(out, "max_tokens", cJSON_CreateNumber((double)max_tokens)));
    const char *user = json_str(req, "user");
    /* user ids that look like e-mail addresses are personal data; leave them out. */
    if (user && user[0] && !strchr(user, '@')) {
        cJSON *md = cJSON_CreateObject();
        note(st, xlate_add_if(out, "metadata", md, xlate_add_str(md, "user_id", user)));
    }
    add_stop(st, out, req);
    note(st, xlate_add(out, "stream", cJSON_CreateBool(o->stream)));
    add_thinking(st, out, json_str(req, "reasoning_effort"), max_tokens);
    const char *th = json_str(json_obj(out, "thinking"), "type");
    if (!r->sampling_with_thinking && th && strcmp(th, "enabled") == 0)
        return;
    static const char *const nums[] = {"temperature", "top_p"};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, nums[i]);
        double max = i == 0 ? r->temperature_max : 1;
        if (cJSON_IsNumber(v))
            note(st, xlate_add(out, nums[i], cJSON_CreateNumber(clamp(v->valuedouble, max))));
    }
}

bool xlate_json_via_tool(const cJSON *openai_req)
{
    const cJSON *rf = json_obj(openai_req, "response_format");
    const char *type = json_str(rf, "type");
    if (!type || cJSON_GetArraySize(json_arr(openai_req, "tools")) > 0)
        return false;
    if (strcmp(type, "json_object") == 0)
        return true;
    const cJSON *schema = json_obj(json_obj(rf, "json_schema"), "schema");
    const char *top = json_str(schema, "type");
    /* a tool's input is always an object */
    return strcmp(type, "json_schema") == 0 && schema && (!top || strcmp(top, "object") == 0);
}

/* Forced, unless thinking is on: Anthropic refuses a forced tool with thinking, and then
 * the model is only asked (tool_choice auto). */
static void add_json_tool(struct o2a *st, cJSON *out, const cJSON *req)
{
    const cJSON *schema =
        json_obj(json_obj(json_obj(req, "response_format"), "json_schema"), "schema");
    cJSON *input = schema ? cJSON_Duplicate(schema, 1) : cJSON_CreateObject();
    bool input_ok = input && (schema || xlate_add_str(input, "type", "object"));
    cJSON *tool = cJSON_CreateObject();
    bool ok = xlate_add_str(tool, "name", XLATE_JSON_TOOL) &&
              xlate_add_str(tool, "description",
                            "Give your answer by calling this tool once with the JSON the "
                            "user asked for, matching the input schema.");
    ok = xlate_add_if(tool, "input_schema", input, ok && input_ok);
    cJSON *tools = cJSON_CreateArray();
    note(st, xlate_add_if(out, "tools", tools, xlate_push_if(tools, tool, ok)));
    const char *th = json_str(json_obj(out, "thinking"), "type");
    bool thinking = th && strcmp(th, "enabled") == 0;
    cJSON *choice = cJSON_CreateObject();
    bool cok = thinking ? xlate_add_str(choice, "type", "auto")
                        : xlate_add_str(choice, "type", "tool") &&
                              xlate_add_str(choice, "name", XLATE_JSON_TOOL);
    note(st, xlate_add_if(out, "tool_choice", choice, cok));
}

cJSON *xlate_req_o2a(const cJSON *openai_req, const struct xlate_opts *o, char err[XLATE_ERR_LEN])
{
    if (!cJSON_IsObject(openai_req) || !o || !json_arr(openai_req, "messages")) {
        xlate_errf(err, "messages: expected array");
        return NULL;
    }
    const char *model = o->model ? o->model : json_str(openai_req, "model");
    const struct provider_rules *r = provider_rules_for(o->provider, model);
    struct o2a st = {0};
    cJSON *out = cJSON_CreateObject();
    st.msgs = cJSON_CreateArray();
    note(&st, xlate_add_str(out, "model", model ? model : ""));
    note(&st, xlate_add(out, "messages", st.msgs));
    if (!st.oom) {
        add_messages(&st, out, openai_req);
        add_tools(&st, out, openai_req);
        add_params(&st, out, openai_req, o, r);
        if (!st.oom && xlate_json_via_tool(openai_req))
            add_json_tool(&st, out, openai_req);
    }
    if (st.oom) {
        cJSON_Delete(out);
        xlate_errf(err, "out of memory translating the request");
        return NULL;
    }
    xlate_keep_forwarded(out, r->top_keys);
    return out;
}
