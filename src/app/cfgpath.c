/* cfgpath: the config lookup (see cfgpath.h). */
#include "app/cfgpath.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "app/userdirs.h"
#include "core/strutil.h"

int cfgpath_user_config(char *out, size_t len)
{
    char dir[CFGPATH_MAX];
    int rc = userdirs_config(dir, sizeof dir);
    if (rc)
        return rc;
    int n = snprintf(out, len, "%s/switchboard/config.yaml", dir);
    return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

int cfgpath_env_beside(const char *config, char *out, size_t len)
{
    const char *slash = strrchr(config, '/');
    if (!slash)
        return str_copy(out, len, ".env") ? 0 : -ENAMETOOLONG;
    int dir_len = (int)(slash - config) + 1; /* keeps the slash: "/config.yaml" -> "/.env" */
    int n = snprintf(out, len, "%.*s.env", dir_len, config);
    return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

/* Present as something to open: a directory or a broken symlink named config.yaml is not
 * a config, and the next place is looked at instead. */
static bool present(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

static int find_config(struct cfgpath *out, char *err, size_t errlen)
{
    if (present("config.yaml")) {
        out->config_from = "the working directory";
        return str_copy(out->config, sizeof out->config, "config.yaml") ? 0 : -ENAMETOOLONG;
    }
    char user[CFGPATH_MAX];
    bool have_user = cfgpath_user_config(user, sizeof user) == 0;
    if (have_user && present(user)) {
        out->config_from = "the user's config directory";
        return str_copy(out->config, sizeof out->config, user) ? 0 : -ENAMETOOLONG;
    }
    snprintf(err, errlen,
             "no config file: looked for ./config.yaml%s%s; run `switchboard init` to write "
             "one there, or name one with --config FILE",
             have_user ? " and " : "", have_user ? user : "");
    return -ENOENT;
}

int cfgpath_resolve(const char *opt_config, const char *opt_env, struct cfgpath *out, char *err,
                    size_t errlen)
{
    int rc = 0;
    if (errlen)
        err[0] = '\0';
    if (opt_config) {
        out->config_from = "--config";
        rc = str_copy(out->config, sizeof out->config, opt_config) ? 0 : -ENAMETOOLONG;
    } else {
        rc = find_config(out, err, errlen);
    }
    if (rc)
        return rc;
    if (opt_env) {
        out->env_from = "--env-file";
        return str_copy(out->env, sizeof out->env, opt_env) ? 0 : -ENAMETOOLONG;
    }
    out->env_from = "beside the config";
    return cfgpath_env_beside(out->config, out->env, sizeof out->env);
}
