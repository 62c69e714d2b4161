/* The shared store against a real redis-server: two instances (two connections, two
 * threads) racing for the last unit of a bucket 1000 times never both get it; refunds and
 * the local cap; marks travel from one instance to the other with their reason and end;
 * only one instance gets the probe; a Redis that stops answering is left at once; settings
 * from LiteLLM's keys and the REDIS_* variables, never quoting the password. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <hiredis/hiredis.h>

#include "fixture_redis.h"
#include "route/store.h"
#include "shared/shared.h"

static struct redis_child srv;

static int up(void **st)
{
    (void)st;
    return redis_start(&srv);
}

static int down(void **st)
{
    (void)st;
    redis_stop(&srv);
    return 0;
}

static struct shared *open_store(double timeout_ms)
{
    struct shared_settings s = {.on = true, .port = srv.port, .timeout_ms = timeout_ms};
    snprintf(s.host, sizeof s.host, "127.0.0.1");
    snprintf(s.where, sizeof s.where, "127.0.0.1:%d/0", srv.port);
    struct shared *sh = shared_open_store(&s);
    assert_non_null(sh);
    return sh;
}

static struct deployment_cfg dep_named(char *key)
{
    return (struct deployment_cfg){.api_base = "http://race.test/v1", .model = "m", .api_key = key};
}

/* A plain client of the same server, to look at what the store left there. */
static redisContext *inspect(void)
{
    redisContext *c = redisConnect("127.0.0.1", srv.port);
    assert_non_null(c);
    assert_int_equal(c->err, 0);
    return c;
}

/* The milliseconds key has left to live (-1: no expiry; -2: no such key). */
static long long pttl(redisContext *c, const char *key)
{
    redisReply *r = redisCommand(c, "PTTL %s", key);
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_INTEGER);
    long long ms = r->integer;
    freeReplyObject(r);
    return ms;
}

/* The key of dep's marks: the one key among all whose hash names `who` as publisher. */
static void marks_key_of(redisContext *c, const char *by_field_value, char *out, size_t cap)
{
    redisReply *keys = redisCommand(c, "KEYS sb:*:m");
    assert_non_null(keys);
    out[0] = '\0';
    for (size_t i = 0; i < keys->elements; i++) {
        redisReply *r = redisCommand(c, "HGET %s reason", keys->element[i]->str);
        if (r && r->type == REDIS_REPLY_STRING && strcmp(r->str, by_field_value) == 0)
            snprintf(out, cap, "%s", keys->element[i]->str);
        freeReplyObject(r);
    }
    freeReplyObject(keys);
    assert_true(out[0] != '\0');
}

static void bucket(struct store_op *op, int k, int w, double limit, int64_t window, double take)
{
    op->b[k][w] = (struct store_bucket){
        .limit = limit, .window_ms = window, .take = take, .cap = NAN, .level = NAN};
}

static enum store_rc book(struct shared *sh, const struct deployment_cfg *d, struct store_op *op)
{
    op->check = true;
    return shared_store_ops()->buckets(sh, d, op);
}

/* ---- the race ---- */

#define ROUNDS 1000

struct racer {
    struct shared *sh;
    pthread_barrier_t *bar;
    enum store_rc rc[ROUNDS];
};

/* No buckets yet. */
static void empty_op(struct store_op *op)
{
    memset(op, 0, sizeof *op);
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++)
            op->b[k][w] = (struct store_bucket){.cap = NAN, .level = NAN};
}

static void round_op(int round, struct store_op *op)
{
    empty_op(op);
    if (round % 2 == 0) /* the last request of the day */
        bucket(op, RL_REQUESTS, RL_DAY, 1, 86400000, 1);
    else { /* room for one request's tokens, not two */
        bucket(op, RL_REQUESTS, RL_MINUTE, 10, 60000, 1);
        bucket(op, RL_TOKENS, RL_DAY, 1000, 86400000, 600);
    }
}

