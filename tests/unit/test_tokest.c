/* Unit tests for the conservative token estimator (tokest): it must never fall below the
 * common bytes/4 rule (with margin), count every part of a request, and survive junk. */
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cJSON.h>

#include "core/tokest.h"

#ifndef FIXTURES_DIR
#error "compile with -DFIXTURES_DIR=\"<repo>/tests/fixtures\""
#endif

static cJSON *parse(const char *s)
{
    cJSON *v = cJSON_Parse(s);
    if (!v)
        fail_msg("test JSON does not parse: %s", s);
    return v;
}

static long est(const char *s)
{
    return tokest_text(s, strlen(s));
}

/* At least 1.2x the bytes/4 rule of thumb, rounded up. */
static void assert_margin(long got, size_t bytes)
{
    long floor_est = (long)((double)bytes / 4.0 * 1.2);
    if (got < floor_est)
        fail_msg("estimate %ld below 1.2 x bytes/4 = %ld", got, floor_est);
}

static void test_tokest_text_basics(void **state)
{
    (void)state;
    assert_int_equal(tokest_text(NULL, 0), 0);
    assert_int_equal(tokest_text("", 0), 0);
    assert_true(est("hi") >= 1);
    /* Only n bytes are read. */
    assert_int_equal(tokest_text("abcdefghijkl", 3), est("abc"));
    assert_true(est("hello world, this is a longer sentence") > est("hello world"));
}

static void test_tokest_text_is_conservative(void **state)
{
    (void)state;
    static const char *const samples[] = {
        "The quick brown fox jumps over the lazy dog and keeps running until nightfall.",
        ("{\"type\":\"object\",\"properties\":{\"url\":{\"type\":\"string\",\"format\":\"uri\"}},"
         "\"required\":[\"url\"],\"additionalProperties\":false}"),
        "static int f(const char *p) { return p && *p == '{' ? 1 : -EINVAL; }",
        "/usr/local/lib/python3.11/site-packages/foo/bar_baz.py:123:45: E501",
        "\xe4\xbd\xa0\xe5\xa5\xbd\xef\xbc\x8c\xe4\xb8\x96\xe7\x95\x8c\xef\xbc\x81",
        "a b c d e f g h i j k l m n o p",
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        assert_margin(est(samples[i]), strlen(samples[i]));
    /* Short words are a token each: 16 one-letter words are at least 16 tokens. */
    assert_true(est(samples[5]) >= 16);
    /* CJK: at least one token per 3-byte character (6 characters). */
    assert_true(est(samples[4]) >= 6);
}

static void test_tokest_request_counts_every_part(void **state)
{
    (void)state;
    cJSON *base = parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    long b = tokest_request(base, API_ANTHROPIC);
    assert_true(b > 0);
    static const char *const more[] = {
        "{\"model\":\"m\",\"system\":\"You are a careful assistant.\",\"messages\":[{\"role\":"
        "\"user\",\"content\":\"hi\"}]}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{"
        "\"name\":\"Bash\",\"input_schema\":{\"type\":\"object\"}}]}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
        "\"text\":\"hi\"},{\"type\":\"tool_result\",\"tool_use_id\":\"a\",\"content\":\"output "
        "of the command\"}]}]}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":"
        "\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"a\",\"name\":\"Bash\","
        "\"input\":{\"command\":\"ls -la\"}}]}]}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":"
        "\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"let me think\","
        "\"signature\":\"s\"}]}]}",
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        cJSON *req = parse(more[i]);
        assert_true(tokest_request(req, API_ANTHROPIC) > b);
        cJSON_Delete(req);
    }
    cJSON_Delete(base);
}

static void test_tokest_request_images_count_large(void **state)
{
    (void)state;
    cJSON *req = parse("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\","
                       "\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":"
                       "\"AAAA\"}}]}]}");
    assert_true(tokest_request(req, API_ANTHROPIC) >= 1000);
    cJSON_Delete(req);
    req = parse("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                "\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}}]}]}");
    assert_true(tokest_request(req, API_OPENAI) >= 1000);
    cJSON_Delete(req);
}

