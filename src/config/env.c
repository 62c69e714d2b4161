/* env: .env loader. KEY=VALUE lines go into the process environment unless already set, so
 * real environment variables always win over the file. Not thread-safe (setenv). */
#include "config/env.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE (64 * 1024)

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

int env_load_file(const char *path)
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
        if (setenv(key, val, 0) == 0)
            set++;
    }
    n = ferror(f) ? -(errno ? errno : EIO) : 0;
    free(line);
    fclose(f);
    return n ? (int)n : set;
}
