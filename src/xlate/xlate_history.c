/* xlate_history: what a conversation written by one model needs before another model reads it,
 * when a session moves between providers mid-way (Cerebras serves turn 3, Z.AI turn 4): tool
 * ids both dialects accept, reasoning parameters the target model knows, and which thinking
 * came from elsewhere. Every rule comes from the target's provider_rules row. Pure. */
#include "xlate_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

/* ---- tool ids ---- */

static bool anthropic_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* Anthropic wants ^[a-zA-Z0-9_-]+$; OpenAI takes any string. An id that already fits stays as
 * it is; one that does not gets its other bytes replaced and a hash of the original appended,
 * so two ids that differ only in those bytes ("functions.bash:0", "functions.bash:1" would
 * both become "functions_bash_0"-like) stay two ids. The same function runs on both ends of
 * every pair (tool_use and tool_result, tool_calls and tool_call_id), so pairs stay pairs. */
char *xlate_tool_id_clean(const char *id)
{
    if (!id || !*id)
        return NULL;
    size_t n = strlen(id);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++)
        ok = anthropic_id_char(id[i]);
    char *out = malloc(n + 10);
    if (!out)
        return NULL;
    if (ok) {
        memcpy(out, id, n + 1);
        return out;
    }
    uint32_t h = 2166136261u; /* FNV-1a: any stable hash keeps the mapping the same each time */
    for (size_t i = 0; i < n; i++) {
        out[i] = anthropic_id_char(id[i]) ? id[i] : '_';
        h = (h ^ (unsigned char)id[i]) * 16777619u;
    }
    snprintf(out + n, 10, "_%08x", (unsigned)h);
    return out;
}

/* ---- thinking ---- */

bool xlate_thinking_requested(const cJSON *anthropic_req)
{
    const char *type = json_str(json_obj(anthropic_req, "thinking"), "type");
    return type && (strcmp(type, "enabled") == 0 || strcmp(type, "adaptive") == 0);
}

bool xlate_thinking_is_ours(const cJSON *block)
{
    const char *sig = json_str(block, "signature");
    return sig && strcmp(sig, XLATE_THINKING_SIGNATURE) == 0;
}

/* ---- reasoning parameters ---- */

static bool set_str(cJSON *out, const char *key, const char *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(out, key);
    return xlate_add_str(out, key, v);
}

static bool set_bool(cJSON *out, const char *key, bool v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(out, key);
    return xlate_add(out, key, cJSON_CreateBool(v));
}

/* Off: the value that turns reasoning off, else the switch, else the least effort there is;
 * a model that always reasons and has no floor gets nothing (its default). */
static bool reasoning_off(cJSON *out, const struct provider_rules *r)
{
    if (r->reasoning_param && r->reasoning_off)
        return set_str(out, r->reasoning_param, r->reasoning_off);
    if (r->reasoning_switch)
        return set_bool(out, r->reasoning_switch, true);
    if (r->reasoning_param && r->reasoning_floor)
        return set_str(out, r->reasoning_param, r->reasoning_floor);
    return true;
}

bool xlate_reasoning_fields(cJSON *out, const struct provider_rules *r, enum xlate_reason want,
                            const char *effort, bool replays_reasoning)
{
    bool ok = true;
    if (r->reasoning_param)
        cJSON_DeleteItemFromObjectCaseSensitive(out, r->reasoning_param);
    if (want == XLATE_REASON_OFF) {
        ok = reasoning_off(out, r);
    } else if (want == XLATE_REASON_ON) {
        const char *e = provider_reasoning_effort(r, effort);
        if (e && r->reasoning_off && strcmp(e, r->reasoning_off) == 0)
            ok = reasoning_off(out, r);
        else if (e)
            ok = set_str(out, r->reasoning_param, e);
        if (ok && r->reasoning_switch)
            ok = set_bool(out, r->reasoning_switch, false);
    }
    /* Earlier turns' reasoning travels with the request: ask the model to read it, where it
     * would otherwise drop everything before the latest user message. */
    if (ok && replays_reasoning && r->history_keep && want != XLATE_REASON_OFF)
        ok = set_bool(out, r->history_keep, false);
    return ok;
}