static void test_tokest_request_openai(void **state)
{
    (void)state;
    cJSON *req = parse(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
        "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"list files\"}]},"
        "{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"need ls\","
        "\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"Bash\","
        "\"arguments\":\"{\\\"command\\\":\\\"ls\\\"}\"}}]},{\"role\":\"tool\","
        "\"tool_call_id\":\"c\",\"content\":\"a.txt b.txt\"}],\"tools\":[{\"type\":\"function\","
        "\"function\":{\"name\":\"Bash\",\"parameters\":{\"type\":\"object\"}}}]}");
    char *tools = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(req, "tools"));
    size_t text = strlen("Be brief.list filesneed lsBash{\"command\":\"ls\"}a.txt b.txt");
    long n = tokest_request(req, API_OPENAI);
    assert_margin(n, text + strlen(tools));
    free(tools);
    /* Without the assistant turn the estimate drops. */
    cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(req, "messages"), 2);
    assert_true(tokest_request(req, API_OPENAI) < n);
    cJSON_Delete(req);
}

static void test_tokest_request_junk(void **state)
{
    (void)state;
    assert_int_equal(tokest_request(NULL, API_ANTHROPIC), 0);
    static const char *const junk[] = {
        "[]",
        "5",
        "{\"messages\":{}}",
        "{\"messages\":[1,null,{\"content\":5}]}",
        ("{\"messages\":[{\"role\":\"user\",\"content\":[1,{\"type\":5},{\"type\":\"document\","
         "\"source\":[]},{\"type\":\"tool_result\",\"content\":[[[[{\"type\":\"text\"}]]]]}]}],"
         "\"system\":[{\"text\":1}],\"tools\":{}}"),
        "{\"messages\":[{\"tool_calls\":[1,{\"function\":[]}],\"content\":[{}]}],\"tools\":[1]}",
    };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        cJSON *req = parse(junk[i]);
        assert_true(tokest_request(req, API_ANTHROPIC) >= 0);
        assert_true(tokest_request(req, API_OPENAI) >= 0);
        cJSON_Delete(req);
    }
}

/* ---- recorded Claude Code requests ------------------------------------------------------- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *p = NULL;
    size_t n = 0, got;
    char chunk[65536];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        char *q = realloc(p, n + got + 1);
        assert_non_null(q);
        p = q;
        memcpy(p + n, chunk, got);
        n += got;
        p[n] = '\0';
    }
    fclose(f);
    return p;
}

/* Bytes of the text a tokenizer sees: message texts, tool results, serialized tools. */
static size_t text_bytes(const cJSON *body)
{
    size_t n = 0;
    const cJSON *m, *b;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(body, "messages"))
    {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "content");
        const cJSON *list = cJSON_IsArray(c) ? c : NULL;
        if (cJSON_IsString(c))
            n += strlen(c->valuestring);
        cJSON_ArrayForEach(b, list)
        {
            char *s = cJSON_PrintUnformatted(b);
            n += strlen(s);
            free(s);
        }
    }
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(body, "tools"))
    {
        char *s = cJSON_PrintUnformatted(b);
        n += strlen(s);
        free(s);
    }
    return n;
}

static void test_tokest_fixtures_are_conservative(void **state)
{
    (void)state;
    DIR *d = opendir(FIXTURES_DIR "/claude-code");
    assert_non_null(d);
    int counted = 0;
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
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(doc, "body");
        const char *p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "path"));
        long n = tokest_request(body, API_ANTHROPIC);
        assert_true(n > 0);
        if (p && strstr(p, "count_tokens")) {
            assert_margin(n, text_bytes(body));
            counted++;
        } else {
            /* Whole body, including metadata and system, still under the estimate. */
            char *s = cJSON_PrintUnformatted(body);
            assert_true(n >= (long)(strlen(s) / 4));
            free(s);
        }
        cJSON_Delete(doc);
    }
    closedir(d);
    assert_true(counted >= 3);
}

