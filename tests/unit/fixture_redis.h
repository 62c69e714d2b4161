/* fixture_redis: a throwaway redis-server on a free loopback port for the shared-store tests
 * and the bench, started as a child and stopped by its PID. Included by test files only
 * (cmocka first, when used by a test). */
#ifndef SB_FIXTURE_REDIS_H
#define SB_FIXTURE_REDIS_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct redis_child {
    pid_t pid;
    int port;
};

static inline int redis_free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &n) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static inline int redis_accepts(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                            .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* Starts redis-server; 0, or -1 when it is missing or never listens (10 s deadline). */
static inline int redis_start(struct redis_child *r)
{
    char port[16];
    r->port = redis_free_port();
    snprintf(port, sizeof port, "%d", r->port);
    r->pid = fork();
    if (r->pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", "/tmp", (char *)NULL);
        _exit(127);
    }
    if (r->pid < 0)
        return -1;
    for (int i = 0; i < 1000; i++) {
        if (redis_accepts(r->port))
            return 0;
        int st;
        if (waitpid(r->pid, &st, WNOHANG) == r->pid)
            return -1; /* it exited: not installed, or the port was taken */
        struct timespec t = {0, 10 * 1000000L};
        nanosleep(&t, NULL);
    }
    return -1;
}

static inline void redis_stop(struct redis_child *r)
{
    if (r->pid <= 0)
        return;
    kill(r->pid, SIGCONT); /* a stopped server must run to die of SIGTERM */
    kill(r->pid, SIGTERM);
    waitpid(r->pid, NULL, 0);
    r->pid = 0;
}

#endif
