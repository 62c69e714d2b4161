/* metrics: Prometheus text format (version 0.0.4) from a snapshot. */
#include "metrics.h"

#include <stdio.h>

static void family(struct buf *b, const char *name, const char *type, const char *help)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void per_dep(struct buf *b, const struct snapshot *s, const char *name,
                    double (*get)(const struct dep_snapshot *))
{
    for (int i = 0; i < s->n_deps; i++)
        buf_printf(b, "%s{provider=\"%s\",group=\"%s\"} %.6g\n", name, s->deps[i].id,
                   s->deps[i].group, get(&s->deps[i]));
}

static double d_ok(const struct dep_snapshot *d)
{
    return (double)d->n_ok;
}
static double d_429(const struct dep_snapshot *d)
{
    return (double)d->n_429;
}
static double d_err(const struct dep_snapshot *d)
{
    return (double)d->n_err;
}
static double d_tin(const struct dep_snapshot *d)
{
    return (double)d->tokens_in;
}
static double d_tout(const struct dep_snapshot *d)
{
    return (double)d->tokens_out;
}
static double d_cool(const struct dep_snapshot *d)
{
    return d->view.status == DEP_READY ? 0 : 1;
}
static double d_rem(const struct dep_snapshot *d)
{
    return (double)d->remaining_ms / 1000.0;
}
static double d_fly(const struct dep_snapshot *d)
{
    return d->view.in_flight;
}
static double d_rpm(const struct dep_snapshot *d)
{
    return d->rpm_now;
}
static double d_tps(const struct dep_snapshot *d)
{
    return d->tok_per_s;
}
static double d_enabled(const struct dep_snapshot *d)
{
    return d->enabled ? 1 : 0;
}

static void quantiles(struct buf *b, const struct snapshot *s, const char *name, bool ttft)
{
    for (int i = 0; i < s->n_deps; i++) {
        const struct dep_snapshot *d = &s->deps[i];
        double p50 = ttft ? d->ttft_p50_ms : d->lat_p50_ms;
        double p95 = ttft ? d->ttft_p95_ms : d->lat_p95_ms;
        buf_printf(b, "%s{provider=\"%s\",quantile=\"0.5\"} %.3f\n", name, d->id, p50 / 1000.0);
        buf_printf(b, "%s{provider=\"%s\",quantile=\"0.95\"} %.3f\n", name, d->id, p95 / 1000.0);
    }
}

void metrics_format(const struct snapshot *s, struct buf *b)
{
    family(b, "switchboard_requests_total", "counter", "Client requests received.");
    buf_printf(b, "switchboard_requests_total %llu\n", (unsigned long long)s->total_requests);
    family(b, "switchboard_in_flight_requests", "gauge", "Client requests being served.");
    buf_printf(b, "switchboard_in_flight_requests %d\n", s->in_flight);
    family(b, "switchboard_force_fallback", "gauge", "1 when every request skips primaries.");
    buf_printf(b, "switchboard_force_fallback %d\n", s->force_fallback ? 1 : 0);
    family(b, "switchboard_provider_attempts_total", "counter",
           "Attempts per provider deployment by result.");
    for (int i = 0; i < s->n_deps; i++) {
        const struct dep_snapshot *d = &s->deps[i];
        buf_printf(b, "switchboard_provider_attempts_total{provider=\"%s\",result=\"ok\"} %.0f\n",
                   d->id, d_ok(d));
        buf_printf(b,
                   "switchboard_provider_attempts_total{provider=\"%s\",result=\"rate_limited\"} "
                   "%.0f\n",
                   d->id, d_429(d));
        buf_printf(b,
                   "switchboard_provider_attempts_total{provider=\"%s\",result=\"error\"} %.0f\n",
                   d->id, d_err(d));
    }
    family(b, "switchboard_provider_tokens_in_total", "counter", "Input tokens per provider.");
    per_dep(b, s, "switchboard_provider_tokens_in_total", d_tin);
    family(b, "switchboard_provider_tokens_out_total", "counter", "Output tokens per provider.");
    per_dep(b, s, "switchboard_provider_tokens_out_total", d_tout);
    family(b, "switchboard_provider_unavailable", "gauge",
           "1 when the deployment is not ready (cooldown, disabled, no key...).");
    per_dep(b, s, "switchboard_provider_unavailable", d_cool);
    family(b, "switchboard_provider_cooldown_remaining_seconds", "gauge",
           "Seconds until the deployment is tried again.");
    per_dep(b, s, "switchboard_provider_cooldown_remaining_seconds", d_rem);
    family(b, "switchboard_provider_enabled", "gauge", "0 when turned off by the user.");
    per_dep(b, s, "switchboard_provider_enabled", d_enabled);
    family(b, "switchboard_provider_in_flight", "gauge", "Attempts in flight per provider.");
    per_dep(b, s, "switchboard_provider_in_flight", d_fly);
    family(b, "switchboard_provider_requests_per_minute", "gauge",
           "Attempts started in the last 60 s.");
    per_dep(b, s, "switchboard_provider_requests_per_minute", d_rpm);
    family(b, "switchboard_provider_output_tokens_per_second", "gauge",
           "Measured output speed on recent answers.");
    per_dep(b, s, "switchboard_provider_output_tokens_per_second", d_tps);
    family(b, "switchboard_provider_latency_seconds", "summary",
           "Attempt latency over recent answers.");
    quantiles(b, s, "switchboard_provider_latency_seconds", false);
    family(b, "switchboard_provider_ttft_seconds", "summary",
           "Time to first token over recent streamed answers.");
    quantiles(b, s, "switchboard_provider_ttft_seconds", true);
}
