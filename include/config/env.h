/* env: loads KEY=VALUE lines from a .env file into the process environment without
 * overriding variables already set. Call before starting any thread. */
#ifndef SB_ENV_H
#define SB_ENV_H

/* Returns the number of variables set, 0 if the file does not exist, or -errno on a read
 * error. Accepts `export KEY=VALUE`, quotes ('..' literal, ".." with \n escapes), comments. */
int env_load_file(const char *path);

#endif
