/* Unit tests for sha256: the FIPS 180-4 / NIST example vectors (empty, "abc", the two-block
 * 448-bit message, a million 'a's fed in uneven pieces), and every length around the padding
 * boundary agreeing whether fed at once or a byte at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/sha256.h"

static void hex_of(const void *msg, size_t n, char out[2 * SHA256_LEN + 1])
{
    struct sha256 s;
    unsigned char md[SHA256_LEN];
    sha256_init(&s);
    sha256_update(&s, msg, n);
    sha256_final(&s, md);
    for (int i = 0; i < SHA256_LEN; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void test_sha256_nist_vectors(void **st)
{
    (void)st;
    char hex[2 * SHA256_LEN + 1];
    hex_of("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hex_of("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(two, strlen(two), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256_million_a_in_pieces(void **st)
{
    (void)st;
    static char a[1000];
    memset(a, 'a', sizeof a);
    struct sha256 s;
    unsigned char md[SHA256_LEN];
    char hex[2 * SHA256_LEN + 1];
    sha256_init(&s);
    size_t left = 1000000, piece = 1;
    while (left > 0) {
        size_t n = piece < left ? piece : left;
        sha256_update(&s, a, n);
        left -= n;
        piece = piece % 997 + 1; /* uneven pieces cross block edges everywhere */
    }
    sha256_final(&s, md);
    for (int i = 0; i < SHA256_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_sha256_bytewise_equals_whole_around_padding(void **st)
{
    (void)st;
    unsigned char msg[130];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (unsigned char)(i * 7 + 1);
    for (size_t n = 0; n <= sizeof msg; n++) {
        struct sha256 whole, bytes;
        unsigned char a[SHA256_LEN], b[SHA256_LEN];
        sha256_init(&whole);
        sha256_update(&whole, msg, n);
        sha256_final(&whole, a);
        sha256_init(&bytes);
        for (size_t i = 0; i < n; i++)
            sha256_update(&bytes, msg + i, 1);
        sha256_final(&bytes, b);
        assert_memory_equal(a, b, SHA256_LEN);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_nist_vectors),
        cmocka_unit_test(test_sha256_million_a_in_pieces),
        cmocka_unit_test(test_sha256_bytewise_equals_whole_around_padding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
