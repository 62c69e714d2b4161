/* upstream: libcurl exchanges with providers. A transfer runs on its worker thread in a multi
 * handle taken from a pool for that one exchange; the multi handle's connection cache keeps
 * its connections to the providers alive after the exchange, so whichever thread serves the
 * next request reuses them with the handle. A share object pools DNS answers and TLS sessions,
 * so a new connection resumes a session negotiated by another. Connections are never in a
 * share object: libcurl does not support one connection cache used by concurrent threads
 * ("It is not supported to share connections between multiple concurrent threads",
 * https://curl.se/libcurl/c/CURLSHOPT_SHARE.html; the shared pool "requires more work to be
 * properly functional", https://curl.se/mail/lib-2021-03/0020.html), and it corrupted the heap
 * under concurrent load (issue 16). The multi loop lets us wait on the transfer and on the
 * client's socket at the same time. */
#include "front/upstream.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "core/clock.h"
#include "front/sockscan.h"

/* After this long without an answer we start watching the client's socket; most answers on
 * the hot path arrive sooner, so they never pay for finding the socket. */
#define WATCH_CLIENT_AFTER_MS 30

/* Idle connections one handle set keeps (CURLMOPT_MAXCONNECTS; the oldest is closed when more
 * would be kept, https://curl.se/libcurl/c/CURLMOPT_MAXCONNECTS.html). A request meets a
 * primary and its fallbacks, so a few cover every provider. */
#define IDLE_CONNS_PER_SET 4L

/* DNS cache and TLS session cache, shared by every transfer, each kind of data behind its own
 * mutex through the lock callbacks (https://curl.se/libcurl/c/libcurl-share.html). Set up in
 * upstream_global_init before any thread exists, freed after they are gone. */
static CURLSH *share;
static pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

/* A multi handle, its easy handle and the connections its cache keeps alive. Used by one
 * thread at a time: taken from the pool for one exchange and given back after it (libcurl
 * lets handles move between threads, never be used by two at once:
 * https://curl.se/libcurl/c/libcurl-thread.html). */
struct handles {
    CURLM *multi;
    CURL *easy;
    struct handles *newer, *older; /* in the idle list */
    double idle_since;             /* monotonic ms, when given back */
};

/* Idle handle sets, the most recently given back first: the next exchange takes the set whose
 * connections are warmest, so a kept-alive connection to a provider serves request after
 * request whichever worker thread runs them. There are as many sets as exchanges ran at once
 * lately: a set idle longer than libcurl would keep a connection for reuse
 * (CURLOPT_MAXAGE_CONN, 118 s by default: https://curl.se/libcurl/c/CURLOPT_MAXAGE_CONN.html)
 * only holds sockets the provider has closed, and is freed. pool_mu guards the list and is
 * held only to push, pop or unlink. */
#define SET_IDLE_MAX_MS  118000.0
#define PRUNE_PER_RETURN 4 /* bounds what one request pays for freeing old sets */
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static struct handles *pool_newest, *pool_oldest;

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ud)
{
    (void)h, (void)access, (void)ud;
    pthread_mutex_lock(&share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud)
{
    (void)h, (void)ud;
    pthread_mutex_unlock(&share_locks[data]);
}

int upstream_global_init(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -EIO;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&share_locks[i], NULL);
    share = curl_share_init();
    if (!share)
        return -ENOMEM;
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    return 0;
}

static void free_handles(struct handles *h)
{
    if (!h)
        return;
    if (h->easy)
        curl_easy_cleanup(h->easy);
    if (h->multi)
        curl_multi_cleanup(h->multi); /* closes the connections it kept */
    free(h);
}

/* Unlinks h from the idle list; pool_mu held. */
static void unlink_idle(struct handles *h)
{
    if (h->newer)
        h->newer->older = h->older;
    else
        pool_newest = h->older;
    if (h->older)
        h->older->newer = h->newer;
    else
        pool_oldest = h->newer;
    h->newer = h->older = NULL;
}

static struct handles *take_handles(void)
{
    pthread_mutex_lock(&pool_mu);
    struct handles *h = pool_newest;
    if (h)
        unlink_idle(h);
    pthread_mutex_unlock(&pool_mu);
    if (h) {
        curl_easy_reset(h->easy);
        return h;
    }
    h = calloc(1, sizeof *h);
    if (h && (h->multi = curl_multi_init()) && (h->easy = curl_easy_init())) {
        curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, IDLE_CONNS_PER_SET);
        return h;
    }
    free_handles(h);
    return NULL;
}

