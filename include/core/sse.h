/* sse: incremental Server-Sent Events parser. Takes bytes split anywhere (CRLF, LF or CR line
 * ends, split UTF-8, split "data:" prefixes) and calls back once per complete event.
 * Knows nothing of JSON or HTTP. Not thread-safe; one owner. */
#ifndef SB_SSE_H
#define SB_SSE_H

#include <stddef.h>

#include "core/buf.h"

struct sse_event {
    const char *event; /* "event:" field, "" when absent; NUL-terminated */
    const char *data;  /* "data:" lines joined with '\n'; NUL-terminated */
    size_t data_len;
};

/* Return 0 to go on; anything else stops the feed and is returned from sse_parser_feed. */
typedef int (*sse_event_fn)(void *ud, const struct sse_event *ev);

struct sse_parser {
    struct buf line;  /* partial line */
    struct buf event; /* current event name */
    struct buf data;  /* current data */
    int have_data;
    int last_cr; /* last byte was '\r': a following '\n' belongs to it */
};

/* max_event_bytes caps one event (line or data); past it feed returns -E2BIG. */
void sse_parser_init(struct sse_parser *p, size_t max_event_bytes);
void sse_parser_release(struct sse_parser *p);
/* Feeds n bytes. Returns 0, -E2BIG, or the callback's nonzero value. */
int sse_parser_feed(struct sse_parser *p, const char *bytes, size_t n, sse_event_fn fn, void *ud);
/* At end of input: dispatches a final event that lacked its blank line. */
int sse_parser_finish(struct sse_parser *p, sse_event_fn fn, void *ud);

#endif
