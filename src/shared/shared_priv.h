/* shared_priv: the shared layer's own record and its Redis helpers; nothing outside
 * src/shared includes it. See include/shared/shared.h for who owns which context. */
#ifndef SB_SHARED_PRIV_H
#define SB_SHARED_PRIV_H

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdint.h>

#include "route/store.h"
#include "shared/shared.h"

#define SHARED_NS_LEN  33 /* 32 hex digits of SHA-256 and a NUL */
#define SHARED_SHA_LEN 41 /* a script's SHA-1 as Redis names it */
#define SHARED_ERR_LEN 160

struct shared {
    struct shared_settings set;
    struct state *st; /* NULL for a bare store (tests, bench) */

    pthread_mutex_t mu; /* guards everything below up to `bg` */
    redisContext *req;  /* request context: NULL while down */
    char sha_book[SHARED_SHA_LEN], sha_mark[SHARED_SHA_LEN];
    uint64_t calls, fallbacks; /* request-path calls; of them, answered locally (down/slow) */
    uint64_t leases;           /* leases named so far ("self|store.n": unique per store) */
    char last_err[SHARED_ERR_LEN];

    /* the background thread's own */
    redisContext *bg;
    char sha_beat[SHARED_SHA_LEN];
    pthread_t thread;
    bool thread_on;
    pthread_cond_t wake; /* with mu: stop, or the request context broke */
    bool stop;
    char self[128]; /* "host:pid" in the registry */
};

/* Connects, authenticates and selects the database within timeout_ms; the context also times
 * out its commands after cmd_ms. NULL with err set (never the password). */
redisContext *shared_connect(const struct shared_settings *s, double timeout_ms, double cmd_ms,
                             char *err, size_t cap);
/* Loads the book/mark scripts (and the heartbeat one when beat is not NULL). 0 or -1. */
int shared_load_scripts(redisContext *c, char *book, char *mark, char *beat, char *err, size_t cap);
/* The namespace of a deployment: SHA-256 of its API base, model and key, 32 hex digits. */
void shared_namespace(const struct deployment_cfg *dep, char out[SHARED_NS_LEN]);
/* "sb:<ns>:<suffix>" */
void shared_key(char *out, size_t cap, const char ns[SHARED_NS_LEN], const char *suffix);
/* Marks the request context broken (under mu): freed, counted, the thread woken. */
void shared_broken_locked(struct shared *sh, const char *why);
/* Runs the buckets script on c (sha_book loaded there) for dep. For the request path and,
 * with op->known_seq ~0 and mode "peek", the background pull of marks. lease: a booking's
 * lease name, or for a release this store's prefix ("self|store."); "" or NULL for none. */
enum store_rc shared_run_book(redisContext *c, const char *sha_book, const char *mode,
                              const struct deployment_cfg *dep, const char *lease,
                              struct store_op *op);

#endif
