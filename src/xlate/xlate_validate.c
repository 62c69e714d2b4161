/* xlate_validate: type checks of every client request field the translators read, so a bad
 * request gets a 400 naming the field ("messages.2.content: expected string or array")
 * instead of a surprising translation. Optional fields may be absent or null. */
#include "xlate/xlate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "xlate_internal.h"

/* Field paths are short; a longer one is truncated in the message, never overflowed. */
#define PATH_LEN 96

enum kind { K_POSINT, K_INT, K_NUM, K_BOOL, K_STR, K_OBJ, K_STRS, K_STR_OR_STRS };

struct field {
    const char *key;
    enum kind kind;
};

/* vsnprintf keeps gcc's truncation analysis out: paths are cut on purpose, never overflowed. */
static void pathf(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pathf(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, PATH_LEN, fmt, ap);
    va_end(ap);
}

static bool fail(char *err, const char *path, const char *why)
{
    xlate_errf(err, "%s: %s", path, why);
    return false;
}

static bool is_strs(const cJSON *v)
{
    const cJSON *s;
    if (!cJSON_IsArray(v))
        return false;
    cJSON_ArrayForEach(s, v)
    {
        if (!cJSON_IsString(s))
            return false;
    }
    return true;
}

static bool kind_ok(const cJSON *v, enum kind k)
{
    switch (k) {
    case K_POSINT:
        return xlate_is_int(v) && v->valuedouble > 0;
    case K_INT:
        return xlate_is_int(v);
    case K_NUM:
        return cJSON_IsNumber(v);
    case K_BOOL:
        return cJSON_IsBool(v);
    case K_STR:
        return cJSON_IsString(v);
    case K_OBJ:
        return cJSON_IsObject(v);
    case K_STRS:
        return is_strs(v);
    case K_STR_OR_STRS:
        return cJSON_IsString(v) || is_strs(v);
    }
    return false;
}

static const char *kind_name(enum kind k)
{
    static const char *const names[] = {
        [K_POSINT] = "expected integer greater than 0",
        [K_INT] = "expected integer",
        [K_NUM] = "expected number",
        [K_BOOL] = "expected boolean",
        [K_STR] = "expected string",
        [K_OBJ] = "expected object",
        [K_STRS] = "expected array of strings",
        [K_STR_OR_STRS] = "expected string or array of strings",
    };
    return names[k];
}

/* Optional fields: absent or null passes (OpenAI clients send explicit nulls). */
static bool check_fields(const cJSON *obj, const char *prefix, const struct field *f, size_t n,
                         char *err)
{
    for (size_t i = 0; i < n; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, f[i].key);
        if (!v || cJSON_IsNull(v) || kind_ok(v, f[i].kind))
            continue;
        char path[PATH_LEN];
        pathf(path, "%s%s", prefix, f[i].key);
        return fail(err, path, kind_name(f[i].kind));
    }
    return true;
}

/* A list of named entries at obj[key]: each entry an object whose name (in the entry, or in
 * its `inner` object) is required, and whose fields have the kinds in f. Absent or null
 * lists pass. at is the path to obj with a trailing dot ("" at the top). */
struct named_list {
    const char *key;
    const char *inner;  /* "function" for OpenAI tools and tool calls; NULL for Anthropic tools */
    bool empty_name_ok; /* a replayed tool call may carry an empty name */
    const struct field *f;
    size_t n;
};

static bool check_named_list(const cJSON *obj, const char *at, const struct named_list *l,
                             char *err)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(obj, l->key);
    const char *in = l->inner ? l->inner : "", *dot = l->inner ? "." : "";
    char p[PATH_LEN], fp[PATH_LEN], why[PATH_LEN];
    if (!list || cJSON_IsNull(list))
        return true;
    pathf(p, "%s%s", at, l->key);
    if (!cJSON_IsArray(list))
        return fail(err, p, "expected array");
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        pathf(p, "%s%s.%d", at, l->key, i);
        pathf(fp, "%s%s.%d.%s%s", at, l->key, i++, in, dot);
        if (!cJSON_IsObject(e))
            return fail(err, p, "expected object");
        const cJSON *named = l->inner ? json_obj(e, l->inner) : e;
        const char *name = json_str(named, "name");
        pathf(why, "%s%sname: field required", in, dot);
        if (!name || (!name[0] && !l->empty_name_ok))
            return fail(err, p, why);
        if (!check_fields(named, fp, l->f, l->n, err))
            return false;
    }
    return true;
}

