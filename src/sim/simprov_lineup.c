/* simprov_lineup: the simulated providers' model lineups and the bodies that depend on them.
 * Each shape follows the real service (sources next to each). No I/O, no state. */
#include "sim/simprov_lineup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "core/json.h"

/* What the simulators know of a model beyond its name, for the public catalogue. */
struct model_facts {
    const char *id;
    const char *owner;
    long created;    /* 0 = not known: a fixed date */
    long context;    /* limits.max_context_length; 0 = not published, left out */
    long completion; /* limits.max_completion_tokens */
};

/* Cerebras' lineup since zai-glm-4.7 was retired on 2026-08-17 (protocol.md §8.1). gpt-oss's
 * figures are the public catalogue's example (inference-docs.cerebras.ai/api-reference/models/
 * public-models); gemma-4-31b's limits are not published where we could read them, so the
 * simulated catalogue leaves them out rather than invent them. */
static const struct model_facts cerebras_models[] = {
    {"gpt-oss-120b", "OpenAI", 1754438400, 131072, 40960},
    {"gemma-4-31b", "Google", 0, 0, 0},
};
/* Z.AI: glm-5.2 is the flagship since June 2026, beside glm-5.1, glm-5 and the GLM-4 models
 * Claude Code setups name (protocol.md §8.1, docs.z.ai devpack). */
static const struct model_facts zai_models[] = {
    {"glm-5.2", "z-ai", 0, 0, 0}, {"glm-5.1", "z-ai", 0, 0, 0}, {"glm-5", "z-ai", 0, 0, 0},
    {"glm-4.7", "z-ai", 0, 0, 0}, {"glm-4.6", "z-ai", 0, 0, 0}, {"glm-4.5-air", "z-ai", 0, 0, 0},
};
#define SOME_DATE 1735689600 /* 2025-01-01, for models whose date is not known */

static const struct model_facts *facts_of(const char *id)
{
    for (size_t i = 0; i < sizeof cerebras_models / sizeof cerebras_models[0]; i++)
        if (strcmp(cerebras_models[i].id, id) == 0)
            return &cerebras_models[i];
    for (size_t i = 0; i < sizeof zai_models / sizeof zai_models[0]; i++)
        if (strcmp(zai_models[i].id, id) == 0)
            return &zai_models[i];
    return NULL;
}

static int add_model(struct simprov_lineup *l, const char *name, size_t len)
{
    while (len > 0 && (*name == ' ' || *name == '\t'))
        name++, len--;
    while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
        len--;
    if (len == 0)
        return 0;
    if (len >= SIMPROV_MODEL_LEN || l->n >= SIMPROV_LINEUP_MAX)
        return -EINVAL;
    memcpy(l->models[l->n], name, len);
    l->models[l->n][len] = '\0';
    l->n++;
    return 0;
}

void simprov_lineup_default(enum api d, struct simprov_lineup *out)
{
    const struct model_facts *m = d == API_OPENAI ? cerebras_models : zai_models;
    size_t n = d == API_OPENAI ? sizeof cerebras_models / sizeof cerebras_models[0]
                               : sizeof zai_models / sizeof zai_models[0];
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++)
        add_model(out, m[i].id, strlen(m[i].id));
}

int simprov_lineup_parse(const char *csv, struct simprov_lineup *out)
{
    memset(out, 0, sizeof *out);
    for (const char *p = csv ? csv : ""; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (add_model(out, p, len) != 0)
            return -EINVAL;
        p += len + (comma ? 1 : 0);
    }
    return 0;
}

int simprov_lineup_from_json(const void *cjson_array, struct simprov_lineup *out)
{
    const cJSON *arr = cjson_array, *v;
    memset(out, 0, sizeof *out);
    if (!cJSON_IsArray(arr))
        return -EINVAL;
    cJSON_ArrayForEach(v, arr)
    {
        if (!cJSON_IsString(v) || add_model(out, v->valuestring, strlen(v->valuestring)) != 0)
            return -EINVAL;
    }
    return 0;
}

bool simprov_lineup_has(const struct simprov_lineup *l, const char *model)
{
    for (int i = 0; model && i < l->n; i++)
        if (strcmp(l->models[i], model) == 0)
            return true;
    return false;
}

/* Cerebras: {"object":"list","data":[{"id","object":"model","created","owned_by"}]}
 * (api-reference/models/list-models). Z.AI's Anthropic endpoint answers like Anthropic's
 * Models API: {"data":[{"type":"model","id","display_name","created_at"}],"has_more",
 * "first_id","last_id"} (docs.anthropic.com api/models-list; the shape Z.AI clients parse). */
