/* demo: switchboard with no keys. Two simulated providers run in this process on loopback, a
 * config with the shape of the shipped config.yaml points at them (built as YAML text and
 * read by the real config parser), and the traffic generator gives the dashboard something
 * to show. Only the far end is simulated: requests take the real front, router, translators
 * and upstream client. */
#include "sim/demo.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/clock.h"
#include "sim/simprov.h"
#include "sim/traffic.h"

/* Small enough that the free-tier story (serve, limit, fallback, recovery) plays out twice
 * a minute. */
#define CEREBRAS_RPM      6
#define CEREBRAS_WINDOW_S 30.0
#define CEREBRAS_KEY      "demo-cerebras-key"
#define ZAI_KEY           "demo-zai-key"
/* switchboard reads Cerebras's rate-limit headers and stops before the rpm limit, so that
 * limit shows as RPM FULL and seldom as a 429. Real Cerebras also answers 429 when no header
 * predicted it (busy: queue_exceeded), so now and then the demo makes one request get a 429
 * carrying only reset headers (simprov's "429_reset"), which then drive the COOLDOWN. */
#define BUSY_FIRST_MS 12000L
#define BUSY_EVERY_MS 50000L
#define BUSY_ARMED_MS 15000L
#define BUSY_POLL_MS  50L

struct demo {
    struct simprov *cerebras;
    struct simprov *zai;
    struct traffic *traffic;
    pthread_t busy;
    bool busy_started;
    atomic_bool busy_stop;
    pthread_mutex_t mu; /* with cv: wakes the busy thread when stopping */
    pthread_cond_t cv;
};

struct demo *demo_start(char *err, size_t len)
{
    struct demo *d = calloc(1, sizeof *d);
    char e[SIMPROV_ERR_LEN] = "";
    if (!d) {
        snprintf(err, len, "out of memory");
        return NULL;
    }
    struct simprov_opts c = {
        .dialect = API_OPENAI,
        .name = "cerebras",
        .api_key = CEREBRAS_KEY,
        .rpm_limit = CEREBRAS_RPM,
        .window_s = CEREBRAS_WINDOW_S,
        .tokens_per_s = 1000,
        .first_byte_ms = 80,
        .reply_tokens = 120,
        .threads = 32,
    };
    struct simprov_opts z = {
        .dialect = API_ANTHROPIC,
        .name = "zai",
        .api_key = ZAI_KEY,
        .tokens_per_s = 70,
        .first_byte_ms = 400,
        .reply_tokens = 120,
        .threads = 32,
    };
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&d->mu, NULL);
    d->cerebras = simprov_start(&c, e);
    d->zai = d->cerebras ? simprov_start(&z, e) : NULL;
    if (!d->zai) {
        snprintf(err, len, "cannot start the simulated providers: %s", e);
        demo_stop(d);
        return NULL;
    }
    return d;
}

/* Today's lineups (the simulated providers serve them, simprov_lineup.h): the dashboard shows
 * the model that answers, cerebras gpt-oss-120b and zai glm-5.2, as with real keys. */
static const char demo_yaml[] =
    "# switchboard demo: simulated providers on loopback, shaped like config.yaml\n"
    "model_list:\n"
    "  - model_name: glm-4.6\n"
    "    litellm_params:\n"
    "      model: cerebras/gpt-oss-120b\n"
    "      api_base: http://127.0.0.1:%d/v1\n"
    "      api_key: " CEREBRAS_KEY "\n"
    "      max_tokens: 16000\n"
    "  - model_name: zai-glm\n"
    "    litellm_params:\n"
    "      model: anthropic/glm-5.2\n"
    "      api_base: http://127.0.0.1:%d/api/anthropic\n"
    "      api_key: " ZAI_KEY "\n"
    "  - model_name: glm-4.5-air\n"
    "    litellm_params:\n"
    "      model: anthropic/glm-4.5-air\n"
    "      api_base: http://127.0.0.1:%d/api/anthropic\n"
    "      api_key: " ZAI_KEY "\n"
    "router_settings:\n"
    "  fallbacks: [{\"glm-4.6\": [\"zai-glm\"]}]\n"
    "  allowed_fails: 1\n"
    "  cooldown_time: 60\n" /* the provider's reset headers set the real length */
    "  num_retries: 2\n"
    "  model_group_alias:\n"
    "    \"claude-*haiku*\": glm-4.5-air\n"
    "    \"claude-*\": glm-4.6\n";

