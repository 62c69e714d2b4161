/* simprov_validate: the 400s a strict upstream gives. Cerebras rejects every property it does
 * not know and malformed tool turns; Z.AI's Anthropic endpoint rejects unknown top-level fields,
 * empty text, cache_control ttl, unpaired tool_use and unsigned thinking. What each provider
 * takes (keys, names, ranges) comes from its row of the provider table
 * (xlate/provider_rules.h), the same row the translators shape requests by; the dialects'
 * own grammar (roles, block types, tool turns) is checked here. No HTTP here. */
#include "sim/simprov_validate.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "xlate/provider_rules.h"

/* Where the reason goes, and the provider row the request is checked against. */
struct why {
    char *s;
    size_t n;
    const struct provider_rules *r;
};

__attribute__((format(printf, 2, 3))) static int fail(struct why *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->s, w->n, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* First key of obj the provider does not know at this level (see provider_key), or NULL;
 * a level without a list takes anything. */
static const char *unknown_key(const cJSON *obj, const struct provider_key *known)
{
    for (const cJSON *it = known ? obj->child : NULL; it; it = it->next)
        if (!provider_key_find(known, it->string ? it->string : ""))
            return it->string ? it->string : "";
    return NULL;
}

static bool name_ok(const struct why *w, const char *name)
{
    return provider_name_ok(w->r->tool_names, name);
}

static bool is_int(const cJSON *v)
{
    return cJSON_IsNumber(v) && floor(v->valuedouble) == v->valuedouble;
}

static bool is_type(const cJSON *o, const char *type)
{
    const char *t = json_str(o, "type");
    return t && strcmp(t, type) == 0;
}

static bool is_role(const cJSON *o, const char *role)
{
    const char *r = json_str(o, "role");
    return r && strcmp(r, role) == 0;
}

/* A number field that must lie in [lo, hi] when present. */
static int check_range(struct why *w, const cJSON *req, const char *key, double lo, double hi,
                       const char *prefix)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v))
        return fail(w, "%s%s: must be a number", prefix, key);
    if (v->valuedouble < lo || v->valuedouble > hi)
        return fail(w, "%s%s: must be between %g and %g", prefix, key, lo, hi);
    return 0;
}

static int check_bool(struct why *w, const cJSON *req, const char *key, const char *prefix)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);
    if (v && !cJSON_IsBool(v))
        return fail(w, "%s%s: must be a boolean", prefix, key);
    return 0;
}

/* ---- OpenAI dialect (Cerebras) ---- */

static int oai_parts(struct why *w, const cJSON *content, int i)
{
    const cJSON *p;
    int j = 0;
    if (!content || cJSON_IsString(content) || cJSON_IsNull(content))
        return 0;
    if (!cJSON_IsArray(content))
        return fail(w, "body.messages[%d].content: must be a string or an array", i);
    cJSON_ArrayForEach(p, content)
    {
        if (is_type(p, "text") && json_str(p, "text"))
            ;
        else if (is_type(p, "image_url") && json_str(json_obj(p, "image_url"), "url"))
            ;
        else if (json_str(p, "type") && !is_type(p, "text") && !is_type(p, "image_url"))
            return fail(w, "body.messages[%d].content[%d]: type '%s' is unsupported", i, j,
                        json_str(p, "type"));
        else
            return fail(w, "body.messages[%d].content[%d]: invalid content part", i, j);
        j++;
    }
    return 0;
}

static int oai_tool_calls(struct why *w, const cJSON *m, int i)
{
    const cJSON *calls = cJSON_GetObjectItemCaseSensitive(m, "tool_calls"), *c;
    const char *bad;
    int j = 0;
    if (!calls)
        return 0;
    if (!cJSON_IsArray(calls))
        return fail(w, "body.messages[%d].tool_calls: must be an array", i);
    cJSON_ArrayForEach(c, calls)
    {
        const cJSON *fn = json_obj(c, "function");
        if (!cJSON_IsObject(c) || !json_str(c, "id") || !is_type(c, "function") || !fn)
            return fail(w, "body.messages[%d].tool_calls[%d]: invalid tool call", i, j);
        if ((bad = unknown_key(c, w->r->call_keys)) ||
            (bad = unknown_key(fn, w->r->call_function_keys)))
            return fail(w, "body.messages[%d].tool_calls[%d]: property '%s' is unsupported", i, j,
                        bad);
        if (!json_str(fn, "name") || !json_str(fn, "arguments"))
            return fail(w,
                        "body.messages[%d].tool_calls[%d].function: name and arguments "
                        "must be strings",
                        i, j);
        if (!name_ok(w, json_str(fn, "name")))
            return fail(w, "body.messages[%d].tool_calls[%d].function.name: %s", i, j,
                        w->r->tool_names->refusal);
        j++;
    }
    return 0;
}