static bool check_model(const cJSON *req, char *err)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(req, "model");
    if (!m)
        return fail(err, "model", "field required");
    if (!cJSON_IsString(m) || !m->valuestring[0])
        return fail(err, "model", "expected non-empty string");
    return true;
}

static bool is_one_of(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

static const cJSON *messages_of(const cJSON *req, char *err)
{
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(req, "messages");
    if (!msgs) {
        fail(err, "messages", "field required");
        return NULL;
    }
    if (!cJSON_IsArray(msgs)) {
        fail(err, "messages", "expected array");
        return NULL;
    }
    if (!msgs->child) {
        fail(err, "messages", "at least one message is required");
        return NULL;
    }
    return msgs;
}

/* ---- Anthropic ------------------------------------------------------------------------- */

static bool check_result_content(const cJSON *c, const char *path, char *err)
{
    char p[PATH_LEN];
    int i = 0;
    const cJSON *b;
    if (!c || cJSON_IsString(c))
        return true;
    if (!cJSON_IsArray(c)) {
        pathf(p, "%s.content", path);
        return fail(err, p, "expected string or array");
    }
    cJSON_ArrayForEach(b, c)
    {
        pathf(p, "%s.content.%d", path, i++);
        if (!cJSON_IsObject(b))
            return fail(err, p, "expected object");
        if (!json_str(b, "type"))
            return fail(err, p, "type: expected string");
    }
    return true;
}

static bool check_anth_block(const cJSON *b, const char *path, char *err)
{
    static const struct field tool_use[] = {{"id", K_STR}, {"name", K_STR}, {"input", K_OBJ}};
    static const struct field result[] = {{"tool_use_id", K_STR}, {"is_error", K_BOOL}};
    static const struct field thinking[] = {{"thinking", K_STR}, {"signature", K_STR}};
    char p[PATH_LEN];
    if (!cJSON_IsObject(b))
        return fail(err, path, "expected object");
    const char *type = json_str(b, "type");
    pathf(p, "%s.", path);
    if (!type)
        return fail(err, path, "type: expected string");
    if (strcmp(type, "text") == 0)
        return json_str(b, "text") ? true : fail(err, path, "text: expected string");
    if (strcmp(type, "tool_use") == 0)
        return check_fields(b, p, tool_use, 3, err) &&
               (json_str(b, "id") ? true : fail(err, path, "id: field required")) &&
               (json_str(b, "name") ? true : fail(err, path, "name: field required"));
    if (strcmp(type, "tool_result") == 0)
        return check_fields(b, p, result, 2, err) &&
               (json_str(b, "tool_use_id") ? true
                                           : fail(err, path, "tool_use_id: field required")) &&
               check_result_content(cJSON_GetObjectItemCaseSensitive(b, "content"), path, err);
    if (strcmp(type, "image") == 0 || strcmp(type, "document") == 0)
        return json_obj(b, "source") ? true : fail(err, path, "source: expected object");
    if (strcmp(type, "thinking") == 0)
        return check_fields(b, p, thinking, 2, err);
    return true;
}

static bool check_oai_part(const cJSON *b, const char *path, char *err)
{
    if (!cJSON_IsObject(b))
        return fail(err, path, "expected object");
    const char *type = json_str(b, "type");
    if (!type)
        return fail(err, path, "type: expected string");
    if (strcmp(type, "text") == 0 && !json_str(b, "text"))
        return fail(err, path, "text: expected string");
    if (strcmp(type, "image_url") == 0 && !json_str(json_obj(b, "image_url"), "url"))
        return fail(err, path, "image_url.url: expected string");
    return true;
}

static bool check_content(const cJSON *m, const char *path, bool openai, char *err)
{
    char p[PATH_LEN];
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "content");
    pathf(p, "%s.content", path);
    if (cJSON_IsString(c))
        return true;
    if (!cJSON_IsArray(c))
        return fail(err, p, "expected string or array");
    int i = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, c)
    {
        char bp[PATH_LEN];
        pathf(bp, "%s.%d", p, i++);
        if (!openai && !check_anth_block(b, bp, err))
            return false;
        if (openai && !check_oai_part(b, bp, err))
            return false;
    }
    return true;
}

