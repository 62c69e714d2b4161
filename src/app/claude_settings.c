/* claude_settings: merges switchboard's keys into Claude Code's settings files and takes them
 * out again. The text transforms are pure; the file half adds backups and atomic writes.
 * Knows nothing of the running instance or the config. */
#include "app/claude_settings.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "core/json.h"

/* ~/.claude.json collects project history and can grow to megabytes; beyond this it is
 * not a file we should rewrite. */
#define MAX_FILE_BYTES (64u << 20)
#define N_ENV          7

/* ---- pure text transforms ---- */

static bool is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

/* Parses text as a JSON object whose item sections are objects too; NULL or blank text is
 * an empty object. */
static int load_object(const char *text, const struct claude_setting *items, size_t n, cJSON **out)
{
    *out = NULL;
    cJSON *o = !text || is_blank(text) ? cJSON_CreateObject() : json_parse(text, strlen(text));
    if (!o)
        return !text || is_blank(text) ? -ENOMEM : -EINVAL;
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        const cJSON *sec =
            items[i].section ? cJSON_GetObjectItemCaseSensitive(o, items[i].section) : NULL;
        if (sec && !cJSON_IsObject(sec)) {
            cJSON_Delete(o);
            return -EINVAL;
        }
    }
    *out = o;
    return 0;
}

/* The object holding the item's key; the section is created when asked. NULL if absent. */
static cJSON *parent_of(cJSON *root, const struct claude_setting *it, bool create)
{
    if (!it->section)
        return root;
    cJSON *sec = cJSON_GetObjectItemCaseSensitive(root, it->section);
    if (!sec && create)
        sec = cJSON_AddObjectToObject(root, it->section);
    return sec;
}

static bool has_value(const cJSON *v, const struct claude_setting *it)
{
    if (!it->value)
        return cJSON_IsTrue(v);
    return cJSON_IsString(v) && strcmp(v->valuestring, it->value) == 0;
}

/* JavaScript's JSON.parse keeps the last of duplicate keys, cJSON finds the first: drop the
 * later ones so both read the value we set. */
static void drop_duplicates(cJSON *parent, const char *key)
{
    cJSON *first = cJSON_GetObjectItemCaseSensitive(parent, key);
    cJSON *c = first ? first->next : NULL;
    while (c) {
        cJSON *next = c->next;
        if (c->string && strcmp(c->string, key) == 0)
            cJSON_Delete(cJSON_DetachItemViaPointer(parent, c));
        c = next;
    }
}

/* Puts v (taken) under key, in place of an existing value. */
static int put(cJSON *parent, const char *key, cJSON *v)
{
    if (!parent || !v) {
        cJSON_Delete(v);
        return -ENOMEM;
    }
    drop_duplicates(parent, key);
    if (cJSON_GetObjectItemCaseSensitive(parent, key))
        return cJSON_ReplaceItemInObjectCaseSensitive(parent, key, v) ? 0 : -ENOMEM;
    return cJSON_AddItemToObject(parent, key, v) ? 0 : -ENOMEM;
}

/* cJSON indents with tabs and puts a tab after each colon; Claude Code writes two spaces. Raw
 * tabs never occur inside cJSON's strings (it escapes them), so each one is layout. */
static char *render(const cJSON *root)
{
    char *s = cJSON_Print(root);
    if (!s)
        return NULL;
    size_t tabs = 0, len = strlen(s);
    for (size_t i = 0; i < len; i++)
        tabs += s[i] == '\t';
    char *out = malloc(len + tabs + 2);
    if (out) {
        char *p = out;
        bool line_start = true;
        for (size_t i = 0; i < len; i++) {
            if (s[i] == '\t') {
                memcpy(p, line_start ? "  " : " ", line_start ? 2 : 1);
                p += line_start ? 2 : 1;
                continue;
            }
            line_start = s[i] == '\n';
            *p++ = s[i];
        }
        memcpy(p, "\n", 2);
    }
    free(s);
    return out;
}

int claude_settings_apply(const char *text, const struct claude_setting *items, size_t n,
                          char **out, bool *changed)
{
    cJSON *root;
    *out = NULL;
    int rc = load_object(text, items, n, &root);
    if (rc)
        return rc;
    bool any = false;
    for (size_t i = 0; i < n && rc == 0; i++) {
        cJSON *parent = parent_of(root, &items[i], false);
        changed[i] = !parent ||
                     !has_value(cJSON_GetObjectItemCaseSensitive(parent, items[i].key), &items[i]);
        if (!changed[i])
            continue;
        any = true;
        cJSON *v = items[i].value ? cJSON_CreateString(items[i].value) : cJSON_CreateTrue();
        rc = put(parent_of(root, &items[i], true), items[i].key, v);
    }
    if (rc == 0 && any && !(*out = render(root)))
        rc = -ENOMEM;
    cJSON_Delete(root);
    return rc;
}

