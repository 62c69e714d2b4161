/* tokest: a local, deliberately pessimistic token count for count_tokens answers and the
 * proactive per-provider token budget. Knows the two request dialects, nothing else.
 *
 * Why over-estimate: Claude Code compacts its context from count_tokens answers, and an
 * under-count makes it compact too late and overflow the upstream window (LiteLLM #37102);
 * Cerebras admits requests against a tokens-per-minute bucket, where a low guess means a 429
 * instead of a local cool-down. An over-count only costs an earlier compaction.
 *
 * The estimate for a text is the largest of three views:
 *  - bytes / 3: English prose runs about 4 bytes per token in BPE tokenisers; GLM's tokenizer
 *    counts JSON and code about 1.4x denser than Claude's (zai-org/zai-coding-plugins#12),
 *    so 3 bytes per token keeps us above both;
 *  - words * 1.4: short words are a whole token each, and long identifiers split;
 *  - letters / 4 + symbols * 0.7 + non-ASCII bytes / 2.5: JSON, code and paths spend a token on
 *    most punctuation runs, and CJK text is about one token per 3-byte character.
 * All three sit at or above 1.2x the common bytes/4 rule. Structure adds a fixed overhead per
 * message, block and tool (role markers, tool-call framing), and an image counts as the
 * largest size Anthropic bills for one (about 1600 tokens). */
#include "core/tokest.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"

#define REQUEST_OVERHEAD 8.0
#define MESSAGE_OVERHEAD 5.0
#define BLOCK_OVERHEAD   3.0
#define TOOL_OVERHEAD    10.0
#define IMAGE_TOKENS     1600.0
/* Nested tool_result content is walked at most this deep. */
#define MAX_DEPTH 4

/* Character counts behind an estimate, fed one byte at a time. */
struct tcount {
    size_t n, words, alnum, symbols, high;
    bool in_word;
};

enum { CH_SYMBOL, CH_SPACE, CH_ALNUM, CH_HIGH };

/* One table for every byte, so the figure is the same in every locale (the dashboard sets the
 * user's): bytes above ASCII are parts of multi-byte characters, never spaces. */
static const unsigned char byte_class[256] = {
    ['\t'] = CH_SPACE,         ['\n'] = CH_SPACE,        ['\v'] = CH_SPACE,
    ['\f'] = CH_SPACE,         ['\r'] = CH_SPACE,        [' '] = CH_SPACE,
    ['0' ... '9'] = CH_ALNUM,  ['A' ... 'Z'] = CH_ALNUM, ['a' ... 'z'] = CH_ALNUM,
    [0x80 ... 0xFF] = CH_HIGH,
};

/* Counts n bytes. The hot loop of every estimate (a Claude Code request carries 50 KB and
 * more of text and schemas), so it keeps every count in a register: a per-class array would
 * chain each byte's increment on the previous store, and stores through k could alias the
 * bytes read. */
static void count_run(struct tcount *k, const unsigned char *p, size_t n)
{
    size_t words = 0, alnum = 0, high = 0, spaces = 0;
    bool in_word = k->in_word;
    for (size_t i = 0; i < n; i++) {
        unsigned cls = byte_class[p[i]];
        bool space = cls == CH_SPACE;
        words += !space & !in_word;
        in_word = !space;
        alnum += cls == CH_ALNUM;
        high += cls == CH_HIGH;
        spaces += space;
    }
    k->in_word = in_word;
    k->words += words;
    k->alnum += alnum;
    k->high += high;
    k->symbols += n - alnum - high - spaces;
    k->n += n;
}

static inline void count_byte(struct tcount *k, unsigned char c)
{
    count_run(k, &c, 1);
}

static void count_str(struct tcount *k, const char *s)
{
    count_run(k, (const unsigned char *)s, strlen(s));
}

static double count_est(const struct tcount *k)
{
    if (k->n == 0)
        return 0;
    double by_bytes = (double)k->n / 3.0;
    double by_words = (double)k->words * 1.4;
    double by_kind = (double)k->alnum / 4.0 + (double)k->symbols * 0.7 + (double)k->high / 2.5;
    double est = by_bytes > by_words ? by_bytes : by_words;
    return est > by_kind ? est : by_kind;
}

static double text_est(const char *s, size_t n)
{
    struct tcount k = {0};
    if (s)
        count_run(&k, (const unsigned char *)s, n);
    return count_est(&k);
}

long tokest_text(const char *s, size_t n)
{
    return (long)ceil(text_est(s, n));
}

static double str_est(const char *s)
{
    return s ? text_est(s, strlen(s)) : 0;
}

/* A JSON string as cJSON prints it: quoted, with its escapes (\" \\ \b \f \n \r \t and
 * \u00XX for the other control characters). */
static void count_json_string(struct tcount *k, const char *s)
{
    count_byte(k, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        static const char esc[] = "\"\\\b\f\n\r\t", letter[] = "\"\\bfnrt";
        const unsigned char *run = p;
        while (*p >= 32 && *p != '"' && *p != '\\')
            p++;
        count_run(k, run, (size_t)(p - run));
        if (!*p)
            break;
        const char *e = memchr(esc, *p, 7);
        if (e) {
            count_byte(k, '\\');
            count_byte(k, (unsigned char)letter[e - esc]);
        } else if (*p < 32) {
            char u[8];
            snprintf(u, sizeof u, "\\u%04x", *p);
            count_str(k, u);
        }
    }
    count_byte(k, '"');
}

/* Counts the characters of v's unformatted serialisation without building it (tool schemas
 * run to tens of kilobytes per request). Scalars other than strings go through cJSON's own
 * printer so the figures match json_print exactly. False where json_print would fail. */
