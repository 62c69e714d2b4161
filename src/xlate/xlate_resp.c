/* xlate_resp: a provider's non-streamed answer turned into the client's dialect (OpenAI
 * chat.completion <-> Anthropic message), and same-dialect answers normalised. Pure functions
 * over const trees; the request side lives in xlate_req_*.c. */
#include "xlate/xlate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/buf.h"
#include "core/json.h"

/* prefix + 24 hex digits from the OS generator (a clock mix if it is unavailable). */
static void rand_id(const char *prefix, char *dst, size_t cap)
{
    uint64_t r[2];
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        r[0] = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)dst;
        r[1] = (uint64_t)ts.tv_sec * 0xBF58476D1CE4E5B9ull;
    }
    snprintf(dst, cap, "%s%016llx%08llx", prefix, (unsigned long long)r[0],
             (unsigned long long)(r[1] & 0xffffffffull));
}

/* A tool_use id Anthropic clients accept (xlate_tool_id_clean); a fresh one when id is
 * empty. */
static cJSON *tool_id(const char *id)
{
    char tmp[48];
    if (!id || !*id) {
        rand_id("toolu_", tmp, sizeof tmp);
        return cJSON_CreateString(tmp);
    }
    char *s = xlate_tool_id_clean(id);
    cJSON *v = s ? cJSON_CreateString(s) : NULL;
    free(s);
    return v;
}

static long count(const cJSON *o, const char *key)
{
    double v = json_num(o, key, 0);
    return v > 0 && v < 1e12 ? (long)v : 0;
}

static void set_tokens(long *dst, long v)
{
    if (dst)
        *dst = v;
}

/* Adds under key a new item; false (and item freed) on failure. */
static bool add(cJSON *obj, const char *key, cJSON *item)
{
    if (!item)
        return false;
    if (!cJSON_AddItemToObject(obj, key, item)) {
        cJSON_Delete(item);
        return false;
    }
    return true;
}

static bool push(cJSON *arr, cJSON *item)
{
    if (!item)
        return false;
    if (!cJSON_AddItemToArray(arr, item)) {
        cJSON_Delete(item);
        return false;
    }
    return true;
}

static bool replace(cJSON *obj, const char *key, cJSON *item)
{
    if (!item)
        return false;
    if (!cJSON_GetObjectItemCaseSensitive(obj, key))
        return add(obj, key, item);
    if (!cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item)) {
        cJSON_Delete(item);
        return false;
    }
    return true;
}

/* ---- OpenAI -> Anthropic ---- */

/* {type, <key>: text} for non-empty text (Anthropic rejects empty text blocks on replay). */
static bool text_block(cJSON *content, const char *type, const char *key, const char *text)
{
    if (!text || !*text)
        return true;
    cJSON *b = NULL;
    bool ok = push(content, (b = cJSON_CreateObject())) &&
              add(b, "type", cJSON_CreateString(type)) && add(b, key, cJSON_CreateString(text));
    if (ok && strcmp(type, "thinking") == 0)
        ok = add(b, "signature", cJSON_CreateString(XLATE_THINKING_SIGNATURE));
    return ok; /* on failure the caller drops the whole tree */
}

/* The text of an OpenAI content: a string, or the text parts of an array ("" for null).
 * Caller frees; NULL only on OOM. */
static char *content_text(const cJSON *c)
{
    if (cJSON_IsString(c))
        return strdup(c->valuestring);
    struct buf b;
    buf_init(&b, 0);
    const cJSON *part;
    cJSON_ArrayForEach(part, (cJSON_IsArray(c) ? c : NULL))
    {
        const char *t = json_str(part, "text");
        if (t && buf_puts(&b, t) != 0) {
            buf_release(&b);
            return NULL;
        }
    }
    char *s = strdup(buf_cstr(&b));
    buf_release(&b);
    return s;
}

static cJSON *tool_input(const cJSON *fn)
{
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(fn, "arguments");
    if (cJSON_IsObject(args))
        return cJSON_Duplicate(args, 1);
    cJSON *in =
        cJSON_IsString(args) ? json_parse(args->valuestring, strlen(args->valuestring)) : NULL;
    if (cJSON_IsObject(in))
        return in;
    /* Claude Code needs an object; a broken or missing argument string gets an empty one. */
    cJSON_Delete(in);
    return cJSON_CreateObject();
}

