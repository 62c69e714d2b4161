/* fuzz_common: helpers shared by the libFuzzer harnesses. The first input byte is a selector
 * (which path, which provider); the rest is the payload. Split positions for streamed input
 * come from a small generator seeded by the payload, so a crash replays exactly. */
#ifndef SB_FUZZ_COMMON_H
#define SB_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "core/api.h"

/* xorshift64*: deterministic per input, no global state (libFuzzer may run inputs in any
 * order). */
static inline uint64_t fuzz_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static inline uint64_t fuzz_seed(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a over the payload */
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h ? h : 1;
}

static inline enum provider_kind fuzz_provider(unsigned v)
{
    static const enum provider_kind kinds[] = {PROVIDER_GENERIC_OPENAI, PROVIDER_CEREBRAS,
                                               PROVIDER_ZAI, PROVIDER_ANTHROPIC};
    return kinds[v & 3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
