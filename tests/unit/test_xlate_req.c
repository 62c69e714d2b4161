/* Unit tests for request translation and validation (xlate_req_*, xlate_validate_*): golden
 * cases per mapping rule, every recorded Claude Code request through strict Cerebras and
 * Z.AI validators, a round trip, and a seeded mutation run for crash safety. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cJSON.h>

#include "xlate/xlate.h"

#ifndef FIXTURES_DIR
#error "compile with -DFIXTURES_DIR=\"<repo>/tests/fixtures\""
#endif

#define WHY_LEN 256

typedef cJSON *xlate_fn(const cJSON *, const struct xlate_opts *, char *);

/* A Cerebras model without a row of its own: the provider's "" row (the model rows have tests
 * of their own below). */
static const struct xlate_opts cerebras = {PROVIDER_CEREBRAS, "new-cerebras-model", 0, true};
static const struct xlate_opts generic = {PROVIDER_GENERIC_OPENAI, "gpt-x", 0, true};
static const struct xlate_opts zai = {PROVIDER_ZAI, "glm-4.6", 0, true};
static const struct xlate_opts anthropic = {PROVIDER_ANTHROPIC, "claude-x", 0, true};

/* ---- helpers ----------------------------------------------------------------------------- */

/* Test JSON is written with single quotes for readability; they become double quotes here
 * (no test text contains an apostrophe). */
static cJSON *parse(const char *s)
{
    char *t = strdup(s);
    assert_non_null(t);
    for (char *p = t; *p; p++)
        if (*p == '\'')
            *p = '"';
    cJSON *v = cJSON_Parse(t);
    free(t);
    if (!v)
        fail_msg("test JSON does not parse: %s", s);
    return v;
}

static void expect_json(const cJSON *got, const char *want_text)
{
    cJSON *want = parse(want_text);
    bool same = cJSON_Compare(got, want, true);
    if (!same) {
        char *g = cJSON_PrintUnformatted(got);
        print_error("got:  %s\nwant: %s\n", g ? g : "(null)", want_text);
        free(g);
    }
    cJSON_Delete(want);
    assert_true(same);
}

static cJSON *run(xlate_fn *fn, const char *in, const struct xlate_opts *o)
{
    cJSON *req = parse(in);
    char err[XLATE_ERR_LEN] = "";
    cJSON *out = fn(req, o, err);
    cJSON_Delete(req);
    if (!out)
        fail_msg("translation failed: %s", err);
    return out;
}

static void expect_xlate(xlate_fn *fn, const struct xlate_opts *o, const char *in, const char *want)
{
    cJSON *out = run(fn, in, o);
    expect_json(out, want);
    cJSON_Delete(out);
}

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = get(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static bool in_list(const char *k, const char *const *list)
{
    for (; k && *list; list++)
        if (strcmp(k, *list) == 0)
            return true;
    return false;
}

static const char *bad_key(const cJSON *obj, const char *const *allowed)
{
    for (const cJSON *it = obj ? obj->child : NULL; it; it = it->next)
        if (!in_list(it->string, allowed))
            return it->string ? it->string : "?";
    return NULL;
}

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r')
            return false;
    return true;
}

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            snprintf(why, WHY_LEN, __VA_ARGS__);                                                   \
            return false;                                                                          \
        }                                                                                          \
    } while (0)

/* ---- strict Cerebras validator ----------------------------------------------------------- */

static const char *const cb_top[] = {
    "model",      "messages",    "stream",          "stream_options", "max_completion_tokens",
    "max_tokens", "temperature", "top_p",           "stop",           "seed",
    "tools",      "tool_choice", "response_format", "user",           "reasoning_effort",
    NULL};
static const char *const cb_msg[] = {"role",         "content",   "name", "tool_calls",
                                     "tool_call_id", "reasoning", NULL};

static bool cb_call(const cJSON *tc, char *why)
{
    static const char *const keys[] = {"id", "type", "function", NULL};
    static const char *const fkeys[] = {"name", "arguments", NULL};
    CHECK(cJSON_IsObject(tc) && !bad_key(tc, keys), "tool_call shape");
    CHECK(str(tc, "id") && str(tc, "id")[0] && eq(str(tc, "type"), "function"), "tool_call id");
    const cJSON *fn = get(tc, "function");
    CHECK(cJSON_IsObject(fn) && !bad_key(fn, fkeys), "tool_call.function shape");
    CHECK(str(fn, "name") && str(fn, "name")[0], "tool_call name");
    CHECK(str(fn, "arguments"), "tool_call arguments not a string");
    cJSON *args = cJSON_Parse(str(fn, "arguments"));
    bool obj = cJSON_IsObject(args);
    cJSON_Delete(args);
    CHECK(obj, "tool_call arguments not a JSON object");
    return true;
}

static bool cb_parts(const cJSON *content, char *why)
{
    static const char *const tkeys[] = {"type", "text", NULL};
    static const char *const ikeys[] = {"type", "image_url", NULL};
    CHECK(cJSON_GetArraySize(content) > 0, "empty content array");
    const cJSON *p;
    cJSON_ArrayForEach(p, content)
    {
        const char *type = str(p, "type");
        if (eq(type, "text")) {
            CHECK(!bad_key(p, tkeys) && str(p, "text") && str(p, "text")[0], "empty text part");
        } else {
            CHECK(eq(type, "image_url") && !bad_key(p, ikeys), "unknown part");
            const char *url = str(get(p, "image_url"), "url");
            CHECK(url && url[0], "image part without url");
        }
    }
    return true;
}

static bool cb_message(const cJSON *m, int i, char *why)
{
    static const char *const roles[] = {"system", "user", "assistant", "tool", NULL};
    CHECK(cJSON_IsObject(m), "message %d not an object", i);
    CHECK(!bad_key(m, cb_msg), "message %d: key %s", i, bad_key(m, cb_msg));
    const char *role = str(m, "role");
    CHECK(in_list(role, roles), "message %d: role", i);
    CHECK(!eq(role, "system") || i == 0, "system message at %d", i);
    const cJSON *c = get(m, "content");
    CHECK(cJSON_IsString(c) || cJSON_IsArray(c), "message %d: content type", i);
    if (cJSON_IsArray(c) && !cb_parts(c, why))
        return false;
    CHECK(!get(m, "reasoning") || str(m, "reasoning"), "message %d: reasoning", i);
    CHECK(!eq(role, "tool") || (str(m, "tool_call_id") && cJSON_IsString(c)), "tool msg %d", i);
    const cJSON *calls = get(m, "tool_calls");
    CHECK(!calls || (eq(role, "assistant") && cJSON_GetArraySize(calls) > 0), "tool_calls %d", i);
    CHECK(!eq(role, "assistant") || cJSON_IsString(c), "assistant %d content not a string", i);
    CHECK(!eq(role, "assistant") || calls || str(m, "content")[0], "empty assistant %d", i);
    const cJSON *tc;
    cJSON_ArrayForEach(tc, calls)
    {
        if (!cb_call(tc, why))
            return false;
    }
    return true;
}

static bool all_answered(const cJSON *calls, const cJSON *answered, char *why)
{
    const cJSON *tc;
    cJSON_ArrayForEach(tc, calls)
    {
        bool found = false;
        const cJSON *a;
        cJSON_ArrayForEach(a, answered)
        {
            found = found || eq(a->valuestring, str(tc, "id"));
        }
        CHECK(found, "tool call %s not answered", str(tc, "id"));
    }
    return true;
}

static bool has_call(const cJSON *calls, const char *id)
{
    const cJSON *tc;
    cJSON_ArrayForEach(tc, calls)
    {
        if (eq(str(tc, "id"), id))
            return true;
    }
    return false;
}

/* Tool messages directly follow their assistant message; each call answered exactly once. */
static bool cb_tool_order(const cJSON *msgs, char *why)
{
    const cJSON *open = NULL;
    cJSON *answered = cJSON_CreateArray();
    bool ok = true;
    const cJSON *m;
    cJSON_ArrayForEach(m, msgs)
    {
        const char *role = str(m, "role");
        const char *id = str(m, "tool_call_id");
        if (eq(role, "tool")) {
            bool dup = false;
            const cJSON *a;
            cJSON_ArrayForEach(a, answered) dup = dup || eq(a->valuestring, id);
            ok = open && has_call(open, id) && !dup;
            if (!ok)
                snprintf(why, WHY_LEN, "tool message %s misplaced or duplicated", id);
            cJSON_AddItemToArray(answered, cJSON_CreateString(id));
        } else {
            ok = !open || all_answered(open, answered, why);
            open = eq(role, "assistant") ? get(m, "tool_calls") : NULL;
            cJSON_Delete(answered);
            answered = cJSON_CreateArray();
        }
        if (!ok)
            break;
    }
    ok = ok && (!open || all_answered(open, answered, why));
    cJSON_Delete(answered);
    return ok;
}

static bool cb_tools(const cJSON *req, char *why)
{
    static const char *const keys[] = {"type", "function", NULL};
    static const char *const fkeys[] = {"name", "description", "parameters", "strict", NULL};
    const cJSON *t;
    cJSON_ArrayForEach(t, get(req, "tools"))
    {
        const cJSON *fn = get(t, "function");
        CHECK(!bad_key(t, keys) && eq(str(t, "type"), "function"), "tool shape");
        CHECK(cJSON_IsObject(fn) && !bad_key(fn, fkeys), "tool function key %s",
              bad_key(fn, fkeys));
        CHECK(str(fn, "name") && str(fn, "name")[0], "tool name");
        const cJSON *p = get(fn, "parameters");
        CHECK(cJSON_IsObject(p) && !get(p, "$schema"), "tool %s parameters", str(fn, "name"));
    }
    const cJSON *tc = get(req, "tool_choice");
    CHECK(!tc || cJSON_IsString(tc) || str(get(tc, "function"), "name"), "tool_choice");
    CHECK(!tc || get(req, "tools"), "tool_choice without tools");
    return true;
}

