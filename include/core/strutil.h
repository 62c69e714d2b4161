/* strutil: bounded string copies that always terminate and say when they truncated. */
#ifndef SB_STRUTIL_H
#define SB_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Copies src into dst (size n > 0), truncating; returns true when it all fit. */
static inline bool str_copy(char *dst, size_t n, const char *src)
{
    size_t len = src ? strlen(src) : 0;
    size_t k = len < n - 1 ? len : n - 1;
    if (k)
        memcpy(dst, src, k);
    dst[k] = '\0';
    return k == len;
}

#endif
