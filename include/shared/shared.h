/* shared: several switchboards share one view of the providers' limits through Redis
 * (issue #14). Implements the router's store (route/store.h) with atomic Lua scripts, keeps
 * the instance registry (host, pid, requests per minute, heartbeat with a TTL), takes the
 * marks other instances publish, and reports SHARED / LOCAL ONLY to the state's snapshot.
 *
 * Threads and ownership (src/README-threads.md): one `struct shared` per process, made and
 * freed by app. It holds two hiredis contexts, which are not thread-safe:
 * - the request context, used by the store operations; those run under the state's mutex
 *   and take shared's own mutex around every use (lock order: state, then shared). A call
 *   that fails or times out frees the context at once: every request after it accounts
 *   locally without touching the network until the background thread reconnects.
 * - the background context, owned by the background thread alone (reconnects, loads the
 *   scripts, heartbeats, reads instances and marks). It never holds shared's mutex while it
 *   calls into the state.
 * Secrets: the password (and a URL's) is sent only in AUTH; never logged, shown or put in an
 * error text. Only shared/ includes hiredis. */
#ifndef SB_SHARED_H
#define SB_SHARED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "route/state.h"

#define SHARED_HOST_LEN 256
#define SHARED_PASS_LEN 512

struct shared_settings {
    bool on; /* some redis_* key or REDIS_* variable was given */
    char host[SHARED_HOST_LEN];
    int port;
    int db;
    char password[SHARED_PASS_LEN];   /* secret; "" = none */
    double timeout_ms;                /* a request-path call taking longer falls back */
    char where[SHARED_HOST_LEN + 16]; /* "host:port/db" for screens and logs (no password) */
};

/* LiteLLM's keys: router_settings.redis_url, else redis_host / redis_port / redis_password;
 * the REDIS_URL / REDIS_HOST / REDIS_PORT / REDIS_PASSWORD variables fill what the config
 * does not give (litellm/_redis.py, _get_redis_client_logic: REDIS_* fill missing kwargs, a
 * url wins). getenv_fn NULL = getenv. Returns 0 (out->on false when nothing was given) or -1
 * with err set (never quoting the password). */
int shared_settings_from(const struct config *cfg, const char *(*getenv_fn)(const char *),
                         struct shared_settings *out, char *err, size_t cap);

struct shared;

/* Connects in the background (never blocks start-up for long) and from now on shares st's
 * bookings and marks. NULL on OOM or when the thread cannot start. */
struct shared *shared_new(const struct shared_settings *s, struct state *st);
/* Stops sharing (the state accounts locally again), deregisters and frees. */
void shared_free(struct shared *sh);

/* ---- for tests and benches: the store alone, without a state or a thread ---- */
/* A store connected now (waits up to timeout_ms to connect); NULL when it cannot. */
struct shared *shared_open_store(const struct shared_settings *s);
/* Its operations (ctx = the shared). */
const struct store_ops *shared_store_ops(void);
/* Request-path calls so far, how many were answered locally, and whether the request
 * context is connected now. */
void shared_counts(struct shared *sh, uint64_t *calls, uint64_t *fallbacks, bool *up);

#endif
