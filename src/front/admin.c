/* admin: the admin API (snapshot and overrides, the same state_* calls the dashboard makes),
 * the model list and Prometheus metrics. Everything here reads snapshots; nothing holds the
 * state lock while writing to a socket. */
#include "front/admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

#include "core/json.h"
#include "front/front_env.h"
#include "front/http_reply.h"
#include "front/reqlog.h"
#include "front/window.h"
#include "xlate/provider_rules.h"
#include "route/metrics.h"
#include "route/state.h"

static int send_json_obj(struct mg_connection *c, int status, cJSON *o)
{
    char *s = json_print(o);
    cJSON_Delete(o);
    if (!s)
        return http_send_error(c, API_OPENAI, 500, "out of memory", NULL, 0, NULL, 0), 500;
    http_send(c, status, "application/json", s, strlen(s), NULL, 0);
    free(s);
    return status;
}

/* "limits": {"requests_minute": {"limit": 10, "left": 3.2, "from": "provider"}, ...}, for
 * every bucket the config or the provider's headers revealed. */
static void add_buckets(cJSON *o, const struct router_dep_view *v)
{
    static const char *const kinds[RL_NKINDS] = {"requests", "tokens"};
    cJSON *lim = cJSON_AddObjectToObject(o, "limits");
    for (int k = 0; k < RL_NKINDS; k++)
        for (int w = 0; w < RL_NWINDOWS; w++) {
            const struct router_bucket_view *b = &v->buckets[k][w];
            char name[32];
            if (b->limit <= 0)
                continue;
            snprintf(name, sizeof name, "%s_%s", kinds[k],
                     ratelimit_window_name((enum rl_window)w));
            cJSON *e = cJSON_AddObjectToObject(lim, name);
            cJSON_AddNumberToObject(e, "limit", b->limit);
            cJSON_AddNumberToObject(e, "left", b->left > 0 ? b->left : 0);
            cJSON_AddStringToObject(e, "from", b->from_headers ? "provider" : "config");
        }
}

static const char *verdict_name(const struct dep_lineup *l)
{
    if (lineup_is_gone(l))
        return "gone";
    switch (l->verdict) {
    case LINEUP_OFFERED:
        return "offered";
    case LINEUP_NOT_LISTED:
        return "not listed";
    default:
        return "unknown";
    }
}

/* What discovery says of the deployment's model (route/lineup.h). */
static cJSON *lineup_json(const struct dep_snapshot *d)
{
    const struct dep_lineup *l = &d->lineup;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model", verdict_name(l));
    cJSON_AddBoolToObject(o, "refused_in_traffic", l->refused);
    cJSON *offered = cJSON_AddArrayToObject(o, "offered");
    for (int i = 0; i < l->offer.n; i++)
        cJSON_AddItemToArray(offered, cJSON_CreateString(l->offer.models[i]));
    cJSON_AddBoolToObject(o, "list_complete", l->offer.complete);
    if (l->checked_wall_ms > 0)
        cJSON_AddNumberToObject(o, "checked_at", (double)l->checked_wall_ms / 1000.0);
    else
        cJSON_AddNullToObject(o, "checked_at");
    if (l->gone_wall_ms > 0)
        cJSON_AddNumberToObject(o, "gone_since", (double)l->gone_wall_ms / 1000.0);
    if (l->context > 0)
        cJSON_AddNumberToObject(o, "context_window", (double)l->context);
    if (l->error[0])
        cJSON_AddStringToObject(o, "error", l->error);
    return o;
}

