/* guard: who may talk to switchboard, decided from a request's Host, Origin and Content-Type
 * before anything else reads it. A web page the user visits must never reach a provider or
 * change state: browsers send an Origin with every cross-origin POST (refused unless it is
 * switchboard's own or configured), a DNS-rebinding page addresses switchboard by the
 * attacker's host name (refused: only this listener's names pass), and a browser cannot send
 * Content-Type: application/json cross-origin without a CORS preflight, which switchboard
 * never answers. Pure functions of their arguments: no civetweb, thread-safe. */
#ifndef SB_GUARD_H
#define SB_GUARD_H

#include <stdbool.h>

#include "config/config.h"

/* The listener: the address it was started on (config host or --host) and its bound port. */
struct guard_listener {
    const char *host;
    int port;
};

/* Whether a Host header value names this listener: 127.0.0.1 (any 127/8), localhost, [::1],
 * the listener's host, or cfg's allowed_hosts; any IP address when listening on every
 * address (0.0.0.0 or ::), since an address literal cannot be rebound to another machine.
 * Any port. NULL (no Host header: HTTP/1.0, never a browser) passes. */
bool guard_host_ok(const struct config *cfg, const struct guard_listener *l, const char *host);
/* Whether an Origin header value is switchboard's own (http, a loopback name or the
 * listener's host, the bound port) or one of cfg's allowed_origins. NULL (no Origin: command
 * line tools and SDKs) passes; "null" (sandboxed frames, file: pages) does not. */
bool guard_origin_ok(const struct config *cfg, const struct guard_listener *l, const char *origin);
/* Whether a Content-Type is application/json (any case, parameters such as charset allowed). */
bool guard_is_json(const char *content_type);

#endif
