/* proxy_wait: holds a request whose candidates are all out until one has room, when that is
 * within switchboard_settings.max_wait: first come, first served within its model group
 * (route/waitq.h), retrying when something changes or a bucket refills, and letting go at
 * once when the client hangs up. Also the short pause before retrying a momentary refusal.
 * Runs on the request's worker thread; shares nothing but the state's wait line. */
#ifndef SB_PROXY_WAIT_H
#define SB_PROXY_WAIT_H

#include <stdbool.h>
#include <stdint.h>

struct state;

struct hold {
    struct state *st;
    const char *group;  /* model group: the line it waits in */
    double max_wait_ms; /* how long it may be held in all */
    /* Asks the candidates again; true when the request is settled (served, or failed in a
     * way waiting cannot help). */
    bool (*attempt)(void *ud);
    /* When some candidate could take it (monotonic ms, as state_ready_at); *busy when one is
     * out only because of its concurrency cap. */
    int64_t (*ready_at)(void *ud, bool *busy);
    /* The client left (or switchboard is shutting down). */
    bool (*gone)(void *ud);
    void *ud;
};

enum hold_end {
    HOLD_SETTLED,  /* attempt() settled it */
    HOLD_NO_ROOM,  /* nothing will have room within the wait allowed: known before waiting */
    HOLD_TOO_LONG, /* it waited, and the wait allowed ran out */
    HOLD_GONE,     /* the client left while waiting */
};

/* Waits in the line (behind earlier waiters of the group) and retries. *waited_ms gets the
 * time spent waiting. Counts the wait in the state's counters. */
enum hold_end proxy_hold(const struct hold *h, double *waited_ms);
/* Sleeps ms unless gone(ud) turns true first (polled every 100 ms); false when it did. */
bool proxy_pause(long ms, bool (*gone)(void *ud), void *ud);

#endif