/* Puts h back as the newest idle set and frees a few of the oldest if they have idled too
 * long (outside the lock). */
static void give_back(struct handles *h)
{
    struct handles *stale[PRUNE_PER_RETURN];
    int n = 0;
    double now = clock_mono_ms();
    h->idle_since = now;
    pthread_mutex_lock(&pool_mu);
    h->older = pool_newest;
    h->newer = NULL;
    if (pool_newest)
        pool_newest->newer = h;
    else
        pool_oldest = h;
    pool_newest = h;
    while (n < PRUNE_PER_RETURN && pool_oldest != h &&
           now - pool_oldest->idle_since > SET_IDLE_MAX_MS) {
        stale[n] = pool_oldest;
        unlink_idle(stale[n++]);
    }
    pthread_mutex_unlock(&pool_mu);
    while (n > 0)
        free_handles(stale[--n]);
}

void upstream_global_cleanup(void)
{
    pthread_mutex_lock(&pool_mu);
    struct handles *h = pool_newest;
    pool_newest = pool_oldest = NULL;
    pthread_mutex_unlock(&pool_mu);
    while (h) {
        struct handles *next = h->older;
        free_handles(h);
        h = next;
    }
    if (share)
        curl_share_cleanup(share);
    share = NULL;
    curl_global_cleanup();
}

int upstream_url(const char *api_base, enum api dialect, struct buf *out)
{
    size_t n = strlen(api_base);
    while (n && api_base[n - 1] == '/')
        n--;
    int rc = buf_append(out, api_base, n);
    if (rc)
        return rc;
    if (dialect == API_OPENAI)
        return buf_puts(out, "/chat/completions");
    if (n >= 3 && memcmp(api_base + n - 3, "/v1", 3) == 0)
        return buf_puts(out, "/messages");
    return buf_puts(out, "/v1/messages");
}

struct xfer {
    CURL *easy;
    const struct upstream_req *req;
    struct upstream_result *res;
    upstream_data_fn on_data;
    void *ud;
    double start_ms;
    double last_byte_ms;
    bool got_first_byte;
};

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nmemb;
    if (n > 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* A new response (after 1xx or a redirect) starts over. */
        ratelimit_init(&x->res->rl);
        return n;
    }
    const char *colon = memchr(p, ':', n);
    if (!colon)
        return n;
    char name[96], value[256];
    size_t nl = (size_t)(colon - p);
    if (nl == 0 || nl >= sizeof name)
        return n;
    memcpy(name, p, nl);
    name[nl] = '\0';
    const char *v = colon + 1, *end = p + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    size_t vl = (size_t)(end - v) < sizeof value - 1 ? (size_t)(end - v) : sizeof value - 1;
    memcpy(value, v, vl);
    value[vl] = '\0';
    if (ratelimit_header(&x->res->rl, name, value, (double)time(NULL)))
        return n;
    if (strcasecmp(name, "request-id") == 0 || strcasecmp(name, "cerebras-request-id") == 0 ||
        strcasecmp(name, "x-request-id") == 0)
        snprintf(x->res->request_id, sizeof x->res->request_id, "%.63s", value);
    return n;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nmemb;
    double now = clock_mono_ms();
    if (!x->got_first_byte) {
        x->got_first_byte = true;
        x->res->ttfb_ms = now - x->start_ms;
    }
    x->last_byte_ms = now;
    if (x->res->status == 0) {
        long code = 0;
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
        x->res->status = (int)code;
    }
    if (x->res->status < 200 || x->res->status >= 300) {
        size_t room = x->req->max_error_body > x->res->error_body.len
                          ? x->req->max_error_body - x->res->error_body.len
                          : 0;
        buf_append(&x->res->error_body, p, n < room ? n : room);
        return n;
    }
    int rc = x->on_data(x->ud, p, n);
    if (rc) {
        x->res->aborted_by_sink = rc;
        return CURL_WRITEFUNC_ERROR;
    }
    return n;
}

struct curl_slist *upstream_auth_header(struct curl_slist *h, enum provider_kind kind,
                                        const char *api_key)
{
    char line[1024];
    if (!api_key)
        return h;
    if (kind == PROVIDER_ANTHROPIC)
        snprintf(line, sizeof line, "x-api-key: %s", api_key);
    else
        snprintf(line, sizeof line, "Authorization: Bearer %s", api_key);
    h = curl_slist_append(h, line);
    explicit_bzero(line, sizeof line);
    return h;
}

