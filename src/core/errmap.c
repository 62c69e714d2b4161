/* errmap: tells what kind of failure a provider answer is (rate limit, quota, auth, ...) from
 * its status and body, and writes error bodies in the client's dialect. Pure; no I/O. */
#include "core/errmap.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"

/* Copies src into dst (cap bytes) without splitting a UTF-8 sequence at the cut. */
static void copy_trunc(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static bool contains_ci(const char *hay, const char *needle)
{
    if (!hay)
        return false;
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

static bool all_digits(const char *s)
{
    if (!s || !*s || strlen(s) > 6)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static enum err_class class_by_status(int status)
{
    if (status == 0)
        return ERRC_CONNECT;
    if (status >= 200 && status < 300)
        return ERRC_PROTOCOL; /* the provider said OK but gave us no usable answer */
    if (status == 401 || status == 403)
        return ERRC_AUTH;
    if (status == 404)
        return ERRC_NOT_FOUND;
    if (status == 408)
        return ERRC_TIMEOUT;
    if (status == 429)
        return ERRC_RATE_LIMIT;
    if (status >= 500)
        return ERRC_SERVER;
    if (status >= 400)
        return ERRC_BAD_REQUEST;
    return ERRC_PROTOCOL;
}

/* Z.AI business codes, one row per code or range; the first row that holds a code wins.
 * Source: docs.z.ai/api-reference/api-code (protocol.md §5; the plan limits 1302-1313: §8.3). */
static const struct {
    int lo, hi;
    enum err_class cls;
} zai_codes[] = {
    {1000, 1004, ERRC_AUTH},        /* authentication failed, token missing, invalid, expired */
    {1110, 1121, ERRC_QUOTA},       /* account: 1113 balance or plan; inactive, locked, arrears */
    {1211, 1211, ERRC_NOT_FOUND},   /* the model does not exist */
    {1210, 1215, ERRC_BAD_REQUEST}, /* invalid parameters */
    {1220, 1222, ERRC_BAD_REQUEST}, /* no permission for the API, offline, not found */
    {1230, 1230, ERRC_SERVER},      /* API call process error */
    {1234, 1234, ERRC_SERVER},      /* network error */
    {1300, 1301, ERRC_BAD_REQUEST}, /* blocked by policy; unsafe content */
    {1302, 1303, ERRC_RATE_LIMIT},  /* too many concurrent requests; too frequent */
    {1305, 1305, ERRC_RATE_LIMIT},  /* rate limit triggered, service overloaded */
    {1304, 1304, ERRC_QUOTA},       /* daily call limit */
    {1308, 1310, ERRC_QUOTA},       /* 5-hour limit, plan expired, weekly limit */
    {1313, 1313, ERRC_QUOTA},       /* fair-use violation */
};

/* ERRC_NONE for codes we do not know. */
static enum err_class class_by_zai(int code)
{
    for (size_t i = 0; i < sizeof zai_codes / sizeof zai_codes[0]; i++)
        if (code >= zai_codes[i].lo && code <= zai_codes[i].hi)
            return zai_codes[i].cls;
    return ERRC_NONE;
}

static enum err_class class_by_code(const char *code, const char *msg)
{
    static const struct {
        const char *code;
        enum err_class cls;
    } table[] = {
        {"request_quota_exceeded", ERRC_RATE_LIMIT},
        {"queue_exceeded", ERRC_RATE_LIMIT},
        {"rate_limit_exceeded", ERRC_RATE_LIMIT},
        {"wrong_api_format", ERRC_BAD_REQUEST},
        {"wrong_api_key", ERRC_AUTH},
        {"invalid_api_key", ERRC_AUTH},
        {"model_not_found", ERRC_NOT_FOUND},
        {"context_length_exceeded", ERRC_CONTEXT},
        {"insufficient_quota", ERRC_QUOTA},
    };
    if (!code)
        return ERRC_NONE;
    if (strcmp(code, "token_quota_exceeded") == 0)
        return contains_ci(msg, "day") ? ERRC_QUOTA : ERRC_RATE_LIMIT;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(code, table[i].code) == 0)
            return table[i].cls;
    return ERRC_NONE;
}

/* A request this deployment cannot take but another may: too long for its context window,
 * or content it does not accept (images sent to a text-only model). */
static bool is_context_message(const char *msg)
{
    if (contains_ci(msg, "maximum context length") || contains_ci(msg, "prompt is too long") ||
        contains_ci(msg, "context window") || contains_ci(msg, "context length"))
        return true;
    bool media = contains_ci(msg, "image") || contains_ci(msg, "vision") ||
                 contains_ci(msg, "multimodal") || contains_ci(msg, "image_url");
    return media && (contains_ci(msg, "not support") || contains_ci(msg, "unsupported") ||
                     contains_ci(msg, "does not accept") || contains_ci(msg, "not allowed"));
}

static enum err_class class_by_type(const char *type, int status)
{
    static const struct {
        const char *type;
        enum err_class cls;
    } table[] = {
        {"overloaded_error", ERRC_SERVER},
        {"api_error", ERRC_SERVER},
        {"server_error", ERRC_SERVER},
        {"rate_limit_error", ERRC_RATE_LIMIT},
        {"too_many_requests_error", ERRC_RATE_LIMIT},
        {"too_many_tokens_error", ERRC_RATE_LIMIT},
        {"authentication_error", ERRC_AUTH},
        {"permission_error", ERRC_AUTH},
        {"not_found_error", ERRC_NOT_FOUND},
        {"request_too_large", ERRC_BAD_REQUEST},
        {"billing_error", ERRC_QUOTA},
        {"insufficient_quota", ERRC_QUOTA},
        {"timeout_error", ERRC_TIMEOUT},
    };
    if (!type)
        return ERRC_NONE;
    /* A generic "invalid request" says less than a non-4xx status does. */
    if (strcmp(type, "invalid_request_error") == 0)
        return status >= 400 && status < 500 && status != 429 ? ERRC_NONE : ERRC_BAD_REQUEST;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(type, table[i].type) == 0)
            return table[i].cls;
    return ERRC_NONE;
}

/* Provider type names that already mean something to Anthropic or OpenAI clients. */
static bool is_standard_type(const char *t)
{
    static const char *const known[] = {
        "invalid_request_error", "authentication_error", "permission_error", "not_found_error",
        "request_too_large",     "rate_limit_error",     "api_error",        "overloaded_error",
        "billing_error",         "timeout_error",        "server_error",     "insufficient_quota",
    };
    for (size_t i = 0; t && i < sizeof known / sizeof known[0]; i++)
        if (strcmp(t, known[i]) == 0)
            return true;
    return false;
}

static const char *type_for_class(enum err_class c, int status)
{
    switch (c) {
    case ERRC_RATE_LIMIT:
    case ERRC_QUOTA:
        return "rate_limit_error";
    case ERRC_AUTH:
        return status == 403 ? "permission_error" : "authentication_error";
    case ERRC_NOT_FOUND:
        return "not_found_error";
    case ERRC_CONTEXT:
    case ERRC_BAD_REQUEST:
        return status == 413 ? "request_too_large" : "invalid_request_error";
    case ERRC_SERVER:
        return status == 529 ? "overloaded_error" : "api_error";
    case ERRC_TIMEOUT:
        return "timeout_error";
    case ERRC_CLIENT_GONE:
        return "client_closed_request";
    default:
        return "api_error";
    }
}

/* Reads code (string or number) and type; numeric Z.AI codes may sit in either. */
static void read_code(const cJSON *src, struct upstream_error *out, int *zcode)
{
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(src, "code");
    if (cJSON_IsString(code))
        copy_trunc(out->code, sizeof out->code, code->valuestring);
    else if (cJSON_IsNumber(code) && code->valuedouble >= 0 && code->valuedouble < 1e9)
        snprintf(out->code, sizeof out->code, "%d", (int)code->valuedouble);
    const char *type = json_str(src, "type");
    if (all_digits(out->code))
        *zcode = atoi(out->code);
    else if (all_digits(type)) {
        *zcode = atoi(type);
        if (!out->code[0])
            copy_trunc(out->code, sizeof out->code, type);
    }
}

static enum err_class decide(int status, const char *type, const char *code, const char *msg,
                             int zcode)
{
    enum err_class c = zcode ? class_by_zai(zcode) : ERRC_NONE;
    bool may_be_context = status != 429 && status < 500;
    if (c == ERRC_BAD_REQUEST && may_be_context && is_context_message(msg))
        return ERRC_CONTEXT;
    if (c == ERRC_NONE)
        c = class_by_code(code, msg);
    if ((c == ERRC_NONE || c == ERRC_BAD_REQUEST) && may_be_context && is_context_message(msg))
        c = ERRC_CONTEXT;
    if (c == ERRC_NONE)
        c = class_by_type(type, status);
    if (c == ERRC_NONE && status >= 400 && status < 500 && status != 401 && status != 403 &&
        status != 404 &&
        (contains_ci(msg, "rate limit exceeded") || contains_ci(msg, "too many requests")))
        c = ERRC_RATE_LIMIT; /* rate-limit text behind a generic 4xx */
    if (c == ERRC_NONE && status == 0)
        c = ERRC_SERVER; /* an error object arrived, so the connection was fine: mid-stream */
    if (c == ERRC_NONE)
        c = class_by_status(status);
    return c;
}

static void init_error(int status, struct upstream_error *out)
{
    memset(out, 0, sizeof *out);
    out->status = status;
}

/* Copies the provider's message (or a stand-in). A refused key is switchboard's key, never
 * the client's, and the client would otherwise go looking for a problem on its side. */
static void set_message(struct upstream_error *out, const char *msg)
{
    char base[256], full[400];
    if (msg && *msg)
        copy_trunc(base, sizeof base, msg);
    else if (out->status)
        snprintf(base, sizeof base, "HTTP %d from provider", out->status);
    else
        snprintf(base, sizeof base, "no response from provider");
    if (out->cls != ERRC_AUTH) {
        copy_trunc(out->message, sizeof out->message, base);
        return;
    }
    snprintf(full, sizeof full, "the provider refused the API key configured in switchboard: %s",
             base);
    copy_trunc(out->message, sizeof out->message, full);
}

static void fill_from_status(int status, struct upstream_error *out)
{
    init_error(status, out);
    out->cls = class_by_status(status);
    copy_trunc(out->type, sizeof out->type, type_for_class(out->cls, status));
    set_message(out, NULL);
}

void errmap_classify_json(int status, const cJSON *body, struct upstream_error *out)
{
    if (!out)
        return;
    if (!cJSON_IsObject(body)) {
        fill_from_status(status, out);
        return;
    }
    init_error(status, out);
    const cJSON *src = json_obj(body, "error");
    const char *msg = json_str(body, "error"); /* {"error":"text"} from simple servers */
    if (!src)
        src = body; /* Cerebras' flat shape, or a bare inner error object */
    if (!msg)
        msg = json_str(src, "message");
    if (!msg)
        msg = json_str(src, "detail");
    int zcode = 0;
    read_code(src, out, &zcode);
    const char *type = json_str(src, "type");
    if (src == body && type && strcmp(type, "error") == 0)
        type = NULL; /* the Anthropic envelope without an inner object */
    out->cls = decide(status, type, out->code[0] ? out->code : NULL, msg, zcode);
    copy_trunc(out->type, sizeof out->type,
               is_standard_type(type) ? type : type_for_class(out->cls, status));
    set_message(out, msg);
}

void errmap_classify(int status, const char *body, size_t len, struct upstream_error *out)
{
    if (!out)
        return;
    cJSON *root = body && len ? json_parse(body, len) : NULL;
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        fill_from_status(status, out);
        return;
    }
    errmap_classify_json(status, root, out);
    cJSON_Delete(root);
}