static bool cerebras_ok(const cJSON *req, char *why)
{
    CHECK(cJSON_IsObject(req), "not an object");
    CHECK(!bad_key(req, cb_top), "top-level key %s", bad_key(req, cb_top));
    CHECK(str(req, "model"), "model");
    const cJSON *msgs = get(req, "messages");
    CHECK(cJSON_IsArray(msgs), "messages");
    int i = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, msgs)
    {
        if (!cb_message(m, i++, why))
            return false;
    }
    const cJSON *mct = get(req, "max_completion_tokens");
    CHECK(!mct || (cJSON_IsNumber(mct) && mct->valuedouble >= 1), "max_completion_tokens");
    CHECK(cJSON_IsBool(get(req, "stream")), "stream");
    CHECK(!get(req, "stream_options") || cJSON_IsTrue(get(req, "stream")), "stream_options");
    return cb_tool_order(msgs, why) && cb_tools(req, why);
}

/* ---- strict Z.AI (Anthropic endpoint) validator -------------------------------------------- */

static const char *const zai_top[] = {
    "model",       "messages", "system", "max_tokens", "metadata",    "stop_sequences", "stream",
    "temperature", "top_p",    "top_k",  "tools",      "tool_choice", "thinking",       NULL};

static bool has_ttl(const cJSON *n, int depth)
{
    if (depth > 100 || !n)
        return false;
    if (cJSON_IsObject(n) && get(get(n, "cache_control"), "ttl"))
        return true;
    for (const cJSON *c = n->child; c; c = c->next)
        if (has_ttl(c, depth + 1))
            return true;
    return false;
}

static bool valid_id(const char *id)
{
    if (!id || !id[0])
        return false;
    for (; *id; id++)
        if (!((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z') ||
              (*id >= '0' && *id <= '9') || *id == '_' || *id == '-'))
            return false;
    return true;
}

static bool zai_result(const cJSON *b, char *why)
{
    static const char *const keys[] = {"type",     "tool_use_id",   "content",
                                       "is_error", "cache_control", NULL};
    CHECK(!bad_key(b, keys) && valid_id(str(b, "tool_use_id")), "tool_result shape");
    const cJSON *c = get(b, "content");
    CHECK(!c || (cJSON_IsString(c) && !blank(c->valuestring)) || cJSON_GetArraySize(c) > 0,
          "tool_result content empty");
    const cJSON *list = cJSON_IsArray(c) ? c : NULL;
    const cJSON *x;
    cJSON_ArrayForEach(x, list)
    {
        const char *type = str(x, "type");
        CHECK(eq(type, "text") || eq(type, "image") || eq(type, "document"), "result block %s",
              type ? type : "?");
        CHECK(!eq(type, "text") || !blank(str(x, "text")), "empty text in tool_result");
    }
    return true;
}

static bool zai_block(const cJSON *b, bool assistant, char *why)
{
    static const char *const tkeys[] = {"type", "text", "cache_control", NULL};
    static const char *const ukeys[] = {"type", "id", "name", "input", "cache_control", NULL};
    const char *type = str(b, "type");
    if (eq(type, "text")) {
        CHECK(!bad_key(b, tkeys) && str(b, "text") && !blank(str(b, "text")), "empty text block");
    } else if (eq(type, "tool_use")) {
        CHECK(assistant && !bad_key(b, ukeys), "tool_use shape/role");
        CHECK(valid_id(str(b, "id")) && str(b, "name") && cJSON_IsObject(get(b, "input")),
              "tool_use fields");
    } else if (eq(type, "tool_result")) {
        CHECK(!assistant, "tool_result in assistant turn");
        return zai_result(b, why);
    } else if (eq(type, "thinking")) {
        CHECK(assistant && str(b, "signature") && str(b, "signature")[0], "unsigned thinking");
    } else {
        CHECK(!assistant && (eq(type, "image") || eq(type, "document")), "block type %s",
              type ? type : "?");
    }
    return true;
}

/* The next user turn opens with exactly one tool_result per tool_use of this turn. */
static bool zai_answers(const cJSON *assistant, const cJSON *user, char *why)
{
    int calls = 0, results = 0;
    bool in_results = true;
    const cJSON *b, *u;
    cJSON_ArrayForEach(b, get(assistant, "content")) calls += eq(str(b, "type"), "tool_use");
    cJSON_ArrayForEach(u, get(user, "content"))
    {
        bool is_result = eq(str(u, "type"), "tool_result");
        CHECK(!is_result || in_results, "tool_result after other blocks");
        in_results = is_result;
        if (!is_result)
            continue;
        int n = 0;
        cJSON_ArrayForEach(b, get(assistant, "content")) n +=
            eq(str(b, "id"), str(u, "tool_use_id"));
        CHECK(n == 1, "tool_result %s has no tool_use", str(u, "tool_use_id"));
        results++;
    }
    CHECK(calls == results, "%d tool_use but %d tool_result", calls, results);
    return true;
}

static bool zai_messages(const cJSON *msgs, char *why)
{
    CHECK(cJSON_GetArraySize(msgs) > 0, "no messages");
    int i = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, msgs)
    {
        const char *role = str(m, "role");
        bool assistant = eq(role, "assistant");
        CHECK(eq(role, i % 2 ? "assistant" : "user"), "message %d: role %s", i, role ? role : "?");
        const cJSON *c = get(m, "content");
        CHECK(cJSON_GetArraySize(c) > 0 || (cJSON_IsString(c) && !blank(c->valuestring)),
              "message %d empty", i);
        const cJSON *list = cJSON_IsArray(c) ? c : NULL;
        const cJSON *b;
        cJSON_ArrayForEach(b, list)
        {
            if (!zai_block(b, assistant, why))
                return false;
        }
        if (assistant && !zai_answers(m, m->next, why))
            return false;
        if (i == 0 && !zai_answers(NULL, m, why))
            return false;
        i++;
    }
    return true;
}

static bool zai_ok(const cJSON *req, char *why)
{
    static const char *const tkeys[] = {"name", "description", "input_schema", "cache_control",
                                        NULL};
    static const char *const thkeys[] = {"type", "budget_tokens", NULL};
    CHECK(cJSON_IsObject(req) && !bad_key(req, zai_top), "top-level key %s", bad_key(req, zai_top));
    CHECK(str(req, "model"), "model");
    const cJSON *mt = get(req, "max_tokens");
    CHECK(cJSON_IsNumber(mt) && mt->valuedouble >= 1, "max_tokens");
    CHECK(!has_ttl(req, 0), "cache_control.ttl present");
    const cJSON *sys = get(req, "system");
    CHECK(!sys || (cJSON_IsString(sys) && !blank(sys->valuestring)) || cJSON_IsArray(sys),
          "system");
    const cJSON *list = cJSON_IsArray(sys) ? sys : NULL;
    const cJSON *b;
    cJSON_ArrayForEach(b, list)
    {
        if (!zai_block(b, false, why) || !eq(str(b, "type"), "text"))
            return false;
    }
    cJSON_ArrayForEach(b, get(req, "tools"))
    {
        CHECK(!bad_key(b, tkeys) && str(b, "name"), "tool key %s", bad_key(b, tkeys));
        CHECK(cJSON_IsObject(get(b, "input_schema")), "tool input_schema");
    }
    const cJSON *th = get(req, "thinking");
    CHECK(!th || !bad_key(th, thkeys), "thinking key");
    CHECK(!th || eq(str(th, "type"), "enabled") || eq(str(th, "type"), "disabled"), "thinking");
    const cJSON *budget = get(th, "budget_tokens");
    CHECK(!budget || (budget->valuedouble >= 1024 && budget->valuedouble < mt->valuedouble),
          "budget_tokens");
    static const char *const mkeys[] = {"user_id", NULL};
    CHECK(!bad_key(get(req, "metadata"), mkeys), "metadata key");
    return zai_messages(get(req, "messages"), why);
}

/* ---- fixtures ------------------------------------------------------------------------------ */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buffer {
        char *p;
        size_t n;
    } b = {NULL, 0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        char *p = realloc(b.p, b.n + got + 1);
        assert_non_null(p);
        b.p = p;
        memcpy(b.p + b.n, chunk, got);
        b.n += got;
        b.p[b.n] = '\0';
    }
    fclose(f);
    return b.p;
}

typedef void fixture_fn(const char *name, const cJSON *body, bool count_tokens);

static int for_each_fixture(fixture_fn *fn)
{
    DIR *d = opendir(FIXTURES_DIR "/claude-code");
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/claude-code/%s", FIXTURES_DIR, e->d_name);
        char *text = slurp(path);
        assert_non_null(text);
        cJSON *doc = cJSON_Parse(text);
        free(text);
        assert_non_null(doc);
        const char *p = str(doc, "path");
        if (p && strstr(p, "/v1/messages")) {
            fn(e->d_name, get(doc, "body"), strstr(p, "count_tokens") != NULL);
            n++;
        }
        cJSON_Delete(doc);
    }
    closedir(d);
    return n;
}

static void check_fixture(const char *name, const cJSON *body, bool count_tokens)
{
    char err[XLATE_ERR_LEN] = "", why[WHY_LEN] = "";
    if (!xlate_validate_anthropic(body, err))
        fail_msg("%s: validation failed: %s", name, err);
    const struct xlate_opts *providers[] = {&cerebras, &generic};
    for (size_t i = 0; i < 2; i++) {
        cJSON *o = xlate_req_a2o(body, providers[i], err);
        if (!o)
            fail_msg("%s: a2o failed: %s", name, err);
        /* The generic result must also pass, bar its one extra key. */
        cJSON_DeleteItemFromObjectCaseSensitive(o, "parallel_tool_calls");
        if (!cerebras_ok(o, why))
            fail_msg("%s: a2o result fails the Cerebras rules: %s", name, why);
        cJSON_Delete(o);
    }
    cJSON *a = xlate_req_a2a(body, &zai, err);
    if (!a)
        fail_msg("%s: a2a failed: %s", name, err);
    if (!zai_ok(a, why))
        fail_msg("%s: a2a result fails the Z.AI rules: %s", name, why);
    cJSON_Delete(a);
    (void)count_tokens;
}

