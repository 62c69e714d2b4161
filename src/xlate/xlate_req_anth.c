/* xlate_req_anth: final normalisation of an Anthropic messages array before it goes to a strict
 * Anthropic-shaped upstream (Z.AI): alternating roles, every tool_use answered exactly once
 * in the next user turn, no empty turns. Shared by o2a and a2a; knows nothing of HTTP. */
#include "xlate_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static const char *role_of(const cJSON *m)
{
    const char *r = json_str(m, "role");
    return r ? r : "";
}

static cJSON *content_of(cJSON *m)
{
    return cJSON_GetObjectItemCaseSensitive(m, "content");
}

static bool is_type(const cJSON *block, const char *type)
{
    const char *t = json_str(block, "type");
    return t && strcmp(t, type) == 0;
}

static cJSON *new_message(const char *role)
{
    cJSON *m = cJSON_CreateObject();
    bool ok = xlate_add_str(m, "role", role) && xlate_add(m, "content", cJSON_CreateArray());
    if (!ok) {
        cJSON_Delete(m);
        return NULL;
    }
    return m;
}

/* Tool ids must match ^[a-zA-Z0-9_-]+$; the same rewrite on both ends keeps pairs intact.
 * False on OOM. */
static bool clean_id(cJSON *obj, const char *key)
{
    const char *id = json_str(obj, key);
    if (!id || !id[0])
        return true;
    char *c = xlate_tool_id_clean(id);
    bool ok = c != NULL;
    if (ok && strcmp(c, id) != 0)
        ok = cJSON_ReplaceItemInObjectCaseSensitive(obj, key, cJSON_CreateString(c));
    free(c);
    return ok;
}

static bool seen_before(const cJSON *content, const cJSON *upto, const char *id)
{
    for (const cJSON *b = content->child; b && b != upto; b = b->next)
        if (is_type(b, "tool_use") && json_str(b, "id") && strcmp(json_str(b, "id"), id) == 0)
            return true;
    return false;
}

/* Cleans ids in place and drops a tool_use whose id repeats one earlier in the same turn
 * ("tool_use ids must be unique"). */
static bool clean_ids(cJSON *messages)
{
    bool ok = true;
    for (cJSON *m = messages->child; m; m = m->next) {
        cJSON *content = content_of(m);
        cJSON *b = cJSON_IsArray(content) ? content->child : NULL;
        while (b) {
            cJSON *next = b->next;
            bool use = is_type(b, "tool_use");
            if (use || is_type(b, "tool_result"))
                ok = clean_id(b, use ? "id" : "tool_use_id") && ok;
            const char *id = json_str(b, "id");
            if (use && id && seen_before(content, b, id))
                cJSON_Delete(cJSON_DetachItemViaPointer(content, b));
            b = next;
        }
    }
    return ok;
}

/* Anthropic merges consecutive same-role turns itself; stricter upstreams reject them. */
static void merge_same_role(cJSON *messages)
{
    cJSON *prev = NULL;
    cJSON *m = messages->child;
    while (m) {
        cJSON *next = m->next;
        if (prev && strcmp(role_of(prev), role_of(m)) == 0) {
            cJSON *dst = content_of(prev), *src = content_of(m);
            while (src && src->child)
                cJSON_AddItemToArray(dst, cJSON_DetachItemViaPointer(src, src->child));
            cJSON_Delete(cJSON_DetachItemViaPointer(messages, m));
        } else {
            prev = m;
        }
        m = next;
    }
}

static bool has_tool_use(const cJSON *assistant, const char *id)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(assistant, "content");
    const cJSON *b;
    cJSON_ArrayForEach(b, list)
    {
        const char *bid = json_str(b, "id");
        if (is_type(b, "tool_use") && bid && strcmp(bid, id) == 0)
            return true;
    }
    return false;
}

static cJSON *find_result(const cJSON *results, const char *id)
{
    cJSON *r;
    cJSON_ArrayForEach(r, results)
    {
        const char *rid = json_str(r, "tool_use_id");
        if (rid && strcmp(rid, id) == 0)
            return r;
    }
    return NULL;
}

/* Content of a tool_result as a block list, so two results can be concatenated. */
static cJSON *result_blocks(const cJSON *result)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(result, "content");
    if (cJSON_IsArray(c))
        return cJSON_Duplicate(c, 1);
    cJSON *arr = cJSON_CreateArray();
    if (cJSON_IsString(c) && !xlate_is_blank(c->valuestring))
        xlate_push(arr, xlate_text_block(c->valuestring));
    return arr;
}

