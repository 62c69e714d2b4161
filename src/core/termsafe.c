/* termsafe: control bytes made visible in lines and in JSON text. */
#include "core/termsafe.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0 when the bytes there are not one
 * (overlong forms and UTF-16 surrogates included). */
static size_t utf8_len(const unsigned char *p)
{
    size_t len = p[0] < 0x80             ? 1
                 : (p[0] & 0xE0) == 0xC0 ? 2
                 : (p[0] & 0xF0) == 0xE0 ? 3
                 : (p[0] & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (len == 0 || (len == 2 && p[0] < 0xC2))
        return 0;
    for (size_t k = 1; k < len; k++)
        if ((p[k] & 0xC0) != 0x80)
            return 0; /* also stops at the terminating NUL */
    if (len == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0)))
        return 0;
    if (len == 4 &&
        ((p[0] == 0xF0 && p[1] < 0x90) || p[0] > 0xF4 || (p[0] == 0xF4 && p[1] >= 0x90)))
        return 0;
    return len;
}

/* A C1 control: U+0080-U+009F, encoded C2 80 to C2 9F. */
static bool is_c1(const unsigned char *p, size_t len)
{
    return len == 2 && p[0] == 0xC2 && p[1] < 0xA0;
}

char *termsafe_line(const char *s, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t o = 0;
    while (*p) {
        size_t len = utf8_len(p);
        char esc[8];
        const void *piece = p;
        size_t n = len;
        if (len == 0 || (len == 1 && (*p < 0x20 || *p == 0x7F))) {
            n = (size_t)snprintf(esc, sizeof esc, "\\x%02x", *p);
            piece = esc;
            len = 1;
        } else if (is_c1(p, len)) {
            n = (size_t)snprintf(esc, sizeof esc, "\\u%04x", p[1]);
            piece = esc;
        }
        if (o + n >= cap)
            break;
        memcpy(out + o, piece, n);
        o += n;
        p += len;
    }
    out[o] = '\0';
    return out;
}

char *termsafe_json(const char *json)
{
    const unsigned char *p = (const unsigned char *)json;
    size_t n = strlen(json);
    char *out = malloc(n * 6 + 1); /* every byte may become a six-byte escape */
    size_t o = 0;
    if (!out)
        return NULL;
    while (*p) {
        size_t len = utf8_len(p);
        if (len == 0) {
            memcpy(out + o, "\\ufffd", 6);
            o += 6;
            p++;
        } else if ((len == 1 && (*p < 0x20 || *p == 0x7F)) || is_c1(p, len)) {
            o += (size_t)snprintf(out + o, 7, "\\u%04x", len == 1 ? *p : p[1]);
            p += len;
        } else {
            memcpy(out + o, p, len);
            o += len;
            p += len;
        }
    }
    out[o] = '\0';
    return out;
}