static bool has_call(const cJSON *asst, const char *id)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, json_arr(asst, "tool_calls"))
    {
        const char *cid = json_str(c, "id");
        if (cid && strcmp(cid, id) == 0)
            return true;
    }
    return false;
}

/* Every call of asst must be answered by a tool message between asst and end. */
static int oai_answered(struct why *w, const cJSON *asst, const cJSON *end, int i)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, json_arr(asst, "tool_calls"))
    {
        const char *id = json_str(c, "id");
        bool found = false;
        for (const cJSON *m = asst->next; m && m != end && !found; m = m->next) {
            const char *tid = json_str(m, "tool_call_id");
            found = tid && id && strcmp(tid, id) == 0;
        }
        if (!found)
            return fail(w,
                        "body.messages[%d]: tool call '%s' of the preceding assistant "
                        "message has no tool response",
                        i, id ? id : "");
    }
    return 0;
}

static int oai_message(struct why *w, const cJSON *m, int i, const cJSON **asst)
{
    const char *bad, *role = json_str(m, "role");
    if (!cJSON_IsObject(m))
        return fail(w, "body.messages[%d]: must be an object", i);
    if ((bad = unknown_key(m, w->r->message_keys)))
        return fail(w, "body.messages[%d]: property '%s' is unsupported", i, bad);
    bool developer = w->r->developer_role && role && strcmp(role, "developer") == 0;
    if (!role || (strcmp(role, "system") && strcmp(role, "user") && strcmp(role, "assistant") &&
                  strcmp(role, "tool") && !developer))
        return fail(w, "body.messages[%d].role: '%s' is not one of system, %suser, assistant, tool",
                    i, role ? role : "", w->r->developer_role ? "developer, " : "");
    int err = oai_parts(w, cJSON_GetObjectItemCaseSensitive(m, "content"), i);
    if (err)
        return err;
    if (strcmp(role, "tool") == 0) {
        const char *id = json_str(m, "tool_call_id");
        if (!id || !*asst || !has_call(*asst, id))
            return fail(w,
                        "body.messages[%d].tool_call_id: '%s' does not match a tool call of "
                        "the preceding assistant message",
                        i, id ? id : "");
        return 0;
    }
    if (strcmp(role, "system") == 0 || developer)
        return 0;
    if (*asst && (err = oai_answered(w, *asst, m, i)))
        return err;
    *asst = NULL;
    if (strcmp(role, "assistant") == 0) {
        err = oai_tool_calls(w, m, i);
        *asst = m;
    }
    return err;
}

static int oai_tools(struct why *w, const cJSON *tools)
{
    const cJSON *t;
    const char *bad;
    int i = 0;
    if (!tools)
        return 0;
    if (!cJSON_IsArray(tools))
        return fail(w, "body.tools: must be an array");
    cJSON_ArrayForEach(t, tools)
    {
        const cJSON *fn = json_obj(t, "function");
        if (!cJSON_IsObject(t) || !is_type(t, "function") || !fn)
            return fail(w, "body.tools[%d]: must be {type:\"function\", function:{...}}", i);
        if ((bad = unknown_key(t, w->r->tool_keys)) || (bad = unknown_key(fn, w->r->function_keys)))
            return fail(w, "body.tools[%d]: property '%s' is unsupported", i, bad);
        const cJSON *params = cJSON_GetObjectItemCaseSensitive(fn, "parameters");
        if (!json_str(fn, "name") || (params && !cJSON_IsObject(params)))
            return fail(w, "body.tools[%d].function: needs a name and object parameters", i);
        if (!name_ok(w, json_str(fn, "name")))
            return fail(w, "body.tools[%d].function.name: %s", i, w->r->tool_names->refusal);
        i++;
    }
    return 0;
}