static bool check_anth_messages(const cJSON *req, char *err)
{
    static const char *const roles[] = {"user", "assistant", "system", NULL};
    const cJSON *msgs = messages_of(req, err);
    if (!msgs)
        return false;
    int i = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, msgs)
    {
        char path[PATH_LEN], p[PATH_LEN];
        pathf(path, "messages.%d", i++);
        if (!cJSON_IsObject(m))
            return fail(err, path, "expected object");
        pathf(p, "%s.role", path);
        if (!is_one_of(json_str(m, "role"), roles))
            return fail(err, p, "expected \"user\" or \"assistant\"");
        if (!check_content(m, path, false, err))
            return false;
    }
    return true;
}

static bool check_anth_system(const cJSON *req, char *err)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(req, "system");
    if (!s || cJSON_IsNull(s) || cJSON_IsString(s))
        return true;
    if (!cJSON_IsArray(s))
        return fail(err, "system", "expected string or array");
    int i = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, s)
    {
        char p[PATH_LEN];
        pathf(p, "system.%d", i++);
        if (!cJSON_IsObject(b))
            return fail(err, p, "expected object");
        const char *type = json_str(b, "type");
        if (!type || strcmp(type, "text") != 0)
            return fail(err, p, "type: expected \"text\"");
        if (!json_str(b, "text"))
            return fail(err, p, "text: expected string");
    }
    return true;
}

static bool check_anth_tools(const cJSON *req, char *err)
{
    static const struct field f[] = {
        {"name", K_STR}, {"description", K_STR}, {"input_schema", K_OBJ}, {"type", K_STR}};
    static const struct named_list tools = {"tools", NULL, false, f, sizeof f / sizeof f[0]};
    return check_named_list(req, "", &tools, err);
}

static bool check_anth_choice(const cJSON *req, char *err)
{
    static const char *const types[] = {"auto", "any", "tool", "none", NULL};
    static const struct field f[] = {{"name", K_STR}, {"disable_parallel_tool_use", K_BOOL}};
    const cJSON *tc = cJSON_GetObjectItemCaseSensitive(req, "tool_choice");
    if (!tc || cJSON_IsNull(tc))
        return true;
    if (!cJSON_IsObject(tc))
        return fail(err, "tool_choice", "expected object");
    const char *type = json_str(tc, "type");
    if (!is_one_of(type, types))
        return fail(err, "tool_choice.type", "expected one of auto, any, tool, none");
    if (strcmp(type, "tool") == 0 && !json_str(tc, "name"))
        return fail(err, "tool_choice.name", "field required");
    return check_fields(tc, "tool_choice.", f, 2, err);
}

static bool check_anth_thinking(const cJSON *req, char *err)
{
    static const struct field f[] = {{"type", K_STR}, {"budget_tokens", K_INT}};
    const cJSON *th = cJSON_GetObjectItemCaseSensitive(req, "thinking");
    if (!th || cJSON_IsNull(th))
        return true;
    if (!cJSON_IsObject(th))
        return fail(err, "thinking", "expected object");
    if (!json_str(th, "type"))
        return fail(err, "thinking.type", "field required");
    return check_fields(th, "thinking.", f, 2, err);
}

/* max_tokens is optional here: count_tokens requests have none; callers supply a default. */
bool xlate_validate_anthropic(const cJSON *req, char err[XLATE_ERR_LEN])
{
    static const struct field f[] = {{"max_tokens", K_POSINT}, {"stream", K_BOOL},
                                     {"temperature", K_NUM},   {"top_p", K_NUM},
                                     {"top_k", K_INT},         {"stop_sequences", K_STRS},
                                     {"metadata", K_OBJ},      {"output_config", K_OBJ}};
    if (!cJSON_IsObject(req))
        return fail(err, "body", "expected object");
    return check_model(req, err) && check_anth_messages(req, err) && check_anth_system(req, err) &&
           check_anth_tools(req, err) && check_anth_choice(req, err) &&
           check_anth_thinking(req, err) && check_fields(req, "", f, sizeof f / sizeof f[0], err);
}

