/* simprov: a simulated Cerebras (OpenAI dialect) or Z.AI (Anthropic dialect) endpoint on
 * loopback for tests and the demo. Routes requests, keeps the counters, the rate-limit window
 * and the fault mode; simprov_reply decides answers, simprov_send writes them. */
#include "sim/simprov.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <civetweb.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "front/civet_opts.h"
#include "sim/simprov_fault.h"
#include "sim/simprov_limits.h"
#include "sim/simprov_lineup.h"
#include "sim/simprov_reply.h"
#include "sim/simprov_send.h"
#include "sim/simprov_validate.h"
#include "sim/simprov_wake.h"

#define BODY_CAP      (64u << 20)
#define SLOW_MS       30000.0
#define FLAP_PERIOD_S 2.0
#define REPLY_HOOK    "[[reply_tokens="

struct simprov {
    struct mg_context *ctx;
    enum api dialect;
    char *name;
    char *api_key;
    char *host;
    int rpm_limit;
    double window_s;
    long tpm_limit;
    double tokens_per_s;
    double first_byte_ms;
    int reply_tokens;
    int port;
    atomic_bool stopping;
    pthread_mutex_t mu; /* guards everything below; held only to copy or update numbers */
    struct simprov_stats st;
    struct simlim lim;
    int64_t clock_off_ms; /* simprov_advance: how far its clock runs ahead */
    enum simprov_fault fault;
    int fault_arg;
    int fault_left; /* requests a counted fault still applies to */
    double fault_since;
    char *last; /* the last completions request as JSON */
    unsigned long seq;
    struct simprov_lineup lineup; /* the models served */
    int models_fail;              /* status the model list answers with; 0 = it works */
};

