/* statefile: a small JSON file the running instance writes so that `switchboard claude` and
 * `switchboard statusline` can find it: {"pid","url","config","demo"}. It holds no secret. */
#ifndef SB_STATEFILE_H
#define SB_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>

struct app;

struct statefile_info {
    int pid;
    char url[160];
    char config[512];
    bool demo;
};

/* Path of the state file: $XDG_RUNTIME_DIR/switchboard.json, else
 * ~/.local/state/switchboard/instance.json. */
void statefile_path(char *out, size_t len);
int statefile_write(const struct app *app);
void statefile_remove(const struct app *app);
/* Reads the file and checks that its pid is alive. 0, -ENOENT (none), -ESRCH (stale). */
int statefile_read(struct statefile_info *out);

#endif
