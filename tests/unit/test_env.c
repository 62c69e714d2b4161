/* Unit tests for env: the .env parser, on temp files; variables already set always win, and
 * the environment is never written (a reload runs beside threads calling getenv). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/env.h"

static char path[64];
static struct env_vars *vars;

/* Writes n bytes to a fresh temp file whose name is left in path. */
static void write_env_n(const char *text, size_t n)
{
    strcpy(path, "/tmp/sb_env_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
}

static void write_env(const char *text)
{
    write_env_n(text, strlen(text));
}

static int teardown(void **st)
{
    (void)st;
    if (path[0])
        unlink(path);
    path[0] = '\0';
    env_vars_free(vars);
    vars = NULL;
    return 0;
}

/* Reads the temp file into vars; returns how many variables it holds, or the error. */
static int load(const char *p)
{
    int err = 0;
    env_vars_free(vars);
    vars = env_vars_read(p, &err);
    return vars ? (int)env_vars_count(vars) : err;
}

static void check(const char *name, const char *want)
{
    const char *got = env_lookup(vars, name);
    if (!got || strcmp(got, want))
        fail_msg("%s: want '%s', got '%s'", name, want, got ? got : "(unset)");
}

static void test_env_forms(void **st)
{
    (void)st;
    write_env("# a comment\n"
              "\n"
              "SBE_PLAIN=abc\n"
              "export SBE_EXPORTED=yes\n"
              "  SBE_SPACES = padded value  \n"
              "SBE_SQ='single # not a comment \\n'\n"
              "SBE_DQ=\"line1\\nline2 \\\"q\\\" \\\\ \\$\"\n"
              "SBE_INLINE=value # trailing comment\n"
              "SBE_HASH=a#b\n"
              "SBE_EMPTY=\n"
              "SBE_ONLY_COMMENT= # nothing\n"
              "SBE_CRLF=dos\r\n"
              "SBE_URL=https://x.example/a?b=c&d=e\n"
              "SBE_EQ=a=b=c\n"
              "SBE_LAST=no newline");
    assert_int_equal(load(path), 13);
    assert_null(getenv("SBE_PLAIN")); /* the environment is left alone */
    check("SBE_PLAIN", "abc");
    check("SBE_EXPORTED", "yes");
    check("SBE_SPACES", "padded value");
    check("SBE_SQ", "single # not a comment \\n");
    check("SBE_DQ", "line1\nline2 \"q\" \\ $");
    check("SBE_INLINE", "value");
    check("SBE_HASH", "a#b");
    check("SBE_EMPTY", "");
    check("SBE_ONLY_COMMENT", "");
    check("SBE_CRLF", "dos");
    check("SBE_URL", "https://x.example/a?b=c&d=e");
    check("SBE_EQ", "a=b=c");
    check("SBE_LAST", "no newline");
}

static void test_env_no_override(void **st)
{
    (void)st;
    setenv("SBE_SET", "from-environment", 1);
    setenv("SBE_SET_EMPTY", "", 1);
    unsetenv("SBE_NEW");
    write_env("SBE_SET=from-file\nSBE_SET_EMPTY=from-file\nSBE_NEW=new\nSBE_NEW=second\n");
    assert_int_equal(load(path), 3);
    check("SBE_SET", "from-environment");
    check("SBE_SET_EMPTY", "");
    check("SBE_NEW", "new"); /* the first of duplicates */
    assert_string_equal(env_vars_get(vars, "SBE_SET"), "from-file");
    assert_null(getenv("SBE_NEW"));
    /* The file changed: a second read sees the new value (a reload picks it up). */
    write_env("SBE_NEW=changed\n");
    assert_int_equal(load(path), 1);
    check("SBE_NEW", "changed");
    assert_null(env_lookup(NULL, "SBE_NOT_ANYWHERE"));
    check("SBE_SET", "from-environment");
}

static void test_env_malformed_lines_skipped(void **st)
{
    (void)st;
    unsetenv("SBE_GOOD");
    unsetenv("SBE_GOOD2");
    static const char text[] = "no equals sign here\n"
                               "=no key\n"
                               "1BAD=starts with digit\n"
                               "BAD-DASH=x\n"
                               "SBE_OPEN=\"unterminated\n"
                               "SBE_OPEN1='unterminated\n"
                               "export\n"
                               "SBE_GOOD=ok\n"
                               "SBE_NUL=a\0b\n"
                               "SBE_GOOD2=also ok\n";
    write_env_n(text, sizeof(text) - 1);
    assert_int_equal(load(path), 2);
    check("SBE_GOOD", "ok");
    check("SBE_GOOD2", "also ok");
    assert_null(env_lookup(vars, "SBE_OPEN"));
    assert_null(env_lookup(vars, "SBE_OPEN1"));
    assert_null(env_lookup(vars, "BAD-DASH"));
    assert_null(env_lookup(vars, "SBE_NUL"));
}

static void test_env_missing_and_unreadable(void **st)
{
    (void)st;
    assert_int_equal(load("/nonexistent/dir/.env"), 0);
    assert_int_equal(load("/tmp"), -EISDIR);
    write_env("");
    assert_int_equal(load(path), 0);
}

static void test_env_long_line(void **st)
{
    size_t n = 100 * 1024;
    char *big = malloc(n + 32);

    (void)st;
    assert_non_null(big);
    strcpy(big, "SBE_BIG=");
    memset(big + 8, 'x', n);
    strcpy(big + 8 + n, "\nSBE_AFTER=1\n");
    unsetenv("SBE_BIG");
    write_env(big);
    free(big);
    /* Over the line cap: skipped, and the next line still loads. */
    assert_int_equal(load(path), 1);
    assert_null(env_lookup(vars, "SBE_BIG"));
    check("SBE_AFTER", "1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_env_forms, teardown),
        cmocka_unit_test_teardown(test_env_no_override, teardown),
        cmocka_unit_test_teardown(test_env_malformed_lines_skipped, teardown),
        cmocka_unit_test_teardown(test_env_missing_and_unreadable, teardown),
        cmocka_unit_test_teardown(test_env_long_line, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
