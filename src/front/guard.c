/* guard: Host, Origin and Content-Type rules (see guard.h for why each exists). */
#include "front/guard.h"

#include <string.h>
#include <strings.h>

#include "core/netname.h"

static bool listed(char *const *items, size_t n, const char *host)
{
    for (size_t i = 0; i < n; i++)
        if (netname_same_host(items[i], host))
            return true;
    return false;
}

/* The listener's host, normalized, or "" when it is not one a client could name. */
static void listener_host(const struct guard_listener *l, char out[NETNAME_HOST_MAX])
{
    if (!l->host || netname_norm_host(l->host, out) != 0)
        out[0] = '\0';
}

bool guard_host_ok(const struct config *cfg, const struct guard_listener *l, const char *host)
{
    struct netname h;
    char mine[NETNAME_HOST_MAX];
    if (!host)
        return true;
    if (netname_host(host, &h) != 0)
        return false;
    if (netname_is_loopback(h.host))
        return true;
    listener_host(l, mine);
    if (mine[0] && netname_same_host(mine, h.host))
        return true;
    if (mine[0] && netname_is_wildcard(mine) && netname_is_ip(h.host))
        return true;
    return cfg && listed(cfg->allowed_hosts, cfg->n_allowed_hosts, h.host);
}

static bool same_origin(const struct netname *a, const char *b_text)
{
    struct netname b;
    return netname_origin(b_text, &b) == 0 && strcmp(a->scheme, b.scheme) == 0 &&
           a->port == b.port && netname_same_host(a->host, b.host);
}

bool guard_origin_ok(const struct config *cfg, const struct guard_listener *l, const char *origin)
{
    struct netname o;
    char mine[NETNAME_HOST_MAX];
    if (!origin)
        return true;
    if (netname_origin(origin, &o) != 0)
        return false;
    for (size_t i = 0; cfg && i < cfg->n_allowed_origins; i++)
        if (same_origin(&o, cfg->allowed_origins[i]))
            return true;
    if (strcmp(o.scheme, "http") != 0 || o.port != l->port)
        return false;
    if (netname_is_loopback(o.host))
        return true;
    /* Listening on every address: which of them is ours is unknown, and another machine's
     * page on the same port must not pass as switchboard's own. */
    listener_host(l, mine);
    return mine[0] && !netname_is_wildcard(mine) && netname_same_host(mine, o.host);
}

bool guard_is_json(const char *content_type)
{
    if (!content_type)
        return false;
    const char *p = content_type + strspn(content_type, " \t");
    size_t n = strcspn(p, ";");
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return n == 16 && strncasecmp(p, "application/json", 16) == 0;
}
