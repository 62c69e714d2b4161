/* envvars: the .env text as an immutable key/value set, and the lookup that puts the process
 * environment first. Pure: parsing only; env.c reads the file. */
#include "config/env.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE (64 * 1024)

struct env_vars {
    size_t n, cap;
    char **keys;
    char **vals;
};

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

static int add(struct env_vars *v, const char *key, const char *val)
{
    if (env_vars_get(v, key))
        return 0; /* the first wins, as it did when the file was loaded with setenv(.., 0) */
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        char **k = realloc(v->keys, cap * sizeof *k);
        if (!k)
            return -1;
        v->keys = k;
        char **x = realloc(v->vals, cap * sizeof *x);
        if (!x)
            return -1;
        v->vals = x;
        v->cap = cap;
    }
    char *ks = strdup(key), *vs = strdup(val);
    if (!ks || !vs) {
        free(ks);
        free(vs);
        return -1;
    }
    v->keys[v->n] = ks;
    v->vals[v->n++] = vs;
    return 0;
}

/* One line of len bytes (no newline) into v; skipped when malformed. */
static int add_line(struct env_vars *v, const char *line, size_t len)
{
    char *copy, *key, *val;
    int rc = 0;

    while (len > 0 && line[len - 1] == '\r')
        len--;
    if (len > MAX_LINE || memchr(line, '\0', len))
        return 0;
    if (!(copy = malloc(len + 1)))
        return -1;
    memcpy(copy, line, len);
    copy[len] = '\0';
    if (parse_line(copy, &key, &val))
        rc = add(v, key, val);
    free(copy);
    return rc;
}

struct env_vars *env_vars_parse(const char *text, size_t len)
{
    struct env_vars *v = calloc(1, sizeof *v);
    size_t i = 0;

    while (v && i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
        if (add_line(v, text + i, n) != 0) {
            env_vars_free(v);
            return NULL;
        }
        i += n + 1;
    }
    return v;
}

void env_vars_free(struct env_vars *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->keys[i]);
        free(v->vals[i]);
    }
    free(v->keys);
    free(v->vals);
    free(v);
}

size_t env_vars_count(const struct env_vars *v)
{
    return v ? v->n : 0;
}

const char *env_vars_get(const struct env_vars *v, const char *name)
{
    for (size_t i = 0; v && name && i < v->n; i++)
        if (strcmp(v->keys[i], name) == 0)
            return v->vals[i];
    return NULL;
}

const char *env_lookup(const struct env_vars *v, const char *name)
{
    const char *s = name ? getenv(name) : NULL;
    return s ? s : env_vars_get(v, name);
}
