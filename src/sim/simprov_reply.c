/* simprov_reply: derives a simulated provider's answer from the request alone, so tests can
 * predict it: tool results are acknowledged, "tool" asks for a call, "think" for reasoning,
 * everything else gets a greeting padded with filler words. Knows nothing of HTTP. */
#include "sim/simprov_reply.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/buf.h"
#include "core/json.h"

#define MAX_TOOLS 256
#define TEXT_CAP  (1u << 20)

/* What the request asks for, borrowed from its tree. */
struct ask {
    const char *last_text; /* T: text of the last user message (owned by scratch) */
    const char *result;    /* first tool result of the last user turn, or NULL */
    const char *names[MAX_TOOLS];
    const cJSON *schemas[MAX_TOOLS];
    int ntools;
    bool tool_choice_none;
    int forced_tool; /* tool_choice names one tool (or any/required: the first); -1 none */
    bool wants_reasoning;
    long budget; /* max output tokens */
};

static const char *const filler_words[] = {
    "alpha",  "bravo", "charlie", "delta",  "echo",     "foxtrot", "golf",   "hotel",  "india",
    "juliet", "kilo",  "lima",    "mike",   "november", "oscar",   "papa",   "quebec", "romeo",
    "sierra", "tango", "uniform", "victor", "whiskey",  "xray",    "yankee", "zulu",
};
#define NFILLER ((long)(sizeof(filler_words) / sizeof(filler_words[0])))

size_t simprov_reply_filler(char *dst, size_t cap, long *seq)
{
    size_t len = 0;
    if (cap == 0)
        return 0;
    for (;;) {
        const char *w = filler_words[*seq % NFILLER];
        size_t n = strlen(w) + 1;
        if (len + n >= cap)
            break;
        memcpy(dst + len, w, n - 1);
        dst[len + n - 1] = ' ';
        len += n;
        (*seq)++;
    }
    dst[len] = '\0';
    return len;
}

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return true;
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

/* Length of the longest prefix of s that has at most max bytes and ends on a UTF-8 boundary. */
static size_t utf8_prefix(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* Appends the text of an Anthropic/OpenAI content value (string, or the text of its text
 * blocks) to b. */
static void append_text(struct buf *b, const cJSON *content)
{
    if (cJSON_IsString(content)) {
        buf_puts(b, content->valuestring);
        return;
    }
    const cJSON *part;
    cJSON_ArrayForEach(part, content)
    {
        const char *t = json_str(part, "text");
        const char *type = json_str(part, "type");
        if (t && type && strcmp(type, "text") == 0) {
            if (b->len)
                buf_puts(b, "\n");
            buf_puts(b, t);
        }
    }
}

static void ant_last_user(const cJSON *msgs, struct buf *text, struct buf *result, bool *has)
{
    const cJSON *last = NULL, *m;
    cJSON_ArrayForEach(m, msgs)
    {
        const char *role = json_str(m, "role");
        if (role && strcmp(role, "user") == 0)
            last = m;
    }
    if (!last)
        return;
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(last, "content");
    append_text(text, content);
    const cJSON *blk, *blocks = cJSON_IsArray(content) ? content : NULL;
    cJSON_ArrayForEach(blk, blocks)
    {
        const char *type = json_str(blk, "type");
        if (!*has && type && strcmp(type, "tool_result") == 0) {
            append_text(result, cJSON_GetObjectItemCaseSensitive(blk, "content"));
            *has = true;
        }
    }
}

/* OpenAI tool results are separate role:"tool" messages: the user turn is everything after
 * the last assistant message. */
static void oai_last_user(const cJSON *msgs, struct buf *text, struct buf *result, bool *has)
{
    const cJSON *last_user = NULL, *last_asst = NULL, *m;
    cJSON_ArrayForEach(m, msgs)
    {
        const char *role = json_str(m, "role");
        if (role && strcmp(role, "user") == 0)
            last_user = m;
        if (role && strcmp(role, "assistant") == 0)
            last_asst = m;
    }
    if (last_user)
        append_text(text, cJSON_GetObjectItemCaseSensitive(last_user, "content"));
    for (m = last_asst             ? last_asst->next
             : cJSON_IsArray(msgs) ? msgs->child
                                   : NULL;
         m; m = m->next) {
        const char *role = json_str(m, "role");
        if (role && strcmp(role, "tool") == 0) {
            append_text(result, cJSON_GetObjectItemCaseSensitive(m, "content"));
            *has = true;
            return;
        }
    }
}

static void collect_tools(struct ask *a, enum api d, const cJSON *req)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, json_arr(req, "tools"))
    {
        if (a->ntools >= MAX_TOOLS)
            break;
        const cJSON *fn = d == API_OPENAI ? json_obj(t, "function") : t;
        const char *name = json_str(fn, "name");
        if (!name)
            continue;
        a->names[a->ntools] = name;
        a->schemas[a->ntools] = json_obj(fn, d == API_OPENAI ? "parameters" : "input_schema");
        a->ntools++;
    }
    const cJSON *tc = cJSON_GetObjectItemCaseSensitive(req, "tool_choice");
    const char *tcs = cJSON_IsString(tc) ? tc->valuestring : json_str(tc, "type");
    a->tool_choice_none = tcs && strcmp(tcs, "none") == 0;
    /* A forced choice must be obeyed, as the real providers do: Anthropic {type:"tool",
     * name} or {type:"any"}, OpenAI {type:"function", function:{name}} or "required". */
    a->forced_tool = -1;
    const char *forced = json_str(tc, "name");
    if (!forced)
        forced = json_str(json_obj(tc, "function"), "name");
    bool any = tcs && (strcmp(tcs, "any") == 0 || strcmp(tcs, "required") == 0);
    for (int i = 0; i < a->ntools && a->forced_tool < 0; i++)
        if (any || (forced && strcmp(forced, a->names[i]) == 0))
            a->forced_tool = any ? 0 : i;
}

