/* http_front: civetweb server, path routing, master-key auth, body reading, and the response
 * helpers every other adapter uses. Handlers never hold locks across I/O. */
#include "http_front.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <civetweb.h>

#include "admin.h"
#include "app.h"
#include "errmap.h"
#include "proxy.h"
#include "sockscan.h"

struct http_front {
    struct mg_context *ctx;
    struct app *app;
};

/* Per-request data: the socket found for hang-up detection, and whether this response must
 * announce Connection: close. */
struct conn_data {
    int fd;
    int looked;
    bool closing;
};

static struct conn_data *conn_data_of(struct mg_connection *c)
{
    struct conn_data *cd = mg_get_user_connection_data(c);
    if (!cd && (cd = calloc(1, sizeof *cd))) {
        cd->fd = -1;
        mg_set_user_connection_data(c, cd);
    }
    return cd;
}

/* The connection closes after this response (civetweb is told, and the response says so). */
static void close_after(struct mg_connection *c)
{
    struct conn_data *cd = conn_data_of(c);
    if (cd)
        cd->closing = true;
    mg_disable_connection_keep_alive(c);
}

static int log_message(const struct mg_connection *c, const char *msg)
{
    (void)c, (void)msg;
    return 1; /* civetweb must never write to the terminal under the dashboard */
}

/* civetweb 1.15 drops the user data pointer in some paths before any close callback sees it
 * (a client that hangs up after a slow answer), so the data lives for one request only:
 * released here when the handler returns. */
static void release_conn_data(const struct mg_connection *c)
{
    free(mg_get_user_connection_data(c));
    mg_set_user_connection_data(c, NULL);
}

/* Responses are written with one mg_write for the head (and body, when small) instead of
 * civetweb's header API, which sends every header line with its own send() call: eleven
 * TCP segments per answer on a TCP_NODELAY socket, each waking the client. What is written is
 * byte for byte what the header API would write: status line, our headers, Date, Connection. */
#define INLINE_BODY_MAX 16384

/* civetweb 1.15's should_keep_alive(), for the Connection header: a Connection header from
 * the client decides, else HTTP/1.1 keeps the connection; a forced close never does. */
static bool keep_alive(struct mg_connection *c)
{
    const struct conn_data *cd = mg_get_user_connection_data(c);
    if (cd && cd->closing)
        return false;
    const char *h = mg_get_header(c, "Connection");
    if (h) {
        for (const char *p = h; *p;) {
            p += strspn(p, " \t,");
            size_t n = strcspn(p, ",");
            size_t k = n;
            while (k && (p[k - 1] == ' ' || p[k - 1] == '\t'))
                k--;
            if (k == 10 && strncasecmp(p, "keep-alive", 10) == 0)
                return true;
            p += n;
        }
        return false;
    }
    const char *v = mg_get_request_info(c)->http_version;
    return v && strcmp(v, "1.1") == 0;
}