/* One completions request while it is served. */
struct req {
    struct simprov *s;
    struct mg_connection *conn;
    const struct mg_request_info *ri;
    struct simprov_out out;
    struct buf body;
    cJSON *json;
    enum simprov_fault fault;
    int fault_arg;
    bool rejected;
    bool zai_admitted; /* holds a concurrency slot until the answer ends */
    bool settled;      /* counted as answered */
    int status;        /* of the answer being sent */
    char rid[40];
    char headers[1024];
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* ---- accounting ---- */

/* Counts the request in and takes the fault in force for it ("flap" resolved to now). */
static void begin(struct req *q)
{
    struct simprov *s = q->s;
    pthread_mutex_lock(&s->mu);
    s->st.requests++;
    s->st.in_flight++;
    if (s->st.in_flight > s->st.max_in_flight)
        s->st.max_in_flight = s->st.in_flight;
    q->fault = s->fault;
    q->fault_arg = s->fault_arg;
    if (simprov_fault_counted(s->fault) && --s->fault_left <= 0)
        s->fault = SIMPROV_F_NONE; /* the last request this fault applies to */
    if (q->fault == SIMPROV_F_FLAP) {
        long phase = (long)(((clock_mono_ms() / 1e3) - s->fault_since) / FLAP_PERIOD_S);
        q->fault = phase % 2 ? SIMPROV_F_503 : SIMPROV_F_NONE;
    }
    snprintf(q->rid, sizeof(q->rid), "%08lx%08lx", ++s->seq, (unsigned long)random());
    pthread_mutex_unlock(&s->mu);
}

/* Counts the answer, just before its last bytes go out: a client that reads the stats right
 * after its answer must find it counted. */
static void settle(void *arg)
{
    struct req *q = arg;
    struct simprov *s = q->s;
    if (q->settled)
        return;
    q->settled = true;
    pthread_mutex_lock(&s->mu);
    s->st.in_flight--;
    if (q->status >= 200 && q->status < 300)
        s->st.ok++;
    if (q->status == 429)
        s->st.rate_limited++;
    if (q->rejected)
        s->st.rejected++;
    pthread_mutex_unlock(&s->mu);
}

static void end(struct req *q, int status)
{
    struct simprov *s = q->s;
    if (!q->settled) {
        q->status = status;
        settle(q);
    }
    pthread_mutex_lock(&s->mu);
    if (q->out.aborted)
        s->st.aborted++;
    if (q->zai_admitted)
        simlim_done(&s->lim);
    pthread_mutex_unlock(&s->mu);
}

/* The provider's clock: monotonic ms, moved on by simprov_advance. Call with mu held. */
static int64_t now_ms_locked(const struct simprov *s)
{
    return (int64_t)clock_mono_ms() + s->clock_off_ms;
}

/* Cerebras's x-ratelimit-* set, as they stand after this request was booked. */
static void std_headers(struct req *q)
{
    struct simprov *s = q->s;
    pthread_mutex_lock(&s->mu);
    simlim_headers(&s->lim, now_ms_locked(s), q->headers, sizeof(q->headers) - 64);
    pthread_mutex_unlock(&s->mu);
    size_t n = strlen(q->headers);
    snprintf(q->headers + n, sizeof(q->headers) - n, "cerebras-request-id: %s\r\n", q->rid);
}

/* The headers every answer of the dialect carries (rate-limit faults override them). */
static void answer_headers(struct req *q)
{
    if (q->s->dialect == API_OPENAI)
        std_headers(q);
    else
        snprintf(q->headers, sizeof(q->headers), "request-id: req_%s\r\n", q->rid);
}

/* The budget the request sends (max_completion_tokens, else max_tokens), or -1. */
static long budget_sent(const struct req *q)
{
    double max = json_num(q->json, "max_completion_tokens", -1);
    if (max < 0)
        max = json_num(q->json, "max_tokens", -1);
    if (max < 0)
        return -1;
    return max <= 1e9 ? (long)max : 1000000000L; /* validated already; keeps the cast defined */
}

/* Input tokens as this provider counts them (4 bytes of body per token). */
static long input_tokens(const struct req *q)
{
    return (long)(q->body.len / 4);
}

/* Admission by the provider's limits. Returns the error that refused it, or -1 when it is
 * admitted; msg gets the refusal's own words when they differ from the table's. */
static int admit(struct req *q, char *msg, size_t cap)
{
    struct simprov *s = q->s;
    int w = 0, refused = -1;
    msg[0] = '\0';
    pthread_mutex_lock(&s->mu);
    int64_t now = now_ms_locked(s);
    if (s->dialect == API_OPENAI) {
        long booking = simlim_booking(&s->lim, input_tokens(q), budget_sent(q));
        enum simlim_refusal why = simlim_admit_buckets(&s->lim, now, booking, &w);
        if (why != SIMLIM_OK) {
            /* which bucket, in Cerebras's words (protocol.md §4) */
            static const char *const win[] = {"minute", "hour", "day"};
            refused = why == SIMLIM_REQUESTS ? SIMPROV_E_RPM : SIMPROV_E_TPM;
            snprintf(msg, cap,
                     why == SIMLIM_REQUESTS
                         ? "Requests per %s limit exceeded - too many requests sent."
                         : "Tokens per %s limit exceeded - too many tokens processed.",
                     win[w]);
        } else {
            s->st.booked_tokens += booking;
        }
    } else {
        double wall = (double)clock_wall_ms() / 1000.0 + (double)s->clock_off_ms / 1000.0;
        double reset = 0;
        enum simlim_refusal why = simlim_admit_zai(&s->lim, wall, &reset);
        if (why == SIMLIM_CONCURRENCY) {
            refused = SIMPROV_E_CONCURRENCY;
        } else if (why == SIMLIM_PLAN) {
            char at[20];
            simlim_beijing_time(reset, at);
            snprintf(msg, cap, "Usage limit reached for 5 hour. Your limit will reset at %s", at);
            refused = SIMPROV_E_PLAN_5H;
        } else {
            q->zai_admitted = true;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return refused;
}

/* ---- answers ---- */

static int send_json(struct simprov_out *out, int status, const char *body)
{
    const char *b = body ? body : "{}";
    simprov_send_body(out, status, "application/json", b, strlen(b), SIMPROV_DELIVER_NORMAL);
    return status;
}

static int send_error(struct req *q, enum simprov_err e, const char *msg)
{
    /* Like OpenAI ("Incorrect API key provided: sk-…"), a refused key is quoted back:
     * switchboard must keep it out of everything it passes on. */
    char quoted[256];
    const char *auth = mg_get_header(q->conn, "Authorization");
    const char *given = mg_get_header(q->conn, "x-api-key");
    if (!given && auth)
        given = strncasecmp(auth, "Bearer ", 7) == 0 ? auth + 7 : auth;
    if (e == SIMPROV_E_AUTH && !msg && given) {
        snprintf(quoted, sizeof quoted, "Incorrect API key provided: %.200s", given);
        msg = quoted;
    }
    char *body = simprov_fault_body(q->s->dialect, e, msg, q->rid);
    int status = simprov_fault_status(e);
    q->out.headers = q->headers;
    q->status = status;
    send_json(&q->out, status, body);
    free(body);
    return status;
}

static int reject(struct req *q, const char *why)
{
    const struct mg_request_info *ri = q->ri;
    q->rejected = true;
    /* One line per rejection helps debug translation, but must not scribble over a TUI. */
    if (!isatty(STDERR_FILENO))
        fprintf(stderr, "simprov %s: rejected %s %s: %s\n", q->s->name, ri->request_method,
                ri->local_uri, why);
    return send_error(q, SIMPROV_E_INVALID, why);
}

static int answer_429_fault(struct req *q)
{
    int n = 0;
    if (q->fault == SIMPROV_F_429)
        n = snprintf(q->headers, sizeof(q->headers), "retry-after: %d\r\n", q->fault_arg);
    else if (q->fault == SIMPROV_F_429_RESET)
        n = snprintf(q->headers, sizeof(q->headers),
                     "x-ratelimit-reset-requests-minute: 9.5\r\n"
                     "x-ratelimit-reset-tokens-minute: 9.5\r\n");
    snprintf(q->headers + n, sizeof(q->headers) - (size_t)n, "%s: %s%s\r\n",
             q->s->dialect == API_OPENAI ? "cerebras-request-id" : "request-id",
             q->s->dialect == API_OPENAI ? "" : "req_", q->rid);
    return send_error(q, SIMPROV_E_RPM, NULL);
}

/* Z.AI plan limits name their reset in Beijing time; 1310 also came with retry-after-ms
 * (Yeachan-Heo/gajae-code #1821). */
static int answer_plan_fault(struct req *q, enum simprov_err e)
{
    char at[20], msg[160];
    double wall = (double)clock_wall_ms() / 1000.0;
    pthread_mutex_lock(&q->s->mu);
    wall += (double)q->s->clock_off_ms / 1000.0;
    pthread_mutex_unlock(&q->s->mu);
    simlim_beijing_time(wall + q->fault_arg, at);
    if (e == SIMPROV_E_PLAN_WEEK) {
        snprintf(msg, sizeof msg,
                 "[1310][Weekly/Monthly Limit Exhausted. Your limit will reset at %s]", at);
        size_t n = strlen(q->headers);
        snprintf(q->headers + n, sizeof(q->headers) - n, "retry-after-ms: %lld\r\n",
                 (long long)q->fault_arg * 1000);
    } else {
        snprintf(msg, sizeof msg, "Usage limit reached for 5 hour. Your limit will reset at %s",
                 at);
    }
    return send_error(q, e, msg);
}

static const char bad_sse[] = "this is not an event stream\n"
                              ": a comment and nothing else\n"
                              "data: {\"truncated\": \n\n"
                              "event: \x01\x02\n"
                              "retry: soon\n"
                              "data: <<<garbage>>>\n\n"
                              "id\n";

/* Faults answered before looking at the request. Returns the status, or 0 to go on. */
static int answer_fault(struct req *q)
{
    static const char html[] = "<html>oops</html>";
    enum simprov_err e;
    if (q->fault == SIMPROV_F_429 || q->fault == SIMPROV_F_429_RESET ||
        q->fault == SIMPROV_F_429_PLAIN)
        return answer_429_fault(q);
    answer_headers(q);
    q->out.headers = q->headers;
    q->status = 200;
    if (q->fault == SIMPROV_F_NOT_JSON) {
        simprov_send_body(&q->out, 200, "text/html", html, strlen(html), SIMPROV_DELIVER_NORMAL);
        return 200;
    }
    if (q->fault == SIMPROV_F_BAD_SSE) {
        simprov_send_body(&q->out, 200, "text/event-stream", bad_sse, strlen(bad_sse),
                          SIMPROV_DELIVER_NORMAL);
        return 200;
    }
    if (!simprov_fault_error(q->fault, &e))
        return 0;
    if (q->fault == SIMPROV_F_ZAI_1308 || q->fault == SIMPROV_F_ZAI_1310)
        return answer_plan_fault(q, e);
    if (q->fault == SIMPROV_F_QUOTA && q->s->dialect == API_OPENAI) {
        size_t n = strlen(q->headers);
        snprintf(q->headers + n, sizeof(q->headers) - n,
                 "x-ratelimit-limit-tokens-day: 1000000\r\n"
                 "x-ratelimit-remaining-tokens-day: 0\r\n");
    }
    return send_error(q, e, NULL);
}

static bool authorized(const struct req *q, bool *missing)
{
    const char *want = q->s->api_key;
    const char *auth = mg_get_header(q->conn, "Authorization");
    const char *xkey = q->s->dialect == API_ANTHROPIC ? mg_get_header(q->conn, "x-api-key") : NULL;
    *missing = !auth && !xkey;
    if (!want)
        return true;
    if (xkey && strcmp(xkey, want) == 0)
        return true;
    return auth && strncasecmp(auth, "Bearer ", 7) == 0 && strcmp(auth + 7, want) == 0;
}

static enum simprov_delivery delivery_of(enum simprov_fault f)
{
    return f == SIMPROV_F_STALL  ? SIMPROV_DELIVER_STALL
           : f == SIMPROV_F_CUT  ? SIMPROV_DELIVER_CUT
           : f == SIMPROV_F_HUGE ? SIMPROV_DELIVER_HUGE
                                 : SIMPROV_DELIVER_NORMAL;
}

static int deliver(struct req *q, const struct simprov_reply *r)
{
    enum simprov_delivery how = delivery_of(q->fault);
    if (how == SIMPROV_DELIVER_HUGE)
        return simprov_send_huge(&q->out, r);
    if (r->stream) {
        struct simprov_frames f = {0};
        int err = simprov_render_frames(r, &f);
        if (err == 0)
            err = simprov_send_stream(&q->out, &f, how);
        simprov_render_release(&f);
        return err;
    }
    char *body = simprov_render_json(r);
    int err = body ? simprov_send_body(&q->out, 200, "application/json", body, strlen(body), how)
                   : -ENOMEM;
    free(body);
    return err;
}

/* Reply length: the test hook "[[reply_tokens=N]]" in the request, else the option. */
static int reply_tokens(const struct req *q)
{
    const char *hook =
        q->body.data ? memmem(q->body.data, q->body.len, REPLY_HOOK, sizeof(REPLY_HOOK) - 1) : NULL;
    long n = hook ? strtol(hook + sizeof(REPLY_HOOK) - 1, NULL, 10) : 0;
    return n > 0 && n <= 200000 ? (int)n : q->s->reply_tokens;
}

/* The prompt as the cache sees it: tools, system and messages in that order, whatever
 * other fields (stream, budgets) say. Caller frees. */
static char *prompt_text(const struct req *q)
{
    static const char *const parts[] = {"tools", "system", "messages"};
    struct buf b;
    buf_init(&b, BODY_CAP);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(q->json, parts[i]);
        char *t = v ? cJSON_PrintUnformatted(v) : NULL;
        if (t)
            buf_puts(&b, t);
        free(t);
    }
    return b.data ? b.data : strdup("");
}

static long cached_tokens(struct req *q, long prompt_tokens)
{
    struct simprov *s = q->s;
    char *p = prompt_text(q);
    if (!p)
        return 0;
    pthread_mutex_lock(&s->mu);
    long c = simlim_cached_tokens(&s->lim, p, strlen(p), now_ms_locked(s));
    s->st.cached_tokens += c < prompt_tokens ? c : prompt_tokens;
    pthread_mutex_unlock(&s->mu);
    free(p);
    return c < prompt_tokens ? c : prompt_tokens;
}

static int answer(struct req *q)
{
    struct simprov *s = q->s;
    struct simprov_reply r;
    double wait = q->fault == SIMPROV_F_SLOW ? SLOW_MS : s->first_byte_ms;
    if (simprov_reply_build(&r, s->dialect, q->json, q->body.data, q->body.len, s->name,
                            reply_tokens(q)) != 0)
        return send_error(q, SIMPROV_E_500, NULL);
    r.cached_tokens = cached_tokens(q, r.prompt_tokens);
    if (wait > 0 && !simprov_send_wait(&q->out, wait)) {
        simprov_reply_release(&r);
        return 0;
    }
    answer_headers(q);
    q->out.headers = q->headers;
    q->out.tokens_per_s = s->tokens_per_s;
    q->status = 200;
    pthread_mutex_lock(&s->mu);
    s->st.out_tokens += r.completion_tokens;
    pthread_mutex_unlock(&s->mu);
    int err = deliver(q, &r);
    simprov_reply_release(&r);
    return err == -ENOMEM ? 500 : 200;
}

static bool serves_model(struct simprov *s, const char *model)
{
    pthread_mutex_lock(&s->mu);
    bool yes = simprov_lineup_has(&s->lineup, model);
    pthread_mutex_unlock(&s->mu);
    return yes;
}

/* A model outside the lineup: what the real service answers for a retired one. */
static int refuse_model(struct req *q)
{
    struct simprov *s = q->s;
    pthread_mutex_lock(&s->mu);
    s->st.model_refused++;
    pthread_mutex_unlock(&s->mu);
    char *body = simprov_lineup_refusal_body(s->dialect, json_str(q->json, "model"), q->rid);
    q->out.headers = q->headers;
    q->status = simprov_lineup_refusal_status(s->dialect);
    send_json(&q->out, q->status, body);
    free(body);
    return q->status;
}

static int serve(struct req *q)
{
    char why[SIMPROV_ERR_LEN];
    bool missing;
    int status = answer_fault(q);
    if (status)
        return status;
    if (!authorized(q, &missing)) {
        answer_headers(q);
        return send_error(
            q, SIMPROV_E_AUTH,
            missing && q->s->dialect == API_ANTHROPIC ? "Header Authorization is missing" : NULL);
    }
    answer_headers(q);
    if (!q->json)
        return reject(q, q->s->dialect == API_OPENAI ? "body: invalid JSON"
                                                     : "There was an error parsing the body");
    if (!serves_model(q->s, json_str(q->json, "model")))
        return refuse_model(q);
    if (simprov_validate(q->s->dialect, q->json, why, sizeof(why)) != 0)
        return reject(q, why);
    char msg[160];
    int limit = admit(q, msg, sizeof msg);
    if (limit >= 0) {
        answer_headers(q);
        return send_error(q, (enum simprov_err)limit, msg[0] ? msg : NULL);
    }
    return answer(q);
}

/* ---- requests ---- */

static int read_body(struct mg_connection *conn, struct buf *b)
{
    char tmp[16384];
    int n;
    while ((n = mg_read(conn, tmp, sizeof(tmp))) > 0) {
        if (buf_append(b, tmp, (size_t)n) != 0)
            return -E2BIG;
    }
    return n < 0 ? -EIO : 0;
}

static void add_header(cJSON *h, const char *name, const char *value)
{
    char key[128];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof(key); i++)
        key[i] = (char)tolower((unsigned char)name[i]);
    key[i] = '\0';
    cJSON_DeleteItemFromObjectCaseSensitive(h, key);
    cJSON_AddStringToObject(h, key, value ? value : "");
}

/* Keeps the request for GET /_mock/last: the body verbatim when it is JSON. */
static void record_last(struct req *q, bool too_big)
{
    const struct mg_request_info *ri = q->ri;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "method", ri->request_method);
    cJSON_AddStringToObject(o, "path", ri->local_uri);
    if (ri->query_string)
        cJSON_AddStringToObject(o, "query", ri->query_string);
    else
        cJSON_AddNullToObject(o, "query");
    cJSON *h = cJSON_AddObjectToObject(o, "headers");
    for (int i = 0; i < ri->num_headers; i++)
        add_header(h, ri->http_headers[i].name, ri->http_headers[i].value);
    const char *raw = buf_cstr(&q->body);
    if (too_big)
        cJSON_AddStringToObject(o, "body", "(over the body cap; not kept)");
    else
        cJSON_AddItemToObject(o, "body", q->json ? cJSON_CreateRaw(raw) : cJSON_CreateString(raw));
    char *text = json_print(o);
    cJSON_Delete(o);
    pthread_mutex_lock(&q->s->mu);
    free(q->s->last);
    q->s->last = text;
    pthread_mutex_unlock(&q->s->mu);
}

