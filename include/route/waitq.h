/* waitq: requests waiting for a deployment to have room, first come first served within a
 * model group, and the signal that something changed (an attempt ended, a mark was cleared,
 * the config was swapped). One per state; shared by every worker thread and protected by
 * its own mutex (never held together with the state's: callers kick after unlocking). It
 * knows nothing of HTTP or of what the waiters wait for; front/proxy_wait.c runs the loop. */
#ifndef SB_WAITQ_H
#define SB_WAITQ_H

#include <stdbool.h>
#include <stdint.h>

struct waitq;

struct waitq *waitq_new(void);
void waitq_free(struct waitq *q);
/* Takes a place at the back of group's line; returns its ticket (never 0), or 0 on OOM. */
uint64_t waitq_join(struct waitq *q, const char *group);
/* Leaves the line (served, gave up or gone) and wakes the others. */
void waitq_leave(struct waitq *q, uint64_t ticket);
/* True when no earlier ticket of the same group is still waiting. */
bool waitq_is_head(struct waitq *q, uint64_t ticket);
/* True when someone waits for group: a newcomer must queue behind them. */
bool waitq_busy(struct waitq *q, const char *group);
/* Changes seen so far; pass it to waitq_wait to sleep until the next one. */
uint64_t waitq_gen(struct waitq *q);
/* Sleeps until a change after gen or timeout_ms, whichever comes first. */
void waitq_wait(struct waitq *q, uint64_t gen, long timeout_ms);
/* Something a waiter may be waiting for happened. */
void waitq_kick(struct waitq *q);
/* Requests waiting now. */
int waitq_len(struct waitq *q);

#endif