static cJSON *dep_json(const struct dep_snapshot *d)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", d->id);
    cJSON_AddStringToObject(o, "name", d->name);
    cJSON_AddStringToObject(o, "group", d->group);
    cJSON_AddStringToObject(o, "model", d->model);
    cJSON_AddStringToObject(o, "api_base", d->api_base);
    cJSON_AddStringToObject(o, "dialect", api_name(d->dialect));
    cJSON_AddBoolToObject(o, "primary", d->is_primary);
    cJSON_AddBoolToObject(o, "enabled", d->enabled);
    cJSON_AddStringToObject(o, "status", router_status_name(d->view.status));
    cJSON_AddStringToObject(o, "reason", d->view.reason);
    cJSON_AddNumberToObject(o, "remaining_s", (double)d->remaining_ms / 1000.0);
    if (d->key_env[0])
        cJSON_AddStringToObject(o, "key_env", d->key_env);
    cJSON_AddNumberToObject(o, "rpm_used", d->view.rpm_used);
    cJSON_AddNumberToObject(o, "rpm_limit", (double)d->rpm_limit);
    cJSON_AddNumberToObject(o, "tpm_limit", (double)d->tpm_limit);
    cJSON_AddNumberToObject(o, "in_flight", d->view.in_flight);
    cJSON_AddNumberToObject(o, "rpm_now", d->rpm_now);
    cJSON *sp = cJSON_AddArrayToObject(o, "spark");
    for (int i = 0; i < SNAP_SPARK; i++)
        cJSON_AddItemToArray(sp, cJSON_CreateNumber(d->spark[i]));
    cJSON_AddNumberToObject(o, "tokens_per_s", d->tok_per_s);
    cJSON_AddNumberToObject(o, "latency_p50_ms", d->lat_p50_ms);
    cJSON_AddNumberToObject(o, "latency_p95_ms", d->lat_p95_ms);
    cJSON_AddNumberToObject(o, "ttft_p50_ms", d->ttft_p50_ms);
    cJSON_AddNumberToObject(o, "ttft_p95_ms", d->ttft_p95_ms);
    cJSON_AddNumberToObject(o, "requests", (double)d->n_total);
    cJSON_AddNumberToObject(o, "ok", (double)d->n_ok);
    cJSON_AddNumberToObject(o, "rate_limited", (double)d->n_429);
    cJSON_AddNumberToObject(o, "errors", (double)d->n_err);
    cJSON_AddNumberToObject(o, "tokens_in", (double)d->tokens_in);
    cJSON_AddNumberToObject(o, "tokens_out", (double)d->tokens_out);
    cJSON_AddNumberToObject(o, "tokens_cached", (double)d->tokens_cached);
    cJSON_AddNumberToObject(o, "cache_hit_rate", d->cache_hit_rate);
    cJSON_AddNumberToObject(o, "budget_lowered", (double)d->budget_lowered);
    cJSON_AddNumberToObject(o, "budget_cut", (double)d->budget_cut);
    if (d->view.conc_cap > 0)
        cJSON_AddNumberToObject(o, "max_parallel", d->view.conc_cap);
    add_buckets(o, &d->view);
    const struct ratelimit_info *rl = &d->view.rl;
    cJSON *q = cJSON_AddObjectToObject(o, "provider_quota");
    if (rl->remaining_tokens_minute >= 0)
        cJSON_AddNumberToObject(q, "remaining_tokens_minute", rl->remaining_tokens_minute);
    if (rl->remaining_requests_day >= 0)
        cJSON_AddNumberToObject(q, "remaining_requests_day", rl->remaining_requests_day);
    if (rl->remaining_requests_minute >= 0)
        cJSON_AddNumberToObject(q, "remaining_requests_minute", rl->remaining_requests_minute);
    cJSON_AddNumberToObject(o, "tpm_budget_left", (double)d->view.tpm_budget_left);
    cJSON_AddNumberToObject(o, "token_estimate_ratio", d->token_ratio);
    cJSON_AddNumberToObject(o, "fallbacks", (double)d->fallbacks);
    if (d->shared_today >= 0) /* sharing through Redis: today's requests by every instance */
        cJSON_AddNumberToObject(o, "requests_today_all_instances", (double)d->shared_today);
    cJSON_AddBoolToObject(o, "model_gone", lineup_is_gone(&d->lineup));
    cJSON_AddItemToObject(o, "lineup", lineup_json(d));
    return o;
}

/* "shared": SHARED / LOCAL ONLY, where (never the password) and the other instances. */
static void add_shared(cJSON *o, const struct snap_shared *sh)
{
    cJSON *j = cJSON_AddObjectToObject(o, "shared");
    cJSON_AddBoolToObject(j, "configured", sh->configured);
    if (!sh->configured) {
        cJSON_AddStringToObject(j, "mode", "LOCAL ONLY");
        return;
    }
    cJSON_AddStringToObject(j, "mode", sh->up ? "SHARED" : "LOCAL ONLY");
    cJSON_AddStringToObject(j, "redis", sh->where);
    cJSON_AddNumberToObject(j, "instances", sh->up ? sh->instances : 0);
    if (!sh->up)
        cJSON_AddStringToObject(j, "error", sh->error);
    cJSON_AddNumberToObject(j, "calls", (double)sh->calls);
    cJSON_AddNumberToObject(j, "fallbacks", (double)sh->fallbacks);
    cJSON_AddNumberToObject(j, "outages", (double)sh->outages);
    cJSON *peers = cJSON_AddArrayToObject(j, "peers");
    for (int i = 0; sh->up && i < sh->n_peers; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "instance", sh->peers[i].name);
        cJSON_AddNumberToObject(p, "rpm", sh->peers[i].rpm);
        cJSON_AddBoolToObject(p, "self", sh->peers[i].self);
        cJSON_AddItemToArray(peers, p);
    }
}

