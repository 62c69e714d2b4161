/* xlate_req_util: small tree helpers shared by the request translators (adding with ownership,
 * whitelisting, budgets, schema and cache_control cleaning, text gathering). Knows nothing
 * of HTTP or of which provider sits on the other end. */
#include "xlate_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"

/* Schemas nest; cJSON caps parsing at 1000 levels, but our own walks stop much earlier. */
#define MAX_WALK_DEPTH 64
/* Larger budgets than this are nonsense; keeps the double -> long conversion defined. */
#define MAX_BUDGET 2147483647.0

void xlate_errf(char *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, XLATE_ERR_LEN, fmt, ap);
    va_end(ap);
}

void xlate_tool_name_short(const char *name, char out[XLATE_TOOL_NAME_MAX + 1])
{
    size_t n = name ? strlen(name) : 0;
    if (n <= XLATE_TOOL_NAME_MAX) {
        memcpy(out, name ? name : "", n + 1);
        return;
    }
    uint32_t h = 2166136261u; /* FNV-1a: only switchboard maps it back, any stable hash does */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    snprintf(out, XLATE_TOOL_NAME_MAX + 1, "%.55s_%08x", name, (unsigned)h);
}

const char *xlate_tool_name_long(const cJSON *client_tools, const char *name)
{
    if (!name || strlen(name) != XLATE_TOOL_NAME_MAX)
        return name;
    const cJSON *tools = cJSON_IsArray(client_tools) ? client_tools : NULL, *t;
    cJSON_ArrayForEach(t, tools)
    {
        const char *full = json_str(t, "name");
        char s[XLATE_TOOL_NAME_MAX + 1];
        if (full && strlen(full) > XLATE_TOOL_NAME_MAX) {
            xlate_tool_name_short(full, s);
            if (strcmp(s, name) == 0)
                return full;
        }
    }
    return name;
}

bool xlate_add(cJSON *obj, const char *key, cJSON *item)
{
    if (!item)
        return false;
    if (!obj || !cJSON_AddItemToObject(obj, key, item)) {
        cJSON_Delete(item);
        return false;
    }
    return true;
}

bool xlate_push(cJSON *arr, cJSON *item)
{
    if (!item)
        return false;
    if (!arr || !cJSON_AddItemToArray(arr, item)) {
        cJSON_Delete(item);
        return false;
    }
    return true;
}

bool xlate_add_if(cJSON *obj, const char *key, cJSON *item, bool ok)
{
    if (!ok) {
        cJSON_Delete(item);
        return false;
    }
    return xlate_add(obj, key, item);
}

bool xlate_push_if(cJSON *arr, cJSON *item, bool ok)
{
    if (!ok) {
        cJSON_Delete(item);
        return false;
    }
    return xlate_push(arr, item);
}

cJSON *xlate_text_block(const char *text)
{
    cJSON *b = cJSON_CreateObject();
    bool ok = xlate_add_str(b, "type", "text") && xlate_add_str(b, "text", text);
    if (!ok) {
        cJSON_Delete(b);
        return NULL;
    }
    return b;
}

bool xlate_add_str(cJSON *obj, const char *key, const char *s)
{
    return xlate_add(obj, key, cJSON_CreateString(s ? s : ""));
}

bool xlate_add_copy(cJSON *obj, const char *key, const cJSON *v)
{
    return v && xlate_add(obj, key, cJSON_Duplicate(v, 1));
}

static bool listed(const char *key, const char *const *list)
{
    for (; key && *list; list++)
        if (strcmp(key, *list) == 0)
            return true;
    return false;
}

void xlate_keep_only(cJSON *obj, const char *const *keep)
{
    cJSON *it = cJSON_IsObject(obj) ? obj->child : NULL;
    while (it) {
        cJSON *next = it->next;
        if (!listed(it->string, keep))
            cJSON_Delete(cJSON_DetachItemViaPointer(obj, it));
        it = next;
    }
}

void xlate_keep_forwarded(cJSON *obj, const struct provider_key *keys)
{
    cJSON *it = keys && cJSON_IsObject(obj) ? obj->child : NULL;
    while (it) {
        cJSON *next = it->next;
        if (!provider_key_forwarded(keys, it->string))
            cJSON_Delete(cJSON_DetachItemViaPointer(obj, it));
        it = next;
    }
}

bool xlate_is_int(const cJSON *v)
{
    if (!cJSON_IsNumber(v))
        return false;
    double d = v->valuedouble;
    return isfinite(d) && d == floor(d) && fabs(d) <= MAX_BUDGET;
}

