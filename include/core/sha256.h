/* sha256: the SHA-256 digest (FIPS 180-4), for naming things by a hash of a secret without
 * keeping the secret (the shared-state key namespace). Pure, no allocation, thread-safe: the
 * context is the caller's. Written here so that switchboard needs no crypto library for one
 * digest. */
#ifndef SB_SHA256_H
#define SB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
    uint32_t h[8];
    uint64_t bytes;        /* message length so far */
    unsigned char blk[64]; /* the block being filled */
    size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* Writes the digest; s must be initialised again before reuse. */
void sha256_final(struct sha256 *s, unsigned char out[SHA256_LEN]);

#endif