static int completions(struct simprov *s, struct mg_connection *conn)
{
    struct req q = {.s = s, .conn = conn, .ri = mg_get_request_info(conn)};
    simprov_send_init(&q.out, conn, &s->stopping);
    q.out.on_last = settle;
    q.out.on_last_arg = &q;
    buf_init(&q.body, BODY_CAP);
    int err = read_body(conn, &q.body);
    if (err == 0 && q.body.len > 0)
        q.json = json_parse(q.body.data, q.body.len);
    record_last(&q, err == -E2BIG);
    begin(&q);
    int status;
    if (err == -E2BIG) {
        mg_disable_connection_keep_alive(conn);
        answer_headers(&q);
        status = send_error(&q, SIMPROV_E_TOOBIG, NULL);
    } else {
        status = serve(&q);
    }
    end(&q, status);
    cJSON_Delete(q.json);
    buf_release(&q.body);
    return status ? status : 499;
}

static bool key_ok(struct simprov *s, struct mg_connection *conn)
{
    struct req q = {.s = s, .conn = conn};
    bool missing;
    return authorized(&q, &missing);
}

/* GET the model list (needs the key) or Cerebras' public catalogue (needs none), from the
 * lineup as it is now; a test can make it fail (POST /_mock/lineup {"fail": 503}). */
