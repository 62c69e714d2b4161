/* answer: reads usage and stop facts out of an answer already in the client's dialect. */
#include "front/answer.h"

#include <string.h>

#include "core/json.h"

static long count(const cJSON *o, const char *key)
{
    double v = json_num(o, key, 0);
    return v > 0 && v < 1e12 ? (long)v : 0;
}

static void copy_stop(char *out, size_t cap, const char *s)
{
    size_t n = s ? strnlen(s, cap - 1) : 0;
    if (n)
        memcpy(out, s, n);
    out[n] = '\0';
}

void answer_facts(const cJSON *answer, enum api client, long *tokens_cached, char *stop,
                  size_t stop_cap)
{
    const cJSON *usage = json_obj(answer, "usage");
    *tokens_cached = 0;
    if (stop_cap)
        stop[0] = '\0';
    if (client == API_ANTHROPIC) {
        *tokens_cached = count(usage, "cache_read_input_tokens");
        if (stop_cap)
            copy_stop(stop, stop_cap, json_str(answer, "stop_reason"));
        return;
    }
    *tokens_cached = count(json_obj(usage, "prompt_tokens_details"), "cached_tokens");
    const cJSON *choices = json_arr(answer, "choices");
    const cJSON *first = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
    if (stop_cap)
        copy_stop(stop, stop_cap, json_str(first, "finish_reason"));
}

bool answer_stopped_at_budget(const char *stop)
{
    return stop && (strcmp(stop, "max_tokens") == 0 || strcmp(stop, "length") == 0);
}
