/* stress_client: the load generator and checker of `make stress` (tests/stress/run.sh).
 *
 * Each kind of request (--kind) gets its own client connections; each connection is a thread
 * with one keep-alive curl handle that sends requests back to back until the shared budget
 * (--requests) is spent. Every answer is checked: status 200, the right Content-Type and a
 * well-formed body in the client's own dialect (a JSON completion, or an event stream that
 * ends properly). Every --hangup-every'th request of a connection sends the kind's hang-up
 * body instead (a model whose provider answers slowly) and hangs up after a random
 * 1..--hangup-max-ms: the client leaves while switchboard waits for the provider or relays
 * the stream. Such a request counts as a hang-up when the client left, and is checked like
 * any other when its answer came first.
 *
 * Prints progress to stderr every few seconds and one JSON summary to stdout. Exit status 1
 * when any request failed (transport error, wrong status, malformed answer) or the process
 * named by --pid died; the first errors are described on stderr. Not a timing test: the
 * numbers are printed, nothing is asserted about them. */
#include <cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_KINDS      8
#define MAX_ERRORS     12        /* described on stderr; all are counted */
#define MAX_ANSWER     (8 << 20) /* a bigger answer is an error */
#define NORMAL_TIMEOUT 120000L   /* ms; a request that takes longer is an error */

enum shape { OAI_JSON, ANT_JSON, OAI_SSE, ANT_SSE };
enum count { SENT, OK, HANGUPS, ERRORS, N_COUNTS };

struct kind {
    char name[32];
    int conns;
    char url[512];
    char *body, *hangup_body;
    size_t body_len, hangup_len;
    enum shape shape;
    atomic_long n[N_COUNTS];
};

struct opts {
    const char *base;
    long requests;
    int hangup_every;
    int hangup_max_ms;
    int pid;
    int progress_s;
    struct kind kinds[MAX_KINDS];
    int n_kinds;
};

static struct opts opt = {.hangup_every = 0, .hangup_max_ms = 150, .progress_s = 5};
static atomic_long next_request;
static atomic_bool target_died;
static pthread_mutex_t err_mu = PTHREAD_MUTEX_INITIALIZER;
static int n_described;

struct buf {
    char *p;
    size_t n, cap;
    bool over;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct buf *b = ud;
    size_t k = size * n;
    if (b->n + k + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->n + k + 1)
            cap *= 2;
        char *q = cap <= MAX_ANSWER ? realloc(b->p, cap) : NULL;
        if (!q) {
            b->over = true;
            return 0;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, k);
    b->n += k;
    b->p[b->n] = '\0';
    return k;
}

/* ---- answer checks: NULL when fine, else what is wrong ---- */

static bool str_is(const cJSON *o, const char *key, const char *want)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && (!want || strcmp(v->valuestring, want) == 0);
}

static const char *check_oai_json(const char *text)
{
    cJSON *o = cJSON_Parse(text);
    const char *why = NULL;
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(o, "choices");
    const cJSON *c0 = cJSON_GetArrayItem(ch, 0);
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(c0, "message");
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(o, "usage");
    if (!cJSON_IsObject(o))
        why = "body is not a JSON object";
    else if (!str_is(o, "object", "chat.completion"))
        why = "object is not chat.completion";
    else if (!cJSON_IsObject(msg) || !str_is(msg, "role", "assistant"))
        why = "no assistant message in choices[0]";
    else if (!str_is(msg, "content", NULL) &&
             !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(msg, "tool_calls")))
        why = "message has neither content nor tool_calls";
    else if (!str_is(c0, "finish_reason", NULL))
        why = "no finish_reason";
    else if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(usage, "completion_tokens")))
        why = "no usage.completion_tokens";
    cJSON_Delete(o);
    return why;
}

static const char *check_ant_json(const char *text)
{
    cJSON *o = cJSON_Parse(text);
    const char *why = NULL;
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(o, "content");
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(o, "usage");
    if (!cJSON_IsObject(o))
        why = "body is not a JSON object";
    else if (!str_is(o, "type", "message") || !str_is(o, "role", "assistant"))
        why = "not an assistant message";
    else if (!cJSON_IsArray(content) || cJSON_GetArraySize(content) < 1)
        why = "empty content";
    else if (!str_is(o, "stop_reason", NULL))
        why = "no stop_reason";
    else if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(usage, "output_tokens")))
        why = "no usage.output_tokens";
    cJSON_Delete(o);
    return why;
}