static int models(struct simprov *s, struct mg_connection *conn, bool catalog)
{
    struct simprov_out out;
    struct simprov_lineup l;
    simprov_send_init(&out, conn, &s->stopping);
    pthread_mutex_lock(&s->mu);
    s->st.models_requests++;
    l = s->lineup;
    int fail = s->models_fail;
    pthread_mutex_unlock(&s->mu);
    if (!catalog && !key_ok(s, conn)) {
        char *body = simprov_fault_body(s->dialect, SIMPROV_E_AUTH, NULL, "models");
        send_json(&out, 401, body);
        free(body);
        return 401;
    }
    if (fail) {
        char *body = simprov_fault_body(s->dialect, SIMPROV_E_503, NULL, "models");
        send_json(&out, fail, body);
        free(body);
        return fail;
    }
    char *body = catalog ? simprov_lineup_catalog_body(&l)
                         : simprov_lineup_list_body(s->dialect, &l, s->name);
    send_json(&out, body ? 200 : 500, body);
    free(body);
    return body ? 200 : 500;
}

/* Z.AI has no count_tokens; answering it anyway keeps demo clients that probe it quiet. */
static int count_tokens(struct simprov *s, struct mg_connection *conn)
{
    struct simprov_out out;
    struct buf b;
    char body[64];
    simprov_send_init(&out, conn, &s->stopping);
    buf_init(&b, BODY_CAP);
    int err = read_body(conn, &b);
    snprintf(body, sizeof(body), "{\"input_tokens\":%zu}", b.len / 4);
    buf_release(&b);
    if (err)
        mg_disable_connection_keep_alive(conn);
    return send_json(&out, err ? 413 : 200, err ? "{}" : body);
}

