/* fixture_simprov: a simulated provider on loopback driven with libcurl, shared by the
 * simprov tests. Included by test files only (cmocka must be included first). */
#ifndef SB_FIXTURE_SIMPROV_H
#define SB_FIXTURE_SIMPROV_H

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "core/buf.h"
#include "core/json.h"
#include "sim/simprov.h"

#define KEY "sk-test"

struct resp {
    CURLcode rc;
    long status;
    struct buf body;
    struct buf head;
};

static inline size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    return buf_append(ud, p, size * n) == 0 ? size * n : 0;
}

static inline void resp_release(struct resp *r)
{
    buf_release(&r->body);
    buf_release(&r->head);
}

/* One request; auth "" sends no key. timeout_ms 0 = 10 s. */
static inline void http(struct resp *r, struct simprov *s, const char *method, const char *path,
                        const char *body, const char *auth, long timeout_ms)
{
    char url[256], hdr[128];
    struct curl_slist *h = NULL;
    CURL *c = curl_easy_init();
    assert_non_null(c);
    memset(r, 0, sizeof(*r));
    buf_init(&r->body, 256u << 20);
    buf_init(&r->head, 1u << 20);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", simprov_port(s), path);
    if (auth && *auth) {
        snprintf(hdr, sizeof(hdr), "%s", auth);
        h = curl_slist_append(h, hdr);
    }
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms ? timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->head);
    r->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
}

static inline void post(struct resp *r, struct simprov *s, const char *path, const char *body)
{
    http(r, s, "POST", path, body, "Authorization: Bearer " KEY, 0);
}

/* Value of a response header (case-insensitive name), copied into out; NULL if absent. */
static inline const char *header(struct resp *r, const char *name, char *out, size_t n)
{
    const char *p = buf_cstr(&r->head);
    size_t len = strlen(name);
    for (; (p = strchr(p, '\n')) != NULL; p++) {
        if (strncasecmp(p + 1, name, len) != 0 || p[1 + len] != ':')
            continue;
        const char *v = p + 2 + len;
        while (*v == ' ')
            v++;
        size_t m = strcspn(v, "\r\n");
        snprintf(out, n, "%.*s", (int)(m < n ? m : n - 1), v);
        return out;
    }
    return NULL;
}

static inline struct simprov *start(enum api d, int rpm, const char *key)
{
    char err[SIMPROV_ERR_LEN];
    struct simprov_opts o = {.dialect = d,
                             .port = 0,
                             .api_key = key,
                             .rpm_limit = rpm,
                             .reply_tokens = 12,
                             .threads = 8};
    struct simprov *s = simprov_start(&o, err);
    if (!s)
        fail_msg("simprov_start: %s", err);
    assert_true(simprov_port(s) > 0);
    return s;
}

static inline cJSON *body_json(struct resp *r)
{
    cJSON *j = json_parse(r->body.data ? r->body.data : "", r->body.len);
    assert_non_null(j);
    return j;
}

#endif
