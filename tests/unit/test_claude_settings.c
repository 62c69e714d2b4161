/* Unit tests for claude_settings: merging switchboard's keys into Claude Code's settings and
 * taking them out again, as text transforms and on files in a temporary HOME. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <cJSON.h>

#include "app/claude_settings.h"

static const struct claude_setting items[] = {
    {"env", "ANTHROPIC_BASE_URL", "http://127.0.0.1:4000", false},
    {"env", "ANTHROPIC_AUTH_TOKEN", "sk-secret-abcd", true},
};
static const struct claude_setting onboard[] = {{NULL, "hasCompletedOnboarding", NULL, false}};

static const struct claude_conf conf = {
    .url = "http://127.0.0.1:4000",
    .token = "sk-secret-wxyz",
    .opus = "glm-4.6",
    .sonnet = "glm-4.6",
    .haiku = "glm-4.5-air",
};

static char home[64];

static const char *env_str(const cJSON *root, const char *key)
{
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(root, "env");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(env, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_claude_settings_apply_new(void **st)
{
    (void)st;
    char *out = NULL;
    bool changed[2];
    assert_int_equal(claude_settings_apply(NULL, items, 2, &out, changed), 0);
    assert_non_null(out);
    assert_true(changed[0] && changed[1]);
    cJSON *root = cJSON_Parse(out);
    assert_string_equal(env_str(root, "ANTHROPIC_BASE_URL"), "http://127.0.0.1:4000");
    assert_string_equal(env_str(root, "ANTHROPIC_AUTH_TOKEN"), "sk-secret-abcd");
    assert_null(strchr(out, '\t'));
    assert_int_equal(out[strlen(out) - 1], '\n');
    cJSON_Delete(root);
    free(out);

    assert_int_equal(claude_settings_apply(NULL, onboard, 1, &out, changed), 0);
    root = cJSON_Parse(out);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "hasCompletedOnboarding")));
    cJSON_Delete(root);
    free(out);
}

static void test_claude_settings_apply_keeps_other_keys(void **st)
{
    (void)st;
    const char *text = "{\"model\":\"opus\",\"env\":{\"FOO\":\"bar\",\"ANTHROPIC_BASE_URL\":\"x\"},"
                       "\"permissions\":{\"allow\":[\"Bash(ls)\"]},\"n\":12345678901}";
    char *out = NULL;
    bool changed[2];
    assert_int_equal(claude_settings_apply(text, items, 2, &out, changed), 0);
    cJSON *root = cJSON_Parse(out);
    assert_non_null(root);
    assert_string_equal(cJSON_GetObjectItem(root, "model")->valuestring, "opus");
    assert_string_equal(env_str(root, "FOO"), "bar");
    assert_string_equal(env_str(root, "ANTHROPIC_BASE_URL"), "http://127.0.0.1:4000");
    const cJSON *allow = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "permissions"), "allow");
    assert_string_equal(cJSON_GetArrayItem(allow, 0)->valuestring, "Bash(ls)");
    assert_true(cJSON_GetObjectItem(root, "n")->valuedouble == 12345678901.0);
    cJSON_Delete(root);
    free(out);
}

static void test_claude_settings_apply_refuses_malformed(void **st)
{
    (void)st;
    const char *bad[] = {"{not json", "[1,2]", "{\"env\": 3}", "{\"a\":1} trailing", "\"str\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out = (char *)1;
        bool changed[2];
        assert_int_equal(claude_settings_apply(bad[i], items, 2, &out, changed), -EINVAL);
        assert_null(out);
    }
    char *out = NULL;
    bool changed[2];
    assert_int_equal(claude_settings_apply("  \n", items, 2, &out, changed), 0);
    assert_non_null(out);
    free(out);
}

static void test_claude_settings_apply_idempotent(void **st)
{
    (void)st;
    char *once = NULL, *twice = (char *)1;
    bool changed[2];
    assert_int_equal(claude_settings_apply("{\"a\":[1]}", items, 2, &once, changed), 0);
    assert_int_equal(claude_settings_apply(once, items, 2, &twice, changed), 0);
    assert_null(twice);
    assert_false(changed[0] || changed[1]);
    free(once);
}

static void test_claude_settings_apply_duplicate_keys(void **st)
{
    (void)st;
    const char *text = "{\"env\":{\"ANTHROPIC_BASE_URL\":\"a\",\"ANTHROPIC_BASE_URL\":\"b\"}}";
    char *out = NULL;
    bool changed[2];
    assert_int_equal(claude_settings_apply(text, items, 2, &out, changed), 0);
    char *first = strstr(out, "ANTHROPIC_BASE_URL");
    assert_non_null(first);
    assert_null(strstr(first + 1, "ANTHROPIC_BASE_URL"));
    free(out);
}

static void test_claude_settings_revert(void **st)
{
    (void)st;
    const char *orig = "{\"a\":1,   \"env\":{\"X\":\"y\",\"ANTHROPIC_BASE_URL\":\"old\"}}\n";
    char *applied = NULL, *out = NULL;
    bool changed[2], remove = true;
    assert_int_equal(claude_settings_apply(orig, items, 2, &applied, changed), 0);
    /* unchanged since: the original bytes come back */
    assert_int_equal(claude_settings_revert(applied, orig, items, 2, &out, &remove), 0);
    assert_false(remove);
    assert_string_equal(out, orig);
    free(out);
    /* the file did not exist: our keys go, and the file with them */
    assert_int_equal(claude_settings_revert(applied, NULL, items, 2, &out, &remove), 0);
    assert_non_null(out); /* "a" and env.X are not ours */
    free(out);
    char *fresh = NULL;
    assert_int_equal(claude_settings_apply(NULL, items, 2, &fresh, changed), 0);
    assert_int_equal(claude_settings_revert(fresh, "", items, 2, &out, &remove), 0);
    assert_true(remove);
    assert_null(out);
    free(fresh);
    /* deleted since: the original is restored */
    assert_int_equal(claude_settings_revert(NULL, orig, items, 2, &out, &remove), 0);
    assert_string_equal(out, orig);
    free(out);
    free(applied);
}

