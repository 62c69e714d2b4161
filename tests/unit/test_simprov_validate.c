/* Tests for simprov_validate: what the simulated Cerebras and Z.AI refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "core/json.h"
#include "sim/simprov_validate.h"

static int check(enum api d, const char *json, const char *want)
{
    char why[256];
    cJSON *j = json_parse(json, strlen(json));
    assert_non_null(j);
    int rc = simprov_validate(d, j, why, sizeof(why));
    cJSON_Delete(j);
    if (want)
        assert_non_null(strstr(why, want));
    return rc;
}

static void test_simprov_validate_openai_turns(void **state)
{
    assert_int_equal(check(API_OPENAI,
                           "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                           "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":"
                           "\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
                           "\"arguments\":\"{}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"c2\","
                           "\"content\":\"r\"}]}",
                           "'c2' does not match"),
                     -EINVAL);
    assert_int_equal(check(API_OPENAI,
                           "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                           "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":"
                           "\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
                           "{\"role\":\"user\",\"content\":\"b\"}]}",
                           "'c1'"),
                     -EINVAL);
    assert_int_equal(check(API_OPENAI,
                           "{\"model\":\"m\",\"messages\":[{\"role\":\"developer\",\"content\":"
                           "\"a\"}]}",
                           "role"),
                     -EINVAL);
    assert_int_equal(check(API_OPENAI,
                           "{\"model\":\"m\",\"temperature\":2.5,\"messages\":[{\"role\":"
                           "\"user\",\"content\":\"a\"}]}",
                           "temperature"),
                     -EINVAL);
    assert_int_equal(check(API_OPENAI,
                           "{\"model\":\"m\",\"max_completion_tokens\":200000,\"messages\":[{"
                           "\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"}]}]}",
                           "max_completion_tokens"),
                     -EINVAL);
    assert_int_equal(check(API_OPENAI,
                           "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{"
                           "\"type\":\"input_audio\"}]}]}",
                           "'input_audio' is unsupported"),
                     -EINVAL);
    assert_int_equal(check(API_OPENAI,
                           "{\"model\":\"m\",\"tools\":[{\"type\":\"function\",\"function\":{"
                           "\"name\":\"f\",\"input_examples\":[]}}],\"messages\":[{\"role\":"
                           "\"user\",\"content\":\"a\"}]}",
                           "'input_examples'"),
                     -EINVAL);
}

static void test_simprov_validate_anthropic(void **state)
{
    assert_int_equal(check(API_ANTHROPIC,
                           "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}",
                           "max_tokens: Field required"),
                     -EINVAL);
    assert_int_equal(check(API_ANTHROPIC,
                           "{\"model\":\"m\",\"max_tokens\":9,\"output_config\":{},\"messages\":"
                           "[{\"role\":\"user\",\"content\":\"a\"}]}",
                           "output_config"),
                     -EINVAL);
    assert_int_equal(check(API_ANTHROPIC,
                           "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\","
                           "\"content\":\"a\"},{\"role\":\"assistant\",\"content\":[{\"type\":"
                           "\"thinking\",\"thinking\":\"t\",\"signature\":\"\"},{\"type\":"
                           "\"text\",\"text\":\"b\"}]}]}",
                           "signature"),
                     -EINVAL);
    assert_int_equal(check(API_ANTHROPIC,
                           "{\"model\":\"m\",\"max_tokens\":9,\"tools\":[{\"name\":\"f\","
                           "\"input_schema\":{},\"defer_loading\":true}],\"messages\":[{"
                           "\"role\":\"user\",\"content\":\"a\"}]}",
                           "defer_loading"),
                     -EINVAL);
    assert_int_equal(check(API_ANTHROPIC,
                           "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\","
                           "\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"x\"}]}]}",
                           "unexpected `tool_use_id`"),
                     -EINVAL);
    assert_int_equal(check(API_ANTHROPIC,
                           "{\"model\":\"m\",\"max_tokens\":9,\"system\":\"s\",\"metadata\":{},"
                           "\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}",
                           NULL),
                     0);
}

static void test_simprov_validate_accepts_tool_turns(void **state)
{
    assert_int_equal(check(API_OPENAI,
                           "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"system\","
                           "\"content\":\"s\"},{\"role\":\"user\",\"content\":\"a\"},{\"role\":"
                           "\"assistant\",\"content\":null,\"reasoning\":\"r\",\"tool_calls\":[{"
                           "\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
                           "\"arguments\":\"{}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"c1\","
                           "\"content\":\"r\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                           "\"text\":\"b\"},{\"type\":\"image_url\",\"image_url\":{\"url\":"
                           "\"data:image/png;base64,AA==\"}}]}]}",
                           NULL),
                     0);
    assert_int_equal(check(API_ANTHROPIC,
                           "{\"model\":\"m\",\"max_tokens\":2000,\"thinking\":{\"type\":"
                           "\"enabled\",\"budget_tokens\":1024},\"messages\":[{\"role\":\"user\","
                           "\"content\":\"a\"},{\"role\":\"assistant\",\"content\":[{\"type\":"
                           "\"thinking\",\"thinking\":\"t\",\"signature\":\"s\"},{\"type\":"
                           "\"tool_use\",\"id\":\"t1\",\"name\":\"f\",\"input\":{}}]},{\"role\":"
                           "\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\","
                           "\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}]}]}",
                           NULL),
                     0);
}

static void test_simprov_validate_anthropic_shapes(void **state)
{
    assert_int_equal(check(API_ANTHROPIC,
                           "{\"model\":\"m\",\"max_tokens\":200000,\"messages\":[{\"role\":"
                           "\"user\",\"content\":\"a\"}]}",
                           "maximum allowed number of output tokens"),
                     -EINVAL);
    assert_int_equal(check(API_ANTHROPIC,
                           "{\"model\":\"m\",\"max_tokens\":9,\"system\":[{\"type\":\"text\","
                           "\"text\":\"s\",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":"
                           "\"5m\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}",
                           "system.0.cache_control.ttl"),
                     -EINVAL);
    assert_int_equal(check(API_ANTHROPIC,
                           "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[{\"role\":"
                           "\"system\",\"content\":\"a\"}]}",
                           "messages.0.role"),
                     -EINVAL);
    assert_int_equal(
        check(API_ANTHROPIC, "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[]}", "messages"),
        -EINVAL);
    assert_int_equal(check(API_ANTHROPIC, "[1,2]", "dictionary"), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simprov_validate_openai_turns),
        cmocka_unit_test(test_simprov_validate_anthropic),
        cmocka_unit_test(test_simprov_validate_accepts_tool_turns),
        cmocka_unit_test(test_simprov_validate_anthropic_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
