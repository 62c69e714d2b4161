/* shared_sync: the background thread of the shared layer. It (re)connects both contexts and
 * loads the scripts, so that no request ever waits for a connection; once a second (at once
 * when the request path lost its context) it heartbeats this instance into the registry,
 * reads the other instances and the marks they published, publishes the marks this one
 * learnt while Redis was away, and tells the state SHARED or LOCAL ONLY. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shared_priv.h"

#define CONNECT_MS 200  /* connecting, from the background thread only */
#define BG_CMD_MS  1000 /* the background thread's commands */
#define BEAT_MS    1000 /* heartbeat period while up */
#define RETRY_MS   250  /* reconnect period while down */
#define STALE_MS   5000 /* an instance not heard of for this long is gone */
#define REGISTRY   "sb:instances"

static void status(struct shared *sh, bool up, const struct snap_shared *peers)
{
    struct snap_shared s = {0};
    if (peers)
        s = *peers;
    s.configured = true;
    s.up = up;
    snprintf(s.where, sizeof s.where, "%.95s", sh->set.where);
    pthread_mutex_lock(&sh->mu);
    s.calls = sh->calls;
    s.fallbacks = sh->fallbacks;
    if (!up)
        snprintf(s.error, sizeof s.error, "%.159s", sh->last_err);
    pthread_mutex_unlock(&sh->mu);
    if (sh->st)
        state_set_shared(sh->st, &s);
}

static void drop_bg(struct shared *sh)
{
    if (sh->bg)
        redisFree(sh->bg);
    sh->bg = NULL;
}

/* Both contexts, or neither. */
static bool reconnect(struct shared *sh)
{
    char err[SHARED_ERR_LEN], book[SHARED_SHA_LEN], mark[SHARED_SHA_LEN];
    drop_bg(sh);
    redisContext *b = shared_connect(&sh->set, CONNECT_MS, BG_CMD_MS, err, sizeof err);
    redisContext *q = NULL;
    if (b && shared_load_scripts(b, book, mark, sh->sha_beat, err, sizeof err) == 0)
        q = shared_connect(&sh->set, CONNECT_MS, sh->set.timeout_ms, err, sizeof err);
    if (!q) {
        if (b)
            redisFree(b);
        pthread_mutex_lock(&sh->mu);
        snprintf(sh->last_err, sizeof sh->last_err, "%s", err);
        pthread_mutex_unlock(&sh->mu);
        return false;
    }
    sh->bg = b;
    pthread_mutex_lock(&sh->mu);
    if (sh->req)
        redisFree(sh->req);
    sh->req = q;
    memcpy(sh->sha_book, book, sizeof book);
    memcpy(sh->sha_mark, mark, sizeof mark);
    sh->last_err[0] = '\0';
    pthread_mutex_unlock(&sh->mu);
    if (sh->st)
        state_share_resync(sh->st); /* what this instance learnt while Redis was away */
    return true;
}

/* Registers this instance (line: its requests per minute; "" deregisters) and reads the
 * others. False on a broken connection. */
static bool beat(struct shared *sh, const char *line, struct snap_shared *out)
{
    char stale[16];
    snprintf(stale, sizeof stale, "%d", STALE_MS);
    const char *argv[] = {"EVALSHA", sh->sha_beat, "1", REGISTRY, sh->self, line, stale};
    redisReply *r = redisCommandArgv(sh->bg, 7, argv, NULL);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject(r);
        return false;
    }
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i + 2 < r->elements; i += 3) {
        const redisReply *name = r->element[i], *rpm = r->element[i + 2];
        if (name->type != REDIS_REPLY_STRING || rpm->type != REDIS_REPLY_STRING)
            continue;
        out->instances++;
        if (out->n_peers >= SNAP_PEERS)
            continue;
        struct snap_peer *p = &out->peers[out->n_peers++];
        snprintf(p->name, sizeof p->name, "%s", name->str);
        p->rpm = strtod(rpm->str, NULL);
        p->self = strcmp(name->str, sh->self) == 0;
    }
    freeReplyObject(r);
    return true;
}

/* The marks every deployment has in Redis, handed to the state. False on a broken
 * connection. */
static bool pull(struct shared *sh)
{
    struct config *cfg = state_config(sh->st);
    size_t n = cfg->n_deps < SNAP_MAX_DEPS ? cfg->n_deps : SNAP_MAX_DEPS;
    struct store_mark marks[SNAP_MAX_DEPS];
    long today[SNAP_MAX_DEPS];
    bool ok = true;
    memset(marks, 0, sizeof marks);
    for (size_t i = 0; ok && i < n; i++) {
        struct store_op op;
        memset(&op, 0, sizeof op);
        enum store_rc rc = shared_run_book(sh->bg, sh->sha_book, "peek", &cfg->deps[i], "", &op);
        if (rc == STORE_MARK)
            marks[i] = op.mark;
        else if (rc != STORE_OK)
            ok = false;
        today[i] = op.today;
    }
    if (ok)
        state_take_marks(sh->st, cfg, marks, today, (int)n);
    config_free(cfg);
    return ok;
}

