/* cfgutil: the pure text rules behind config loading: scalar parsing, os.environ/ references,
 * URL hosts, provider prefixes and '*' globs. Knows nothing of YAML; no state, thread-safe. */
#ifndef SB_CFGUTIL_H
#define SB_CFGUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/api.h"

#define CFGUTIL_NAME_LEN 64

/* Decimal integer with optional sign and YAML 1.1 '_' digit separators ("150_000").
 * Returns 0, -EINVAL (not an integer, e.g. "abc", "0.5") or -ERANGE. */
int cfgutil_parse_long(const char *s, long *out);
/* Finite decimal number ("10", "2.5", "1e3"); no inf/nan/hex. 0 or -EINVAL. */
int cfgutil_parse_double(const char *s, double *out);
/* true/false/yes/no/on/off, any case. 0 or -EINVAL. */
int cfgutil_parse_bool(const char *s, bool *out);
/* Byte size: plain digits or a number with a unit K/KB/KiB/M/MB/MiB/G/GB/GiB (any case,
 * optional space). Units are binary: "32MB" is 32 MiB. 0, -EINVAL or -ERANGE. */
int cfgutil_parse_size(const char *s, size_t *out);

/* Environment reference in a secret-ish string: "os.environ/NAME", "${NAME}" or "$NAME".
 * Returns 1 and copies NAME into name (cap bytes), 0 when s is a literal, -EINVAL when s
 * starts with "os.environ/" but NAME is not [A-Za-z_][A-Za-z0-9_]* (or too long). */
int cfgutil_env_ref(const char *s, char *name, size_t cap);

/* Lower-cased host of an http:// or https:// URL (no port, userinfo or brackets).
 * 0, or -EINVAL when the scheme is missing or the host is empty or longer than cap-1. */
int cfgutil_url_host(const char *url, char *host, size_t cap);
/* True when host is domain or a subdomain of it ("api.z.ai" is "z.ai"; "baz.ai" is not). */
bool cfgutil_host_is(const char *host, const char *domain);

/* A provider prefix switchboard can serve ("cerebras", "anthropic", "openai"). */
struct cfgutil_prov {
    const char *prefix;
    const char *default_base; /* no trailing slash */
    enum api dialect;
};
/* The provider for the n-byte prefix, or NULL when switchboard cannot serve it. */
const struct cfgutil_prov *cfgutil_prov_find(const char *prefix, size_t n);
/* Which service sits behind prov at host (lower-case, from cfgutil_url_host). */
enum provider_kind cfgutil_kind(const struct cfgutil_prov *prov, const char *host);
/* Display name: "cerebras", "zai", "anthropic", or for generic OpenAI the host's
 * second-level label ("groq" for api.groq.com), "openai" when there is none. */
void cfgutil_name(enum provider_kind kind, const char *host, char out[CFGUTIL_NAME_LEN]);

/* '*' matches any run of characters (also empty); everything else matches itself.
 * s is n bytes, not necessarily NUL-terminated. */
bool cfgutil_glob(const char *pat, const char *s, size_t n);
/* Length of s without a trailing "[...]" tag such as Claude Code's "[1m]"; strlen(s) when
 * there is none or the tag is all there is. */
size_t cfgutil_strip_tag(const char *s);

#endif
