/* bench_client: a small load generator for `make bench`. Not a test: it only measures.
 *
 * Latency mode (default): C threads each send the same POST over one keep-alive connection,
 * one after another, and the run prints total latency, time to first byte, chunk counts and
 * the gaps between body chunks as JSON.
 *
 * Hold mode (--hold N): opens N streaming requests from a single curl multi loop, spread
 * over --ramp-ms, and keeps them all open until they end, to find how many concurrent streams
 * a server holds without stalling: a stream stalls when some gap between two of its chunks
 * exceeds --pacing-ms + --stall-ms. Time to first byte is reported apart: a burst of new
 * streams queues for CPU, which is not a stall of a running one. With --rss-pid, the RSS of
 * that process is sampled while the streams are open. */
#include <curl/curl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct opts {
    const char *url;
    char *body;
    size_t body_len;
    struct curl_slist *headers;
    int concurrency;
    int requests;
    int warmup;
    int hold;         /* streams to hold open at once; 0 = latency mode */
    double pacing_ms; /* the server's own gap between chunks (hold mode) */
    double stall_ms;  /* a gap this much over pacing_ms is a stall */
    double ramp_ms;   /* hold mode: spread the openings over this long */
    int rss_pid;      /* process whose RSS to sample in hold mode; 0 = none */
};

struct sample {
    double total_ms;
    double ttfb_ms;
    double ttft_ms; /* to the first chunk that carries generated text */
    double max_gap_ms;
    int chunks;
    int ok;
};

/* Growable list of doubles (gaps). */
struct vec {
    double *v;
    size_t n, cap;
};

struct worker {
    const struct opts *o;
    struct sample *samples;
    int count;
    struct vec gaps;
};

/* One transfer in flight. */
struct xfer {
    double start, last, first, first_token;
    double max_gap;
    int chunks;
    int record;
    struct vec *gaps; /* where to put gaps; NULL = do not keep them */
    CURL *easy;       /* set in hold mode, to ask curl when the request went out */
    double wait_ms;   /* hold mode: request sent to first byte */
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void vec_push(struct vec *g, double x)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 1024;
        double *v = realloc(g->v, cap * sizeof *v);
        if (!v)
            return; /* a lost sample only thins the statistics */
        g->v = v;
        g->cap = cap;
    }
    g->v[g->n++] = x;
}

/* True when these bytes carry generated text in either dialect: an Anthropic text_delta or
 * an OpenAI delta whose content is not empty. A role-only opening chunk is not a token, so
 * time to first token is comparable between a server that sends one and one that does not. */
static bool has_token(const char *p, size_t n)
{
    static const char tag[] = "\"content\":\"";
    if (memmem(p, n, "\"text_delta\"", 12))
        return true;
    for (const char *q = p; (q = memmem(q, n - (size_t)(q - p), tag, sizeof tag - 1));) {
        q += sizeof tag - 1;
        if (q < p + n && *q != '"')
            return true;
    }
    return false;
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct xfer *x = ud;
    double t = now_ms();
    if (x->first_token == 0 && has_token(p, size * n))
        x->first_token = t;
    if (x->first == 0) {
        x->first = t;
        curl_off_t pre = 0, st = 0;
        if (x->easy && curl_easy_getinfo(x->easy, CURLINFO_PRETRANSFER_TIME_T, &pre) == CURLE_OK &&
            curl_easy_getinfo(x->easy, CURLINFO_STARTTRANSFER_TIME_T, &st) == CURLE_OK)
            x->wait_ms = (double)(st - pre) / 1000.0;
    } else if (x->record) {
        double gap = t - x->last;
        if (gap > x->max_gap)
            x->max_gap = gap;
        if (x->gaps)
            vec_push(x->gaps, gap);
    }
    x->chunks++;
    x->last = t;
    return size * n;
}

static void setup_easy(CURL *e, const struct opts *o, struct xfer *x)
{
    curl_easy_setopt(e, CURLOPT_URL, o->url);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, o->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)o->body_len);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, o->headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 120L);
}