static void *race(void *arg)
{
    struct racer *r = arg;
    char key[64];
    for (int i = 0; i < ROUNDS; i++) {
        struct store_op op;
        snprintf(key, sizeof key, "race-%d-%d", (int)getpid(), i); /* a fresh bucket a round */
        struct deployment_cfg d = dep_named(key);
        round_op(i, &op);
        pthread_barrier_wait(r->bar);
        r->rc[i] = book(r->sh, &d, &op);
    }
    return NULL;
}

static void test_two_instances_never_both_get_the_last_slot(void **st)
{
    (void)st;
    static struct racer a, b;
    pthread_barrier_t bar;
    pthread_t ta, tb;
    pthread_barrier_init(&bar, NULL, 2);
    a = (struct racer){.sh = open_store(2000), .bar = &bar};
    b = (struct racer){.sh = open_store(2000), .bar = &bar};
    pthread_create(&ta, NULL, race, &a);
    pthread_create(&tb, NULL, race, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    int a_won = 0, b_won = 0;
    for (int i = 0; i < ROUNDS; i++) {
        int ok = (a.rc[i] == STORE_OK) + (b.rc[i] == STORE_OK);
        int full = (a.rc[i] == STORE_FULL) + (b.rc[i] == STORE_FULL);
        if (ok != 1 || full != 1)
            fail_msg("round %d: a %d, b %d (want one OK and one FULL)", i, a.rc[i], b.rc[i]);
        a_won += a.rc[i] == STORE_OK;
        b_won += b.rc[i] == STORE_OK;
    }
    print_message("last slot: %d rounds, a got it %d times, b %d times, never both\n", ROUNDS,
                  a_won, b_won);
    pthread_barrier_destroy(&bar);
    shared_free(a.sh);
    shared_free(b.sh);
}

/* ---- levels ---- */

static void test_refund_and_cap(void **st)
{
    (void)st;
    struct shared *sh = open_store(2000);
    struct deployment_cfg d = dep_named("levels");
    struct store_op op;
    for (int i = 0; i < 3; i++) {
        empty_op(&op);
        bucket(&op, RL_REQUESTS, RL_DAY, 10, 86400000, 1);
        assert_int_equal(book(sh, &d, &op), STORE_OK);
    }
    assert_true(fabs(op.b[RL_REQUESTS][RL_DAY].level - 7) < 0.01);
    empty_op(&op);
    bucket(&op, RL_REQUESTS, RL_DAY, 10, 86400000, -1); /* a refusal gives its booking back */
    assert_int_equal(shared_store_ops()->buckets(sh, &d, &op), STORE_OK);
    assert_true(fabs(op.b[RL_REQUESTS][RL_DAY].level - 8) < 0.01);
    empty_op(&op);
    bucket(&op, RL_REQUESTS, RL_DAY, 10, 86400000, 0);
    op.b[RL_REQUESTS][RL_DAY].cap = 5; /* the provider said 5 left */
    assert_int_equal(shared_store_ops()->buckets(sh, &d, &op), STORE_OK);
    assert_true(fabs(op.b[RL_REQUESTS][RL_DAY].level - 5) < 0.01);
    shared_free(sh);
}

/* ---- marks and the probe ---- */

static void test_marks_travel_and_one_probe(void **st)
{
    (void)st;
    struct shared *a = open_store(2000), *b = open_store(2000);
    struct deployment_cfg d = dep_named("marks");
    struct store_mark m = {.cd = 1, .cd_left_ms = 30000};
    snprintf(m.reason, sizeof m.reason, "429 from provider, retry-after 30s");
    assert_int_equal(shared_store_ops()->mark(a, &d, &m), STORE_OK);
    assert_true(m.seq > 0);
    struct store_op op;
    empty_op(&op);
    bucket(&op, RL_REQUESTS, RL_MINUTE, 10, 60000, 1);
    assert_int_equal(book(b, &d, &op), STORE_MARK);
    assert_int_equal(op.mark.seq, m.seq);
    assert_int_equal(op.mark.cd, 1);
    assert_true(op.mark.cd_left_ms > 20000 && op.mark.cd_left_ms <= 30000);
    assert_string_equal(op.mark.reason, "429 from provider, retry-after 30s");
    assert_false(op.mark.gone);
    assert_true(op.mark.by[0] != '\0'); /* the publisher, "host:pid" */
    /* known now: b books; a and b ask for the probe: one gets it */
    uint64_t seq = m.seq;
    empty_op(&op);
    bucket(&op, RL_REQUESTS, RL_MINUTE, 10, 60000, 1);
    op.known_seq = seq;
    op.probe = true;
    op.probe_ms = 60000;
    assert_int_equal(book(b, &d, &op), STORE_OK);
    empty_op(&op);
    bucket(&op, RL_REQUESTS, RL_MINUTE, 10, 60000, 1);
    op.known_seq = seq;
    op.probe = true;
    op.probe_ms = 60000;
    assert_int_equal(book(a, &d, &op), STORE_PROBE_ELSEWHERE);
    /* the probe's verdict (a clear) is published: the next probe may go */
    struct store_mark clear = {0};
    assert_int_equal(shared_store_ops()->mark(b, &d, &clear), STORE_OK);
    empty_op(&op);
    op.known_seq = clear.seq;
    op.probe = true;
    op.probe_ms = 60000;
    assert_int_equal(book(a, &d, &op), STORE_OK);
    shared_free(a);
    shared_free(b);
}

/* MODEL GONE travels, and stays (no end) until someone publishes it gone no more. */
static void test_model_gone_travels(void **st)
{
    (void)st;
    struct shared *a = open_store(2000), *b = open_store(2000);
    struct deployment_cfg d = dep_named("gone");
    struct store_mark m = {.cd = 5, .cd_left_ms = 60000, .gone = true};
    snprintf(m.reason, sizeof m.reason, "model not found at provider");
    assert_int_equal(shared_store_ops()->mark(a, &d, &m), STORE_OK);
    struct store_op op;
    empty_op(&op);
    bucket(&op, RL_REQUESTS, RL_MINUTE, 10, 60000, 1);
    assert_int_equal(book(b, &d, &op), STORE_MARK);
    assert_true(op.mark.gone);
    assert_int_equal(op.mark.cd, 5);
    /* the marks outlive the cooldown: kept as long as an indefinite mark (30 days) */
    redisContext *c = inspect();
    char key[96];
    marks_key_of(c, "model not found at provider", key, sizeof key);
    long long ttl = pttl(c, key);
    assert_true(ttl > 29LL * 86400000 && ttl <= 30LL * 86400000);
    redisFree(c);
    struct store_mark back = {0};
    assert_int_equal(shared_store_ops()->mark(b, &d, &back), STORE_OK);
    empty_op(&op);
    bucket(&op, RL_REQUESTS, RL_MINUTE, 10, 60000, 1);
    op.known_seq = m.seq;
    assert_int_equal(book(a, &d, &op), STORE_MARK);
    assert_false(op.mark.gone);
    shared_free(a);
    shared_free(b);
}

/* Concurrency leases: at most conc_cap held by all instances together; a release frees one;
 * a lease whose end never came frees itself after lease_ms. */
static void test_concurrency_leases(void **st)
{
    (void)st;
    struct shared *a = open_store(2000), *b = open_store(2000);
    struct deployment_cfg d = dep_named("leases");
    struct store_op op;
    for (int i = 0; i < 2; i++) {
        empty_op(&op);
        op.conc_cap = 2;
        op.lease_ms = i == 0 ? 60000 : 300; /* b's lease will run out by itself */
        assert_int_equal(book(i == 0 ? a : b, &d, &op), STORE_OK);
    }
    empty_op(&op);
    op.conc_cap = 2;
    op.lease_ms = 60000;
    assert_int_equal(book(a, &d, &op), STORE_BUSY);
    empty_op(&op);
    op.conc_cap = 3; /* a higher cap (another instance's config) has room */
    op.lease_ms = 60000;
    assert_int_equal(book(b, &d, &op), STORE_OK);
    /* a release frees one place (3 held, cap 3 -> 2 held) */
    empty_op(&op);
    op.release = true;
    assert_int_equal(shared_store_ops()->buckets(a, &d, &op), STORE_OK);
    empty_op(&op);
    op.conc_cap = 3;
    op.lease_ms = 60000;
    assert_int_equal(book(a, &d, &op), STORE_OK);
    /* the short lease ends by itself: poll with a deadline, never sleep-and-hope */
    bool freed = false;
    for (int tries = 0; tries < 100 && !freed; tries++) {
        empty_op(&op);
        op.conc_cap = 3;
        op.lease_ms = 60000;
        enum store_rc rc = book(b, &d, &op);
        assert_true(rc == STORE_OK || rc == STORE_BUSY);
        freed = rc == STORE_OK;
        if (!freed)
            nanosleep(&(struct timespec){.tv_nsec = 50 * 1000000L}, NULL);
    }
    assert_true(freed);
    shared_free(a);
    shared_free(b);
}

/* Every key the store writes is named by a hash, never by the API key, holds no API key,
 * and expires by itself. */
static void test_keys_are_hashed_and_expire(void **st)
{
    (void)st;
    static char secret[] = "sk-live-THIS-KEY-MUST-NOT-LEAK-42";
    struct shared *a = open_store(2000);
    struct deployment_cfg d = dep_named(secret);
    struct store_op op;
    empty_op(&op);
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++)
            bucket(&op, k, w, 1000, w == RL_MINUTE ? 60000 : w == RL_HOUR ? 3600000 : 86400000, 1);
    assert_int_equal(book(a, &d, &op), STORE_OK);
    struct store_mark m = {.cd = 1, .cd_left_ms = 5000, .gone = true, .off = true};
    snprintf(m.reason, sizeof m.reason, "every mark at once");
    assert_int_equal(shared_store_ops()->mark(a, &d, &m), STORE_OK);
    empty_op(&op);
    op.known_seq = m.seq;
    op.probe = true;
    op.probe_ms = 60000;
    assert_int_equal(book(a, &d, &op), STORE_OK); /* holds the probe key */
    redisContext *c = inspect();
    redisReply *keys = redisCommand(c, "KEYS *");
    assert_non_null(keys);
    assert_true(keys->elements >= 4); /* buckets, marks, probe, today's counter */
    int ours = 0;
    for (size_t i = 0; i < keys->elements; i++) {
        const char *k = keys->element[i]->str;
        assert_null(strstr(k, "MUST-NOT-LEAK"));
        assert_int_equal(strncmp(k, "sb:", 3), 0);
        long long ms = pttl(c, k);
        if (ms < 0)
            fail_msg("key %s does not expire (PTTL %lld)", k, ms);
        redisReply *dump = redisCommand(c, "DUMP %s", k);
        assert_non_null(dump);
        assert_true(dump->type == REDIS_REPLY_STRING);
        assert_null(memmem(dump->str, dump->len, "MUST-NOT-LEAK", 13));
        freeReplyObject(dump);
        ours++;
    }
    assert_true(ours >= 4);
    freeReplyObject(keys);
    redisFree(c);
    shared_free(a);
}