char *simprov_lineup_list_body(enum api d, const struct simprov_lineup *l, const char *owner)
{
    cJSON *o = cJSON_CreateObject();
    if (d == API_OPENAI)
        cJSON_AddStringToObject(o, "object", "list");
    cJSON *data = cJSON_AddArrayToObject(o, "data");
    for (int i = 0; i < l->n; i++) {
        const struct model_facts *f = facts_of(l->models[i]);
        long created = f && f->created ? f->created : SOME_DATE;
        cJSON *m = cJSON_CreateObject();
        if (d == API_OPENAI) {
            cJSON_AddStringToObject(m, "id", l->models[i]);
            cJSON_AddStringToObject(m, "object", "model");
            cJSON_AddNumberToObject(m, "created", (double)created);
            cJSON_AddStringToObject(m, "owned_by", f ? f->owner : owner);
        } else {
            char when[32];
            time_t t = (time_t)created;
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
            cJSON_AddStringToObject(m, "type", "model");
            cJSON_AddStringToObject(m, "id", l->models[i]);
            cJSON_AddStringToObject(m, "display_name", l->models[i]);
            cJSON_AddStringToObject(m, "created_at", when);
        }
        cJSON_AddItemToArray(data, m);
    }
    if (d == API_ANTHROPIC) {
        cJSON_AddBoolToObject(o, "has_more", false);
        if (l->n > 0) {
            cJSON_AddStringToObject(o, "first_id", l->models[0]);
            cJSON_AddStringToObject(o, "last_id", l->models[l->n - 1]);
        } else {
            cJSON_AddNullToObject(o, "first_id");
            cJSON_AddNullToObject(o, "last_id");
        }
    }
    char *s = json_print(o);
    cJSON_Delete(o);
    return s;
}

/* GET /public/v1/models: per model, limits.max_context_length and max_completion_tokens
 * (api-reference/models/public-models; no key needed). */
char *simprov_lineup_catalog_body(const struct simprov_lineup *l)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "object", "list");
    cJSON *data = cJSON_AddArrayToObject(o, "data");
    for (int i = 0; i < l->n; i++) {
        const struct model_facts *f = facts_of(l->models[i]);
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "id", l->models[i]);
        cJSON_AddStringToObject(m, "object", "model");
        cJSON_AddNumberToObject(m, "created", (double)(f && f->created ? f->created : SOME_DATE));
        cJSON_AddStringToObject(m, "owned_by", f ? f->owner : "cerebras");
        if (f && f->context > 0) {
            cJSON *lim = cJSON_AddObjectToObject(m, "limits");
            cJSON_AddNumberToObject(lim, "max_context_length", (double)f->context);
            cJSON_AddNumberToObject(lim, "max_completion_tokens", (double)f->completion);
            cJSON_AddNullToObject(lim, "requests_per_minute");
            cJSON_AddNullToObject(lim, "tokens_per_minute");
        }
        cJSON_AddBoolToObject(m, "deprecated", false);
        cJSON_AddItemToArray(data, m);
    }
    char *s = json_print(o);
    cJSON_Delete(o);
    return s;
}

/* Cerebras: 404 {"message":"Model does not exist or you do not have access to it.",
 * "type":"not_found_error","param":"model","code":"model_not_found"}, the body as a client
 * logged it on 2026-07-12 (nminaya/grammar-nazi-bot #933). Z.AI: business code 1211 "Unknown
 * Model, please check the model code." with HTTP 400 (docs.z.ai api-code; protocol.md §5),
 * in the Anthropic endpoint's envelope. */
int simprov_lineup_refusal_status(enum api d)
{
    return d == API_OPENAI ? 404 : 400;
}

char *simprov_lineup_refusal_body(enum api d, const char *model, const char *rid)
{
    (void)model; /* Cerebras stopped naming the model in this message in 2026 */
    cJSON *o = cJSON_CreateObject();
    if (d == API_OPENAI) {
        cJSON_AddStringToObject(o, "message",
                                "Model does not exist or you do not have access to it.");
        cJSON_AddStringToObject(o, "type", "not_found_error");
        cJSON_AddStringToObject(o, "param", "model");
        cJSON_AddStringToObject(o, "code", "model_not_found");
    } else {
        char id[64];
        cJSON_AddStringToObject(o, "type", "error");
        cJSON *err = cJSON_AddObjectToObject(o, "error");
        cJSON_AddStringToObject(err, "type", "1211");
        cJSON_AddStringToObject(err, "message", "Unknown Model, please check the model code.");
        snprintf(id, sizeof id, "req_%.40s", rid ? rid : "");
        cJSON_AddStringToObject(o, "request_id", id);
    }
    char *s = json_print(o);
    cJSON_Delete(o);
    return s;
}
