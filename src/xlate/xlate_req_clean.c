/* xlate_req_clean: same-dialect requests (OpenAI -> OpenAI provider, Anthropic -> Anthropic
 * provider) cleaned of what the target rejects, by its provider_rules row: Cerebras' strict
 * whitelist, Z.AI's unknown fields, empty blocks and unsigned thinking. Pure; knows nothing of
 * HTTP. */
#include "xlate/xlate.h"

#include <string.h>

#include "core/json.h"
#include "core/limitcode.h"
#include "xlate_internal.h"

static bool is_str(const char *a, const char *b)
{
    return a && strcmp(a, b) == 0;
}

static bool replace(cJSON *obj, const char *key, cJSON *v)
{
    if (!v)
        return false;
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    return xlate_add(obj, key, v);
}

static cJSON *array_of(cJSON *obj, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsArray(v) ? v : NULL;
}

/* Copy of obj with only the keys in keep[]. */
static cJSON *pick(const cJSON *obj, const char *const *keep)
{
    cJSON *c = cJSON_Duplicate(obj, 1);
    xlate_keep_only(c, keep);
    return c;
}

static bool set_stream(cJSON *out, bool stream, bool usage)
{
    bool ok = replace(out, "stream", cJSON_CreateBool(stream));
    cJSON_DeleteItemFromObjectCaseSensitive(out, "stream_options");
    if (stream && usage) {
        cJSON *so = cJSON_CreateObject();
        ok = xlate_add_if(out, "stream_options", so,
                          xlate_add(so, "include_usage", cJSON_CreateTrue())) &&
             ok;
    }
    return ok;
}

/* ---- OpenAI -> OpenAI ---------------------------------------------------------------- */

static bool clamp_key(cJSON *out, const char *key, long cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(out, key);
    if (cap <= 0 || !cJSON_IsNumber(v) || v->valuedouble <= (double)cap)
        return true;
    return replace(out, key, cJSON_CreateNumber((double)cap));
}

static bool clean_parts(cJSON *m)
{
    cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
    if (!cJSON_IsArray(content))
        return true;
    cJSON *p = content->child;
    while (p) {
        cJSON *next = p->next;
        if (is_str(json_str(p, "type"), "text") && !(json_str(p, "text") && json_str(p, "text")[0]))
            cJSON_Delete(cJSON_DetachItemViaPointer(content, p));
        p = next;
    }
    return content->child || replace(m, "content", cJSON_CreateString(""));
}

static bool clean_call(cJSON *tc, const struct provider_rules *r)
{
    xlate_keep_forwarded(tc, r->call_keys);
    cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
    xlate_keep_forwarded(fn, r->call_function_keys);
    bool ok = json_str(tc, "type") || replace(tc, "type", cJSON_CreateString("function"));
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(fn, "arguments");
    if (cJSON_IsObject(fn) && !cJSON_IsString(args)) {
        char *s = cJSON_IsObject(args) ? json_print(args) : NULL;
        ok = replace(fn, "arguments", cJSON_CreateString(s ? s : "{}")) && ok;
        cJSON_free(s);
    }
    return ok;
}

/* Replayed reasoning travels in the field the provider takes back (Cerebras refuses Z.AI's
 * reasoning_content but takes `reasoning`); the developer role becomes system where it is
 * refused; unknown keys go. */
static bool clean_strict_msg(cJSON *m, const struct provider_rules *r)
{
    bool ok = true;
    if (!r->developer_role && is_str(json_str(m, "role"), "developer"))
        ok = replace(m, "role", cJSON_CreateString("system"));
    const char *field = r->history_reasoning;
    const char *rc = json_str(m, "reasoning_content");
    if (field && rc && !json_str(m, field))
        ok = replace(m, field, cJSON_CreateString(rc)) && ok;
    xlate_keep_forwarded(m, r->message_keys);
    const char *const strs[] = {field, "name", "tool_call_id"};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (strs[i] && cJSON_GetObjectItemCaseSensitive(m, strs[i]) && !json_str(m, strs[i]))
            cJSON_DeleteItemFromObjectCaseSensitive(m, strs[i]);
    cJSON *tc;
    cJSON_ArrayForEach(tc, array_of(m, "tool_calls"))
    {
        if (cJSON_IsObject(tc))
            ok = clean_call(tc, r) && ok;
    }
    return clean_parts(m) && ok;
}