static bool count_json(struct tcount *k, const cJSON *v)
{
    char num[64];
    switch (v->type & 0xFF) {
    case cJSON_String:
        count_json_string(k, v->valuestring);
        return true;
    case cJSON_Raw:
        if (!v->valuestring)
            return false;
        count_str(k, v->valuestring);
        return true;
    case cJSON_Object:
    case cJSON_Array: {
        bool obj = (v->type & 0xFF) == cJSON_Object;
        count_byte(k, obj ? '{' : '[');
        for (const cJSON *c = v->child; c; c = c->next) {
            if (obj) {
                count_json_string(k, c->string);
                count_byte(k, ':');
            }
            if (!count_json(k, c))
                return false;
            if (c->next)
                count_byte(k, ',');
        }
        count_byte(k, obj ? '}' : ']');
        return true;
    }
    default: {
        cJSON scalar = *v; /* a detached copy: cJSON's printer wants a mutable item */
        scalar.next = scalar.prev = scalar.child = NULL;
        if (!cJSON_PrintPreallocated(&scalar, num, (int)sizeof num, false))
            return false;
        count_str(k, num);
        return true;
    }
    }
}

static double json_est(const cJSON *v)
{
    struct tcount k = {0};
    if (!v || !count_json(&k, v))
        return 0;
    return count_est(&k);
}

static bool is(const char *type, const char *want)
{
    return type && strcmp(type, want) == 0;
}

static double anth_content(const cJSON *c, int depth);

/* Base64 payloads (PDFs) are billed per page, not per character; a byte-based guess is
 * still an over-estimate for typical documents. */
static double anth_document(const cJSON *b)
{
    const cJSON *src = json_obj(b, "source");
    const char *data = json_str(src, "data");
    if (is(json_str(src, "type"), "base64"))
        return data ? (double)strlen(data) / 4.0 : IMAGE_TOKENS;
    if (data)
        return str_est(data);
    return anth_content(cJSON_GetObjectItemCaseSensitive(src, "content"), 1) + BLOCK_OVERHEAD;
}

static double anth_block(const cJSON *b, int depth)
{
    const char *type = json_str(b, "type");
    double t = BLOCK_OVERHEAD;
    if (is(type, "text"))
        return t + str_est(json_str(b, "text"));
    if (is(type, "thinking"))
        return t + str_est(json_str(b, "thinking"));
    if (is(type, "redacted_thinking"))
        return t + str_est(json_str(b, "data")) / 2.0;
    if (is(type, "tool_use"))
        return t + TOOL_OVERHEAD + str_est(json_str(b, "name")) +
               json_est(cJSON_GetObjectItemCaseSensitive(b, "input"));
    if (is(type, "tool_result"))
        return t + TOOL_OVERHEAD +
               anth_content(cJSON_GetObjectItemCaseSensitive(b, "content"), depth + 1);
    if (is(type, "tool_reference"))
        return t + str_est(json_str(b, "tool_name"));
    if (is(type, "image"))
        return t + IMAGE_TOKENS;
    if (is(type, "document"))
        return t + anth_document(b);
    return t + json_est(b);
}

static double anth_content(const cJSON *c, int depth)
{
    if (cJSON_IsString(c))
        return str_est(c->valuestring);
    if (!cJSON_IsArray(c) || depth > MAX_DEPTH)
        return json_est(c);
    double t = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, c)
    {
        t += anth_block(b, depth);
    }
    return t;
}

static double oai_content(const cJSON *c)
{
    if (cJSON_IsString(c))
        return str_est(c->valuestring);
    if (!cJSON_IsArray(c))
        return 0;
    double t = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, c)
    {
        const char *type = json_str(p, "type");
        if (is(type, "text"))
            t += BLOCK_OVERHEAD + str_est(json_str(p, "text"));
        else if (is(type, "image_url"))
            t += BLOCK_OVERHEAD + IMAGE_TOKENS;
        else
            t += BLOCK_OVERHEAD + json_est(p);
    }
    return t;
}

static double oai_message(const cJSON *m)
{
    double t = MESSAGE_OVERHEAD + oai_content(cJSON_GetObjectItemCaseSensitive(m, "content"));
    t += str_est(json_str(m, "reasoning_content")) + str_est(json_str(m, "reasoning"));
    t += str_est(json_str(m, "name"));
    const cJSON *tc;
    cJSON_ArrayForEach(tc, json_arr(m, "tool_calls"))
    {
        const cJSON *fn = json_obj(tc, "function");
        t += TOOL_OVERHEAD + str_est(json_str(fn, "name")) + str_est(json_str(fn, "arguments"));
    }
    return t;
}

static double tools_est(const cJSON *req)
{
    double t = 0;
    const cJSON *tool;
    cJSON_ArrayForEach(tool, json_arr(req, "tools"))
    {
        t += TOOL_OVERHEAD + json_est(tool);
    }
    return t;
}

long tokest_request(const cJSON *req, enum api dialect)
{
    if (!cJSON_IsObject(req))
        return 0;
    double t = REQUEST_OVERHEAD + tools_est(req);
    const cJSON *m;
    cJSON_ArrayForEach(m, json_arr(req, "messages"))
    {
        if (dialect == API_OPENAI)
            t += oai_message(m);
        else
            t += MESSAGE_OVERHEAD + anth_content(cJSON_GetObjectItemCaseSensitive(m, "content"), 0);
    }
    if (dialect == API_ANTHROPIC)
        t += anth_content(cJSON_GetObjectItemCaseSensitive(req, "system"), 0);
    return (long)ceil(t);
}