static char *stats_json(struct simprov *s)
{
    struct simprov_stats st;
    simprov_get_stats(s, &st);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "requests", (double)st.requests);
    cJSON_AddNumberToObject(o, "ok", (double)st.ok);
    cJSON_AddNumberToObject(o, "rate_limited", (double)st.rate_limited);
    cJSON_AddNumberToObject(o, "rejected", (double)st.rejected);
    cJSON_AddNumberToObject(o, "aborted", (double)st.aborted);
    cJSON_AddNumberToObject(o, "in_flight", (double)st.in_flight);
    cJSON_AddNumberToObject(o, "max_in_flight", (double)st.max_in_flight);
    cJSON_AddNumberToObject(o, "cached_tokens", (double)st.cached_tokens);
    cJSON_AddNumberToObject(o, "booked_tokens", (double)st.booked_tokens);
    cJSON_AddNumberToObject(o, "out_tokens", (double)st.out_tokens);
    cJSON_AddNumberToObject(o, "model_refused", (double)st.model_refused);
    cJSON_AddNumberToObject(o, "models_requests", (double)st.models_requests);
    cJSON_AddNumberToObject(o, "connections", (double)st.connections);
    char *text = json_print(o);
    cJSON_Delete(o);
    return text;
}

static int control_fault(struct simprov *s, struct simprov_out *out)
{
    struct buf b;
    char reply[160];
    buf_init(&b, 4096);
    int err = read_body(out->conn, &b);
    cJSON *j = err == 0 ? json_parse(b.data ? b.data : "", b.len) : NULL;
    const char *mode = json_str(j, "mode");
    int status = mode && simprov_set_fault(s, mode) == 0 ? 200 : 400;
    if (status == 200)
        snprintf(reply, sizeof(reply), "{\"ok\":true,\"mode\":\"%.100s\"}", mode);
    else
        snprintf(reply, sizeof(reply), "{\"ok\":false,\"error\":\"unknown fault mode\"}");
    cJSON_Delete(j);
    buf_release(&b);
    return send_json(out, status, reply);
}

