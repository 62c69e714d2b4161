/* http_front: civetweb server, path routing, the Host/Origin/Content-Type guard and
 * master-key auth. Responses go out through http_reply. Handlers never hold locks across I/O. */
#include "front/http_front.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <civetweb.h>

#include "config/config.h"
#include "core/clock.h"
#include "front/admin.h"
#include "front/civet_opts.h"
#include "front/front_env.h"
#include "front/guard.h"
#include "front/http_reply.h"
#include "front/proxy.h"
#include "front/reqlog.h"
#include "route/state.h"

struct http_front {
    struct mg_context *ctx;
    struct front_env *env;
};

static int log_message(const struct mg_connection *c, const char *msg)
{
    (void)c, (void)msg;
    return 1; /* civetweb must never write to the terminal under the dashboard */
}

/* Constant-time comparison so the key cannot be guessed byte by byte from timings. */
static bool key_equal(const char *given, const char *want)
{
    size_t gl = strlen(given), wl = strlen(want);
    unsigned char diff = (unsigned char)(gl != wl);
    for (size_t i = 0; i < wl; i++)
        diff |= (unsigned char)(want[i] ^ (i < gl ? given[i] : 0));
    return diff == 0;
}

static bool authorized(struct mg_connection *c, const char *master)
{
    if (!master || !*master)
        return true;
    const char *auth = mg_get_header(c, "Authorization");
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
        const char *k = auth + 7;
        while (*k == ' ')
            k++;
        if (key_equal(k, master))
            return true;
    }
    const char *xk = mg_get_header(c, "x-api-key");
    return xk && key_equal(xk, master);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum route {
    R_NONE,
    R_MESSAGES,
    R_COUNT_TOKENS,
    R_CHAT,
    R_HEALTH,
    R_MODELS,
    R_PROBE,
    R_ADMIN,
    R_METRICS,
    R_ROOT,
};

static enum route route_of(const char *path, enum api *api)
{
    *api = strstr(path, "/messages") ? API_ANTHROPIC : API_OPENAI;
    if (ends_with(path, "/v1/messages/count_tokens") || strcmp(path, "/messages/count_tokens") == 0)
        return R_COUNT_TOKENS;
    if (ends_with(path, "/v1/messages") || strcmp(path, "/messages") == 0)
        return R_MESSAGES;
    if (ends_with(path, "/chat/completions"))
        return R_CHAT;
    if (strcmp(path, "/health") == 0 || strcmp(path, "/health/liveliness") == 0 ||
        strcmp(path, "/health/liveness") == 0 || strcmp(path, "/health/readiness") == 0)
        return R_HEALTH;
    if (strcmp(path, "/v1/models") == 0 || strcmp(path, "/models") == 0)
        return R_MODELS;
    if (strcmp(path, "/api/hello") == 0)
        return R_PROBE;
    if (strncmp(path, "/admin/", 7) == 0 || strcmp(path, "/admin") == 0)
        return R_ADMIN;
    if (strcmp(path, "/metrics") == 0)
        return R_METRICS;
    if (strcmp(path, "/") == 0)
        return R_ROOT;
    return R_NONE;
}

/* env->draining is set by the main thread during shutdown and read by every worker. */
static bool draining(const struct front_env *env)
{
    return __atomic_load_n(&env->draining, __ATOMIC_ACQUIRE) != 0;
}

/* Returns the status it answered with (503 while shutting down). */
static int send_health(struct mg_connection *c, struct front_env *env)
{
    bool d = draining(env);
    char body[256];
    int n = snprintf(body, sizeof body, "{\"status\":\"%s\",\"version\":\"%s\",\"port\":%d}",
                     d ? "shutting down" : "healthy", SB_VERSION, env->port);
    http_send(c, d ? 503 : 200, "application/json", body, (size_t)n, NULL, 0);
    return d ? 503 : 200;
}

static int send_root(struct mg_connection *c, struct front_env *env, bool head)
{
    char body[512];
    int n = snprintf(body, sizeof body,
                     "switchboard %s - LLM proxy. POST /v1/messages (Anthropic) or "
                     "/v1/chat/completions (OpenAI). Base URL: %s\n",
                     SB_VERSION, env->url);
    return http_send(c, 200, "text/plain; charset=utf-8", body, head ? 0 : (size_t)n, NULL, 0);
}

