/* fuzz_sse: the incremental SSE parser on arbitrary bytes split at arbitrary places. Byte 0
 * picks the event cap and whether the callback stops early; the rest is the stream. Checks
 * the parser's promises: data is NUL-terminated at data_len, never longer than the cap. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "core/sse.h"

struct seen {
    size_t cap;
    unsigned events;
    unsigned stop_after; /* 0 = never stop */
};

static int on_event(void *ud, const struct sse_event *ev)
{
    struct seen *s = ud;
    if (ev->data[ev->data_len] != '\0' || strlen(ev->event) > s->cap || ev->data_len > s->cap)
        abort();
    s->events++;
    return s->stop_after && s->events >= s->stop_after ? 7 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const size_t caps[] = {4u << 20, 16, 1, 4096};
    struct seen s = {.cap = caps[data[0] & 3], .stop_after = (data[0] >> 2) & 7};
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    uint64_t rng = fuzz_seed(data, size);
    struct sse_parser sp;
    sse_parser_init(&sp, s.cap);
    int rc = 0;
    for (size_t off = 0; off < n && rc == 0;) {
        size_t k = 1 + (size_t)(fuzz_next(&rng) % 97);
        if (k > n - off)
            k = n - off;
        rc = sse_parser_feed(&sp, p + off, k, on_event, &s);
        if (rc != 0 && rc != -E2BIG && rc != 7)
            abort();
        off += k;
    }
    if (rc == 0)
        sse_parser_finish(&sp, on_event, &s);
    sse_parser_release(&sp);
    return 0;
}