/* ---- down ---- */

static void test_a_stopped_redis_is_left_at_once(void **st)
{
    (void)st;
    struct shared *sh = open_store(50);
    struct deployment_cfg d = dep_named("down");
    struct store_op op;
    uint64_t calls, fallbacks;
    bool conn;
    empty_op(&op);
    bucket(&op, RL_REQUESTS, RL_MINUTE, 10, 60000, 1);
    assert_int_equal(book(sh, &d, &op), STORE_OK);
    kill(srv.pid, SIGSTOP); /* up but silent: every call would time out */
    assert_int_equal(book(sh, &d, &op), STORE_DOWN);
    shared_counts(sh, &calls, &fallbacks, &conn);
    assert_false(conn); /* the context is gone: later calls do not wait */
    assert_int_equal(book(sh, &d, &op), STORE_DOWN);
    shared_counts(sh, &calls, &fallbacks, &conn);
    assert_int_equal(calls, 3);
    assert_int_equal(fallbacks, 2);
    kill(srv.pid, SIGCONT);
    shared_free(sh);
}

/* ---- settings ---- */

static const char *env_vals[8][2];

static const char *fake_env(const char *name)
{
    for (int i = 0; i < 8 && env_vals[i][0]; i++)
        if (strcmp(env_vals[i][0], name) == 0)
            return env_vals[i][1];
    return NULL;
}

