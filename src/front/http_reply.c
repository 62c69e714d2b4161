/* http_reply: writing responses on a civetweb connection (whole, error in the client's
 * dialect, chunked SSE), reading a capped request body, and the per-request connection data
 * (the client's socket, whether the connection closes). Knows no routes and no handlers. */
#include "front/http_reply.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <civetweb.h>

#include "core/errmap.h"
#include "front/sockscan.h"

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
void http_close_after(struct mg_connection *c)
{
    struct conn_data *cd = conn_data_of(c);
    if (cd)
        cd->closing = true;
    mg_disable_connection_keep_alive(c);
}

/* civetweb 1.15 drops the user data pointer in some paths before any close callback sees it
 * (a client that hangs up after a slow answer), so the data lives for one request only:
 * released here when the handler returns. */
void http_conn_release(const struct mg_connection *c)
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
           status == 413 || status == 415 || status == 421 || status == 422 || status == 431;
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

/* Reads the whole body up to max bytes. Returns 0, -E2BIG (caller answers 413) or -EIO. */
int http_read_body(struct mg_connection *c, size_t max, struct buf *b)
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