static bool tool_blocks(cJSON *content, const cJSON *calls, int *n)
{
    const cJSON *tc;
    cJSON_ArrayForEach(tc, calls)
    {
        const cJSON *fn = json_obj(tc, "function");
        if (!fn)
            continue;
        const char *name = json_str(fn, "name");
        cJSON *b = NULL;
        bool ok = push(content, (b = cJSON_CreateObject())) &&
                  add(b, "type", cJSON_CreateString("tool_use")) &&
                  add(b, "id", tool_id(json_str(tc, "id"))) &&
                  add(b, "name", cJSON_CreateString(name ? name : "")) &&
                  add(b, "input", tool_input(fn));
        if (!ok)
            return false;
        (*n)++;
    }
    return true;
}

static const char *anthropic_stop(const char *fr, bool tools, bool refusal)
{
    if (tools)
        return "tool_use";
    if (fr && strcmp(fr, "length") == 0)
        return "max_tokens";
    if (refusal || (fr && (strcmp(fr, "content_filter") == 0 || strcmp(fr, "sensitive") == 0)))
        return "refusal";
    return "end_turn";
}

static cJSON *anthropic_usage(const cJSON *u, long *tokens_in, long *tokens_out)
{
    long prompt = count(u, "prompt_tokens"), out = count(u, "completion_tokens");
    long cached = count(json_obj(u, "prompt_tokens_details"), "cached_tokens");
    if (cached > prompt)
        cached = prompt;
    set_tokens(tokens_in, prompt);
    set_tokens(tokens_out, out);
    cJSON *j = cJSON_CreateObject();
    if (!j || !add(j, "input_tokens", cJSON_CreateNumber((double)(prompt - cached))) ||
        !add(j, "cache_creation_input_tokens", cJSON_CreateNumber(0)) ||
        !add(j, "cache_read_input_tokens", cJSON_CreateNumber((double)cached)) ||
        !add(j, "output_tokens", cJSON_CreateNumber((double)out))) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static bool o2a_content(cJSON *content, const cJSON *msg, int *ntools, bool *refusal)
{
    const char *r = json_str(msg, "reasoning_content");
    if (!r || !*r)
        r = json_str(msg, "reasoning");
    if (!text_block(content, "thinking", "thinking", r))
        return false;
    char *text = content_text(cJSON_GetObjectItemCaseSensitive(msg, "content"));
    bool ok = text && text_block(content, "text", "text", text);
    free(text);
    const char *refused = json_str(msg, "refusal");
    *refusal = refused && *refused;
    if (ok && *refusal)
        ok = text_block(content, "text", "text", refused);
    return ok && tool_blocks(content, json_arr(msg, "tool_calls"), ntools);
}

cJSON *xlate_resp_o2a(const cJSON *openai_resp, const char *model, long *tokens_in,
                      long *tokens_out)
{
    const cJSON *choice = cJSON_GetArrayItem(json_arr(openai_resp, "choices"), 0);
    const cJSON *msg = json_obj(choice, "message");
    const char *fr = json_str(choice, "finish_reason");
    if (!msg || (fr && strcmp(fr, "network_error") == 0))
        return NULL; /* Z.AI's network_error is a failed generation, not an answer */
    char id[48];
    rand_id("msg_", id, sizeof id);
    cJSON *out = cJSON_CreateObject();
    cJSON *content = NULL;
    int ntools = 0;
    bool refusal = false;
    bool ok = out && add(out, "id", cJSON_CreateString(id)) &&
              add(out, "type", cJSON_CreateString("message")) &&
              add(out, "role", cJSON_CreateString("assistant")) &&
              add(out, "model", cJSON_CreateString(model ? model : "")) &&
              add(out, "content", (content = cJSON_CreateArray())) &&
              o2a_content(content, msg, &ntools, &refusal);
    ok = ok &&
         add(out, "stop_reason", cJSON_CreateString(anthropic_stop(fr, ntools > 0, refusal))) &&
         add(out, "stop_sequence", cJSON_CreateNull()) &&
         add(out, "usage", anthropic_usage(json_obj(openai_resp, "usage"), tokens_in, tokens_out));
    if (!ok) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

/* ---- Anthropic -> OpenAI ---- */

static const char *openai_finish(const char *stop, bool tools)
{
    if (tools || (stop && strcmp(stop, "tool_use") == 0))
        return "tool_calls";
    if (stop &&
        (strcmp(stop, "max_tokens") == 0 || strcmp(stop, "model_context_window_exceeded") == 0))
        return "length";
    if (stop && strcmp(stop, "refusal") == 0)
        return "content_filter";
    return "stop";
}

static cJSON *tool_call(const cJSON *block)
{
    const char *id = json_str(block, "id");
    const char *name = json_str(block, "name");
    const cJSON *input = json_obj(block, "input");
    char *args = input ? json_print(input) : strdup("{}");
    cJSON *tc = cJSON_CreateObject();
    cJSON *fn = NULL;
    bool ok = args && tc && add(tc, "id", cJSON_CreateString(id ? id : "")) &&
              add(tc, "type", cJSON_CreateString("function")) &&
              add(tc, "function", (fn = cJSON_CreateObject())) &&
              add(fn, "name", cJSON_CreateString(name ? name : "")) &&
              add(fn, "arguments", cJSON_CreateString(args));
    free(args);
    if (!ok) {
        cJSON_Delete(tc);
        return NULL;
    }
    return tc;
}

/* Collects text, thinking and tool calls of Anthropic content into an OpenAI message. */
static bool a2o_message(cJSON *msg, const cJSON *content, int *ntools)
{
    struct buf text, think;
    buf_init(&text, 0);
    buf_init(&think, 0);
    cJSON *calls = cJSON_CreateArray();
    bool ok = calls != NULL;
    const cJSON *b;
    cJSON_ArrayForEach(b, content)
    {
        const char *type = json_str(b, "type");
        if (!ok || !type)
            continue;
        if (strcmp(type, "text") == 0 && json_str(b, "text"))
            ok = buf_puts(&text, json_str(b, "text")) == 0;
        else if (strcmp(type, "thinking") == 0 && json_str(b, "thinking"))
            ok = buf_puts(&think, json_str(b, "thinking")) == 0;
        else if (strcmp(type, "tool_use") == 0)
            ok = push(calls, tool_call(b));
    }
    *ntools = cJSON_GetArraySize(calls);
    ok = ok && add(msg, "role", cJSON_CreateString("assistant")) &&
         add(msg, "content", text.len ? cJSON_CreateString(text.data) : cJSON_CreateNull());
    if (ok && think.len)
        ok = add(msg, "reasoning_content", cJSON_CreateString(think.data));
    if (ok && *ntools) {
        ok = add(msg, "tool_calls", calls);
        calls = NULL;
    }
    cJSON_Delete(calls);
    buf_release(&text);
    buf_release(&think);
    return ok;
}

static cJSON *openai_usage(const cJSON *u, long *tokens_in, long *tokens_out)
{
    long cr = count(u, "cache_read_input_tokens");
    long in = count(u, "input_tokens") + cr + count(u, "cache_creation_input_tokens");
    long out = count(u, "output_tokens");
    set_tokens(tokens_in, in);
    set_tokens(tokens_out, out);
    cJSON *j = cJSON_CreateObject();
    bool ok = j && add(j, "prompt_tokens", cJSON_CreateNumber((double)in)) &&
              add(j, "completion_tokens", cJSON_CreateNumber((double)out)) &&
              add(j, "total_tokens", cJSON_CreateNumber((double)(in + out)));
    cJSON *d = NULL;
    if (ok && cr > 0)
        ok = add(j, "prompt_tokens_details", (d = cJSON_CreateObject())) &&
             add(d, "cached_tokens", cJSON_CreateNumber((double)cr));
    if (!ok) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static cJSON *a2o_choices(const cJSON *resp, int *ntools)
{
    cJSON *choices = cJSON_CreateArray();
    cJSON *choice = NULL, *msg = NULL;
    bool ok = choices && push(choices, (choice = cJSON_CreateObject())) &&
              add(choice, "index", cJSON_CreateNumber(0)) &&
              add(choice, "message", (msg = cJSON_CreateObject())) &&
              a2o_message(msg, json_arr(resp, "content"), ntools) &&
              add(choice, "finish_reason",
                  cJSON_CreateString(openai_finish(json_str(resp, "stop_reason"), *ntools > 0)));
    if (!ok) {
        cJSON_Delete(choices);
        return NULL;
    }
    return choices;
}

cJSON *xlate_resp_a2o(const cJSON *anthropic_resp, const char *model, long *tokens_in,
                      long *tokens_out)
{
    const char *type = json_str(anthropic_resp, "type");
    if (!json_arr(anthropic_resp, "content") || (type && strcmp(type, "message") != 0))
        return NULL;
    char id[48];
    rand_id("chatcmpl-", id, sizeof id);
    int ntools = 0;
    cJSON *out = cJSON_CreateObject();
    bool ok =
        out && add(out, "id", cJSON_CreateString(id)) &&
        add(out, "object", cJSON_CreateString("chat.completion")) &&
        add(out, "created", cJSON_CreateNumber((double)time(NULL))) &&
        add(out, "model", cJSON_CreateString(model ? model : "")) &&
        add(out, "choices", a2o_choices(anthropic_resp, &ntools)) &&
        add(out, "usage", openai_usage(json_obj(anthropic_resp, "usage"), tokens_in, tokens_out));
    if (!ok) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

void xlate_restore_tool_names(cJSON *anthropic_resp, const cJSON *client_tools)
{
    cJSON *content = cJSON_GetObjectItemCaseSensitive(anthropic_resp, "content");
    if (!cJSON_IsArray(content))
        return;
    cJSON *b;
    cJSON_ArrayForEach(b, content)
    {
        const char *name = json_str(b, "name");
        const char *full = xlate_tool_name_long(client_tools, name);
        if (full != name)
            replace(b, "name", cJSON_CreateString(full)); /* on OOM the short name stays */
    }
}

static bool is_json_tool_call(const cJSON *b)
{
    const char *type = json_str(b, "type"), *name = json_str(b, "name");
    return type && name && strcmp(type, "tool_use") == 0 && strcmp(name, XLATE_JSON_TOOL) == 0;
}

/* The call's input as a text block; NULL on OOM. */
static cJSON *json_text_block(const cJSON *call)
{
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(call, "input");
    char *text = input ? cJSON_PrintUnformatted(input) : NULL;
    cJSON *tb = cJSON_CreateObject();
    bool ok = (text || !input) && tb && add(tb, "type", cJSON_CreateString("text")) &&
              add(tb, "text", cJSON_CreateString(text ? text : "{}"));
    free(text);
    if (!ok) {
        cJSON_Delete(tb);
        return NULL;
    }
    return tb;
}

cJSON *xlate_resp_unwrap_json_tool(const cJSON *anthropic_resp)
{
    cJSON *out = cJSON_Duplicate(anthropic_resp, 1);
    cJSON *content = out ? cJSON_GetObjectItemCaseSensitive(out, "content") : NULL;
    if (!cJSON_IsArray(content))
        content = NULL;
    bool called = false, other_calls = false;
    const cJSON *b;
    cJSON_ArrayForEach(b, content)
    {
        const char *type = json_str(b, "type");
        called = called || is_json_tool_call(b);
        other_calls =
            other_calls || (type && strcmp(type, "tool_use") == 0 && !is_json_tool_call(b));
    }
    /* When the tool was called its input is the whole answer: the client asked for JSON alone,
     * so text the model wrote around the call (possible when the tool was only offered)
     * goes. */
    for (cJSON *k = called ? content->child : NULL, *next; k; k = next) {
        next = k->next;
        const char *type = json_str(k, "type");
        if (type && strcmp(type, "text") == 0) {
            cJSON_Delete(cJSON_DetachItemViaPointer(content, k));
        } else if (is_json_tool_call(k)) {
            cJSON *tb = json_text_block(k);
            if (!tb || !cJSON_ReplaceItemViaPointer(content, k, tb)) {
                cJSON_Delete(tb);
                cJSON_Delete(out);
                return NULL;
            }
        }
    }
    const char *stop = json_str(out, "stop_reason");
    if (called && !other_calls && stop && strcmp(stop, "tool_use") == 0 &&
        !replace(out, "stop_reason", cJSON_CreateString("end_turn"))) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

/* ---- same dialect ---- */

static bool o2o_choice(cJSON *choice)
{
    const char *fr = json_str(choice, "finish_reason");
    if (!fr)
        return true;
    const char *norm = fr;
    if (strcmp(fr, "sensitive") == 0)
        norm = "content_filter";
    else if (strcmp(fr, "stop") == 0 &&
             cJSON_GetArraySize(json_arr(json_obj(choice, "message"), "tool_calls")) > 0)
        norm = "tool_calls"; /* GLM says stop after tool calls; OpenAI agents key on this */
    return norm == fr || replace(choice, "finish_reason", cJSON_CreateString(norm));
}

cJSON *xlate_resp_o2o(const cJSON *openai_resp, const char *model, long *tokens_in,
                      long *tokens_out)
{
    const cJSON *choices = json_arr(openai_resp, "choices");
    const cJSON *first = cJSON_GetArrayItem(choices, 0);
    const char *fr = json_str(first, "finish_reason");
    if (!json_obj(first, "message") || (fr && strcmp(fr, "network_error") == 0))
        return NULL;
    cJSON *out = cJSON_Duplicate(openai_resp, 1);
    bool ok = out && replace(out, "model", cJSON_CreateString(model ? model : ""));
    cJSON *c;
    cJSON_ArrayForEach(c, (ok ? cJSON_GetObjectItemCaseSensitive(out, "choices") : NULL))
    {
        ok = ok && o2o_choice(c);
    }
    if (!ok) {
        cJSON_Delete(out);
        return NULL;
    }
    const cJSON *u = json_obj(openai_resp, "usage");
    set_tokens(tokens_in, count(u, "prompt_tokens"));
    set_tokens(tokens_out, count(u, "completion_tokens"));
    return out;
}

/* Normalises one Anthropic content block in place; false when it should be dropped. */
static bool a2a_block(cJSON *b, bool *ok)
{
    const char *type = json_str(b, "type");
    if (!type)
        return false;
    if (strcmp(type, "text") == 0) {
        const char *t = json_str(b, "text");
        return t && *t; /* an empty text block would be rejected when Claude Code replays it */
    }
    if (strcmp(type, "thinking") == 0 && !json_str(b, "signature"))
        *ok = *ok && replace(b, "signature", cJSON_CreateString(""));
    if (strcmp(type, "tool_use") == 0) {
        *ok = *ok && replace(b, "id", tool_id(json_str(b, "id")));
        if (!json_obj(b, "input"))
            *ok = *ok && replace(b, "input", cJSON_CreateObject());
    }
    return true;
}

static bool a2a_content(cJSON *content, bool *tools)
{
    bool ok = true;
    cJSON *b = content->child;
    while (b) {
        cJSON *next = b->next;
        if (!a2a_block(b, &ok))
            cJSON_Delete(cJSON_DetachItemViaPointer(content, b));
        else if (strcmp(json_str(b, "type"), "tool_use") == 0)
            *tools = true;
        b = next;
    }
    return ok;
}

cJSON *xlate_resp_a2a(const cJSON *anthropic_resp, const char *model, long *tokens_in,
                      long *tokens_out)
{
    const char *type = json_str(anthropic_resp, "type");
    if (!json_arr(anthropic_resp, "content") || (type && strcmp(type, "message") != 0))
        return NULL;
    cJSON *out = cJSON_Duplicate(anthropic_resp, 1);
    bool tools = false;
    bool ok = out && replace(out, "model", cJSON_CreateString(model ? model : "")) &&
              a2a_content(cJSON_GetObjectItemCaseSensitive(out, "content"), &tools);
    const char *stop = json_str(out, "stop_reason");
    if (ok && tools && (!stop || strcmp(stop, "end_turn") == 0))
        ok = replace(out, "stop_reason", cJSON_CreateString("tool_use"));
    if (ok && !cJSON_HasObjectItem(out, "stop_sequence"))
        ok = add(out, "stop_sequence", cJSON_CreateNull());
    if (!ok) {
        cJSON_Delete(out);
        return NULL;
    }
    const cJSON *u = json_obj(anthropic_resp, "usage");
    set_tokens(tokens_in, count(u, "input_tokens") + count(u, "cache_read_input_tokens") +
                              count(u, "cache_creation_input_tokens"));
    set_tokens(tokens_out, count(u, "output_tokens"));
    return out;
}
