/* simprov_fault: fault-mode names and the error bodies the simulated providers send. The
 * bodies follow what the real services send (Cerebras: flat {message,type,param,code};
 * Z.AI Anthropic endpoint: {type:"error", error:{type:<code>, message}}). No I/O. */
#include "sim/simprov_fault.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static const struct {
    const char *name;
    enum simprov_fault f;
} names[] = {
    {"none", SIMPROV_F_NONE},
    {"500", SIMPROV_F_500},
    {"502", SIMPROV_F_502},
    {"503", SIMPROV_F_503},
    {"529", SIMPROV_F_529},
    {"429", SIMPROV_F_429},
    {"429_reset", SIMPROV_F_429_RESET},
    {"429_plain", SIMPROV_F_429_PLAIN},
    {"quota", SIMPROV_F_QUOTA},
    {"auth", SIMPROV_F_AUTH},
    {"slow", SIMPROV_F_SLOW},
    {"stall", SIMPROV_F_STALL},
    {"cut", SIMPROV_F_CUT},
    {"not_json", SIMPROV_F_NOT_JSON},
    {"bad_sse", SIMPROV_F_BAD_SSE},
    {"huge", SIMPROV_F_HUGE},
    {"flap", SIMPROV_F_FLAP},
    {"context", SIMPROV_F_CONTEXT},
    {"queue", SIMPROV_F_QUEUE},
    {"1303", SIMPROV_F_ZAI_1303},
    {"1308", SIMPROV_F_ZAI_1308},
    {"1310", SIMPROV_F_ZAI_1310},
    {"1313", SIMPROV_F_ZAI_1313},
};

struct spec {
    int status;
    const char *message, *type, *param, *code; /* Cerebras */
    const char *ant_type, *ant_message;        /* Z.AI Anthropic endpoint */
    const char *ant_code; /* newer Z.AI bodies: {"type":"rate_limit_error","code":"1310"} */
};

/* Z.AI texts: docs.z.ai/api-reference/api-code (1302, 1303, 1305); 1308 as a live body quoted
 * in hugalafutro/model-hotel PR #955, 1310 in Yeachan-Heo/gajae-code #1821 (both with the
 * Anthropic-endpoint shape {"type":"rate_limit_error","code":"1310"}); 1313 from community
 * reports (protocol.md §5; wording unverified). */
#define ZAI_1302                                                                                   \
    "High concurrency usage of this API, please reduce concurrency or contact customer service "   \
    "to increase limits"
#define ZAI_1303                                                                                   \
    "High frequency usage of this API, please reduce frequency or contact customer service to "    \
    "increase limits"
#define ZAI_1305 "The API has triggered a rate limit"

static const struct spec specs[] = {
    [SIMPROV_E_500] = {500, "Internal server error", "server_error", "", "internal_server_error",
                       "api_error", "Internal server error"},
    [SIMPROV_E_502] = {502, "Bad gateway", "server_error", "", "bad_gateway", "api_error",
                       "Bad gateway"},
    [SIMPROV_E_503] = {503, "Service Unavailable", "server_error", "", "service_unavailable",
                       "1305", "The service may be temporarily overloaded, please try again later"},
    [SIMPROV_E_529] = {529, "Overloaded", "server_error", "", "overloaded", "overloaded_error",
                       "Overloaded"},
    [SIMPROV_E_RPM] = {429, "Requests per minute limit exceeded - too many requests sent.",
                       "too_many_requests_error", "quota", "request_quota_exceeded", "1305",
                       ZAI_1305},
    [SIMPROV_E_TPM] = {429, "Tokens per minute limit exceeded - too many tokens processed.",
                       "too_many_tokens_error", "quota", "token_quota_exceeded", "1305", ZAI_1305},
    [SIMPROV_E_QUOTA] = {429, "Tokens per day limit exceeded - too many tokens processed.",
                         "too_many_tokens_error", "quota", "token_quota_exceeded", "1113",
                         "Insufficient balance or no resource package. Please recharge."},
    [SIMPROV_E_AUTH] = {401, "Wrong API Key", "invalid_request_error", "api_key", "wrong_api_key",
                        "1001", "Header Authorization is invalid"},
    [SIMPROV_E_CONTEXT] = {400, "Please reduce the length of the messages or completion.",
                           "invalid_request_error", "messages", "context_length_exceeded",
                           "invalid_request_error",
                           "prompt is too long: 204801 tokens > 200000 maximum"},
    [SIMPROV_E_INVALID] = {400, "invalid request", "invalid_request_error", "validation_error",
                           "wrong_api_format", "invalid_request_error", "invalid request"},
    [SIMPROV_E_TOOBIG] = {413, "Request body too large", "invalid_request_error", "",
                          "request_too_large", "request_too_large",
                          "Request exceeds the maximum allowed number of bytes"},
    [SIMPROV_E_NOTFOUND] = {404, "Not found", "not_found_error", "", "not_found", "not_found_error",
                            "Not found"},
    /* Cerebras: "We're experiencing high traffic right now! Please try again soon."
     * (protocol.md §4) */
    [SIMPROV_E_QUEUE] = {429, "We're experiencing high traffic right now! Please try again soon.",
                         "too_many_requests_error", "queue", "queue_exceeded", "1305", ZAI_1305},
    [SIMPROV_E_CONCURRENCY] = {429, ZAI_1302, "too_many_requests_error", "quota",
                               "request_quota_exceeded", "1302", ZAI_1302},
    [SIMPROV_E_FREQUENCY] = {429, ZAI_1303, "too_many_requests_error", "quota",
                             "request_quota_exceeded", "1303", ZAI_1303},
    [SIMPROV_E_PLAN_5H] = {429, "Usage limit reached for 5 hour.", "too_many_requests_error",
                           "quota", "request_quota_exceeded", "rate_limit_error",
                           "Usage limit reached for 5 hour.", "1308"},
    [SIMPROV_E_PLAN_WEEK] = {429, "Weekly/Monthly Limit Exhausted.", "too_many_requests_error",
                             "quota", "request_quota_exceeded", "rate_limit_error",
                             "[1310][Weekly/Monthly Limit Exhausted.", "1310"},
    [SIMPROV_E_FAIR_USE] = {429, "Fair use policy violated.", "too_many_requests_error", "quota",
                            "request_quota_exceeded", "1313",
                            "Your account has violated the fair use policy of the GLM Coding "
                            "Plan and its access is restricted."},
};