/* Walks the stream line by line; `data:` payloads go to fn with the last `event:` name. */
static const char *each_event(char *text, const char *(*fn)(void *, const char *, const char *),
                              void *st)
{
    char event[64] = "";
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        if (strncmp(line, "event:", 6) == 0) {
            snprintf(event, sizeof event, "%s", line + 6 + (line[6] == ' '));
        } else if (strncmp(line, "data:", 5) == 0) {
            const char *why = fn(st, event, line + 5 + (line[5] == ' '));
            if (why)
                return why;
            event[0] = '\0';
        } else if (n && line[0] != ':') {
            return "a line that is neither event, data nor comment";
        }
    }
    return NULL;
}

struct oai_stream {
    bool done, finished;
    int chunks;
};

static const char *oai_event(void *ud, const char *event, const char *data)
{
    struct oai_stream *s = ud;
    (void)event;
    if (s->done)
        return "data after [DONE]";
    if (strcmp(data, "[DONE]") == 0) {
        s->done = true;
        return NULL;
    }
    cJSON *o = cJSON_Parse(data);
    const char *why = NULL;
    const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "choices"), 0);
    if (!cJSON_IsObject(o))
        why = "a data line that is not a JSON object";
    else if (cJSON_GetObjectItemCaseSensitive(o, "error"))
        why = "an error event";
    else if (!str_is(o, "object", "chat.completion.chunk"))
        why = "a chunk whose object is not chat.completion.chunk";
    else if (str_is(c0, "finish_reason", NULL))
        s->finished = true;
    s->chunks++;
    cJSON_Delete(o);
    return why;
}

static const char *check_oai_sse(char *text)
{
    struct oai_stream s = {0};
    const char *why = each_event(text, oai_event, &s);
    if (!why && !s.finished)
        why = "stream without a finish_reason";
    if (!why && !s.done)
        why = "stream does not end with [DONE]";
    return why;
}

struct ant_stream {
    int events, open_blocks;
    bool started, stopped;
};

static const char *ant_event(void *ud, const char *event, const char *data)
{
    struct ant_stream *s = ud;
    cJSON *o = cJSON_Parse(data);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
    const char *t = cJSON_IsString(type) ? type->valuestring : "", *why = NULL;
    if (!cJSON_IsObject(o) || !*t)
        why = "a data line that is not a typed JSON object";
    else if (strcmp(event, t) != 0)
        why = "event name and data type differ";
    else if (s->stopped)
        why = "an event after message_stop";
    else if (strcmp(t, "error") == 0)
        why = "an error event";
    else if (s->events == 0 && strcmp(t, "message_start") != 0)
        why = "stream does not begin with message_start";
    else if (strcmp(t, "content_block_start") == 0)
        s->open_blocks++;
    else if (strcmp(t, "content_block_stop") == 0 && --s->open_blocks < 0)
        why = "content_block_stop without a start";
    else if (strcmp(t, "message_stop") == 0)
        s->stopped = true;
    s->events++;
    cJSON_Delete(o);
    return why;
}

static const char *check_ant_sse(char *text)
{
    struct ant_stream s = {0};
    const char *why = each_event(text, ant_event, &s);
    if (!why && !s.stopped)
        why = "stream does not end with message_stop";
    if (!why && s.open_blocks)
        why = "a content block never stopped";
    return why;
}

static const char *check_answer(const struct kind *k, CURL *e, struct buf *b)
{
    long code = 0;
    char *ctype = NULL;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ctype);
    bool sse = k->shape == OAI_SSE || k->shape == ANT_SSE;
    if (code != 200)
        return "status is not 200";
    if (!ctype ||
        strncmp(ctype, sse ? "text/event-stream" : "application/json", sse ? 17 : 16) != 0)
        return "wrong Content-Type";
    if (!b->p)
        return "empty body";
    switch (k->shape) {
    case OAI_JSON:
        return check_oai_json(b->p);
    case ANT_JSON:
        return check_ant_json(b->p);
    case OAI_SSE:
        return check_oai_sse(b->p);
    default:
        return check_ant_sse(b->p);
    }
}

/* ---- the connections ---- */

static void describe(const struct kind *k, const char *why, CURLcode cc, long code,
                     const struct buf *b)
{
    pthread_mutex_lock(&err_mu);
    if (n_described++ < MAX_ERRORS) {
        fprintf(stderr, "error [%s]: %s", k->name, why);
        if (cc != CURLE_OK)
            fprintf(stderr, " (%s)", curl_easy_strerror(cc));
        fprintf(stderr, "; status %ld; body: %.300s\n", code, b->p ? b->p : "");
    }
    pthread_mutex_unlock(&err_mu);
}

struct conn {
    struct kind *k;
    unsigned long long rng;
    struct curl_slist *headers;
};

static unsigned next_rand(struct conn *c)
{
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    return (unsigned)(c->rng >> 11);
}

