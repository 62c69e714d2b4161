/* config: reads a LiteLLM config.yaml with libyaml into a plain cfgtree, which cfgkeys.c turns
 * into the immutable struct config. The only module that includes yaml.h. */
#include "config/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "config/cfgkeys.h"
#include "config/cfgtree.h"
#include "config/cfgutil.h"
#include "core/buf.h"

#define MAX_FILE_BYTES (4u << 20)
#define MERGE_BUDGET   100000 /* pairs visited through "<<" merges per document */

struct tree {
    struct cfgnode *nodes;
    size_t n;
};

static void tree_free(struct tree *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->nodes[i].kids);
    free(t->nodes);
}

/* Node id (1-based, as libyaml numbers them) to our node; NULL when out of range. */
static struct cfgnode *tree_node(struct tree *t, int id)
{
    return id >= 1 && (size_t)id <= t->n ? &t->nodes[id - 1] : NULL;
}

static int copy_kids(struct tree *t, const yaml_node_t *y, struct cfgnode *n)
{
    size_t k = 0;

    n->n = y->type == YAML_SEQUENCE_NODE
               ? (size_t)(y->data.sequence.items.top - y->data.sequence.items.start)
               : (size_t)(y->data.mapping.pairs.top - y->data.mapping.pairs.start);
    n->kids = calloc(n->n * 2 + 1, sizeof(*n->kids));
    if (!n->kids)
        return -ENOMEM;
    for (size_t i = 0; i < n->n; i++) {
        if (y->type == YAML_SEQUENCE_NODE) {
            n->kids[k++] = tree_node(t, y->data.sequence.items.start[i]);
        } else {
            n->kids[k++] = tree_node(t, y->data.mapping.pairs.start[i].key);
            n->kids[k++] = tree_node(t, y->data.mapping.pairs.start[i].value);
        }
        if (!n->kids[k - 1] || (k > 1 && !n->kids[k - 2]))
            return -EINVAL;
    }
    return 0;
}

/* Mirrors the document; scalar texts stay borrowed from it, aliases stay shared nodes. */
static int tree_build(struct tree *t, yaml_document_t *doc)
{
    t->n = (size_t)(doc->nodes.top - doc->nodes.start);
    t->nodes = calloc(t->n ? t->n : 1, sizeof(*t->nodes));
    if (!t->nodes)
        return -ENOMEM;
    for (size_t i = 0; i < t->n; i++) {
        const yaml_node_t *y = &doc->nodes.start[i];
        struct cfgnode *n = &t->nodes[i];
        n->line = y->start_mark.line + 1;
        n->col = y->start_mark.column + 1;
        if (y->type == YAML_SCALAR_NODE) {
            n->type = CFGNODE_SCALAR;
            n->len = y->data.scalar.length;
            n->text = (const char *)y->data.scalar.value;
            if (strlen(n->text) != n->len)
                n->text = NULL; /* a "\0" escape: no string we use may hold one */
            n->plain = y->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            continue;
        }
        n->type = y->type == YAML_SEQUENCE_NODE ? CFGNODE_SEQ : CFGNODE_MAP;
        int rc = copy_kids(t, y, n);
        if (rc)
            return rc;
    }
    return 0;
}

static void yaml_fail(struct cfgctx *x, const yaml_parser_t *p, const char *src, size_t len)
{
    yaml_mark_t m = p->problem_mark;
    const char *what = p->problem ? p->problem : "cannot parse";

    if (p->error == YAML_READER_ERROR) {
        /* The reader reports a byte offset, not a mark. */
        m = (yaml_mark_t){0, 0, 0};
        for (size_t i = 0; i < p->problem_offset && i < len; i++) {
            m.column++;
            if (src[i] == '\n') {
                m.line++;
                m.column = 0;
            }
        }
    } else if (p->error == YAML_MEMORY_ERROR) {
        what = "out of memory";
    }
    snprintf(x->err, CONFIG_ERR_LEN, "%s:%zu:%zu: YAML syntax error: %s%s%s", x->name, m.line + 1,
             m.column + 1, what, p->context ? " " : "", p->context ? p->context : "");
}

