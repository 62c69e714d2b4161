/* headless: the screenless view. It is just another reader of snapshots: new requests,
 * provider state changes and warnings become one line each, with every control byte a client
 * or provider put in them (model names, error texts) made visible, never sent to the
 * terminal as is. */
#include "app/headless.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/termsafe.h"
#include "front/reqlog.h"

#define TICK_MS 100

static void clock_text(int64_t wall_ms, char *out, size_t len)
{
    time_t s = (time_t)(wall_ms / 1000);
    struct tm tm;
    localtime_r(&s, &tm);
    strftime(out, len, "%H:%M:%S", &tm);
}

static void trail_text(const struct request_rec *r, char *out, size_t len)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < r->n_attempts && n < len; i++) {
        const struct attempt_rec *a = &r->attempts[i];
        const char *sep = i ? " -> " : "";
        int k;
        if (a->status < 0)
            k = snprintf(out + n, len - n, "%s%s skipped", sep, a->dep);
        else if (a->status == 0)
            k = snprintf(out + n, len - n, "%s%s %s", sep, a->dep, errmap_class_name(a->cls));
        else
            k = snprintf(out + n, len - n, "%s%s %d", sep, a->dep, a->status);
        if (k < 0)
            break;
        n += (size_t)k;
    }
}

void headless_format_request(const struct request_rec *r, char *line, size_t len)
{
    char t[16], trail[200];
    clock_text(r->wall_ms, t, sizeof t);
    trail_text(r, trail, sizeof trail);
    int n = snprintf(line, len, "%s #%llu %s %s%s -> %s %d %.0fms", t, (unsigned long long)r->id,
                     r->client_api == API_ANTHROPIC ? "anthropic" : "openai", r->model,
                     r->stream ? " stream" : "", r->served_by[0] ? r->served_by : "none", r->status,
                     r->latency_ms);
    if (n < 0 || (size_t)n >= len)
        return;
    size_t k = (size_t)n;
    if (r->ttft_ms >= 0 && k < len)
        k += (size_t)snprintf(line + k, len - k, " ttft %.0fms", r->ttft_ms);
    if (k < len)
        k += (size_t)snprintf(line + k, len - k, " tokens %ld/%ld", r->tokens_in, r->tokens_out);
    if (k < len && r->tokens_cached > 0)
        k += (size_t)snprintf(line + k, len - k, " (%ld cached)", r->tokens_cached);
    if (k < len && r->budget_sent > 0 && r->budget_sent < r->budget_asked)
        k += (size_t)snprintf(line + k, len - k, " budget lowered %ld->%ld%s", r->budget_asked,
                              r->budget_sent, r->budget_cut ? " (answer cut there)" : "");
    if (k < len && r->wait_ms >= 1)
        k += (size_t)snprintf(line + k, len - k, " held %.0fms", r->wait_ms);
    if (k < len && (r->n_attempts > 1 || r->status >= 400))
        k += (size_t)snprintf(line + k, len - k, " [%s]", trail);
    if (k < len && r->error[0])
        snprintf(line + k, len - k, " error: %s", r->error);
}

/* The log is in completion order, newest first, and requests finish out of id order (a long
 * stream ends after many short requests that began later): what is new is everything above
 * the entry that was the newest last time, not every id above some number. */
/* One line, escaped. */
static void put_line(FILE *out, const char *line)
{
    char safe[2048];
    fprintf(out, "%s\n", termsafe_line(line, safe, sizeof safe));
}

static void print_requests(const struct snapshot *s, uint64_t *newest, FILE *out)
{
    char line[768];
    int fresh = 0;
    while (fresh < s->n_log && s->log[fresh].id != *newest)
        fresh++;
    for (int i = fresh - 1; i >= 0; i--) {
        headless_format_request(&s->log[i], line, sizeof line);
        put_line(out, line);
    }
    if (s->n_log > 0)
        *newest = s->log[0].id;
}

