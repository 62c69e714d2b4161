/* simprov_send: writes simprov's answers to a civetweb connection: whole bodies, paced SSE
 * streams and the delivery faults (stall, cut, endless), noticing when the client hangs up.
 * One simprov_out per request, used only by the thread serving it. */
#ifndef SB_SIMPROV_SEND_H
#define SB_SIMPROV_SEND_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "sim/simprov_render.h"

struct mg_connection;

enum simprov_delivery {
    SIMPROV_DELIVER_NORMAL = 0,
    SIMPROV_DELIVER_STALL, /* half the answer, then silence until the client leaves */
    SIMPROV_DELIVER_CUT,   /* half the answer, then the connection is dropped */
    SIMPROV_DELIVER_HUGE,  /* an answer that does not end */
};

struct simprov_out {
    struct mg_connection *conn;
    const atomic_bool *stopping; /* the server is shutting down: give up waiting */
    double tokens_per_s;         /* stream pace; 0 = as fast as possible */
    const char *headers;         /* extra "Name: value\r\n" lines for the answer; may be NULL */
    int fd;                      /* the connection's socket once found; -1 unknown, -2 none */
    bool aborted;                /* the client went away before the answer ended */
    /* Called once just before the bytes that complete the answer, so bookkeeping is done
     * before the client can see the end; NULL for none. */
    void (*on_last)(void *arg);
    void *on_last_arg;
};

void simprov_send_init(struct simprov_out *o, struct mg_connection *conn,
                       const atomic_bool *stopping);
/* Waits ms in small steps. Returns false (and sets aborted) as soon as the client has gone,
 * or false when the server is stopping. */
bool simprov_send_wait(struct simprov_out *o, double ms);
/* A complete answer with Content-Length. STALL and CUT send only the first half of body under
 * the full length. Returns 0 or -EPIPE when writing failed. */
int simprov_send_body(struct simprov_out *o, int status, const char *ctype, const char *body,
                      size_t len, enum simprov_delivery how);
/* A 200 text/event-stream answer in chunked encoding, frame by frame at the out's pace.
 * STALL and CUT stop after half the frames. Returns 0 or -EPIPE (aborted set). */
int simprov_send_stream(struct simprov_out *o, const struct simprov_frames *f,
                        enum simprov_delivery how);
/* The "huge" fault: an endless stream (stream) or a non-stream body of many megabytes, until
 * the client leaves or the server stops. Returns 0 or -EPIPE / -ENOMEM. */
int simprov_send_huge(struct simprov_out *o, const struct simprov_reply *r);

#endif
