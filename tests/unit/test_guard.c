/* Unit tests for the request guard and the names it parses: which Host headers name this
 * listener (DNS rebinding), which Origins are switchboard's own or configured, which
 * Content-Types are JSON, and the config's allowed_hosts / allowed_origins; also the exposure
 * rule for non-loopback listeners. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/exposure.h"
#include "config/config.h"
#include "config/env.h"
#include "core/netname.h"
#include "front/guard.h"

static void test_netname_host(void **state)
{
    (void)state;
    struct netname n;
    assert_int_equal(netname_host("LocalHost:4000", &n), 0);
    assert_string_equal(n.host, "localhost");
    assert_int_equal(n.port, 4000);
    assert_int_equal(netname_host("[::1]:80", &n), 0);
    assert_string_equal(n.host, "::1");
    assert_int_equal(netname_host("127.0.0.1", &n), 0);
    assert_int_equal(n.port, -1);
    assert_int_equal(netname_host("my_container.internal", &n), 0);
    const char *bad[] = {"",           ":80",  "a b",  "x@y", "[::1",  "[zz]:1",
                         "localhost.", ".a",   "a..b", "a:",  "a:0",   "a:65536",
                         "a:123456",   "a:8o", "::1",  "a/b", "[::1]x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (netname_host(bad[i], &n) == 0)
            fail_msg("Host '%s' parsed", bad[i]);
}

static void test_netname_origin(void **state)
{
    (void)state;
    struct netname n;
    assert_int_equal(netname_origin("http://127.0.0.1:4000", &n), 0);
    assert_string_equal(n.scheme, "http");
    assert_int_equal(n.port, 4000);
    assert_int_equal(netname_origin("HTTPS://Chat.Example.com", &n), 0);
    assert_string_equal(n.scheme, "https");
    assert_string_equal(n.host, "chat.example.com");
    assert_int_equal(n.port, 443);
    assert_int_equal(netname_origin("http://[::1]", &n), 0);
    assert_int_equal(n.port, 80);
    const char *bad[] = {"null",
                         "",
                         "file://",
                         "http://",
                         "http://a/",
                         "http://a/b",
                         "ftp://a",
                         "http://u@a",
                         "http://a?x",
                         "http://a#x",
                         "chrome-extension://abc"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (netname_origin(bad[i], &n) == 0)
            fail_msg("Origin '%s' parsed", bad[i]);
    assert_true(netname_is_loopback("127.3.2.1"));
    assert_true(netname_is_loopback("0:0::1"));
    assert_false(netname_is_loopback("128.0.0.1"));
    assert_true(netname_is_wildcard("0.0.0.0"));
    assert_true(netname_is_wildcard("::"));
    assert_false(netname_is_wildcard("127.0.0.1"));
    assert_true(netname_same_host("::1", "0:0:0::1"));
    assert_true(netname_same_host("Example.com", "example.COM"));
    assert_false(netname_same_host("127.0.0.1", "127.0.0.2"));
}

static struct config *load(const char *yaml)
{
    char err[CONFIG_ERR_LEN];
    struct config *c = config_parse(yaml, strlen(yaml), "t.yaml", NULL, NULL, err);
    if (!c)
        fail_msg("config: %s", err);
    return c;
}

#define MODEL                                                                                      \
    "model_list:\n  - model_name: m\n    litellm_params: {model: cerebras/x, api_key: k}\n"

static void test_guard_host(void **state)
{
    (void)state;
    struct config *c = load(MODEL);
    struct guard_listener lo = {"127.0.0.1", 4000}, any = {"0.0.0.0", 4000};
    const char *ok[] = {NULL,          "127.0.0.1:4000", "localhost",
                        "LOCALHOST:1", "[::1]:4000",     "127.9.9.9"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (!guard_host_ok(c, &lo, ok[i]))
            fail_msg("Host '%s' refused", ok[i] ? ok[i] : "(none)");
    const char *bad[] = {"rebind.attacker.example:4000",
                         "localhost.attacker.example",
                         "127.0.0.1.nip.io",
                         "evil.localhost",
                         "10.0.0.5:4000",
                         "",
                         "localhost."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (guard_host_ok(c, &lo, bad[i]))
            fail_msg("Host '%s' accepted on 127.0.0.1", bad[i]);
    /* On every address: IP literals pass (they cannot be rebound), names still do not. */
    assert_true(guard_host_ok(c, &any, "10.0.0.5:4000"));
    assert_true(guard_host_ok(c, &any, "[fd00::1]"));
    assert_false(guard_host_ok(c, &any, "myhost.lan"));
    struct guard_listener named = {"MyHost.lan", 4000};
    assert_true(guard_host_ok(c, &named, "myhost.lan:4000"));
    assert_false(guard_host_ok(c, &named, "10.0.0.5"));
    config_free(c);
    c = load(MODEL "switchboard_settings:\n  allowed_hosts: [Chat.Example.com, \"[fd00::5]\", "
                   "\"fd00::6\"]\n");
    assert_int_equal(c->n_allowed_hosts, 3);
    assert_true(guard_host_ok(c, &lo, "chat.example.com:443"));
    assert_true(guard_host_ok(c, &lo, "[fd00::5]"));
    assert_true(guard_host_ok(c, &lo, "[fd00:0::6]:1"));
    assert_false(guard_host_ok(c, &lo, "sub.chat.example.com"));
    config_free(c);
}

