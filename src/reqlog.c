/* reqlog: JSON-lines request log. */
#include "reqlog.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <cJSON.h>

struct reqlog {
    FILE *f;
    pthread_mutex_t mu;
};

static void mkdirs(const char *path)
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

struct reqlog *reqlog_open(const char *path)
{
    mkdirs(path);
    FILE *f = fopen(path, "a");
    if (!f)
        return NULL;
    struct reqlog *l = calloc(1, sizeof *l);
    if (!l) {
        fclose(f);
        errno = ENOMEM;
        return NULL;
    }
    l->f = f;
    pthread_mutex_init(&l->mu, NULL);
    return l;
}

void reqlog_close(struct reqlog *l)
{
    if (!l)
        return;
    fclose(l->f);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

static void iso_time(int64_t wall_ms, char *out, size_t len)
{
    time_t s = (time_t)(wall_ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    size_t n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, len - n, ".%03dZ", (int)(wall_ms % 1000));
}

char *reqlog_format(const struct request_rec *r)
{
    cJSON *o = cJSON_CreateObject();
    char ts[40];
    iso_time(r->wall_ms, ts, sizeof ts);
    cJSON_AddStringToObject(o, "ts", ts);
    cJSON_AddNumberToObject(o, "id", (double)r->id);
    cJSON_AddStringToObject(o, "api", r->client_api == API_ANTHROPIC ? "anthropic" : "openai");
    cJSON_AddBoolToObject(o, "stream", r->stream);
    cJSON_AddStringToObject(o, "model", r->model);
    cJSON_AddStringToObject(o, "group", r->group);
    cJSON_AddStringToObject(o, "provider", r->served_by);
    cJSON_AddNumberToObject(o, "status", r->status);
    cJSON_AddNumberToObject(o, "latency_ms", r->latency_ms);
    cJSON_AddNumberToObject(o, "ttft_ms", r->ttft_ms);
    cJSON_AddNumberToObject(o, "overhead_ms", r->overhead_ms);
    cJSON_AddNumberToObject(o, "tokens_in", (double)r->tokens_in);
    cJSON_AddNumberToObject(o, "tokens_out", (double)r->tokens_out);
    if (r->error[0])
        cJSON_AddStringToObject(o, "error", r->error);
    cJSON *a = cJSON_AddArrayToObject(o, "attempts");
    for (int i = 0; i < r->n_attempts; i++) {
        const struct attempt_rec *t = &r->attempts[i];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "provider", t->dep);
        cJSON_AddNumberToObject(x, "status", t->status);
        if (t->cls != ERRC_NONE)
            cJSON_AddStringToObject(x, "class", errmap_class_name(t->cls));
        if (t->note[0])
            cJSON_AddStringToObject(x, "note", t->note);
        cJSON_AddNumberToObject(x, "ms", t->ms);
        cJSON_AddItemToArray(a, x);
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static void write_line(struct reqlog *l, const char *s)
{
    pthread_mutex_lock(&l->mu);
    fputs(s, l->f);
    fputc('\n', l->f);
    fflush(l->f);
    pthread_mutex_unlock(&l->mu);
}

void reqlog_write(struct reqlog *l, const struct request_rec *rec)
{
    char *s = reqlog_format(rec);
    if (s)
        write_line(l, s);
    free(s);
}

void reqlog_event(struct reqlog *l, const char *event, const char *msg)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    char ts[40];
    iso_time((int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000, ts, sizeof ts);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "ts", ts);
    cJSON_AddStringToObject(o, "event", event);
    cJSON_AddStringToObject(o, "msg", msg);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (s)
        write_line(l, s);
    free(s);
}