static bool request_ctx_up(struct shared *sh)
{
    pthread_mutex_lock(&sh->mu);
    bool up = sh->req != NULL;
    pthread_mutex_unlock(&sh->mu);
    return up;
}

static void wait_ms(struct shared *sh, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&sh->mu);
    /* woken early when the request context broke (req NULL) or to stop */
    if (!sh->stop && (sh->req || !sh->bg))
        pthread_cond_timedwait(&sh->wake, &sh->mu, &ts);
    pthread_mutex_unlock(&sh->mu);
}

static bool stopping(struct shared *sh)
{
    pthread_mutex_lock(&sh->mu);
    bool s = sh->stop;
    pthread_mutex_unlock(&sh->mu);
    return s;
}

static void *loop(void *arg)
{
    struct shared *sh = arg;
    uint64_t outages = 0;
    bool was_up = false;
    while (!stopping(sh)) {
        if (!sh->bg || !request_ctx_up(sh)) {
            if (was_up)
                outages++;
            was_up = false;
            if (!reconnect(sh)) {
                struct snap_shared s = {.outages = outages};
                status(sh, false, &s);
                wait_ms(sh, RETRY_MS);
                continue;
            }
        }
        char line[32];
        struct snap_shared peers;
        snprintf(line, sizeof line, "%d", sh->st ? state_client_rpm(sh->st) : 0);
        if (!beat(sh, line, &peers) || (sh->st && !pull(sh))) {
            drop_bg(sh);
            pthread_mutex_lock(&sh->mu);
            shared_broken_locked(sh, "the connection to Redis was lost");
            pthread_mutex_unlock(&sh->mu);
            continue;
        }
        was_up = true;
        peers.outages = outages;
        status(sh, request_ctx_up(sh), &peers);
        wait_ms(sh, BEAT_MS);
    }
    return NULL;
}

static struct shared *alloc(const struct shared_settings *s, struct state *st)
{
    struct shared *sh = calloc(1, sizeof *sh);
    if (!sh)
        return NULL;
    sh->set = *s;
    sh->st = st;
    char host[64] = "localhost";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    snprintf(sh->self, sizeof sh->self, "%s:%d", host, (int)getpid());
    if (pthread_mutex_init(&sh->mu, NULL) != 0) {
        free(sh);
        return NULL;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    int rc = pthread_cond_init(&sh->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0) {
        pthread_mutex_destroy(&sh->mu);
        free(sh);
        return NULL;
    }
    return sh;
}

static void release(struct shared *sh)
{
    drop_bg(sh);
    if (sh->req)
        redisFree(sh->req);
    pthread_cond_destroy(&sh->wake);
    pthread_mutex_destroy(&sh->mu);
    memset(sh->set.password, 0, sizeof sh->set.password);
    free(sh);
}

struct shared *shared_new(const struct shared_settings *s, struct state *st)
{
    struct shared *sh = alloc(s, st);
    if (!sh)
        return NULL;
    struct snap_shared down = {0};
    snprintf(sh->last_err, sizeof sh->last_err, "connecting");
    status(sh, false, &down);
    state_set_store(st, shared_store_ops(), sh);
    if (pthread_create(&sh->thread, NULL, loop, sh) != 0) {
        state_set_store(st, NULL, NULL);
        release(sh);
        return NULL;
    }
    sh->thread_on = true;
    return sh;
}

void shared_free(struct shared *sh)
{
    if (!sh)
        return;
    if (sh->st)
        state_set_store(sh->st, NULL, NULL); /* no store call runs or starts after this */
    if (sh->thread_on) {
        pthread_mutex_lock(&sh->mu);
        sh->stop = true;
        pthread_cond_signal(&sh->wake);
        pthread_mutex_unlock(&sh->mu);
        pthread_join(sh->thread, NULL);
    }
    struct snap_shared ignored;
    if (sh->bg)
        beat(sh, "", &ignored); /* leave the registry now rather than after STALE_MS */
    release(sh);
}

struct shared *shared_open_store(const struct shared_settings *s)
{
    char err[SHARED_ERR_LEN], beat_sha[SHARED_SHA_LEN];
    struct shared *sh = alloc(s, NULL);
    if (!sh)
        return NULL;
    sh->req = shared_connect(s, s->timeout_ms > CONNECT_MS ? s->timeout_ms : CONNECT_MS,
                             s->timeout_ms, err, sizeof err);
    if (!sh->req ||
        shared_load_scripts(sh->req, sh->sha_book, sh->sha_mark, beat_sha, err, sizeof err)) {
        release(sh);
        return NULL;
    }
    return sh;
}
