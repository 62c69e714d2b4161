/* claude_settings: puts switchboard's settings into Claude Code's own JSON files (the "env"
 * block of ~/.claude/settings.json, hasCompletedOnboarding in ~/.claude.json) and takes them
 * out again, keeping every other key. Leaf: libc and cJSON; it knows nothing of the running
 * instance, the caller passes the values. Not thread-safe (it is a command-line tool). */
#ifndef SB_CLAUDE_SETTINGS_H
#define SB_CLAUDE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CLAUDE_BACKUP_SUFFIX ".switchboard-backup"

struct claude_setting {
    const char *section; /* object holding the key ("env"), or NULL for the top level */
    const char *key;
    const char *value; /* string value; NULL stands for JSON true */
    bool secret;       /* printed masked */
};

/* Sets items in the JSON object text (NULL = the file does not exist yet). On success *out
 * is the new text (caller frees; 2-space indented, final newline), or NULL when every item
 * already has its value; changed[i] tells which items differ. Returns 0, -EINVAL when text
 * is not a JSON object (or a section is not an object), -ENOMEM. Keeps no pointers. */
int claude_settings_apply(const char *text, const struct claude_setting *items, size_t n,
                          char **out, bool *changed);

/* Undoes apply: each item gets back its value in backup (or is removed when backup lacks it,
 * and its section too when that ends up empty and backup had none). backup NULL or "" means
 * the file did not exist before. When the result equals backup, *out is backup's exact bytes;
 * when it is an empty object and backup was missing, *out is NULL and *remove is set.
 * Returns 0, -EINVAL (current or backup malformed), -ENOMEM. Caller frees *out. */
int claude_settings_revert(const char *current, const char *backup,
                           const struct claude_setting *items, size_t n, char **out, bool *remove);

/* What `switchboard configure-claude` writes (all strings; haiku may be NULL). */
struct claude_conf {
    const char *url;
    const char *token;
    const char *opus;
    const char *sonnet;
    const char *haiku;
};

/* Merges conf into <home>/.claude/settings.json and sets hasCompletedOnboarding in
 * <home>/.claude.json, backing each file up first (once: an existing backup is kept) and
 * writing atomically. Tells out what changed, err what went wrong. When either file is
 * malformed nothing is written. Returns 0, -EINVAL (malformed), or -errno. */
int claude_settings_install(const char *home, const struct claude_conf *conf, FILE *out, FILE *err);
/* Undoes install from the backups, then deletes them. Returns 0, -EINVAL, or -errno. */
int claude_settings_uninstall(const char *home, FILE *out, FILE *err);

#endif
