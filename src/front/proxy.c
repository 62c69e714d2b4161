/* proxy: one client completion request from arrival to the last byte. Validates, hands the
 * request to proxy_route.c (which candidates, retries, fallbacks and holds, all before the
 * first byte reaches the client), makes each attempt it asks for (translate, exchange, relay
 * streams as they arrive) and records what happened. */
#include "front/proxy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <civetweb.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/secret.h"
#include "core/strutil.h"
#include "core/tokest.h"
#include "front/front_env.h"
#include "front/answer.h"
#include "front/http_reply.h"
#include "front/reqlog.h"
#include "front/upstream.h"
#include "proxy_exchange.h"
#include "route/state.h"
#include "xlate/xlate.h"
#include "xlate/xlate_pair.h"
#include "xlate/xstream.h"

#define MAX_RESPONSE_BYTES (64u << 20) /* a non-streamed answer larger than this is broken */
#define MAX_ERROR_BODY     (64u << 10)
#define DEFAULT_OUTPUT     4096 /* output budget assumed when a request gives none */

/* Why the data callback stopped a transfer. */
enum sink_stop {
    SINK_CLIENT_GONE = 1,
    SINK_UPSTREAM_ERROR, /* the provider reported an error inside the stream, before commit */
    SINK_BAD_STREAM,     /* invalid SSE or an event over the cap */
    SINK_TOO_LARGE,      /* non-streamed answer over MAX_RESPONSE_BYTES */
};

static int client_fd_cb(void *ud)
{
    struct exchange *ex = ud;
    return http_client_fd(ex->c);
}

void proxy_trail_add(struct exchange *ex, const char *dep, int status, const char *what)
{
    if (ex->trail.len)
        buf_puts(&ex->trail, ",");
    if (what)
        buf_printf(&ex->trail, "%s=%s", dep, what);
    else
        buf_printf(&ex->trail, "%s=%d", dep, status);
}

struct attempt_rec *proxy_rec_attempt(struct exchange *ex)
{
    if (ex->rec.n_attempts >= REC_MAX_ATTEMPTS)
        return NULL;
    struct attempt_rec *a = &ex->rec.attempts[ex->rec.n_attempts++];
    memset(a, 0, sizeof *a);
    return a;
}

char *proxy_build_body(struct exchange *ex, char err[XLATE_ERR_LEN])
{
    const struct deployment_cfg *d = ex->dep;
    struct xlate_opts o = {.provider = d->kind,
                           .model = d->model,
                           .max_tokens_cap =
                               ex->grant.budget > 0 ? ex->grant.budget : d->max_tokens,
                           .stream = ex->stream};
    cJSON *out = ex->pair->request(ex->req, &o, err);
    if (!out)
        return NULL;
    char *s = json_print(out);
    cJSON_Delete(out);
    if (!s)
        snprintf(err, XLATE_ERR_LEN, "out of memory");
    return s;
}

/* Time the request spent held waiting for room before this attempt. */
static double waited_ms(const struct exchange *ex)
{
    double w = ex->hold_t0 > 0 ? ex->attempt_t0 - ex->hold_t0 : 0;
    return (w > 0 ? w : 0) + ex->rec.wait_ms;
}

/* The head of a served answer: who served, the trail, the overhead, the request id, how long
 * it was held and the output budget when switchboard lowered it. */
struct served_head {
    struct http_hdr h[6];
    int n;
    char overhead[32], rid[48], wait[32], budget[64];
};

/* The answer's head is about to go out: from here the client has this attempt's answer
 * (ex->committed), and its time to first byte is now. */
