/* discovery_watch: keeps every deployment's lineup current (route/lineup.h) by asking the
 * providers for their model lists (discovery.h) on a thread of its own: at start, when kicked
 * (a reload), and every switchboard_settings.discovery_interval seconds. Never on a request's
 * path and never spending quota. Deployments that share a provider endpoint and key are asked
 * once per round.
 *
 * Threads: the watcher thread is the only one that runs rounds; kick and stop may be called
 * from any thread (a mutex and a condition variable guard the flags). Each fetch has its own
 * curl handle (discovery.h). */
#ifndef SB_DISCOVERY_WATCH_H
#define SB_DISCOVERY_WATCH_H

#include "config/config.h"
#include "front/discovery.h"
#include "route/lineup.h"
#include "route/state.h"

/* How one deployment's provider answered in a round. */
struct discovery_answer {
    enum discovery_result res;
    struct lineup_offer offer; /* when res is DISCOVERY_OK */
    char err[LINEUP_ERR_LEN];  /* otherwise why */
};

/* One round on the calling thread: ans gets cfg->n_deps answers (a deployment without a key:
 * DISCOVERY_NO_KEY). abort_flag may be NULL. */
void discovery_round(const struct config *cfg, const volatile int *abort_flag,
                     struct discovery_answer *ans);
/* Applies a round's answers for cfg to st (state_lineup_offer / state_lineup_failed). */
void discovery_apply(struct state *st, const struct config *cfg, const struct discovery_answer *ans,
                     int64_t wall_ms);

struct discovery_watch;

/* Starts the thread, which runs its first round at once. NULL on failure. */
struct discovery_watch *discovery_watch_start(struct state *st);
/* Runs a round soon (after a reload). */
void discovery_watch_kick(struct discovery_watch *w);
/* Rounds finished so far (for tests and the admin API). */
unsigned long discovery_watch_rounds(struct discovery_watch *w);
/* Stops and joins the thread; a fetch in flight is cut short. NULL is a no-op. */
void discovery_watch_stop(struct discovery_watch *w);

#endif
