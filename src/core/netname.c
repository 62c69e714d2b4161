/* netname: Host headers and origins parsed strictly, hosts normalized. */
#include "core/netname.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool netname_is_ip(const char *host)
{
    unsigned char a[16];
    return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

bool netname_is_loopback(const char *host)
{
    unsigned char a[16];
    if (strcmp(host, "localhost") == 0)
        return true;
    if (inet_pton(AF_INET, host, a) == 1)
        return a[0] == 127;
    static const unsigned char v6_loop[16] = {[15] = 1};
    return inet_pton(AF_INET6, host, a) == 1 && memcmp(a, v6_loop, 16) == 0;
}

bool netname_is_wildcard(const char *host)
{
    unsigned char a[16];
    static const unsigned char zero[16];
    if (inet_pton(AF_INET, host, a) == 1)
        return memcmp(a, zero, 4) == 0;
    return inet_pton(AF_INET6, host, a) == 1 && memcmp(a, zero, 16) == 0;
}

/* A DNS-style name: labels of letters, digits, '-' and '_' (container and service names use
 * it) joined by single dots, no leading or trailing dot. */
static bool dns_name(const char *s, size_t n)
{
    bool label_start = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (label_start)
                return false;
            label_start = true;
            continue;
        }
        if (!isalnum(c) && c != '-' && c != '_')
            return false;
        label_start = false;
    }
    return n > 0 && !label_start;
}

/* Host of n bytes at s (brackets included for IPv6) into out, lower-cased. */
static int take_host(const char *s, size_t n, char out[NETNAME_HOST_MAX])
{
    bool v6 = n >= 2 && s[0] == '[' && s[n - 1] == ']';
    if (v6) {
        s++;
        n -= 2;
    }
    if (n == 0 || n >= NETNAME_HOST_MAX)
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[n] = '\0';
    unsigned char a[16];
    if (v6)
        return inet_pton(AF_INET6, out, a) == 1 ? 0 : -EINVAL;
    return dns_name(out, n) ? 0 : -EINVAL; /* dotted quads pass as names too */
}

/* ":port" or "" at s; sets *port (-1 for none). */
static int take_port(const char *s, int *port)
{
    *port = -1;
    if (!*s)
        return 0;
    if (*s != ':' || !s[1] || strlen(s + 1) > 5)
        return -EINVAL;
    int v = 0;
    for (const char *p = s + 1; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return -EINVAL;
        v = v * 10 + (*p - '0');
    }
    if (v < 1 || v > 65535)
        return -EINVAL;
    *port = v;
    return 0;
}

/* "host[:port]" where host may be bracketed. */
static int host_port(const char *s, struct netname *out)
{
    const char *end;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close)
            return -EINVAL;
        end = close + 1;
    } else {
        end = s + strcspn(s, ":");
    }
    if (take_host(s, (size_t)(end - s), out->host) != 0)
        return -EINVAL;
    return take_port(end, &out->port);
}

int netname_host(const char *s, struct netname *out)
{
    memset(out, 0, sizeof *out);
    out->port = -1;
    return s ? host_port(s, out) : -EINVAL;
}

int netname_origin(const char *s, struct netname *out)
{
    memset(out, 0, sizeof *out);
    out->port = -1;
    if (!s)
        return -EINVAL;
    if (strncasecmp(s, "http://", 7) == 0) {
        snprintf(out->scheme, sizeof out->scheme, "http");
        s += 7;
    } else if (strncasecmp(s, "https://", 8) == 0) {
        snprintf(out->scheme, sizeof out->scheme, "https");
        s += 8;
    } else {
        return -EINVAL;
    }
    if (strpbrk(s, "/?#@ \t") || host_port(s, out) != 0)
        return -EINVAL;
    if (out->port < 0)
        out->port = out->scheme[4] == 's' ? 443 : 80;
    return 0;
}

int netname_norm_host(const char *s, char out[NETNAME_HOST_MAX])
{
    unsigned char a[16];
    size_t n = s ? strlen(s) : 0;
    if (n > 0 && s[0] != '[' && inet_pton(AF_INET6, s, a) == 1) {
        if (n >= NETNAME_HOST_MAX)
            return -EINVAL;
        for (size_t i = 0; i <= n; i++)
            out[i] = (char)tolower((unsigned char)s[i]);
        return 0;
    }
    return s ? take_host(s, n, out) : -EINVAL;
}

bool netname_same_host(const char *a, const char *b)
{
    unsigned char x[16], y[16];
    if (inet_pton(AF_INET, a, x) == 1 && inet_pton(AF_INET, b, y) == 1)
        return memcmp(x, y, 4) == 0;
    if (inet_pton(AF_INET6, a, x) == 1 && inet_pton(AF_INET6, b, y) == 1)
        return memcmp(x, y, 16) == 0;
    return strcasecmp(a, b) == 0;
}