const char *errmap_class_name(enum err_class c)
{
    static const char *const names[] = {
        "none",        "rate_limit", "quota",   "auth",    "not_found", "context",
        "bad_request", "server",     "timeout", "connect", "protocol",  "client_gone",
    };
    if ((unsigned)c >= sizeof names / sizeof names[0])
        return "unknown";
    return names[c];
}

bool errmap_is_retryable(enum err_class c)
{
    return c == ERRC_SERVER || c == ERRC_TIMEOUT || c == ERRC_CONNECT || c == ERRC_PROTOCOL;
}

bool errmap_falls_back(enum err_class c)
{
    return c != ERRC_BAD_REQUEST && c != ERRC_CLIENT_GONE;
}

const char *errmap_anthropic_type(int status)
{
    switch (status) {
    case 400:
        return "invalid_request_error";
    case 401:
        return "authentication_error";
    case 403:
        return "permission_error";
    case 404:
        return "not_found_error";
    case 413:
        return "request_too_large";
    case 429:
        return "rate_limit_error";
    case 500:
        return "api_error";
    case 529:
        return "overloaded_error";
    default:
        return status >= 400 && status < 500 ? "invalid_request_error" : "api_error";
    }
}

const char *errmap_openai_type(int status)
{
    switch (status) {
    case 401:
        return "authentication_error";
    case 403:
        return "permission_error";
    case 404:
        return "not_found_error";
    case 429:
        return "rate_limit_error";
    default:
        return status >= 400 && status < 500 ? "invalid_request_error" : "server_error";
    }
}

