/* Unit tests for sockscan: real loopback connections are found by their addresses, stale
 * entries (closed or reused descriptors) are never returned, unknown ones give -1. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "front/sockscan.h"

struct pair {
    int client, server; /* the two ends; server is what accept() returned */
    int client_port;
};

static int port_of(int fd, int peer)
{
    struct sockaddr_in a;
    socklen_t n = sizeof a;
    int rc = peer ? getpeername(fd, (struct sockaddr *)&a, &n)
                  : getsockname(fd, (struct sockaddr *)&a, &n);
    return rc == 0 ? ntohs(a.sin_port) : -1;
}

static int listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 16), 0);
    *port = port_of(fd, 0);
    return fd;
}

static struct pair connect_to(int lfd, int port)
{
    struct pair p;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    p.client = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(p.client, (struct sockaddr *)&a, sizeof a), 0);
    p.server = accept(lfd, NULL, NULL);
    assert_true(p.server >= 0);
    p.client_port = port_of(p.client, 0);
    return p;
}

static void test_finds_accepted_connections(void **state)
{
    (void)state;
    int port, lfd = listener(&port);
    struct pair p[8];
    for (int i = 0; i < 8; i++)
        p[i] = connect_to(lfd, port);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(sockscan_find(port, "127.0.0.1", p[i].client_port), p[i].server);
        assert_int_equal(sockscan_find(port, NULL, p[i].client_port), p[i].server);
        /* the other direction of the same connection is a different socket */
        assert_int_equal(sockscan_find(p[i].client_port, NULL, port), p[i].client);
    }
    assert_int_equal(sockscan_find(port, "10.0.0.1", p[0].client_port), -1);
    for (int i = 0; i < 8; i++) {
        close(p[i].client);
        close(p[i].server);
    }
    close(lfd);
}

/* A remembered descriptor that was closed, and whose number went to another connection,
 * must not be returned for the old addresses. */
static void test_stale_entries_are_checked(void **state)
{
    (void)state;
    int port, lfd = listener(&port);
    struct pair a = connect_to(lfd, port);
    assert_int_equal(sockscan_find(port, NULL, a.client_port), a.server);
    close(a.server);
    close(a.client);
    struct pair b = connect_to(lfd, port); /* likely gets a.server's number back */
    if (b.client_port != a.client_port)
        assert_int_equal(sockscan_find(port, NULL, a.client_port), -1);
    assert_int_equal(sockscan_find(port, NULL, b.client_port), b.server);
    close(b.client);
    close(b.server);
    close(lfd);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    assert_int_equal(sockscan_find(0, NULL, 1234), -1);
    assert_int_equal(sockscan_find(1234, NULL, -1), -1);
    assert_int_equal(sockscan_find(1, NULL, 1), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finds_accepted_connections),
        cmocka_unit_test(test_stale_entries_are_checked),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