static bool clean_strict_tool(cJSON *t, const struct provider_rules *r)
{
    xlate_keep_forwarded(t, r->tool_keys);
    cJSON *fn = cJSON_GetObjectItemCaseSensitive(t, "function");
    xlate_keep_forwarded(fn, r->function_keys);
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(fn, "parameters");
    if (!cJSON_IsObject(fn) || !params)
        return true;
    return replace(fn, "parameters", xlate_schema_copy(params));
}

/* The client's reasoning_effort in the target model's terms ("none" asks for no reasoning;
 * without one the model keeps its default). */
static bool clean_reasoning(cJSON *out, const cJSON *req, const struct provider_rules *r)
{
    const char *e = json_str(req, "reasoning_effort");
    enum xlate_reason want = !e                       ? XLATE_REASON_DEFAULT
                             : strcmp(e, "none") == 0 ? XLATE_REASON_OFF
                                                      : XLATE_REASON_ON;
    bool replays = false;
    const cJSON *m;
    cJSON_ArrayForEach(m, array_of(out, "messages"))
    {
        replays = replays || (r->history_reasoning && json_str(m, r->history_reasoning));
    }
    return xlate_reasoning_fields(out, r, want, e, replays);
}

static bool clean_strict(cJSON *out, const cJSON *req, const struct provider_rules *r, long cap)
{
    bool ok = true;
    xlate_keep_forwarded(out, r->top_keys);
    cJSON *it;
    cJSON_ArrayForEach(it, array_of(out, "messages"))
    {
        if (cJSON_IsObject(it))
            ok = clean_strict_msg(it, r) && ok;
    }
    ok = clean_reasoning(out, req, r) && ok;
    cJSON_ArrayForEach(it, array_of(out, "tools"))
    {
        if (cJSON_IsObject(it))
            ok = clean_strict_tool(it, r) && ok;
    }
    /* A provider that reserves the output budget against its quota before running assumes a
     * large one when none is sent, so the (capped) budget always goes. */
    bool has_budget = cJSON_GetObjectItemCaseSensitive(out, "max_completion_tokens") ||
                      cJSON_GetObjectItemCaseSensitive(out, "max_tokens");
    struct limit_booking lb;
    limitcode_booking(r->kind, &lb);
    if (lb.books_output && !has_budget && cap > 0)
        ok = xlate_add(out, r->budget_field, cJSON_CreateNumber((double)cap)) && ok;
    return ok;
}

cJSON *xlate_req_o2o(const cJSON *openai_req, const struct xlate_opts *o, char err[XLATE_ERR_LEN])
{
    if (!cJSON_IsObject(openai_req) || !o || !json_arr(openai_req, "messages")) {
        xlate_errf(err, "messages: expected array");
        return NULL;
    }
    const struct provider_rules *r =
        provider_rules_for(o->provider, o->model ? o->model : json_str(openai_req, "model"));
    cJSON *out = cJSON_Duplicate(openai_req, 1);
    bool ok = out != NULL;
    if (ok && o->model)
        ok = replace(out, "model", cJSON_CreateString(o->model));
    if (ok && provider_rules_strict(r))
        ok = clean_strict(out, openai_req, r, o->max_tokens_cap);
    ok = ok && clamp_key(out, "max_tokens", o->max_tokens_cap) &&
         clamp_key(out, "max_completion_tokens", o->max_tokens_cap) &&
         set_stream(out, o->stream, true);
    if (!ok) {
        cJSON_Delete(out);
        xlate_errf(err, "out of memory translating the request");
        return NULL;
    }
    return out;
}

/* ---- Anthropic -> Anthropic ------------------------------------------------------------ */