static struct curl_slist *build_headers(const struct upstream_req *req)
{
    struct curl_slist *h = NULL;
    char line[1024];
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h,
                          req->stream ? "Accept: text/event-stream" : "Accept: application/json");
    h = curl_slist_append(h, "Expect:");
    if (req->dialect == API_ANTHROPIC) {
        h = curl_slist_append(h, "anthropic-version: 2023-06-01");
        if (req->kind == PROVIDER_ANTHROPIC && req->anthropic_beta && *req->anthropic_beta) {
            snprintf(line, sizeof line, "anthropic-beta: %s", req->anthropic_beta);
            h = curl_slist_append(h, line);
        }
    }
    return upstream_auth_header(h, req->kind, req->api_key);
}

static void setup_easy(CURL *e, const struct upstream_req *req, struct xfer *x,
                       struct curl_slist *headers)
{
    curl_easy_setopt(e, CURLOPT_URL, req->url);
    curl_easy_setopt(e, CURLOPT_SHARE, share);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "switchboard/" SB_VERSION);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(req->connect_timeout_s * 1000));
    if (req->total_timeout_s > 0)
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(req->total_timeout_s * 1000));
}

__attribute__((format(printf, 4, 5))) static void
set_err(struct upstream_result *res, enum err_class cls, const char *type, const char *fmt, ...)
{
    va_list ap;
    res->err.cls = cls;
    res->err.status = res->status;
    snprintf(res->err.type, sizeof res->err.type, "%s", type);
    va_start(ap, fmt);
    vsnprintf(res->err.message, sizeof res->err.message, fmt, ap);
    va_end(ap);
}

struct watch {
    int fd;      /* client socket, -1 until looked up or when unknown */
    bool looked; /* lookup done */
    bool ignore; /* the socket has pipelined data; stop watching it */
};

static bool client_left(const struct upstream_req *req, struct watch *w, double waited_ms)
{
    if (req->client_gone && req->client_gone(req->client_ud))
        return true;
    if (!req->client_fd || w->ignore || waited_ms < WATCH_CLIENT_AFTER_MS)
        return false;
    if (!w->looked) {
        w->fd = req->client_fd(req->client_ud);
        w->looked = true;
    }
    if (w->fd < 0)
        return false;
    if (sockscan_peer_gone(w->fd))
        return true;
    return false;
}

/* Deadline check for the first byte and for gaps in the body. */
static bool timed_out(const struct upstream_req *req, const struct xfer *x, double now,
                      struct upstream_result *res)
{
    if (!x->got_first_byte && req->first_byte_timeout_s > 0 &&
        now - x->start_ms > req->first_byte_timeout_s * 1000) {
        set_err(res, ERRC_TIMEOUT, "timeout_error", "no answer from provider within %s",
                "the first-byte timeout");
        return true;
    }
    if (x->got_first_byte && req->idle_timeout_s > 0 &&
        now - x->last_byte_ms > req->idle_timeout_s * 1000) {
        set_err(res, ERRC_TIMEOUT, "timeout_error", "provider stream stalled (%s)",
                "no bytes within the idle timeout");
        return true;
    }
    return false;
}

/* How long a poll may sleep. Data and a client hang-up wake it at once; the bound is for the
 * deadlines and for the shutdown flag, which is only read between polls. Every wake costs a
 * context switch per open stream, so the bound is as long as shutdown allows (app.c gives
 * the aborted streams two seconds to write their error). */
#define POLL_MAX_MS 400
static int poll_timeout_ms(const struct upstream_req *req, const struct xfer *x, double now)
{
    double waited = now - x->start_ms;
    if (waited < WATCH_CLIENT_AFTER_MS)
        return (int)(WATCH_CLIENT_AFTER_MS - waited) + 1;
    double left = POLL_MAX_MS;
    if (!x->got_first_byte && req->first_byte_timeout_s > 0)
        left = fmin(left, x->start_ms + req->first_byte_timeout_s * 1000 - now);
    if (x->got_first_byte && req->idle_timeout_s > 0)
        left = fmin(left, x->last_byte_ms + req->idle_timeout_s * 1000 - now);
    return left < 1 ? 1 : (int)left + 1;
}