/* ---- OpenAI ---------------------------------------------------------------------------- */

static bool check_calls(const cJSON *m, const char *path, char *err)
{
    static const struct field f[] = {{"name", K_STR}, {"arguments", K_STR}};
    static const struct named_list calls = {"tool_calls", "function", true, f, 2};
    char at[PATH_LEN];
    pathf(at, "%s.", path);
    return check_named_list(m, at, &calls, err);
}

static bool check_oai_message(const cJSON *m, const char *path, char *err)
{
    static const char *const roles[] = {"system", "developer", "user", "assistant",
                                        "tool",   "function",  NULL};
    char p[PATH_LEN];
    if (!cJSON_IsObject(m))
        return fail(err, path, "expected object");
    const char *role = json_str(m, "role");
    pathf(p, "%s.role", path);
    if (!is_one_of(role, roles))
        return fail(err, p, "expected one of system, developer, user, assistant, tool");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "content");
    bool may_be_empty = strcmp(role, "assistant") == 0 || strcmp(role, "function") == 0;
    if (!(may_be_empty && (!c || cJSON_IsNull(c))) && !check_content(m, path, true, err))
        return false;
    pathf(p, "%s.tool_call_id", path);
    if (strcmp(role, "tool") == 0 && !json_str(m, "tool_call_id"))
        return fail(err, p, "field required");
    return check_calls(m, path, err);
}

static bool check_oai_tools(const cJSON *req, char *err)
{
    static const struct field f[] = {
        {"name", K_STR}, {"description", K_STR}, {"parameters", K_OBJ}, {"strict", K_BOOL}};
    static const struct named_list tools = {"tools", "function", false, f, sizeof f / sizeof f[0]};
    return check_named_list(req, "", &tools, err);
}

static bool check_oai_choice(const cJSON *req, char *err)
{
    static const char *const modes[] = {"auto", "none", "required", NULL};
    const cJSON *tc = cJSON_GetObjectItemCaseSensitive(req, "tool_choice");
    if (!tc || cJSON_IsNull(tc))
        return true;
    if (cJSON_IsString(tc))
        return is_one_of(tc->valuestring, modes)
                   ? true
                   : fail(err, "tool_choice", "expected one of auto, none, required");
    if (!cJSON_IsObject(tc) || !json_str(json_obj(tc, "function"), "name"))
        return fail(err, "tool_choice", "expected string or {type, function: {name}}");
    return true;
}

bool xlate_validate_openai(const cJSON *req, char err[XLATE_ERR_LEN])
{
    static const struct field f[] = {{"max_tokens", K_POSINT},
                                     {"max_completion_tokens", K_POSINT},
                                     {"stream", K_BOOL},
                                     {"temperature", K_NUM},
                                     {"top_p", K_NUM},
                                     {"n", K_POSINT},
                                     {"seed", K_INT},
                                     {"stop", K_STR_OR_STRS},
                                     {"stream_options", K_OBJ},
                                     {"user", K_STR},
                                     {"reasoning_effort", K_STR},
                                     {"parallel_tool_calls", K_BOOL},
                                     {"response_format", K_OBJ},
                                     {"metadata", K_OBJ}};
    static const struct field so[] = {{"include_usage", K_BOOL}};
    if (!cJSON_IsObject(req))
        return fail(err, "body", "expected object");
    if (!check_model(req, err))
        return false;
    const cJSON *msgs = messages_of(req, err);
    if (!msgs)
        return false;
    int i = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, msgs)
    {
        char path[PATH_LEN];
        pathf(path, "messages.%d", i++);
        if (!check_oai_message(m, path, err))
            return false;
    }
    return check_oai_tools(req, err) && check_oai_choice(req, err) &&
           check_fields(req, "", f, sizeof f / sizeof f[0], err) &&
           check_fields(json_obj(req, "stream_options"), "stream_options.", so, 1, err);
}
