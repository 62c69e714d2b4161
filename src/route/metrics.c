/* metrics: Prometheus text format (version 0.0.4) from a snapshot. Every family has HELP and
 * TYPE; counters only grow (they survive reloads with their deployment); histograms are
 * cumulative with le="+Inf" equal to _count. */
#include "route/metrics.h"

#include <stdio.h>

#include "route/stats.h"

static void family(struct buf *b, const char *name, const char *type, const char *help)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values: backslash, double quote and newline are escaped (ids and groups come from the
 * user's config). */
static void label(struct buf *b, const char *v)
{
    buf_puts(b, "\"");
    for (const char *p = v; *p; p++) {
        if (*p == '\\')
            buf_puts(b, "\\\\");
        else if (*p == '"')
            buf_puts(b, "\\\"");
        else if (*p == '\n')
            buf_puts(b, "\\n");
        else
            buf_append(b, p, 1);
    }
    buf_puts(b, "\"");
}

/* name{provider="id"[,extra]} -- extra is preformatted ("code=\"429\"") or NULL. */
static void sample_head(struct buf *b, const char *name, const char *provider, const char *extra)
{
    buf_printf(b, "%s{provider=", name);
    label(b, provider);
    if (extra)
        buf_printf(b, ",%s", extra);
    buf_puts(b, "} ");
}

static void counter_dep(struct buf *b, const char *name, const struct dep_snapshot *d, uint64_t v)
{
    sample_head(b, name, d->id, NULL);
    buf_printf(b, "%llu\n", (unsigned long long)v);
}

static void gauge_dep(struct buf *b, const char *name, const struct dep_snapshot *d, double v)
{
    sample_head(b, name, d->id, NULL);
    buf_printf(b, "%.6g\n", v);
}

static void code_label(char *out, size_t len, int code)
{
    if (code == STATS_CODE_OTHER)
        snprintf(out, len, "code=\"other\"");
    else
        snprintf(out, len, "code=\"%d\"", code);
}

static void codes(struct buf *b, const char *name, const char *provider, const struct snap_code *c,
                  int n)
{
    char extra[32];
    for (int k = 0; k < n && k < SNAP_CODES; k++) {
        code_label(extra, sizeof extra, c[k].code);
        sample_head(b, name, provider, extra);
        buf_printf(b, "%llu\n", (unsigned long long)c[k].n);
    }
}

static void histogram(struct buf *b, const char *name, const struct dep_snapshot *d,
                      const struct snap_hist *h)
{
    char bucket[128], extra[40];
    snprintf(bucket, sizeof bucket, "%s_bucket", name);
    uint64_t run = 0;
    for (int i = 0; i < SNAP_HIST; i++) {
        run += h->count[i];
        if (i == SNAP_HIST - 1)
            snprintf(extra, sizeof extra, "le=\"+Inf\"");
        else
            snprintf(extra, sizeof extra, "le=\"%g\"", stats_hist_bound_s(i));
        sample_head(b, bucket, d->id, extra);
        buf_printf(b, "%llu\n", (unsigned long long)run);
    }
    buf_printf(b, "%s_sum{provider=", name);
    label(b, d->id);
    buf_printf(b, "} %.6f\n%s_count{provider=", h->sum_s, name);
    label(b, d->id);
    buf_printf(b, "} %llu\n", (unsigned long long)h->n);
}

static void status_set(struct buf *b, const struct dep_snapshot *d)
{
    static const char *const names[] = {"ready",       "cooldown", "disabled",  "no_key",
                                        "auth_failed", "quota",    "rpm_full",  "tpm_low",
                                        "probing",     "busy",     "model_gone"};
    char extra[48];
    for (int s = 0; s < (int)(sizeof names / sizeof names[0]); s++) {
        snprintf(extra, sizeof extra, "status=\"%s\"", names[s]);
        sample_head(b, "switchboard_provider_status", d->id, extra);
        buf_printf(b, "%d\n", (int)d->view.status == s ? 1 : 0);
    }
}

static void client_families(const struct snapshot *s, struct buf *b)
{
    family(b, "switchboard_requests_total", "counter", "Client requests received.");
    buf_printf(b, "switchboard_requests_total %llu\n", (unsigned long long)s->total_requests);
    family(b, "switchboard_in_flight_requests", "gauge", "Client requests being served.");
    buf_printf(b, "switchboard_in_flight_requests %d\n", s->in_flight);
    family(b, "switchboard_force_fallback", "gauge", "1 when every request skips primaries.");
    buf_printf(b, "switchboard_force_fallback %d\n", s->force_fallback ? 1 : 0);
    family(b, "switchboard_responses_total", "counter",
           "Client requests answered, by the deployment that served them (\"none\") and the "
           "status the client got.");
    for (int i = 0; i < s->n_deps; i++)
        codes(b, "switchboard_responses_total", s->deps[i].id, s->deps[i].served,
              s->deps[i].n_served);
    codes(b, "switchboard_responses_total", "none", s->unserved, s->n_unserved);
    family(b, "switchboard_fallbacks_total", "counter",
           "Client requests served by a deployment other than their first candidate.");
    for (int i = 0; i < s->n_deps; i++)
        counter_dep(b, "switchboard_fallbacks_total", &s->deps[i], s->deps[i].fallbacks);
}

static void attempt_families(const struct snapshot *s, struct buf *b)
{
    family(b, "switchboard_provider_attempts_total", "counter",
           "Attempts per provider deployment by result.");
    for (int i = 0; i < s->n_deps; i++) {
        const struct dep_snapshot *d = &s->deps[i];
        sample_head(b, "switchboard_provider_attempts_total", d->id, "result=\"ok\"");
        buf_printf(b, "%llu\n", (unsigned long long)d->n_ok);
        sample_head(b, "switchboard_provider_attempts_total", d->id, "result=\"rate_limited\"");
        buf_printf(b, "%llu\n", (unsigned long long)d->n_429);
        sample_head(b, "switchboard_provider_attempts_total", d->id, "result=\"error\"");
        buf_printf(b, "%llu\n", (unsigned long long)d->n_err);
    }
    family(b, "switchboard_provider_responses_total", "counter",
           "Attempts per provider deployment by upstream HTTP status (0: no answer).");
    for (int i = 0; i < s->n_deps; i++)
        codes(b, "switchboard_provider_responses_total", s->deps[i].id, s->deps[i].codes,
              s->deps[i].n_codes);
    family(b, "switchboard_provider_connections_total", "counter",
           "Connections opened to a provider deployment (each a TCP and, over https, a TLS "
           "handshake); the other attempts reused a kept-alive connection.");
    for (int i = 0; i < s->n_deps; i++)
        counter_dep(b, "switchboard_provider_connections_total", &s->deps[i], s->deps[i].connects);
    family(b, "switchboard_provider_tokens_in_total", "counter", "Input tokens per provider.");
    for (int i = 0; i < s->n_deps; i++)
        counter_dep(b, "switchboard_provider_tokens_in_total", &s->deps[i], s->deps[i].tokens_in);
    family(b, "switchboard_provider_tokens_out_total", "counter", "Output tokens per provider.");
    for (int i = 0; i < s->n_deps; i++)
        counter_dep(b, "switchboard_provider_tokens_out_total", &s->deps[i], s->deps[i].tokens_out);
    family(b, "switchboard_provider_tokens_cached_total", "counter",
           "Of the input tokens, those the provider read from its prompt cache.");
    for (int i = 0; i < s->n_deps; i++)
        counter_dep(b, "switchboard_provider_tokens_cached_total", &s->deps[i],
                    s->deps[i].tokens_cached);
    family(b, "switchboard_provider_cache_hit_ratio", "gauge",
           "Cached share of the input tokens (tokens_cached / tokens_in).");
    for (int i = 0; i < s->n_deps; i++)
        gauge_dep(b, "switchboard_provider_cache_hit_ratio", &s->deps[i],
                  s->deps[i].cache_hit_rate);
    family(b, "switchboard_provider_budget_lowered_total", "counter",
           "Attempts whose output budget switchboard lowered so that they run there now.");
    for (int i = 0; i < s->n_deps; i++)
        counter_dep(b, "switchboard_provider_budget_lowered_total", &s->deps[i],
                    s->deps[i].budget_lowered);
    family(b, "switchboard_provider_budget_cut_total", "counter",
           "Answers that stopped at an output budget switchboard lowered (max_tokens / length).");
    for (int i = 0; i < s->n_deps; i++)
        counter_dep(b, "switchboard_provider_budget_cut_total", &s->deps[i], s->deps[i].budget_cut);
}

static void wait_families(const struct snapshot *s, struct buf *b)
{
    family(b, "switchboard_waiting_requests", "gauge",
           "Requests held now, waiting for a provider to have room.");
    buf_printf(b, "switchboard_waiting_requests %d\n", s->waiting);
    family(b, "switchboard_waits_total", "counter",
           "Requests held waiting for room, by how the wait ended.");
    uint64_t served = s->waited - s->wait_gave_up - s->wait_left;
    buf_printf(b, "switchboard_waits_total{result=\"served\"} %llu\n", (unsigned long long)served);
    buf_printf(b, "switchboard_waits_total{result=\"too_long\"} %llu\n",
               (unsigned long long)s->wait_gave_up);
    buf_printf(b, "switchboard_waits_total{result=\"client_left\"} %llu\n",
               (unsigned long long)s->wait_left);
    family(b, "switchboard_wait_seconds_total", "counter", "Seconds requests spent held.");
    buf_printf(b, "switchboard_wait_seconds_total %.3f\n", s->wait_s_total);
}

/* Sharing the limits with other instances (only when Redis is configured). */
static void shared_families(const struct snapshot *s, struct buf *b)
{
    const struct snap_shared *sh = &s->shared;
    if (!sh->configured)
        return;
    family(b, "switchboard_shared_state", "gauge",
           "1 while the limits are shared through Redis (SHARED), 0 while LOCAL ONLY.");
    buf_printf(b, "switchboard_shared_state %d\n", sh->up ? 1 : 0);
    family(b, "switchboard_shared_instances", "gauge",
           "Switchboards sharing the limits, this one included (0 while LOCAL ONLY).");
    buf_printf(b, "switchboard_shared_instances %d\n", sh->up ? sh->instances : 0);
    family(b, "switchboard_shared_calls_total", "counter",
           "Shared-state calls made on the request path.");
    buf_printf(b, "switchboard_shared_calls_total %llu\n", (unsigned long long)sh->calls);
    family(b, "switchboard_shared_fallbacks_total", "counter",
           "Of those, answered by local accounting (Redis down or slower than redis_timeout_ms).");
    buf_printf(b, "switchboard_shared_fallbacks_total %llu\n", (unsigned long long)sh->fallbacks);
    family(b, "switchboard_shared_outages_total", "counter",
           "Times the connection to Redis was lost.");
    buf_printf(b, "switchboard_shared_outages_total %llu\n", (unsigned long long)sh->outages);
}

static void state_families(const struct snapshot *s, struct buf *b)
{
    family(b, "switchboard_provider_status", "gauge",
           "1 for the deployment's current routing status, 0 for the others.");
    for (int i = 0; i < s->n_deps; i++)
        status_set(b, &s->deps[i]);
    family(b, "switchboard_provider_unavailable", "gauge",
           "1 when the deployment is not ready (cooldown, disabled, no key...).");
    for (int i = 0; i < s->n_deps; i++)
        gauge_dep(b, "switchboard_provider_unavailable", &s->deps[i],
                  s->deps[i].view.status == DEP_READY ? 0 : 1);
    family(b, "switchboard_provider_cooldown_remaining_seconds", "gauge",
           "Seconds until the deployment is tried again.");
    for (int i = 0; i < s->n_deps; i++)
        gauge_dep(b, "switchboard_provider_cooldown_remaining_seconds", &s->deps[i],
                  (double)s->deps[i].remaining_ms / 1000.0);
    family(b, "switchboard_provider_enabled", "gauge", "0 when turned off by the user.");
    for (int i = 0; i < s->n_deps; i++)
        gauge_dep(b, "switchboard_provider_enabled", &s->deps[i], s->deps[i].enabled ? 1 : 0);
    family(b, "switchboard_provider_in_flight", "gauge", "Attempts in flight per provider.");
    for (int i = 0; i < s->n_deps; i++)
        gauge_dep(b, "switchboard_provider_in_flight", &s->deps[i], s->deps[i].view.in_flight);
    family(b, "switchboard_provider_requests_per_minute", "gauge",
           "Attempts started in the last 60 s.");
    for (int i = 0; i < s->n_deps; i++)
        gauge_dep(b, "switchboard_provider_requests_per_minute", &s->deps[i], s->deps[i].rpm_now);
    family(b, "switchboard_provider_token_budget", "gauge",
           "Tokens the tightest token bucket of the deployment holds now (only when known).");
    for (int i = 0; i < s->n_deps; i++)
        if (s->deps[i].view.tpm_budget_left >= 0)
            gauge_dep(b, "switchboard_provider_token_budget", &s->deps[i],
                      (double)s->deps[i].view.tpm_budget_left);
    family(b, "switchboard_provider_output_tokens_per_second", "gauge",
           "Measured output speed on recent answers.");
    for (int i = 0; i < s->n_deps; i++)
        gauge_dep(b, "switchboard_provider_output_tokens_per_second", &s->deps[i],
                  s->deps[i].tok_per_s);
}

static void quantiles(struct buf *b, const char *name, const struct dep_snapshot *d, double p50_ms,
                      double p95_ms)
{
    sample_head(b, name, d->id, "quantile=\"0.5\"");
    buf_printf(b, "%.4f\n", p50_ms / 1000.0);
    sample_head(b, name, d->id, "quantile=\"0.95\"");
    buf_printf(b, "%.4f\n", p95_ms / 1000.0);
}

static void latency_families(const struct snapshot *s, struct buf *b)
{
    family(b, "switchboard_provider_latency_seconds", "histogram",
           "Latency of successful attempts, request sent to last byte.");
    for (int i = 0; i < s->n_deps; i++)
        histogram(b, "switchboard_provider_latency_seconds", &s->deps[i], &s->deps[i].lat_hist);
    family(b, "switchboard_provider_ttft_seconds", "histogram",
           "Time to first byte of successful streamed attempts.");
    for (int i = 0; i < s->n_deps; i++)
        histogram(b, "switchboard_provider_ttft_seconds", &s->deps[i], &s->deps[i].ttft_hist);
    family(b, "switchboard_provider_recent_latency_seconds", "gauge",
           "Latency percentiles over the last 256 successful attempts.");
    for (int i = 0; i < s->n_deps; i++)
        quantiles(b, "switchboard_provider_recent_latency_seconds", &s->deps[i],
                  s->deps[i].lat_p50_ms, s->deps[i].lat_p95_ms);
    family(b, "switchboard_provider_recent_ttft_seconds", "gauge",
           "Time-to-first-byte percentiles over the last 256 successful streamed attempts.");
    for (int i = 0; i < s->n_deps; i++)
        quantiles(b, "switchboard_provider_recent_ttft_seconds", &s->deps[i],
                  s->deps[i].ttft_p50_ms, s->deps[i].ttft_p95_ms);
}

/* name{provider="id",model="m"} v */
static void model_sample(struct buf *b, const char *name, const char *provider, const char *model,
                         double v)
{
    buf_printf(b, "%s{provider=", name);
    label(b, provider);
    buf_puts(b, ",model=");
    label(b, model);
    buf_printf(b, "} %.6g\n", v);
}

/* What discovery learnt (route/lineup.h): whether each deployment's model is gone, what its
 * provider offers, when it last said so. */
static void lineup_families(const struct snapshot *s, struct buf *b)
{
    family(b, "switchboard_provider_model_gone", "gauge",
           "1 when the provider no longer offers the deployment's model (MODEL GONE).");
    for (int i = 0; i < s->n_deps; i++)
        model_sample(b, "switchboard_provider_model_gone", s->deps[i].id, s->deps[i].model,
                     lineup_is_gone(&s->deps[i].lineup) ? 1 : 0);
    family(b, "switchboard_provider_model_offered", "gauge",
           "1 for each model the deployment's provider offers its key (last model list).");
    for (int i = 0; i < s->n_deps; i++) {
        const struct lineup_offer *o = &s->deps[i].lineup.offer;
        for (int k = 0; k < o->n; k++)
            model_sample(b, "switchboard_provider_model_offered", s->deps[i].id, o->models[k], 1);
    }
    family(b, "switchboard_provider_lineup_checked_timestamp_seconds", "gauge",
           "When the provider last listed its models (Unix time; only once it has).");
    for (int i = 0; i < s->n_deps; i++)
        if (s->deps[i].lineup.checked_wall_ms > 0) {
            sample_head(b, "switchboard_provider_lineup_checked_timestamp_seconds", s->deps[i].id,
                        NULL);
            buf_printf(b, "%.3f\n", (double)s->deps[i].lineup.checked_wall_ms / 1000.0);
        }
    family(b, "switchboard_provider_context_tokens", "gauge",
           "The model's context length as its provider published it (only when it did).");
    for (int i = 0; i < s->n_deps; i++)
        if (s->deps[i].lineup.context > 0)
            counter_dep(b, "switchboard_provider_context_tokens", &s->deps[i],
                        (uint64_t)s->deps[i].lineup.context);
}

void metrics_format(const struct snapshot *s, struct buf *b)
{
    client_families(s, b);
    attempt_families(s, b);
    state_families(s, b);
    latency_families(s, b);
    wait_families(s, b);
    shared_families(s, b);
    lineup_families(s, b);
}
