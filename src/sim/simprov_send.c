/* simprov_send: the wire side of simprov: response headers, chunked SSE with pacing, and the
 * faults that break delivery on purpose. Spots a departed client by its socket, because
 * civetweb reports nothing while a handler sleeps. */
#include "sim/simprov_send.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <civetweb.h>

#include "core/clock.h"
#include "front/sockscan.h"
#include "sim/simprov_reply.h"

#define STEP_MS         20.0
#define HUGE_BODY_BYTES (64L << 20)
#define HUGE_PIECE      8192

/* civetweb does not expose the socket: find the descriptor whose addresses match the request. */
static int find_fd(struct mg_connection *conn)
{
    const struct mg_request_info *ri = mg_get_request_info(conn);
    int fd = ri ? sockscan_find(ri->server_port, NULL, ri->remote_port) : -1;
    return fd >= 0 ? fd : -2;
}

static bool peer_gone(struct simprov_out *o)
{
    if (o->fd == -1)
        o->fd = find_fd(o->conn);
    if (o->fd < 0)
        return false;
    struct pollfd p = {.fd = o->fd, .events = POLLIN | POLLRDHUP};
    if (poll(&p, 1, 0) <= 0)
        return false;
    if (p.revents & (POLLHUP | POLLERR | POLLRDHUP))
        return true;
    char c;
    return (p.revents & POLLIN) && recv(o->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

void simprov_send_init(struct simprov_out *o, struct mg_connection *conn,
                       const atomic_bool *stopping)
{
    memset(o, 0, sizeof(*o));
    o->conn = conn;
    o->stopping = stopping;
    o->fd = -1;
}

bool simprov_send_wait(struct simprov_out *o, double ms)
{
    double end = clock_mono_ms() + ms;
    for (;;) {
        if (o->stopping && atomic_load(o->stopping))
            return false;
        if (peer_gone(o)) {
            o->aborted = true;
            return false;
        }
        double left = end - clock_mono_ms();
        if (left <= 0)
            return true;
        double step = left < STEP_MS ? left : STEP_MS;
        struct timespec ts = {0, (long)(step * 1e6)};
        nanosleep(&ts, NULL);
    }
}

static void last(struct simprov_out *o)
{
    void (*fn)(void *) = o->on_last;
    o->on_last = NULL;
    if (fn)
        fn(o->on_last_arg);
}

static int start(struct simprov_out *o, int status, const char *ctype, long long len,
                 enum simprov_delivery how)
{
    char n[32];
    /* A broken delivery must end with the socket closed, never parked for keep-alive. */
    if (how != SIMPROV_DELIVER_NORMAL)
        mg_disable_connection_keep_alive(o->conn);
    mg_response_header_start(o->conn, status);
    mg_response_header_add(o->conn, "Content-Type", ctype, -1);
    if (len >= 0) {
        snprintf(n, sizeof(n), "%lld", len);
        mg_response_header_add(o->conn, "Content-Length", n, -1);
    } else {
        mg_response_header_add(o->conn, "Transfer-Encoding", "chunked", -1);
        mg_response_header_add(o->conn, "Cache-Control", "no-cache", -1);
    }
    if (o->headers && *o->headers)
        mg_response_header_add_lines(o->conn, o->headers);
    return mg_response_header_send(o->conn) == 0 ? 0 : -EPIPE;
}

/* After a broken delivery: STALL holds the connection until the client gives up. */
static int finish_broken(struct simprov_out *o, enum simprov_delivery how)
{
    if (how == SIMPROV_DELIVER_STALL) {
        while (simprov_send_wait(o, 1000.0))
            ;
    }
    last(o);
    return 0;
}

int simprov_send_body(struct simprov_out *o, int status, const char *ctype, const char *body,
                      size_t len, enum simprov_delivery how)
{
    size_t n = how == SIMPROV_DELIVER_NORMAL ? len : len / 2;
    if (start(o, status, ctype, (long long)len, how) != 0)
        return -EPIPE;
    if (how == SIMPROV_DELIVER_NORMAL)
        last(o);
    if (n > 0 && mg_write(o->conn, body, n) != (int)n) {
        o->aborted = true;
        return -EPIPE;
    }
    return how == SIMPROV_DELIVER_NORMAL ? 0 : finish_broken(o, how);
}

static int send_chunk(struct simprov_out *o, const char *p, size_t n)
{
    if (mg_send_chunk(o->conn, p, (unsigned)n) < 0) {
        o->aborted = true;
        return -EPIPE;
    }
    return 0;
}

/* Holds a frame back until its tokens are due at the configured pace. */
static int pace(struct simprov_out *o, double t0, long tokens)
{
    if (o->tokens_per_s <= 0)
        return 0;
    double due = t0 + (double)tokens * 1000.0 / o->tokens_per_s - clock_mono_ms();
    if (due > 0 && !simprov_send_wait(o, due))
        return -EPIPE;
    return 0;
}

int simprov_send_stream(struct simprov_out *o, const struct simprov_frames *f,
                        enum simprov_delivery how)
{
    int n = how == SIMPROV_DELIVER_NORMAL ? f->n : f->n / 2;
    long tokens = 0;
    double t0 = clock_mono_ms();
    if (start(o, 200, "text/event-stream", -1, how) != 0)
        return -EPIPE;
    for (int i = 0; i < n; i++) {
        tokens += f->v[i].tokens;
        if (f->v[i].tokens > 0 && pace(o, t0, tokens) != 0)
            return -EPIPE;
        if (how == SIMPROV_DELIVER_NORMAL && i == n - 1)
            last(o);
        if (send_chunk(o, f->v[i].data, strlen(f->v[i].data)) != 0)
            return -EPIPE;
    }
    if (how != SIMPROV_DELIVER_NORMAL)
        return finish_broken(o, how);
    return send_chunk(o, "", 0);
}

static int huge_stream(struct simprov_out *o, const struct simprov_reply *r)
{
    struct simprov_frames head = {0};
    char words[96];
    long seq = 0, tokens = 0;
    double t0 = clock_mono_ms();
    int err = simprov_render_huge_head(r, &head);
    if (err == 0)
        err = start(o, 200, "text/event-stream", -1, SIMPROV_DELIVER_HUGE);
    for (int i = 0; err == 0 && i < head.n; i++)
        err = send_chunk(o, head.v[i].data, strlen(head.v[i].data));
    simprov_render_release(&head);
    for (long k = 0; err == 0; k++) {
        simprov_reply_filler(words, sizeof(words), &seq);
        char *frame = simprov_render_text_frame(r, words);
        tokens += 10;
        if (!frame)
            err = -ENOMEM;
        else if (o->tokens_per_s > 0)
            err = pace(o, t0, tokens);
        /* Unpaced, it still breathes now and then so a stop or a hang-up is noticed. */
        else if (k % 64 == 63 && !simprov_send_wait(o, 10.0))
            err = -EPIPE;
        if (err == 0)
            err = send_chunk(o, frame, strlen(frame));
        free(frame);
    }
    return err;
}

/* A non-stream answer whose text is tens of megabytes: the reply rendered around a marker, with
 * filler words streamed where the marker was. */
static int huge_body(struct simprov_out *o, const struct simprov_reply *r)
{
    struct simprov_reply copy = *r;
    char marker[] = "\x01", piece[HUGE_PIECE];
    long seq = 0;
    copy.text = marker;
    copy.ncalls = 0;
    char *json = simprov_render_json(&copy);
    char *at = json ? strstr(json, "\\u0001") : NULL;
    if (!at) {
        free(json);
        return -ENOMEM;
    }
    int err = start(o, 200, "application/json", -1, SIMPROV_DELIVER_HUGE);
    if (err == 0)
        err = send_chunk(o, json, (size_t)(at - json));
    for (long sent = 0, k = 1; err == 0 && sent < HUGE_BODY_BYTES; k++) {
        size_t n = simprov_reply_filler(piece, sizeof(piece), &seq);
        err = send_chunk(o, piece, n);
        sent += (long)n;
        if (err == 0 && k % 256 == 0 && !simprov_send_wait(o, 0))
            err = -EPIPE;
    }
    if (err == 0) {
        last(o);
        err = send_chunk(o, at + 6, strlen(at + 6));
    }
    if (err == 0)
        err = send_chunk(o, "", 0);
    free(json);
    return err;
}

int simprov_send_huge(struct simprov_out *o, const struct simprov_reply *r)
{
    return r->stream ? huge_stream(o, r) : huge_body(o, r);
}