/* Gives one item back the value it had in orig, or removes it. */
static int revert_item(cJSON *cur, const cJSON *orig, const struct claude_setting *it)
{
    const cJSON *orig_parent =
        it->section ? cJSON_GetObjectItemCaseSensitive(orig, it->section) : orig;
    const cJSON *ov = orig_parent ? cJSON_GetObjectItemCaseSensitive(orig_parent, it->key) : NULL;
    if (ov)
        return put(parent_of(cur, it, true), it->key, cJSON_Duplicate(ov, true));
    cJSON *parent = parent_of(cur, it, false);
    if (!parent)
        return 0;
    while (cJSON_GetObjectItemCaseSensitive(parent, it->key))
        cJSON_DeleteItemFromObjectCaseSensitive(parent, it->key);
    if (it->section && !orig_parent && !parent->child)
        cJSON_DeleteItemFromObjectCaseSensitive(cur, it->section);
    return 0;
}

int claude_settings_revert(const char *current, const char *backup,
                           const struct claude_setting *items, size_t n, char **out, bool *remove)
{
    bool existed = backup && *backup;
    *out = NULL;
    *remove = false;
    if (!current) { /* the user deleted it since: the original comes back as it was */
        *remove = !existed;
        return existed && !(*out = strdup(backup)) ? -ENOMEM : 0;
    }
    cJSON *cur, *orig;
    int rc = load_object(current, items, n, &cur);
    if (rc)
        return rc;
    if ((rc = load_object(existed ? backup : NULL, items, n, &orig)) != 0) {
        cJSON_Delete(cur);
        return rc;
    }
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = revert_item(cur, orig, &items[i]);
    if (rc == 0) {
        if (existed && cJSON_Compare(cur, orig, true))
            *out = strdup(backup);
        else if (!existed && !cur->child)
            *remove = true;
        else
            *out = render(cur);
        if (!*out && !*remove)
            rc = -ENOMEM;
    }
    cJSON_Delete(cur);
    cJSON_Delete(orig);
    return rc;
}

/* ---- files ---- */

/* One file we manage. path is what the user sees; real is where it is written (a symlinked
 * settings file stays a symlink, with its target updated). */
struct target {
    char path[PATH_MAX];
    char real[PATH_MAX];
    char backup[PATH_MAX + sizeof CLAUDE_BACKUP_SUFFIX];
    const struct claude_setting *items;
    size_t n;
    char *text; /* current contents, NULL when missing */
    mode_t mode;
    char *next; /* what to write, NULL for nothing */
    bool changed[N_ENV];
};

static void target_init(struct target *t, const char *home, const char *rel,
                        const struct claude_setting *items, size_t n)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "%s/%s", home, rel);
    snprintf(t->backup, sizeof t->backup, "%s%s", t->path, CLAUDE_BACKUP_SUFFIX);
    if (!realpath(t->path, t->real))
        snprintf(t->real, sizeof t->real, "%s", t->path);
    t->items = items;
    t->n = n;
    t->mode = 0600;
}

static void target_release(struct target *t)
{
    free(t->text);
    free(t->next);
    t->text = t->next = NULL;
}

/* Reads a whole file into *text (NULL and 0 when it does not exist). Files with NUL bytes
 * are refused: they cannot be JSON and must not be rewritten. */