static void test_xlate_req_fixtures_pass_strict_validators(void **state)
{
    (void)state;
    assert_true(for_each_fixture(check_fixture) >= 10);
}

/* Every text and tool id of the conversation must survive Anthropic -> OpenAI -> Anthropic. */
static void collect(const cJSON *req, cJSON *texts, cJSON *ids)
{
    const cJSON *m, *b;
    cJSON_ArrayForEach(m, get(req, "messages"))
    {
        const cJSON *c = get(m, "content");
        if (cJSON_IsString(c) && !blank(c->valuestring))
            cJSON_AddItemToArray(texts, cJSON_CreateString(c->valuestring));
        const cJSON *list = cJSON_IsArray(c) ? c : NULL;
        cJSON_ArrayForEach(b, list)
        {
            if (eq(str(b, "type"), "text") && !blank(str(b, "text")))
                cJSON_AddItemToArray(texts, cJSON_CreateString(str(b, "text")));
            if (eq(str(b, "type"), "tool_use") && str(b, "id"))
                cJSON_AddItemToArray(ids, cJSON_CreateString(str(b, "id")));
        }
    }
}

/* True when the conversation has both a tool_use with this id and its tool_result. */
static bool has_pair(const cJSON *req, const char *id)
{
    bool use = false, result = false;
    const cJSON *m, *b;
    cJSON_ArrayForEach(m, get(req, "messages"))
    {
        cJSON_ArrayForEach(b, get(m, "content"))
        {
            use = use || (eq(str(b, "type"), "tool_use") && eq(str(b, "id"), id));
            result = result || (eq(str(b, "type"), "tool_result") && eq(str(b, "tool_use_id"), id));
        }
    }
    return use && result;
}

/* Compares in escaped form, since both sides are JSON text; the needle loses its quotes. */
static bool mentions(const cJSON *req, const char *needle)
{
    char *all = cJSON_PrintUnformatted(req);
    cJSON *s = cJSON_CreateString(needle);
    char *q = cJSON_PrintUnformatted(s);
    q[strlen(q) - 1] = '\0';
    bool found = strstr(all, q + 1) != NULL;
    free(all);
    free(q);
    cJSON_Delete(s);
    return found;
}

static void check_round_trip(const char *name, const cJSON *body, bool count_tokens)
{
    char err[XLATE_ERR_LEN] = "", why[WHY_LEN] = "";
    cJSON *o = xlate_req_a2o(body, &generic, err);
    assert_non_null(o);
    cJSON *back = xlate_req_o2a(o, &zai, err);
    if (!back)
        fail_msg("%s: o2a failed: %s", name, err);
    if (!zai_ok(back, why))
        fail_msg("%s: round trip fails the Z.AI rules: %s", name, why);
    cJSON *texts = cJSON_CreateArray(), *ids = cJSON_CreateArray();
    collect(body, texts, ids);
    const cJSON *t;
    cJSON_ArrayForEach(t, texts)
    {
        if (!mentions(back, t->valuestring))
            fail_msg("%s: text lost in round trip: %.60s", name, t->valuestring);
    }
    cJSON_ArrayForEach(t, ids)
    {
        if (!has_pair(back, t->valuestring))
            fail_msg("%s: tool id lost in round trip: %s", name, t->valuestring);
    }
    cJSON_Delete(texts);
    cJSON_Delete(ids);
    cJSON_Delete(o);
    cJSON_Delete(back);
    (void)count_tokens;
}

static void test_xlate_req_round_trip_keeps_text_and_ids(void **state)
{
    (void)state;
    assert_true(for_each_fixture(check_round_trip) >= 10);
}

/* ---- a2o golden cases ---------------------------------------------------------------------- */

static void test_xlate_req_a2o_system_folded_and_text_joined(void **state)
{
    (void)state;
    expect_xlate(xlate_req_a2o, &cerebras,
                 "{'model':'claude','max_tokens':100,"
                 "'system':[{'type':'text','text':'A','cache_control':{'type':"
                 "'ephemeral'}},{'type':'text','text':'B'}],'messages':["
                 "{'role':'user','content':[{'type':'text','text':'hi'},"
                 "{'type':'text','text':'there'}]},"
                 "{'role':'system','content':[{'type':'text','text':'C'}]},"
                 "{'role':'system','content':'D'},"
                 "{'role':'assistant','content':'hello'},"
                 "{'role':'user','content':'bye'}]}",
                 "{'model':'new-cerebras-model','messages':["
                 "{'role':'system','content':'A\\n\\nB\\n\\nC\\n\\nD'},"
                 "{'role':'user','content':'hi\\n\\nthere'},"
                 "{'role':'assistant','content':'hello'},"
                 "{'role':'user','content':'bye'}],"
                 "'max_completion_tokens':100,'stream':true,"
                 "'stream_options':{'include_usage':true}}");
}

static void test_xlate_req_a2o_images_and_documents(void **state)
{
    (void)state;
    const char *in = "{'model':'m','messages':[{'role':'user','content':["
                     "{'type':'image','source':{'type':'base64','media_type':'image/png',"
                     "'data':'AAAA'}},{'type':'text','text':'what?'},{'type':'text','text':"
                     "''},{'type':'image','source':{'type':'url','url':'https://x/y.png'}},"
                     "{'type':'document','source':{'type':'text','media_type':'text/plain',"
                     "'data':'doc text'}},{'type':'document','source':{'type':'base64',"
                     "'media_type':'application/pdf','data':'UERG'}}]}]}";
    const char *common = "{'type':'image_url','image_url':{'url':'data:image/png;base64,"
                         "AAAA'}},{'type':'text','text':'what?'},{'type':'image_url',"
                         "'image_url':{'url':'https://x/y.png'}},{'type':'text',"
                         "'text':'doc text'},";
    char want[2048];
    snprintf(want, sizeof want,
             "{'model':'new-cerebras-model','stream':true,'stream_options':{'include_usage':"
             "true},'messages':[{'role':'user','content':[%s{'type':'text','text':"
             "'[document omitted: application/pdf]'}]}]}",
             common);
    expect_xlate(xlate_req_a2o, &cerebras, in, want);
    snprintf(want, sizeof want,
             "{'model':'gpt-x','stream':true,'stream_options':{'include_usage':true},"
             "'messages':[{'role':'user','content':[%s{'type':'image_url',"
             "'image_url':{'url':'data:application/pdf;base64,UERG'}}]}]}",
             common);
    expect_xlate(xlate_req_a2o, &generic, in, want);
}

static void test_xlate_req_a2o_tool_results_follow_their_calls(void **state)
{
    (void)state;
    expect_xlate(xlate_req_a2o, &cerebras,
                 "{'model':'m','max_tokens':50,'messages':["
                 "{'role':'user','content':'run it'},"
                 "{'role':'assistant','content':[{'type':'text','text':'ok'},"
                 "{'type':'tool_use','id':'t1','name':'Bash','input':{'command':'ls'}},"
                 "{'type':'tool_use','id':'t2','name':'Read','input':{}},"
                 "{'type':'tool_use','id':'t3','name':'ToolSearch','input':{'query':'x'}},"
                 "{'type':'tool_use','id':'t4','name':'Gone','input':{}}]},"
                 "{'role':'user','content':[{'type':'text','text':'also this'},"
                 "{'type':'tool_result','tool_use_id':'t2','content':[{'type':'text',"
                 "'text':'line1'},{'type':'text','text':'line2'}]},"
                 "{'type':'tool_result','tool_use_id':'t1','content':'out','is_error':true},"
                 "{'type':'tool_result','tool_use_id':'t3','content':[{'type':"
                 "'tool_reference','tool_name':'WebFetch'}]},"
                 "{'type':'tool_result','tool_use_id':'t2','content':'more'},"
                 "{'type':'tool_result','tool_use_id':'zz','content':'stray'}]}]}",
                 "{'model':'new-cerebras-model','max_completion_tokens':50,'stream':true,"
                 "'stream_options':{'include_usage':true},'messages':["
                 "{'role':'user','content':'run it'},"
                 "{'role':'assistant','content':'ok','tool_calls':["
                 "{'id':'t1','type':'function','function':{'name':'Bash','arguments':"
                 "'{\\'command\\':\\'ls\\'}'}},"
                 "{'id':'t2','type':'function','function':{'name':'Read','arguments':"
                 "'{}'}},"
                 "{'id':'t3','type':'function','function':{'name':'ToolSearch',"
                 "'arguments':'{\\'query\\':\\'x\\'}'}},"
                 "{'id':'t4','type':'function','function':{'name':'Gone','arguments':"
                 "'{}'}}]},"
                 "{'role':'tool','tool_call_id':'t2','content':'line1\\nline2\\nmore'},"
                 "{'role':'tool','tool_call_id':'t1','content':'[error] out'},"
                 "{'role':'tool','tool_call_id':'t3','content':'Tool loaded: WebFetch'},"
                 "{'role':'tool','tool_call_id':'t4','content':'(no result)'},"
                 "{'role':'user','content':'also this\\n\\n[tool result zz] stray'}]}");
}

