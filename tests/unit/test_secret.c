/* Unit tests for secret_mask: the whole key, any 12+ character piece of it (as providers
 * quote refused keys), several pieces, nothing shorter, short keys whole only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/secret.h"

#define KEY "csk-4f1e9a7c2b8d0e6f5a3c9b1d"

static void check(const char *in, const char *key, const char *want)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", in);
    secret_mask(buf, strlen(buf), key);
    if (strcmp(buf, want) != 0)
        fail_msg("masking '%s' with '%s': want '%s', got '%s'", in, key ? key : "(null)", want,
                 buf);
}

static void test_whole_and_runs(void **state)
{
    (void)state;
    check("key " KEY " refused", KEY, "key **************************** refused");
    /* OpenAI style: a head and a tail with stars between: the pieces are under 12, kept. */
    check("Incorrect API key provided: csk-4f1e****9b1d.", KEY,
          "Incorrect API key provided: csk-4f1e****9b1d.");
    /* A 12-character middle piece, a 20-character head, a tail, two pieces in one text. */
    check("got 9a7c2b8d0e6f here", KEY, "got ************ here");
    check("got csk-4f1e9a7c2b8d0e6f", KEY, "got ********************");
    check("tail 5a3c9b1d and 2b8d0e6f5a3c9b1d!", KEY, "tail 5a3c9b1d and ****************!");
    check("a 4f1e9a7c2b8d b c2b8d0e6f5a3 c", KEY, "a ************ b ************ c");
    /* 11 characters of it are not masked. */
    check("x 9a7c2b8d0e6 y", KEY, "x 9a7c2b8d0e6 y");
    /* Runs at the very end of the text, and overlapping what was masked. */
    check("8d0e6f5a3c9b1d", KEY, "**************");
}

static void test_short_and_missing_keys(void **state)
{
    (void)state;
    check("key sk-abcdefgh here, sk-abcdefgh", "sk-abcdefgh", "key *********** here, ***********");
    check("key sk-abcdefg here sk-abcdef", "sk-abcdefg", "key ********** here sk-abcdef");
    check("short abc", "abc", "short abc");
    check("none", NULL, "none");
    char buf[] = "not terminated " KEY;
    secret_mask(buf, 15, KEY); /* only the first 15 bytes are text */
    assert_string_equal(buf, "not terminated " KEY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_and_runs),
        cmocka_unit_test(test_short_and_missing_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