static void classify_curl(CURLcode cc, struct upstream_result *res)
{
    const char *msg = curl_easy_strerror(cc);
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        set_err(res, ERRC_TIMEOUT, "timeout_error", "provider timed out: %s", msg);
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SEND_ERROR:
        set_err(res, ERRC_CONNECT, "api_connection_error", "cannot reach provider: %s", msg);
        break;
    default:
        set_err(res, ERRC_PROTOCOL, "api_error", "provider transfer failed: %s", msg);
        break;
    }
}

/* The exchange's outcome once its handles are back in the pool. */
static int finish(struct upstream_result *res, CURLcode cc, bool stopped)
{
    if (stopped)
        return -1;
    if (res->aborted_by_sink) {
        if (res->err.cls == ERRC_NONE)
            set_err(res, ERRC_CLIENT_GONE, "client_gone", "%s", "transfer stopped by switchboard");
        return -1;
    }
    if (cc != CURLE_OK) {
        classify_curl(cc, res);
        return -1;
    }
    if (res->status < 200 || res->status >= 300) {
        errmap_classify(res->status, res->error_body.data, res->error_body.len, &res->err);
        return -1;
    }
    return 0;
}

/* Runs the multi loop until the transfer ends or something makes us stop it. */
static CURLcode run_loop(CURLM *multi, const struct upstream_req *req, struct xfer *x,
                         struct upstream_result *res, bool *stopped)
{
    struct watch w = {.fd = -1};
    int running = 1;
    *stopped = false;
    while (running) {
        CURLMcode mc = curl_multi_perform(multi, &running);
        if (mc != CURLM_OK)
            break;
        if (!running)
            break;
        double now = clock_mono_ms();
        if (req->abort_flag && __atomic_load_n(req->abort_flag, __ATOMIC_ACQUIRE)) {
            set_err(res, ERRC_CLIENT_GONE, "api_error", "%s", "switchboard is shutting down");
            *stopped = true;
            break;
        }
        if (client_left(req, &w, now - x->start_ms)) {
            res->client_gone = true;
            set_err(res, ERRC_CLIENT_GONE, "client_gone", "%s", "client closed the connection");
            *stopped = true;
            break;
        }
        if (timed_out(req, x, now, res)) {
            *stopped = true;
            break;
        }
        struct curl_waitfd extra = {.fd = w.fd, .events = CURL_WAIT_POLLIN};
        int nextra = (w.fd >= 0 && !w.ignore) ? 1 : 0;
        curl_multi_poll(multi, nextra ? &extra : NULL, (unsigned)nextra,
                        poll_timeout_ms(req, x, now), NULL);
        if (nextra && extra.revents && !sockscan_peer_gone(w.fd))
            w.ignore = true; /* pipelined bytes, not a hang-up */
    }
    CURLcode cc = CURLE_OK;
    int left;
    CURLMsg *m;
    while ((m = curl_multi_info_read(multi, &left)))
        if (m->msg == CURLMSG_DONE)
            cc = m->data.result;
    return cc;
}

int upstream_perform(const struct upstream_req *req, upstream_data_fn on_data, void *ud,
                     struct upstream_result *res)
{
    memset(res, 0, sizeof *res);
    ratelimit_init(&res->rl);
    buf_init(&res->error_body, req->max_error_body ? req->max_error_body : 65536);
    struct handles *h = take_handles();
    if (!h) {
        set_err(res, ERRC_CONNECT, "api_error", "%s", "out of memory");
        return -1;
    }
    struct xfer x = {.easy = h->easy, .req = req, .res = res, .on_data = on_data, .ud = ud};
    struct curl_slist *headers = build_headers(req);
    setup_easy(h->easy, req, &x, headers);
    x.start_ms = clock_mono_ms();
    curl_multi_add_handle(h->multi, h->easy);
    bool stopped;
    CURLcode cc = run_loop(h->multi, req, &x, res, &stopped);
    curl_multi_remove_handle(h->multi, h->easy);
    curl_slist_free_all(headers);
    res->total_ms = clock_mono_ms() - x.start_ms;
    long connects = 0;
    if (curl_easy_getinfo(h->easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK)
        res->new_connections = connects;
    if (res->status == 0) {
        long code = 0;
        curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &code);
        res->status = (int)code;
    }
    give_back(h);
    return finish(res, cc, stopped);
}