static void test_xlate_req_a2o_unanswered_calls_are_closed(void **state)
{
    (void)state;
    /* An assistant turn straight after another, and one ending the conversation. */
    expect_xlate(xlate_req_a2o, &cerebras,
                 "{'model':'m','messages':[{'role':'user','content':'go'},"
                 "{'role':'assistant','content':[{'type':'tool_use','id':'a',"
                 "'name':'f','input':{}}]},{'role':'assistant','content':[{'type':"
                 "'tool_use','id':'b','name':'f','input':{}}]}]}",
                 "{'model':'new-cerebras-model','stream':true,'stream_options':{"
                 "'include_usage':true},'messages':[{'role':'user','content':'go'},"
                 "{'role':'assistant','content':'','tool_calls':[{'id':'a','type':"
                 "'function','function':{'name':'f','arguments':'{}'}}]},"
                 "{'role':'tool','tool_call_id':'a','content':'(no result)'},"
                 "{'role':'assistant','content':'','tool_calls':[{'id':'b','type':"
                 "'function','function':{'name':'f','arguments':'{}'}}]},"
                 "{'role':'tool','tool_call_id':'b','content':'(no result)'}]}");
}

static const char *const tools_in =
    "{'model':'m','messages':[{'role':'user','content':'x'}],'tools':["
    "{'name':'Bash','description':'run','input_schema':{'$schema':"
    "'https://json-schema.org/draft/2020-12/schema','type':'object','properties':{"
    "'command':{'type':'string'},'$schema':{'type':'string','$schema':'x'}},"
    "'additionalProperties':false},'cache_control':{'type':'ephemeral'},"
    "'defer_loading':true,'input_examples':[{'command':'ls'}]},"
    "{'name':'web_search','type':'web_search_20250305','max_uses':3},"
    "{'name':'Custom','type':'custom','input_schema':{'type':'object',"
    "'properties':{}}},{'name':'NoSchema'}],"
    "'tool_choice':{'type':'tool','name':'Bash','disable_parallel_tool_use':true}}";

static void test_xlate_req_a2o_tools_cleaned_for_cerebras(void **state)
{
    (void)state;
    cJSON *out = run(xlate_req_a2o, tools_in, &cerebras);
    expect_json(get(out, "tools"),
                "[{'type':'function','function':{'name':'Bash','description':'run',"
                "'parameters':{'type':'object','properties':{'command':{'type':"
                "'string'},'$schema':{'type':'string'}},'additionalProperties':false}}},"
                "{'type':'function','function':{'name':'Custom','parameters':{"
                "'type':'object','properties':{}}}},{'type':'function','function':{"
                "'name':'NoSchema','parameters':{'type':'object','properties':{}}}}]");
    expect_json(get(out, "tool_choice"), "{'type':'function','function':{'name':'Bash'}}");
    assert_null(get(out, "parallel_tool_calls"));
    cJSON_Delete(out);
    out = run(xlate_req_a2o, tools_in, &generic);
    assert_true(cJSON_IsFalse(get(out, "parallel_tool_calls")));
    cJSON_Delete(out);
}

static void test_xlate_req_a2o_tool_choice_modes(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"auto", "'auto'"}, {"any", "'required'"}, {"none", "'none'"}};
    for (size_t i = 0; i < 3; i++) {
        char in[512];
        snprintf(in, sizeof in,
                 "{'model':'m','messages':[{'role':'user','content':'x'}],"
                 "'tools':[{'name':'f','input_schema':{'type':'object'}}],"
                 "'tool_choice':{'type':'%s'}}",
                 cases[i][0]);
        cJSON *out = run(xlate_req_a2o, in, &cerebras);
        expect_json(get(out, "tool_choice"), cases[i][1]);
        cJSON_Delete(out);
    }
    /* No tools left (server tools only): no tool_choice either. */
    cJSON *out = run(xlate_req_a2o,
                     "{'model':'m','messages':[{'role':'user','content':'x'}],"
                     "'tools':[{'type':'bash_20250124','name':'bash'}],"
                     "'tool_choice':{'type':'any'}}",
                     &cerebras);
    assert_null(get(out, "tools"));
    assert_null(get(out, "tool_choice"));
    cJSON_Delete(out);
}