static int get_state(struct front_env *env, struct mg_connection *c)
{
    struct snapshot *s = malloc(sizeof *s);
    if (!s)
        return http_send_error(c, API_OPENAI, 500, "out of memory", NULL, 0, NULL, 0), 500;
    state_snapshot(env->st, s);
    struct config *cfg = state_config(env->st);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "version", SB_VERSION);
    cJSON_AddStringToObject(o, "url", env->url);
    cJSON_AddStringToObject(o, "config", env->config_path);
    cJSON_AddBoolToObject(o, "master_key_set", cfg->master_key && *cfg->master_key);
    cJSON_AddBoolToObject(o, "demo", env->demo);
    cJSON_AddStringToObject(o, "mode", s->force_fallback ? "FORCED FALLBACK" : "AUTO");
    cJSON_AddBoolToObject(o, "force_fallback", s->force_fallback);
    cJSON_AddNumberToObject(o, "uptime_s", (double)(s->now_ms - s->started_ms) / 1000.0);
    cJSON_AddNumberToObject(o, "requests", (double)s->total_requests);
    cJSON_AddNumberToObject(o, "rpm", s->rpm_total);
    cJSON_AddNumberToObject(o, "in_flight", s->in_flight);
    cJSON *w = cJSON_AddObjectToObject(o, "waits");
    cJSON_AddNumberToObject(w, "waiting", s->waiting);
    cJSON_AddNumberToObject(w, "held", (double)s->waited);
    cJSON_AddNumberToObject(w, "too_long", (double)s->wait_gave_up);
    cJSON_AddNumberToObject(w, "client_left", (double)s->wait_left);
    cJSON_AddNumberToObject(w, "seconds", s->wait_s_total);
    config_free(cfg);
    add_shared(o, &s->shared);
    cJSON *deps = cJSON_AddArrayToObject(o, "providers");
    for (int i = 0; i < s->n_deps; i++)
        cJSON_AddItemToArray(deps, dep_json(&s->deps[i]));
    cJSON *log = cJSON_AddArrayToObject(o, "requests_log");
    for (int i = 0; i < s->n_log; i++) {
        char *line = reqlog_format(&s->log[i]);
        cJSON *r = line ? json_parse(line, strlen(line)) : NULL;
        free(line);
        if (r)
            cJSON_AddItemToArray(log, r);
    }
    free(s);
    return send_json_obj(c, 200, o);
}

static int read_small_body(struct mg_connection *c, char *out, size_t len)
{
    size_t n = 0;
    int k;
    while (n + 1 < len && (k = mg_read(c, out + n, len - 1 - n)) > 0)
        n += (size_t)k;
    out[n] = '\0';
    return (int)n;
}

static int ok_result(struct mg_connection *c, struct front_env *env, const char *what)
{
    char scope[48];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", 1);
    cJSON_AddStringToObject(o, "done", what);
    state_command_scope(env->st, scope, sizeof scope);
    cJSON_AddStringToObject(o, "scope", scope); /* resets and toggles reach every instance */
    cJSON_AddBoolToObject(o, "force_fallback", state_force_fallback(env->st));
    if (env->reqlog)
        reqlog_event(env->reqlog, "admin", what);
    return send_json_obj(c, 200, o);
}

/* {"model": "gpt-oss-120b"}: the deployment's model changed in the config file, then
 * reloaded (the dashboard's m does the same). */
static int model_cmd(struct front_env *env, struct mg_connection *c, const char *id)
{
    char body[512], msg[1200];
    read_small_body(c, body, sizeof body);
    cJSON *o = json_parse(body, strlen(body));
    const char *model = json_str(o, "model");
    int status = 200;
    if (!model) {
        snprintf(msg, sizeof msg, "body must be {\"model\": \"<model id>\"}");
        status = 400;
    } else if (!env->set_model) {
        snprintf(msg, sizeof msg, "this instance has no config file to change (the demo)");
        status = 422;
    } else if (env->set_model(env->reload_ud, id, model, msg, sizeof msg) != 0) {
        status = strncmp(msg, "no deployment", 13) == 0 ? 404 : 422;
    }
    cJSON_Delete(o);
    if (status != 200)
        return http_send_error(c, API_OPENAI, status, msg, status == 422 ? "not_changed" : NULL, 0,
                               NULL, 0),
               status;
    return ok_result(c, env, msg);
}

