/* simprov_wake: a short-lived thread that connects to a server's own port until told to stop,
 * so a shutdown does not wait out the accept loop's poll timeout. */
#include "sim/simprov_wake.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct simprov_wake {
    pthread_t thread;
    atomic_bool done;
    struct sockaddr_storage addr;
    socklen_t len;
};

static void poke(const struct simprov_wake *w)
{
    int fd = socket(w->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    (void)connect(fd, (const struct sockaddr *)&w->addr, w->len);
    close(fd);
}

static void *run(void *arg)
{
    struct simprov_wake *w = arg;
    const struct timespec pause = {0, 10 * 1000 * 1000};
    while (!atomic_load(&w->done)) {
        poke(w);
        nanosleep(&pause, NULL);
    }
    return NULL;
}

static void set_addr(struct simprov_wake *w, const char *host, int port)
{
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&w->addr;
    struct sockaddr_in *a4 = (struct sockaddr_in *)&w->addr;
    if (host && strchr(host, ':') && inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        if (IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr))
            a6->sin6_addr = in6addr_loopback;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        w->len = sizeof(*a6);
        return;
    }
    if (!host || inet_pton(AF_INET, host, &a4->sin_addr) != 1 ||
        a4->sin_addr.s_addr == htonl(INADDR_ANY))
        a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    w->len = sizeof(*a4);
}

struct simprov_wake *simprov_wake_start(const char *host, int port)
{
    struct simprov_wake *w = calloc(1, sizeof(*w));
    if (!w || port <= 0 || port > 65535) {
        free(w);
        return NULL;
    }
    atomic_init(&w->done, false);
    set_addr(w, host, port);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        free(w);
        return NULL;
    }
    return w;
}

void simprov_wake_stop(struct simprov_wake *w)
{
    if (!w)
        return;
    atomic_store(&w->done, true);
    pthread_join(w->thread, NULL);
    free(w);
}