static int read_text(const char *path, char **text, mode_t *mode)
{
    *text = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    struct stat st;
    int rc = fstat(fd, &st) != 0 ? -errno : !S_ISREG(st.st_mode) ? -EINVAL : 0;
    if (rc == 0 && (size_t)st.st_size > MAX_FILE_BYTES)
        rc = -EFBIG;
    char *p = rc == 0 ? malloc((size_t)st.st_size + 1) : NULL;
    size_t len = 0;
    if (rc == 0 && !p)
        rc = -ENOMEM;
    while (rc == 0 && len < (size_t)st.st_size) {
        ssize_t k = read(fd, p + len, (size_t)st.st_size - len);
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    close(fd);
    if (rc == 0 && memchr(p, '\0', len))
        rc = -EINVAL;
    if (rc) {
        free(p);
        return rc;
    }
    p[len] = '\0';
    *text = p;
    if (mode)
        *mode = st.st_mode & 07777;
    return 0;
}

/* Writes a temp file beside path and renames it over path, so a crash leaves either the old
 * file or the new one. */
static int write_atomic(const char *path, const char *data, mode_t mode)
{
    char tmp[PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.switchboard-tmp.%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    size_t len = strlen(data), done = 0;
    int rc = 0;
    while (rc == 0 && done < len) {
        ssize_t k = write(fd, data + done, len - done);
        if (k < 0)
            rc = -errno;
        else
            done += (size_t)k;
    }
    if (rc == 0 && (fchmod(fd, mode) != 0 || fsync(fd) != 0))
        rc = -errno;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -errno;
    if (rc)
        unlink(tmp);
    return rc;
}

static void print_value(FILE *out, const struct claude_setting *it)
{
    const char *v = it->value ? it->value : "true";
    size_t len = strlen(v);
    if (it->secret)
        fprintf(out, "****%s\n", len > 4 ? v + len - 4 : "");
    else
        fprintf(out, "%s\n", v);
}

static void report(const struct target *t, bool new_backup, FILE *out)
{
    fprintf(out, "%s %s", t->text ? "updated" : "created", t->path);
    if (new_backup && t->text)
        fprintf(out, " (original saved as %s)", t->backup);
    else if (new_backup)
        fputs(" (--undo removes it again)", out);
    fputs(":\n", out);
    for (size_t i = 0; i < t->n; i++) {
        if (!t->changed[i])
            continue;
        const struct claude_setting *it = &t->items[i];
        fprintf(out, "  %s%s%s = ", it->section ? it->section : "", it->section ? "." : "",
                it->key);
        print_value(out, it);
    }
}

static void say_error(FILE *err, const struct target *t, int rc, const char *what)
{
    if (rc == -EINVAL)
        fprintf(err,
                "error: %s is not a valid JSON object, so switchboard will not %s it. Fix or "
                "move it, then run this again. Nothing was changed.\n",
                t->path, what);
    else
        fprintf(err, "error: cannot %s %s: %s. Nothing was changed.\n", what, t->path,
                strerror(-rc));
}

/* Saves the file as it is before our first change; an existing backup already holds the
 * original. An empty backup records that there was no file. */
static int backup_once(struct target *t, bool *made)
{
    struct stat st;
    *made = false;
    if (lstat(t->backup, &st) == 0)
        return 0;
    int rc = write_atomic(t->backup, t->text ? t->text : "", 0600);
    *made = rc == 0;
    return rc;
}

static void parent_dir(const char *path, char *dir, size_t len)
{
    snprintf(dir, len, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir)
        *slash = '\0';
}

static bool holds_secret(const struct target *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->items[i].secret)
            return true;
    return false;
}

/* The mode to write: the file's own, except that a file holding a token is readable by its
 * owner alone whatever it was (other users could otherwise read the key to switchboard). */
static mode_t install_mode(const struct target *t)
{
    mode_t m = t->text ? t->mode : 0600;
    return holds_secret(t) ? m & 07700 : m;
}

static int commit_install(struct target *t, FILE *out, FILE *err)
{
    char dir[PATH_MAX];
    bool made;
    parent_dir(t->real, dir, sizeof dir);
    mkdir(dir, 0700);
    mode_t mode = install_mode(t);
    int rc = backup_once(t, &made);
    if (rc == 0)
        rc = write_atomic(t->real, t->next, mode);
    if (rc) {
        fprintf(err, "error: cannot write %s: %s\n", t->path, strerror(-rc));
        return rc;
    }
    report(t, made, out);
    if (t->text && mode != t->mode)
        fprintf(out,
                "  %s was readable by other users (mode %03o); it now holds a token, so it is "
                "%03o (readable by you alone)\n",
                t->path, (unsigned)(t->mode & 0777), (unsigned)(mode & 0777));
    return 0;
}

static void env_items(struct claude_setting *it, const struct claude_conf *c)
{
    const char *keys[N_ENV] = {"ANTHROPIC_BASE_URL",
                               "ANTHROPIC_AUTH_TOKEN",
                               "ANTHROPIC_DEFAULT_OPUS_MODEL",
                               "ANTHROPIC_DEFAULT_SONNET_MODEL",
                               "ANTHROPIC_DEFAULT_HAIKU_MODEL",
                               "API_TIMEOUT_MS",
                               "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"};
    const char *vals[N_ENV] = {c ? c->url : "",
                               c ? c->token : "",
                               c ? c->opus : "",
                               c ? c->sonnet : "",
                               c ? c->haiku : "",
                               "3000000",
                               "1"};
    for (int i = 0; i < N_ENV; i++)
        it[i] = (struct claude_setting){"env", keys[i], vals[i] ? vals[i] : "", i == 1};
}

static const struct claude_setting onboarding = {NULL, "hasCompletedOnboarding", NULL, false};

/* The two files; without a haiku model its variable is left as the user has it. */
static void targets_init(struct target t[2], const char *home, struct claude_setting *env,
                         const struct claude_conf *c)
{
    env_items(env, c);
    size_t n = N_ENV;
    if (c && !c->haiku) {
        env[4] = env[N_ENV - 1];
        n--;
    }
    target_init(&t[0], home, ".claude/settings.json", env, n);
    target_init(&t[1], home, ".claude.json", &onboarding, 1);
}

int claude_settings_install(const char *home, const struct claude_conf *conf, FILE *out, FILE *err)
{
    struct claude_setting env[N_ENV];
    struct target t[2];
    targets_init(t, home, env, conf);
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        rc = read_text(t[i].real, &t[i].text, &t[i].mode);
        if (rc == 0)
            rc = claude_settings_apply(t[i].text, t[i].items, t[i].n, &t[i].next, t[i].changed);
        if (rc)
            say_error(err, &t[i], rc, "update");
    }
    if (rc == 0 && !t[0].next && !t[1].next)
        fprintf(out, "Claude Code already uses switchboard (%s, %s): nothing changed.\n", t[0].path,
                t[1].path);
    for (int i = 0; i < 2 && rc == 0; i++)
        if (t[i].next)
            rc = commit_install(&t[i], out, err);
    if (rc == 0 && (t[0].next || t[1].next))
        fputs("`switchboard configure-claude --undo` puts the previous files back.\n", out);
    target_release(&t[0]);
    target_release(&t[1]);
    return rc;
}

