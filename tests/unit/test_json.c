/* Unit tests for the json helpers' UTF-8 check and depth-bounded parse: the word-at-a-time
 * ASCII skip must give exactly the answers of a byte-by-byte reading, at every alignment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cJSON.h>

#include "core/json.h"

/* RFC 3629 decoding, one byte at a time: the reference. */
static bool ref_utf8_valid(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i], min;
        size_t k;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0)
            k = 1, min = 0x80, c &= 0x1F;
        else if ((c & 0xF0) == 0xE0)
            k = 2, min = 0x800, c &= 0x0F;
        else if ((c & 0xF8) == 0xF0)
            k = 3, min = 0x10000, c &= 0x07;
        else
            return false;
        if (n - i <= k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (p[i + j] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        i += k + 1;
    }
    return true;
}

static void test_utf8_known_cases(void **state)
{
    (void)state;
    assert_true(json_utf8_valid("", 0));
    assert_true(json_utf8_valid("plain ascii text, long enough for words", 39));
    assert_true(json_utf8_valid("caf\xc3\xa9 \xe4\xb8\x96 \xf0\x9f\x98\x80", 14));
    assert_false(json_utf8_valid("\xc0\xaf", 2));          /* overlong '/' */
    assert_false(json_utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
    assert_false(json_utf8_valid("\xf4\x90\x80\x80", 4));  /* above U+10FFFF */
    assert_false(json_utf8_valid("abcdefgh\xe4\xb8", 10)); /* cut after an ASCII word */
    assert_false(json_utf8_valid("\xff", 1));
}

/* A bad byte, or a good multi-byte character, at every position of an ASCII run. */
static void test_utf8_every_position(void **state)
{
    (void)state;
    char buf[40];
    for (size_t at = 0; at < 32; at++) {
        memset(buf, 'a', sizeof buf);
        buf[at] = (char)0xff;
        assert_false(json_utf8_valid(buf, 32));
        assert_true(json_utf8_valid(buf, at)); /* everything before it is fine */
        memcpy(buf + at, "\xc3\xa9", 2);
        assert_true(json_utf8_valid(buf, 34));
        assert_false(json_utf8_valid(buf, at + 1)); /* cut inside the character */
    }
}

/* Random mixes of ASCII runs and high bytes agree with the reference. */
static void test_utf8_matches_reference(void **state)
{
    (void)state;
    unsigned char buf[64];
    uint32_t x = 12345;
    for (int round = 0; round < 200000; round++) {
        size_t n = (size_t)(round % 64);
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            unsigned r = x >> 16;
            buf[i] = (r & 7) ? (unsigned char)(0x20 + r % 90) : (unsigned char)(0x80 | (r >> 3));
        }
        size_t off = (size_t)(round % 7) < n ? (size_t)(round % 7) : 0;
        bool want = ref_utf8_valid(buf + off, n - off);
        if (json_utf8_valid((const char *)buf + off, n - off) != want)
            fail_msg("round %d: json_utf8_valid disagrees (want %d)", round, want);
    }
}

static void test_parse_depth_and_trailing(void **state)
{
    (void)state;
    char deep[2 * (JSON_MAX_DEPTH + 1) + 1];
    for (int i = 0; i <= JSON_MAX_DEPTH; i++) {
        deep[i] = '[';
        deep[2 * (JSON_MAX_DEPTH + 1) - 1 - i] = ']';
    }
    assert_null(json_parse(deep, 2 * (JSON_MAX_DEPTH + 1)));
    cJSON *ok = json_parse(deep + 1, 2 * JSON_MAX_DEPTH);
    assert_non_null(ok);
    cJSON_Delete(ok);
    assert_null(json_parse("{} x", 4));
    cJSON *v = json_parse("{\"a\":1} \n", 9);
    assert_non_null(v);
    cJSON_Delete(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_known_cases),
        cmocka_unit_test(test_utf8_every_position),
        cmocka_unit_test(test_utf8_matches_reference),
        cmocka_unit_test(test_parse_depth_and_trailing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
