/* http_reply: responses on a civetweb connection (whole, errors in the client's dialect,
 * chunked SSE), the capped request body reader, and per-request connection data. Every
 * function is called from the worker thread that owns the connection. */
#ifndef SB_HTTP_REPLY_H
#define SB_HTTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/api.h"
#include "core/buf.h"

struct mg_connection;

/* One extra response header. */
struct http_hdr {
    const char *name;
    const char *value;
};

/* Sends a complete response with Content-Length. Returns 0 or -1 when the client is gone. */
int http_send(struct mg_connection *c, int status, const char *content_type, const char *body,
              size_t len, const struct http_hdr *hdrs, int n_hdrs);
/* Sends an error in the client's API format (Anthropic or OpenAI JSON). Terminal errors get
 * x-should-retry: false; retry_after_s > 0 adds retry-after. */
int http_send_error(struct mg_connection *c, enum api client, int status, const char *message,
                    const char *code, int retry_after_s, const struct http_hdr *hdrs, int n_hdrs);
/* Starts a chunked streaming response (text/event-stream) with its first chunk, first_len
 * bytes (0: none), in the same write: one segment, one wake-up for the client's first token. */
int http_stream_begin(struct mg_connection *c, const struct http_hdr *hdrs, int n_hdrs,
                      const char *first, size_t first_len);
int http_stream_write(struct mg_connection *c, const char *p, size_t n);

/* The same responses built into out (appended) instead of written, for a caller that sends
 * them later with http_write: proxy holds a response's last bytes back until the request is
 * in the log. 0, or -1 when out of memory. */
int http_format(struct mg_connection *c, int status, const char *content_type, const char *body,
                size_t len, const struct http_hdr *hdrs, int n_hdrs, struct buf *out);
int http_format_error(struct mg_connection *c, enum api client, int status, const char *message,
                      const char *code, int retry_after_s, const struct http_hdr *hdrs, int n_hdrs,
                      struct buf *out);
/* A stream's last chunk (n bytes at p; none when n is 0) and the end of the chunked body. */
int http_format_stream_end(const char *p, size_t n, struct buf *out);
/* Writes n raw bytes. 0, or -1 when the client is gone. */
int http_write(struct mg_connection *c, const char *p, size_t n);

/* The client's socket, found once per connection (for hang-up detection), or -1. */
int http_client_fd(struct mg_connection *c);
/* Case-insensitive request header lookup; NULL when absent. */
const char *http_header(const struct mg_connection *c, const char *name);

/* Reads the whole body up to max bytes into b. Returns 0, -E2BIG (caller answers 413) or
 * -EIO. */
int http_read_body(struct mg_connection *c, size_t max, struct buf *b);
/* The connection closes after this response (civetweb is told, and the response says so). */
void http_close_after(struct mg_connection *c);
/* Frees the per-request data; called once when the request's handling ends. */
void http_conn_release(const struct mg_connection *c);

#endif
