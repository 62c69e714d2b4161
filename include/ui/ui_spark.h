/* ui_spark: a sparkline as a glyph string, scaled to the largest value of the series. Pure and
 * thread-safe; no curses. */
#ifndef SB_UI_SPARK_H
#define SB_UI_SPARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Glyph levels, lowest first: "▁▂▃▄▅▆▇█" in UTF-8, " .:-=+*#" in ASCII. */
#define UI_SPARK_LEVELS 8

/* Writes one glyph per value of series[0..n) (oldest first) into out (cap bytes, always
 * NUL-terminated when cap > 0). Zero is the lowest glyph, the maximum the highest, and every
 * non-zero value at least the second lowest so a trickle stays visible. Writes only whole
 * glyphs; returns how many glyphs it wrote. */
int ui_spark(char *out, size_t cap, const uint32_t *series, int n, bool utf8);
/* Level (0..UI_SPARK_LEVELS-1) of v on a scale whose top is max. */
int ui_spark_level(uint32_t v, uint32_t max);

#endif