static void commit_head(struct exchange *ex, struct served_head *sh)
{
    double wait = waited_ms(ex);
    double spent = clock_mono_ms() - ex->t0 - ex->upstream_ms - wait;
    snprintf(sh->overhead, sizeof sh->overhead, "%.3f", spent < 0 ? 0 : spent);
    snprintf(sh->rid, sizeof sh->rid, "req_sb%llu", (unsigned long long)ex->rec.id);
    /* The header goes out before the attempt is recorded, so the serving entry is added here. */
    if (ex->dep)
        proxy_trail_add(ex, ex->dep->id, 200, NULL);
    int k = 0;
    sh->h[k++] = (struct http_hdr){"x-switchboard-provider", ex->dep ? ex->dep->id : ""};
    sh->h[k++] = (struct http_hdr){"x-switchboard-attempts", buf_cstr(&ex->trail)};
    sh->h[k++] = (struct http_hdr){"x-switchboard-overhead-ms", sh->overhead};
    sh->h[k++] =
        (struct http_hdr){ex->client == API_ANTHROPIC ? "request-id" : "x-request-id", sh->rid};
    if (wait > 0) {
        snprintf(sh->wait, sizeof sh->wait, "%.0f", wait);
        sh->h[k++] = (struct http_hdr){"x-switchboard-wait-ms", sh->wait};
    }
    if (ex->grant.lowered) {
        /* the client may see a max_tokens stop it did not ask for: say why */
        snprintf(sh->budget, sizeof sh->budget, "%ld (lowered from %ld)", ex->grant.budget,
                 ex->want);
        sh->h[k++] = (struct http_hdr){"x-switchboard-output-budget", sh->budget};
    }
    sh->n = k;
    ex->committed = true;
    double now = clock_mono_ms();
    ex->rec.ttft_ms = now - ex->t0;
    ex->attempt_ttft = now - ex->attempt_t0;
}

/* Sends the head with what ex->out holds: the client's stream has begun. */
static int commit_stream(struct exchange *ex)
{
    struct served_head sh;
    commit_head(ex, &sh);
    int rc = http_stream_begin(ex->c, sh.h, sh.n, ex->out.data, ex->out.len);
    buf_reset(&ex->out); /* went out with the head */
    return rc;
}

static void keep_answer(struct exchange *ex, const char *p, size_t n)
{
    size_t room = REQLOG_BODY_MAX + 1 - ex->answer.len;
    if (ex->keep_bodies && ex->answer.len <= REQLOG_BODY_MAX)
        buf_append(&ex->answer, p, n < room ? n : room);
}

static int on_stream_data(void *ud, const char *p, size_t n)
{
    struct exchange *ex = ud;
    keep_answer(ex, p, n);
    int rc = xstream_feed(ex->xs, p, n, &ex->out);
    if (!ex->committed) {
        if (rc < 0 || ex->out.len == 0) {
            struct xstream_stats st;
            xstream_get_stats(ex->xs, &st);
            /* Nothing reached the client yet, so the next candidate can still take over. */
            if (st.upstream_error)
                return SINK_UPSTREAM_ERROR;
            if (rc < 0)
                return SINK_BAD_STREAM;
            return 0;
        }
        if (commit_stream(ex))
            return SINK_CLIENT_GONE;
    }
    if (ex->out.len && http_stream_write(ex->c, ex->out.data, ex->out.len))
        return SINK_CLIENT_GONE;
    buf_reset(&ex->out);
    if (rc < 0) {
        struct xstream_stats st;
        xstream_get_stats(ex->xs, &st);
        return st.upstream_error ? SINK_UPSTREAM_ERROR : SINK_BAD_STREAM;
    }
    return 0;
}

static int on_body_data(void *ud, const char *p, size_t n)
{
    struct exchange *ex = ud;
    keep_answer(ex, p, n);
    return buf_append(&ex->out, p, n) ? SINK_TOO_LARGE : 0;
}

void proxy_set_error(struct upstream_error *e, enum err_class cls, int status, const char *msg)
{
    memset(e, 0, sizeof *e);
    e->cls = cls;
    e->status = status;
    str_copy(e->type, sizeof e->type, cls == ERRC_PROTOCOL ? "api_error" : "error");
    str_copy(e->message, sizeof e->message, msg);
}