/* Works out what undo writes for one file; -ENOENT when there is no backup. */
static int plan_undo(struct target *t, char **backup, bool *remove)
{
    int rc = read_text(t->backup, backup, NULL);
    if (rc == 0 && !*backup)
        return -ENOENT;
    if (rc == 0)
        rc = read_text(t->real, &t->text, &t->mode);
    if (rc == 0)
        rc = claude_settings_revert(t->text, *backup, t->items, t->n, &t->next, remove);
    return rc;
}

static int commit_undo(struct target *t, const char *backup, bool remove, FILE *out)
{
    bool same = t->text && t->next && strcmp(t->next, t->text) == 0;
    int rc = 0;
    if (remove && t->text)
        rc = unlink(t->real) != 0 ? -errno : 0;
    else if (t->next && !same)
        rc = write_atomic(t->real, t->next, t->text ? t->mode : 0600);
    if (rc == 0)
        rc = unlink(t->backup) != 0 ? -errno : 0;
    if (rc)
        return rc;
    if (remove)
        fprintf(out, t->text ? "removed %s (switchboard created it)\n" : "%s: already gone\n",
                t->path);
    else if (t->next && strcmp(t->next, backup) == 0)
        fprintf(out, "restored %s from its backup\n", t->path);
    else
        fprintf(out, "took switchboard's settings out of %s (later changes kept)\n", t->path);
    return 0;
}

int claude_settings_uninstall(const char *home, FILE *out, FILE *err)
{
    struct claude_setting env[N_ENV];
    struct target t[2];
    char *backup[2] = {NULL, NULL};
    bool remove[2] = {false, false}, have[2] = {false, false};
    targets_init(t, home, env, NULL);
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        rc = plan_undo(&t[i], &backup[i], &remove[i]);
        have[i] = rc == 0;
        if (rc == -ENOENT)
            rc = 0;
        else if (rc)
            say_error(err, &t[i], rc, "restore");
    }
    if (rc == 0 && !have[0] && !have[1])
        fprintf(out, "nothing to undo: no %s%s or %s%s\n", t[0].path, CLAUDE_BACKUP_SUFFIX,
                t[1].path, CLAUDE_BACKUP_SUFFIX);
    for (int i = 0; i < 2 && rc == 0; i++)
        if (have[i] && (rc = commit_undo(&t[i], backup[i], remove[i], out)) != 0)
            fprintf(err, "error: cannot restore %s: %s\n", t[i].path, strerror(-rc));
    for (int i = 0; i < 2; i++) {
        free(backup[i]);
        target_release(&t[i]);
    }
    return rc;
}
