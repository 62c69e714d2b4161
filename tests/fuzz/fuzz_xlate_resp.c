/* fuzz_xlate_resp: provider non-streamed answers through the four response translators.
 * Byte 0: bits 0-1 the path (o2a, a2o, o2o, a2a); the rest is the provider's JSON body. */
#include <stdlib.h>

#include "fuzz_common.h"
#include "core/json.h"
#include "xlate/xlate.h"

typedef cJSON *(*resp_fn)(const cJSON *, const char *, long *, long *);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const resp_fn fns[] = {xlate_resp_o2a, xlate_resp_a2o, xlate_resp_o2o, xlate_resp_a2a};
    cJSON *ans = json_parse((const char *)data + 1, size - 1);
    if (!ans)
        return 0;
    long tin = -1, tout = -1;
    cJSON *out = fns[data[0] & 3](ans, "fuzz-model", (data[0] & 4) ? NULL : &tin,
                                  (data[0] & 4) ? NULL : &tout);
    cJSON_Delete(ans);
    if (out) {
        char *s = json_print(out);
        free(s);
        cJSON_Delete(out);
    }
    return 0;
}
