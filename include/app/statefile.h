/* statefile: a small JSON file the running instance writes so that `switchboard claude` and
 * `switchboard statusline` can find it: {"pid","url","config","demo"}. It holds no secret. */
#ifndef SB_STATEFILE_H
#define SB_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>

struct statefile_info {
    int pid;
    char url[160];
    char config[512];
    bool demo;
};

/* Path of the state file: $XDG_RUNTIME_DIR/switchboard.json, else
 * ~/.local/state/switchboard/instance.json. */
void statefile_path(char *out, size_t len);
/* Writes this process's entry (url and config path as clients should use them). 0 or -errno. */
int statefile_write(const char *url, const char *config_path, bool demo);
/* Removes the file when it is this process's own (another instance may have started since). */
void statefile_remove(void);
/* Reads the file and checks that its pid is alive. 0, -ENOENT (none), -ESRCH (stale). */
int statefile_read(struct statefile_info *out);

#endif