/* The estimate of a text, written out again here as the reference for the next test. */
static double ref_text_est(const char *s)
{
    size_t n = strlen(s), words = 0, alnum = 0, symbols = 0, high = 0;
    int in_word = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int space = isspace(c) != 0;
        words += !space && !in_word;
        in_word = !space;
        if (c >= 0x80)
            high++;
        else if (isalnum(c))
            alnum++;
        else if (!space)
            symbols++;
    }
    if (n == 0)
        return 0;
    double a = (double)n / 3.0, b = (double)words * 1.4;
    double k = (double)alnum / 4.0 + (double)symbols * 0.7 + (double)high / 2.5;
    double e = a > b ? a : b;
    return e > k ? e : k;
}

/* JSON parts (tool definitions, tool inputs, unknown blocks) are estimated without printing
 * them; the figure must be exactly the estimate of cJSON's unformatted text. Each value is
 * repeated so that even a one-character difference shows after rounding. */
static void check_json_estimate(const cJSON *value)
{
    enum { COPIES = 300 };
    cJSON *req = cJSON_CreateObject(), *tools = cJSON_AddArrayToObject(req, "tools");
    for (int i = 0; i < COPIES; i++)
        cJSON_AddItemToArray(tools, cJSON_Duplicate(value, 1));
    char *text = cJSON_PrintUnformatted(value);
    double want = 8.0; /* per request */
    for (int i = 0; i < COPIES; i++)
        want += 10.0 + (text ? ref_text_est(text) : 0); /* per tool */
    long got = tokest_request(req, API_ANTHROPIC);
    if (got != (long)ceil(want))
        fail_msg("estimate %ld, want %ld for %.200s", got, (long)ceil(want), text ? text : "?");
    free(text);
    cJSON_Delete(req);
}

static void test_tokest_json_matches_printed_text(void **state)
{
    (void)state;
    static const char *const values[] = {
        "{}",
        "[]",
        "null",
        "true",
        "false",
        "0",
        "-0",
        "1e308",
        "-1.5e-300",
        "3.141592653589793",
        "0.1",
        "123456789012345678",
        "2147483647",
        "-2147483648",
        "4294967296",
        "\"\"",
        "\"a b  c\"",
        "\"\\u0000x\"",
        "\"\\u0001\\u001f\\u007f\"",
        "\"tab\\tnl\\ncr\\rff\\fbs\\b\\\\q\\\"\"",
        "\"h\u00e9llo \u4e16\u754c \\ud83d\\ude00\"",
        "{\"\":\"\",\"k\\n\":[1,{\"x\":[[],{}]},null]}",
        "{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\","
        "\"description\":\"The command\\nto run \\\"quoted\\\"\"}},\"required\":[\"command\"]}",
    };
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        cJSON *v = parse(values[i]);
        check_json_estimate(v);
        cJSON_Delete(v);
    }
    /* Every tool of a real Claude Code request. */
    char *text = slurp(FIXTURES_DIR "/claude-code/tool_bash-01.json");
    assert_non_null(text);
    cJSON *doc = parse(text);
    free(text);
    const cJSON *tool;
    int n = 0;
    cJSON_ArrayForEach(tool, cJSON_GetObjectItemCaseSensitive(
                                 cJSON_GetObjectItemCaseSensitive(doc, "body"), "tools"))
    {
        check_json_estimate(tool);
        n++;
    }
    assert_true(n > 5);
    cJSON_Delete(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokest_text_basics),
        cmocka_unit_test(test_tokest_text_is_conservative),
        cmocka_unit_test(test_tokest_request_counts_every_part),
        cmocka_unit_test(test_tokest_request_images_count_large),
        cmocka_unit_test(test_tokest_request_openai),
        cmocka_unit_test(test_tokest_request_junk),
        cmocka_unit_test(test_tokest_fixtures_are_conservative),
        cmocka_unit_test(test_tokest_json_matches_printed_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