static void test_claude_settings_revert_keeps_later_changes(void **st)
{
    (void)st;
    const char *orig = "{\"env\":{\"ANTHROPIC_BASE_URL\":\"old\"}}";
    const char *later =
        "{\"env\":{\"ANTHROPIC_BASE_URL\":\"http://127.0.0.1:4000\","
        "\"ANTHROPIC_AUTH_TOKEN\":\"sk-secret-abcd\",\"NEW\":\"1\"},\"theme\":\"dark\"}";
    char *out = NULL;
    bool remove;
    assert_int_equal(claude_settings_revert(later, orig, items, 2, &out, &remove), 0);
    cJSON *root = cJSON_Parse(out);
    assert_string_equal(env_str(root, "ANTHROPIC_BASE_URL"), "old");
    assert_null(env_str(root, "ANTHROPIC_AUTH_TOKEN"));
    assert_string_equal(env_str(root, "NEW"), "1");
    assert_string_equal(cJSON_GetObjectItem(root, "theme")->valuestring, "dark");
    cJSON_Delete(root);
    free(out);
    assert_int_equal(claude_settings_revert("{oops", orig, items, 2, &out, &remove), -EINVAL);
}

/* ---- files ---- */

static char *slurp(const char *rel)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", home, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = calloc(1, 1 << 16);
    size_t n = fread(s, 1, (1 << 16) - 1, f);
    s[n] = '\0';
    fclose(f);
    return s;
}

static void spit(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", home, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static bool exists(const char *rel)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", home, rel);
    return stat(path, &st) == 0;
}

static int setup_home(void **st)
{
    (void)st;
    strcpy(home, "/tmp/sb_claude_XXXXXX");
    return mkdtemp(home) ? 0 : -1;
}

static int teardown_home(void **st)
{
    (void)st;
    const char *files[] = {".claude/settings.json", ".claude/settings.json.switchboard-backup",
                           ".claude.json", ".claude.json.switchboard-backup"};
    char path[256];
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", home, files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/.claude", home);
    rmdir(path);
    rmdir(home);
    return 0;
}

/* Runs install or uninstall with output captured into *text (caller frees). */
static int run(bool undo, char **text)
{
    size_t len;
    FILE *out = open_memstream(text, &len);
    int rc = undo ? claude_settings_uninstall(home, out, out)
                  : claude_settings_install(home, &conf, out, out);
    fclose(out);
    return rc;
}

