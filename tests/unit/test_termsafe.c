/* Unit tests for termsafe: what a terminal would act on becomes visible text, the rest of
 * UTF-8 passes, lines are cut at character boundaries, JSON stays valid and means the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <cmocka.h>

#include "core/termsafe.h"

static void test_line_escapes_controls(void **state)
{
    (void)state;
    char out[256];
    assert_string_equal(termsafe_line("\x1b]0;owned\x07", out, sizeof out), "\\x1b]0;owned\\x07");
    assert_string_equal(termsafe_line("a\tb\rc\nd\x7f", out, sizeof out),
                        "a\\x09b\\x0dc\\x0ad\\x7f");
    assert_string_equal(termsafe_line("csi \xc2\x9b"
                                      "2J",
                                      out, sizeof out),
                        "csi \\u009b2J");
    assert_string_equal(termsafe_line("lone \x9b and \xff", out, sizeof out),
                        "lone \\x9b and \\xff");
    assert_string_equal(termsafe_line("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x99\x82", out, sizeof out),
                        "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x99\x82");
    assert_string_equal(termsafe_line("\xc2\xa0nbsp", out, sizeof out), "\xc2\xa0nbsp");
    assert_string_equal(termsafe_line("overlong \xc0\xaf", out, sizeof out), "overlong \\xc0\\xaf");
    assert_string_equal(termsafe_line(NULL, out, sizeof out), "");
}

static void test_line_cut_at_boundaries(void **state)
{
    (void)state;
    char out[6];
    assert_string_equal(termsafe_line("abcdefgh", out, sizeof out), "abcde");
    assert_string_equal(termsafe_line("ab\x1b", out, sizeof out), "ab"); /* \x1b needs 4 */
    assert_string_equal(termsafe_line("abcd\xc3\xa9", out, sizeof out), "abcd");
    char one[1];
    assert_string_equal(termsafe_line("x", one, sizeof one), "");
}

static void test_json_stays_valid(void **state)
{
    (void)state;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "m", "a\x1b[2J\x7f\xc2\x85z\xe2\x82\xac");
    char *raw = cJSON_PrintUnformatted(o);
    char *safe = termsafe_json(raw);
    assert_non_null(safe);
    assert_null(strchr(safe, 0x7f));
    assert_null(strstr(safe, "\xc2\x85"));
    assert_null(strchr(safe, 0x1b));
    cJSON *back = cJSON_Parse(safe);
    assert_non_null(back);
    assert_string_equal(cJSON_GetObjectItem(back, "m")->valuestring,
                        "a\x1b[2J\x7f\xc2\x85z\xe2\x82\xac");
    cJSON_Delete(back);
    free(safe);
    free(raw);
    cJSON_Delete(o);
    safe = termsafe_json("{\"m\":\"x\xff\"}");
    assert_string_equal(safe, "{\"m\":\"x\\ufffd\"}");
    free(safe);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_escapes_controls),
        cmocka_unit_test(test_line_cut_at_boundaries),
        cmocka_unit_test(test_json_stays_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
