/* cfgedit: the in-place rewrite of one deployment's model value (see cfgedit.h). The file is
 * read again, checked against what was loaded, changed in memory at the value's recorded
 * position, backed up, and replaced through a temporary file and rename, so a crash leaves
 * either the old file or the new one. */
#include "config/cfgedit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"

#define FILE_CAP  (4u << 20) /* as config.c reads it */
#define MODEL_MAX 128

static int say(char *err, size_t n, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int say(char *err, size_t n, int rc, const char *fmt, ...)
{
    if (err && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, n, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* Model ids are names like gpt-oss-120b, glm-5.2, org/model:tag: nothing YAML would read
 * differently unquoted. */
static bool model_name_ok(const char *m)
{
    size_t n = m ? strlen(m) : 0;
    if (n == 0 || n >= MODEL_MAX || m[0] == '-' || m[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = m[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == '@';
        if (!ok)
            return false;
    }
    return true;
}

/* "cerebras/" of "cerebras/zai-glm-4.6" when the model was written with a provider prefix
 * (the prefix is what was written before the model id the config kept). */
static size_t prefix_len(const struct deployment_cfg *d)
{
    size_t w = d->model_written ? strlen(d->model_written) : 0, m = strlen(d->model);
    if (w > m && strcmp(d->model_written + w - m, d->model) == 0)
        return w - m;
    return 0;
}

void cfgedit_model_line(const struct deployment_cfg *dep, const char *new_model, char *out,
                        size_t n)
{
    size_t p = prefix_len(dep);
    snprintf(out, n, "model: %.*s%s", (int)p, dep->model_written ? dep->model_written : "",
             new_model);
}

static int read_file(const char *path, struct buf *b, char *err, size_t n)
{
    char chunk[8192];
    size_t k;
    int rc = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return say(err, n, -errno, "%s: cannot read: %s", path, strerror(errno));
    while (!rc && (k = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = buf_append(b, chunk, k);
    if (!rc && ferror(f))
        rc = -EIO;
    fclose(f);
    return rc ? say(err, n, rc, "%s: cannot read it whole", path) : 0;
}

/* Byte offset of the start of 1-based line `line`, or -1. */
static long line_start(const char *s, size_t len, int line)
{
    size_t at = 0;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(s + at, '\n', len - at);
        if (!nl)
            return -1;
        at = (size_t)(nl - s) + 1;
    }
    return (long)at;
}

/* Where the value sits in the text ([*from, *to) covers the scalar, quotes included), after
 * checking it still reads as what was loaded. */
static int locate(const struct deployment_cfg *d, const char *s, size_t len, size_t *from,
                  size_t *to)
{
    long ls = d->model_line > 0 ? line_start(s, len, d->model_line) : -1;
    size_t w = strlen(d->model_written);
    if (ls < 0 || d->model_col < 1)
        return -EINVAL;
    size_t at = (size_t)ls + (size_t)d->model_col - 1;
    const char *eol = memchr(s + ls, '\n', len - (size_t)ls);
    size_t end = eol ? (size_t)(eol - s) : len;
    if (at >= end)
        return -EINVAL;
    if (d->model_plain) {
        if (at + w > end || memcmp(s + at, d->model_written, w) != 0)
            return -EINVAL;
        char after = at + w < end ? s[at + w] : ' ';
        if (after != ' ' && after != '\t' && after != '\r' && after != '#' && after != ',' &&
            after != '}')
            return -EINVAL;
        *from = at;
        *to = at + w;
        return 0;
    }
    char q = s[at];
    if ((q != '"' && q != '\'') || at + w + 2 > end || memcmp(s + at + 1, d->model_written, w) ||
        s[at + 1 + w] != q)
        return -EINVAL; /* escapes or a multi-line value: not one we rewrite */
    *from = at;
    *to = at + w + 2;
    return 0;
}

/* Writes data to path through path.tmp.PID and rename; mode for the new file. */
static int replace_file(const char *path, const char *data, size_t n, mode_t mode)
{
    char tmp[PATH_MAX + 32];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return -ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0777);
    if (fd < 0)
        return -errno;
    int rc = fchmod(fd, mode & 0777) == 0 ? 0 : -errno;
    for (size_t off = 0; !rc && off < n;) {
        ssize_t k = write(fd, data + off, n - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            rc = -errno;
        else
            off += (size_t)k;
    }
    if (!rc && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && !rc)
        rc = -errno;
    if (!rc && rename(tmp, path) != 0)
        rc = -errno;
    if (rc)
        unlink(tmp);
    return rc;
}

static int write_backup(const char *path, const char *data, size_t n, char *backup, size_t blen)
{
    char bak[PATH_MAX + 8];
    if (snprintf(bak, sizeof bak, "%s.bak", path) >= (int)sizeof bak)
        return -ENAMETOOLONG;
    int rc = replace_file(bak, data, n, 0600);
    if (!rc && backup && blen)
        snprintf(backup, blen, "%s", bak);
    return rc;
}

static const struct deployment_cfg *find_dep(const struct config *cfg, const char *id)
{
    for (size_t i = 0; id && i < cfg->n_deps; i++)
        if (cfg->deps[i].id && strcmp(cfg->deps[i].id, id) == 0)
            return &cfg->deps[i];
    return NULL;
}

/* The file to write: symlinks resolved, so the link stays a link. */
static int target_of(const char *path, char out[PATH_MAX], struct stat *st, char *err, size_t n)
{
    if (!realpath(path, out))
        return say(err, n, -errno, "%s: %s", path, strerror(errno));
    if (stat(out, st) != 0)
        return say(err, n, -errno, "%s: %s", out, strerror(errno));
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", out);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    if (access(out, W_OK) != 0 || access(dir, W_OK) != 0)
        return say(err, n, -EACCES,
                   "%s is not writable (%s): change litellm_params.model there by hand", out,
                   access(out, W_OK) != 0 ? "the file" : "its folder");
    return 0;
}

/* The file's text with the value at [from, to) replaced by the new model, prefix and quotes
 * as written. */
static int rewrite_text(const struct deployment_cfg *d, const struct buf *b, size_t from, size_t to,
                        const char *new_model, struct buf *out)
{
    size_t p = prefix_len(d);
    bool quoted = !d->model_plain;
    char q = quoted ? b->data[from] : 0;
    if (buf_append(out, b->data, from) || (quoted && buf_append(out, &q, 1)) ||
        buf_append(out, d->model_written, p) || buf_puts(out, new_model) ||
        (quoted && buf_append(out, &q, 1)) || buf_append(out, b->data + to, b->len - to))
        return -ENOMEM;
    return 0;
}

/* What may be edited at all, before the file is touched. */
static int check_request(const struct config *cfg, const struct deployment_cfg *d,
                         const char *dep_id, const char *new_model, char *err, size_t errlen)
{
    if (!d)
        return say(err, errlen, -ENOENT, "no deployment '%s'", dep_id ? dep_id : "");
    if (!model_name_ok(new_model))
        return say(err, errlen, -EINVAL, "'%.80s' is not a model id", new_model ? new_model : "");
    if (!cfg->from_file || !d->model_written || d->model_line <= 0)
        return say(err, errlen, -EINVAL, "%s was not loaded from a file: nothing to rewrite",
                   cfg->path);
    return 0;
}

/* The file as it is now, checked against what was loaded; the new text in out. */
static int prepare(const struct config *cfg, const struct deployment_cfg *d, const char *real,
                   const char *new_model, struct buf *b, struct buf *out, char *err, size_t errlen)
{
    size_t from, to;
    int rc = read_file(real, b, err, errlen);
    if (rc)
        return rc;
    if (b->len != cfg->file_len || config_text_hash(b->data, b->len) != cfg->file_hash)
        return say(err, errlen, -ESTALE,
                   "%s changed on disk since it was loaded: reload it (R) and try again",
                   cfg->path);
    if (locate(d, b->data, b->len, &from, &to) != 0)
        return say(err, errlen, -EINVAL,
                   "%s:%d: the model is not written as one plain or quoted value; change it by "
                   "hand",
                   cfg->path, d->model_line);
    if (rewrite_text(d, b, from, to, new_model, out))
        return say(err, errlen, -ENOMEM, "out of memory");
    return 0;
}

int cfgedit_set_model(const struct config *cfg, const char *dep_id, const char *new_model,
                      char *backup, size_t backup_len, char *err, size_t errlen)
{
    const struct deployment_cfg *d = cfg ? find_dep(cfg, dep_id) : NULL;
    char real[PATH_MAX];
    struct stat st;
    int rc = check_request(cfg, d, dep_id, new_model, err, errlen);
    if (rc || (rc = target_of(cfg->path, real, &st, err, errlen)))
        return rc;
    struct buf b, out;
    buf_init(&b, FILE_CAP);
    buf_init(&out, FILE_CAP + MODEL_MAX + 8);
    rc = prepare(cfg, d, real, new_model, &b, &out, err, errlen);
    if (!rc && (rc = write_backup(real, b.data, b.len, backup, backup_len)))
        say(err, errlen, rc, "cannot write the backup %s.bak: %s", real, strerror(-rc));
    else if (!rc && (rc = replace_file(real, out.data, out.len, st.st_mode)))
        say(err, errlen, rc, "cannot write %s: %s", real, strerror(-rc));
    buf_release(&b);
    buf_release(&out);
    return rc;
}
