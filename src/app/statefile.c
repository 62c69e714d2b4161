/* statefile: where a running switchboard can be found. The file outlives a crash; readers
 * tell a stale one by its process: gone, or its pid reused by a process that started at
 * another time. */
#include "app/statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "app/userdirs.h"
#include "core/fsutil.h"
#include "core/json.h"

int statefile_path(char *out, size_t len)
{
    char dir[4096];
    int n;
    if (userdirs_runtime(dir, sizeof dir) == 0)
        n = snprintf(out, len, "%s/switchboard.json", dir);
    else if (userdirs_state(dir, sizeof dir) == 0)
        n = snprintf(out, len, "%s/switchboard/instance.json", dir);
    else
        return -ENOENT;
    return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

/* When process pid started, in clock ticks after boot (field 22 of /proc/PID/stat), or -1. */
static long long start_ticks(int pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    char *p = strrchr(text, ')'); /* the command name may hold spaces and parentheses */
    long long v = -1;
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p && sscanf(p + 1, "%lld", &v) != 1)
        v = -1;
    return v;
}

static int write_all(int fd, const char *s)
{
    size_t len = strlen(s), done = 0;
    while (done < len) {
        ssize_t k = write(fd, s + done, len - done);
        if (k < 0)
            return -errno;
        done += (size_t)k;
    }
    return 0;
}

int statefile_write(const char *url, const char *config_path, bool demo)
{
    char path[1024], tmp[1100];
    int rc = statefile_path(path, sizeof path);
    if (rc)
        return rc;
    fsutil_make_parents(path);
    snprintf(tmp, sizeof tmp, "%s.%d", path, (int)getpid());
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "pid", getpid());
    cJSON_AddNumberToObject(o, "started", (double)start_ticks(getpid()));
    cJSON_AddStringToObject(o, "url", url);
    cJSON_AddStringToObject(o, "config", config_path);
    cJSON_AddBoolToObject(o, "demo", demo);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    unlink(tmp); /* a leftover of a crashed run with this pid */
    int fd = s ? open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
    rc = s ? -errno : -ENOMEM;
    if (fd >= 0) {
        rc = fchmod(fd, 0600) == 0 ? write_all(fd, s) : -errno; /* whatever the umask */
        /* on disk before it replaces the old file: never an empty file after a power cut */
        if (rc == 0 && fsync(fd) != 0)
            rc = -errno;
        if (close(fd) != 0 && rc == 0)
            rc = -errno;
        if (rc == 0 && rename(tmp, path) != 0)
            rc = -errno;
        if (rc)
            unlink(tmp);
    }
    free(s);
    return rc;
}

void statefile_remove(void)
{
    struct statefile_info info;
    char path[1024];
    /* Only remove our own file: another instance may have started since. */
    if (statefile_path(path, sizeof path) == 0 && statefile_read(&info) == 0 &&
        info.pid == (int)getpid())
        unlink(path);
}

/* Opens the file for reading when it can be trusted: a regular file (not a link), owned by
 * this user, writable by no one else. -ENOENT, or -EPERM with out->problem set. */
static int open_trusted(const char *path, struct statefile_info *out)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 && errno != ELOOP)
        return -ENOENT;
    if (fd < 0) {
        snprintf(out->problem, sizeof out->problem, "%.200s is a symbolic link", path);
        return -EPERM;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        snprintf(out->problem, sizeof out->problem, "%.200s is not a regular file", path);
    else if (st.st_uid != getuid())
        snprintf(out->problem, sizeof out->problem, "%.200s belongs to uid %u, not to you", path,
                 (unsigned)st.st_uid);
    else if (st.st_mode & 022)
        snprintf(out->problem, sizeof out->problem, "%.200s is writable by other users (mode %03o)",
                 path, (unsigned)(st.st_mode & 0777));
    if (out->problem[0]) {
        close(fd);
        return -EPERM;
    }
    return fd;
}

int statefile_read(struct statefile_info *out)
{
    char path[1024], text[4096];
    memset(out, 0, sizeof *out);
    if (statefile_path(path, sizeof path) != 0)
        return -ENOENT;
    int fd = open_trusted(path, out);
    if (fd < 0)
        return fd;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return -ENOENT;
    text[n] = '\0';
    cJSON *o = json_parse(text, (size_t)n);
    if (!o)
        return -ENOENT;
    out->pid = (int)json_num(o, "pid", 0);
    snprintf(out->url, sizeof out->url, "%s", json_str(o, "url") ? json_str(o, "url") : "");
    snprintf(out->config, sizeof out->config, "%s",
             json_str(o, "config") ? json_str(o, "config") : "");
    out->demo = json_bool(o, "demo", false);
    long long started = (long long)json_num(o, "started", -1);
    cJSON_Delete(o);
    if (out->pid <= 0 || (kill(out->pid, 0) != 0 && errno == ESRCH))
        return -ESRCH;
    long long now = started >= 0 ? start_ticks(out->pid) : -1;
    if (now >= 0 && now != started)
        return -ESRCH; /* the pid belongs to a later process */
    return 0;
}