static int control_clock(struct simprov *s, struct simprov_out *out)
{
    struct buf b;
    buf_init(&b, 4096);
    int err = read_body(out->conn, &b);
    cJSON *j = err == 0 ? json_parse(b.data ? b.data : "", b.len) : NULL;
    double adv = json_num(j, "advance_s", -1);
    cJSON_Delete(j);
    buf_release(&b);
    if (!(adv >= 0 && adv <= 30 * 86400.0))
        return send_json(out, 400, "{\"ok\":false,\"error\":\"advance_s: 0 to 2592000\"}");
    simprov_advance(s, adv);
    return send_json(out, 200, "{\"ok\":true}");
}

/* {"models": [...]} replaces the lineup; {"fail": 503} makes the model list fail, 0 heals. */
static int control_lineup(struct simprov *s, struct simprov_out *out)
{
    struct buf b;
    struct simprov_lineup l;
    buf_init(&b, 65536);
    int err = read_body(out->conn, &b);
    cJSON *j = err == 0 ? json_parse(b.data ? b.data : "", b.len) : NULL;
    const cJSON *models = cJSON_GetObjectItemCaseSensitive(j, "models");
    const cJSON *fail = cJSON_GetObjectItemCaseSensitive(j, "fail");
    bool ok = cJSON_IsObject(j) && (models || fail) &&
              (!models || simprov_lineup_from_json(models, &l) == 0) &&
              (!fail || (cJSON_IsNumber(fail) &&
                         (fail->valueint == 0 || (fail->valueint >= 400 && fail->valueint < 600))));
    if (ok) {
        pthread_mutex_lock(&s->mu);
        if (models)
            s->lineup = l;
        if (fail)
            s->models_fail = fail->valueint;
        pthread_mutex_unlock(&s->mu);
    }
    cJSON_Delete(j);
    buf_release(&b);
    return send_json(out, ok ? 200 : 400,
                     ok ? "{\"ok\":true}"
                        : "{\"ok\":false,\"error\":\"expected {models: [names], fail: status}\"}");
}

