/* fuzz_xlate_req: client request bodies through validation and the four request translators
 * (a2o, a2a, o2a, o2o). Byte 0: bits 0-1 the path, 2-3 the provider kind, 4 stream, 5-6 the
 * max_tokens clamp, 7 translate even what validation refused (the translators promise to
 * refuse bad input themselves). The rest is the JSON body. */
#include <stdbool.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "core/json.h"
#include "core/tokest.h"
#include "xlate/xlate.h"

typedef cJSON *(*req_fn)(const cJSON *, const struct xlate_opts *, char[XLATE_ERR_LEN]);

static void check_out(cJSON *out, const char *err)
{
    if (!out) {
        if (!err[0])
            abort(); /* a refusal must say why */
        return;
    }
    char *s = json_print(out);
    free(s);
    cJSON_Delete(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const req_fn fns[] = {xlate_req_a2o, xlate_req_a2a, xlate_req_o2a, xlate_req_o2o};
    static const long caps[] = {0, 1, 4096, 16000};
    unsigned sel = data[0];
    enum api client = (sel & 3) < 2 ? API_ANTHROPIC : API_OPENAI;
    cJSON *req = json_parse((const char *)data + 1, size - 1);
    if (!req)
        return 0;
    char err[XLATE_ERR_LEN] = "";
    bool valid = client == API_ANTHROPIC ? xlate_validate_anthropic(req, err)
                                         : xlate_validate_openai(req, err);
    if (!valid && !err[0])
        abort();
    if (valid || (sel & 0x80)) {
        struct xlate_opts o = {.provider = fuzz_provider(sel >> 2),
                               .model = "fuzz-model",
                               .max_tokens_cap = caps[(sel >> 5) & 3],
                               .stream = (sel >> 4) & 1};
        err[0] = '\0';
        check_out(fns[sel & 3](req, &o, err), err);
        (void)xlate_max_tokens(req, 4096);
        (void)tokest_request(req, client);
    }
    cJSON_Delete(req);
    return 0;
}
