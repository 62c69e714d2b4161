/* fsutil: private parent directories for the files switchboard writes. */
#include "core/fsutil.h"

#include <stdio.h>
#include <sys/stat.h>

void fsutil_make_parents(const char *path)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(dir, 0700);
        *p = '/';
    }
}