struct a2a {
    const struct provider_rules *rules; /* the target's */
    cJSON *msgs;
    cJSON *system;    /* text blocks gathered from `system` and system-role messages */
    bool system_list; /* the client used block lists: answer in kind (keeps cache_control) */
    bool oom;
};

static void note(struct a2a *st, bool ok)
{
    if (!ok)
        st->oom = true;
}

static const char *const text_keys[] = {"type", "text", "cache_control", NULL};

static void add_system(struct a2a *st, const cJSON *content)
{
    if (cJSON_IsString(content)) {
        if (!xlate_is_blank(content->valuestring))
            note(st, xlate_push(st->system, xlate_text_block(content->valuestring)));
        return;
    }
    if (!cJSON_IsArray(content))
        return;
    st->system_list = true;
    const cJSON *b;
    cJSON_ArrayForEach(b, content)
    {
        if (is_str(json_str(b, "type"), "text") && !xlate_is_blank(json_str(b, "text")))
            note(st, xlate_push(st->system, pick(b, text_keys)));
    }
}

static bool put_system(struct a2a *st, cJSON *out)
{
    if (!st->system->child)
        return true;
    if (st->system_list) {
        bool ok = xlate_add(out, "system", st->system);
        st->system = NULL;
        return ok;
    }
    struct buf b;
    buf_init(&b, 0);
    bool ok = !xlate_append_text(&b, st->system, "\n\n") && xlate_add_str(out, "system", b.data);
    buf_release(&b);
    return ok;
}

