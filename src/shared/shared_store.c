/* shared_store: the router's store (route/store.h) over Redis. Every operation is one
 * EVALSHA of a script from shared_conn.c on the request context, bounded by the context's
 * command timeout (settings.timeout_ms, a few ms). Any failure (down, slow, an error reply)
 * frees the context on the spot and answers STORE_DOWN: the router accounts locally and no
 * later request waits for Redis until the background thread has reconnected. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared_priv.h"

#define NB (RL_NKINDS * RL_NWINDOWS)

void shared_broken_locked(struct shared *sh, const char *why)
{
    snprintf(sh->last_err, sizeof sh->last_err, "%s", why); /* why may live in the context */
    if (sh->req) {
        redisFree(sh->req);
        sh->req = NULL;
    }
    pthread_cond_signal(&sh->wake);
}

static void keys(const struct deployment_cfg *dep, char k[5][64])
{
    char ns[SHARED_NS_LEN];
    shared_namespace(dep, ns);
    shared_key(k[0], 64, ns, "b");
    shared_key(k[1], 64, ns, "m");
    shared_key(k[2], 64, ns, "p");
    shared_key(k[3], 64, ns, "d");
    shared_key(k[4], 64, ns, "c");
}

static const char *str_el(const redisReply *r, size_t i)
{
    if (i >= r->elements || !r->element[i])
        return NULL;
    const redisReply *e = r->element[i];
    return e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS ? e->str : NULL;
}

static void parse_mark(const redisReply *r, struct store_mark *m)
{
    const char *f[10];
    for (size_t i = 0; i < 10; i++) {
        f[i] = str_el(r, i);
        if (!f[i])
            f[i] = "0";
    }
    memset(m, 0, sizeof *m);
    m->seq = strtoull(f[1], NULL, 10);
    m->cd = atoi(f[2]);
    m->cd_left_ms = strtoll(f[3], NULL, 10);
    m->auth_failed = f[4][0] == '1';
    m->quota = f[5][0] == '1';
    m->quota_known = f[6][0] == '1';
    m->quota_left_ms = strtoll(f[7], NULL, 10);
    m->off = f[8][0] == '1';
    snprintf(m->reason, sizeof m->reason, "%s", str_el(r, 9) ? f[9] : "");
    snprintf(m->by, sizeof m->by, "%s", str_el(r, 11) ? str_el(r, 11) : "");
    m->gone = str_el(r, 12) && str_el(r, 12)[0] == '1';
}

/* Levels in the order the buckets were sent. */
static void parse_levels(const redisReply *r, struct store_op *op, const int *order, int n)
{
    for (int i = 0; i < n; i++) {
        const char *s = str_el(r, (size_t)i + 1);
        op->b[order[i] / RL_NWINDOWS][order[i] % RL_NWINDOWS].level = s ? strtod(s, NULL) : NAN;
    }
}

static enum store_rc parse_book(const redisReply *r, struct store_op *op, const int *order, int n)
{
    const char *tag = r->type == REDIS_REPLY_ARRAY ? str_el(r, 0) : NULL;
    if (!tag)
        return STORE_DOWN;
    if (strcmp(tag, "OK") == 0 || strcmp(tag, "FULL") == 0) {
        parse_levels(r, op, order, n);
        return tag[0] == 'O' ? STORE_OK : STORE_FULL;
    }
    if (strcmp(tag, "MARK") == 0) {
        parse_mark(r, &op->mark);
        op->today = str_el(r, 10) ? atol(str_el(r, 10)) : -1;
        return STORE_MARK;
    }
    if (strcmp(tag, "NONE") == 0) { /* a peek at a deployment nobody marked */
        op->today = str_el(r, 1) ? atol(str_el(r, 1)) : -1;
        return STORE_OK;
    }
    if (strcmp(tag, "BUSY") == 0)
        return STORE_BUSY;
    return strcmp(tag, "PROBE") == 0 ? STORE_PROBE_ELSEWHERE : STORE_DOWN;
}

