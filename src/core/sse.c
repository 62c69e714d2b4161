/* sse: incremental Server-Sent Events parser (WHATWG event-stream grammar, without id/retry
 * handling). Knows nothing of JSON or HTTP. */
#include "core/sse.h"

#include <errno.h>
#include <string.h>

void sse_parser_init(struct sse_parser *p, size_t max_event_bytes)
{
    /* The line buffer holds at most one line, the data buffer one event's data: capping
     * both with the same limit bounds the memory one event can take. */
    buf_init(&p->line, max_event_bytes);
    buf_init(&p->event, max_event_bytes);
    buf_init(&p->data, max_event_bytes);
    p->have_data = 0;
    p->last_cr = 0;
}

void sse_parser_release(struct sse_parser *p)
{
    buf_release(&p->line);
    buf_release(&p->event);
    buf_release(&p->data);
    p->have_data = 0;
    p->last_cr = 0;
}

static void reset_event(struct sse_parser *p)
{
    buf_reset(&p->event);
    buf_reset(&p->data);
    p->have_data = 0;
}

static int dispatch(struct sse_parser *p, sse_event_fn fn, void *ud)
{
    /* A block with no data line is not an event (e.g. only a comment or an event: line). */
    if (!p->have_data) {
        reset_event(p);
        return 0;
    }
    struct sse_event ev = {
        .event = buf_cstr(&p->event),
        .data = buf_cstr(&p->data),
        .data_len = p->data.len,
    };
    int rc = fn(ud, &ev);
    reset_event(p);
    return rc;
}

static int field(struct sse_parser *p, const char *name, size_t nlen, const char *val, size_t vlen)
{
    if (nlen == 4 && memcmp(name, "data", 4) == 0) {
        if (p->have_data) {
            int rc = buf_append(&p->data, "\n", 1);
            if (rc)
                return rc;
        }
        p->have_data = 1;
        return buf_append(&p->data, val, vlen);
    }
    if (nlen == 5 && memcmp(name, "event", 5) == 0) {
        buf_reset(&p->event);
        return buf_append(&p->event, val, vlen);
    }
    return 0; /* id, retry and unknown fields do not concern us */
}

static int line(struct sse_parser *p, const char *s, size_t n, sse_event_fn fn, void *ud)
{
    if (n == 0)
        return dispatch(p, fn, ud);
    if (s[0] == ':')
        return 0;
    const char *colon = memchr(s, ':', n);
    if (!colon)
        return field(p, s, n, "", 0);
    size_t nlen = (size_t)(colon - s);
    const char *val = colon + 1;
    size_t vlen = n - nlen - 1;
    if (vlen > 0 && val[0] == ' ')
        val++, vlen--;
    return field(p, s, nlen, val, vlen);
}

/* Index of the first '\r' or '\n' in s[0..n), or n. Two memchr passes beat a byte loop. */
static size_t find_eol(const char *s, size_t n)
{
    const char *nl = memchr(s, '\n', n);
    size_t lim = nl ? (size_t)(nl - s) : n;
    const char *cr = memchr(s, '\r', lim);
    return cr ? (size_t)(cr - s) : lim;
}

int sse_parser_feed(struct sse_parser *p, const char *bytes, size_t n, sse_event_fn fn, void *ud)
{
    size_t i = 0;
    if (n > 0 && p->last_cr) {
        if (bytes[0] == '\n')
            i = 1;
        p->last_cr = 0;
    }
    while (i < n) {
        size_t k = find_eol(bytes + i, n - i);
        if (i + k == n)
            return buf_append(&p->line, bytes + i, k);
        int rc;
        if (p->line.len > 0) {
            rc = buf_append(&p->line, bytes + i, k);
            if (rc == 0)
                rc = line(p, p->line.data, p->line.len, fn, ud);
            buf_reset(&p->line);
        } else if (p->line.max && k > p->line.max) {
            rc = -E2BIG; /* same verdict as when the line arrives in pieces */
        } else {
            rc = line(p, bytes + i, k, fn, ud);
        }
        size_t j = i + k;
        if (bytes[j] == '\r') {
            if (j + 1 < n && bytes[j + 1] == '\n')
                j++;
            else if (j + 1 == n)
                p->last_cr = 1;
        }
        i = j + 1;
        if (rc)
            return rc;
    }
    return 0;
}

int sse_parser_finish(struct sse_parser *p, sse_event_fn fn, void *ud)
{
    int rc = 0;
    p->last_cr = 0;
    if (p->line.len > 0) {
        rc = line(p, p->line.data, p->line.len, fn, ud);
        buf_reset(&p->line);
    }
    if (rc == 0)
        rc = dispatch(p, fn, ud);
    reset_event(p);
    return rc;
}