static int method_not_allowed(struct mg_connection *c, enum api api, const char *allow)
{
    struct http_hdr h = {"Allow", allow};
    char msg[96];
    snprintf(msg, sizeof msg, "method not allowed; use %s", allow);
    http_send_error(c, api, 405, msg, "method_not_allowed", 0, &h, 1);
    return 405;
}

/* civetweb keeps the first MG_MAX_HEADERS headers and silently drops the rest, which can
 * include Content-Length: the body would then be misread. Refuse such requests outright. */
static int too_many_headers(struct mg_connection *c, enum api api)
{
    char msg[96];
    snprintf(msg, sizeof msg, "too many request headers (at most %d)", MG_MAX_HEADERS - 1);
    http_close_after(c);
    http_send_error(c, api, 431, msg, "request_header_fields_too_large", 0, NULL, 0);
    return 431;
}

/* How often a refused browser request is told to the dashboard and the log: a page can send
 * thousands a second, and each telling would be a log line. */
#define REFUSAL_TELL_MS 5000

/* Tells the user (status line, headless output, log file) that a request was refused,
 * at most once per REFUSAL_TELL_MS, counting the ones in between. */
static void tell_refusal(struct front_env *env, const char *what)
{
    long long now = (long long)clock_mono_ms();
    long long last = __atomic_load_n(&env->refusal_told_ms, __ATOMIC_ACQUIRE);
    if ((last && now - last < REFUSAL_TELL_MS) ||
        !__atomic_compare_exchange_n(&env->refusal_told_ms, &last, now, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        __atomic_fetch_add(&env->refusals_untold, 1, __ATOMIC_RELAXED);
        return;
    }
    unsigned long more = __atomic_exchange_n(&env->refusals_untold, 0, __ATOMIC_ACQ_REL);
    char msg[400];
    if (more)
        snprintf(msg, sizeof msg, "refused %s (and %lu more refused since)", what, more);
    else
        snprintf(msg, sizeof msg, "refused %s", what);
    state_notice(env->st, msg);
    if (env->reqlog)
        reqlog_event(env->reqlog, "refused", msg);
}

/* Host, Origin and preflight checks, before anything else reads the request (see guard.h).
 * Returns the status sent, or 0 when the request may go on. */
static int guard_request(struct mg_connection *c, struct front_env *env, enum api api,
                         const struct mg_request_info *ri)
{
    const char *host = mg_get_header(c, "Host"), *origin = mg_get_header(c, "Origin");
    const char *path = ri->local_uri ? ri->local_uri : "/";
    struct guard_listener l = {env->host, env->port};
    struct config *cfg = state_config(env->st);
    bool host_ok = guard_host_ok(cfg, &l, host), origin_ok = guard_origin_ok(cfg, &l, origin);
    config_free(cfg);
    char msg[512], what[300];
    if (!host_ok) {
        snprintf(msg, sizeof msg,
                 "Host '%.100s' does not name this switchboard: address it as 127.0.0.1, "
                 "localhost or [::1] (a name a proxy or container network uses goes in "
                 "switchboard_settings.allowed_hosts)",
                 host);
        snprintf(what, sizeof what, "%.10s %.60s addressed to Host '%.100s' (DNS rebinding?)",
                 ri->request_method, path, host);
        tell_refusal(env, what);
        http_send_error(c, api, 421, msg, "misdirected_request", 0, NULL, 0);
        return 421;
    }
    if (!origin_ok) {
        snprintf(msg, sizeof msg,
                 "requests from web pages are refused (Origin '%.100s'): switchboard serves API "
                 "clients, not browsers; a web UI served on its own origin through a proxy goes "
                 "in switchboard_settings.allowed_origins",
                 origin);
        snprintf(what, sizeof what, "%.10s %.60s from a web page (Origin '%.100s')",
                 ri->request_method, path, origin);
        tell_refusal(env, what);
        http_send_error(c, api, 403, msg, "origin_not_allowed", 0, NULL, 0);
        return 403;
    }
    if (strcmp(ri->request_method, "OPTIONS") == 0) {
        /* CORS preflights included: no Access-Control-* header is ever sent, so a browser
         * never lets a page send what a preflight guards (JSON bodies, Authorization). */
        struct http_hdr allow = {"Allow", "GET, HEAD, POST"};
        http_send_error(c, api, 405,
                        "OPTIONS is not served: switchboard answers no CORS preflight, so web "
                        "pages on other origins cannot call it",
                        "method_not_allowed", 0, &allow, 1);
        return 405;
    }
    return 0;
}

/* POST bodies must be JSON: a browser sends text/plain, form and multipart bodies cross-origin
 * without a preflight, but never application/json. Returns 415 when refused, else 0. */
static int require_json(struct mg_connection *c, struct front_env *env, enum api api,
                        const char *path)
{
    const char *ct = mg_get_header(c, "Content-Type");
    if (guard_is_json(ct))
        return 0;
    char msg[256], what[200];
    snprintf(msg, sizeof msg, "Content-Type must be application/json (got %s%.80s%s)",
             ct ? "'" : "", ct ? ct : "none", ct ? "'" : "");
    if (ct && (strncasecmp(ct, "text/plain", 10) == 0 ||
               strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 ||
               strncasecmp(ct, "multipart/form-data", 19) == 0)) {
        snprintf(what, sizeof what, "POST %.60s with a browser form's Content-Type '%.60s'", path,
                 ct);
        tell_refusal(env, what);
    }
    http_send_error(c, api, 415, msg, "unsupported_media_type", 0, NULL, 0);
    return 415;
}

static int serve_body_route(struct mg_connection *c, struct front_env *env, enum route r,
                            enum api api)
{
    struct config *cfg = state_config(env->st);
    size_t max = cfg->max_body_bytes;
    config_free(cfg);
    struct buf body;
    buf_init(&body, max);
    int rc = http_read_body(c, max, &body);
    int status;
    if (rc == -E2BIG) {
        char msg[128];
        snprintf(msg, sizeof msg, "request body is larger than the %zu-byte limit", max);
        http_close_after(c);
        status = 413;
        http_send_error(c, api, 413, msg, "request_too_large", 0, NULL, 0);
    } else if (rc) {
        status = 400;
        http_send_error(c, api, 400, "could not read the request body", NULL, 0, NULL, 0);
    } else if (r == R_COUNT_TOKENS) {
        status = proxy_count_tokens(env, c, buf_cstr(&body), body.len);
    } else {
        status = proxy_serve(env, c, api, buf_cstr(&body), body.len);
    }
    buf_release(&body);
    return status;
}

static int route_request(struct mg_connection *c, void *ud)
{
    struct front_env *env = ud;
    const struct mg_request_info *ri = mg_get_request_info(c);
    const char *m = ri->request_method;
    const char *path = ri->local_uri ? ri->local_uri : "/";
    bool head = strcmp(m, "HEAD") == 0, get = strcmp(m, "GET") == 0 || head;
    enum api api;
    enum route r = route_of(path, &api);

    if (ri->num_headers >= MG_MAX_HEADERS)
        return too_many_headers(c, api);
    int refused = guard_request(c, env, api, ri);
    if (refused)
        return refused;
    if (r == R_PROBE)
        return get ? (send_root(c, env, true), 200) : method_not_allowed(c, api, "GET");
    if (r == R_ROOT && head)
        return send_root(c, env, true), 200;
    if (r == R_HEALTH)
        return get ? send_health(c, env) : method_not_allowed(c, api, "GET");
    if (r == R_ROOT)
        return get ? (send_root(c, env, false), 200) : method_not_allowed(c, api, "GET");

    struct config *cfg = state_config(env->st);
    bool ok = authorized(c, cfg->master_key);
    config_free(cfg);
    if (!ok) {
        http_send_error(c, api, 401,
                        "invalid or missing API key: send the master key as "
                        "'Authorization: Bearer <key>' or 'x-api-key'",
                        "invalid_api_key", 0, NULL, 0);
        return 401;
    }
    bool post = strcmp(m, "POST") == 0;
    bool json_route = r == R_MESSAGES || r == R_COUNT_TOKENS || r == R_CHAT ||
                      (r == R_ADMIN && strcmp(path, "/admin/state") != 0);
    int bad_type = post && json_route ? require_json(c, env, api, path) : 0;
    if (bad_type)
        return bad_type;
    switch (r) {
    case R_MESSAGES:
    case R_COUNT_TOKENS:
    case R_CHAT:
        if (!post)
            return method_not_allowed(c, api, "POST");
        if (draining(env)) {
            http_send_error(c, api, 503, "switchboard is shutting down", NULL, 1, NULL, 0);
            return 503;
        }
        return serve_body_route(c, env, r, api);
    case R_MODELS:
        return get ? admin_models(env, c) : method_not_allowed(c, api, "GET");
    case R_ADMIN:
        return admin_serve(env, c, path, m);
    case R_METRICS:
        return get ? admin_metrics(env, c) : method_not_allowed(c, api, "GET");
    default:
        break;
    }
    char msg[300];
    snprintf(msg, sizeof msg, "unknown path %.200s", path);
    http_send_error(c, api, 404, msg, "not_found", 0, NULL, 0);
    return 404;
}

static int dispatch(struct mg_connection *c, void *ud)
{
    int status = route_request(c, ud);
    http_conn_release(c);
    return status;
}

/* civetweb answers a request it cannot parse (a malformed request line, or headers beyond its
 * buffer) itself, before any handler runs, in plain text. Those answers get our JSON error
 * too: in the endpoint's dialect when the path was read, else in Anthropic's shape, which the
 * OpenAI SDKs read as well (they look for error.message). */
static int civetweb_error(struct mg_connection *c, int status, const char *errmsg)
{
    const struct mg_request_info *ri = mg_get_request_info(c);
    const char *path = ri->local_uri ? ri->local_uri : ri->request_uri;
    enum api api = API_ANTHROPIC;
    if (path)
        route_of(path, &api);
    const char *what = status == 411   ? "a valid Content-Length (or chunked body) is required"
                       : status == 505 ? "only HTTP/1.0 and HTTP/1.1 are served"
                       : status == 400 || status == 413 || status == 431
                           ? "the request line or headers are malformed or too large"
                           : "the request could not be served";
    char msg[200];
    snprintf(msg, sizeof msg, "%s (%s)", what,
             errmsg && *errmsg ? errmsg : mg_get_response_code_text(c, status));
    http_close_after(c);
    http_send_error(c, api, status, msg, NULL, 0, NULL, 0);
    http_conn_release(c); /* no handler runs for this request to release it */
    return 0;
}

static struct mg_context *try_start(struct http_front *f, const char *host, int port, int threads,
                                    char err[HTTP_ERR_LEN])
{
    struct civet_opts opts;
    civet_opts_init(&opts, host, port, threads, true);
    struct mg_callbacks cb = {0};
    cb.log_message = log_message;
    cb.http_error = civetweb_error;
    unsigned code = 0;
    struct mg_error_data ed = {.code = &code, .text = err, .text_buffer_size = HTTP_ERR_LEN};
    struct mg_init_data init = {.callbacks = &cb, .user_data = f, .configuration_options = opts.v};
    err[0] = '\0';
    return mg_start2(&init, &ed);
}

struct http_front *http_front_start(struct front_env *env, const char *host, int port, int threads,
                                    bool any_port, char err[HTTP_ERR_LEN])
{
    struct http_front *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, HTTP_ERR_LEN, "out of memory");
        return NULL;
    }
    f->env = env;
    mg_init_library(0);
    int tries = any_port ? 20 : 1;
    for (int i = 0; i < tries && !f->ctx; i++)
        f->ctx = try_start(f, host, port + i, threads, err);
    if (!f->ctx && any_port) /* let the kernel pick one */
        f->ctx = try_start(f, host, 0, threads, err);
    if (!f->ctx) {
        if (!err[0])
            snprintf(err, HTTP_ERR_LEN, "cannot listen on %s:%d", host, port);
        free(f);
        return NULL;
    }
    struct mg_server_port ports[4];
    int n = mg_get_server_ports(f->ctx, 4, ports);
    env->port = n > 0 ? ports[0].port : port;
    snprintf(env->url, sizeof env->url, strchr(host, ':') ? "http://[%s]:%d" : "http://%s:%d", host,
             env->port);
    /* Requests reach a handler only from here on (civetweb takes its context lock for both),
     * so every handler sees port and url as written above. */
    mg_set_request_handler(f->ctx, "/", dispatch, env);
    return f;
}

void http_front_stop(struct http_front *f)
{
    if (!f)
        return;
    mg_stop(f->ctx);
    mg_exit_library();
    free(f);
}