/* A transfer that ended without an answer for the client: work out why. */
static void failure_reason(struct exchange *ex, const struct upstream_result *res)
{
    struct xstream_stats st;
    switch (res->aborted_by_sink) {
    case SINK_UPSTREAM_ERROR:
        xstream_get_stats(ex->xs, &st);
        ex->err = st.err;
        if (ex->err.cls == ERRC_NONE)
            ex->err.cls = ERRC_SERVER;
        return;
    case SINK_BAD_STREAM:
        proxy_set_error(&ex->err, ERRC_PROTOCOL, res->status,
                        "provider sent an invalid event stream");
        return;
    case SINK_TOO_LARGE:
        proxy_set_error(&ex->err, ERRC_PROTOCOL, res->status,
                        "provider answer exceeds the size cap");
        return;
    case SINK_CLIENT_GONE:
        proxy_set_error(&ex->err, ERRC_CLIENT_GONE, 0, "client closed the connection");
        return;
    default:
        ex->err = res->err;
    }
}

/* Finishes a stream whose transfer completed. Returns true when the client got a full answer. */
static bool finish_stream(struct exchange *ex, bool transfer_ok, const struct upstream_result *res)
{
    int rc;
    if (transfer_ok) {
        rc = xstream_finish(ex->xs, &ex->out);
    } else {
        char msg[300];
        snprintf(msg, sizeof msg, "%s: %s", ex->dep->id, res->err.message);
        rc = xstream_fail(ex->xs, res->err.cls == ERRC_TIMEOUT ? 504 : 502, msg, &ex->out);
        rc = rc ? rc : -EPROTO;
    }
    if (!ex->committed) {
        if (ex->out.len == 0 || rc)
            return false;
        if (commit_stream(ex))
            return false;
    }
    http_format_stream_end(ex->out.data, ex->out.len, &ex->tail);
    buf_reset(&ex->out);
    return rc == 0;
}

/* Sends a complete non-streamed answer. False when the provider's body was unusable. */
static bool send_answer(struct exchange *ex)
{
    cJSON *ans = json_parse(ex->out.data ? ex->out.data : "", ex->out.len);
    long tin = 0, tout = 0;
    cJSON *client = ans ? ex->pair->answer(ans, ex->req, ex->model, &tin, &tout) : NULL;
    cJSON_Delete(ans);
    if (client)
        answer_facts(client, ex->client, &ex->tokens_cached, ex->stop_reason,
                     sizeof ex->stop_reason);
    char *s = client ? json_print(client) : NULL;
    cJSON_Delete(client);
    if (!s) {
        proxy_set_error(&ex->err, ERRC_PROTOCOL, 200, "provider answer is not valid JSON");
        return false;
    }
    ex->rec.tokens_in = tin;
    ex->rec.tokens_out = tout;
    struct served_head sh;
    commit_head(ex, &sh);
    http_format(ex->c, 200, "application/json", s, strlen(s), sh.h, sh.n, &ex->tail);
    free(s);
    return true;
}

static void fill_upstream_req(struct exchange *ex, struct upstream_req *r, const char *url,
                              const char *body)
{
    const struct deployment_cfg *d = ex->dep;
    double total = d->timeout_s > 0 ? d->timeout_s : ex->cfg->timeout_s;
    double first = d->stream_timeout_s > 0 ? d->stream_timeout_s : ex->cfg->stream_timeout_s;
    *r = (struct upstream_req){
        .url = url,
        .dialect = d->dialect,
        .kind = d->kind,
        .api_key = d->api_key,
        .anthropic_beta = http_header(ex->c, "anthropic-beta"),
        .body = body,
        .body_len = strlen(body),
        .stream = ex->stream,
        .connect_timeout_s = ex->cfg->connect_timeout_s,
        .first_byte_timeout_s = first > 0 ? first : total,
        .idle_timeout_s = ex->stream ? ex->cfg->stream_idle_timeout_s : 0,
        .total_timeout_s = ex->stream ? 0 : total,
        .max_error_body = MAX_ERROR_BODY,
        .client_fd = client_fd_cb,
        .client_ud = ex,
        .abort_flag = &ex->env->abort_upstream,
    };
}

/* The budget this attempt ran with, for the log: "budget 32000 -> 4096 (lowered)", and
 * whether the answer stopped there. */