static int oai_numbers(struct why *w, const cJSON *req)
{
    static const char *const caps[] = {"max_completion_tokens", "max_tokens"};
    long max_out = w->r->max_output_tokens;
    int err = check_range(w, req, "temperature", 0, w->r->temperature_max, "body.");
    if (!err)
        err = check_range(w, req, "top_p", 0, 1, "body.");
    for (int k = 0; k < 2 && !err; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, caps[k]);
        if (v && (!is_int(v) || v->valuedouble < 1))
            err = fail(w, "body.%s: must be a positive integer", caps[k]);
        else if (v && max_out > 0 && v->valuedouble > (double)max_out)
            err = fail(w, "body.%s: must be at most %ld", caps[k], max_out);
    }
    if (!err)
        err = check_bool(w, req, "stream", "body.");
    const cJSON *so = cJSON_GetObjectItemCaseSensitive(req, "stream_options");
    if (!err && so && !cJSON_IsObject(so))
        err = fail(w, "body.stream_options: must be an object");
    return err;
}

/* "'low', 'medium' or 'high'", as pydantic words an enum (Cerebras' API is FastAPI). */
static void enum_words(char *out, size_t n, const char *const *values)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; values[i] && len < n; i++) {
        const char *sep = i == 0 ? "" : values[i + 1] ? ", " : " or ";
        int k = snprintf(out + len, n - len, "%s'%s'", sep, values[i]);
        len += k > 0 ? (size_t)k : 0;
    }
}

/* The model's reasoning fields: an effort it takes, booleans for its switches. */
static int oai_reasoning(struct why *w, const cJSON *req)
{
    const struct provider_rules *r = w->r;
    const cJSON *v =
        r->reasoning_param ? cJSON_GetObjectItemCaseSensitive(req, r->reasoning_param) : NULL;
    char words[128];
    if (v && (!cJSON_IsString(v) || !provider_reasoning_value_ok(r, v->valuestring))) {
        if (!r->reasoning_values)
            return fail(w, "body.%s: must be a string", r->reasoning_param);
        enum_words(words, sizeof words, r->reasoning_values);
        return fail(w, "body.%s: Input should be %s", r->reasoning_param, words);
    }
    int err = r->reasoning_switch ? check_bool(w, req, r->reasoning_switch, "body.") : 0;
    if (!err && r->history_keep)
        err = check_bool(w, req, r->history_keep, "body.");
    return err;
}

/* tool_choice: "none" | "auto" | "required" | {type: "function", function: {name}}. */
static int oai_tool_choice(struct why *w, const cJSON *req)
{
    const cJSON *tc = cJSON_GetObjectItemCaseSensitive(req, "tool_choice");
    if (!tc || !w->r->tool_choice_checked)
        return 0;
    if (cJSON_IsString(tc) &&
        (!strcmp(tc->valuestring, "none") || !strcmp(tc->valuestring, "auto") ||
         !strcmp(tc->valuestring, "required")))
        return 0;
    if (is_type(tc, "function") && json_str(json_obj(tc, "function"), "name"))
        return 0;
    return fail(w, "body.tool_choice: Input should be 'none', 'auto', 'required' or a "
                   "{type: function, function: {name}} object");
}

static int oai_validate(struct why *w, const cJSON *req)
{
    const char *bad = unknown_key(req, w->r->top_keys);
    const cJSON *msgs = json_arr(req, "messages"), *m, *asst = NULL;
    int i = 0, err;
    if (bad)
        return fail(w, "body: property '%s' is unsupported", bad);
    if (!json_str(req, "model"))
        return fail(w, "body.model: field required");
    if (!msgs || !msgs->child)
        return fail(w, "body.messages: must be a non-empty array");
    if ((err = oai_numbers(w, req)) || (err = oai_tools(w, json_arr(req, "tools"))) ||
        (err = oai_reasoning(w, req)) || (err = oai_tool_choice(w, req)))
        return err;
    if (cJSON_GetObjectItemCaseSensitive(req, "tools") && !json_arr(req, "tools"))
        return fail(w, "body.tools: must be an array");
    cJSON_ArrayForEach(m, msgs)
    {
        if ((err = oai_message(w, m, i++, &asst)))
            return err;
    }
    return 0;
}

/* ---- Anthropic dialect (Z.AI) ---- */