/* A second document in the stream would be silently ignored by yaml_parser_load. */
static int no_second_doc(struct cfgctx *x, yaml_parser_t *p, const char *src, size_t len)
{
    yaml_document_t extra;
    yaml_node_t *root;

    if (!yaml_parser_load(p, &extra)) {
        yaml_fail(x, p, src, len);
        return -EINVAL;
    }
    root = yaml_document_get_root_node(&extra);
    if (root)
        snprintf(x->err, CONFIG_ERR_LEN, "%s:%zu:%zu: a second YAML document is not supported",
                 x->name, root->start_mark.line + 1, root->start_mark.column + 1);
    yaml_document_delete(&extra);
    return root ? -EINVAL : 0;
}

static int load_doc(struct cfgctx *x, yaml_parser_t *p, const char *src, size_t len)
{
    struct tree t = {0};
    yaml_document_t doc;
    int rc;

    if (!yaml_parser_load(p, &doc)) {
        yaml_fail(x, p, src, len);
        return -EINVAL;
    }
    if (!yaml_document_get_root_node(&doc))
        rc = cfgtree_fail(x, NULL, "empty configuration: expected a mapping with model_list");
    else if ((rc = tree_build(&t, &doc)))
        rc = rc == -ENOMEM ? cfgtree_oom(x, NULL) : cfgtree_fail(x, NULL, "malformed document");
    else
        rc = cfgkeys_load(x, &t.nodes[0]);
    tree_free(&t);
    yaml_document_delete(&doc);
    return rc ? rc : no_second_doc(x, p, src, len);
}

struct config *config_parse(const char *yaml, size_t len, const char *name, config_warn_fn warn,
                            void *ud, char err[CONFIG_ERR_LEN])
{
    return config_parse_env(yaml, len, name, NULL, warn, ud, err);
}

struct config *config_parse_env(const char *yaml, size_t len, const char *name,
                                const struct env_vars *dotenv, config_warn_fn warn, void *ud,
                                char err[CONFIG_ERR_LEN])
{
    struct cfgctx x = {
        .name = name ? name : "<config>", .warn = warn, .ud = ud, .err = err, .dotenv = dotenv};
    yaml_parser_t p;
    int rc;

    err[0] = '\0';
    x.merge_budget = MERGE_BUDGET;
    if (!(x.c = cfgkeys_new(x.name)) || !yaml_parser_initialize(&p)) {
        snprintf(err, CONFIG_ERR_LEN, "%s: out of memory", x.name);
        cfgkeys_destroy(x.c);
        return NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)(yaml ? yaml : ""), yaml ? len : 0);
    rc = load_doc(&x, &p, yaml ? yaml : "", yaml ? len : 0);
    yaml_parser_delete(&p);
    if (rc) {
        cfgkeys_destroy(x.c);
        return NULL;
    }
    return x.c;
}

struct config *config_load(const char *path, config_warn_fn warn, void *ud,
                           char err[CONFIG_ERR_LEN])
{
    return config_load_env(path, NULL, warn, ud, err);
}

struct config *config_load_env(const char *path, const struct env_vars *dotenv, config_warn_fn warn,
                               void *ud, char err[CONFIG_ERR_LEN])
{
    struct config *c = NULL;
    char chunk[8192];
    struct buf b;
    size_t n;
    int rc = 0;
    FILE *f = fopen(path, "rb");

    if (!f) {
        snprintf(err, CONFIG_ERR_LEN, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    buf_init(&b, MAX_FILE_BYTES);
    while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = buf_append(&b, chunk, n);
    if (!rc && ferror(f))
        rc = -EIO;
    fclose(f);
    if (rc)
        snprintf(err, CONFIG_ERR_LEN, "%s: cannot read: %s", path,
                 rc == -E2BIG ? "larger than 4 MiB" : strerror(-rc));
    else
        c = config_parse_env(buf_cstr(&b), b.len, path, dotenv, warn, ud, err);
    if (c) {
        c->from_file = true;
        c->file_len = b.len;
        c->file_hash = config_text_hash(b.data, b.len);
    }
    buf_release(&b);
    return c;
}