static int provider_cmd(struct front_env *env, struct mg_connection *c, const char *rest)
{
    char id[128];
    const char *slash = strrchr(rest, '/');
    if (!slash || slash == rest || (size_t)(slash - rest) >= sizeof id)
        return http_send_error(c, API_OPENAI, 404,
                               "use /admin/providers/{id}/enable|disable|reset|model", NULL, 0,
                               NULL, 0),
               404;
    memcpy(id, rest, (size_t)(slash - rest));
    id[slash - rest] = '\0';
    const char *verb = slash + 1;
    int rc;
    if (strcmp(verb, "enable") == 0)
        rc = state_set_enabled(env->st, id, true);
    else if (strcmp(verb, "disable") == 0)
        rc = state_set_enabled(env->st, id, false);
    else if (strcmp(verb, "reset") == 0)
        rc = state_reset(env->st, id);
    else if (strcmp(verb, "model") == 0)
        return model_cmd(env, c, id);
    else
        return http_send_error(c, API_OPENAI, 404,
                               "unknown action: use enable, disable, reset or model", NULL, 0, NULL,
                               0),
               404;
    if (rc == -ENOENT) {
        char msg[200];
        snprintf(msg, sizeof msg, "no provider named '%.100s'", id);
        return http_send_error(c, API_OPENAI, 404, msg, NULL, 0, NULL, 0), 404;
    }
    char what[200];
    snprintf(what, sizeof what, "%s %s", verb, id);
    return ok_result(c, env, what);
}

static int fallback_cmd(struct front_env *env, struct mg_connection *c)
{
    char body[512];
    read_small_body(c, body, sizeof body);
    cJSON *o = json_parse(body, strlen(body));
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "force");
    if (!cJSON_IsBool(f)) {
        cJSON_Delete(o);
        return http_send_error(c, API_OPENAI, 400, "body must be {\"force\": true|false}", NULL, 0,
                               NULL, 0),
               400;
    }
    bool on = cJSON_IsTrue(f);
    cJSON_Delete(o);
    state_set_force_fallback(env->st, on);
    return ok_result(c, env, on ? "force fallback on" : "force fallback off");
}

static int reload_cmd(struct front_env *env, struct mg_connection *c)
{
    char err[600];
    if (!env->reload)
        snprintf(err, sizeof err, "the demo has no config file to reload");
    if (!env->reload || env->reload(env->reload_ud, err, sizeof err) != 0)
        return http_send_error(c, API_OPENAI, 422, err, "invalid_config", 0, NULL, 0), 422;
    return ok_result(c, env, "config reloaded");
}

int admin_serve(struct front_env *env, struct mg_connection *c, const char *path,
                const char *method)
{
    bool post = strcmp(method, "POST") == 0;
    bool get = strcmp(method, "GET") == 0;
    struct http_hdr allow_get = {"Allow", "GET"}, allow_post = {"Allow", "POST"};
    if (strcmp(path, "/admin/state") == 0)
        return get ? get_state(env, c)
                   : (http_send_error(c, API_OPENAI, 405, "use GET", NULL, 0, &allow_get, 1), 405);
    bool known = strncmp(path, "/admin/providers/", 17) == 0 ||
                 strcmp(path, "/admin/fallback") == 0 || strcmp(path, "/admin/reload") == 0;
    if (known && !post)
        return http_send_error(c, API_OPENAI, 405, "use POST", NULL, 0, &allow_post, 1), 405;
    if (strncmp(path, "/admin/providers/", 17) == 0)
        return provider_cmd(env, c, path + 17);
    if (strcmp(path, "/admin/fallback") == 0)
        return fallback_cmd(env, c);
    if (strcmp(path, "/admin/reload") == 0)
        return reload_cmd(env, c);
    return http_send_error(c, API_OPENAI, 404,
                           "unknown admin path; see GET /admin/state, POST "
                           "/admin/providers/{id}/enable|disable|reset|model, /admin/fallback, "
                           "/admin/reload",
                           NULL, 0, NULL, 0),
           404;
}

/* The windows a model group reaches: the largest of its own deployments and its fallbacks'
 * (a request too large for the fast one goes to one that takes it). 0 = none known. */
