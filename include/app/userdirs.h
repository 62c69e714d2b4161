/* userdirs: where switchboard keeps per-user files, never in a directory other users can
 * write to (/tmp): a file there could be planted or read by them. Not thread-safe in the
 * sense that it reads the environment; call from the main thread. */
#ifndef SB_USERDIRS_H
#define SB_USERDIRS_H

#include <stddef.h>

/* The home directory: $HOME when it is set and absolute, else the password database's.
 * 0, or -ENOENT when there is none. */
int userdirs_home(char *out, size_t len);
/* $XDG_STATE_HOME (when absolute), else <home>/.local/state. 0 or -ENOENT. */
int userdirs_state(char *out, size_t len);
/* $XDG_RUNTIME_DIR when it is absolute, a directory, owned by this user and writable by no
 * one else (the XDG spec asks for 0700); -ENOENT otherwise (the caller then uses the state
 * directory: never /tmp). */
int userdirs_runtime(char *out, size_t len);

#endif
