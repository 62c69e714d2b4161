/* bench_client: a small load generator for `make bench`. Sends the same POST with a fixed
 * concurrency over keep-alive connections and prints latency, time-to-first-byte and gaps
 * between body chunks as JSON. Not a test: it only measures. */
#include <curl/curl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
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
};

struct sample {
    double total_ms;
    double ttfb_ms;
    double max_gap_ms;
    int ok;
};

struct worker {
    const struct opts *o;
    struct sample *samples;
    int count;
    double *gaps;
    size_t n_gaps, cap_gaps;
};

struct xfer {
    double start, last, first;
    struct worker *w;
    double max_gap;
    int record;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    struct xfer *x = ud;
    double t = now_ms();
    if (x->first == 0) {
        x->first = t;
    } else if (x->record) {
        double gap = t - x->last;
        if (gap > x->max_gap)
            x->max_gap = gap;
        struct worker *w = x->w;
        if (w->n_gaps == w->cap_gaps) {
            w->cap_gaps = w->cap_gaps ? w->cap_gaps * 2 : 1024;
            w->gaps = realloc(w->gaps, w->cap_gaps * sizeof *w->gaps);
        }
        w->gaps[w->n_gaps++] = gap;
    }
    x->last = t;
    return size * n;
}

static void *run(void *ud)
{
    struct worker *w = ud;
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, w->o->url);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, w->o->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)w->o->body_len);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, w->o->headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    for (int i = 0; i < w->o->warmup + w->count; i++) {
        struct xfer x = {.w = w, .record = i >= w->o->warmup};
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &x);
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
        s->max_gap_ms = x.max_gap;
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
    char *p = malloc((size_t)n + 1);
    *len = fread(p, 1, (size_t)n, f);
    p[*len] = '\0';
    fclose(f);
    return p;
}

static int parse(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        {"url", 1, NULL, 'u'},         {"body-file", 1, NULL, 'b'}, {"header", 1, NULL, 'H'},
        {"concurrency", 1, NULL, 'c'}, {"requests", 1, NULL, 'n'},  {"warmup", 1, NULL, 'w'},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'u': o->url = optarg; break;
        case 'b': o->body = read_file(optarg, &o->body_len); break;
        case 'H': o->headers = curl_slist_append(o->headers, optarg); break;
        case 'c': o->concurrency = atoi(optarg); break;
        case 'n': o->requests = atoi(optarg); break;
        case 'w': o->warmup = atoi(optarg); break;
        default: return -1;
        }
    }
    return o->url && o->body ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct opts o = {.concurrency = 1, .requests = 200, .warmup = 20};
    if (parse(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: bench_client --url U --body-file F [--header H]... "
                        "[--concurrency C] [--requests N] [--warmup W]\n");
        return 2;
    }
    o.headers = curl_slist_append(o.headers, "Content-Type: application/json");
    o.headers = curl_slist_append(o.headers, "Expect:");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int c = o.concurrency, per = o.requests / c;
    struct worker *w = calloc((size_t)c, sizeof *w);
    pthread_t *t = calloc((size_t)c, sizeof *t);
    double start = now_ms();
    for (int i = 0; i < c; i++) {
        w[i] = (struct worker){.o = &o, .count = per};
        w[i].samples = calloc((size_t)per, sizeof *w[i].samples);
        pthread_create(&t[i], NULL, run, &w[i]);
    }
    size_t n = 0, n_gaps = 0;
    for (int i = 0; i < c; i++) {
        pthread_join(t[i], NULL);
        n += (size_t)w[i].count;
        n_gaps += w[i].n_gaps;
    }
    double elapsed = now_ms() - start;
    double *tot = malloc(n * sizeof *tot), *ttfb = malloc(n * sizeof *ttfb);
    double *gaps = malloc((n_gaps + 1) * sizeof *gaps), max_gap = 0;
    size_t k = 0, g = 0;
    int errors = 0;
    for (int i = 0; i < c; i++) {
        for (int j = 0; j < w[i].count; j++, k++) {
            tot[k] = w[i].samples[j].total_ms;
            ttfb[k] = w[i].samples[j].ttfb_ms;
            errors += !w[i].samples[j].ok;
            if (w[i].samples[j].max_gap_ms > max_gap)
                max_gap = w[i].samples[j].max_gap_ms;
        }
        memcpy(gaps + g, w[i].gaps, w[i].n_gaps * sizeof *gaps);
        g += w[i].n_gaps;
        free(w[i].gaps);
        free(w[i].samples);
    }
    printf("{\"requests\":%zu,\"errors\":%d,\"rps\":%.1f,\"p50\":%.4f,\"p99\":%.4f,"
           "\"ttfb_p50\":%.4f,\"ttfb_p99\":%.4f,\"gap_p50\":%.4f,\"gap_p99\":%.4f,"
           "\"max_gap\":%.4f}\n",
           n, errors, (double)n / (elapsed / 1000.0), pct(tot, n, 50), pct(tot, n, 99),
           pct(ttfb, n, 50), pct(ttfb, n, 99), pct(gaps, g, 50), pct(gaps, g, 99), max_gap);
    free(tot);
    free(ttfb);
    free(gaps);
    free(w);
    free(t);
    free(o.body);
    curl_slist_free_all(o.headers);
    curl_global_cleanup();
    return errors ? 1 : 0;
}
