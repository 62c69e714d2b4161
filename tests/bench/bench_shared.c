/* bench_shared: what sharing the limits through Redis adds to each request (issue #14),
 * measured against a throwaway redis-server on loopback: one request's admission and end
 * through the state (as the proxy makes them), with the Redis store and without, and the
 * store's booking alone. Prints the numbers; asserts nothing (make bench).
 * Usage: bench_shared [requests]   (default 20000) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../unit/fixture_config.h"
#include "../unit/fixture_redis.h"
#include "core/ratelimit.h"
#include "route/state.h"
#include "route/store.h"
#include "shared/shared.h"

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct stat3 {
    double mean, p50, p99;
};

static struct stat3 summarise(double *v, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += v[i];
    qsort(v, (size_t)n, sizeof *v, cmp);
    return (struct stat3){sum / n, v[n / 2], v[(int)((double)n * 0.99)]};
}

/* One request as the proxy makes it: plan, admission with a budget, the attempt's end with
 * the provider's rate-limit headers (two store calls when shared: the booking, the sync). */
static struct stat3 requests(struct state *st, int n, double *v)
{
    struct route_plan plan;
    struct admit_ask ask = {.input = 2000, .want = 4096, .floor = 1024, .fresh = true};
    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        state_plan(st, "glm", &plan);
        struct admit_grant g;
        if (state_admit_ask(st, &plan, 0, &ask, &g) != ADMIT_OK) {
            fprintf(stderr, "bench_shared: admission refused at request %d\n", i);
            exit(1);
        }
        struct attempt_outcome o = {
            .ok = true, .status = 200, .tokens_in = 2000, .tokens_out = 300, .booked = g.booked};
        ratelimit_init(&o.rl);
        /* as Cerebras answers: its headers, which are synced into the (shared) buckets */
        o.rl.limit_requests_minute = 100000000;
        o.rl.remaining_requests_minute = 99999000;
        o.rl.limit_tokens_minute = 1e12;
        o.rl.remaining_tokens_minute = 1e12 - 1e6;
        state_attempt_end(st, 0, &o, 100, 10);
        v[i] = now_us() - t0;
    }
    return summarise(v, n);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    if (n < 100)
        n = 100;
    struct redis_child srv = {0};
    if (redis_start(&srv) != 0) {
        fprintf(stderr, "bench_shared: cannot start redis-server (apt-get install redis-server)\n");
        return 1;
    }
    static struct fixture f;
    fx_init(&f);
    /* limits no run of the bench can reach: every request is admitted */
    fx_dep(&f, "glm", "cerebras", NULL, 100000000, 1000000000000L, "bench-key");
    double *v = malloc(sizeof *v * (size_t)n);
    struct state *st = state_new(&f.cfg, NULL);
    struct shared_settings set = {.on = true, .port = srv.port, .timeout_ms = 5};
    snprintf(set.host, sizeof set.host, "127.0.0.1");
    snprintf(set.where, sizeof set.where, "127.0.0.1:%d/0", srv.port);
    struct shared *sh = shared_open_store(&set);
    if (!st || !v || !sh) {
        fprintf(stderr, "bench_shared: setup failed\n");
        redis_stop(&srv);
        return 1;
    }
    requests(st, n / 10, v); /* warm up */
    struct stat3 local = requests(st, n, v);
    state_set_store(st, shared_store_ops(), sh);
    requests(st, n / 10, v);
    struct stat3 shared = requests(st, n, v);
    state_set_store(st, NULL, NULL);
    uint64_t calls, fallbacks;
    bool up;
    shared_counts(sh, &calls, &fallbacks, &up);
    printf("\nshared limits through Redis (loopback redis-server, %d requests each)\n", n);
    printf("%-34s %10s %10s %10s\n", "per request (admit + end)", "mean us", "p50 us", "p99 us");
    printf("%-34s %10.1f %10.1f %10.1f\n", "local accounting", local.mean, local.p50, local.p99);
    printf("%-34s %10.1f %10.1f %10.1f\n", "shared through Redis", shared.mean, shared.p50,
           shared.p99);
    printf("added by the shared path: %.3f ms per request (mean; p50 %.3f ms; aim < 0.2 ms); "
           "%llu store calls, %llu answered locally\n",
           (shared.mean - local.mean) / 1000.0, (shared.p50 - local.p50) / 1000.0,
           (unsigned long long)calls, (unsigned long long)fallbacks);
    shared_free(sh);
    state_free(st);
    free(v);
    redis_stop(&srv);
    return 0;
}