static void *run(void *ud)
{
    struct worker *w = ud;
    CURL *e = curl_easy_init();
    for (int i = 0; e && i < w->o->warmup + w->count; i++) {
        struct xfer x = {.record = i >= w->o->warmup, .gaps = &w->gaps};
        setup_easy(e, w->o, &x);
        x.start = now_ms();
        CURLcode rc = curl_easy_perform(e);
        double end = now_ms();
        long code = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
        if (i < w->o->warmup)
            continue;
        struct sample *s = &w->samples[i - w->o->warmup];
        s->total_ms = end - x.start;
        s->ttfb_ms = x.first ? x.first - x.start : s->total_ms;
        s->ttft_ms = x.first_token ? x.first_token - x.start : s->total_ms;
        s->max_gap_ms = x.max_gap;
        s->chunks = x.chunks;
        s->ok = rc == CURLE_OK && code == 200;
    }
    curl_easy_cleanup(e);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v in place. */
static double pct(double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp);
    size_t i = (size_t)ceil(p / 100.0 * (double)n);
    return v[i ? i - 1 : 0];
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (p) {
        *len = fread(p, 1, (size_t)n, f);
        p[*len] = '\0';
    }
    fclose(f);
    return p;
}

/* VmRSS of pid in KiB, or -1. */
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

static void print_latency(struct worker *w, int c, double elapsed)
{
    size_t n = 0, n_gaps = 0;
    for (int i = 0; i < c; i++) {
        n += (size_t)w[i].count;
        n_gaps += w[i].gaps.n;
    }
    double *tot = malloc((n + 1) * sizeof *tot), *ttfb = malloc((n + 1) * sizeof *ttfb);
    double *ttft = malloc((n + 1) * sizeof *ttft);
    double *gaps = malloc((n_gaps + 1) * sizeof *gaps), max_gap = 0, chunks = 0;
    size_t k = 0, g = 0;
    int errors = 0;
    for (int i = 0; i < c; i++) {
        for (int j = 0; j < w[i].count; j++, k++) {
            const struct sample *s = &w[i].samples[j];
            tot[k] = s->total_ms;
            ttfb[k] = s->ttfb_ms;
            ttft[k] = s->ttft_ms;
            chunks += s->chunks;
            errors += !s->ok;
            max_gap = s->max_gap_ms > max_gap ? s->max_gap_ms : max_gap;
        }
        if (w[i].gaps.n)
            memcpy(gaps + g, w[i].gaps.v, w[i].gaps.n * sizeof *gaps);
        g += w[i].gaps.n;
    }
    printf("{\"requests\":%zu,\"errors\":%d,\"rps\":%.1f,\"p50\":%.4f,\"p99\":%.4f,"
           "\"ttfb_p50\":%.4f,\"ttfb_p99\":%.4f,\"ttft_p50\":%.4f,\"ttft_p99\":%.4f,"
           "\"gap_p50\":%.4f,\"gap_p99\":%.4f,\"max_gap\":%.4f,\"chunks\":%.1f}\n",
           n, errors, (double)n / (elapsed / 1000.0), pct(tot, n, 50), pct(tot, n, 99),
           pct(ttfb, n, 50), pct(ttfb, n, 99), pct(ttft, n, 50), pct(ttft, n, 99), pct(gaps, g, 50),
           pct(gaps, g, 99), max_gap, n ? chunks / (double)n : 0);
    free(tot);
    free(ttft);
    free(ttfb);
    free(gaps);
}

static int latency_mode(const struct opts *o)
{
    int c = o->concurrency > 0 ? o->concurrency : 1, per = o->requests / c;
    struct worker *w = calloc((size_t)c, sizeof *w);
    pthread_t *t = calloc((size_t)c, sizeof *t);
    if (!w || !t || per < 1)
        return 2;
    double start = now_ms();
    for (int i = 0; i < c; i++) {
        w[i] = (struct worker){.o = o, .count = per};
        w[i].samples = calloc((size_t)per, sizeof *w[i].samples);
        pthread_create(&t[i], NULL, run, &w[i]);
    }
    for (int i = 0; i < c; i++)
        pthread_join(t[i], NULL);
    print_latency(w, c, now_ms() - start);
    int errors = 0;
    for (int i = 0; i < c; i++) {
        for (int j = 0; j < w[i].count; j++)
            errors += !w[i].samples[j].ok;
        free(w[i].gaps.v);
        free(w[i].samples);
    }
    free(w);
    free(t);
    return errors ? 1 : 0;
}