static void test_xlate_req_a2o_reasoning_effort(void **state)
{
    (void)state;
    static const struct {
        const char *extra;
        const char *want; /* NULL: no reasoning_effort */
    } cases[] = {
        {"'thinking':{'type':'enabled','budget_tokens':1024}", "low"},
        {"'thinking':{'type':'enabled','budget_tokens':3000}", "medium"},
        {"'thinking':{'type':'enabled','budget_tokens':10000}", "high"},
        {"'thinking':{'type':'adaptive'},'output_config':{'effort':'high'}", "high"},
        {"'thinking':{'type':'adaptive'},'output_config':{'effort':'max'}", "high"},
        {"'thinking':{'type':'adaptive'},'output_config':{'effort':'low'}", "low"},
        {"'thinking':{'type':'adaptive'}", NULL},
        {"'thinking':{'type':'disabled'},'output_config':{'effort':'high'}", NULL},
        {"'output_config':{'effort':'high'}", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char in[512];
        snprintf(in, sizeof in, "{'model':'m','messages':[{'role':'user','content':'x'}],%s}",
                 cases[i].extra);
        cJSON *out = run(xlate_req_a2o, in, &cerebras);
        const char *got = str(out, "reasoning_effort");
        if (cases[i].want)
            assert_string_equal(got ? got : "(none)", cases[i].want);
        else
            assert_null(get(out, "reasoning_effort"));
        assert_null(get(out, "thinking"));
        cJSON_Delete(out);
        out = run(xlate_req_a2o, in, &generic);
        assert_null(get(out, "reasoning_effort"));
        cJSON_Delete(out);
    }
}

static void test_xlate_req_a2o_history_reasoning(void **state)
{
    (void)state;
    const char *in = "{'model':'m','messages':[{'role':'user','content':'q'},"
                     "{'role':'assistant','content':[{'type':'thinking','thinking':'hmm',"
                     "'signature':'sig'},{'type':'redacted_thinking','data':'xx'},{'type':"
                     "'text','text':'answer'}]},{'role':'user','content':'q2'},"
                     "{'role':'assistant','content':[{'type':'thinking','thinking':'only'}]},"
                     "{'role':'assistant','content':[{'type':'text','text':''}]},"
                     "{'role':'assistant','content':''},{'role':'user','content':'q3'}],"
                     "'stream':false}";
    cJSON *out = run(xlate_req_a2o, in, &cerebras);
    expect_json(get(out, "messages"),
                "[{'role':'user','content':'q'},{'role':'assistant','content':"
                "'answer','reasoning':'hmm'},{'role':'user','content':'q2'},"
                "{'role':'user','content':'q3'}]");
    cJSON_Delete(out);
    out = run(xlate_req_a2o, in, &generic);
    expect_json(cJSON_GetArrayItem(get(out, "messages"), 1),
                "{'role':'assistant','content':'answer'}");
    cJSON_Delete(out);
}

static void test_xlate_req_a2o_params_and_dropped_fields(void **state)
{
    (void)state;
    const char *in = "{'model':'m','max_tokens':32000,'messages':[{'role':'user','content':"
                     "'x'}],'stop_sequences':['END',''],'temperature':0.5,'top_p':0.9,'top_k':5,"
                     "'metadata':{'user_id':'user-123'},'context_management':{},'safeguards':[],"
                     "'container':'c','mcp_servers':[],'service_tier':'auto','output_config':{"
                     "'effort':'low'},'thinking':{'type':'disabled'},'stream':true}";
    struct xlate_opts o = {PROVIDER_CEREBRAS, "new-cerebras-model", 8192, false};
    expect_xlate(xlate_req_a2o, &o, in,
                 "{'model':'new-cerebras-model','messages':[{'role':'user','content':'x'}],"
                 "'max_completion_tokens':8192,'temperature':0.5,'top_p':0.9,'stop':["
                 "'END'],'stream':false}");
    expect_xlate(xlate_req_a2o, &generic, in,
                 "{'model':'gpt-x','messages':[{'role':'user','content':'x'}],"
                 "'max_tokens':32000,'temperature':0.5,'top_p':0.9,'stop':['END'],"
                 "'stream':true,'stream_options':{'include_usage':true},'user':"
                 "'user-123'}");
    /* No budget asked for, but a cap configured: Cerebras gets the cap. */
    o.max_tokens_cap = 4000;
    cJSON *out = run(xlate_req_a2o, "{'model':'m','messages':[{'role':'user','content':'x'}]}", &o);
    assert_int_equal((long)cJSON_GetNumberValue(get(out, "max_completion_tokens")), 4000);
    cJSON_Delete(out);
}

/* %s: more top-level fields */
#define STRUCTURED_IN                                                                              \
    "{'model':'m','max_tokens':100,'messages':[{'role':'user','content':'x'}],"                    \
    "'output_config':{'effort':'low','format':{'type':'json_schema','schema':{"                    \
    "'type':'object','properties':{'a':{'type':'integer'}},'required':['a'],"                      \
    "'additionalProperties':false}}}%s}"

static void test_xlate_req_a2o_structured_output(void **state)
{
    (void)state;
    const char *want = "{'type':'json_schema','json_schema':{'name':'structured_output','schema':{"
                       "'type':'object','properties':{'a':{'type':'integer'}},'required':['a'],"
                       "'additionalProperties':false},'strict':true}}";
    char in[1024];
    snprintf(in, sizeof in, STRUCTURED_IN, "");
    for (int i = 0; i < 2; i++) {
        cJSON *out = run(xlate_req_a2o, in, i ? &generic : &cerebras);
        expect_json(get(out, "response_format"), want);
        cJSON_Delete(out);
    }
    /* The older beta's top-level output_format means the same. */
    cJSON *out = run(xlate_req_a2o,
                     "{'model':'m','messages':[{'role':'user','content':'x'}],'output_format':{"
                     "'type':'json_schema','schema':{'type':'object'}}}",
                     &cerebras);
    assert_string_equal(str(get(out, "response_format"), "type"), "json_schema");
    cJSON_Delete(out);
    /* Cerebras refuses tools with response_format: the tools are kept, the format is not. */
    snprintf(in, sizeof in, STRUCTURED_IN,
             ",'tools':[{'name':'t','input_schema':{'type':'object','properties':{}}}]");
    out = run(xlate_req_a2o, in, &cerebras);
    assert_non_null(get(out, "tools"));
    assert_null(get(out, "response_format"));
    cJSON_Delete(out);
    out = run(xlate_req_a2o, in, &generic);
    assert_non_null(get(out, "response_format"));
    cJSON_Delete(out);
    /* Anything but a json_schema with a schema object is not a format we can express. */
    out = run(xlate_req_a2o,
              "{'model':'m','messages':[{'role':'user','content':'x'}],'output_config':{"
              "'format':{'type':'json_schema'}}}",
              &cerebras);
    assert_null(get(out, "response_format"));
    cJSON_Delete(out);
}

/* MCP tools in Claude Code are named mcp__server__tool and may pass 64 characters, the OpenAI
 * limit: such names travel shortened, the same way in tools, tool_choice and history, and map
 * back. */
static void test_xlate_req_a2o_long_tool_names(void **state)
{
    (void)state;
    const char *long_name =
        "mcp__claude_ai_Google_Drive__google_drive_search_files_in_shared_folder";
    assert_true(strlen(long_name) > 64);
    char in[2048];
    snprintf(in, sizeof in,
             "{'model':'m','messages':[{'role':'user','content':'x'},{'role':'assistant','content':"
             "[{'type':'tool_use','id':'t1','name':'%s','input':{}}]},{'role':'user','content':"
             "[{'type':'tool_result','tool_use_id':'t1','content':'ok'}]}],'tools':[{'name':'%s',"
             "'input_schema':{'type':'object'}},{'name':'Bash','input_schema':{'type':'object'}}],"
             "'tool_choice':{'type':'tool','name':'%s'}}",
             long_name, long_name, long_name);
    cJSON *out = run(xlate_req_a2o, in, &cerebras);
    const char *sent = str(get(cJSON_GetArrayItem(get(out, "tools"), 0), "function"), "name");
    assert_non_null(sent);
    assert_int_equal(strlen(sent), 64);
    assert_memory_equal(sent, long_name, 55);
    assert_int_equal(sent[55], '_');
    assert_string_equal(str(get(cJSON_GetArrayItem(get(out, "tools"), 1), "function"), "name"),
                        "Bash");
    assert_string_equal(str(get(get(out, "tool_choice"), "function"), "name"), sent);
    const cJSON *call =
        cJSON_GetArrayItem(get(cJSON_GetArrayItem(get(out, "messages"), 1), "tool_calls"), 0);
    assert_string_equal(str(get(call, "function"), "name"), sent);
    /* back: only a name one of the client's tools shortens to is mapped */
    cJSON *req = parse(in);
    assert_string_equal(xlate_tool_name_long(get(req, "tools"), sent), long_name);
    assert_string_equal(xlate_tool_name_long(get(req, "tools"), "Bash"), "Bash");
    char other[65];
    memset(other, 'x', 64);
    other[64] = '\0';
    assert_string_equal(xlate_tool_name_long(get(req, "tools"), other), other);
    cJSON_Delete(req);
    cJSON_Delete(out);
}

static void test_xlate_req_a2o_long_user_id_is_cut(void **state)
{
    (void)state;
    char in[1024], uid[300];
    memset(uid, 'u', 200);
    uid[200] = '\0';
    snprintf(in, sizeof in,
             "{'model':'m','messages':[{'role':'user','content':'x'}],'metadata':"
             "{'user_id':'%s'}}",
             uid);
    cJSON *out = run(xlate_req_a2o, in, &generic);
    assert_non_null(str(out, "user"));
    assert_int_equal(strlen(str(out, "user")), 64);
    cJSON_Delete(out);
}

static void test_xlate_req_o2a_response_format_as_tool(void **state)
{
    (void)state;
    const char *in = "{'model':'m','messages':[{'role':'user','content':'x'}],'response_format':{"
                     "'type':'json_schema','json_schema':{'name':'r','strict':true,'schema':{"
                     "'type':'object','properties':{'a':{'type':'integer'}},'required':['a']}}}}";
    cJSON *out = run(xlate_req_o2a, in, &zai);
    expect_json(get(out, "tools"),
                "[{'name':'json_output','description':'Give your answer by calling this tool "
                "once with the JSON the user asked for, matching the input schema.',"
                "'input_schema':{'type':'object','properties':{'a':{'type':'integer'}},"
                "'required':['a']}}]");
    expect_json(get(out, "tool_choice"), "{'type':'tool','name':'json_output'}");
    assert_null(get(out, "response_format"));
    cJSON_Delete(out);
    /* json_object: any object. With thinking on the tool is only offered (auto). */
    out = run(xlate_req_o2a,
              "{'model':'m','max_tokens':8000,'reasoning_effort':'high','messages':[{'role':"
              "'user','content':'x'}],'response_format':{'type':'json_object'}}",
              &zai);
    expect_json(get(cJSON_GetArrayItem(get(out, "tools"), 0), "input_schema"), "{'type':'object'}");
    expect_json(get(out, "tool_choice"), "{'type':'auto'}");
    cJSON_Delete(out);
    /* Not carried: the client's own tools, plain text, or a top level that is not an object. */
    static const char *const not_carried[] = {
        "{'model':'m','messages':[{'role':'user','content':'x'}],'response_format':{'type':"
        "'json_object'},'tools':[{'type':'function','function':{'name':'f','parameters':{"
        "'type':'object'}}}]}",
        "{'model':'m','messages':[{'role':'user','content':'x'}],'response_format':{'type':"
        "'text'}}",
        "{'model':'m','messages':[{'role':'user','content':'x'}],'response_format':{'type':"
        "'json_schema','json_schema':{'name':'r','schema':{'type':'array'}}}}",
    };
    for (size_t i = 0; i < sizeof not_carried / sizeof not_carried[0]; i++) {
        out = run(xlate_req_o2a, not_carried[i], &zai);
        const cJSON *tools = get(out, "tools");
        for (const cJSON *t = tools ? tools->child : NULL; t; t = t->next)
            assert_false(eq(str(t, "name"), "json_output"));
        cJSON_Delete(out);
    }
}

/* ---- o2a golden cases ---------------------------------------------------------------------- */

static void test_xlate_req_o2a_conversation(void **state)
{
    (void)state;
    expect_xlate(xlate_req_o2a, &zai,
                 "{'model':'gpt','messages':[{'role':'system','content':'S1'},"
                 "{'role':'developer','content':[{'type':'text','text':'S2'}]},"
                 "{'role':'user','content':[{'type':'text','text':'look'},{'type':"
                 "'image_url','image_url':{'url':'data:image/png;base64,QUJD'}},{'type':"
                 "'image_url','image_url':{'url':'https://x/i.jpg'}}]},"
                 "{'role':'assistant','content':null,'reasoning_content':'thinking...',"
                 "'tool_calls':[{'id':'call_1','type':'function','function':{'name':'f',"
                 "'arguments':'{\\'a\\':1}'}},{'id':'functions.g:2','type':'function',"
                 "'function':{'name':'g','arguments':'not json'}}]},"
                 "{'role':'tool','tool_call_id':'call_1','content':'r1'},"
                 "{'role':'tool','tool_call_id':'functions.g:2','content':[{'type':'text',"
                 "'text':'r2'}]},{'role':'user','content':'thanks'},"
                 "{'role':'assistant','content':'done  \\n'}],'max_tokens':100,'stream':true,"
                 "'n':1,'frequency_penalty':0.5,'logprobs':true}",
                 "{'model':'glm-4.6','system':'S1\\n\\nS2','max_tokens':100,'stream':true,"
                 "'messages':[{'role':'user','content':[{'type':'text','text':'look'},"
                 "{'type':'image','source':{'type':'base64','media_type':'image/png',"
                 "'data':'QUJD'}},{'type':'image','source':{'type':'url','url':"
                 "'https://x/i.jpg'}}]},{'role':'assistant','content':[{'type':'tool_use',"
                 "'id':'call_1','name':'f','input':{'a':1}},{'type':'tool_use','id':"
                 "'functions_g_2_4039ed8d','name':'g','input':{}}]},{'role':'user','content':["
                 "{'type':'tool_result','tool_use_id':'call_1','content':'r1'},{'type':"
                 "'tool_result','tool_use_id':'functions_g_2_4039ed8d','content':'r2'},{'type':"
                 "'text','text':'thanks'}]},{'role':'assistant','content':[{'type':"
                 "'text','text':'done'}]}]}");
}

static void test_xlate_req_o2a_params(void **state)
{
    (void)state;
    struct xlate_opts o = {PROVIDER_ZAI, "glm-4.6", 8192, false};
    expect_xlate(xlate_req_o2a, &o,
                 "{'model':'gpt','messages':[{'role':'user','content':'hi'}],'tools':["
                 "{'type':'function','function':{'name':'f','description':'d','parameters':"
                 "{'type':'object','properties':{'x':{'type':'string'}}},'strict':true}},"
                 "{'type':'function','function':{'name':'g'}}],'tool_choice':'required',"
                 "'parallel_tool_calls':false,'stop':['END','  '],'user':'u1',"
                 "'reasoning_effort':'medium','temperature':1.7,'top_p':0.8,"
                 "'max_completion_tokens':50000,'response_format':{'type':'text'},'seed':3}",
                 "{'model':'glm-4.6','messages':[{'role':'user','content':[{'type':'text',"
                 "'text':'hi'}]}],'tools':[{'name':'f','description':'d','input_schema':{"
                 "'type':'object','properties':{'x':{'type':'string'}}}},{'name':'g',"
                 "'input_schema':{'type':'object','properties':{}}}],'tool_choice':{'type':"
                 "'any','disable_parallel_tool_use':true},'max_tokens':8192,'metadata':{"
                 "'user_id':'u1'},'stop_sequences':['END'],'stream':false,'thinking':{"
                 "'type':'enabled','budget_tokens':2048},'temperature':1,'top_p':0.8}");
}

static void test_xlate_req_o2a_defaults_and_mappings(void **state)
{
    (void)state;
    static const char *const base = "{'model':'g','messages':[{'role':'user',"
                                    "'content':'hi'}],'tools':[{'type':'function',"
                                    "'function':{'name':'f'}}],";
    static const struct {
        const char *extra, *key, *want; /* want NULL: key absent */
    } cases[] = {
        {"'tool_choice':'auto'", "tool_choice", "{'type':'auto'}"},
        {"'tool_choice':'none'", "tool_choice", "{'type':'none'}"},
        {"'tool_choice':{'type':'function','function':{'name':'f'}}", "tool_choice",
         "{'type':'tool','name':'f'}"},
        {"'parallel_tool_calls':false", "tool_choice",
         "{'type':'auto','disable_parallel_tool_use':true}"},
        {"'stop':'STOP'", "stop_sequences", "['STOP']"},
        {"'stop':' '", "stop_sequences", NULL},
        {"'user':'a@b.c'", "metadata", NULL},
        {"'reasoning_effort':'high','max_tokens':2000", "thinking", NULL},
        {"'reasoning_effort':'none'", "thinking", "{'type':'disabled'}"},
        {"'reasoning_effort':'low'", "thinking", "{'type':'enabled','budget_tokens':1024}"},
        {"'temperature':-1", "temperature", "0"},
        {"'seed':1", "max_tokens", "4096"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char in[1024];
        snprintf(in, sizeof in, "%s%s}", base, cases[i].extra);
        cJSON *out = run(xlate_req_o2a, in, &zai);
        if (cases[i].want)
            expect_json(get(out, cases[i].key), cases[i].want);
        else
            assert_null(get(out, cases[i].key));
        cJSON_Delete(out);
    }
}

static void test_xlate_req_o2a_real_anthropic_thinking_drops_sampling(void **state)
{
    (void)state;
    const char *in = "{'model':'g','messages':[{'role':'user','content':'hi'}],"
                     "'reasoning_effort':'low','temperature':0.3,'top_p':0.5}";
    cJSON *out = run(xlate_req_o2a, in, &anthropic);
    expect_json(get(out, "thinking"), "{'type':'enabled','budget_tokens':1024}");
    assert_null(get(out, "temperature"));
    assert_null(get(out, "top_p"));
    cJSON_Delete(out);
    out = run(xlate_req_o2a, in, &zai);
    assert_non_null(get(out, "temperature"));
    cJSON_Delete(out);
}

static void test_xlate_req_o2a_first_turn_and_empty(void **state)
{
    (void)state;
    expect_xlate(xlate_req_o2a, &zai, "{'model':'g','messages':[{'role':'system','content':'s'}]}",
                 "{'model':'glm-4.6','system':'s','max_tokens':4096,'stream':true,"
                 "'messages':[{'role':'user','content':[{'type':'text','text':"
                 "'(empty)'}]}]}");
    cJSON *out = run(xlate_req_o2a,
                     "{'model':'g','messages':[{'role':'assistant','content':'a'},"
                     "{'role':'user','content':''},{'role':'user','content':'b'}]}",
                     &zai);
    expect_json(get(out, "messages"),
                "[{'role':'user','content':[{'type':'text','text':'(empty)'}]},"
                "{'role':'assistant','content':[{'type':'text','text':'a'}]},"
                "{'role':'user','content':[{'type':'text','text':'b'}]}]");
    cJSON_Delete(out);
}

/* ---- o2o golden cases ---------------------------------------------------------------------- */

static const char *const o2o_in =
    "{'model':'gpt','messages':[{'role':'developer','content':'be nice'},"
    "{'role':'user','content':[{'type':'text','text':'hi'},{'type':'text',"
    "'text':''}],'name':'bob'},{'role':'assistant','content':'',"
    "'reasoning_content':'thought','tool_calls':[{'id':'c1','type':'function',"
    "'function':{'name':'f','arguments':{'a':1}},'index':0}],'refusal':null},"
    "{'role':'tool','tool_call_id':'c1','content':'ok','extra':1}],"
    "'tools':[{'type':'function','function':{'name':'f','parameters':{"
    "'$schema':'s','type':'object'},'strict':true}}],'store':true,"
    "'frequency_penalty':0,'parallel_tool_calls':true,'n':1,'max_tokens':99999,"
    "'stream_options':{'include_usage':false},'metadata':{'a':'b'},"
    "'reasoning_effort':'low'}";

static void test_xlate_req_o2o_cerebras_whitelist(void **state)
{
    (void)state;
    struct xlate_opts o = {PROVIDER_CEREBRAS, "new-cerebras-model", 16000, true};
    expect_xlate(xlate_req_o2o, &o, o2o_in,
                 "{'model':'new-cerebras-model','messages':[{'role':'system','content':"
                 "'be nice'},{'role':'user','content':[{'type':'text','text':"
                 "'hi'}],'name':'bob'},{'role':'assistant','content':'',"
                 "'reasoning':'thought','tool_calls':[{'id':'c1','type':'function',"
                 "'function':{'name':'f','arguments':'{\\'a\\':1}'}}]},{'role':"
                 "'tool','tool_call_id':'c1','content':'ok'}],'tools':[{'type':"
                 "'function','function':{'name':'f','parameters':{'type':'object'},"
                 "'strict':true}}],'max_tokens':16000,'stream':true,'stream_options':{"
                 "'include_usage':true},'reasoning_effort':'low'}");
    cJSON *out = run(xlate_req_o2o, "{'model':'g','messages':[{'role':'user','content':'x'}]}", &o);
    assert_int_equal((long)cJSON_GetNumberValue(get(out, "max_completion_tokens")), 16000);
    cJSON_Delete(out);
}

static void test_xlate_req_o2o_generic_light_touch(void **state)
{
    (void)state;
    struct xlate_opts o = {PROVIDER_GENERIC_OPENAI, "gpt-x", 0, false};
    cJSON *out = run(xlate_req_o2o, o2o_in, &o);
    cJSON *want = parse(o2o_in);
    cJSON_ReplaceItemInObjectCaseSensitive(want, "model", cJSON_CreateString("gpt-x"));
    cJSON_DeleteItemFromObjectCaseSensitive(want, "stream_options");
    cJSON_AddFalseToObject(want, "stream");
    assert_true(cJSON_Compare(out, want, true));
    cJSON_Delete(want);
    cJSON_Delete(out);
    o.max_tokens_cap = 1000;
    out = run(xlate_req_o2o, o2o_in, &o);
    assert_int_equal((long)cJSON_GetNumberValue(get(out, "max_tokens")), 1000);
    cJSON_Delete(out);
}

/* ---- a2a golden cases ---------------------------------------------------------------------- */

static const char *const a2a_in =
    "{'model':'claude','max_tokens':32000,'system':[{'type':'text','text':'S',"
    "'cache_control':{'type':'ephemeral','ttl':'1h'}},{'type':'text','text':"
    "''}],'messages':[{'role':'user','content':[{'type':'text','text':'hi'},"
    "{'type':'text','text':'  '}]},{'role':'system','content':'env'},"
    "{'role':'assistant','content':[{'type':'thinking','thinking':'t',"
    "'signature':''},{'type':'redacted_thinking','data':'x'},{'type':'thinking',"
    "'thinking':'ok','signature':'sig'},{'type':'text','text':'yo',"
    "'citations':[]},{'type':'tool_use','id':'toolu_1','name':'ToolSearch',"
    "'input':{'q':1},'cache_control':{'type':'ephemeral','ttl':'5m'}}]},"
    "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1',"
    "'content':[{'type':'tool_reference','tool_name':'WebFetch'}],'cache_control':{"
    "'type':'ephemeral','ttl':'5m'}}]},{'role':'assistant','content':[{'type':"
    "'text','text':''}]},{'role':'user','content':'next'}],'tools':[{'name':"
    "'WebFetch','description':'fetch','input_schema':{'type':'object'},"
    "'defer_loading':true,'input_examples':[],'cache_control':{'type':'ephemeral',"
    "'ttl':'1h'}},{'type':'web_search_20250305','name':'web_search'}],"
    "'tool_choice':{'type':'auto','extra':1},'thinking':{'type':'adaptive',"
    "'display':'omitted'},'context_management':{'edits':[]},'output_config':{"
    "'effort':'high'},'metadata':{'user_id':'u','other':1},'safeguards':[],"
    "'stream':true,'top_k':40}";

static void test_xlate_req_a2a_zai_cleaning(void **state)
{
    (void)state;
    struct xlate_opts o = {PROVIDER_ZAI, "glm-4.6", 8192, true};
    expect_xlate(xlate_req_a2a, &o, a2a_in,
                 "{'model':'glm-4.6','max_tokens':8192,'system':[{'type':'text','text':"
                 "'S','cache_control':{'type':'ephemeral'}},{'type':'text','text':'env'}],"
                 "'messages':[{'role':'user','content':[{'type':'text','text':'hi'}]},"
                 "{'role':'assistant','content':[{'type':'thinking','thinking':'ok',"
                 "'signature':'sig'},{'type':'text','text':'yo'},{'type':'tool_use',"
                 "'id':'toolu_1','name':'ToolSearch','input':{'q':1},'cache_control':{"
                 "'type':'ephemeral'}}]},{'role':'user','content':[{'type':'tool_result',"
                 "'tool_use_id':'toolu_1','content':[{'type':'text','text':"
                 "'Tool loaded: WebFetch'}],'cache_control':{'type':'ephemeral'}}]},"
                 "{'role':'assistant','content':[{'type':'text','text':'(empty)'}]},"
                 "{'role':'user','content':[{'type':'text','text':'next'}]}],"
                 "'tools':[{'name':'WebFetch','description':'fetch','input_schema':{"
                 "'type':'object'},'cache_control':{'type':'ephemeral'}}],'tool_choice':{"
                 "'type':'auto'},'thinking':{'type':'enabled','budget_tokens':4096},"
                 "'metadata':{'user_id':'u'},'stream':true,'top_k':40}");
}

static void test_xlate_req_a2a_string_system_and_budget(void **state)
{
    (void)state;
    struct xlate_opts o = {PROVIDER_ZAI, "glm-4.6", 8192, false};
    expect_xlate(xlate_req_a2a, &o,
                 "{'model':'c','max_tokens':32000,'system':'A','messages':["
                 "{'role':'system','content':'B'},{'role':'user','content':'q'},"
                 "{'role':'user','content':'r'}],'thinking':{'type':'enabled',"
                 "'budget_tokens':10000},'stop_sequences':['X',' ']}",
                 "{'model':'glm-4.6','max_tokens':8192,'system':'A\\n\\nB','messages':"
                 "[{'role':'user','content':[{'type':'text','text':'q'},{'type':"
                 "'text','text':'r'}]}],'thinking':{'type':'enabled',"
                 "'budget_tokens':4096},'stop_sequences':['X'],'stream':false}");
    o.max_tokens_cap = 1500;
    cJSON *out = run(xlate_req_a2a,
                     "{'model':'c','max_tokens':32000,'messages':[{'role':'user',"
                     "'content':'q'}],'thinking':{'type':'enabled','budget_tokens':"
                     "10000}}",
                     &o);
    /* No budget of at least 1024 fits under 1500: thinking is dropped, not sent half-formed. */
    assert_null(cJSON_GetObjectItemCaseSensitive(out, "thinking"));
    cJSON_Delete(out);
}

static void test_xlate_req_a2a_real_anthropic_passthrough(void **state)
{
    (void)state;
    cJSON *out = run(xlate_req_a2a, a2a_in, &anthropic);
    cJSON *want = parse(a2a_in);
    cJSON_ReplaceItemInObjectCaseSensitive(want, "model", cJSON_CreateString("claude-x"));
    assert_true(cJSON_Compare(out, want, true));
    cJSON_Delete(want);
    cJSON_Delete(out);
}

/* ---- validation ---------------------------------------------------------------------------- */

struct vcase {
    const char *json;
    const char *err; /* NULL: valid */
};

static void run_vcases(bool (*fn)(const cJSON *, char *), const struct vcase *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cJSON *req = parse(c[i].json);
        char err[XLATE_ERR_LEN] = "";
        bool ok = fn(req, err);
        cJSON_Delete(req);
        if (!c[i].err && !ok)
            fail_msg("case %zu rejected: %s", i, err);
        if (c[i].err && (ok || strcmp(err, c[i].err) != 0))
            fail_msg("case %zu: want '%s', got %s '%s'", i, c[i].err, ok ? "ok" : "", err);
    }
}

#define MSG(x) "{'model':'m','messages':[" x "]"
#define USER   "{'role':'user','content':'hi'}"

static void test_xlate_req_validate_anthropic(void **state)
{
    (void)state;
    static const struct vcase cases[] = {
        {MSG(USER) "}", NULL},
        {MSG(USER) ",'max_tokens':10,'stream':true,'temperature':null}", NULL},
        {"[]", "body: expected object"},
        {"{'messages':[" USER "]}", "model: field required"},
        {"{'model':5,'messages':[" USER "]}", "model: expected non-empty string"},
        {"{'model':'m'}", "messages: field required"},
        {"{'model':'m','messages':{}}", "messages: expected array"},
        {MSG("") "}", "messages: at least one message is required"},
        {MSG("1") "}", "messages.0: expected object"},
        {MSG("{'role':'bot','content':'x'}") "}",
         "messages.0.role: expected \"user\" or \"assistant\""},
        {MSG(USER "," USER ",{'role':'user','content':null}") "}",
         "messages.2.content: expected string or array"},
        {MSG("{'role':'user','content':['x']}") "}", "messages.0.content.0: expected object"},
        {MSG("{'role':'user','content':[{'type':'text'}]}") "}",
         "messages.0.content.0: text: expected string"},
        {MSG("{'role':'user','content':[{'text':'x'}]}") "}",
         "messages.0.content.0: type: expected string"},
        {MSG("{'role':'assistant','content':[{'type':'tool_use','name':'f',"
             "'input':{}}]}") "}",
         "messages.0.content.0: id: field required"},
        {MSG("{'role':'assistant','content':[{'type':'tool_use','id':'a','name':"
             "'f','input':[]}]}") "}",
         "messages.0.content.0.input: expected object"},
        {MSG("{'role':'user','content':[{'type':'tool_result','tool_use_id':'a',"
             "'content':5}]}") "}",
         "messages.0.content.0.content: expected string or array"},
        {MSG("{'role':'user','content':[{'type':'tool_result','tool_use_id':'a',"
             "'is_error':'no'}]}") "}",
         "messages.0.content.0.is_error: expected boolean"},
        {MSG("{'role':'user','content':[{'type':'image','source':'x'}]}") "}",
         "messages.0.content.0: source: expected object"},
        {MSG(USER) ",'system':5}", "system: expected string or array"},
        {MSG(USER) ",'system':[{'type':'image'}]}", "system.0: type: expected \"text\""},
        {MSG(USER) ",'tools':{}}", "tools: expected array"},
        {MSG(USER) ",'tools':[{'description':'x'}]}", "tools.0: name: field required"},
        {MSG(USER) ",'tools':[{'name':'a','input_schema':[]}]}",
         "tools.0.input_schema: expected object"},
        {MSG(USER) ",'tool_choice':'auto'}", "tool_choice: expected object"},
        {MSG(USER) ",'tool_choice':{'type':'tool'}}", "tool_choice.name: field required"},
        {MSG(USER) ",'tool_choice':{'type':'some'}}",
         "tool_choice.type: expected one of auto, any, tool, none"},
        {MSG(USER) ",'max_tokens':0}", "max_tokens: expected integer greater than 0"},
        {MSG(USER) ",'max_tokens':1.5}", "max_tokens: expected integer greater than 0"},
        {MSG(USER) ",'max_tokens':'10'}", "max_tokens: expected integer greater than 0"},
        {MSG(USER) ",'stream':'yes'}", "stream: expected boolean"},
        {MSG(USER) ",'temperature':'hot'}", "temperature: expected number"},
        {MSG(USER) ",'stop_sequences':'x'}", "stop_sequences: expected array of strings"},
        {MSG(USER) ",'thinking':{'budget_tokens':1}}", "thinking.type: field required"},
        {MSG(USER) ",'thinking':{'type':'enabled','budget_tokens':'x'}}",
         "thinking.budget_tokens: expected integer"},
    };
    run_vcases(xlate_validate_anthropic, cases, sizeof cases / sizeof cases[0]);
}

static void test_xlate_req_validate_openai(void **state)
{
    (void)state;
    static const struct vcase cases[] = {
        {MSG(USER) "}", NULL},
        {MSG("{'role':'assistant','content':null,'tool_calls':[{'id':'c','type':"
             "'function','function':{'name':'f','arguments':'{}'}}]},{'role':"
             "'tool','tool_call_id':'c','content':'r'}") ",'stop':null,"
                                                         "'temperature':null,"
                                                         "'tools':null}",
         NULL},
        {"5", "body: expected object"},
        {MSG(USER ",{'role':'tool','content':'x'}") "}", "messages.1.tool_call_id: field required"},
        {MSG("{'role':'user','content':null}") "}", "messages.0.content: expected string or array"},
        {MSG("{'role':'critic','content':'x'}") "}",
         "messages.0.role: expected one of system, developer, user, assistant, tool"},
        {MSG("{'role':'user','content':[{'type':'text','text':1}]}") "}",
         "messages.0.content.0: text: expected string"},
        {MSG("{'role':'user','content':[{'type':'image_url','image_url':'u'}]}") "}",
         "messages.0.content.0: image_url.url: expected string"},
        {MSG("{'role':'assistant','tool_calls':'x'}") "}", "messages.0.tool_calls: expected array"},
        {MSG("{'role':'assistant','tool_calls':[{'function':{'arguments':'{}'}}]}") "}",
         "messages.0.tool_calls.0: function.name: field required"},
        {MSG("{'role':'assistant','tool_calls':[{'function':{'name':'f',"
             "'arguments':{}}}]}") "}",
         "messages.0.tool_calls.0.function.arguments: expected string"},
        {MSG(USER) ",'tools':[{'type':'function'}]}", "tools.0: function.name: field required"},
        {MSG(USER) ",'tools':[{'type':'function','function':{'name':'f',"
                   "'parameters':1}}]}",
         "tools.0.function.parameters: expected object"},
        {MSG(USER) ",'tool_choice':'maybe'}", "tool_choice: expected one of auto, none, required"},
        {MSG(USER) ",'tool_choice':{'type':'function'}}",
         "tool_choice: expected string or {type, function: {name}}"},
        {MSG(USER) ",'stop':5}", "stop: expected string or array of strings"},
        {MSG(USER) ",'max_completion_tokens':-1}",
         "max_completion_tokens: expected integer greater than 0"},
        {MSG(USER) ",'stream_options':true}", "stream_options: expected object"},
    };
    run_vcases(xlate_validate_openai, cases, sizeof cases / sizeof cases[0]);
}

/* ---- robustness ---------------------------------------------------------------------------- */

static void run_all(const cJSON *req)
{
    char err[XLATE_ERR_LEN], why[WHY_LEN];
    xlate_validate_anthropic(req, err);
    xlate_validate_openai(req, err);
    xlate_max_tokens(req, 1);
    const struct xlate_opts *to_oai[] = {&cerebras, &generic};
    const struct xlate_opts *to_anth[] = {&zai, &anthropic};
    for (size_t i = 0; i < 2; i++) {
        cJSON *out = xlate_req_a2o(req, to_oai[i], err);
        /* Whatever the input, a translation that succeeds must be acceptable upstream. */
        if (out && i == 0 && !cerebras_ok(out, why)) {
            char *in = cJSON_PrintUnformatted(req);
            fail_msg("a2o output fails Cerebras rules (%s) for %.2000s", why, in);
        }
        cJSON_Delete(out);
        cJSON_Delete(xlate_req_o2o(req, to_oai[i], err));
        out = xlate_req_a2a(req, to_anth[i], err);
        if (out && i == 0 && !zai_ok(out, why)) {
            char *in = cJSON_PrintUnformatted(req);
            fail_msg("a2a output fails Z.AI rules (%s) for %.2000s", why, in);
        }
        cJSON_Delete(out);
        out = xlate_req_o2a(req, to_anth[i], err);
        if (out && i == 0 && !zai_ok(out, why)) {
            char *in = cJSON_PrintUnformatted(req);
            fail_msg("o2a output fails Z.AI rules (%s) for %.2000s", why, in);
        }
        cJSON_Delete(out);
    }
}

static void test_xlate_req_hostile_inputs(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "null",
        "[]",
        "{}",
        "1",
        "'s'",
        "{'messages':null}",
        "{'messages':[]}",
        "{'messages':[null,1,'x',[],{}]}",
        ("{'messages':[{'role':'user','content':[null,1,[],{'type':1},{'type':"
         "'tool_result','content':{'a':1}},{'type':'image','source':[]},{'type':"
         "'tool_use','input':[1]},{'type':'tool_result','tool_use_id':5},{'type':"
         "'document','source':{'type':'content','content':7}}]}]}"),
        ("{'messages':[{'role':'assistant','content':{'x':1}}],'tools':{'a':1},"
         "'tool_choice':[],'system':{'a':1},'thinking':[],'metadata':'x',"
         "'stop_sequences':{},'max_tokens':-5,'model':[]}"),
        ("{'messages':[{'role':'assistant','tool_calls':{'a':{'function':1}}},"
         "{'role':'tool','content':[{'type':'text','text':5}]},{'role':'assistant',"
         "'tool_calls':[1,{'function':{'name':'','arguments':'[1]'}},{'id':''}]}],"
         "'tools':[{'function':[]},{'type':'function','function':{'name':'f',"
         "'parameters':[]}}],'stop':{'a':1},'tool_choice':{'function':'x'},"
         "'parallel_tool_calls':false,'max_tokens':1e300}"),
        ("{'messages':[{'role':'assistant','content':[{'type':'tool_use','id':'a b',"
         "'name':'f'},{'type':'tool_use','id':'a "
         "b','name':'f'}]},{'role':'user',"
         "'content':[{'type':'tool_result','tool_use_id':'a b'},{'type':'tool_result',"
         "'tool_use_id':'a b','content':[{'type':'tool_reference'}]}]}]}"),
        ("{'messages':[{'role':'tool','tool_call_id':'x','content':''},{'role':"
         "'assistant','content':'  ','tool_calls':[{'id':'x','function':{'name':"
         "'f','arguments':'{}'}}]}],'reasoning_effort':'max','user':5,'stop':[1,'']"
         "}"),
        ("{'messages':[{'role':'user','content':[{'type':'image_url','image_url':{"
         "'url':'data:;base64,'}},{'type':'image_url','image_url':{'url':'data:x'}}]}]"
         "}"),
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        cJSON *req = parse(inputs[i]);
        run_all(req);
        cJSON_Delete(req);
    }
}

