/* cfgutil: text rules for config values. Leaf module: libc only, no YAML, no state. */
#include "config/cfgutil.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct cfgutil_prov provs[] = {
    {"cerebras", "https://api.cerebras.ai/v1", API_OPENAI},
    {"openai", "https://api.openai.com/v1", API_OPENAI},
    {"anthropic", "https://api.anthropic.com", API_ANTHROPIC},
};

int cfgutil_parse_long(const char *s, long *out)
{
    long v = 0;
    bool neg = false, digit = false;

    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    for (; *s; s++) {
        if (*s == '_' && digit && isdigit((unsigned char)s[1]))
            continue;
        if (!isdigit((unsigned char)*s))
            return -EINVAL;
        int d = *s - '0';
        /* Accumulate negatively so LONG_MIN still fits. */
        if (v < (LONG_MIN + d) / 10)
            return -ERANGE;
        v = v * 10 - d;
        digit = true;
    }
    if (!digit)
        return -EINVAL;
    if (!neg && v == LONG_MIN)
        return -ERANGE;
    *out = neg ? v : -v;
    return 0;
}

int cfgutil_parse_double(const char *s, double *out)
{
    char *end;
    bool digit = false;

    /* strtod alone would also take "inf", "nan" and hex floats. */
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p))
            digit = true;
        else if (!strchr("+-.eE", *p))
            return -EINVAL;
    }
    if (!digit)
        return -EINVAL;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno == ERANGE || v != v)
        return -EINVAL;
    *out = v;
    return 0;
}

int cfgutil_parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on"};
    static const char *const no[] = {"false", "no", "off"};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
            *out = !strcasecmp(s, yes[i]);
            return 0;
        }
    }
    return -EINVAL;
}

static int unit_shift(const char *u)
{
    static const struct {
        const char *name;
        int shift;
    } units[] = {{"", 0},    {"b", 0},    {"k", 10}, {"kb", 10}, {"kib", 10}, {"m", 20},
                 {"mb", 20}, {"mib", 20}, {"g", 30}, {"gb", 30}, {"gib", 30}};

    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (!strcasecmp(u, units[i].name))
            return units[i].shift;
    return -1;
}

int cfgutil_parse_size(const char *s, size_t *out)
{
    unsigned long long v = 0;
    const char *p = s;

    if (!isdigit((unsigned char)*p))
        return -EINVAL;
    for (; isdigit((unsigned char)*p); p++) {
        if (v > (ULLONG_MAX - 9) / 10)
            return -ERANGE;
        v = v * 10 + (unsigned)(*p - '0');
    }
    while (*p == ' ')
        p++;
    int shift = unit_shift(p);
    if (shift < 0)
        return -EINVAL;
    if (v > (SIZE_MAX >> shift))
        return -ERANGE;
    *out = (size_t)v << shift;
    return 0;
}

/* Length of the environment variable name at s, 0 when s does not start with one. */
static size_t name_len(const char *s)
{
    size_t n = 0;

    if (!isalpha((unsigned char)*s) && *s != '_')
        return 0;
    while (isalnum((unsigned char)s[n]) || s[n] == '_')
        n++;
    return n;
}

static int copy_name(const char *s, size_t n, char *name, size_t cap)
{
    if (n == 0 || n >= cap)
        return -EINVAL;
    memcpy(name, s, n);
    name[n] = '\0';
    return 1;
}

int cfgutil_env_ref(const char *s, char *name, size_t cap)
{
    static const char env[] = "os.environ/";
    size_t n;

    if (!strncmp(s, env, sizeof(env) - 1)) {
        s += sizeof(env) - 1;
        n = name_len(s);
        return s[n] ? -EINVAL : copy_name(s, n, name, cap);
    }
    /* "$..." that is not exactly a variable stays a literal: a key may contain '$'. */
    if (s[0] == '$' && s[1] == '{') {
        n = name_len(s + 2);
        if (n && s[2 + n] == '}' && !s[3 + n])
            return copy_name(s + 2, n, name, cap) < 0 ? 0 : 1;
        return 0;
    }
    if (s[0] == '$') {
        n = name_len(s + 1);
        if (n && !s[1 + n])
            return copy_name(s + 1, n, name, cap) < 0 ? 0 : 1;
    }
    return 0;
}