static void set_env(int i, const char *k, const char *v)
{
    env_vals[i][0] = k;
    env_vals[i][1] = v;
    env_vals[i + 1][0] = NULL;
}

static void test_settings_from_litellm_keys_and_env(void **st)
{
    (void)st;
    struct config c = {.redis_timeout_ms = 5};
    struct shared_settings s;
    char err[256];
    env_vals[0][0] = NULL;
    assert_int_equal(shared_settings_from(&c, fake_env, &s, err, sizeof err), 0);
    assert_false(s.on);                     /* nothing given: nothing changes */
    set_env(0, "REDIS_PASSWORD", "lonely"); /* a password alone turns nothing on */
    assert_int_equal(shared_settings_from(&c, fake_env, &s, err, sizeof err), 0);
    assert_false(s.on);
    set_env(1, "REDIS_HOST", "cache.lan");
    set_env(2, "REDIS_PORT", "6380");
    assert_int_equal(shared_settings_from(&c, fake_env, &s, err, sizeof err), 0);
    assert_true(s.on);
    assert_string_equal(s.host, "cache.lan");
    assert_int_equal(s.port, 6380);
    assert_string_equal(s.password, "lonely");
    assert_string_equal(s.where, "cache.lan:6380/0");
    /* the config's keys come first */
    c.redis_host = "10.0.0.7";
    c.redis_port = 7000;
    c.redis_password = "from-config";
    assert_int_equal(shared_settings_from(&c, fake_env, &s, err, sizeof err), 0);
    assert_string_equal(s.host, "10.0.0.7");
    assert_int_equal(s.port, 7000);
    assert_string_equal(s.password, "from-config");
    /* a URL wins, with a percent-encoded password and a database */
    c.redis_url = "redis://user:p%40ss%3Aword@db.lan:6390/2";
    assert_int_equal(shared_settings_from(&c, fake_env, &s, err, sizeof err), 0);
    assert_string_equal(s.host, "db.lan");
    assert_int_equal(s.port, 6390);
    assert_int_equal(s.db, 2);
    assert_string_equal(s.password, "p@ss:word");
    assert_null(strstr(s.where, "p@ss"));
    /* errors say what is wrong without the password */
    c.redis_url = "redis://:hunter2-secret@db.lan:99999/0";
    assert_int_equal(shared_settings_from(&c, fake_env, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "port"));
    assert_null(strstr(err, "hunter2"));
    c.redis_url = "rediss://:hunter2-secret@db.lan";
    assert_int_equal(shared_settings_from(&c, fake_env, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "TLS"));
    assert_null(strstr(err, "hunter2"));
    /* REDIS_URL alone turns it on */
    struct config empty = {0};
    set_env(0, "REDIS_URL", "redis://127.0.0.1:6500");
    assert_int_equal(shared_settings_from(&empty, fake_env, &s, err, sizeof err), 0);
    assert_true(s.on);
    assert_int_equal(s.port, 6500);
    assert_true(s.timeout_ms == 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_instances_never_both_get_the_last_slot),
        cmocka_unit_test(test_refund_and_cap),
        cmocka_unit_test(test_marks_travel_and_one_probe),
        cmocka_unit_test(test_model_gone_travels),
        cmocka_unit_test(test_concurrency_leases),
        cmocka_unit_test(test_keys_are_hashed_and_expire),
        cmocka_unit_test(test_a_stopped_redis_is_left_at_once),
        cmocka_unit_test(test_settings_from_litellm_keys_and_env),
    };
    return cmocka_run_group_tests(tests, up, down);
}