static int control(struct simprov *s, struct mg_connection *conn, const char *what, bool post)
{
    struct simprov_out out;
    simprov_send_init(&out, conn, &s->stopping);
    if (post && strcmp(what, "fault") == 0)
        return control_fault(s, &out);
    if (post && strcmp(what, "clock") == 0)
        return control_clock(s, &out);
    if (post && strcmp(what, "lineup") == 0)
        return control_lineup(s, &out);
    if (post && strcmp(what, "reset") == 0) {
        simprov_reset(s);
        return send_json(&out, 200, "{\"ok\":true}");
    }
    char *body = NULL;
    if (!post && strcmp(what, "stats") == 0) {
        body = stats_json(s);
    } else if (!post && strcmp(what, "last") == 0) {
        pthread_mutex_lock(&s->mu);
        body = strdup(s->last ? s->last : "{}");
        pthread_mutex_unlock(&s->mu);
    } else {
        return send_json(&out, 404, "{\"ok\":false,\"error\":\"no such control endpoint\"}");
    }
    send_json(&out, body ? 200 : 500, body);
    free(body);
    return body ? 200 : 500;
}

static int handle(struct mg_connection *conn, void *data)
{
    struct simprov *s = data;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    const char *uri = ri && ri->local_uri ? ri->local_uri : "";
    bool post = ri && strcmp(ri->request_method, "POST") == 0;
    bool get = ri && strcmp(ri->request_method, "GET") == 0;
    if (strncmp(uri, "/_mock/", 7) == 0)
        return control(s, conn, uri + 7, post);
    if (post && s->dialect == API_OPENAI && ends_with(uri, "/chat/completions"))
        return completions(s, conn);
    if (post && s->dialect == API_ANTHROPIC && ends_with(uri, "/v1/messages"))
        return completions(s, conn);
    if (post && s->dialect == API_ANTHROPIC && ends_with(uri, "/v1/messages/count_tokens"))
        return count_tokens(s, conn);
    if (get && s->dialect == API_OPENAI && strcmp(uri, "/public/v1/models") == 0)
        return models(s, conn, true);
    if (get && ends_with(uri, "/v1/models"))
        return models(s, conn, false);
    struct simprov_out out;
    simprov_send_init(&out, conn, &s->stopping);
    char *body = simprov_fault_body(s->dialect, SIMPROV_E_NOTFOUND, NULL, "none");
    send_json(&out, 404, body);
    free(body);
    return 404;
}

/* ---- lifecycle ---- */

/* civetweb calls this once for every accepted connection, before its first request. */
static int count_connection(const struct mg_connection *conn, void **conn_data)
{
    struct simprov *s = mg_get_user_data(mg_get_context(conn));
    *conn_data = NULL;
    if (s) {
        pthread_mutex_lock(&s->mu);
        s->st.connections++;
        pthread_mutex_unlock(&s->mu);
    }
    return 0;
}

static int quiet_log(const struct mg_connection *conn, const char *message)
{
    return 1; /* civetweb's own complaints must not reach a terminal the TUI owns */
}

static int copy_opts(struct simprov *s, const struct simprov_opts *o, char *err)
{
    const char *name = o->name ? o->name : o->dialect == API_ANTHROPIC ? "zai" : "cerebras";
    if (o->dialect != API_OPENAI && o->dialect != API_ANTHROPIC) {
        snprintf(err, SIMPROV_ERR_LEN, "simprov: unknown dialect %d", (int)o->dialect);
        return -EINVAL;
    }
    if (o->port < 0 || o->port > 65535) {
        snprintf(err, SIMPROV_ERR_LEN, "simprov: port %d out of range", o->port);
        return -EINVAL;
    }
    s->dialect = o->dialect;
    s->name = strdup(name);
    s->api_key = o->api_key ? strdup(o->api_key) : NULL;
    s->host = strdup(o->host && *o->host ? o->host : "127.0.0.1");
    s->rpm_limit = o->rpm_limit > 0 ? o->rpm_limit : 0;
    s->window_s = o->window_s > 0 ? o->window_s : 60.0;
    s->tpm_limit = o->tpm_limit > 0 ? o->tpm_limit : 0;
    s->tokens_per_s = o->tokens_per_s > 0 ? o->tokens_per_s : 0;
    s->first_byte_ms = o->first_byte_ms > 0 ? o->first_byte_ms : 0;
    s->reply_tokens = o->reply_tokens > 0 ? o->reply_tokens : 40;
    struct simlim_opts lo = {.rpm = s->rpm_limit,
                             .rph = o->rph,
                             .rpd = o->rpd,
                             .tpm = s->tpm_limit,
                             .tph = o->tph,
                             .tpd = o->tpd,
                             .minute_s = s->window_s,
                             .msl = o->msl,
                             .concurrency = o->concurrency,
                             .plan_prompts = o->plan_prompts,
                             .plan_window_s = o->plan_window_s};
    simlim_init(&s->lim, &lo, (int64_t)clock_mono_ms());
    if (!s->name || !s->host || (o->api_key && !s->api_key)) {
        snprintf(err, SIMPROV_ERR_LEN, "simprov: out of memory");
        return -ENOMEM;
    }
    if (!o->models)
        simprov_lineup_default(s->dialect, &s->lineup);
    else if (simprov_lineup_parse(o->models, &s->lineup) != 0) {
        snprintf(err, SIMPROV_ERR_LEN, "simprov: bad model list '%.100s'", o->models);
        return -EINVAL;
    }
    if (o->fault && simprov_set_fault(s, o->fault) != 0) {
        snprintf(err, SIMPROV_ERR_LEN, "simprov: unknown fault mode '%.100s'", o->fault);
        return -EINVAL;
    }
    return 0;
}

