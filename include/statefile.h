/* statefile: a small JSON file the running instance writes so that `switchboard claude` and
 * `switchboard statusline` can find it: {"pid","started","url","config","demo"}. It holds no
 * secret. A new instance replaces it; a clean exit removes it. */
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
/* Reads the file and checks that the process that wrote it is alive (its pid exists and, where
 * /proc says, started when the writer did). 0, -ENOENT (none), -ESRCH (stale: the writer died
 * without removing it; out holds what it said). */
int statefile_read(struct statefile_info *out);

#endif