static bool reasoning_requested(enum api d, const cJSON *req)
{
    if (d == API_ANTHROPIC) {
        const char *type = json_str(json_obj(req, "thinking"), "type");
        return type && strcmp(type, "disabled") != 0;
    }
    const char *effort = json_str(req, "reasoning_effort");
    return effort && strcmp(effort, "none") != 0 && !json_bool(req, "disable_reasoning", false);
}

static long request_budget(enum api d, const cJSON *req)
{
    double v = json_num(req, d == API_OPENAI ? "max_completion_tokens" : "max_tokens", -1);
    if (v < 0 && d == API_OPENAI)
        v = json_num(req, "max_tokens", -1);
    if (v < 0 || v > (double)LONG_MAX / 2)
        return LONG_MAX / 2;
    return (long)v;
}

static long count_words(const char *s)
{
    long n = 0;
    bool in = false;
    for (; s && *s; s++) {
        bool sp = isspace((unsigned char)*s) != 0;
        if (!sp && !in)
            n++;
        in = !sp;
    }
    return n;
}

/* Cuts s in place after its first n words. Returns true if anything was cut. */
static bool keep_words(char *s, long n)
{
    long seen = 0;
    bool in = false;
    for (char *p = s; *p; p++) {
        bool sp = isspace((unsigned char)*p) != 0;
        if (!sp && !in && seen++ == n) {
            while (p > s && isspace((unsigned char)p[-1]))
                p--;
            *p = '\0';
            return true;
        }
        in = !sp;
    }
    return false;
}

static char *greeting(const char *name, const char *t, int reply_tokens)
{
    struct buf b;
    long words = reply_tokens > 0 ? reply_tokens : 40;
    if (contains_ci(t, "long"))
        words *= 10;
    buf_init(&b, TEXT_CAP);
    buf_printf(&b, "Hello from %s mock.", name && *name ? name : "simprov");
    long seq = 0;
    for (long n = count_words(b.data); n < words; n++) {
        if (buf_printf(&b, " %s", filler_words[seq++ % NFILLER]) < 0)
            break;
    }
    char *out = b.data ? strdup(b.data) : NULL;
    buf_release(&b);
    return out;
}

static char *with_prefix(const char *prefix, const char *s, size_t max)
{
    size_t n = utf8_prefix(s ? s : "", max), p = strlen(prefix);
    char *out = malloc(p + n + 1);
    if (!out)
        return NULL;
    memcpy(out, prefix, p);
    memcpy(out + p, s ? s : "", n);
    out[p + n] = '\0';
    return out;
}