/* "each tool_use must have a single result": fold a duplicate into the first one. */
static bool merge_result(cJSON *into, const cJSON *dup)
{
    cJSON *a = result_blocks(into), *b = result_blocks(dup);
    if (!a || !b) {
        cJSON_Delete(a);
        cJSON_Delete(b);
        return false;
    }
    while (b->child)
        cJSON_AddItemToArray(a, cJSON_DetachItemViaPointer(b, b->child));
    cJSON_Delete(b);
    cJSON_DeleteItemFromObjectCaseSensitive(into, "content");
    if (!a->child) {
        cJSON_Delete(a);
        return true;
    }
    return xlate_add(into, "content", a);
}

/* A result whose tool_use is not in the previous turn would be rejected: keep it as text. */
static cJSON *orphan_as_text(const cJSON *result)
{
    struct buf b;
    buf_init(&b, 0);
    const char *id = json_str(result, "tool_use_id");
    cJSON *out = NULL;
    if (!buf_printf(&b, "[tool result %s] ", id ? id : "?") && !xlate_result_text(&b, result))
        out = xlate_text_block(b.data);
    buf_release(&b);
    return out;
}

/* Splits a user turn into answered results (first, as Anthropic requires) and the rest. */
static bool sort_user_blocks(cJSON *content, const cJSON *assistant, cJSON *results, cJSON *rest)
{
    bool ok = true;
    while (content->child) {
        cJSON *b = cJSON_DetachItemViaPointer(content, content->child);
        const char *id = json_str(b, "tool_use_id");
        if (!is_type(b, "tool_result")) {
            cJSON_AddItemToArray(rest, b);
        } else if (id && has_tool_use(assistant, id) && find_result(results, id)) {
            ok = merge_result(find_result(results, id), b) && ok;
            cJSON_Delete(b);
        } else if (id && has_tool_use(assistant, id)) {
            cJSON_AddItemToArray(results, b);
        } else {
            ok = xlate_push(rest, orphan_as_text(b)) && ok;
            cJSON_Delete(b);
        }
    }
    return ok;
}

static cJSON *missing_result(const char *id)
{
    cJSON *r = cJSON_CreateObject();
    bool ok = xlate_add_str(r, "type", "tool_result") && xlate_add_str(r, "tool_use_id", id) &&
              xlate_add_str(r, "content", "(no result)");
    if (!ok) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

static bool fix_user(cJSON *user, const cJSON *assistant)
{
    cJSON *content = content_of(user);
    cJSON *results = cJSON_CreateArray(), *rest = cJSON_CreateArray();
    bool ok = results && rest && sort_user_blocks(content, assistant, results, rest);
    const cJSON *calls = cJSON_GetObjectItemCaseSensitive(assistant, "content");
    const cJSON *b;
    cJSON_ArrayForEach(b, calls)
    {
        const char *id = json_str(b, "id");
        if (ok && is_type(b, "tool_use") && id && !find_result(results, id))
            ok = xlate_push(results, missing_result(id));
    }
    while (results && results->child)
        cJSON_AddItemToArray(content, cJSON_DetachItemViaPointer(results, results->child));
    while (rest && rest->child)
        cJSON_AddItemToArray(content, cJSON_DetachItemViaPointer(rest, rest->child));
    cJSON_Delete(results);
    cJSON_Delete(rest);
    return ok;
}

static bool any_tool_use(const cJSON *assistant)
{
    const cJSON *b;
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(assistant, "content"))
    {
        if (is_type(b, "tool_use"))
            return true;
    }
    return false;
}

/* Pairs each user turn with the assistant turn before it; an assistant turn with tool calls
 * that ends the conversation gets a user turn to hold the answers. */
static bool fix_tools(cJSON *messages)
{
    bool ok = true;
    const cJSON *prev = NULL;
    for (cJSON *m = messages->child; m; m = m->next) {
        bool user = strcmp(role_of(m), "user") == 0;
        if (user)
            ok = fix_user(m, prev) && ok;
        else if (!m->next && any_tool_use(m)) {
            cJSON *u = new_message("user");
            ok = xlate_push(messages, u) && ok;
        }
        prev = user ? NULL : m;
    }
    return ok;
}

static bool fill_empty(cJSON *messages)
{
    bool ok = true;
    for (cJSON *m = messages->child; m; m = m->next)
        if (cJSON_IsArray(content_of(m)) && !content_of(m)->child)
            ok = xlate_push(content_of(m), xlate_text_block(XLATE_PLACEHOLDER)) && ok;
    return ok;
}

bool xlate_anth_fix_messages(cJSON *messages)
{
    if (!cJSON_IsArray(messages))
        return false;
    bool ok = true;
    if (!messages->child || strcmp(role_of(messages->child), "user") != 0) {
        cJSON *u = new_message("user");
        ok = u && cJSON_InsertItemInArray(messages, 0, u);
        if (!ok)
            cJSON_Delete(u);
    }
    merge_same_role(messages);
    ok = clean_ids(messages) && ok;
    ok = fix_tools(messages) && ok;
    return fill_empty(messages) && ok;
}