static void test_claude_settings_files_new_and_undo(void **st)
{
    (void)st;
    char *msg;
    assert_int_equal(run(false, &msg), 0);
    assert_non_null(strstr(msg, "ANTHROPIC_BASE_URL = http://127.0.0.1:4000"));
    assert_non_null(strstr(msg, "****wxyz"));
    assert_null(strstr(msg, "sk-secret"));
    free(msg);
    char path[256];
    struct stat sb;
    snprintf(path, sizeof path, "%s/.claude/settings.json", home);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    char *s = slurp(".claude/settings.json");
    cJSON *root = cJSON_Parse(s);
    assert_string_equal(env_str(root, "ANTHROPIC_DEFAULT_HAIKU_MODEL"), "glm-4.5-air");
    assert_string_equal(env_str(root, "API_TIMEOUT_MS"), "3000000");
    assert_string_equal(env_str(root, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"), "1");
    cJSON_Delete(root);
    free(s);
    assert_true(exists(".claude.json.switchboard-backup"));

    assert_int_equal(run(false, &msg), 0);
    assert_non_null(strstr(msg, "nothing changed"));
    free(msg);

    assert_int_equal(run(true, &msg), 0);
    assert_non_null(strstr(msg, "removed"));
    free(msg);
    assert_false(exists(".claude/settings.json"));
    assert_false(exists(".claude.json"));
    assert_false(exists(".claude.json.switchboard-backup"));
    assert_int_equal(run(true, &msg), 0);
    assert_non_null(strstr(msg, "nothing to undo"));
    free(msg);
}

static void test_claude_settings_files_existing_restored_exactly(void **st)
{
    (void)st;
    const char *settings = "{\n    \"model\": \"opus\",\n    \"env\": {\"FOO\": \"bar\"}\n}\n";
    const char *cj = "{\"numStartups\": 3, \"hasCompletedOnboarding\": false}";
    char path[256], *msg;
    snprintf(path, sizeof path, "%s/.claude", home);
    mkdir(path, 0700);
    spit(".claude/settings.json", settings);
    spit(".claude.json", cj);
    assert_int_equal(run(false, &msg), 0);
    free(msg);
    char *s = slurp(".claude/settings.json");
    cJSON *root = cJSON_Parse(s);
    assert_string_equal(env_str(root, "FOO"), "bar");
    assert_string_equal(cJSON_GetObjectItem(root, "model")->valuestring, "opus");
    cJSON_Delete(root);
    free(s);
    /* a second run keeps the first backup: the original */
    assert_int_equal(run(false, &msg), 0);
    free(msg);
    s = slurp(".claude/settings.json.switchboard-backup");
    assert_string_equal(s, settings);
    free(s);
    assert_int_equal(run(true, &msg), 0);
    free(msg);
    s = slurp(".claude/settings.json");
    assert_string_equal(s, settings);
    free(s);
    s = slurp(".claude.json");
    assert_string_equal(s, cj);
    free(s);
    assert_false(exists(".claude/settings.json.switchboard-backup"));
}

static void test_claude_settings_files_malformed_untouched(void **st)
{
    (void)st;
    char path[256], *msg;
    snprintf(path, sizeof path, "%s/.claude", home);
    mkdir(path, 0700);
    spit(".claude/settings.json", "{\"env\": {\"A\": 1},,}");
    assert_int_equal(run(false, &msg), -EINVAL);
    assert_non_null(strstr(msg, "not a valid JSON object"));
    free(msg);
    char *s = slurp(".claude/settings.json");
    assert_string_equal(s, "{\"env\": {\"A\": 1},,}");
    free(s);
    assert_false(exists(".claude.json"));
    assert_false(exists(".claude/settings.json.switchboard-backup"));
    assert_false(exists(".claude.json.switchboard-backup"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claude_settings_apply_new),
        cmocka_unit_test(test_claude_settings_apply_keeps_other_keys),
        cmocka_unit_test(test_claude_settings_apply_refuses_malformed),
        cmocka_unit_test(test_claude_settings_apply_idempotent),
        cmocka_unit_test(test_claude_settings_apply_duplicate_keys),
        cmocka_unit_test(test_claude_settings_revert),
        cmocka_unit_test(test_claude_settings_revert_keeps_later_changes),
        cmocka_unit_test_setup_teardown(test_claude_settings_files_new_and_undo, setup_home,
                                        teardown_home),
        cmocka_unit_test_setup_teardown(test_claude_settings_files_existing_restored_exactly,
                                        setup_home, teardown_home),
        cmocka_unit_test_setup_teardown(test_claude_settings_files_malformed_untouched, setup_home,
                                        teardown_home),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
