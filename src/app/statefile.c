/* statefile: where a running switchboard can be found. */
#include "app/statefile.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "core/fsutil.h"
#include "core/json.h"

void statefile_path(char *out, size_t len)
{
    const char *rt = getenv("XDG_RUNTIME_DIR");
    const char *home = getenv("HOME");
    if (rt && *rt)
        snprintf(out, len, "%s/switchboard.json", rt);
    else if (home && *home)
        snprintf(out, len, "%s/.local/state/switchboard/instance.json", home);
    else
        snprintf(out, len, "/tmp/switchboard-%d.json", (int)getuid());
}

int statefile_write(const char *url, const char *config_path, bool demo)
{
    char path[1024], tmp[1100];
    statefile_path(path, sizeof path);
    fsutil_make_parents(path);
    snprintf(tmp, sizeof tmp, "%s.%d", path, (int)getpid());
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "pid", getpid());
    cJSON_AddStringToObject(o, "url", url);
    cJSON_AddStringToObject(o, "config", config_path);
    cJSON_AddBoolToObject(o, "demo", demo);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    FILE *f = s ? fopen(tmp, "w") : NULL;
    int rc = -EIO;
    if (f) {
        fputs(s, f);
        rc = fclose(f) == 0 && rename(tmp, path) == 0 ? 0 : -errno;
    }
    free(s);
    return rc;
}

void statefile_remove(void)
{
    struct statefile_info info;
    char path[1024];
    statefile_path(path, sizeof path);
    /* Only remove our own file: another instance may have started since. */
    if (statefile_read(&info) == 0 && info.pid == (int)getpid())
        unlink(path);
}

int statefile_read(struct statefile_info *out)
{
    char path[1024], text[4096];
    statefile_path(path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f)
        return -ENOENT;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cJSON *o = json_parse(text, n);
    if (!o)
        return -ENOENT;
    memset(out, 0, sizeof *out);
    out->pid = (int)json_num(o, "pid", 0);
    snprintf(out->url, sizeof out->url, "%s", json_str(o, "url") ? json_str(o, "url") : "");
    snprintf(out->config, sizeof out->config, "%s",
             json_str(o, "config") ? json_str(o, "config") : "");
    out->demo = json_bool(o, "demo", false);
    cJSON_Delete(o);
    if (out->pid <= 0 || (kill(out->pid, 0) != 0 && errno == ESRCH))
        return -ESRCH;
    return 0;
}