static void note_budget(struct exchange *ex, struct attempt_rec *a, bool ok)
{
    bool cut = ok && ex->grant.lowered && answer_stopped_at_budget(ex->stop_reason);
    if (ok) {
        ex->rec.budget_asked = ex->want;
        ex->rec.budget_sent = ex->grant.budget;
        ex->rec.budget_cut = cut;
        ex->rec.tokens_cached = ex->tokens_cached;
    }
    if (a && ok && ex->grant.lowered)
        snprintf(a->note, sizeof a->note, "output budget lowered %ld -> %ld to fit now%s", ex->want,
                 ex->grant.budget, cut ? "; the answer stopped there" : "");
}

static void record_attempt(struct exchange *ex, int dep_idx, bool ok, bool probe,
                           const struct upstream_result *res)
{
    struct attempt_outcome o = {.ok = ok,
                                .status = res->status,
                                .rl = res->rl,
                                .was_probe = probe,
                                .booked = ex->grant.booked,
                                .new_connections = res->new_connections};
    bool counted = false; /* the provider said how many input tokens it counted */
    if (!ok)
        o.err = ex->err;
    if (ex->xs) {
        struct xstream_stats st;
        xstream_get_stats(ex->xs, &st);
        o.tokens_in = st.tokens_in;
        o.tokens_out = st.tokens_out;
        ex->rec.tokens_in = st.tokens_in;
        ex->rec.tokens_out = st.tokens_out;
        ex->tokens_cached = st.tokens_cached;
        snprintf(ex->stop_reason, sizeof ex->stop_reason, "%s", st.stop_reason);
        counted = st.got_usage;
    } else {
        o.tokens_in = ex->rec.tokens_in;
        o.tokens_out = ex->rec.tokens_out;
        counted = o.tokens_in > 0;
    }
    if (ok && counted)
        state_token_sample(ex->env->st, ex->cfg, dep_idx, ex->est_in, o.tokens_in);
    o.tokens_cached = ex->tokens_cached;
    double ttft = ok && ex->committed && ex->stream ? ex->attempt_ttft : -1;
    ex->events = state_attempt_end(ex->env->st, dep_idx, &o, res->total_ms, ttft);
    struct attempt_rec *a = proxy_rec_attempt(ex);
    if (a) {
        str_copy(a->dep, sizeof a->dep, ex->dep->id);
        a->status = res->status;
        a->cls = ok ? ERRC_NONE : ex->err.cls;
        a->ms = res->total_ms;
        if (!ok)
            str_copy(a->note, sizeof a->note, ex->err.message);
    }
    note_budget(ex, a, ok);
    /* A committed attempt is in the trail already (see commit_head). A failure that came
     * with a 2xx status (cut, stalled, not JSON) is named by its class: "=200" would read as a
     * success. */
    bool ok_status = res->status >= 200 && res->status < 300;
    if (!ex->committed && ex->err.cls != ERRC_CLIENT_GONE)
        proxy_trail_add(ex, ex->dep->id, res->status,
                        res->status && !ok_status ? NULL : errmap_class_name(ex->err.cls));
}

