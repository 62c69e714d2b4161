/* statefile: where a running switchboard can be found. The file outlives a crash; readers
 * tell a stale one by its process: gone, or its pid reused by a process that started at
 * another time. */
#include "statefile.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "app.h"
#include "json.h"

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

static void make_parent(const char *path)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(dir, 0700);
        *p = '/';
    }
}

/* When process pid started, in clock ticks after boot (field 22 of /proc/PID/stat), or -1. */
static long long start_ticks(int pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    char *p = strrchr(text, ')'); /* the command name may hold spaces and parentheses */
    long long v = -1;
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p && sscanf(p + 1, "%lld", &v) != 1)
        v = -1;
    return v;
}

int statefile_write(const struct app *app)
{
    char path[1024], tmp[1100];
    statefile_path(path, sizeof path);
    make_parent(path);
    snprintf(tmp, sizeof tmp, "%s.%d", path, (int)getpid());
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "pid", getpid());
    cJSON_AddNumberToObject(o, "started", (double)start_ticks(getpid()));
    cJSON_AddStringToObject(o, "url", app->url);
    cJSON_AddStringToObject(o, "config", app->config_path);
    cJSON_AddBoolToObject(o, "demo", app->opts.demo);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    FILE *f = s ? fopen(tmp, "w") : NULL;
    int rc = -EIO;
    if (f) {
        /* on disk before it replaces the old file: never an empty file after a power cut */
        bool ok = fputs(s, f) >= 0 && fflush(f) == 0 && fsync(fileno(f)) == 0;
        ok = fclose(f) == 0 && ok;
        rc = ok && rename(tmp, path) == 0 ? 0 : -errno;
        if (rc)
            unlink(tmp);
    }
    free(s);
    return rc;
}

void statefile_remove(const struct app *app)
{
    struct statefile_info info;
    char path[1024];
    statefile_path(path, sizeof path);
    /* Only remove our own file: another instance may have started since. */
    if (statefile_read(&info) == 0 && info.pid == (int)getpid())
        unlink(path);
    (void)app;
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
    long long started = (long long)json_num(o, "started", -1);
    cJSON_Delete(o);
    if (out->pid <= 0 || (kill(out->pid, 0) != 0 && errno == ESRCH))
        return -ESRCH;
    long long now = started >= 0 ? start_ticks(out->pid) : -1;
    if (now >= 0 && now != started)
        return -ESRCH; /* the pid belongs to a later process */
    return 0;
}
