/* cfgtree: walking helpers over a YAML-free config tree: merge keys, duplicate keys, typed
 * scalars, section tables and positioned messages. Leaf module: libc only. */
#include "config/cfgtree.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfgutil.h"

#define MAX_KEYS        4096 /* keys in one mapping, merges included */
#define MAX_MERGE_DEPTH 8    /* "<<" nesting; a merge may even point at its own mapping */
#define PATH_LEN        192

int cfgtree_fail(struct cfgctx *x, const struct cfgnode *n, const char *fmt, ...)
{
    va_list ap;
    int k =
        snprintf(x->err, CONFIG_ERR_LEN, "%s:%zu:%zu: ", x->name, n ? n->line : 1, n ? n->col : 1);

    if (k >= 0 && k < CONFIG_ERR_LEN) {
        va_start(ap, fmt);
        vsnprintf(x->err + k, CONFIG_ERR_LEN - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

int cfgtree_oom(struct cfgctx *x, const struct cfgnode *n)
{
    cfgtree_fail(x, n, "out of memory");
    return -ENOMEM;
}

void cfgtree_warn(struct cfgctx *x, const struct cfgnode *n, const char *fmt, ...)
{
    char msg[CONFIG_ERR_LEN];
    va_list ap;
    int k;

    if (!x->warn)
        return;
    k = snprintf(msg, sizeof(msg), "%s:%zu: ", x->name, n->line);
    if (k < 0 || k >= (int)sizeof(msg))
        return;
    va_start(ap, fmt);
    vsnprintf(msg + k, sizeof(msg) - (size_t)k, fmt, ap);
    va_end(ap);
    x->warn(x->ud, msg);
}

static char printable(char ch)
{
    return (unsigned char)ch >= 0x20 && (unsigned char)ch < 0x7f ? ch : '?';
}

const char *cfgtree_shown(const struct cfgnode *n, bool secret, char out[64])
{
    size_t i, o = 1;

    if (n->type == CFGNODE_MAP)
        return "a mapping";
    if (n->type == CFGNODE_SEQ)
        return "a list";
    if (secret)
        return "'<redacted>'";
    out[0] = '\'';
    for (i = 0; i < n->len && o < 44; i++)
        out[o++] = printable(n->text ? n->text[i] : '?');
    if (i < n->len) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o++] = '\'';
    out[o] = '\0';
    return out;
}

const char *cfgtree_keyname(const char *k, char out[64])
{
    size_t i;

    /* A key pasted one line off ends up as a mapping key; never echo it. */
    if (!strncmp(k, "sk-", 3))
        return "<redacted>";
    for (i = 0; i < 48 && k[i]; i++)
        out[i] = printable(k[i]);
    strcpy(out + i, k[i] ? "..." : "");
    return out;
}

bool cfgtree_is_null(const struct cfgnode *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};

    if (n->type != CFGNODE_SCALAR || !n->plain || !n->text)
        return false;
    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
        if (!strcmp(n->text, nulls[i]))
            return true;
    return false;
}

static int pairs_add(struct cfgctx *x, struct cfgpairs *ps, struct cfgnode *k, struct cfgnode *v,
                     bool merged, const char *where)
{
    char kb[64];

    if (k->type != CFGNODE_SCALAR || !k->text)
        return cfgtree_fail(x, k, "%s: keys must be plain strings", where);
    for (size_t i = 0; i < ps->n; i++) {
        if (strcmp(ps->v[i].k, k->text))
            continue;
        if (merged)
            return 0; /* explicit keys and earlier merges win */
        return cfgtree_fail(x, k, "%s: duplicate key '%s'", where, cfgtree_keyname(k->text, kb));
    }
    if (ps->n == MAX_KEYS)
        return cfgtree_fail(x, k, "%s: too many keys", where);
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 16;
        struct cfgpair *nv = realloc(ps->v, cap * sizeof(*nv));
        if (!nv)
            return cfgtree_oom(x, k);
        ps->v = nv;
        ps->cap = cap;
    }
    ps->v[ps->n++] = (struct cfgpair){k, v, k->text};
    return 0;
}

static bool is_merge_key(const struct cfgnode *k)
{
    return k->type == CFGNODE_SCALAR && k->plain && k->text && !strcmp(k->text, "<<");
}

static int flatten(struct cfgctx *x, struct cfgnode *map, struct cfgpairs *ps, int depth,
                   const char *where);

/* "<<: *base" or "<<: [*a, *b]": YAML 1.1 merge keys, which PyYAML (so LiteLLM) honours. */
static int merge(struct cfgctx *x, struct cfgnode *v, struct cfgpairs *ps, int depth,
                 const char *where)
{
    if (depth >= MAX_MERGE_DEPTH)
        return cfgtree_fail(x, v, "%s: '<<' merges nest too deep", where);
    if (v->type == CFGNODE_MAP)
        return flatten(x, v, ps, depth + 1, where);
    if (v->type != CFGNODE_SEQ)
        return cfgtree_fail(x, v, "%s: '<<' expects a mapping or a list of mappings", where);
    for (size_t i = 0; i < v->n; i++) {
        struct cfgnode *m = v->kids[i];
        if (m->type != CFGNODE_MAP)
            return cfgtree_fail(x, m, "%s: '<<' expects a mapping or a list of mappings", where);
        int rc = flatten(x, m, ps, depth + 1, where);
        if (rc)
            return rc;
    }
    return 0;
}