int cfgutil_url_host(const char *url, char *host, size_t cap)
{
    const char *p, *end;

    if (!strncasecmp(url, "http://", 7))
        p = url + 7;
    else if (!strncasecmp(url, "https://", 8))
        p = url + 8;
    else
        return -EINVAL;
    end = p + strcspn(p, "/?#");
    const char *at = memchr(p, '@', (size_t)(end - p));
    if (at)
        p = at + 1;
    if (*p == '[') {
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (!close)
            return -EINVAL;
        end = close;
        p++;
    } else {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        if (colon)
            end = colon;
    }
    size_t n = (size_t)(end - p);
    if (n == 0 || n >= cap)
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        host[i] = (char)tolower((unsigned char)p[i]);
    host[n] = '\0';
    return 0;
}

bool cfgutil_host_is(const char *host, const char *domain)
{
    size_t h = strlen(host), d = strlen(domain);

    if (h == d)
        return !strcmp(host, domain);
    return h > d && host[h - d - 1] == '.' && !strcmp(host + h - d, domain);
}

const struct cfgutil_prov *cfgutil_prov_find(const char *prefix, size_t n)
{
    for (size_t i = 0; i < sizeof(provs) / sizeof(provs[0]); i++)
        if (strlen(provs[i].prefix) == n && !strncmp(provs[i].prefix, prefix, n))
            return &provs[i];
    return NULL;
}

static bool is_zai_host(const char *host)
{
    return cfgutil_host_is(host, "z.ai") || strstr(host, "bigmodel") != NULL;
}

enum provider_kind cfgutil_kind(const struct cfgutil_prov *prov, const char *host)
{
    if (!strcmp(prov->prefix, "cerebras"))
        return PROVIDER_CEREBRAS;
    if (!strcmp(prov->prefix, "anthropic"))
        return is_zai_host(host) ? PROVIDER_ZAI : PROVIDER_ANTHROPIC;
    /* openai/ pointed at Cerebras still gets Cerebras' strict field rules. Z.AI's OpenAI
     * endpoint has none of the quirks PROVIDER_ZAI stands for, so it stays generic. */
    return cfgutil_host_is(host, "cerebras.ai") ? PROVIDER_CEREBRAS : PROVIDER_GENERIC_OPENAI;
}

/* Start and length of the label idx places from the right (0 = top-level domain). */
static bool label_at(const char *host, int idx, const char **start, size_t *n)
{
    const char *end = host + strlen(host);

    for (int i = 0;; i++) {
        const char *p = end;
        while (p > host && p[-1] != '.')
            p--;
        if (i == idx) {
            *start = p;
            *n = (size_t)(end - p);
            return *n > 0;
        }
        if (p == host)
            return false;
        end = p - 1;
    }
}

/* Second-level label of host ("groq" in api.groq.com; "foo" in api.foo.co.uk). */
static bool host_label(const char *host, char out[CFGUTIL_NAME_LEN])
{
    static const char *const generic[] = {"co", "com", "net", "org", "ac", "gov", "edu"};
    const char *p;
    size_t n, tld;

    if (strspn(host, "0123456789.") == strlen(host) || strchr(host, ':'))
        return false;
    if (!label_at(host, 0, &p, &tld) || !label_at(host, 1, &p, &n))
        return false;
    for (size_t i = 0; tld == 2 && i < sizeof(generic) / sizeof(generic[0]); i++) {
        if (strlen(generic[i]) == n && !strncmp(p, generic[i], n)) {
            if (!label_at(host, 2, &p, &n))
                return false;
            break;
        }
    }
    if (n >= CFGUTIL_NAME_LEN)
        return false;
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

void cfgutil_name(enum provider_kind kind, const char *host, char out[CFGUTIL_NAME_LEN])
{
    const char *name = "openai";

    if (kind == PROVIDER_CEREBRAS)
        name = "cerebras";
    else if (kind == PROVIDER_ZAI || (kind == PROVIDER_GENERIC_OPENAI && is_zai_host(host)))
        name = "zai";
    else if (kind == PROVIDER_ANTHROPIC)
        name = "anthropic";
    else if (host_label(host, out))
        return;
    strcpy(out, name);
}

bool cfgutil_glob(const char *pat, const char *s, size_t n)
{
    const char *star = NULL;
    size_t i = 0, resume = 0;

    /* Greedy match that backtracks only to the last '*': linear in practice. */
    while (i < n) {
        if (*pat == '*') {
            star = ++pat;
            resume = i;
        } else if (*pat && *pat == s[i]) {
            pat++;
            i++;
        } else if (star) {
            pat = star;
            i = ++resume;
        } else {
            return false;
        }
    }
    while (*pat == '*')
        pat++;
    return *pat == '\0';
}

size_t cfgutil_strip_tag(const char *s)
{
    size_t n = strlen(s);
    const char *open = strrchr(s, '[');

    if (n == 0 || s[n - 1] != ']' || !open || open == s)
        return n;
    return (size_t)(open - s);
}