static void test_xlate_req_deep_nesting(void **state)
{
    (void)state;
    enum { DEPTH = 900 };
    static const char head[] = "{'model':'m','messages':[{'role':'user','content':[{"
                               "'type':'tool_result','tool_use_id':'a','content':";
    static const char tail[] = "}]}],'tools':[{'name':'f','input_schema':{'x':1}}]}";
    char *s = malloc(sizeof head + sizeof tail + 2 * DEPTH + 16);
    assert_non_null(s);
    char *p = s + sprintf(s, "%s", head);
    memset(p, '[', DEPTH);
    p += DEPTH;
    memset(p, ']', DEPTH);
    p += DEPTH;
    strcpy(p, tail);
    cJSON *req = parse(s);
    free(s);
    run_all(req);
    cJSON_Delete(req);
}

/* Deterministic mutations (a fixed-seed LCG): swap random nodes of real requests for values
 * of the wrong type and check every function survives and stays within the upstream rules. */
static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static cJSON *nth_node(cJSON *root, int *k, cJSON **parent)
{
    for (cJSON *c = root->child; c; c = c->next) {
        if ((*k)-- == 0) {
            *parent = root;
            return c;
        }
        cJSON *hit = nth_node(c, k, parent);
        if (hit)
            return hit;
    }
    return NULL;
}

