/* json: typed cJSON getters and a few tree helpers. */
#include "core/json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

double json_num(const cJSON *obj, const char *key, double def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : def;
}

bool json_bool(const cJSON *obj, const char *key, bool def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

const cJSON *json_obj(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsObject(v) ? v : NULL;
}

const cJSON *json_arr(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsArray(v) ? v : NULL;
}

char *json_print(const cJSON *v)
{
    return cJSON_PrintUnformatted(v);
}

/* cJSON parses recursively; a hostile document nested thousands deep would exhaust a worker
 * thread's stack before cJSON's own limit stops it. One cheap scan bounds the depth first. */
static bool depth_ok(const char *p, size_t len)
{
    int depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            if (++depth > JSON_MAX_DEPTH)
                return false;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return true;
}

cJSON *json_parse(const char *p, size_t len)
{
    if (!depth_ok(p, len))
        return NULL;
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(p, len, &end, 0);
    if (!v)
        return NULL;
    /* Trailing garbage after the value makes the document invalid. */
    while (end && end < p + len && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
        end++;
    if (end && end < p + len && *end != '\0') {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

static bool dropped(const char *key, const char *const *drop)
{
    for (; drop && *drop; drop++)
        if (strcmp(key, *drop) == 0)
            return true;
    return false;
}

cJSON *json_copy_without(const cJSON *obj, const char *const *drop)
{
    cJSON *out = cJSON_CreateObject();
    if (!out)
        return NULL;
    for (const cJSON *it = obj ? obj->child : NULL; it; it = it->next) {
        if (!it->string || dropped(it->string, drop))
            continue;
        cJSON *c = cJSON_Duplicate(it, 1);
        if (!c || !cJSON_AddItemToObject(out, it->string, c)) {
            cJSON_Delete(c);
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}

bool json_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p;
        size_t k;
        unsigned min;
        /* Request bodies are mostly ASCII: skip it eight bytes at a time. */
        uint64_t w;
        if ((size_t)(end - p) >= 8 && (memcpy(&w, p, 8), (w & 0x8080808080808080ULL) == 0)) {
            p += 8;
            continue;
        }
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        if ((size_t)(end - p) <= k)
            return false;
        for (size_t i = 1; i <= k; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (p[i] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        p += k + 1;
    }
    return true;
}
