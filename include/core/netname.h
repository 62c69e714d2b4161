/* netname: the two names a request gives for where it is going, parsed strictly: a Host
 * header ("name", "name:port", "[v6]:port") and an Origin ("scheme://host[:port]"). Hosts
 * come out lower-cased without brackets, ports as numbers. Used by the config (allowed
 * hosts and origins) and the front (DNS-rebinding and cross-origin checks). Pure, no state,
 * thread-safe. */
#ifndef SB_NETNAME_H
#define SB_NETNAME_H

#include <stdbool.h>
#include <stddef.h>

#define NETNAME_HOST_MAX 256

struct netname {
    char scheme[8]; /* "http" or "https" for origins, "" for Host headers */
    char host[NETNAME_HOST_MAX];
    int port; /* -1 when the text gives none (an origin gets its scheme's default) */
};

/* A Host header value. 0, or -EINVAL for anything but a DNS-style name, an IPv4 address or a
 * bracketed IPv6 address, with an optional port of 1 to 5 digits (empty, "a b", "x@y",
 * "[::1" and a trailing dot are all -EINVAL). */
int netname_host(const char *s, struct netname *out);
/* A serialized origin: http or https, a host as above, an optional port; no path, query,
 * userinfo or trailing slash. "null" and anything else are -EINVAL. port gets the scheme's
 * default (80, 443) when absent, so "http://a" and "http://a:80" compare equal. */
int netname_origin(const char *s, struct netname *out);
/* A host (no brackets) that is an IPv4 or IPv6 address literal. */
bool netname_is_ip(const char *host);
/* 127.0.0.0/8, ::1 or "localhost". */
bool netname_is_loopback(const char *host);
/* 0.0.0.0 or :: (every address of the machine). */
bool netname_is_wildcard(const char *host);
/* Whether two normalized hosts name the same thing: equal addresses when both are IP
 * literals ("::1" and "0::1"), else equal names ignoring case. */
bool netname_same_host(const char *a, const char *b);
/* The host as a config gives it ("::1", "[::1]", "Example.COM"), normalized like the
 * parsers' output into out. 0 or -EINVAL. */
int netname_norm_host(const char *s, char out[NETNAME_HOST_MAX]);

#endif
