/* userdirs: the home, state and runtime directories, checked before use. */
#include "app/userdirs.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int copy_path(char *out, size_t len, const char *dir, const char *tail)
{
    int n = snprintf(out, len, "%s%s", dir, tail);
    return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

int userdirs_home(char *out, size_t len)
{
    const char *home = getenv("HOME");
    if (home && home[0] == '/')
        return copy_path(out, len, home, "");
    char buf[4096];
    struct passwd pw, *found = NULL;
    if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &found) != 0 || !found || !pw.pw_dir ||
        pw.pw_dir[0] != '/')
        return -ENOENT;
    return copy_path(out, len, pw.pw_dir, "");
}

int userdirs_state(char *out, size_t len)
{
    const char *state = getenv("XDG_STATE_HOME");
    if (state && state[0] == '/')
        return copy_path(out, len, state, "");
    char home[4096];
    int rc = userdirs_home(home, sizeof home);
    return rc ? rc : copy_path(out, len, home, "/.local/state");
}

int userdirs_runtime(char *out, size_t len)
{
    const char *rt = getenv("XDG_RUNTIME_DIR");
    struct stat st;
    if (!rt || rt[0] != '/' || stat(rt, &st) != 0 || !S_ISDIR(st.st_mode) ||
        st.st_uid != getuid() || (st.st_mode & 022))
        return -ENOENT;
    return copy_path(out, len, rt, "");
}