bool xlate_is_blank(const char *s)
{
    for (; s && *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

long xlate_max_tokens(const cJSON *req, long def)
{
    static const char *const keys[] = {"max_completion_tokens", "max_tokens"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, keys[i]);
        if (xlate_is_int(v) && v->valuedouble > 0)
            return (long)v->valuedouble;
    }
    return def;
}

long xlate_out_budget(const cJSON *req, long def, long cap)
{
    long n = xlate_max_tokens(req, def);
    if (cap > 0 && (n <= 0 || n > cap))
        n = cap;
    return n > 0 ? n : 0;
}

static void drop_schema_keys(cJSON *node, int depth)
{
    if (depth > MAX_WALK_DEPTH || !(cJSON_IsObject(node) || cJSON_IsArray(node)))
        return;
    if (cJSON_IsObject(node))
        cJSON_DeleteItemFromObjectCaseSensitive(node, "$schema");
    for (cJSON *c = node->child; c; c = c->next) {
        /* Keys under "properties" are property names, not keywords: a property may be
         * called "$schema", so only descend into its schema. */
        bool props = cJSON_IsObject(node) && c->string && strcmp(c->string, "properties") == 0;
        if (props && cJSON_IsObject(c)) {
            for (cJSON *p = c->child; p; p = p->next)
                drop_schema_keys(p, depth + 2);
        } else {
            drop_schema_keys(c, depth + 1);
        }
    }
}

cJSON *xlate_schema_copy(const cJSON *schema)
{
    if (!cJSON_IsObject(schema)) {
        cJSON *o = cJSON_CreateObject();
        if (!xlate_add_str(o, "type", "object") ||
            !xlate_add(o, "properties", cJSON_CreateObject())) {
            cJSON_Delete(o);
            return NULL;
        }
        return o;
    }
    cJSON *o = cJSON_Duplicate(schema, 1);
    drop_schema_keys(o, 0);
    return o;
}

static void strip_ttl_at(cJSON *node, int depth)
{
    if (depth > MAX_WALK_DEPTH || !(cJSON_IsObject(node) || cJSON_IsArray(node)))
        return;
    cJSON *cc = cJSON_GetObjectItemCaseSensitive(node, "cache_control");
    if (cJSON_IsObject(node) && cJSON_IsObject(cc))
        cJSON_DeleteItemFromObjectCaseSensitive(cc, "ttl");
    for (cJSON *c = node->child; c; c = c->next)
        if (c != cc)
            strip_ttl_at(c, depth + 1);
}

void xlate_strip_ttl(cJSON *node)
{
    strip_ttl_at(node, 0);
}

int xlate_append_sep(struct buf *b, const char *s, const char *sep)
{
    int rc = 0;
    if (b->len > 0 && sep)
        rc = buf_puts(b, sep);
    return rc ? rc : buf_puts(b, s ? s : "");
}

int xlate_append_text(struct buf *b, const cJSON *content, const char *sep)
{
    if (cJSON_IsString(content))
        return xlate_is_blank(content->valuestring)
                   ? 0
                   : xlate_append_sep(b, content->valuestring, sep);
    if (!cJSON_IsArray(content))
        return 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, content)
    {
        const char *type = json_str(it, "type");
        const char *text = json_str(it, "text");
        if (!type || strcmp(type, "text") != 0 || xlate_is_blank(text))
            continue;
        int rc = xlate_append_sep(b, text, sep);
        if (rc)
            return rc;
    }
    return 0;
}

/* Flattens a tool_result's content to one string: OpenAI tool messages carry text only. */
int xlate_result_text(struct buf *b, const cJSON *block)
{
    int rc = json_bool(block, "is_error", false) ? buf_puts(b, "[error] ") : 0;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(block, "content");
    if (cJSON_IsString(c))
        return rc ? rc : buf_puts(b, c->valuestring);
    size_t start = b->len;
    const cJSON *list = cJSON_IsArray(c) ? c : NULL;
    const cJSON *it;
    cJSON_ArrayForEach(it, list)
    {
        const char *type = json_str(it, "type");
        const char *sep = b->len > start ? "\n" : "";
        if (rc || !type)
            continue;
        if (strcmp(type, "text") == 0 && json_str(it, "text"))
            rc = buf_printf(b, "%s%s", sep, json_str(it, "text"));
        else if (strcmp(type, "tool_reference") == 0 && json_str(it, "tool_name"))
            rc = buf_printf(b, "%sTool loaded: %s", sep, json_str(it, "tool_name"));
        else if (strcmp(type, "image") == 0 || strcmp(type, "document") == 0)
            rc = buf_printf(b, "%s[%s omitted]", sep, type);
    }
    return rc;
}
