/* cfgtree: a config document as plain nodes, built by config.c from libyaml, and the walking
 * helpers the config rules (cfgkeys.c) use: merge keys, duplicate keys, typed scalars and
 * "file:line:col: path: why" errors. Knows nothing of YAML libraries. Not thread-safe. */
#ifndef SB_CFGTREE_H
#define SB_CFGTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "config/env.h"

enum cfgnode_type { CFGNODE_SCALAR, CFGNODE_SEQ, CFGNODE_MAP };

/* One node. Aliases share nodes, so the graph may have cycles: walk only known shapes. */
struct cfgnode {
    enum cfgnode_type type;
    const char *text;      /* scalar text (borrowed); NULL for collections or text with a NUL */
    size_t len;            /* scalar length in bytes */
    bool plain;            /* unquoted scalar: "", "~" and "null" mean null */
    size_t line, col;      /* 1-based start */
    size_t n;              /* sequence items, or mapping pairs */
    struct cfgnode **kids; /* sequence: n items; mapping: 2n entries, key then value */
};

/* State of one load. err and c are set up by the caller (config.c). */
struct cfgctx {
    const char *name; /* file name for messages */
    config_warn_fn warn;
    void *ud;
    char *err;                     /* CONFIG_ERR_LEN bytes */
    const struct env_vars *dotenv; /* consulted after the environment for os.environ/ (or NULL) */
    struct config *c;
    long merge_budget;   /* pairs still allowed through "<<" merges */
    bool router_retries; /* set by router_settings, which beats litellm_settings */
    bool router_timeout;
    /* scratch for the deployment being read */
    struct cfgnode *params;
    struct cfgnode *model_node;
    char *provider;       /* litellm_params.custom_llm_provider; freed by the walker */
    long info_max_output; /* model_info's output cap, applied after litellm_params */
};

/* A mapping's effective pairs, "<<" merges applied. k borrows the key's text. */
struct cfgpair {
    struct cfgnode *key;
    struct cfgnode *val;
    const char *k;
};
struct cfgpairs {
    struct cfgpair *v;
    size_t n;
    size_t cap;
};

typedef int (*cfgkey_fn)(struct cfgctx *x, struct cfgnode *v, const char *path, void *obj);

enum cfgkind { CFGK_INT, CFGK_LONG, CFGK_NUM, CFGK_BOOL, CFGK_STR, CFGK_SIZE, CFGK_FN };

/* One known key of a section: how to read it and where it goes (offset into obj). */
struct cfgkey {
    const char *key;
    enum cfgkind kind;
    size_t off;
    double lo, hi;    /* inclusive range for numbers and sizes */
    bool pos;         /* CFGK_NUM: must also be > lo */
    const char *what; /* "a positive integer", for messages */
    cfgkey_fn fn;
};

struct cfgsection {
    const struct cfgkey *keys;
    size_t n_keys;
    const char *unsupported; /* " key key ": LiteLLM keys we accept but do not implement */
};

/* Writes "file:line:col: " + message into x->err (n NULL means 1:1). Returns -EINVAL. */
int cfgtree_fail(struct cfgctx *x, const struct cfgnode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same with "out of memory"; returns -ENOMEM. */
int cfgtree_oom(struct cfgctx *x, const struct cfgnode *n);
/* Calls the warn sink (if any) with "file:line: " + message. */
void cfgtree_warn(struct cfgctx *x, const struct cfgnode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "'abc'", "a list" or "a mapping" for "got ..." messages; "'<redacted>'" when secret. */
const char *cfgtree_shown(const struct cfgnode *n, bool secret, char out[64]);
/* Printable, shortened key name; "<redacted>" for something that looks like a key. */
const char *cfgtree_keyname(const char *k, char out[64]);

bool cfgtree_is_null(const struct cfgnode *n);
/* True when k is one of the space-separated words of list (which starts with a space). */
bool cfgtree_listed(const char *list, const char *k);
/* Effective pairs of a mapping (null counts as empty): explicit keys, then "<<" merges;
 * duplicate explicit keys are errors. Caller frees ps->v, also on error. */
int cfgtree_pairs(struct cfgctx *x, struct cfgnode *map, const char *where, struct cfgpairs *ps);

/* Scalar text into *out (borrowed), else an error naming path. */
int cfgtree_str(struct cfgctx *x, struct cfgnode *v, const char *path, bool secret,
                const char **out);
/* Replaces *field with a copy of s. 0 or -ENOMEM (message set). */
int cfgtree_set_str(struct cfgctx *x, struct cfgnode *v, char **field, const char *s);
/* Reads a non-null scalar per ks->kind into field. */
int cfgtree_scalar(struct cfgctx *x, struct cfgnode *v, const char *path, const struct cfgkey *ks,
                   void *field);
/* Reads a mapping against a section table: known keys applied in file order (null keeps the
 * default), unknown and unsupported keys only warn. */
int cfgtree_section(struct cfgctx *x, struct cfgnode *map, const char *path,
                    const struct cfgsection *sec, void *obj);

#endif