/* cJSON copies bytes through unchecked; clients choke on invalid UTF-8, so replace it. */
static char *clean_message(const char *m)
{
    char *s = strdup(m ? m : "");
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (json_utf8_valid(s, n))
        return s;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            s[i] = '?';
    return s;
}

static cJSON *build_anthropic(int status, const char *msg)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *err = NULL;
    if (cJSON_AddStringToObject(root, "type", "error"))
        err = cJSON_AddObjectToObject(root, "error");
    if (!err || !cJSON_AddStringToObject(err, "type", errmap_anthropic_type(status)) ||
        !cJSON_AddStringToObject(err, "message", msg)) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

static cJSON *build_openai(int status, const char *msg, const char *code)
{
    const char *t = errmap_openai_type(status);
    cJSON *root = cJSON_CreateObject();
    cJSON *err = cJSON_AddObjectToObject(root, "error");
    if (!err || !cJSON_AddStringToObject(err, "message", msg) ||
        !cJSON_AddStringToObject(err, "type", t) || !cJSON_AddNullToObject(err, "param") ||
        !cJSON_AddStringToObject(err, "code", code ? code : t)) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

int errmap_body(enum api client, int status, const char *message, const char *code, struct buf *out)
{
    char *msg = clean_message(message);
    if (!msg)
        return -ENOMEM;
    char *clean_code = code ? clean_message(code) : NULL;
    cJSON *root = NULL;
    if (!code || clean_code)
        root = client == API_ANTHROPIC ? build_anthropic(status, msg)
                                       : build_openai(status, msg, clean_code);
    char *text = root ? cJSON_PrintUnformatted(root) : NULL;
    int rc = text ? buf_puts(out, text) : -ENOMEM;
    free(text);
    cJSON_Delete(root);
    free(clean_code);
    free(msg);
    return rc;
}

int errmap_client_status(const struct upstream_error *e)
{
    if (!e)
        return 502;
    switch (e->cls) {
    case ERRC_RATE_LIMIT:
    case ERRC_QUOTA:
        return 429;
    case ERRC_CONTEXT:
    case ERRC_BAD_REQUEST:
        return e->status >= 400 && e->status < 500 ? e->status : 400;
    case ERRC_SERVER:
        return e->status == 503 || e->status == 529 ? e->status : 502;
    case ERRC_TIMEOUT:
        return 504;
    case ERRC_CLIENT_GONE:
        return 499;
    default: /* AUTH, NOT_FOUND: our setup is wrong, not the client's; CONNECT, PROTOCOL */
        return 502;
    }
}

bool errmap_model_gone(const struct upstream_error *e)
{
    if (!e || e->cls != ERRC_NOT_FOUND)
        return false;
    if (strcmp(e->code, "model_not_found") == 0 || strcmp(e->code, "1211") == 0)
        return true;
    return contains_ci(e->message, "model");
}
