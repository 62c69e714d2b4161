/* fuzz_front: the request front, minus the socket. civetweb cannot be driven in-process
 * cheaply (it owns its threads and sockets), so this harness runs what proxy_serve and
 * proxy_count_tokens do with a body once civetweb hands it over: UTF-8 check, parse, object
 * and model checks, validation in the client's API, the output budget, the token estimate,
 * translation for each provider a request can be routed to (Cerebras over OpenAI, Z.AI over
 * Anthropic), and the 400 error body echoing the validation message. The HTTP layer (headers,
 * paths, methods, body sizes) is covered by tests/integration/test_bad_input.sh instead.
 * Byte 0: bit 0 the client API (set = Anthropic /v1/messages), bit 1 the count_tokens route,
 * bit 2 stream forced on. The rest is the body. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/errmap.h"
#include "fuzz_common.h"
#include "core/json.h"
#include "core/tokest.h"
#include "xlate/xlate.h"
#include "xlate/xlate_pair.h"

static void translate_for(const cJSON *req, enum api client, enum api dialect,
                          enum provider_kind kind, bool stream)
{
    struct xlate_opts o = {
        .provider = kind, .model = "glm-4.6", .max_tokens_cap = 16000, .stream = stream};
    char err[XLATE_ERR_LEN] = "";
    cJSON *out = xlate_pair(client, dialect)->request(req, &o, err);
    if (!out) {
        if (!err[0])
            abort();
        return;
    }
    char *s = json_print(out);
    if (!s || !json_utf8_valid(s, strlen(s)))
        abort(); /* what goes upstream must be valid UTF-8 JSON */
    free(s);
    cJSON_Delete(out);
}

static void answer_400(enum api client, const char *msg)
{
    struct buf b;
    buf_init(&b, 0);
    errmap_body(client, 400, msg, NULL, &b);
    if (!json_utf8_valid(buf_cstr(&b), b.len))
        abort(); /* the client must get valid JSON back */
    buf_release(&b);
}

static void count_tokens(const char *body, size_t len)
{
    cJSON *req = json_utf8_valid(body, len) ? json_parse(body, len) : NULL;
    if (cJSON_IsObject(req) && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(req, "messages")))
        (void)tokest_request(req, API_ANTHROPIC);
    cJSON_Delete(req);
}

static void serve(enum api client, const char *body, size_t len, bool force_stream)
{
    char err[XLATE_ERR_LEN] = "";
    cJSON *req = NULL;
    const char *model = NULL;
    if (!json_utf8_valid(body, len))
        strcpy(err, "request body is not valid UTF-8");
    else if (!(req = json_parse(body, len)))
        strcpy(err, "request body is not valid JSON");
    else if (!cJSON_IsObject(req))
        strcpy(err, "request body must be a JSON object");
    else if (!(model = json_str(req, "model")) || !*model)
        strcpy(err, "model: field required (a string)");
    else if (!(client == API_ANTHROPIC ? xlate_validate_anthropic(req, err)
                                       : xlate_validate_openai(req, err)) &&
             !err[0])
        abort(); /* refused without a reason */
    if (err[0]) {
        answer_400(client, err);
    } else {
        bool stream = force_stream || json_bool(req, "stream", false);
        (void)xlate_max_tokens(req, 4096);
        (void)tokest_request(req, client);
        translate_for(req, client, API_OPENAI, PROVIDER_CEREBRAS, stream);
        translate_for(req, client, API_ANTHROPIC, PROVIDER_ZAI, stream);
    }
    cJSON_Delete(req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    if (data[0] & 2)
        count_tokens(body, len);
    else
        serve((data[0] & 1) ? API_ANTHROPIC : API_OPENAI, body, len, (data[0] & 4) != 0);
    return 0;
}
