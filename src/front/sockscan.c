/* sockscan: descriptor lookup by connection addresses through /proc/self/fd.
 *
 * Why a table: one scan costs two or three syscalls per open descriptor. A server holding a
 * thousand streams has several thousand descriptors, and a scan per request then adds up to
 * seconds of CPU while the streams open. A scan therefore records every connection it meets,
 * and later lookups only confirm their entry. Entries are hints: a descriptor may have been
 * closed and reused since, so each is checked against the addresses before it is returned. */
#include "front/sockscan.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define SLOTS 65536

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
/* (local port, peer port) hashed -> descriptor + 1; 0 = none. Static, so untouched pages
 * cost no memory and nothing needs freeing. */
static int slot_fd[SLOTS];

static unsigned slot_of(int local_port, int remote_port)
{
    return ((unsigned)remote_port * 40503u + (unsigned)local_port) % SLOTS;
}

static int port_of(const struct sockaddr_storage *a)
{
    if (a->ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)a)->sin_port);
    if (a->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
    return -1;
}

static bool addr_is(const struct sockaddr_storage *a, const char *want)
{
    char text[INET6_ADDRSTRLEN] = "";
    if (a->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, text, sizeof text);
    else if (a->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, text, sizeof text);
    return strcmp(text, want) == 0;
}

/* Ports of fd's two ends; false when fd is not a connected socket. */
static bool ends_of(int fd, int *local, int *remote, struct sockaddr_storage *peer)
{
    struct sockaddr_storage self;
    socklen_t sl = sizeof self, pl = sizeof *peer;
    if (getsockname(fd, (struct sockaddr *)&self, &sl) != 0 ||
        getpeername(fd, (struct sockaddr *)peer, &pl) != 0)
        return false;
    *local = port_of(&self);
    *remote = port_of(peer);
    return *local > 0 && *remote > 0;
}

static bool matches(int fd, int local_port, const char *remote_addr, int remote_port)
{
    struct sockaddr_storage peer;
    int lp, rp;
    return ends_of(fd, &lp, &rp, &peer) && lp == local_port && rp == remote_port &&
           (!remote_addr || addr_is(&peer, remote_addr));
}

static void scan(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        struct sockaddr_storage peer;
        int lp, rp;
        if (*end || fd < 0 || fd == dirfd(d) || fd > 0x7ffffffe ||
            !ends_of((int)fd, &lp, &rp, &peer))
            continue;
        slot_fd[slot_of(lp, rp)] = (int)fd + 1;
    }
    closedir(d);
}

int sockscan_find(int local_port, const char *remote_addr, int remote_port)
{
    if (local_port <= 0 || remote_port <= 0)
        return -1;
    unsigned s = slot_of(local_port, remote_port);
    pthread_mutex_lock(&mu);
    int fd = slot_fd[s] - 1;
    if (fd < 0 || !matches(fd, local_port, remote_addr, remote_port)) {
        scan();
        fd = slot_fd[s] - 1;
        if (fd >= 0 && !matches(fd, local_port, remote_addr, remote_port))
            fd = -1;
    }
    pthread_mutex_unlock(&mu);
    return fd;
}

bool sockscan_peer_gone(int fd)
{
    if (fd < 0)
        return false;
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLRDHUP};
    if (poll(&p, 1, 0) <= 0)
        return false;
    if (p.revents & (POLLHUP | POLLERR | POLLRDHUP | POLLNVAL))
        return true;
    char c;
    return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}
