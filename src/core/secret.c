/* secret: masking a key and every long piece of it. */
#include "core/secret.h"

#include <string.h>

/* Stars out every occurrence of the k bytes at w in p[0, n), each extended as far as the text
 * goes on matching the key after w (so a longer quoted run is masked whole). */
static void mask_window(char *p, size_t n, const char *w, size_t k, const char *key_end)
{
    char *end = p + n;
    for (char *hit;
         p < end && (size_t)(end - p) >= k && (hit = memmem(p, (size_t)(end - p), w, k));) {
        size_t run = k;
        while (hit + run < end && w + run < key_end && hit[run] == w[run])
            run++;
        memset(hit, '*', run);
        p = hit + run;
    }
}

void secret_mask(char *p, size_t n, const char *secret)
{
    size_t k = secret ? strlen(secret) : 0;
    if (!p || k < SECRET_MIN_KEY)
        return;
    if (k <= SECRET_MIN_RUN) {
        mask_window(p, n, secret, k, secret + k);
        return;
    }
    /* Windows from the left: a run is found by the window at its first matching character,
     * and masked text matches no later window. */
    for (size_t i = 0; i + SECRET_MIN_RUN <= k; i++)
        mask_window(p, n, secret + i, SECRET_MIN_RUN, secret + k);
}