/* Hold mode state. */
struct hold {
    const struct opts *o;
    CURLM *multi;
    CURL **easy;
    struct xfer *x;
    int running;
    int added;     /* transfers handed to the multi handle so far */
    double t0;     /* when the ramp started */
    int peak_open; /* most streams that had started and not yet ended, at one time */
    long rss_start, rss_peak, rss_all_open;
    struct vec gaps;
};

static int hold_start(struct hold *h)
{
    int n = h->o->hold;
    h->multi = curl_multi_init();
    h->easy = calloc((size_t)n, sizeof *h->easy);
    h->x = calloc((size_t)n, sizeof *h->x);
    if (!h->multi || !h->easy || !h->x)
        return -1;
    curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)n);
    double t = now_ms();
    for (int i = 0; i < n; i++) {
        h->easy[i] = curl_easy_init();
        if (!h->easy[i])
            return -1;
        h->x[i] = (struct xfer){.start = t, .record = 1, .gaps = &h->gaps, .easy = h->easy[i]};
        setup_easy(h->easy[i], h->o, &h->x[i]);
        curl_easy_setopt(h->easy[i], CURLOPT_FORBID_REUSE, 1L);
        curl_easy_setopt(h->easy[i], CURLOPT_TIMEOUT, 0L);
        curl_easy_setopt(h->easy[i], CURLOPT_PRIVATE, &h->x[i]);
    }
    h->rss_start = h->o->rss_pid ? rss_kb(h->o->rss_pid) : -1;
    h->t0 = now_ms();
    return 0;
}

/* Adds the transfers whose turn has come on the ramp. */
static void hold_ramp(struct hold *h)
{
    double t = now_ms() - h->t0;
    while (h->added < h->o->hold &&
           (h->o->ramp_ms <= 0 || t >= h->o->ramp_ms * h->added / h->o->hold)) {
        h->x[h->added].start = now_ms();
        curl_multi_add_handle(h->multi, h->easy[h->added]);
        h->added++;
    }
}

/* Streams that have their first byte and are still running. */
static int open_streams(const struct hold *h, int *started)
{
    int open = 0;
    *started = 0;
    for (int i = 0; i < h->o->hold; i++) {
        if (h->x[i].first > 0) {
            (*started)++;
            open += h->easy[i] != NULL;
        }
    }
    return open;
}

static void hold_sample(struct hold *h, double *next_sample)
{
    double t = now_ms();
    if (t < *next_sample)
        return;
    *next_sample = t + 50;
    int started, open = open_streams(h, &started);
    if (open > h->peak_open)
        h->peak_open = open;
    if (!h->o->rss_pid)
        return;
    long kb = rss_kb(h->o->rss_pid);
    if (kb > h->rss_peak)
        h->rss_peak = kb;
    if (open == h->o->hold && h->rss_all_open < 0)
        h->rss_all_open = kb;
}

/* Drives the transfers to completion; counts the ones that did not end with a 200. */
static int hold_loop(struct hold *h)
{
    int errors = 0, running = 1;
    double next_sample = 0;
    while (running > 0 || h->added < h->o->hold) {
        hold_ramp(h);
        curl_multi_perform(h->multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(h->multi, &left))) {
            if (m->msg != CURLMSG_DONE)
                continue;
            long code = 0;
            curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
            errors += m->data.result != CURLE_OK || code != 200;
            for (int i = 0; i < h->o->hold; i++)
                if (h->easy[i] == m->easy_handle)
                    h->easy[i] = NULL;
            curl_multi_remove_handle(h->multi, m->easy_handle);
            curl_easy_cleanup(m->easy_handle);
        }
        hold_sample(h, &next_sample);
        if (running > 0 || h->added < h->o->hold)
            curl_multi_poll(h->multi, NULL, 0, h->added < h->o->hold ? 1 : 20, NULL);
    }
    return errors;
}