/* RFC 7231 IMF-fixdate, in English whatever the locale (the dashboard sets one). */
static void http_date(char out[64])
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(out, 64, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Status line and headers: fixed[] first (name/value pairs, NULL value = skip), then the
 * caller's, then Date and Connection, then the blank line. */
static int put_head(struct buf *b, struct mg_connection *c, int status,
                    const struct http_hdr *fixed, int n_fixed, const struct http_hdr *hdrs,
                    int n_hdrs)
{
    const char *v = mg_get_request_info(c)->http_version;
    if (!v || (strcmp(v, "1.0") != 0 && strcmp(v, "1.1") != 0))
        v = v ? "1.1" : "1.0"; /* never echo a version we do not speak */
    char date[64];
    http_date(date);
    int rc = buf_printf(b, "HTTP/%s %d %s\r\n", v, status, mg_get_response_code_text(c, status));
    for (int i = 0; i < n_fixed && !rc; i++)
        if (fixed[i].value)
            rc = buf_printf(b, "%s: %s\r\n", fixed[i].name, fixed[i].value);
    for (int i = 0; i < n_hdrs && !rc; i++)
        if (hdrs[i].name && hdrs[i].value)
            rc = buf_printf(b, "%s: %s\r\n", hdrs[i].name, hdrs[i].value);
    if (!rc)
        rc = buf_printf(b, "Date: %s\r\nConnection: %s\r\n\r\n", date,
                        keep_alive(c) ? "keep-alive" : "close");
    return rc;
}

static int write_all(struct mg_connection *c, const char *p, size_t n)
{
    return n == 0 || mg_write(c, p, n) == (int)n ? 0 : -1;
}

int http_write(struct mg_connection *c, const char *p, size_t n)
{
    return write_all(c, p, n);
}

int http_format(struct mg_connection *c, int status, const char *content_type, const char *body,
                size_t len, const struct http_hdr *hdrs, int n_hdrs, struct buf *out)
{
    char clen[32];
    snprintf(clen, sizeof clen, "%zu", len);
    struct http_hdr fixed[] = {{"Content-Type", content_type}, {"Content-Length", clen}};
    int rc = put_head(out, c, status, fixed, 2, hdrs, n_hdrs);
    return rc || buf_append(out, body, len) ? -1 : 0;
}

int http_send(struct mg_connection *c, int status, const char *content_type, const char *body,
              size_t len, const struct http_hdr *hdrs, int n_hdrs)
{
    char clen[32];
    snprintf(clen, sizeof clen, "%zu", len);
    struct http_hdr fixed[] = {{"Content-Type", content_type}, {"Content-Length", clen}};
    struct buf b;
    buf_init(&b, 0);
    int rc = put_head(&b, c, status, fixed, 2, hdrs, n_hdrs);
    bool inline_body = len <= INLINE_BODY_MAX;
    if (!rc && inline_body)
        rc = buf_append(&b, body, len);
    if (!rc)
        rc = write_all(c, b.data, b.len);
    if (!rc && !inline_body)
        rc = write_all(c, body, len);
    buf_release(&b);
    return rc ? -1 : 0;
}

static bool is_terminal_status(int status)
{
    return status == 400 || status == 401 || status == 403 || status == 404 || status == 405 ||
           status == 413 || status == 422 || status == 431;
}

int http_format_error(struct mg_connection *c, enum api client, int status, const char *message,
                      const char *code, int retry_after_s, const struct http_hdr *hdrs, int n_hdrs,
                      struct buf *out)
{
    struct buf b;
    buf_init(&b, 0);
    errmap_body(client, status, message, code, &b);
    struct http_hdr all[16];
    int n = 0;
    char ra[24];
    if (retry_after_s > 0) {
        snprintf(ra, sizeof ra, "%d", retry_after_s);
        all[n++] = (struct http_hdr){"retry-after", ra};
    }
    if (is_terminal_status(status) || (code && strcmp(code, "quota_exhausted") == 0))
        all[n++] = (struct http_hdr){"x-should-retry", "false"};
    for (int i = 0; i < n_hdrs && n < 16; i++)
        all[n++] = hdrs[i];
    int rc = http_format(c, status, "application/json", buf_cstr(&b), b.len, all, n, out);
    buf_release(&b);
    return rc;
}

int http_send_error(struct mg_connection *c, enum api client, int status, const char *message,
                    const char *code, int retry_after_s, const struct http_hdr *hdrs, int n_hdrs)
{
    struct buf b;
    buf_init(&b, 0);
    int rc = http_format_error(c, client, status, message, code, retry_after_s, hdrs, n_hdrs, &b);
    if (!rc)
        rc = write_all(c, b.data, b.len);
    buf_release(&b);
    return rc ? -1 : 0;
}

int http_stream_begin(struct mg_connection *c, const struct http_hdr *hdrs, int n_hdrs,
                      const char *first, size_t first_len)
{
    static const struct http_hdr fixed[] = {{"Content-Type", "text/event-stream"},
                                            {"Cache-Control", "no-cache"},
                                            {"Transfer-Encoding", "chunked"}};
    struct buf b;
    buf_init(&b, 0);
    int rc = put_head(&b, c, 200, fixed, 3, hdrs, n_hdrs);
    if (!rc && first_len)
        rc = buf_printf(&b, "%zx\r\n", first_len) || buf_append(&b, first, first_len) ||
             buf_append(&b, "\r\n", 2);
    if (!rc)
        rc = write_all(c, b.data, b.len);
    buf_release(&b);
    return rc ? -1 : 0;
}

/* One chunk of the chunked encoding in one write (mg_send_chunk makes three). */
int http_stream_write(struct mg_connection *c, const char *p, size_t n)
{
    char small[8192];
    if (n == 0)
        return 0;
    int k = snprintf(small, sizeof small, "%zx\r\n", n);
    if (n + (size_t)k + 2 <= sizeof small) {
        memcpy(small + k, p, n);
        memcpy(small + k + n, "\r\n", 2);
        return write_all(c, small, (size_t)k + n + 2);
    }
    if (write_all(c, small, (size_t)k) || write_all(c, p, n) || write_all(c, "\r\n", 2))
        return -1;
    return 0;
}

int http_format_stream_end(const char *p, size_t n, struct buf *out)
{
    int rc =
        n ? buf_printf(out, "%zx\r\n", n) || buf_append(out, p, n) || buf_append(out, "\r\n", 2)
          : 0;
    return rc || buf_append(out, "0\r\n\r\n", 5) ? -1 : 0;
}

const char *http_header(const struct mg_connection *c, const char *name)
{
    return mg_get_header(c, name);
}

int http_client_fd(struct mg_connection *c)
{
    struct conn_data *cd = conn_data_of(c);
    if (!cd)
        return -1;
    if (!cd->looked) {
        /* civetweb does not expose the socket; done once per request, for slow answers. */
        const struct mg_request_info *ri = mg_get_request_info(c);
        cd->fd = sockscan_find(ri->server_port, ri->remote_addr, ri->remote_port);
        cd->looked = 1;
    }
    return cd->fd;
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

/* Reads the whole body up to max bytes. Returns 0, -E2BIG (caller answers 413) or -EIO. */
static int read_body(struct mg_connection *c, size_t max, struct buf *b)
{
    const struct mg_request_info *ri = mg_get_request_info(c);
    if (ri->content_length > 0 && (unsigned long long)ri->content_length > max)
        return -E2BIG;
    char chunk[16384];
    for (;;) {
        int n = mg_read(c, chunk, sizeof chunk);
        if (n < 0)
            return -EIO;
        if (n == 0)
            return 0;
        int rc = buf_append(b, chunk, (size_t)n);
        if (rc)
            return rc == -E2BIG ? -E2BIG : -EIO;
    }
}

/* app->draining is set by the main thread during shutdown and read by every worker. */
static bool draining(const struct app *app)
{
    return __atomic_load_n(&app->draining, __ATOMIC_ACQUIRE) != 0;
}

/* Returns the status it answered with (503 while shutting down). */
static int send_health(struct mg_connection *c, struct app *app)
{
    bool d = draining(app);
    char body[256];
    int n = snprintf(body, sizeof body, "{\"status\":\"%s\",\"version\":\"%s\",\"port\":%d}",
                     d ? "shutting down" : "healthy", SB_VERSION, app->port);
    http_send(c, d ? 503 : 200, "application/json", body, (size_t)n, NULL, 0);
    return d ? 503 : 200;
}

static int send_root(struct mg_connection *c, struct app *app, bool head)
{
    char body[512];
    int n = snprintf(body, sizeof body,
                     "switchboard %s - LLM proxy. POST /v1/messages (Anthropic) or "
                     "/v1/chat/completions (OpenAI). Base URL: %s\n",
                     SB_VERSION, app->url);
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
    close_after(c);
    http_send_error(c, api, 431, msg, "request_header_fields_too_large", 0, NULL, 0);
    return 431;
}

static int serve_body_route(struct mg_connection *c, struct app *app, enum route r, enum api api)
{
    struct config *cfg = state_config(app->st);
    size_t max = cfg->max_body_bytes;
    config_free(cfg);
    struct buf body;
    buf_init(&body, max);
    int rc = read_body(c, max, &body);
    int status;
    if (rc == -E2BIG) {
        char msg[128];
        snprintf(msg, sizeof msg, "request body is larger than the %zu-byte limit", max);
        close_after(c);
        status = 413;
        http_send_error(c, api, 413, msg, "request_too_large", 0, NULL, 0);
    } else if (rc) {
        status = 400;
        http_send_error(c, api, 400, "could not read the request body", NULL, 0, NULL, 0);
    } else if (r == R_COUNT_TOKENS) {
        status = proxy_count_tokens(app, c, buf_cstr(&body), body.len);
    } else {
        status = proxy_serve(app, c, api, buf_cstr(&body), body.len);
    }
    buf_release(&body);
    return status;
}

static int route_request(struct mg_connection *c, void *ud)
{
    struct app *app = ud;
    const struct mg_request_info *ri = mg_get_request_info(c);
    const char *m = ri->request_method;
    const char *path = ri->local_uri ? ri->local_uri : "/";
    bool head = strcmp(m, "HEAD") == 0, get = strcmp(m, "GET") == 0 || head;
    enum api api;
    enum route r = route_of(path, &api);

    if (ri->num_headers >= MG_MAX_HEADERS)
        return too_many_headers(c, api);
    if (r == R_PROBE)
        return get ? (send_root(c, app, true), 200) : method_not_allowed(c, api, "GET");
    if (r == R_ROOT && head)
        return send_root(c, app, true), 200;
    if (r == R_HEALTH)
        return get ? send_health(c, app) : method_not_allowed(c, api, "GET");
    if (r == R_ROOT)
        return get ? (send_root(c, app, false), 200) : method_not_allowed(c, api, "GET");

    struct config *cfg = state_config(app->st);
    bool ok = authorized(c, cfg->master_key);
    config_free(cfg);
    if (!ok) {
        http_send_error(c, api, 401,
                        "invalid or missing API key: send the master key as "
                        "'Authorization: Bearer <key>' or 'x-api-key'",
                        "invalid_api_key", 0, NULL, 0);
        return 401;
    }
    switch (r) {
    case R_MESSAGES:
    case R_COUNT_TOKENS:
    case R_CHAT:
        if (strcmp(m, "POST") != 0)
            return method_not_allowed(c, api, "POST");
        if (draining(app)) {
            http_send_error(c, api, 503, "switchboard is shutting down", NULL, 1, NULL, 0);
            return 503;
        }
        return serve_body_route(c, app, r, api);
    case R_MODELS:
        return get ? admin_models(app, c) : method_not_allowed(c, api, "GET");
    case R_ADMIN:
        return admin_serve(app, c, path, m);
    case R_METRICS:
        return get ? admin_metrics(app, c) : method_not_allowed(c, api, "GET");
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
    release_conn_data(c);
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
    close_after(c);
    http_send_error(c, api, status, msg, NULL, 0, NULL, 0);
    release_conn_data(c); /* no handler runs for this request to release it */
    return 0;
}

static struct mg_context *try_start(struct http_front *f, const char *host, int port, int threads,
                                    char err[HTTP_ERR_LEN])
{
    char listen[128], nthreads[16];
    bool v6 = strchr(host, ':') != NULL;
    snprintf(listen, sizeof listen, v6 ? "[%s]:%d" : "%s:%d", host, port);
    snprintf(nthreads, sizeof nthreads, "%d", threads);
    const char *options[] = {
        "listening_ports",
        listen,
        "num_threads",
        nthreads,
        "enable_keep_alive",
        "yes",
        "keep_alive_timeout_ms",
        "5000",
        "request_timeout_ms",
        "60000",
        "tcp_nodelay",
        "1",
        "linger_timeout_ms",
        "0",
        NULL,
    };
    struct mg_callbacks cb = {0};
    cb.log_message = log_message;
    cb.http_error = civetweb_error;
    unsigned code = 0;
    struct mg_error_data ed = {.code = &code, .text = err, .text_buffer_size = HTTP_ERR_LEN};
    struct mg_init_data init = {.callbacks = &cb, .user_data = f, .configuration_options = options};
    err[0] = '\0';
    return mg_start2(&init, &ed);
}

struct http_front *http_front_start(struct app *app, const char *host, int port, int threads,
                                    bool any_port, char err[HTTP_ERR_LEN])
{
    struct http_front *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, HTTP_ERR_LEN, "out of memory");
        return NULL;
    }
    f->app = app;
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
    app->port = n > 0 ? ports[0].port : port;
    mg_set_request_handler(f->ctx, "/", dispatch, app);
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