/* One attempt on one deployment. */
enum attempt_result proxy_attempt(struct exchange *ex, int dep_idx, bool probe, const char *body)
{
    ex->dep = &ex->cfg->deps[dep_idx];
    ex->tokens_cached = 0;
    ex->stop_reason[0] = '\0';
    struct buf url;
    buf_init(&url, 0);
    upstream_url(ex->dep->api_base, ex->dep->dialect, &url);
    buf_reset(&ex->out);
    ex->out.max = ex->stream ? 0 : MAX_RESPONSE_BYTES;
    if (ex->stream) {
        struct xstream_opts xo = {.from = ex->dep->dialect,
                                  .to = ex->client,
                                  .provider = ex->dep->kind,
                                  .model = ex->model,
                                  .include_usage = ex->include_usage,
                                  .input_tokens_hint = ex->est_in,
                                  .client_tools = json_arr(ex->req, "tools"),
                                  .json_tool = xlate_pair_json_tool(ex->pair, ex->req),
                                  .drop_reasoning = ex->client == API_ANTHROPIC &&
                                                    !xlate_thinking_requested(ex->req)};
        ex->xs = xstream_new(&xo);
    }
    struct upstream_req r;
    fill_upstream_req(ex, &r, buf_cstr(&url), body);
    struct upstream_result res;
    ex->attempt_t0 = clock_mono_ms();
    buf_reset(&ex->answer);
    int rc = upstream_perform(&r, ex->stream ? on_stream_data : on_body_data, ex, &res);
    if (rc != 0 && res.error_body.len)
        keep_answer(ex, res.error_body.data, res.error_body.len);
    ex->upstream_ms += res.total_ms;
    bool ok = false;
    enum attempt_result out = ATTEMPT_FAILED;
    if (rc != 0)
        failure_reason(ex, &res);
    /* Providers may quote the key they refused, whole or in part: starred out of everything
     * switchboard passes on (the client's error, the log, --log-bodies). */
    secret_mask(ex->err.message, strlen(ex->err.message), ex->dep->api_key);
    secret_mask(ex->answer.data, ex->answer.len, ex->dep->api_key);
    if (ex->stream && ex->xs && (rc == 0 || ex->committed)) {
        ok = finish_stream(ex, rc == 0, &res);
        if (!ok && rc == 0)
            proxy_set_error(&ex->err, ERRC_PROTOCOL, res.status,
                            "provider stream ended unexpectedly");
    } else if (!ex->stream && rc == 0) {
        ok = send_answer(ex);
    }
    if (ex->committed)
        out = ATTEMPT_DONE;
    if (ex->committed && !ok && ex->err.cls != ERRC_NONE)
        str_copy(ex->rec.error, sizeof ex->rec.error, ex->err.message);
    record_attempt(ex, dep_idx, ok, probe, &res);
    if (ex->committed) /* the client already has a 200; this is what the record shows */
        ex->rec.status = ok                                ? 200
                         : ex->err.cls == ERRC_CLIENT_GONE ? 499
                         : ex->err.cls == ERRC_TIMEOUT     ? 504
                                                           : 502;
    xstream_free(ex->xs);
    ex->xs = NULL;
    buf_release(&res.error_body);
    buf_release(&url);
    return out;
}

/* Parses and validates; on failure answers 400 and returns false. */
static bool parse_request(struct exchange *ex, const char *body, size_t len)
{
    char err[XLATE_ERR_LEN] = "";
    if (!json_utf8_valid(body, len))
        snprintf(err, sizeof err, "request body is not valid UTF-8");
    else if (!(ex->req = json_parse(body, len)))
        snprintf(err, sizeof err, "request body is not valid JSON");
    else if (!cJSON_IsObject(ex->req))
        snprintf(err, sizeof err, "request body must be a JSON object");
    else if (!(ex->model = json_str(ex->req, "model")) || !*ex->model)
        snprintf(err, sizeof err, "model: field required (a string)");
    else if (ex->client == API_ANTHROPIC)
        xlate_validate_anthropic(ex->req, err);
    else
        xlate_validate_openai(ex->req, err);
    if (!err[0])
        return true;
    ex->rec.status = 400;
    str_copy(ex->rec.error, sizeof ex->rec.error, err);
    http_format_error(ex->c, ex->client, 400, err, NULL, 0, NULL, 0, &ex->tail);
    return false;
}

static void begin_record(struct exchange *ex)
{
    ex->rec.id = state_request_begin(ex->env->st);
    ex->rec.wall_ms = clock_wall_ms();
    ex->rec.client_api = ex->client;
    ex->rec.ttft_ms = -1;
}

static void end_record(struct exchange *ex)
{
    ex->rec.stream = ex->stream;
    str_copy(ex->rec.model, sizeof ex->rec.model, ex->model ? ex->model : "");
    str_copy(ex->rec.group, sizeof ex->rec.group, ex->plan.group ? ex->plan.group : "");
    if (ex->committed && ex->dep)
        str_copy(ex->rec.served_by, sizeof ex->rec.served_by, ex->dep->id);
    ex->rec.latency_ms = clock_mono_ms() - ex->t0;
    ex->rec.overhead_ms = ex->rec.latency_ms - ex->upstream_ms - ex->rec.wait_ms;
    state_request_end(ex->env->st, &ex->rec);
    if (ex->keep_bodies)
        reqlog_write_bodies(ex->env->reqlog, &ex->rec, ex->body, ex->body_len, ex->answer.data,
                            ex->answer.len);
    else if (ex->env->reqlog)
        reqlog_write(ex->env->reqlog, &ex->rec);
}