static void one_request(struct conn *c, CURL *e, struct buf *b, bool hangup)
{
    struct kind *k = c->k;
    b->n = 0;
    b->over = false;
    if (b->p)
        b->p[0] = '\0';
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, hangup ? k->hangup_body : k->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                     (curl_off_t)(hangup ? k->hangup_len : k->body_len));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     hangup ? 1L + (long)(next_rand(c) % (unsigned)opt.hangup_max_ms)
                            : NORMAL_TIMEOUT);
    CURLcode cc = curl_easy_perform(e);
    long code = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    atomic_fetch_add(&k->n[SENT], 1);
    if (hangup && cc == CURLE_OPERATION_TIMEDOUT) {
        atomic_fetch_add(&k->n[HANGUPS], 1);
        return;
    }
    const char *why = cc != CURLE_OK ? "transport error"
                      : b->over      ? "answer larger than 8 MiB"
                                     : check_answer(k, e, b);
    if (!why) {
        atomic_fetch_add(&k->n[OK], 1);
        return;
    }
    atomic_fetch_add(&k->n[ERRORS], 1);
    describe(k, why, cc, code, b);
}

static void *run_conn(void *ud)
{
    struct conn *c = ud;
    CURL *e = curl_easy_init();
    struct buf b = {0};
    if (!e)
        return NULL;
    curl_easy_setopt(e, CURLOPT_URL, c->k->url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    for (long i = 0; atomic_fetch_add(&next_request, 1) < opt.requests; i++) {
        if (atomic_load(&target_died))
            break;
        bool hangup = opt.hangup_every > 0 && c->k->hangup_body &&
                      i % opt.hangup_every == opt.hangup_every - 1;
        one_request(c, e, &b, hangup);
    }
    free(b.p);
    curl_easy_cleanup(e);
    return NULL;
}

/* ---- set-up and report ---- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (p = malloc((size_t)n + 1))) {
        *len = fread(p, 1, (size_t)n, f);
        p[*len] = '\0';
    }
    if (f)
        fclose(f);
    if (!p)
        fprintf(stderr, "stress_client: cannot read %s\n", path);
    return p;
}

/* NAME:CONNS:PATH:BODY[:HANGUP_BODY]; the shape follows from the path and the body. */
static int parse_kind(char *spec)
{
    if (opt.n_kinds == MAX_KINDS)
        return -1;
    struct kind *k = &opt.kinds[opt.n_kinds];
    char *save = NULL, *name = strtok_r(spec, ":", &save), *conns = strtok_r(NULL, ":", &save);
    char *path = strtok_r(NULL, ":", &save), *body = strtok_r(NULL, ":", &save);
    char *hang = strtok_r(NULL, ":", &save);
    if (!name || !conns || !path || !body || atoi(conns) < 1)
        return -1;
    snprintf(k->name, sizeof k->name, "%s", name);
    k->conns = atoi(conns);
    snprintf(k->url, sizeof k->url, "%s%s", opt.base, path);
    if (!(k->body = read_file(body, &k->body_len)))
        return -1;
    if (hang && !(k->hangup_body = read_file(hang, &k->hangup_len)))
        return -1;
    cJSON *o = cJSON_Parse(k->body);
    bool stream = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "stream"));
    bool ant = strstr(path, "/messages") != NULL;
    cJSON_Delete(o);
    k->shape = ant ? (stream ? ANT_SSE : ANT_JSON) : (stream ? OAI_SSE : OAI_JSON);
    opt.n_kinds++;
    return 0;
}

static int parse(int argc, char **argv)
{
    static const struct option lo[] = {
        {"base", 1, NULL, 'u'},          {"requests", 1, NULL, 'n'},
        {"kind", 1, NULL, 'k'},          {"hangup-every", 1, NULL, 'h'},
        {"hangup-max-ms", 1, NULL, 'm'}, {"pid", 1, NULL, 'p'},
        {"progress-s", 1, NULL, 's'},    {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'u')
            opt.base = optarg;
        else if (c == 'n')
            opt.requests = atol(optarg);
        else if (c == 'k' && (!opt.base || parse_kind(optarg) != 0))
            return -1;
        else if (c == 'h')
            opt.hangup_every = atoi(optarg);
        else if (c == 'm')
            opt.hangup_max_ms = atoi(optarg) > 0 ? atoi(optarg) : 1;
        else if (c == 'p')
            opt.pid = atoi(optarg);
        else if (c == 's')
            opt.progress_s = atoi(optarg) > 0 ? atoi(optarg) : 1;
        else if (c != 'k')
            return -1;
    }
    return opt.base && opt.requests > 0 && opt.n_kinds > 0 ? 0 : -1;
}