static int check_cc(struct why *w, const cJSON *o, const char *path)
{
    const cJSON *cc = cJSON_GetObjectItemCaseSensitive(o, "cache_control");
    if (cc && !cJSON_IsObject(cc))
        return fail(w, "%s.cache_control: must be an object", path);
    if (cc && !w->r->cache_ttl && cJSON_GetObjectItemCaseSensitive(cc, "ttl"))
        return fail(w, "%s.cache_control.ttl: Extra inputs are not permitted", path);
    return 0;
}

/* Text-like blocks that may appear in system and inside tool_result content. */
static int ant_text_block(struct why *w, const cJSON *b, const char *path)
{
    const char *t = json_str(b, "text");
    if (is_type(b, "text") && (!t || !*t))
        return fail(w, "messages: text content blocks must be non-empty");
    return check_cc(w, b, path);
}

static int ant_result(struct why *w, const cJSON *b, int i, int j)
{
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(b, "content"), *p;
    const cJSON *list = cJSON_IsArray(content) ? content : NULL;
    char path[64];
    snprintf(path, sizeof(path), "messages.%d.content.%d.content", i, j);
    if (!json_str(b, "tool_use_id"))
        return fail(w, "messages.%d.content.%d.tool_use_id: Field required", i, j);
    if (content && !cJSON_IsString(content) && !cJSON_IsArray(content))
        return fail(w, "messages.%d.content.%d.content: must be a string or a list", i, j);
    cJSON_ArrayForEach(p, list)
    {
        int err = ant_text_block(w, p, path);
        if (err)
            return err;
    }
    return 0;
}

static int ant_block(struct why *w, const cJSON *b, int i, int j, bool user)
{
    const char *type = json_str(b, "type");
    const char *sig = json_str(b, "signature");
    char path[48];
    snprintf(path, sizeof(path), "messages.%d.content.%d", i, j);
    if (!cJSON_IsObject(b) || !type)
        return fail(w, "messages.%d.content.%d.type: Field required", i, j);
    if (strcmp(type, "text") == 0)
        return ant_text_block(w, b, path);
    if (strcmp(type, "image") == 0 || strcmp(type, "document") == 0)
        return json_obj(b, "source")
                   ? check_cc(w, b, path)
                   : fail(w, "messages.%d.content.%d.source: Field required", i, j);
    if (strcmp(type, "tool_result") == 0 && user) {
        int err = ant_result(w, b, i, j);
        return err ? err : check_cc(w, b, path);
    }
    if (strcmp(type, "tool_use") == 0 && !user)
        return json_str(b, "id") && json_str(b, "name") && json_obj(b, "input")
                   ? check_cc(w, b, path)
                   : fail(w, "messages.%d.content.%d: tool_use needs id, name and input", i, j);
    if (strcmp(type, "thinking") == 0 && !user)
        return json_str(b, "thinking") && sig && *sig
                   ? 0
                   : fail(w, "messages.%d.content.%d.signature: Field required", i, j);
    if (strcmp(type, "redacted_thinking") == 0 && !user)
        return json_str(b, "data") ? 0
                                   : fail(w, "messages.%d.content.%d.data: Field required", i, j);
    return fail(w,
                "messages.%d.content.%d: content block type '%s' is not allowed in a %s "
                "message",
                i, j, type, user ? "user" : "assistant");
}

static int count_results(const cJSON *user, const char *id)
{
    const cJSON *b;
    int n = 0;
    cJSON_ArrayForEach(b, json_arr(user, "content"))
    {
        const char *tid = json_str(b, "tool_use_id");
        if (is_type(b, "tool_result") && tid && strcmp(tid, id) == 0)
            n++;
    }
    return n;
}

static bool has_use(const cJSON *asst, const char *id)
{
    const cJSON *b;
    cJSON_ArrayForEach(b, json_arr(asst, "content"))
    {
        const char *uid = json_str(b, "id");
        if (is_type(b, "tool_use") && uid && strcmp(uid, id) == 0)
            return true;
    }
    return false;
}

/* tool_use in message i must be answered exactly once in message i + 1, and every tool_result
 * there must answer one of them. */
