/* buf: a growable byte buffer with a hard cap, for bodies and stream output.
 * Knows nothing of HTTP or JSON. Not thread-safe; one owner. */
#ifndef SB_BUF_H
#define SB_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data; /* NUL-terminated whenever len > 0 or after buf_cstr() */
    size_t len;
    size_t cap;
    size_t max; /* appending past this fails with -E2BIG; 0 means no cap */
};

/* Embedded lifecycle: init takes the cap, release frees the storage. */
void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
/* Empties the buffer and keeps its storage for reuse. */
void buf_reset(struct buf *b);

/* Append bytes. Returns 0, -E2BIG past the cap, -ENOMEM. On error nothing is appended. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Removes the first n bytes. */
void buf_consume(struct buf *b, size_t n);
/* Always returns a NUL-terminated string ("" for an empty buffer). */
const char *buf_cstr(struct buf *b);

#endif
