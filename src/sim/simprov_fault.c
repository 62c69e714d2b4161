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
};

struct spec {
    int status;
    const char *message, *type, *param, *code; /* Cerebras */
    const char *ant_type, *ant_message;        /* Z.AI Anthropic endpoint */
};

#define ZAI_1302                                                                                   \
    "High concurrency usage of this API, please reduce concurrency or contact customer service "   \
    "to increase limits"

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
                       "too_many_requests_error", "quota", "request_quota_exceeded", "1302",
                       ZAI_1302},
    [SIMPROV_E_TPM] = {429, "Tokens per minute limit exceeded - too many tokens processed.",
                       "too_many_tokens_error", "quota", "token_quota_exceeded", "1302", ZAI_1302},
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
};

int simprov_fault_parse(const char *mode, enum simprov_fault *f, int *arg)
{
    *arg = 7;
    if (!mode)
        return -EINVAL;
    if (strncmp(mode, "429:", 4) == 0) {
        char *end;
        long n = strtol(mode + 4, &end, 10);
        if (end == mode + 4 || *end || n < 0 || n > 86400)
            return -EINVAL;
        *f = SIMPROV_F_429;
        *arg = (int)n;
        return 0;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(mode, names[i].name) == 0) {
            *f = names[i].f;
            return 0;
        }
    }
    return -EINVAL;
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
        cJSON_AddStringToObject(err, "message", msg ? msg : sp->ant_message);
        snprintf(id, sizeof(id), "req_%.40s", rid ? rid : "");
        cJSON_AddStringToObject(o, "request_id", id);
    }
    char *s = json_print(o);
    cJSON_Delete(o);
    return s;
}