struct group_windows {
    long context, max_input, max_output;
};

static void add_dep_windows(struct front_env *env, const struct config *cfg, size_t i,
                            struct group_windows *w)
{
    const struct deployment_cfg *d = &cfg->deps[i];
    struct dep_lineup *l = malloc(sizeof *l);
    if (!l || !state_dep_lineup(env->st, cfg, (int)i, l) || lineup_is_gone(l)) {
        free(l); /* a gone model serves nothing: its window does not count */
        return;
    }
    long ctx = window_context(d, l), in = window_max_input(d, l, d->max_tokens);
    long out = d->max_tokens > 0 ? d->max_tokens
                                 : provider_rules_for(d->kind, d->model)->max_output_tokens;
    free(l);
    w->context = ctx > w->context ? ctx : w->context;
    w->max_input = in > w->max_input ? in : w->max_input;
    w->max_output = out > w->max_output ? out : w->max_output;
}

static void group_windows(struct front_env *env, const struct config *cfg, const char *group,
                          struct group_windows *w)
{
    memset(w, 0, sizeof *w);
    for (size_t i = 0; i < cfg->n_deps; i++)
        if (strcmp(cfg->deps[i].group, group) == 0)
            add_dep_windows(env, cfg, i, w);
    for (size_t f = 0; f < cfg->n_fallbacks; f++) {
        const struct fallback_cfg *fb = &cfg->fallbacks[f];
        if (!fb->from || (strcmp(fb->from, group) != 0 && strcmp(fb->from, "*") != 0))
            continue;
        for (size_t t = 0; t < fb->n_to; t++)
            for (size_t i = 0; i < cfg->n_deps; i++)
                if (strcmp(cfg->deps[i].group, fb->to[t]) == 0)
                    add_dep_windows(env, cfg, i, w);
    }
}

int admin_models(struct front_env *env, struct mg_connection *c)
{
    struct config *cfg = state_config(env->st);
    bool anthropic = http_header(c, "anthropic-version") != NULL;
    cJSON *o = cJSON_CreateObject();
    if (!anthropic)
        cJSON_AddStringToObject(o, "object", "list");
    cJSON *data = cJSON_AddArrayToObject(o, "data");
    for (size_t i = 0; i < cfg->n_deps; i++) {
        const char *g = cfg->deps[i].group;
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            seen = seen || strcmp(cfg->deps[k].group, g) == 0;
        if (seen)
            continue;
        cJSON *m = cJSON_CreateObject();
        struct group_windows w;
        group_windows(env, cfg, g, &w);
        if (anthropic) {
            cJSON_AddStringToObject(m, "type", "model");
            cJSON_AddStringToObject(m, "id", g);
            cJSON_AddStringToObject(m, "display_name", g);
            cJSON_AddStringToObject(m, "created_at", "2025-01-01T00:00:00Z");
            if (w.max_input > 0)
                cJSON_AddNumberToObject(m, "max_input_tokens", (double)w.max_input);
            if (w.max_output > 0)
                cJSON_AddNumberToObject(m, "max_tokens", (double)w.max_output);
        } else {
            cJSON_AddStringToObject(m, "id", g);
            cJSON_AddStringToObject(m, "object", "model");
            cJSON_AddNumberToObject(m, "created", 1735689600);
            cJSON_AddStringToObject(m, "owned_by", "switchboard");
            if (w.context > 0)
                cJSON_AddNumberToObject(m, "context_window", (double)w.context);
            if (w.max_input > 0)
                cJSON_AddNumberToObject(m, "max_input_tokens", (double)w.max_input);
            if (w.max_output > 0)
                cJSON_AddNumberToObject(m, "max_output_tokens", (double)w.max_output);
        }
        cJSON_AddItemToArray(data, m);
    }
    if (anthropic)
        cJSON_AddBoolToObject(o, "has_more", 0);
    config_free(cfg);
    return send_json_obj(c, 200, o);
}

int admin_metrics(struct front_env *env, struct mg_connection *c)
{
    struct snapshot *s = malloc(sizeof *s);
    struct buf b;
    buf_init(&b, 0);
    if (s) {
        state_snapshot(env->st, s);
        metrics_format(s, &b);
        free(s);
    }
    http_send(c, 200, "text/plain; version=0.0.4; charset=utf-8", buf_cstr(&b), b.len, NULL, 0);
    buf_release(&b);
    return 200;
}