static int ant_pairing(struct why *w, const cJSON *asst, const cJSON *next, int i)
{
    const cJSON *b;
    const char *role = json_str(next, "role");
    bool user = role && strcmp(role, "user") == 0;
    cJSON_ArrayForEach(b, json_arr(asst, "content"))
    {
        const char *id = json_str(b, "id");
        if (!is_type(b, "tool_use") || !id)
            continue;
        int n = user ? count_results(next, id) : 0;
        if (n != 1)
            return fail(w,
                        "messages.%d: `tool_use` ids were found without `tool_result` blocks "
                        "immediately after: %s. Each `tool_use` block must have a corresponding "
                        "`tool_result` block in the next message.",
                        i, id);
    }
    const cJSON *results = user ? json_arr(next, "content") : NULL;
    cJSON_ArrayForEach(b, results)
    {
        const char *tid = json_str(b, "tool_use_id");
        if (is_type(b, "tool_result") && tid && !has_use(asst, tid))
            return fail(w,
                        "messages.%d: unexpected `tool_use_id` found in `tool_result` blocks: "
                        "%s. Each `tool_result` block must have a corresponding `tool_use` "
                        "block in the previous message.",
                        i + 1, tid);
    }
    return 0;
}

static const cJSON *first_result(const cJSON *content)
{
    const cJSON *b;
    cJSON_ArrayForEach(b, content)
    {
        if (is_type(b, "tool_result"))
            return b;
    }
    return NULL;
}

static int ant_message(struct why *w, const cJSON *m, int i, bool after_assistant)
{
    const char *bad, *role = json_str(m, "role");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content"), *b;
    int j = 0, err;
    if (!cJSON_IsObject(m))
        return fail(w, "messages.%d: Input should be an object", i);
    if ((bad = unknown_key(m, w->r->message_keys)))
        return fail(w, "messages.%d.%s: Extra inputs are not permitted", i, bad);
    if (!role || (strcmp(role, "user") && strcmp(role, "assistant")))
        return fail(w, "messages.%d.role: Input should be 'user' or 'assistant'", i);
    bool user = strcmp(role, "user") == 0;
    if (cJSON_IsString(content))
        return *content->valuestring || (!user && !m->next)
                   ? 0
                   : fail(w,
                          "messages.%d: all messages must have non-empty content except for "
                          "the optional final assistant message",
                          i);
    if (!cJSON_IsArray(content) || (!content->child && (user || m->next)))
        return fail(w, "messages.%d.content: must be a string or a non-empty list", i);
    cJSON_ArrayForEach(b, content)
    {
        if ((err = ant_block(w, b, i, j++, user)))
            return err;
    }
    if (!user && m->next)
        return ant_pairing(w, m, m->next, i);
    if (user && !after_assistant && (b = first_result(content)))
        return fail(w,
                    "messages.%d: unexpected `tool_use_id` found in `tool_result` blocks: "
                    "%s. Each `tool_result` block must have a corresponding `tool_use` block in "
                    "the previous message.",
                    i, json_str(b, "tool_use_id"));
    return 0;
}

static int ant_tools(struct why *w, const cJSON *tools)
{
    const cJSON *t;
    const char *bad;
    char path[32];
    int i = 0, err;
    if (tools && !cJSON_IsArray(tools))
        return fail(w, "tools: Input should be a valid list");
    cJSON_ArrayForEach(t, tools)
    {
        if (!cJSON_IsObject(t))
            return fail(w, "tools.%d: Input should be an object", i);
        if ((bad = unknown_key(t, w->r->tool_keys)))
            return fail(w, "tools.%d.%s: Extra inputs are not permitted", i, bad);
        if (!json_str(t, "name") || !json_obj(t, "input_schema"))
            return fail(w, "tools.%d: name and input_schema are required", i);
        snprintf(path, sizeof(path), "tools.%d", i);
        if ((err = check_cc(w, t, path)))
            return err;
        i++;
    }
    return 0;
}

static int ant_system(struct why *w, const cJSON *sys)
{
    const cJSON *b;
    char path[32];
    int i = 0, err;
    if (!sys || cJSON_IsString(sys))
        return 0;
    if (!cJSON_IsArray(sys))
        return fail(w, "system: Input should be a valid string or list");
    cJSON_ArrayForEach(b, sys)
    {
        if (!is_type(b, "text"))
            return fail(w, "system.%d.type: Input should be 'text'", i);
        snprintf(path, sizeof(path), "system.%d", i);
        if ((err = ant_text_block(w, b, path)))
            return err;
        i++;
    }
    return 0;
}

