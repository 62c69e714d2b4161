/* shared_settings: where the shared Redis is, from LiteLLM's router_settings keys and the
 * REDIS_* environment variables. Pure apart from the environment lookup it is given. The
 * password is copied, never quoted in an error. */
#include "shared/shared.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *real_getenv(const char *name)
{
    return getenv(name);
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

static int copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) into dst (a URL's password may hold '@' or ':' encoded). */
static int decode(char *dst, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        }
        if (o + 1 >= cap)
            return -1;
        dst[o++] = c;
    }
    dst[o] = '\0';
    return 0;
}

static int parse_port(const char *s, int *port)
{
    char *end;
    long p = strtol(s, &end, 10);
    if (end == s || *end || p < 1 || p > 65535)
        return -1;
    *port = (int)p;
    return 0;
}

/* redis://[[user]:password@]host[:port][/db] */
static int parse_url(const char *url, struct shared_settings *o, char *err, size_t cap)
{
    const char *p;
    if (strncmp(url, "rediss://", 9) == 0) {
        snprintf(err, cap, "redis_url: rediss:// (TLS) is not supported; use a local tunnel");
        return -1;
    }
    if (strncmp(url, "redis://", 8) != 0) {
        snprintf(err, cap, "redis_url: expected redis://[:password@]host[:port][/db]");
        return -1;
    }
    p = url + 8;
    const char *at = strrchr(p, '@');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *pw = colon ? colon + 1 : p;
        if (decode(o->password, sizeof o->password, pw, (size_t)(at - pw))) {
            snprintf(err, cap, "redis_url: the password is too long");
            return -1;
        }
        p = at + 1;
    }
    size_t hn = strcspn(p, ":/");
    if (hn == 0 || hn >= sizeof o->host) {
        snprintf(err, cap, "redis_url: expected a host after redis://");
        return -1;
    }
    memcpy(o->host, p, hn);
    o->host[hn] = '\0';
    p += hn;
    if (*p == ':') {
        char port[8] = {0};
        size_t pn = strcspn(p + 1, "/");
        if (pn == 0 || pn >= sizeof port || (memcpy(port, p + 1, pn), parse_port(port, &o->port))) {
            snprintf(err, cap, "redis_url: expected a port from 1 to 65535 after the host");
            return -1;
        }
        p += 1 + pn;
    }
    if (*p == '/' && p[1]) {
        char *end;
        long db = strtol(p + 1, &end, 10);
        if (*end || db < 0 || db > 1000000) {
            snprintf(err, cap, "redis_url: expected a database number after the last /");
            return -1;
        }
        o->db = (int)db;
    }
    return 0;
}

int shared_settings_from(const struct config *cfg, const char *(*getenv_fn)(const char *),
                         struct shared_settings *o, char *err, size_t cap)
{
    const char *(*env)(const char *) = getenv_fn ? getenv_fn : real_getenv;
    memset(o, 0, sizeof *o);
    if (cap)
        err[0] = '\0';
    o->port = 6379;
    o->timeout_ms = cfg && cfg->redis_timeout_ms > 0 ? cfg->redis_timeout_ms : 5;
    const char *url = nonempty(cfg ? cfg->redis_url : NULL);
    const char *host = nonempty(cfg ? cfg->redis_host : NULL);
    const char *pass = nonempty(cfg ? cfg->redis_password : NULL);
    int port = cfg ? cfg->redis_port : 0;
    const char *env_url = nonempty(env("REDIS_URL")), *env_host = nonempty(env("REDIS_HOST"));
    const char *env_port = nonempty(env("REDIS_PORT")), *env_pass = nonempty(env("REDIS_PASSWORD"));
    if (!url && !host && !port && !env_url && !env_host)
        return 0; /* nothing says where: no sharing (a lone port or password is not enough) */
    o->on = true;
    if (!url && !host)
        url = env_url;
    if (url) {
        if (parse_url(url, o, err, cap))
            return -1;
    } else {
        if (copy(o->host, sizeof o->host, host ? host : env_host ? env_host : "127.0.0.1")) {
            snprintf(err, cap, "redis_host: too long");
            return -1;
        }
        if (port)
            o->port = port;
        else if (env_port && parse_port(env_port, &o->port)) {
            snprintf(err, cap, "REDIS_PORT: expected a port from 1 to 65535");
            return -1;
        }
    }
    if (!o->password[0] && (pass || env_pass) &&
        copy(o->password, sizeof o->password, pass ? pass : env_pass)) {
        snprintf(err, cap, "redis_password: too long");
        return -1;
    }
    snprintf(o->where, sizeof o->where, "%s:%d/%d", o->host, o->port, o->db);
    return 0;
}