static void print_hold(struct hold *h, int errors)
{
    int n = h->o->hold, stalled = 0;
    double limit = h->o->pacing_ms + h->o->stall_ms, worst = 0;
    double *ttfb = malloc((size_t)n * sizeof *ttfb);
    for (int i = 0; i < n; i++) {
        const struct xfer *x = &h->x[i];
        double first = x->first > 0 ? x->wait_ms : 1e9;
        stalled += x->max_gap > limit || x->first == 0;
        worst = x->max_gap > worst ? x->max_gap : worst;
        ttfb[i] = first;
    }
    double gp99 = pct(h->gaps.v, h->gaps.n, 99), gmax = h->gaps.n ? h->gaps.v[h->gaps.n - 1] : 0;
    printf("{\"streams\":%d,\"errors\":%d,\"stalled\":%d,\"peak_open\":%d,\"worst_gap\":%.1f,"
           "\"gap_p99\":%.2f,\"gap_max\":%.1f,\"ttfb_p50\":%.2f,\"ttfb_max\":%.1f,"
           "\"rss_start_kb\":%ld,\"rss_all_open_kb\":%ld,\"rss_peak_kb\":%ld}\n",
           n, errors, stalled, h->peak_open, worst, gp99, gmax, pct(ttfb, (size_t)n, 50),
           pct(ttfb, (size_t)n, 100), h->rss_start, h->rss_all_open, h->rss_peak);
    free(ttfb);
}

static int hold_mode(const struct opts *o)
{
    struct hold h = {.o = o, .rss_peak = -1, .rss_all_open = -1};
    int errors = o->hold;
    if (hold_start(&h) == 0)
        errors = hold_loop(&h);
    print_hold(&h, errors);
    for (int i = 0; h.easy && i < o->hold; i++)
        if (h.easy[i]) {
            curl_multi_remove_handle(h.multi, h.easy[i]);
            curl_easy_cleanup(h.easy[i]);
        }
    curl_multi_cleanup(h.multi);
    free(h.easy);
    free(h.x);
    free(h.gaps.v);
    return errors ? 1 : 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        {"url", 1, NULL, 'u'},         {"body-file", 1, NULL, 'b'}, {"header", 1, NULL, 'H'},
        {"concurrency", 1, NULL, 'c'}, {"requests", 1, NULL, 'n'},  {"warmup", 1, NULL, 'w'},
        {"hold", 1, NULL, 'o'},        {"pacing-ms", 1, NULL, 'p'}, {"stall-ms", 1, NULL, 's'},
        {"rss-pid", 1, NULL, 'r'},     {"ramp-ms", 1, NULL, 'm'},   {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'u':
            o->url = optarg;
            break;
        case 'b':
            o->body = read_file(optarg, &o->body_len);
            break;
        case 'H':
            o->headers = curl_slist_append(o->headers, optarg);
            break;
        case 'c':
            o->concurrency = atoi(optarg);
            break;
        case 'n':
            o->requests = atoi(optarg);
            break;
        case 'w':
            o->warmup = atoi(optarg);
            break;
        case 'o':
            o->hold = atoi(optarg);
            break;
        case 'p':
            o->pacing_ms = atof(optarg);
            break;
        case 's':
            o->stall_ms = atof(optarg);
            break;
        case 'r':
            o->rss_pid = atoi(optarg);
            break;
        case 'm':
            o->ramp_ms = atof(optarg);
            break;
        default:
            return -1;
        }
    }
    return o->url && o->body ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct opts o = {.concurrency = 1, .requests = 200, .warmup = 20, .stall_ms = 100};
    if (parse(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: bench_client --url U --body-file F [--header H]...\n"
                        "         [--concurrency C] [--requests N] [--warmup W]\n"
                        "         [--hold N --pacing-ms P [--stall-ms S] [--ramp-ms R]\n"
                        "          [--rss-pid PID]]\n");
        return 2;
    }
    o.headers = curl_slist_append(o.headers, "Content-Type: application/json");
    o.headers = curl_slist_append(o.headers, "Expect:");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = o.hold > 0 ? hold_mode(&o) : latency_mode(&o);
    free(o.body);
    curl_slist_free_all(o.headers);
    curl_global_cleanup();
    return rc;
}