/* The default argument of a mode: retry-after, request count or seconds to a reset. */
static int default_arg(enum simprov_fault f)
{
    switch (f) {
    case SIMPROV_F_QUEUE:
    case SIMPROV_F_ZAI_1303:
        return 1;
    case SIMPROV_F_ZAI_1308:
        return 3 * 3600;
    case SIMPROV_F_ZAI_1310:
        return 5 * 86400;
    default:
        return 7;
    }
}

static bool takes_arg(enum simprov_fault f)
{
    return f == SIMPROV_F_429 || f == SIMPROV_F_QUEUE || f == SIMPROV_F_ZAI_1303 ||
           f == SIMPROV_F_ZAI_1308 || f == SIMPROV_F_ZAI_1310;
}

int simprov_fault_parse(const char *mode, enum simprov_fault *f, int *arg)
{
    *arg = 7;
    if (!mode)
        return -EINVAL;
    const char *colon = strchr(mode, ':');
    size_t len = colon ? (size_t)(colon - mode) : strlen(mode);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i].name) != len || strncmp(mode, names[i].name, len) != 0)
            continue;
        *f = names[i].f;
        *arg = default_arg(*f);
        if (!colon)
            return 0;
        char *end;
        long n = strtol(colon + 1, &end, 10);
        if (!takes_arg(*f) || end == colon + 1 || *end || n < 0 || n > 30L * 86400)
            return -EINVAL;
        *arg = (int)n;
        return 0;
    }
    return -EINVAL;
}

bool simprov_fault_counted(enum simprov_fault f)
{
    return f == SIMPROV_F_QUEUE || f == SIMPROV_F_ZAI_1303;
}

bool simprov_fault_error(enum simprov_fault f, enum simprov_err *e)
{
    switch (f) {
    case SIMPROV_F_500:
        *e = SIMPROV_E_500;
        return true;
    case SIMPROV_F_502:
        *e = SIMPROV_E_502;
        return true;
    case SIMPROV_F_503:
        *e = SIMPROV_E_503;
        return true;
    case SIMPROV_F_529:
        *e = SIMPROV_E_529;
        return true;
    case SIMPROV_F_429:
    case SIMPROV_F_429_RESET:
    case SIMPROV_F_429_PLAIN:
        *e = SIMPROV_E_RPM;
        return true;
    case SIMPROV_F_QUOTA:
        *e = SIMPROV_E_QUOTA;
        return true;
    case SIMPROV_F_AUTH:
        *e = SIMPROV_E_AUTH;
        return true;
    case SIMPROV_F_CONTEXT:
        *e = SIMPROV_E_CONTEXT;
        return true;
    case SIMPROV_F_QUEUE:
        *e = SIMPROV_E_QUEUE;
        return true;
    case SIMPROV_F_ZAI_1303:
        *e = SIMPROV_E_FREQUENCY;
        return true;
    case SIMPROV_F_ZAI_1308:
        *e = SIMPROV_E_PLAN_5H;
        return true;
    case SIMPROV_F_ZAI_1310:
        *e = SIMPROV_E_PLAN_WEEK;
        return true;
    case SIMPROV_F_ZAI_1313:
        *e = SIMPROV_E_FAIR_USE;
        return true;
    default:
        return false;
    }
}

int simprov_fault_status(enum simprov_err e)
{
    return (unsigned)e < sizeof(specs) / sizeof(specs[0]) ? specs[e].status : 500;
}

char *simprov_fault_body(enum api d, enum simprov_err e, const char *msg, const char *rid)
{
    const struct spec *sp = &specs[(unsigned)e < sizeof(specs) / sizeof(specs[0]) ? e : 0];
    cJSON *o = cJSON_CreateObject();
    if (d == API_OPENAI) {
        cJSON_AddStringToObject(o, "message", msg ? msg : sp->message);
        cJSON_AddStringToObject(o, "type", sp->type);
        cJSON_AddStringToObject(o, "param", sp->param);
        cJSON_AddStringToObject(o, "code", sp->code);
    } else {
        char id[64];
        cJSON_AddStringToObject(o, "type", "error");
        cJSON *err = cJSON_AddObjectToObject(o, "error");
        cJSON_AddStringToObject(err, "type", sp->ant_type);
        if (sp->ant_code)
            cJSON_AddStringToObject(err, "code", sp->ant_code);
        cJSON_AddStringToObject(err, "message", msg ? msg : sp->ant_message);
        snprintf(id, sizeof(id), "req_%.40s", rid ? rid : "");
        cJSON_AddStringToObject(o, "request_id", id);
    }
    char *s = json_print(o);
    cJSON_Delete(o);
    return s;
}