static void test_guard_origin(void **state)
{
    (void)state;
    struct config *c = load(MODEL);
    struct guard_listener lo = {"127.0.0.1", 4000}, any = {"0.0.0.0", 4000};
    assert_true(guard_origin_ok(c, &lo, NULL));
    assert_true(guard_origin_ok(c, &lo, "http://127.0.0.1:4000"));
    assert_true(guard_origin_ok(c, &lo, "http://localhost:4000"));
    assert_true(guard_origin_ok(c, &lo, "http://[::1]:4000"));
    const char *bad[] = {"null",
                         "https://evil.example",
                         "http://127.0.0.1:8000",
                         "https://127.0.0.1:4000",
                         "http://localhost",
                         "http://evil.example:4000",
                         "garbage"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (guard_origin_ok(c, &lo, bad[i]))
            fail_msg("Origin '%s' accepted", bad[i]);
    /* On every address another machine's page on the same port is not "ours". */
    assert_false(guard_origin_ok(c, &any, "http://10.0.0.66:4000"));
    assert_true(guard_origin_ok(c, &any, "http://127.0.0.1:4000"));
    struct guard_listener p80 = {"127.0.0.1", 80};
    assert_true(guard_origin_ok(c, &p80, "http://localhost"));
    config_free(c);
    c = load(MODEL "switchboard_settings:\n  allowed_origins: https://Chat.Example.com\n");
    assert_int_equal(c->n_allowed_origins, 1);
    assert_true(guard_origin_ok(c, &lo, "https://chat.example.com"));
    assert_true(guard_origin_ok(c, &lo, "https://chat.example.com:443"));
    assert_false(guard_origin_ok(c, &lo, "http://chat.example.com"));
    assert_false(guard_origin_ok(c, &lo, "https://chat.example.com:8443"));
    config_free(c);
}

static void test_guard_config_errors(void **state)
{
    (void)state;
    char err[CONFIG_ERR_LEN];
    const char *bad[] = {MODEL
                         "switchboard_settings:\n  allowed_origins: [\"https://a.example/\"]\n",
                         MODEL "switchboard_settings:\n  allowed_origins: [\"*\"]\n",
                         MODEL "switchboard_settings:\n  allowed_hosts: [\"a.example:8080\"]\n",
                         MODEL "switchboard_settings:\n  allowed_hosts: {a: b}\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct config *c = config_parse(bad[i], strlen(bad[i]), "t.yaml", NULL, NULL, err);
        if (c)
            fail_msg("accepted: %s", bad[i]);
        assert_non_null(strstr(err, "t.yaml:"));
    }
}

static void test_guard_json(void **state)
{
    (void)state;
    assert_true(guard_is_json("application/json"));
    assert_true(guard_is_json("Application/JSON; charset=utf-8"));
    assert_true(guard_is_json(" application/json ;charset=UTF-8"));
    assert_false(guard_is_json(NULL));
    assert_false(guard_is_json("text/plain"));
    assert_false(guard_is_json("application/json-seq"));
    assert_false(guard_is_json("application/x-www-form-urlencoded"));
    assert_false(guard_is_json("multipart/form-data; boundary=application/json"));
    assert_false(guard_is_json("text/plain; x=application/json"));
}

static void test_exposure(void **state)
{
    (void)state;
    char why[800];
    assert_false(exposure_problem("127.0.0.1", NULL, why, sizeof why));
    assert_false(exposure_problem("localhost", "sk-1234", why, sizeof why));
    assert_false(exposure_problem("::1", NULL, why, sizeof why));
    assert_true(exposure_problem("0.0.0.0", NULL, why, sizeof why));
    assert_non_null(strstr(why, "no master key"));
    assert_true(exposure_problem("192.168.1.5", "sk-1234", why, sizeof why));
    assert_non_null(strstr(why, "shorter than 16"));
    assert_true(exposure_problem("::", "fifteen-chars-x", why, sizeof why));
    assert_false(exposure_problem("0.0.0.0", "sixteen-chars-xx", why, sizeof why));
    assert_true(exposure_weak_key(""));
}

/* os.environ/ and LITELLM_MASTER_KEY: the environment first, then the .env set; nothing is
 * written to the environment. */
static void test_config_dotenv(void **state)
{
    (void)state;
    static const char env_text[] = "SBG_KEY=from-file\nLITELLM_MASTER_KEY=sk-file-master-key-123\n";
    static const char yaml[] =
        "model_list:\n  - model_name: m\n    litellm_params: {model: cerebras/x, api_key: "
        "os.environ/SBG_KEY}\n";
    char err[CONFIG_ERR_LEN];
    struct env_vars *v = env_vars_parse(env_text, strlen(env_text));
    unsetenv("SBG_KEY");
    unsetenv("LITELLM_MASTER_KEY");
    struct config *c = config_parse_env(yaml, strlen(yaml), "t.yaml", v, NULL, NULL, err);
    assert_non_null(c);
    assert_string_equal(c->deps[0].api_key, "from-file");
    assert_string_equal(c->master_key, "sk-file-master-key-123");
    assert_null(getenv("SBG_KEY"));
    config_free(c);
    setenv("SBG_KEY", "from-env", 1);
    c = config_parse_env(yaml, strlen(yaml), "t.yaml", v, NULL, NULL, err);
    assert_string_equal(c->deps[0].api_key, "from-env");
    config_free(c);
    unsetenv("SBG_KEY");
    env_vars_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_netname_host),
        cmocka_unit_test(test_netname_origin),
        cmocka_unit_test(test_guard_host),
        cmocka_unit_test(test_guard_origin),
        cmocka_unit_test(test_guard_config_errors),
        cmocka_unit_test(test_guard_json),
        cmocka_unit_test(test_exposure),
        cmocka_unit_test(test_config_dotenv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
