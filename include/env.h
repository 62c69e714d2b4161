/* env: loads KEY=VALUE lines from a .env file without overriding variables already set:
 * into the process environment at startup, into a private overlay once threads run. */
#ifndef SB_ENV_H
#define SB_ENV_H

/* Returns the number of variables set, 0 if the file does not exist, or -errno on a read
 * error. Accepts `export KEY=VALUE`, quotes ('..' literal, ".." with \n escapes), comments. */
int env_load_file(const char *path); /* before any thread starts: setenv */

/* The same for a reload, with threads running: the variables go to an overlay that env_get
 * reads and the process environment never sees. Thread-safe. */
int env_reload_file(const char *path);
/* getenv(name), else the overlay's value, else NULL. Thread-safe; the result stays valid. */
const char *env_get(const char *name);

#endif