static cJSON *wrong_value(uint32_t r)
{
    switch (r % 7) {
    case 0:
        return cJSON_CreateNull();
    case 1:
        return cJSON_CreateNumber(-1);
    case 2:
        return cJSON_CreateString("");
    case 3:
        return cJSON_CreateArray();
    case 4:
        return cJSON_CreateObject();
    case 5:
        return cJSON_CreateTrue();
    default:
        return cJSON_CreateString(" ");
    }
}

static int count_nodes(const cJSON *n)
{
    int k = 0;
    for (const cJSON *c = n->child; c; c = c->next)
        k += 1 + count_nodes(c);
    return k;
}

#ifndef MUT_ITERS
#define MUT_ITERS 12
#endif
#ifndef MUT_SEED
#define MUT_SEED 12345u
#endif
static uint32_t seed = MUT_SEED;

static void mutate(const cJSON *body, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        cJSON *req = cJSON_Duplicate(body, 1);
        for (int j = 0; j < 3; j++) {
            int k = (int)(lcg(&seed) % (uint32_t)count_nodes(req));
            cJSON *parent = NULL;
            cJSON *victim = nth_node(req, &k, &parent);
            cJSON *v = wrong_value(lcg(&seed));
            if (victim->string)
                v->string = strdup(victim->string);
            cJSON_ReplaceItemViaPointer(parent, victim, v);
        }
        run_all(req);
        cJSON_Delete(req);
    }
}

