/* reqlog: JSON-lines request log. Each line goes to the file in one write(2) on an O_APPEND
 * descriptor, nothing is buffered in the process: a line is in the file (the kernel's page
 * cache) before the request's last bytes reach its client, so a crash or kill -9 loses no
 * finished request. Not fsync'd: the lines survive the process, not a power cut. */
#include "front/reqlog.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cJSON.h>

#include "core/fsutil.h"
#include "core/termsafe.h"

struct reqlog {
    int fd;
    pthread_mutex_t mu; /* one line at a time: a write may be partial and then continue */
};

/* The log holds prompts with --log-bodies and error texts always: only its owner may read
 * it, whatever the umask. An existing regular file readable by others is made private (a
 * FIFO or /dev/stdout is left alone); note says so, or that it could not be. */
static void make_private(int fd, const char *path, char *note, size_t note_len)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 077))
        return;
    if (st.st_uid == geteuid() && fchmod(fd, st.st_mode & 0700) == 0)
        snprintf(note, note_len,
                 "log file %s was readable by other users (mode %03o); it is now %03o", path,
                 (unsigned)(st.st_mode & 0777), (unsigned)(st.st_mode & 0700));
    else
        snprintf(note, note_len,
                 "log file %s is readable by other users (mode %03o) and cannot be changed "
                 "by switchboard: it may hold prompts and error texts",
                 path, (unsigned)(st.st_mode & 0777));
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* A process killed in the middle of a line leaves it without its newline: end it, so the next
 * line starts on its own and only the torn one is unreadable. (A FIFO or a terminal cannot be
 * read back: left alone.) */
static void end_torn_line(int fd)
{
    char last;
    off_t end = lseek(fd, 0, SEEK_END);
    if (end > 0 && pread(fd, &last, 1, end - 1) == 1 && last != '\n')
        (void)write_all(fd, "\n", 1);
}

struct reqlog *reqlog_open(const char *path, char *note, size_t note_len)
{
    if (note_len)
        note[0] = '\0';
    fsutil_make_parents(path);
    /* Read access only to look at the last byte (end_torn_line); a file this user may only
     * write to is opened write-only and not repaired. */
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EACCES)
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    make_private(fd, path, note, note_len);
    struct reqlog *l = calloc(1, sizeof *l);
    if (!l) {
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    end_torn_line(fd);
    l->fd = fd;
    pthread_mutex_init(&l->mu, NULL);
    return l;
}

void reqlog_close(struct reqlog *l)
{
    if (!l)
        return;
    close(l->fd);
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

static cJSON *rec_json(const struct request_rec *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
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
    if (r->tokens_cached > 0)
        cJSON_AddNumberToObject(o, "tokens_cached", (double)r->tokens_cached);
    if (r->budget_sent > 0 && r->budget_sent < r->budget_asked) {
        /* switchboard lowered the output budget to run it there now (README: budgets) */
        cJSON *b = cJSON_AddObjectToObject(o, "budget_lowered");
        cJSON_AddNumberToObject(b, "asked", (double)r->budget_asked);
        cJSON_AddNumberToObject(b, "sent", (double)r->budget_sent);
        cJSON_AddBoolToObject(b, "cut", r->budget_cut);
    }
    if (r->wait_ms > 0)
        cJSON_AddNumberToObject(o, "wait_ms", r->wait_ms);
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
    return o;
}

char *reqlog_format(const struct request_rec *r)
{
    cJSON *o = rec_json(r);
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return s;
}

/* One JSON line, with the control bytes cJSON leaves raw (DEL, C1, invalid bytes) escaped:
 * model names and error texts come from clients and providers, and `tail -f` of the log must
 * not retitle or clear the user's terminal. The escaped copy's terminator becomes the newline,
 * so the whole line goes out in one write. */
static void write_line(struct reqlog *l, const char *s)
{
    char *safe = termsafe_json(s);
    if (!safe)
        return;
    size_t n = strlen(safe);
    safe[n] = '\n';
    pthread_mutex_lock(&l->mu);
    (void)write_all(l->fd, safe, n + 1); /* a full disk must not stop the proxy */
    pthread_mutex_unlock(&l->mu);
    free(safe);
}

void reqlog_write(struct reqlog *l, const struct request_rec *rec)
{
    char *s = reqlog_format(rec);
    if (s)
        write_line(l, s);
    free(s);
}

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0 when the bytes there are not one. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    size_t len = p[0] < 0x80             ? 1
                 : (p[0] & 0xE0) == 0xC0 ? 2
                 : (p[0] & 0xF0) == 0xE0 ? 3
                 : (p[0] & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (len == 0 || len > n || (len == 2 && p[0] < 0xC2))
        return 0;
    for (size_t k = 1; k < len; k++)
        if ((p[k] & 0xC0) != 0x80)
            return 0;
    if (len == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0)))
        return 0; /* overlong, or a UTF-16 surrogate */
    if (len == 4 &&
        ((p[0] == 0xF0 && p[1] < 0x90) || p[0] > 0xF4 || (p[0] == 0xF4 && p[1] >= 0x90)))
        return 0;
    return len;
}

/* A JSON-safe copy of at most REQLOG_BODY_MAX bytes: invalid bytes, NULs and a character cut
 * in half become '?' (cJSON would otherwise write an invalid line or stop early). */
static char *body_text(const char *p, size_t n, bool *cut)
{
    *cut = n > REQLOG_BODY_MAX;
    size_t lim = *cut ? REQLOG_BODY_MAX : n;
    char *out = malloc(lim + 1);
    if (!out)
        return NULL;
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0, o = 0;
    while (i < lim) {
        size_t k = u[i] ? utf8_seq(u + i, lim - i) : 0;
        if (k == 0) {
            out[o++] = '?';
            i++;
            continue;
        }
        memcpy(out + o, u + i, k);
        o += k;
        i += k;
    }
    out[o] = '\0';
    return out;
}

static void add_body(cJSON *o, const char *key, const char *cut_key, const char *p, size_t n)
{
    bool cut;
    char *t = p ? body_text(p, n, &cut) : NULL;
    if (!t)
        return;
    cJSON_AddStringToObject(o, key, t);
    if (cut)
        cJSON_AddBoolToObject(o, cut_key, 1);
    free(t);
}

void reqlog_write_bodies(struct reqlog *l, const struct request_rec *rec, const char *request,
                         size_t request_len, const char *response, size_t response_len)
{
    cJSON *o = rec_json(rec);
    if (!o)
        return;
    add_body(o, "request_body", "request_body_truncated", request, request_len);
    add_body(o, "response_body", "response_body_truncated", response, response_len);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
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