struct config *demo_config(struct demo *d, char *err, size_t len)
{
    if (!d) {
        snprintf(err, len, "the demo is not running");
        return NULL;
    }
    char yaml[sizeof demo_yaml + 64], cerr[CONFIG_ERR_LEN];
    int zp = simprov_port(d->zai);
    int n = snprintf(yaml, sizeof yaml, demo_yaml, simprov_port(d->cerebras), zp, zp);
    struct config *cfg = config_parse(yaml, (size_t)n, "(built-in demo)", NULL, NULL, cerr);
    if (!cfg) {
        snprintf(err, len, "%s", cerr);
        return NULL;
    }
    /* Loopback only and nothing real behind it: no master key, even when LITELLM_MASTER_KEY
     * is set for the real setup. The config is still private to us here. */
    free(cfg->master_key);
    cfg->master_key = NULL;
    return cfg;
}

/* Sleeps ms unless stopped first; false when stopping. */
static bool busy_pause(struct demo *d, long ms)
{
    struct timespec until = clock_mono_after(ms);
    pthread_mutex_lock(&d->mu);
    int rc = 0;
    while (!atomic_load(&d->busy_stop) && rc == 0)
        rc = pthread_cond_timedwait(&d->cv, &d->mu, &until);
    pthread_mutex_unlock(&d->mu);
    return !atomic_load(&d->busy_stop);
}

/* Arms a busy 429 and takes it back as soon as one request got it (or nobody came). */
static void busy_once(struct demo *d)
{
    struct simprov_stats before, now;
    simprov_get_stats(d->cerebras, &before);
    simprov_set_fault(d->cerebras, "429_reset");
    for (long waited = 0; waited < BUSY_ARMED_MS; waited += BUSY_POLL_MS) {
        if (!busy_pause(d, BUSY_POLL_MS))
            break;
        simprov_get_stats(d->cerebras, &now);
        if (now.rate_limited > before.rate_limited)
            break;
    }
    simprov_set_fault(d->cerebras, "none");
}

static void *busy_main(void *arg)
{
    struct demo *d = arg;
    long wait = BUSY_FIRST_MS;
    while (busy_pause(d, wait)) {
        if (traffic_is_on(d->traffic))
            busy_once(d);
        wait = BUSY_EVERY_MS;
    }
    return NULL;
}

void demo_traffic_start(struct demo *d, const char *url, const char *master_key)
{
    if (!d || d->traffic)
        return;
    d->traffic = traffic_start(url, master_key);
    atomic_store(&d->busy_stop, false);
    d->busy_started = d->traffic && pthread_create(&d->busy, NULL, busy_main, d) == 0;
}

void demo_traffic_stop(struct demo *d)
{
    if (!d)
        return;
    if (d->busy_started) {
        pthread_mutex_lock(&d->mu);
        atomic_store(&d->busy_stop, true);
        pthread_cond_broadcast(&d->cv);
        pthread_mutex_unlock(&d->mu);
        pthread_join(d->busy, NULL);
        d->busy_started = false;
    }
    traffic_stop(d->traffic);
    d->traffic = NULL;
}

void demo_traffic_toggle(struct demo *d)
{
    if (d)
        traffic_set_on(d->traffic, !traffic_is_on(d->traffic));
}

bool demo_traffic_on(struct demo *d)
{
    return d && traffic_is_on(d->traffic);
}

void demo_stop(struct demo *d)
{
    if (!d)
        return;
    demo_traffic_stop(d);
    simprov_stop(d->zai);
    simprov_stop(d->cerebras);
    pthread_cond_destroy(&d->cv);
    pthread_mutex_destroy(&d->mu);
    free(d);
}
