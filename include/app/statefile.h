/* statefile: a small JSON file the running instance writes so that `switchboard claude` and
 * `switchboard statusline` can find it: {"pid","started","url","config","demo"}. A new
 * instance replaces it; a clean exit removes it. It holds no secret,
 * but those commands send the master key to the URL it names: it is written 0600 in a
 * directory only this user can write (never /tmp), and trusted only when this user owns it
 * and no one else can write it. Main thread only. */
#ifndef SB_STATEFILE_H
#define SB_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>

struct statefile_info {
    int pid;
    char url[160];
    char config[512];
    bool demo;
    char problem[300]; /* why the file was not trusted (statefile_read's -EPERM) */
};

/* Path of the state file: $XDG_RUNTIME_DIR/switchboard.json when that directory is this
 * user's alone, else <state dir>/switchboard/instance.json (userdirs.h). 0, or -ENOENT when
 * there is no safe place (no HOME, no password entry): then no state file is written. */
int statefile_path(char *out, size_t len);
/* Writes this process's entry (url and config path as clients should use them) atomically,
 * mode 0600. 0 or -errno. */
int statefile_write(const char *url, const char *config_path, bool demo);
/* Removes the file when it is this process's own (another instance may have started since). */
void statefile_remove(void);
/* Reads the file and checks that the process that wrote it is alive (its pid exists and,
 * where /proc says, started when the writer did). 0, -ENOENT (none), -ESRCH (stale: the writer
 * died without removing it; out holds what it said), or -EPERM when it is not a regular file
 * owned by this user, or others may write to it (out->problem says which). */
int statefile_read(struct statefile_info *out);

#endif
