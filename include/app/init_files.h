/* init_files: where `switchboard init` writes and how: each file replaced in one rename (a
 * crash leaves the old file or the new one, never half of one), the old one kept as FILE.bak,
 * the directory created private (0700). Main thread only (reads the environment). */
#ifndef SB_INIT_FILES_H
#define SB_INIT_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "app/cfgpath.h"

struct init_paths {
    char dir[CFGPATH_MAX];
    char config[CFGPATH_MAX + 16];
    char env[CFGPATH_MAX + 16];
};

/* dir (NULL: the user's config directory, $XDG_CONFIG_HOME/switchboard) and the two files in
 * it. 0, or -1 with err set (no home directory, a path too long). */
int init_paths_for(const char *dir, struct init_paths *out, char *err, size_t errlen);
/* Something is at path (a file, or a link, even a dangling one). */
bool init_file_exists(const char *path);
/* Writes text to path with mode (whatever the umask), creating its directory 0700; an existing
 * file is first linked (or renamed) to path.bak. 0 or -errno. */
int init_file_write(const char *path, const char *text, unsigned mode);
/* The .env at path sets var (to something). */
bool init_env_has(const char *path, const char *var);

#endif
