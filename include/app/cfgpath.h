/* cfgpath: which config file and which .env a run uses, the way other Unix tools look for
 * theirs: --config when given, else ./config.yaml when it exists, else
 * $XDG_CONFIG_HOME/switchboard/config.yaml (~/.config/switchboard/config.yaml); the .env is
 * --env-file when given, else the one beside the config. `switchboard init` writes both to the
 * last place. Reads the environment: main thread only, before any thread starts. */
#ifndef SB_CFGPATH_H
#define SB_CFGPATH_H

#include <stdbool.h>
#include <stddef.h>

#define CFGPATH_MAX 1024

struct cfgpath {
    char config[CFGPATH_MAX]; /* as the user would type it: relative stays relative */
    char env[CFGPATH_MAX];
    const char *config_from; /* "--config", "the working directory", "$XDG_CONFIG_HOME" ... */
    const char *env_from;    /* "--env-file" or "beside the config" */
};

/* Resolves the two paths. opt_config / opt_env are the command line's (NULL when absent).
 * 0; or -ENOENT when no option names a config and none exists in either place (err then
 * says where it looked and what to do); or -ENAMETOOLONG. */
int cfgpath_resolve(const char *opt_config, const char *opt_env, struct cfgpath *out, char *err,
                    size_t errlen);
/* The per-user config file: $XDG_CONFIG_HOME/switchboard/config.yaml, or
 * ~/.config/switchboard/config.yaml. 0 or -ENOENT (no home). */
int cfgpath_user_config(char *out, size_t len);
/* The .env beside config: same directory, name ".env" (".env" for a bare file name). 0 or
 * -ENAMETOOLONG. */
int cfgpath_env_beside(const char *config, char *out, size_t len);

#endif
