/* proxy_wait: the wait loop for held requests and the pause before a retry. Time comes from
 * the state's clock, so tests that inject one see the same deadlines. */
#include "front/proxy_wait.h"

#include <time.h>

#include "route/state.h"
#include "route/waitq.h"

#define SLICE_MS 100 /* how often a waiter looks at its client's socket */

bool proxy_pause(long ms, bool (*gone)(void *ud), void *ud)
{
    while (ms > 0) {
        if (gone && gone(ud))
            return false;
        long step = ms < SLICE_MS ? ms : SLICE_MS;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return !(gone && gone(ud));
}

/* How long the head of the line sleeps before asking again; -1 when waiting cannot help. */
static long head_sleep(const struct hold *h, int64_t now, int64_t deadline)
{
    bool busy = false;
    int64_t at = h->ready_at(h->ud, &busy);
    if (busy) /* an attempt's end frees it: the kick wakes us */
        return deadline - now;
    if (at <= 0 || at > deadline)
        return -1;
    return at > now ? at - now : 1;
}

enum hold_end proxy_hold(const struct hold *h, double *waited_ms)
{
    struct waitq *q = state_waitq(h->st);
    int64_t t0 = state_now_ms(h->st), now = t0;
    int64_t deadline = t0 + (int64_t)h->max_wait_ms;
    uint64_t ticket = waitq_join(q, h->group);
    enum hold_end end = HOLD_NO_ROOM;
    for (;;) {
        uint64_t gen = waitq_gen(q);
        long sleep_ms = deadline - now;
        if (ticket == 0 || waitq_is_head(q, ticket)) {
            if (h->attempt(h->ud)) {
                end = HOLD_SETTLED;
                break;
            }
            now = state_now_ms(h->st);
            sleep_ms = head_sleep(h, now, deadline);
        }
        if (sleep_ms < 0 || now >= deadline)
            break;
        end = HOLD_TOO_LONG; /* from now on it has waited */
        waitq_wait(q, gen, sleep_ms < SLICE_MS ? sleep_ms : SLICE_MS);
        if (h->gone(h->ud)) {
            end = HOLD_GONE;
            break;
        }
        now = state_now_ms(h->st);
    }
    if (ticket)
        waitq_leave(q, ticket);
    *waited_ms = (double)(state_now_ms(h->st) - t0);
    state_wait_done(h->st, *waited_ms,
                    end == HOLD_SETTLED ? WAIT_SERVED
                    : end == HOLD_GONE  ? WAIT_CLIENT_LEFT
                                        : WAIT_GAVE_UP);
    return end;
}