static int ant_thinking(struct why *w, const cJSON *req)
{
    const cJSON *th = cJSON_GetObjectItemCaseSensitive(req, "thinking");
    const char *type = json_str(th, "type");
    if (!th)
        return 0;
    if (!type || (strcmp(type, "enabled") && strcmp(type, "disabled") && strcmp(type, "adaptive")))
        return fail(w, "thinking.type: Input should be 'enabled', 'disabled' or 'adaptive'");
    const cJSON *budget = cJSON_GetObjectItemCaseSensitive(th, "budget_tokens");
    long min = w->r->thinking_budget_min;
    if (strcmp(type, "enabled") == 0 && (!is_int(budget) || budget->valuedouble < (double)min ||
                                         budget->valuedouble >= json_num(req, "max_tokens", 0)))
        return fail(w, "thinking.enabled.budget_tokens: must be >= %ld and less than max_tokens",
                    min);
    return 0;
}

static int ant_fields(struct why *w, const cJSON *req)
{
    const cJSON *max = cJSON_GetObjectItemCaseSensitive(req, "max_tokens");
    const cJSON *tc = cJSON_GetObjectItemCaseSensitive(req, "tool_choice");
    const cJSON *stops = cJSON_GetObjectItemCaseSensitive(req, "stop_sequences"), *s;
    if (!max)
        return fail(w, "max_tokens: Field required");
    if (!is_int(max) || max->valuedouble < 1)
        return fail(w, "max_tokens: Input should be a valid integer");
    long max_out = w->r->max_output_tokens;
    if (max_out > 0 && max->valuedouble > (double)max_out)
        return fail(w,
                    "max_tokens: %.0f > %ld, which is the maximum allowed number of output "
                    "tokens for %.64s",
                    max->valuedouble, max_out,
                    json_str(req, "model") ? json_str(req, "model") : "this model");
    if (!json_str(req, "model"))
        return fail(w, "model: Field required");
    if (tc && !json_str(tc, "type"))
        return fail(w, "tool_choice.type: Field required");
    if (stops && !cJSON_IsArray(stops))
        return fail(w, "stop_sequences: Input should be a valid list");
    cJSON_ArrayForEach(s, stops)
    {
        if (!cJSON_IsString(s))
            return fail(w, "stop_sequences: Input should be a list of strings");
    }
    int err = check_range(w, req, "temperature", 0, w->r->temperature_max, "");
    if (!err)
        err = check_range(w, req, "top_p", 0, 1, "");
    if (!err)
        err = check_bool(w, req, "stream", "");
    return err ? err : ant_thinking(w, req);
}

static int ant_validate(struct why *w, const cJSON *req)
{
    const char *bad = unknown_key(req, w->r->top_keys);
    const cJSON *msgs = json_arr(req, "messages"), *m;
    int i = 0, err;
    if (bad)
        return fail(w, "%s: Extra inputs are not permitted", bad);
    if ((err = ant_fields(w, req)))
        return err;
    if (!msgs || !msgs->child)
        return fail(w, "messages: Field required (a non-empty list)");
    if ((err = ant_system(w, cJSON_GetObjectItemCaseSensitive(req, "system"))) ||
        (err = ant_tools(w, cJSON_GetObjectItemCaseSensitive(req, "tools"))))
        return err;
    bool after_assistant = false;
    cJSON_ArrayForEach(m, msgs)
    {
        if ((err = ant_message(w, m, i++, after_assistant)))
            return err;
        after_assistant = is_role(m, "assistant");
    }
    return 0;
}

int simprov_validate(enum api dialect, const cJSON *req, char *why, size_t n)
{
    enum provider_kind kind = dialect == API_OPENAI ? PROVIDER_CEREBRAS : PROVIDER_ZAI;
    struct why w = {why, n, provider_rules_for(kind, json_str(req, "model"))};
    if (n)
        why[0] = '\0';
    if (!cJSON_IsObject(req))
        return fail(&w, dialect == API_OPENAI ? "body: expected a JSON object"
                                              : "body: Input should be a valid dictionary");
    return dialect == API_OPENAI ? oai_validate(&w, req) : ant_validate(&w, req);
}
