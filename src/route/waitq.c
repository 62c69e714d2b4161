/* waitq: a small list of waiting tickets and a condition variable on the monotonic clock.
 * Lines are short (requests held for seconds), so lookups are linear. */
#include "route/waitq.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"

#define GROUP_LEN 64

struct waiter {
    uint64_t ticket;
    char group[GROUP_LEN];
};

struct waitq {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC */
    uint64_t next_ticket, gen;
    struct waiter *w; /* in ticket order */
    int n, cap;
};

struct waitq *waitq_new(void)
{
    struct waitq *q = calloc(1, sizeof *q);
    pthread_condattr_t ca;
    if (!q)
        return NULL;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int bad = pthread_mutex_init(&q->mu, NULL) != 0;
    bad |= pthread_cond_init(&q->cv, &ca) != 0;
    pthread_condattr_destroy(&ca);
    if (bad) {
        free(q);
        return NULL;
    }
    return q;
}

void waitq_free(struct waitq *q)
{
    if (!q)
        return;
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
    free(q->w);
    free(q);
}

static void copy_group(char *dst, const char *src)
{
    size_t n = src ? strnlen(src, GROUP_LEN - 1) : 0;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

uint64_t waitq_join(struct waitq *q, const char *group)
{
    uint64_t t = 0;
    pthread_mutex_lock(&q->mu);
    if (q->n == q->cap) {
        int cap = q->cap ? q->cap * 2 : 16;
        struct waiter *w = realloc(q->w, sizeof *w * (size_t)cap);
        if (w) {
            q->w = w;
            q->cap = cap;
        }
    }
    if (q->n < q->cap) {
        t = ++q->next_ticket;
        q->w[q->n].ticket = t;
        copy_group(q->w[q->n].group, group);
        q->n++;
    }
    pthread_mutex_unlock(&q->mu);
    return t;
}

void waitq_leave(struct waitq *q, uint64_t ticket)
{
    pthread_mutex_lock(&q->mu);
    for (int k = 0; k < q->n; k++)
        if (q->w[k].ticket == ticket) {
            memmove(&q->w[k], &q->w[k + 1], sizeof *q->w * (size_t)(q->n - k - 1));
            q->n--;
            break;
        }
    q->gen++;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

bool waitq_is_head(struct waitq *q, uint64_t ticket)
{
    bool head = false;
    pthread_mutex_lock(&q->mu);
    for (int k = 0; k < q->n; k++) {
        if (q->w[k].ticket == ticket) {
            head = true;
            for (int j = 0; j < k && head; j++)
                head = strcmp(q->w[j].group, q->w[k].group) != 0;
            break;
        }
    }
    pthread_mutex_unlock(&q->mu);
    return head;
}

bool waitq_busy(struct waitq *q, const char *group)
{
    char g[GROUP_LEN];
    bool busy = false;
    copy_group(g, group);
    pthread_mutex_lock(&q->mu);
    for (int k = 0; k < q->n && !busy; k++)
        busy = strcmp(q->w[k].group, g) == 0;
    pthread_mutex_unlock(&q->mu);
    return busy;
}

uint64_t waitq_gen(struct waitq *q)
{
    pthread_mutex_lock(&q->mu);
    uint64_t g = q->gen;
    pthread_mutex_unlock(&q->mu);
    return g;
}

void waitq_wait(struct waitq *q, uint64_t gen, long timeout_ms)
{
    struct timespec until = clock_mono_after(timeout_ms > 0 ? timeout_ms : 0);
    pthread_mutex_lock(&q->mu);
    while (q->gen == gen) {
        if (pthread_cond_timedwait(&q->cv, &q->mu, &until) != 0)
            break; /* timed out (or an error: never spin on it) */
    }
    pthread_mutex_unlock(&q->mu);
}

void waitq_kick(struct waitq *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    q->gen++;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

int waitq_len(struct waitq *q)
{
    pthread_mutex_lock(&q->mu);
    int n = q->n;
    pthread_mutex_unlock(&q->mu);
    return n;
}