static void not_found(struct exchange *ex)
{
    char msg[400];
    struct buf groups;
    buf_init(&groups, 300);
    for (size_t i = 0; i < ex->cfg->n_deps; i++) {
        const char *g = ex->cfg->deps[i].group;
        if (!strstr(buf_cstr(&groups), g))
            buf_printf(&groups, "%s%s", groups.len ? ", " : "", g);
    }
    snprintf(msg, sizeof msg, "model '%.100s' not found; available: %s", ex->model,
             buf_cstr(&groups));
    buf_release(&groups);
    ex->rec.status = 404;
    str_copy(ex->rec.error, sizeof ex->rec.error, msg);
    http_format_error(ex->c, ex->client, 404, msg, "model_not_found", 0, NULL, 0, &ex->tail);
}

/* "1", "true" or "yes" (any case) turn a request header on. */
static bool header_true(const char *v)
{
    return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0);
}

int proxy_serve(struct front_env *env, struct mg_connection *c, enum api client, const char *body,
                size_t len)
{
    struct exchange ex = {.env = env,
                          .c = c,
                          .client = client,
                          .t0 = clock_mono_ms(),
                          .keep_bodies = env->log_bodies && env->reqlog,
                          .body = body,
                          .body_len = len};
    buf_init(&ex.trail, 1024);
    buf_init(&ex.out, 0);
    buf_init(&ex.answer, 0);
    buf_init(&ex.tail, 0);
    ex.cfg = state_config(env->st);
    begin_record(&ex);
    if (parse_request(&ex, body, len)) {
        ex.stream = json_bool(ex.req, "stream", false);
        const cJSON *so = json_obj(ex.req, "stream_options");
        ex.include_usage = so && json_bool(so, "include_usage", false);
        ex.want_out = xlate_max_tokens(ex.req, DEFAULT_OUTPUT);
        ex.est_in = tokest_request(ex.req, client);
        ex.force_fallback = header_true(http_header(c, "x-switchboard-force-fallback"));
        int rc = state_plan(env->st, ex.model, &ex.plan);
        if (rc == 0 && ex.plan.cfg != ex.cfg) { /* a reload slipped in: use the new config */
            config_free(ex.cfg);
            ex.cfg = state_config(env->st);
            rc = state_plan(env->st, ex.model, &ex.plan);
        }
        if (rc != 0)
            not_found(&ex);
        else if (ex.plan.cfg != ex.cfg)
            proxy_send_failure(&ex); /* reloads racing: answer 503 rather than mix configs */
        else
            proxy_route(&ex);
    }
    end_record(&ex);
    if (ex.tail.len)
        http_write(c, ex.tail.data, ex.tail.len);
    buf_release(&ex.tail);
    cJSON_Delete(ex.req);
    buf_release(&ex.out);
    buf_release(&ex.trail);
    buf_release(&ex.answer);
    config_free(ex.cfg);
    return ex.rec.status;
}

int proxy_count_tokens(struct front_env *env, struct mg_connection *c, const char *body, size_t len)
{
    cJSON *req = json_utf8_valid(body, len) ? json_parse(body, len) : NULL;
    if (!cJSON_IsObject(req) || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(req, "messages"))) {
        cJSON_Delete(req);
        http_send_error(c, API_ANTHROPIC, 400,
                        "count_tokens needs a JSON object with a messages array", NULL, 0, NULL, 0);
        return 400;
    }
    long n = tokest_request(req, API_ANTHROPIC);
    cJSON_Delete(req);
    char out[64];
    int k = snprintf(out, sizeof out, "{\"input_tokens\":%ld}", n);
    http_send(c, 200, "application/json", out, (size_t)k, NULL, 0);
    (void)env;
    return 200;
}
