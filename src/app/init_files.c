/* init_files: the files `switchboard init` writes (see init_files.h). */
#include "app/init_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/env.h"
#include "core/fsutil.h"

int init_paths_for(const char *dir, struct init_paths *out, char *err, size_t errlen)
{
    char user[CFGPATH_MAX];
    if (!dir) {
        if (cfgpath_user_config(user, sizeof user) != 0) {
            snprintf(err, errlen, "no home directory to keep the config in (use --dir DIR)");
            return -1;
        }
        *strrchr(user, '/') = '\0'; /* .../switchboard/config.yaml -> .../switchboard */
        dir = user;
    }
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 0 || n >= sizeof out->dir) {
        snprintf(err, errlen, "the directory name is %s", n ? "too long" : "empty");
        return -1;
    }
    memcpy(out->dir, dir, n);
    out->dir[n] = '\0';
    snprintf(out->config, sizeof out->config, "%s/config.yaml", out->dir);
    snprintf(out->env, sizeof out->env, "%s/.env", out->dir);
    return 0;
}

bool init_file_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -(w < 0 ? errno : EIO);
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The old file stays reachable as path.bak: a hard link keeps it where it is until the rename
 * replaces path; where links are refused (some file systems), it is renamed away first. */
static int keep_backup(const char *path)
{
    char bak[CFGPATH_MAX + 32];
    if (!init_file_exists(path))
        return 0;
    if (snprintf(bak, sizeof bak, "%s.bak", path) >= (int)sizeof bak)
        return -ENAMETOOLONG;
    if (unlink(bak) != 0 && errno != ENOENT)
        return -errno;
    if (link(path, bak) == 0)
        return 0;
    return rename(path, bak) == 0 ? 0 : -errno;
}

int init_file_write(const char *path, const char *text, unsigned mode)
{
    char tmp[CFGPATH_MAX + 32];
    const char *slash = strrchr(path, '/');
    int dir_len = slash ? (int)(slash - path) : 0;
    if (snprintf(tmp, sizeof tmp, "%.*s%s.%s.XXXXXX", dir_len, path, slash ? "/" : "",
                 slash ? slash + 1 : path) >= (int)sizeof tmp)
        return -ENAMETOOLONG;
    fsutil_make_parents(path);
    int fd = mkstemp(tmp); /* created 0600: the keys are never readable by others */
    if (fd < 0)
        return -errno;
    int rc = write_all(fd, text, strlen(text));
    if (rc == 0 && fchmod(fd, (mode_t)mode) != 0)
        rc = -errno;
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0)
        rc = keep_backup(path);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -errno;
    if (rc != 0)
        unlink(tmp);
    return rc;
}

bool init_env_has(const char *path, const char *var)
{
    struct env_vars *v = env_vars_read(path, NULL);
    const char *val = env_vars_get(v, var);
    bool has = val && *val;
    env_vars_free(v);
    return has;
}