static void mutate_fixture(const char *name, const cJSON *body, bool count_tokens)
{
    (void)name;
    (void)count_tokens;
    mutate(body, MUT_ITERS);
}

static void test_xlate_req_mutated_fixtures(void **state)
{
    (void)state;
    assert_true(for_each_fixture(mutate_fixture) >= 10);
}

/* The golden inputs cover block kinds the recordings lack (thinking, images, documents). */
static void test_xlate_req_mutated_golden_inputs(void **state)
{
    (void)state;
    static const char *const extra =
        "{'model':'m','max_tokens':5000,'thinking':{'type':'enabled',"
        "'budget_tokens':2000},'messages':[{'role':'user','content':[{'type':"
        "'image','source':{'type':'base64','media_type':'image/png','data':"
        "'AA'}},{'type':'document','source':{'type':'text','data':'d'}}]},"
        "{'role':'assistant','content':[{'type':'thinking','thinking':'t',"
        "'signature':'s'},{'type':'tool_use','id':'x','name':'f',"
        "'input':{}}]},{'role':'user','content':[{'type':'tool_result',"
        "'tool_use_id':'x','content':[{'type':'text','text':'r'},{'type':"
        "'image','source':{'type':'url','url':'u'}}]}]}],'tool_choice':{"
        "'type':'auto'},'tools':[{'name':'f','input_schema':{}}]}";
    const char *const inputs[] = {a2a_in, o2o_in, tools_in, extra};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        cJSON *req = parse(inputs[i]);
        mutate(req, MUT_ITERS * 10);
        cJSON_Delete(req);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlate_req_a2o_system_folded_and_text_joined),
        cmocka_unit_test(test_xlate_req_a2o_images_and_documents),
        cmocka_unit_test(test_xlate_req_a2o_tool_results_follow_their_calls),
        cmocka_unit_test(test_xlate_req_a2o_unanswered_calls_are_closed),
        cmocka_unit_test(test_xlate_req_a2o_tools_cleaned_for_cerebras),
        cmocka_unit_test(test_xlate_req_a2o_tool_choice_modes),
        cmocka_unit_test(test_xlate_req_a2o_reasoning_effort),
        cmocka_unit_test(test_xlate_req_a2o_history_reasoning),
        cmocka_unit_test(test_xlate_req_a2o_params_and_dropped_fields),
        cmocka_unit_test(test_xlate_req_a2o_structured_output),
        cmocka_unit_test(test_xlate_req_a2o_long_tool_names),
        cmocka_unit_test(test_xlate_req_o2a_response_format_as_tool),
        cmocka_unit_test(test_xlate_req_a2o_long_user_id_is_cut),
        cmocka_unit_test(test_xlate_req_o2a_conversation),
        cmocka_unit_test(test_xlate_req_o2a_params),
        cmocka_unit_test(test_xlate_req_o2a_defaults_and_mappings),
        cmocka_unit_test(test_xlate_req_o2a_real_anthropic_thinking_drops_sampling),
        cmocka_unit_test(test_xlate_req_o2a_first_turn_and_empty),
        cmocka_unit_test(test_xlate_req_o2o_cerebras_whitelist),
        cmocka_unit_test(test_xlate_req_o2o_generic_light_touch),
        cmocka_unit_test(test_xlate_req_a2a_zai_cleaning),
        cmocka_unit_test(test_xlate_req_a2a_string_system_and_budget),
        cmocka_unit_test(test_xlate_req_a2a_real_anthropic_passthrough),
        cmocka_unit_test(test_xlate_req_validate_anthropic),
        cmocka_unit_test(test_xlate_req_validate_openai),
        cmocka_unit_test(test_xlate_req_fixtures_pass_strict_validators),
        cmocka_unit_test(test_xlate_req_round_trip_keeps_text_and_ids),
        cmocka_unit_test(test_xlate_req_hostile_inputs),
        cmocka_unit_test(test_xlate_req_deep_nesting),
        cmocka_unit_test(test_xlate_req_mutated_fixtures),
        cmocka_unit_test(test_xlate_req_mutated_golden_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