static int listen_on(struct simprov *s, const struct simprov_opts *o, char *err)
{
    char msg[SIMPROV_ERR_LEN] = "";
    unsigned code = 0;
    const char *host = o->host && *o->host ? o->host : "127.0.0.1";
    struct civet_opts opts;
    civet_opts_init(&opts, host, o->port, o->threads > 0 ? o->threads : 64, false);
    struct mg_callbacks cb = {.log_message = quiet_log, .init_connection = count_connection};
    struct mg_init_data init = {.callbacks = &cb, .user_data = s, .configuration_options = opts.v};
    struct mg_error_data e = {.code = &code, .text = msg, .text_buffer_size = sizeof(msg)};
    s->ctx = mg_start2(&init, &e);
    if (!s->ctx) {
        snprintf(err, SIMPROV_ERR_LEN, "simprov: cannot listen on %.64s: %.150s", opts.listen,
                 msg[0] ? msg : "civetweb failed to start");
        return -EADDRINUSE;
    }
    mg_set_request_handler(s->ctx, "/", handle, s);
    struct mg_server_port sp[4];
    int n = mg_get_server_ports(s->ctx, 4, sp);
    s->port = n > 0 ? sp[0].port : 0;
    if (s->port <= 0) {
        snprintf(err, SIMPROV_ERR_LEN, "simprov: civetweb reported no listening port");
        return -EADDRNOTAVAIL;
    }
    return 0;
}

struct simprov *simprov_start(const struct simprov_opts *o, char err[SIMPROV_ERR_LEN])
{
    struct simprov *s = calloc(1, sizeof(*s));
    if (!s || !o) {
        snprintf(err, SIMPROV_ERR_LEN, "simprov: %s", s ? "no options" : "out of memory");
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    atomic_init(&s->stopping, false);
    if (copy_opts(s, o, err) != 0 || listen_on(s, o, err) != 0) {
        simprov_stop(s);
        return NULL;
    }
    return s;
}

void simprov_stop(struct simprov *s)
{
    if (!s)
        return;
    atomic_store(&s->stopping, true);
    if (s->ctx) {
        struct simprov_wake *w = simprov_wake_start(s->host, s->port);
        mg_stop(s->ctx);
        simprov_wake_stop(w);
    }
    pthread_mutex_destroy(&s->mu);
    free(s->host);
    free(s->name);
    free(s->api_key);
    free(s->last);
    free(s);
}

int simprov_port(const struct simprov *s)
{
    return s ? s->port : 0;
}

int simprov_set_fault(struct simprov *s, const char *mode)
{
    enum simprov_fault f;
    int arg;
    if (!s || simprov_fault_parse(mode, &f, &arg) != 0)
        return -EINVAL;
    pthread_mutex_lock(&s->mu);
    s->fault = f;
    s->fault_arg = arg;
    s->fault_left = arg;
    s->fault_since = (clock_mono_ms() / 1e3);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

void simprov_get_stats(struct simprov *s, struct simprov_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    *out = s->st;
    pthread_mutex_unlock(&s->mu);
}

void simprov_reset(struct simprov *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    long in_flight = s->st.in_flight;
    memset(&s->st, 0, sizeof(s->st));
    s->st.in_flight = in_flight;
    s->st.max_in_flight = in_flight;
    int zai_in_flight = s->lim.in_flight;
    simlim_reset(&s->lim, now_ms_locked(s));
    s->lim.in_flight = zai_in_flight; /* the slots of answers still running stay taken */
    pthread_mutex_unlock(&s->mu);
}

void simprov_advance(struct simprov *s, double seconds)
{
    if (!s || !(seconds > 0))
        return;
    pthread_mutex_lock(&s->mu);
    s->clock_off_ms += (int64_t)(seconds * 1000.0);
    pthread_mutex_unlock(&s->mu);
}
