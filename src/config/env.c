/* env: reads a .env file into an env_vars set (parsing is envvars.c). */
#include "config/env.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/buf.h"

#define MAX_FILE_BYTES (16u << 20)

struct env_vars *env_vars_read(const char *path, int *err)
{
    char chunk[8192];
    struct buf b;
    size_t n;
    int rc = 0;
    FILE *f = fopen(path, "r");

    if (err)
        *err = 0;
    if (!f) {
        if (errno != ENOENT && err)
            *err = -errno;
        return errno == ENOENT ? env_vars_parse("", 0) : NULL;
    }
    buf_init(&b, MAX_FILE_BYTES);
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = buf_append(&b, chunk, n);
    if (!rc && ferror(f))
        rc = -(errno ? errno : EIO);
    fclose(f);
    struct env_vars *v = rc ? NULL : env_vars_parse(b.data ? b.data : "", b.len);
    if (!rc && !v)
        rc = -ENOMEM;
    buf_release(&b);
    if (err)
        *err = rc;
    return v;
}