enum store_rc shared_run_book(redisContext *c, const char *sha_book, const char *mode,
                              const struct deployment_cfg *dep, const char *lease,
                              struct store_op *op)
{
    enum { FIXED = 17 };
    char k[5][64], known[24], probe_ms[24], n_s[16], num[NB][4][32], cap[16], lease_ms[24];
    const char *argv[FIXED + NB * 5];
    int order[NB], n = 0;
    op->today = -1;
    for (int i = 0; i < NB; i++) {
        struct store_bucket *b = &op->b[i / RL_NWINDOWS][i % RL_NWINDOWS];
        b->level = NAN;
        if (!(b->limit > 0) || b->window_ms <= 0)
            continue;
        snprintf(num[n][0], 32, "%d", i);
        snprintf(num[n][1], 32, "%.17g", b->limit);
        snprintf(num[n][2], 32, "%lld", (long long)b->window_ms);
        snprintf(num[n][3], 32, "%.17g", isfinite(b->take) ? b->take : 0.0);
        order[n++] = i;
    }
    keys(dep, k);
    snprintf(known, sizeof known, "%llu", (unsigned long long)op->known_seq);
    snprintf(probe_ms, sizeof probe_ms, "%lld", (long long)(op->probe_ms > 0 ? op->probe_ms : 1));
    snprintf(n_s, sizeof n_s, "%d", n);
    snprintf(cap, sizeof cap, "%d", op->conc_cap > 0 && lease && *lease ? op->conc_cap : 0);
    snprintf(lease_ms, sizeof lease_ms, "%lld", (long long)(op->lease_ms > 0 ? op->lease_ms : 1));
    const char *fixed[FIXED] = {"EVALSHA",
                                sha_book,
                                "5",
                                k[0],
                                k[1],
                                k[2],
                                k[3],
                                k[4],
                                mode,
                                known,
                                op->probe ? "1" : "0",
                                probe_ms,
                                cap,
                                lease_ms,
                                lease ? lease : "",
                                op->release && lease && *lease ? "1" : "0",
                                n_s};
    int argc = 0;
    for (int i = 0; i < FIXED; i++)
        argv[argc++] = fixed[i];
    char caps[NB][32];
    for (int j = 0; j < n; j++) {
        const struct store_bucket *b = &op->b[order[j] / RL_NWINDOWS][order[j] % RL_NWINDOWS];
        if (isfinite(b->cap))
            snprintf(caps[j], sizeof caps[j], "%.17g", b->cap);
        else
            caps[j][0] = '\0';
        argv[argc++] = num[j][0];
        argv[argc++] = num[j][1];
        argv[argc++] = num[j][2];
        argv[argc++] = num[j][3];
        argv[argc++] = caps[j];
    }
    redisReply *r = redisCommandArgv(c, argc, argv, NULL);
    if (!r)
        return STORE_DOWN;
    enum store_rc rc = parse_book(r, op, order, n);
    freeReplyObject(r);
    return rc;
}

static enum store_rc st_buckets(void *ctx, const struct deployment_cfg *dep, struct store_op *op)
{
    struct shared *sh = ctx;
    enum store_rc rc = STORE_DOWN;
    pthread_mutex_lock(&sh->mu);
    sh->calls++;
    if (sh->req) {
        /* a booking names its lease; a release names this store, one of whose leases it ends */
        char lease[sizeof sh->self + 48];
        if (op->check)
            snprintf(lease, sizeof lease, "%s|%llx.%llu", sh->self,
                     (unsigned long long)(uintptr_t)sh, (unsigned long long)++sh->leases);
        else
            snprintf(lease, sizeof lease, "%s|%llx.", sh->self, (unsigned long long)(uintptr_t)sh);
        rc = shared_run_book(sh->req, sh->sha_book, op->check ? "book" : "adjust", dep, lease, op);
        if (rc == STORE_DOWN)
            shared_broken_locked(sh, sh->req && sh->req->err ? sh->req->errstr
                                                             : "unexpected reply to a booking");
    }
    if (rc == STORE_DOWN)
        sh->fallbacks++;
    pthread_mutex_unlock(&sh->mu);
    return rc;
}

static enum store_rc run_mark(redisContext *c, const char *sha, const char *self,
                              const struct deployment_cfg *dep, struct store_mark *m)
{
    char k[5][64], v[8][24];
    keys(dep, k);
    snprintf(v[0], 24, "%d", m->cd);
    snprintf(v[1], 24, "%lld", (long long)(m->cd_left_ms > 0 ? m->cd_left_ms : 0));
    snprintf(v[2], 24, "%d", m->auth_failed);
    snprintf(v[3], 24, "%d", m->quota);
    snprintf(v[4], 24, "%d", m->quota_known);
    snprintf(v[5], 24, "%lld", (long long)(m->quota_left_ms > 0 ? m->quota_left_ms : 0));
    snprintf(v[6], 24, "%d", m->off);
    snprintf(v[7], 24, "%d", m->gone);
    const char *argv[] = {"EVALSHA", sha,  "2",  k[1], k[2],      v[0], v[1], v[2],
                          v[3],      v[4], v[5], v[6], m->reason, self, v[7]};
    redisReply *r = redisCommandArgv(c, (int)(sizeof argv / sizeof argv[0]), argv, NULL);
    if (!r)
        return STORE_DOWN;
    enum store_rc rc = STORE_DOWN;
    if (r->type == REDIS_REPLY_STRING) {
        m->seq = strtoull(r->str, NULL, 10);
        rc = STORE_OK;
    }
    freeReplyObject(r);
    return rc;
}

static enum store_rc st_mark(void *ctx, const struct deployment_cfg *dep, struct store_mark *m)
{
    struct shared *sh = ctx;
    enum store_rc rc = STORE_DOWN;
    pthread_mutex_lock(&sh->mu);
    sh->calls++;
    if (sh->req) {
        rc = run_mark(sh->req, sh->sha_mark, sh->self, dep, m);
        if (rc == STORE_DOWN)
            shared_broken_locked(sh, sh->req && sh->req->err ? sh->req->errstr
                                                             : "unexpected reply to a mark");
    }
    if (rc == STORE_DOWN)
        sh->fallbacks++;
    pthread_mutex_unlock(&sh->mu);
    return rc;
}

static const struct store_ops ops = {.buckets = st_buckets, .mark = st_mark};

const struct store_ops *shared_store_ops(void)
{
    return &ops;
}

void shared_counts(struct shared *sh, uint64_t *calls, uint64_t *fallbacks, bool *up)
{
    pthread_mutex_lock(&sh->mu);
    *calls = sh->calls;
    *fallbacks = sh->fallbacks;
    *up = sh->req != NULL;
    pthread_mutex_unlock(&sh->mu);
}
