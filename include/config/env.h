/* env: the .env file as data. Its KEY=VALUE pairs are read into an immutable set that the
 * config loader consults after the process environment (so real variables always win); the
 * environment itself is never modified, so a reload on a worker thread cannot race a getenv
 * elsewhere (setenv is not thread-safe). A set is read-only once built: any thread may read
 * it; whoever built it frees it. */
#ifndef SB_ENV_H
#define SB_ENV_H

#include <stddef.h>

struct env_vars;

/* Parses .env text: `KEY=VALUE`, `export KEY=VALUE`, quotes ('..' literal, ".." with \n \t \r
 * \" \\ \$ escapes), comments, CRLF. Malformed lines, lines with a NUL and lines over 64 KiB
 * are skipped; the first of duplicate keys wins. NULL only when out of memory. */
struct env_vars *env_vars_parse(const char *text, size_t len);
/* Reads and parses path. A missing file is an empty set. NULL with *err = -errno when it
 * cannot be read (err may be NULL). */
struct env_vars *env_vars_read(const char *path, int *err);
void env_vars_free(struct env_vars *v);
size_t env_vars_count(const struct env_vars *v);
/* The file's value for name, or NULL. v may be NULL. */
const char *env_vars_get(const struct env_vars *v, const char *name);
/* What a config reference to name means: the process environment's value when it is set,
 * else the file's (v may be NULL), else NULL. Reads the environment, never writes it. */
const char *env_lookup(const struct env_vars *v, const char *name);

#endif