static void print_changes(const struct snapshot *s, enum dep_status *prev, FILE *out,
                          struct reqlog *log)
{
    char t[16], line[400];
    clock_text(s->wall_ms, t, sizeof t);
    for (int i = 0; i < s->n_deps; i++) {
        const struct dep_snapshot *d = &s->deps[i];
        if (d->view.status == prev[i])
            continue;
        prev[i] = d->view.status;
        int n =
            snprintf(line, sizeof line, "%s %s %s", t, d->id, router_status_name(d->view.status));
        if (d->remaining_ms > 0 && n > 0 && (size_t)n < sizeof line)
            n += snprintf(line + n, sizeof line - (size_t)n, " for %llds",
                          (long long)((d->remaining_ms + 999) / 1000));
        if (d->view.reason[0] && n > 0 && (size_t)n < sizeof line)
            snprintf(line + n, sizeof line - (size_t)n, ": %s", d->view.reason);
        put_line(out, line);
        if (log)
            reqlog_event(log, "state", line + strlen(t) + 1);
    }
}

/* SHARED / LOCAL ONLY and the instance count, when they change (Redis configured only). */
static void print_shared(const struct snapshot *s, int *prev, FILE *out, struct reqlog *log)
{
    char t[16], line[300];
    const struct snap_shared *sh = &s->shared;
    int now = !sh->configured ? -2 : sh->up ? sh->instances : -1;
    if (now == *prev || now == -2 || (now == -1 && strcmp(sh->error, "connecting") == 0))
        return; /* no news, not configured, or the first connection still under way */
    *prev = now;
    clock_text(s->wall_ms, t, sizeof t);
    if (now >= 0)
        snprintf(line, sizeof line, "%s limits SHARED through Redis at %s: %d instance%s", t,
                 sh->where, now, now == 1 ? "" : "s");
    else
        snprintf(line, sizeof line, "%s limits LOCAL ONLY: %s", t,
                 sh->error[0] ? sh->error : "Redis unreachable");
    put_line(out, line);
    if (log)
        reqlog_event(log, "shared", line + strlen(t) + 1);
}

/* Warnings the front raised (refused browser requests); how many were skipped when several
 * came within one tick. The app prints its own warnings to stderr itself. */
static void print_notices(const struct snapshot *s, uint64_t *seen, FILE *out)
{
    char t[16], line[SNAP_NOTICE + 64];
    if (s->notice_seq == *seen)
        return;
    clock_text(s->wall_ms, t, sizeof t);
    uint64_t more = s->notice_seq - *seen - 1;
    if (more)
        snprintf(line, sizeof line, "%s warning: %s (+%llu more)", t, s->notice,
                 (unsigned long long)more);
    else
        snprintf(line, sizeof line, "%s warning: %s", t, s->notice);
    put_line(out, line);
    *seen = s->notice_seq;
}

int headless_run(struct state *st, struct reqlog *log, const volatile sig_atomic_t *stop, FILE *out)
{
    int shared_prev = -3;
    struct snapshot *s = malloc(sizeof *s);
    if (!s)
        return -1;
    enum dep_status prev[SNAP_MAX_DEPS];
    for (int i = 0; i < SNAP_MAX_DEPS; i++)
        prev[i] = DEP_READY;
    state_snapshot(st, s);
    uint64_t newest = s->n_log > 0 ? s->log[0].id : 0;
    uint64_t notices = s->notice_seq; /* the ones before now went to stderr already */
    /* Report at start only the providers that are not ready (no key, disabled). */
    print_changes(s, prev, out, NULL);
    fflush(out);
    struct timespec tick = {.tv_sec = 0, .tv_nsec = TICK_MS * 1000000L};
    /* stop is set by a signal handler on any thread: read atomically, like every reader */
    while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE)) {
        nanosleep(&tick, NULL);
        state_snapshot(st, s);
        print_requests(s, &newest, out);
        print_changes(s, prev, out, log);
        print_notices(s, &notices, out);
        print_shared(s, &shared_prev, out, log);
        fflush(out);
    }
    free(s);
    return 0;
}
