/* Unit tests for cfgutil: scalar parsing, env references, URL hosts, provider rules, globs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <cmocka.h>

#include "config/cfgutil.h"

static void test_cfgutil_parse_long(void **st)
{
    long v = 0;

    (void)st;
    assert_int_equal(cfgutil_parse_long("150000", &v), 0);
    assert_int_equal(v, 150000);
    assert_int_equal(cfgutil_parse_long("150_000", &v), 0);
    assert_int_equal(v, 150000);
    assert_int_equal(cfgutil_parse_long("-5", &v), 0);
    assert_int_equal(v, -5);
    assert_int_equal(cfgutil_parse_long("+7", &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(cfgutil_parse_long("-9223372036854775808", &v), 0);
    assert_true(v == LONG_MIN);
    assert_int_equal(cfgutil_parse_long("9223372036854775808", &v), -ERANGE);
    assert_int_equal(cfgutil_parse_long("99999999999999999999", &v), -ERANGE);
    static const char *const bad[] = {"",   "-",  "abc",  "0.5", "1e3",
                                      "_1", "1_", "1__0", " 1",  "0x10"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(cfgutil_parse_long(bad[i], &v), -EINVAL);
}

static void test_cfgutil_parse_double_bool_size(void **st)
{
    double d = 0;
    bool b = false;
    size_t sz = 0;

    (void)st;
    assert_int_equal(cfgutil_parse_double("2.5", &d), 0);
    assert_true(d == 2.5);
    assert_int_equal(cfgutil_parse_double("1e3", &d), 0);
    assert_true(d == 1000);
    assert_int_equal(cfgutil_parse_double("inf", &d), -EINVAL);
    assert_int_equal(cfgutil_parse_double("nan", &d), -EINVAL);
    assert_int_equal(cfgutil_parse_double("0x10", &d), -EINVAL);
    assert_int_equal(cfgutil_parse_double("1e999", &d), -EINVAL);
    assert_int_equal(cfgutil_parse_double("", &d), -EINVAL);
    assert_int_equal(cfgutil_parse_double("1.2.3", &d), -EINVAL);

    assert_int_equal(cfgutil_parse_bool("Yes", &b), 0);
    assert_true(b);
    assert_int_equal(cfgutil_parse_bool("off", &b), 0);
    assert_false(b);
    assert_int_equal(cfgutil_parse_bool("1", &b), -EINVAL);

    assert_int_equal(cfgutil_parse_size("32MiB", &sz), 0);
    assert_int_equal(sz, 32u << 20);
    assert_int_equal(cfgutil_parse_size("32MB", &sz), 0);
    assert_int_equal(sz, 32u << 20);
    assert_int_equal(cfgutil_parse_size("512 kb", &sz), 0);
    assert_int_equal(sz, 512u << 10);
    assert_int_equal(cfgutil_parse_size("1048576", &sz), 0);
    assert_int_equal(sz, 1048576);
    assert_int_equal(cfgutil_parse_size("1G", &sz), 0);
    assert_int_equal(sz, 1u << 30);
    assert_int_equal(cfgutil_parse_size("32 TB", &sz), -EINVAL);
    assert_int_equal(cfgutil_parse_size("-1", &sz), -EINVAL);
    assert_int_equal(cfgutil_parse_size("1.5MB", &sz), -EINVAL);
    assert_int_equal(cfgutil_parse_size("99999999999999999999999", &sz), -ERANGE);
}

static void test_cfgutil_env_ref(void **st)
{
    char name[20];

    (void)st;
    assert_int_equal(cfgutil_env_ref("os.environ/CEREBRAS_API_KEY", name, sizeof(name)), 1);
    assert_string_equal(name, "CEREBRAS_API_KEY");
    assert_int_equal(cfgutil_env_ref("${ZAI_KEY}", name, sizeof(name)), 1);
    assert_string_equal(name, "ZAI_KEY");
    assert_int_equal(cfgutil_env_ref("$_X1", name, sizeof(name)), 1);
    assert_string_equal(name, "_X1");
    assert_int_equal(cfgutil_env_ref("sk-1234", name, sizeof(name)), 0);
    assert_int_equal(cfgutil_env_ref("$", name, sizeof(name)), 0);
    assert_int_equal(cfgutil_env_ref("${A", name, sizeof(name)), 0);
    assert_int_equal(cfgutil_env_ref("$A-B", name, sizeof(name)), 0);
    assert_int_equal(cfgutil_env_ref("os.environ/", name, sizeof(name)), -EINVAL);
    assert_int_equal(cfgutil_env_ref("os.environ/A-B", name, sizeof(name)), -EINVAL);
    assert_int_equal(cfgutil_env_ref("os.environ/1A", name, sizeof(name)), -EINVAL);
    assert_int_equal(cfgutil_env_ref("os.environ/A_VERY_LONG_NAME_XYZ", name, sizeof(name)),
                     -EINVAL);
    assert_int_equal(cfgutil_env_ref("$A_VERY_LONG_NAME_XYZ", name, sizeof(name)), 0);
}

static void test_cfgutil_url_host(void **st)
{
    char host[32];

    (void)st;
    assert_int_equal(cfgutil_url_host("https://API.Z.ai/api/anthropic", host, sizeof(host)), 0);
    assert_string_equal(host, "api.z.ai");
    assert_int_equal(cfgutil_url_host("http://127.0.0.1:8080/v1", host, sizeof(host)), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(cfgutil_url_host("http://u:p@h.example:1/x", host, sizeof(host)), 0);
    assert_string_equal(host, "h.example");
    assert_int_equal(cfgutil_url_host("http://[::1]:9/v1", host, sizeof(host)), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(cfgutil_url_host("https://x.example?q=1", host, sizeof(host)), 0);
    assert_string_equal(host, "x.example");
    assert_int_equal(cfgutil_url_host("api.z.ai", host, sizeof(host)), -EINVAL);
    assert_int_equal(cfgutil_url_host("https://", host, sizeof(host)), -EINVAL);
    assert_int_equal(cfgutil_url_host("https://:80/", host, sizeof(host)), -EINVAL);
    assert_int_equal(cfgutil_url_host("http://[::1/", host, sizeof(host)), -EINVAL);
    assert_int_equal(cfgutil_url_host("https://a-very-long-host-name.example.com/", host, 8),
                     -EINVAL);
    assert_true(cfgutil_host_is("api.z.ai", "z.ai"));
    assert_true(cfgutil_host_is("z.ai", "z.ai"));
    assert_false(cfgutil_host_is("baz.ai", "z.ai"));
    assert_false(cfgutil_host_is("z.ai.evil.com", "z.ai"));
}

static void test_cfgutil_providers(void **st)
{
    const struct cfgutil_prov *p;
    char name[CFGUTIL_NAME_LEN];

    (void)st;
    assert_null(cfgutil_prov_find("gemini", 6));
    assert_null(cfgutil_prov_find("open", 4));
    p = cfgutil_prov_find("anthropic/x", 9);
    assert_non_null(p);
    assert_int_equal(p->dialect, API_ANTHROPIC);
    assert_int_equal(cfgutil_kind(p, "api.z.ai"), PROVIDER_ZAI);
    assert_int_equal(cfgutil_kind(p, "open.bigmodel.cn"), PROVIDER_ZAI);
    assert_int_equal(cfgutil_kind(p, "api.anthropic.com"), PROVIDER_ANTHROPIC);
    assert_int_equal(cfgutil_kind(p, "baz.ai"), PROVIDER_ANTHROPIC);
    p = cfgutil_prov_find("openai", 6);
    assert_int_equal(cfgutil_kind(p, "api.cerebras.ai"), PROVIDER_CEREBRAS);
    assert_int_equal(cfgutil_kind(p, "api.z.ai"), PROVIDER_GENERIC_OPENAI);
    p = cfgutil_prov_find("cerebras", 8);
    assert_int_equal(cfgutil_kind(p, "127.0.0.1"), PROVIDER_CEREBRAS);

    cfgutil_name(PROVIDER_GENERIC_OPENAI, "api.groq.com", name);
    assert_string_equal(name, "groq");
    cfgutil_name(PROVIDER_GENERIC_OPENAI, "openrouter.ai", name);
    assert_string_equal(name, "openrouter");
    cfgutil_name(PROVIDER_GENERIC_OPENAI, "api.foo.co.uk", name);
    assert_string_equal(name, "foo");
    cfgutil_name(PROVIDER_GENERIC_OPENAI, "127.0.0.1", name);
    assert_string_equal(name, "openai");
    cfgutil_name(PROVIDER_GENERIC_OPENAI, "localhost", name);
    assert_string_equal(name, "openai");
    cfgutil_name(PROVIDER_GENERIC_OPENAI, "::1", name);
    assert_string_equal(name, "openai");
    cfgutil_name(PROVIDER_GENERIC_OPENAI, "api.z.ai", name);
    assert_string_equal(name, "zai");
    cfgutil_name(PROVIDER_ZAI, "open.bigmodel.cn", name);
    assert_string_equal(name, "zai");
    cfgutil_name(PROVIDER_CEREBRAS, "", name);
    assert_string_equal(name, "cerebras");
    cfgutil_name(PROVIDER_ANTHROPIC, "api.anthropic.com", name);
    assert_string_equal(name, "anthropic");
}

static void test_cfgutil_glob_and_tag(void **st)
{
    (void)st;
    assert_true(cfgutil_glob("claude-*", "claude-opus-4", 13));
    assert_true(cfgutil_glob("claude-*", "claude-", 7));
    assert_false(cfgutil_glob("claude-*", "claude", 6));
    assert_true(cfgutil_glob("claude-*haiku*", "claude-3-5-haiku-2024", 21));
    assert_false(cfgutil_glob("claude-*haiku*", "claude-sonnet", 13));
    assert_true(cfgutil_glob("*", "", 0));
    assert_true(cfgutil_glob("a*b*c", "aXbYbZc", 7));
    assert_false(cfgutil_glob("a*b*c", "aXbYbZ", 6));
    assert_true(cfgutil_glob("exact", "exact[1m]", 5)); /* n bounds the subject */
    assert_false(cfgutil_glob("exact", "exactly", 7));
    assert_true(cfgutil_glob("**a", "bba", 3));

    assert_int_equal(cfgutil_strip_tag("glm-4.6[1m]"), 7);
    assert_int_equal(cfgutil_strip_tag("glm-4.6"), 7);
    assert_int_equal(cfgutil_strip_tag("[1m]"), 4);
    assert_int_equal(cfgutil_strip_tag("a]"), 2);
    assert_int_equal(cfgutil_strip_tag(""), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cfgutil_parse_long),
        cmocka_unit_test(test_cfgutil_parse_double_bool_size),
        cmocka_unit_test(test_cfgutil_env_ref),
        cmocka_unit_test(test_cfgutil_url_host),
        cmocka_unit_test(test_cfgutil_providers),
        cmocka_unit_test(test_cfgutil_glob_and_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
