/* ui_spark: series to sparkline glyphs (block elements or an ASCII ramp). */
#include "ui/ui_spark.h"

#include <string.h>

static const char *const glyph_utf8[UI_SPARK_LEVELS] = {
    "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
    "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};
static const char glyph_ascii[UI_SPARK_LEVELS + 1] = " .:-=+*#";

int ui_spark_level(uint32_t v, uint32_t max)
{
    uint64_t top = UI_SPARK_LEVELS - 1;

    if (v == 0 || max == 0)
        return 0;
    if (v >= max)
        return (int)top;
    /* Round up so any non-zero value reaches level 1. */
    return (int)(((uint64_t)v * top + max - 1) / max);
}

int ui_spark(char *out, size_t cap, const uint32_t *series, int n, bool utf8)
{
    uint32_t max = 0;
    size_t len = 0;
    int i;

    if (cap == 0)
        return 0;
    out[0] = '\0';
    if (!series || n <= 0)
        return 0;
    for (i = 0; i < n; i++)
        if (series[i] > max)
            max = series[i];
    for (i = 0; i < n; i++) {
        int lv = ui_spark_level(series[i], max);
        const char *g = utf8 ? glyph_utf8[lv] : &glyph_ascii[lv];
        size_t gl = utf8 ? strlen(g) : 1;

        if (len + gl + 1 > cap)
            break;
        memcpy(out + len, g, gl);
        len += gl;
    }
    out[len] = '\0';
    return i;
}
