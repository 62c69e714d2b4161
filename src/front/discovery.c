/* discovery: one provider's model list over a private libcurl easy handle (see discovery.h).
 * Where to ask and whether the list is complete come from the provider's row of the provider
 * table (xlate/provider_rules.h). */
#include "front/discovery.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cJSON.h>
#include <curl/curl.h>

#include "core/buf.h"
#include "core/json.h"
#include "front/upstream.h"
#include "xlate/provider_rules.h"

#define DEFAULT_TIMEOUT_S 15.0
#define DEFAULT_CONNECT_S 10.0

const char *discovery_result_name(enum discovery_result r)
{
    static const char *const names[] = {"ok", "no list", "no key", "key refused", "failed"};
    return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "?";
}

static void say(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *err, size_t n, const char *fmt, ...)
{
    if (!err || n == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

/* ---- parsing ---- */

int discovery_parse_list(const char *body, size_t len, struct lineup_offer *out)
{
    cJSON *j = json_parse(body ? body : "", body ? len : 0);
    const cJSON *data = cJSON_IsArray(j) ? j : json_arr(j, "data"), *m;
    memset(out, 0, sizeof *out);
    if (!data) {
        cJSON_Delete(j);
        return -EINVAL;
    }
    out->complete = true;
    cJSON_ArrayForEach(m, data)
    {
        const char *id = cJSON_IsString(m) ? m->valuestring : json_str(m, "id");
        if (id && !lineup_offer_add(out, id, 0))
            out->complete = false; /* more than we keep: what is left out is not "gone" */
    }
    /* Anthropic's Models API pages its list; a later page may hold the model */
    if (json_bool(j, "has_more", false))
        out->complete = false;
    cJSON_Delete(j);
    return 0;
}

int discovery_parse_catalog(const char *body, size_t len, struct lineup_offer *out)
{
    cJSON *j = json_parse(body ? body : "", body ? len : 0);
    const cJSON *data = json_arr(j, "data"), *m;
    if (!data) {
        cJSON_Delete(j);
        return -EINVAL;
    }
    cJSON_ArrayForEach(m, data)
    {
        int at = lineup_offer_find(out, json_str(m, "id"));
        double ctx = json_num(json_obj(m, "limits"), "max_context_length", 0);
        if (at >= 0 && ctx > 0 && ctx < 1e10)
            out->context[at] = (long)ctx;
    }
    cJSON_Delete(j);
    return 0;
}

/* ---- one GET ---- */

struct sink {
    struct buf body;
    const volatile int *abort_flag;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct sink *s = ud;
    return buf_append(&s->body, p, size * n) == 0 ? size * n : 0; /* over the cap: abort */
}

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    const struct sink *s = ud;
    return s->abort_flag && __atomic_load_n(s->abort_flag, __ATOMIC_ACQUIRE) ? 1 : 0;
}

static struct curl_slist *auth_headers(const struct discovery_target *t, bool with_key)
{
    struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
    if (t->dialect == API_ANTHROPIC)
        h = curl_slist_append(h, "anthropic-version: 2023-06-01");
    return with_key ? upstream_auth_header(h, t->kind, t->api_key) : h;
}

/* GET url; *status gets the HTTP status (0 when none came). 0, or the curl error. */
static CURLcode get(const struct discovery_target *t, const char *url, bool with_key,
                    struct sink *s, long *status)
{
    CURL *e = curl_easy_init();
    *status = 0;
    if (!e)
        return CURLE_OUT_OF_MEMORY;
    struct curl_slist *h = auth_headers(t, with_key);
    double total = t->timeout_s > 0 ? t->timeout_s : DEFAULT_TIMEOUT_S;
    double conn = t->connect_timeout_s > 0 ? t->connect_timeout_s : DEFAULT_CONNECT_S;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(total * 1000));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(conn * 1000));
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, s);
    CURLcode rc = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(e);
    curl_slist_free_all(h);
    return rc;
}

/* ---- the list and the catalogue ---- */

static enum discovery_result fetch_list(const struct discovery_target *t,
                                        const struct provider_rules *r, struct lineup_offer *out,
                                        char *err, size_t n)
{
    struct buf url;
    struct sink s = {.abort_flag = t->abort_flag};
    long status;
    buf_init(&url, 4096);
    buf_init(&s.body, DISCOVERY_BODY_MAX);
    buf_printf(&url, "%s%s", t->api_base, r->models_path);
    CURLcode rc = get(t, buf_cstr(&url), true, &s, &status);
    enum discovery_result res = DISCOVERY_FAILED;
    if (rc != CURLE_OK)
        say(err, n, "GET %s: %s", buf_cstr(&url), curl_easy_strerror(rc));
    else if (status == 401 || status == 403)
        res = DISCOVERY_AUTH,
        say(err, n, "GET %s: the key was refused (HTTP %ld)", url.data, status);
    else if (status == 404 || status == 405)
        res = DISCOVERY_NO_LIST,
        say(err, n, "GET %s: no model list here (HTTP %ld)", url.data, status);
    else if (status != 200)
        say(err, n, "GET %s: HTTP %ld", url.data, status);
    else if (discovery_parse_list(s.body.data, s.body.len, out) != 0)
        say(err, n, "GET %s: not a model list", url.data);
    else
        res = DISCOVERY_OK;
    buf_release(&url);
    buf_release(&s.body);
    return res;
}

/* The public catalogue only adds context lengths: when it fails, the list still stands. */
static void fetch_catalog(const struct discovery_target *t, const struct provider_rules *r,
                          struct lineup_offer *out)
{
    struct buf url;
    struct sink s = {.abort_flag = t->abort_flag};
    long status;
    size_t base = strlen(t->api_base);
    if (base >= 3 && strcmp(t->api_base + base - 3, "/v1") == 0)
        base -= 3; /* the catalogue sits beside /v1, at the origin */
    buf_init(&url, 4096);
    buf_init(&s.body, DISCOVERY_BODY_MAX);
    buf_printf(&url, "%.*s%s", (int)base, t->api_base, r->catalog_path);
    if (get(t, buf_cstr(&url), false, &s, &status) == CURLE_OK && status == 200)
        discovery_parse_catalog(s.body.data, s.body.len, out);
    buf_release(&url);
    buf_release(&s.body);
}

enum discovery_result discovery_fetch(const struct discovery_target *t, struct lineup_offer *out,
                                      char *err, size_t errlen)
{
    const struct provider_rules *r = provider_rules_for(t->kind, NULL);
    memset(out, 0, sizeof *out);
    say(err, errlen, "%s", "");
    if (!r->models_path || !t->api_base) {
        say(err, errlen, "%s publishes no model list", r->label);
        return DISCOVERY_NO_LIST;
    }
    if (!t->api_key) {
        say(err, errlen, "no key to ask %s with", r->label);
        return DISCOVERY_NO_KEY;
    }
    enum discovery_result res = fetch_list(t, r, out, err, errlen);
    if (res != DISCOVERY_OK)
        return res;
    out->complete = out->complete && r->lineup_complete;
    if (r->catalog_path)
        fetch_catalog(t, r, out);
    return DISCOVERY_OK;
}
