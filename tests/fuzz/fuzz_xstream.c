/* fuzz_xstream: provider stream bytes through the four stream translators. Byte 0: bits 0-1
 * the pair (o2o, o2a, a2o, a2a as from-to), 2-3 the provider kind, 4 include_usage, 5-6 how
 * the stream ends (finish, fail, finish then fail, nothing), 7 a tiny event cap. The rest is
 * fed as upstream bytes in pieces whose sizes come from a generator seeded by the input. */
#include <errno.h>
#include <stdlib.h>

#include "core/buf.h"
#include "fuzz_common.h"
#include "xlate/xstream.h"

static void end_stream(struct xstream *x, unsigned how, struct buf *out)
{
    switch (how) {
    case 0:
        xstream_finish(x, out);
        break;
    case 1:
        xstream_fail(x, 502, "fuzz: upstream failed", out);
        break;
    case 2:
        xstream_finish(x, out);
        xstream_fail(x, 504, "fuzz: late failure", out);
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned sel = data[0];
    struct xstream_opts o = {
        .from = (sel & 2) ? API_ANTHROPIC : API_OPENAI,
        .to = (sel & 1) ? API_ANTHROPIC : API_OPENAI,
        .provider = fuzz_provider(sel >> 2),
        .model = "fuzz-model",
        .include_usage = (sel >> 4) & 1,
        .input_tokens_hint = 123,
        .max_event_bytes = (sel & 0x80) ? 64 : 0,
    };
    struct xstream *x = xstream_new(&o);
    if (!x)
        return 0;
    xstream_seed(x, 42);
    struct buf out;
    buf_init(&out, 0);
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    uint64_t rng = fuzz_seed(data, size);
    int rc = 0;
    for (size_t off = 0; off < n;) {
        size_t k = 1 + (size_t)(fuzz_next(&rng) % 131);
        if (k > n - off)
            k = n - off;
        rc = xstream_feed(x, p + off, k, &out);
        if (rc != 0 && rc != -E2BIG && rc != -EPROTO && rc != -ENOMEM)
            abort();
        off += k;
        buf_reset(&out); /* the proxy sends and forgets what each feed produced */
    }
    end_stream(x, (sel >> 5) & 3, &out);
    struct xstream_stats st;
    xstream_get_stats(x, &st);
    buf_release(&out);
    xstream_free(x);
    return 0;
}
