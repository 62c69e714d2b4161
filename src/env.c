/* env: .env loader. KEY=VALUE lines go into the process environment unless already set, so
 * real environment variables always win over the file. After threads have started the process
 * environment is never written again (glibc's setenv is "MT-Unsafe const:env": it may move the
 * array a concurrent getenv is reading, and libcurl calls getenv on every transfer for the
 * proxy variables); a reload's variables go to an overlay that env_get consults instead. */
#include "env.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE (64 * 1024)

/* Variables a reload found in .env and the environment lacked. Append-only, like setenv
 * without overriding: a name is added once, its value never changes, nothing is freed before
 * exit, so env_get walks the list without a lock (the head is published with release order,
 * after the node is complete). overlay_mu serialises the writers (two reloads at once). */
struct overlay_var {
    struct overlay_var *next;
    char *name;
    char *value;
};
static _Atomic(struct overlay_var *) overlay;
static pthread_mutex_t overlay_mu = PTHREAD_MUTEX_INITIALIZER;

static const char *overlay_get(const char *name)
{
    for (struct overlay_var *v = atomic_load_explicit(&overlay, memory_order_acquire); v;
         v = v->next)
        if (strcmp(v->name, name) == 0)
            return v->value;
    return NULL;
}

const char *env_get(const char *name)
{
    const char *v = getenv(name);
    return v ? v : overlay_get(name);
}

/* 1 when added, 0 when the name is known already, -ENOMEM. */
static int overlay_add(const char *name, const char *value)
{
    int rc = 0;
    pthread_mutex_lock(&overlay_mu);
    if (!overlay_get(name)) {
        struct overlay_var *v = calloc(1, sizeof *v);
        if (v && (v->name = strdup(name)) && (v->value = strdup(value))) {
            v->next = atomic_load_explicit(&overlay, memory_order_relaxed);
            atomic_store_explicit(&overlay, v, memory_order_release);
            rc = 1;
        } else {
            if (v) {
                free(v->name);
                free(v);
            }
            rc = -ENOMEM;
        }
    }
    pthread_mutex_unlock(&overlay_mu);
    return rc;
}

static char *skip_ws(char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* '...' is literal; "..." knows \n \t \r \" \\ \$. Rewrites in place; NULL if unterminated. */
static char *unquote(char *p)
{
    char q = *p++, *out = p, *v = p;

    for (; *p && *p != q; p++) {
        if (q == '"' && *p == '\\' && p[1]) {
            p++;
            *out++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p;
            continue;
        }
        *out++ = *p;
    }
    if (*p != q)
        return NULL;
    *out = '\0';
    return v;
}

/* Unquoted: up to a '#' that follows whitespace (so "a#b" keeps its '#'), trimmed. */
static char *bare(char *p, bool after_ws)
{
    char *end;

    if (*p == '#' && after_ws)
        *p = '\0';
    for (end = p; *end; end++) {
        if (*end == '#' && end > p && isspace((unsigned char)end[-1])) {
            *end = '\0';
            break;
        }
    }
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    *end = '\0';
    return p;
}

/* Parses one line in place. Returns false for blanks, comments and malformed lines. */
static bool parse_line(char *line, char **key, char **val)
{
    char *p = skip_ws(line), *k, *eq;

    if (!strncmp(p, "export", 6) && (p[6] == ' ' || p[6] == '\t'))
        p = skip_ws(p + 6);
    k = p;
    if (!isalpha((unsigned char)*p) && *p != '_')
        return false;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    eq = skip_ws(p);
    if (*eq != '=')
        return false;
    *p = '\0';
    p = skip_ws(eq + 1);
    *key = k;
    *val = *p == '"' || *p == '\'' ? unquote(p) : bare(p, p > eq + 1);
    return *val != NULL;
}

static int put_env(const char *key, const char *val)
{
    return setenv(key, val, 0) == 0 ? 1 : 0;
}

/* Reads path; put(key, value) for every variable the environment lacks. */
static int load(const char *path, int (*put)(const char *, const char *))
{
    char *line = NULL, *key, *val;
    size_t cap = 0;
    ssize_t n;
    int set = 0;
    FILE *f = fopen(path, "r");

    if (!f)
        return errno == ENOENT ? 0 : -errno;
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n > MAX_LINE || memchr(line, '\0', (size_t)n))
            continue;
        if (!parse_line(line, &key, &val) || getenv(key))
            continue;
        if (put(key, val) > 0)
            set++;
    }
    n = ferror(f) ? -(errno ? errno : EIO) : 0;
    free(line);
    fclose(f);
    return n ? (int)n : set;
}

int env_load_file(const char *path)
{
    return load(path, put_env);
}

int env_reload_file(const char *path)
{
    return load(path, overlay_add);
}