/* The tool named in T (longest match, so "Edit" loses to "NotebookEdit"), else the first. */
static int pick_tool(const struct ask *a)
{
    int best = 0;
    size_t best_len = 0;
    for (int i = 0; i < a->ntools; i++) {
        size_t n = strlen(a->names[i]);
        if (n > best_len && contains_ci(a->last_text, a->names[i])) {
            best = i;
            best_len = n;
        }
    }
    return best;
}

/* First token of T that looks like an absolute path, without trailing punctuation. */
static void path_from(const char *t, char *out, size_t cap)
{
    snprintf(out, cap, "/tmp/mock.txt");
    for (const char *p = t; *p; p++) {
        if (*p != '/' || (p > t && !isspace((unsigned char)p[-1])))
            continue;
        size_t n = 0;
        while (p[n] && !isspace((unsigned char)p[n]) && n + 1 < cap)
            n++;
        while (n > 1 && strchr(".,;:)\"'`", p[n - 1]))
            n--;
        memcpy(out, p, n);
        out[n] = '\0';
        return;
    }
}

static bool is_required(const cJSON *schema, const char *key)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, json_arr(schema, "required"))
    {
        if (cJSON_IsString(r) && strcmp(r->valuestring, key) == 0)
            return true;
    }
    return false;
}

static cJSON *arg_value(const char *key, const cJSON *prop, bool required, const char *t)
{
    char path[256];
    const char *type = json_str(prop, "type");
    const cJSON *en = json_arr(prop, "enum");
    if (strcmp(key, "command") == 0)
        return cJSON_CreateString("echo mock-tool-ok");
    if (strcmp(key, "file_path") == 0 || strcmp(key, "path") == 0) {
        path_from(t, path, sizeof(path));
        return cJSON_CreateString(path);
    }
    if (strcmp(key, "description") == 0)
        return cJSON_CreateString("mock call");
    if (!required)
        return NULL;
    if (en && en->child)
        return cJSON_Duplicate(en->child, 1);
    if (!type || strcmp(type, "string") == 0)
        return cJSON_CreateString("mock");
    if (strcmp(type, "integer") == 0 || strcmp(type, "number") == 0)
        return cJSON_CreateNumber(1);
    if (strcmp(type, "boolean") == 0)
        return cJSON_CreateFalse();
    if (strcmp(type, "array") == 0)
        return cJSON_CreateArray();
    return cJSON_CreateObject();
}

static char *build_args(const cJSON *schema, const char *t)
{
    cJSON *args = cJSON_CreateObject();
    const cJSON *prop;
    if (!args)
        return NULL;
    cJSON_ArrayForEach(prop, json_obj(schema, "properties"))
    {
        if (!prop->string)
            continue;
        cJSON *v = arg_value(prop->string, prop, is_required(schema, prop->string), t);
        if (v)
            cJSON_AddItemToObject(args, prop->string, v);
    }
    char *out = json_print(args);
    cJSON_Delete(args);
    return out;
}

static int add_call(struct simprov_reply *r, const struct ask *a, int tool, uint64_t seed)
{
    struct simprov_call *c = &r->calls[r->ncalls];
    snprintf(c->id, sizeof(c->id), "%s%016llx%d", r->dialect == API_OPENAI ? "call_" : "toolu_",
             (unsigned long long)seed, r->ncalls);
    c->name = strdup(a->names[tool]);
    c->args = build_args(a->schemas[tool], a->last_text);
    r->ncalls++;
    if (!c->name || !c->args)
        return -ENOMEM;
    r->completion_tokens += (long)(strlen(c->args) + 3) / 4 + 1;
    return 0;
}

/* "parallel" asks for the first two tools at once; otherwise one call to the tool named. */
static int plan_calls(struct simprov_reply *r, const struct ask *a, uint64_t seed)
{
    if (contains_ci(a->last_text, "parallel") && a->ntools >= 2) {
        int err = add_call(r, a, 0, seed);
        return err ? err : add_call(r, a, 1, seed);
    }
    return add_call(r, a, pick_tool(a), seed);
}