/* Explicit keys first, then merged ones not already present. depth > 0: map is merged. */
static int flatten(struct cfgctx *x, struct cfgnode *map, struct cfgpairs *ps, int depth,
                   const char *where)
{
    int rc;

    for (size_t i = 0; i < map->n; i++) {
        struct cfgnode *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
        if (depth > 0 && --x->merge_budget < 0)
            return cfgtree_fail(x, k, "%s: too many merged keys", where);
        if (!is_merge_key(k) && (rc = pairs_add(x, ps, k, v, depth > 0, where)))
            return rc;
    }
    for (size_t i = 0; i < map->n; i++) {
        struct cfgnode *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
        if (is_merge_key(k) && (rc = merge(x, v, ps, depth, where)))
            return rc;
    }
    return 0;
}

int cfgtree_pairs(struct cfgctx *x, struct cfgnode *map, const char *where, struct cfgpairs *ps)
{
    char vb[64];

    *ps = (struct cfgpairs){0};
    if (cfgtree_is_null(map))
        return 0;
    if (map->type != CFGNODE_MAP)
        return cfgtree_fail(x, map, "%s: expected a mapping, got %s", where,
                            cfgtree_shown(map, false, vb));
    return flatten(x, map, ps, 0, where);
}

int cfgtree_str(struct cfgctx *x, struct cfgnode *v, const char *path, bool secret,
                const char **out)
{
    char vb[64];

    *out = v->type == CFGNODE_SCALAR ? v->text : NULL;
    if (!*out)
        return cfgtree_fail(x, v, "%s: expected a string, got %s", path,
                            cfgtree_shown(v, secret, vb));
    return 0;
}

int cfgtree_set_str(struct cfgctx *x, struct cfgnode *v, char **field, const char *s)
{
    char *d = strdup(s);

    if (!d)
        return cfgtree_oom(x, v);
    free(*field);
    *field = d;
    return 0;
}

static int bad_value(struct cfgctx *x, struct cfgnode *v, const char *path, const char *what)
{
    char vb[64];

    return cfgtree_fail(x, v, "%s: expected %s, got %s", path, what, cfgtree_shown(v, false, vb));
}

static int get_number(struct cfgctx *x, struct cfgnode *v, const char *path,
                      const struct cfgkey *ks, void *field)
{
    const char *s = v->type == CFGNODE_SCALAR ? v->text : NULL;
    double d;
    long l;

    if (ks->kind == CFGK_NUM) {
        if (!s || cfgutil_parse_double(s, &d) || d < ks->lo || d > ks->hi ||
            (ks->pos && d <= ks->lo))
            return bad_value(x, v, path, ks->what);
        *(double *)field = d;
        return 0;
    }
    if (!s || cfgutil_parse_long(s, &l) || l < ks->lo || l > ks->hi)
        return bad_value(x, v, path, ks->what);
    if (ks->kind == CFGK_INT)
        *(int *)field = (int)l;
    else
        *(long *)field = l;
    return 0;
}

int cfgtree_scalar(struct cfgctx *x, struct cfgnode *v, const char *path, const struct cfgkey *ks,
                   void *field)
{
    const char *s = v->type == CFGNODE_SCALAR ? v->text : NULL;
    size_t sz;

    switch (ks->kind) {
    case CFGK_BOOL:
        if (!s || cfgutil_parse_bool(s, field))
            return bad_value(x, v, path, "true or false");
        return 0;
    case CFGK_SIZE:
        if (!s || cfgutil_parse_size(s, &sz) || sz < (size_t)ks->lo || sz > (size_t)ks->hi)
            return bad_value(x, v, path, ks->what);
        *(size_t *)field = sz;
        return 0;
    case CFGK_STR:
        return cfgtree_str(x, v, path, false, &s) ? -EINVAL : cfgtree_set_str(x, v, field, s);
    case CFGK_FN:
        return ks->fn(x, v, path, field);
    default:
        return get_number(x, v, path, ks, field);
    }
}

bool cfgtree_listed(const char *list, const char *k)
{
    size_t n = strlen(k);

    for (const char *p = list; n && p && (p = strstr(p, k)); p++)
        if (p > list && p[-1] == ' ' && p[n] == ' ')
            return true;
    return false;
}

static const struct cfgkey *find_key(const struct cfgsection *sec, const char *k, bool *unsup)
{
    *unsup = false;
    for (size_t i = 0; i < sec->n_keys; i++)
        if (!strcmp(sec->keys[i].key, k))
            return &sec->keys[i];
    *unsup = cfgtree_listed(sec->unsupported, k);
    return NULL;
}

int cfgtree_section(struct cfgctx *x, struct cfgnode *map, const char *path,
                    const struct cfgsection *sec, void *obj)
{
    char sub[PATH_LEN], kb[64];
    struct cfgpairs ps;
    bool unsup;
    int rc = cfgtree_pairs(x, map, path, &ps);

    for (size_t i = 0; !rc && i < ps.n; i++) {
        const struct cfgkey *ks = find_key(sec, ps.v[i].k, &unsup);
        struct cfgnode *v = ps.v[i].val;
        if (!ks) {
            cfgtree_warn(x, ps.v[i].key,
                         unsup ? "key '%s' in %s is not supported by switchboard (ignored)"
                               : "unknown key '%s' in %s (ignored)",
                         cfgtree_keyname(ps.v[i].k, kb), path);
            continue;
        }
        snprintf(sub, sizeof(sub), "%s.%s", path, ps.v[i].k);
        if (ks->kind == CFGK_FN)
            rc = ks->fn(x, v, sub, obj);
        else if (!cfgtree_is_null(v))
            rc = cfgtree_scalar(x, v, sub, ks, (char *)obj + ks->off);
    }
    free(ps.v);
    return rc;
}