static cJSON *clean_result_content(const cJSON *c)
{
    static const char *const media_keys[] = {"type", "source", "cache_control", NULL};
    if (cJSON_IsString(c))
        return xlate_is_blank(c->valuestring) ? NULL : cJSON_CreateString(c->valuestring);
    cJSON *out = cJSON_CreateArray();
    const cJSON *list = cJSON_IsArray(c) ? c : NULL;
    const cJSON *b;
    cJSON_ArrayForEach(b, list)
    {
        const char *type = json_str(b, "type");
        /* tool_reference belongs to Anthropic's tool search; the deferred tool is sent in
         * full to Z.AI, so a text note is enough. */
        if (is_str(type, "text") && !xlate_is_blank(json_str(b, "text")))
            xlate_push(out, pick(b, text_keys));
        else if (is_str(type, "image") || is_str(type, "document"))
            xlate_push(out, pick(b, media_keys));
        else if (is_str(type, "tool_reference") && json_str(b, "tool_name")) {
            struct buf t;
            buf_init(&t, 0);
            if (!buf_printf(&t, "Tool loaded: %s", json_str(b, "tool_name")))
                xlate_push(out, xlate_text_block(t.data));
            buf_release(&t);
        }
    }
    if (out && !out->child) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

static cJSON *clean_result(const cJSON *b)
{
    static const char *const keys[] = {"type", "tool_use_id", "is_error", "cache_control", NULL};
    if (!json_str(b, "tool_use_id"))
        return NULL;
    cJSON *out = pick(b, keys);
    const cJSON *ie = cJSON_GetObjectItemCaseSensitive(out, "is_error");
    if (ie && !cJSON_IsBool(ie))
        cJSON_DeleteItemFromObjectCaseSensitive(out, "is_error");
    cJSON *c = clean_result_content(cJSON_GetObjectItemCaseSensitive(b, "content"));
    if (c && !xlate_add(out, "content", c)) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

static cJSON *clean_tool_use(const cJSON *b)
{
    static const char *const keys[] = {"type", "id", "name", "cache_control", NULL};
    const char *id = json_str(b, "id"), *name = json_str(b, "name");
    if (!id || !id[0] || !name)
        return NULL;
    cJSON *out = pick(b, keys);
    const cJSON *in = json_obj(b, "input");
    if (!xlate_add(out, "input", in ? cJSON_Duplicate(in, 1) : cJSON_CreateObject())) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

/* NULL drops the block: empty text, unsigned thinking (Z.AI can't verify it), thinking
 * switchboard made from another model's reasoning where the target takes none
 * (foreign_thinking), redacted thinking, server-tool blocks and blocks in the wrong role. */
static cJSON *clean_block(const cJSON *b, bool assistant, const struct provider_rules *r)
{
    static const char *const media_keys[] = {"type",    "source",        "title",
                                             "context", "cache_control", NULL};
    static const char *const think_keys[] = {"type", "thinking", "signature", NULL};
    const char *type = json_str(b, "type");
    if (is_str(type, "text"))
        return xlate_is_blank(json_str(b, "text")) ? NULL : pick(b, text_keys);
    if (is_str(type, "image") || is_str(type, "document"))
        return assistant ? NULL : pick(b, media_keys);
    if (is_str(type, "tool_use"))
        return assistant ? clean_tool_use(b) : NULL;
    if (is_str(type, "tool_result"))
        return assistant ? NULL : clean_result(b);
    const char *sig = json_str(b, "signature");
    if (is_str(type, "thinking") && assistant && sig && sig[0] && json_str(b, "thinking") &&
        (r->foreign_thinking || !xlate_thinking_is_ours(b)))
        return pick(b, think_keys);
    return NULL;
}

static void add_message(struct a2a *st, const cJSON *m)
{
    const char *role = json_str(m, "role");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
    if (is_str(role, "system")) {
        add_system(st, content);
        return;
    }
    bool assistant = is_str(role, "assistant");
    if (!assistant && !is_str(role, "user"))
        return;
    cJSON *blocks = cJSON_CreateArray();
    if (cJSON_IsString(content) && !xlate_is_blank(content->valuestring))
        note(st, xlate_push(blocks, xlate_text_block(content->valuestring)));
    const cJSON *list = cJSON_IsArray(content) ? content : NULL;
    const cJSON *b;
    cJSON_ArrayForEach(b, list)
    {
        cJSON *c = clean_block(b, assistant, st->rules);
        if (c)
            note(st, xlate_push(blocks, c));
    }
    cJSON *msg = cJSON_CreateObject();
    bool ok = xlate_add_str(msg, "role", role);
    ok = xlate_add(msg, "content", blocks) && ok;
    note(st, xlate_push_if(st->msgs, msg, ok));
}

static cJSON *clean_tool(const cJSON *t, const struct provider_rules *r)
{
    const char *type = json_str(t, "type");
    const char *name = json_str(t, "name");
    /* Typed tools other than "custom" are Anthropic server tools Z.AI does not run. */
    if ((type && strcmp(type, "custom") != 0) || !name || !name[0])
        return NULL;
    cJSON *out = cJSON_Duplicate(t, 1);
    xlate_keep_forwarded(out, r->tool_keys);
    if (cJSON_GetObjectItemCaseSensitive(out, "description") && !json_str(t, "description"))
        cJSON_DeleteItemFromObjectCaseSensitive(out, "description");
    if (!replace(out, "input_schema", xlate_schema_copy(json_obj(t, "input_schema")))) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

static cJSON *clean_choice(const cJSON *tc)
{
    static const char *const keys[] = {"type", "name", "disable_parallel_tool_use", NULL};
    const char *type = json_str(tc, "type");
    bool known = is_str(type, "auto") || is_str(type, "any") || is_str(type, "none") ||
                 (is_str(type, "tool") && json_str(tc, "name"));
    if (!known)
        return NULL;
    cJSON *out = pick(tc, keys);
    if (!is_str(type, "tool"))
        cJSON_DeleteItemFromObjectCaseSensitive(out, "name");
    const cJSON *dp = cJSON_GetObjectItemCaseSensitive(out, "disable_parallel_tool_use");
    if (dp && !cJSON_IsBool(dp))
        cJSON_DeleteItemFromObjectCaseSensitive(out, "disable_parallel_tool_use");
    return out;
}

static void add_tools(struct a2a *st, cJSON *out, const cJSON *req)
{
    cJSON *tools = cJSON_CreateArray();
    const cJSON *t;
    cJSON_ArrayForEach(t, json_arr(req, "tools"))
    {
        cJSON *c = clean_tool(t, st->rules);
        if (c)
            note(st, xlate_push(tools, c));
    }
    if (!tools || !tools->child) {
        cJSON_Delete(tools);
        return;
    }
    note(st, xlate_add(out, "tools", tools));
    cJSON *choice = clean_choice(json_obj(req, "tool_choice"));
    if (choice)
        note(st, xlate_add(out, "tool_choice", choice));
}

/* A budget must be at least the provider's minimum and below max_tokens, which we may just
 * have clamped. */
static bool fit_budget(cJSON *th, long max_tokens, long min_budget)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(th, "budget_tokens");
    if (!b)
        return true;
    double v = xlate_is_int(b) ? b->valuedouble : 0;
    if (v >= (double)max_tokens)
        v = (double)(max_tokens / 2);
    if (v < (double)min_budget) {
        cJSON_DeleteItemFromObjectCaseSensitive(th, "budget_tokens");
        return true;
    }
    return replace(th, "budget_tokens", cJSON_CreateNumber(v));
}

/* Z.AI knows only enabled/disabled: adaptive becomes enabled; `display` is dropped. An enabled
 * block needs a budget below max_tokens (Anthropic's rule, which Z.AI's endpoint mirrors): give
 * one when the client did not, and drop thinking when none fits. */
static cJSON *clean_thinking(const cJSON *th, long max_tokens, long min_budget)
{
    static const char *const keys[] = {"type", "budget_tokens", NULL};
    const char *type = json_str(th, "type");
    if (!is_str(type, "enabled") && !is_str(type, "adaptive") && !is_str(type, "disabled"))
        return NULL;
    cJSON *out = pick(th, keys);
    bool ok = out != NULL;
    if (is_str(type, "adaptive"))
        ok = replace(out, "type", cJSON_CreateString("enabled"));
    if (is_str(type, "disabled"))
        cJSON_DeleteItemFromObjectCaseSensitive(out, "budget_tokens");
    else if (ok && !cJSON_GetObjectItemCaseSensitive(out, "budget_tokens"))
        ok = xlate_add(out, "budget_tokens", cJSON_CreateNumber((double)(max_tokens / 2)));
    if (!ok || !fit_budget(out, max_tokens, min_budget) ||
        (!is_str(type, "disabled") && !cJSON_GetObjectItemCaseSensitive(out, "budget_tokens"))) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

static void add_sampling(struct a2a *st, cJSON *out, const cJSON *req)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "temperature");
    if (cJSON_IsNumber(v)) {
        double max = st->rules->temperature_max;
        double t = v->valuedouble < 0 ? 0 : v->valuedouble > max ? max : v->valuedouble;
        note(st, xlate_add(out, "temperature", cJSON_CreateNumber(t)));
    }
    v = cJSON_GetObjectItemCaseSensitive(req, "top_p");
    if (cJSON_IsNumber(v))
        note(st, xlate_add_copy(out, "top_p", v));
    v = cJSON_GetObjectItemCaseSensitive(req, "top_k");
    if (xlate_is_int(v) && v->valuedouble > 0)
        note(st, xlate_add_copy(out, "top_k", v));
    cJSON *stops = cJSON_CreateArray();
    const cJSON *s;
    cJSON_ArrayForEach(s, json_arr(req, "stop_sequences"))
    {
        if (cJSON_IsString(s) && !xlate_is_blank(s->valuestring))
            note(st, xlate_push(stops, cJSON_CreateString(s->valuestring)));
    }
    if (stops && stops->child)
        note(st, xlate_add(out, "stop_sequences", stops));
    else
        cJSON_Delete(stops);
}

static void add_params(struct a2a *st, cJSON *out, const cJSON *req, const struct xlate_opts *o)
{
    long max_tokens = xlate_out_budget(req, XLATE_DEFAULT_MAX_TOKENS, o->max_tokens_cap);
    note(st, xlate_add(out, "max_tokens", cJSON_CreateNumber((double)max_tokens)));
    cJSON *th =
        clean_thinking(json_obj(req, "thinking"), max_tokens, st->rules->thinking_budget_min);
    if (th)
        note(st, xlate_add(out, "thinking", th));
    const char *uid = json_str(json_obj(req, "metadata"), "user_id");
    if (uid) {
        cJSON *md = cJSON_CreateObject();
        note(st, xlate_add_if(out, "metadata", md, xlate_add_str(md, "user_id", uid)));
    }
    add_sampling(st, out, req);
    note(st, set_stream(out, o->stream, false));
}

static cJSON *a2a_strict(const cJSON *req, const struct xlate_opts *o, const char *model,
                         const struct provider_rules *r)
{
    struct a2a st = {.rules = r, .msgs = cJSON_CreateArray(), .system = cJSON_CreateArray()};
    cJSON *out = cJSON_CreateObject();
    note(&st, xlate_add_str(out, "model", model));
    note(&st, st.system != NULL && xlate_add(out, "messages", st.msgs));
    if (!st.oom) {
        add_system(&st, cJSON_GetObjectItemCaseSensitive(req, "system"));
        const cJSON *m;
        cJSON_ArrayForEach(m, json_arr(req, "messages"))
        {
            add_message(&st, m);
        }
        note(&st, xlate_anth_fix_messages(st.msgs) && put_system(&st, out));
        add_tools(&st, out, req);
        add_params(&st, out, req, o);
    }
    cJSON_Delete(st.system);
    if (st.oom) {
        cJSON_Delete(out);
        return NULL;
    }
    if (!r->cache_ttl)
        xlate_strip_ttl(out);
    xlate_keep_forwarded(out, r->top_keys);
    return out;
}

/* Thinking blocks switchboard made from another model's reasoning, where the target checks
 * signatures (real Anthropic refuses one it did not sign: claude-code #10627). */
static void drop_our_thinking(cJSON *out)
{
    cJSON *m;
    cJSON_ArrayForEach(m, array_of(out, "messages"))
    {
        cJSON *content = array_of(m, "content");
        cJSON *b = content ? content->child : NULL;
        while (b) {
            cJSON *next = b->next;
            if (is_str(json_str(b, "type"), "thinking") && xlate_thinking_is_ours(b))
                cJSON_Delete(cJSON_DetachItemViaPointer(content, b));
            b = next;
        }
    }
}

/* Real Anthropic understands everything Claude Code sends: only the model, budget and
 * stream flag change, an explicit thinking budget is refitted under the clamp, and thinking
 * another model wrote is left out. */
static cJSON *a2a_light(const cJSON *req, const struct xlate_opts *o, const char *model,
                        const struct provider_rules *r)
{
    long max_tokens = xlate_out_budget(req, XLATE_DEFAULT_MAX_TOKENS, o->max_tokens_cap);
    cJSON *out = cJSON_Duplicate(req, 1);
    bool ok = out && replace(out, "model", cJSON_CreateString(model)) &&
              replace(out, "max_tokens", cJSON_CreateNumber((double)max_tokens)) &&
              set_stream(out, o->stream, false);
    cJSON *th = cJSON_GetObjectItemCaseSensitive(out, "thinking");
    if (ok && is_str(json_str(th, "type"), "enabled"))
        ok = fit_budget(th, max_tokens, r->thinking_budget_min);
    if (ok && !r->foreign_thinking)
        drop_our_thinking(out);
    if (!ok) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

cJSON *xlate_req_a2a(const cJSON *anthropic_req, const struct xlate_opts *o,
                     char err[XLATE_ERR_LEN])
{
    if (!cJSON_IsObject(anthropic_req) || !o || !json_arr(anthropic_req, "messages")) {
        xlate_errf(err, "messages: expected array");
        return NULL;
    }
    const char *model = o->model ? o->model : json_str(anthropic_req, "model");
    const struct provider_rules *r = provider_rules_for(o->provider, model);
    cJSON *out = provider_rules_strict(r) ? a2a_strict(anthropic_req, o, model ? model : "", r)
                                          : a2a_light(anthropic_req, o, model ? model : "", r);
    if (!out)
        xlate_errf(err, "out of memory translating the request");
    return out;
}
