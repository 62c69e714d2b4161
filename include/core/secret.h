/* secret: starring out a key wherever text quotes it, whole or in part. Providers quote the
 * key they refused ("Incorrect API key provided: csk-abcd****wxyz", or most of it), and
 * whatever switchboard passes on (the client's error, the log, --log-bodies) must not carry
 * it. Pure, thread-safe. */
#ifndef SB_SECRET_H
#define SB_SECRET_H

#include <stddef.h>

#define SECRET_MIN_RUN 12 /* a quoted piece this long is masked (shorter keys: whole only) */
#define SECRET_MIN_KEY 8  /* keys shorter than this are not worth matching */

/* Replaces with '*' every occurrence in p (n bytes, not necessarily terminated) of secret and
 * of any run of SECRET_MIN_RUN or more consecutive characters of it. secret NULL or shorter
 * than SECRET_MIN_KEY: nothing. */
void secret_mask(char *p, size_t n, const char *secret);

#endif