/* VmRSS of pid in KiB, or -1 when it is gone. */
static long rss_kb(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static bool pid_alive(int pid)
{
    return pid <= 0 || kill(pid, 0) == 0 || errno != ESRCH;
}

static long total(enum count which)
{
    long n = 0;
    for (int i = 0; i < opt.n_kinds; i++)
        n += atomic_load(&opt.kinds[i].n[which]);
    return n;
}

struct watch {
    double t0;
    long rss_start, rss_peak, rss_end;
};

/* Samples RSS every second and reports progress until every connection thread has ended. */
static void watch_until_done(struct watch *w, pthread_t *threads, int n)
{
    double last_report = w->t0;
    for (int joined = 0; joined < n;) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        if (pthread_timedjoin_np(threads[joined], NULL, &ts) == 0) {
            joined++;
            continue;
        }
        long kb = opt.pid ? rss_kb(opt.pid) : -1;
        w->rss_peak = kb > w->rss_peak ? kb : w->rss_peak;
        if (!pid_alive(opt.pid) && !atomic_exchange(&target_died, true))
            fprintf(stderr, "stress_client: process %d is gone\n", opt.pid);
        double t = now_s();
        if (t - last_report >= opt.progress_s) {
            last_report = t;
            long sent = total(SENT);
            fprintf(stderr, "  %9ld requests  %7.0f req/s  %ld hang-ups  %ld errors  RSS %.1f MB\n",
                    sent, (double)sent / (t - w->t0), total(HANGUPS), total(ERRORS),
                    (double)kb / 1024.0);
        }
    }
}

static void print_summary(const struct watch *w, double secs, int conns)
{
    long sent = total(SENT);
    printf("{\"requests\":%ld,\"ok\":%ld,\"hangups\":%ld,\"errors\":%ld,\"seconds\":%.1f,"
           "\"rps\":%.0f,\"connections\":%d,\"target_died\":%s,\"rss_start_kb\":%ld,"
           "\"rss_peak_kb\":%ld,\"rss_end_kb\":%ld,\"kinds\":{",
           sent, total(OK), total(HANGUPS), total(ERRORS), secs, (double)sent / secs, conns,
           atomic_load(&target_died) ? "true" : "false", w->rss_start, w->rss_peak, w->rss_end);
    for (int i = 0; i < opt.n_kinds; i++) {
        struct kind *k = &opt.kinds[i];
        printf("%s\"%s\":{\"conns\":%d,\"requests\":%ld,\"ok\":%ld,\"hangups\":%ld,"
               "\"errors\":%ld}",
               i ? "," : "", k->name, k->conns, atomic_load(&k->n[SENT]), atomic_load(&k->n[OK]),
               atomic_load(&k->n[HANGUPS]), atomic_load(&k->n[ERRORS]));
    }
    printf("}}\n");
}

int main(int argc, char **argv)
{
    if (parse(argc, argv) != 0) {
        fprintf(stderr,
                "usage: stress_client --base URL --requests N\n"
                "         --kind NAME:CONNS:PATH:BODY_FILE[:HANGUP_BODY_FILE]...\n"
                "         [--hangup-every K] [--hangup-max-ms MS] [--pid PID] [--progress-s S]\n"
                "(--base before the kinds)\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    h = curl_slist_append(h, "anthropic-version: 2023-06-01");
    int n = 0;
    for (int i = 0; i < opt.n_kinds; i++)
        n += opt.kinds[i].conns;
    pthread_t *threads = calloc((size_t)n, sizeof *threads);
    struct conn *conns = calloc((size_t)n, sizeof *conns);
    if (!threads || !conns)
        return 2;
    struct watch w = {.t0 = now_s(), .rss_start = opt.pid ? rss_kb(opt.pid) : -1};
    w.rss_peak = w.rss_start;
    int started = 0;
    for (int i = 0; i < opt.n_kinds; i++)
        for (int j = 0; j < opt.kinds[i].conns; j++, started++) {
            conns[started] = (struct conn){.k = &opt.kinds[i],
                                           .rng = 0x9E3779B97F4A7C15ull * (unsigned)(started + 1),
                                           .headers = h};
            if (pthread_create(&threads[started], NULL, run_conn, &conns[started]) != 0) {
                fprintf(stderr, "stress_client: cannot start thread %d\n", started);
                return 2;
            }
        }
    watch_until_done(&w, threads, started);
    double secs = now_s() - w.t0;
    w.rss_end = opt.pid ? rss_kb(opt.pid) : -1;
    if (!pid_alive(opt.pid))
        atomic_store(&target_died, true);
    print_summary(&w, secs, started);
    long errors = total(ERRORS);
    curl_slist_free_all(h);
    for (int i = 0; i < opt.n_kinds; i++) {
        free(opt.kinds[i].body);
        free(opt.kinds[i].hangup_body);
    }
    free(threads);
    free(conns);
    curl_global_cleanup();
    return errors || atomic_load(&target_died) ? 1 : 0;
}