/* Applies the output budget: reasoning first, then text; tool calls need room left over. */
static void apply_budget(struct simprov_reply *r, long budget)
{
    long rw = count_words(r->reasoning);
    if (rw >= budget && (r->text || r->ncalls)) {
        if (r->reasoning && rw > budget)
            keep_words(r->reasoning, budget);
        free(r->text);
        r->text = NULL;
        r->truncated = true;
    } else if (r->text && keep_words(r->text, budget - rw)) {
        r->truncated = true;
    }
    if (r->truncated) {
        for (int i = 0; i < r->ncalls; i++) {
            free(r->calls[i].name);
            free(r->calls[i].args);
        }
        r->ncalls = 0;
    }
    r->completion_tokens = count_words(r->reasoning) + count_words(r->text);
}

static int plan(struct simprov_reply *r, const struct ask *a, const char *name, int reply_tokens,
                uint64_t seed)
{
    if (a->wants_reasoning || contains_ci(a->last_text, "think")) {
        r->reasoning = with_prefix("Thinking about: ", a->last_text, 40);
        if (!r->reasoning)
            return -ENOMEM;
    }
    if (a->result) {
        r->text = with_prefix("Tool result received: ", a->result, 60);
    } else if (a->forced_tool >= 0) {
        int err = add_call(r, a, a->forced_tool, seed);
        if (err)
            return err;
    } else if (a->ntools > 0 && !a->tool_choice_none && contains_ci(a->last_text, "tool")) {
        int err = plan_calls(r, a, seed);
        if (err)
            return err;
    } else {
        r->text = greeting(name, a->last_text, reply_tokens);
    }
    if (!r->text && r->ncalls == 0)
        return -ENOMEM;
    long tool_tokens = r->completion_tokens;
    apply_budget(r, a->budget);
    if (r->ncalls)
        r->completion_tokens += tool_tokens;
    return 0;
}

static void reply_ids(struct simprov_reply *r, const cJSON *req, uint64_t seed, size_t raw_len)
{
    const char *model = json_str(req, "model");
    snprintf(r->id, sizeof(r->id), "%s%016llx", r->dialect == API_OPENAI ? "chatcmpl-" : "msg_",
             (unsigned long long)seed);
    r->model = strdup(model ? model : "mock-model");
    r->stream = json_bool(req, "stream", false);
    r->include_usage = json_bool(json_obj(req, "stream_options"), "include_usage", false);
    r->prompt_tokens = (long)(raw_len / 4);
    r->created = (long)time(NULL);
}

int simprov_reply_build(struct simprov_reply *r, enum api dialect, const cJSON *req,
                        const char *raw, size_t raw_len, const char *name, int reply_tokens)
{
    struct ask a = {.forced_tool = -1};
    struct buf text, result;
    bool has_result = false;
    uint64_t seed = fnv1a(raw ? raw : "", raw ? raw_len : 0);
    memset(r, 0, sizeof(*r));
    r->dialect = dialect;
    buf_init(&text, TEXT_CAP);
    buf_init(&result, TEXT_CAP);
    const cJSON *msgs = json_arr(req, "messages");
    if (dialect == API_ANTHROPIC)
        ant_last_user(msgs, &text, &result, &has_result);
    else
        oai_last_user(msgs, &text, &result, &has_result);
    a.last_text = buf_cstr(&text);
    a.result = has_result ? buf_cstr(&result) : NULL;
    collect_tools(&a, dialect, req);
    a.wants_reasoning = reasoning_requested(dialect, req);
    a.budget = request_budget(dialect, req);
    reply_ids(r, req, seed, raw_len);
    int err = r->model ? plan(r, &a, name, reply_tokens, seed) : -ENOMEM;
    buf_release(&text);
    buf_release(&result);
    if (err)
        simprov_reply_release(r);
    return err;
}

void simprov_reply_release(struct simprov_reply *r)
{
    if (!r)
        return;
    free(r->model);
    free(r->reasoning);
    free(r->text);
    for (int i = 0; i < r->ncalls; i++) {
        free(r->calls[i].name);
        free(r->calls[i].args);
    }
    memset(r, 0, sizeof(*r));
}
