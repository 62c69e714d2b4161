/* ui_draw_util: clipped text, rules and overlay frames shared by the panes. Text never wraps:
 * everything is cut to its column budget and to the screen edge. */
#include "ui_draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ui_put(int y, int x, int maxw, enum ui_tone tone, const char *s)
{
    size_t bytes;

    if (y < 0 || y >= LINES || x < 0 || x >= COLS || !s)
        return 0;
    if (maxw > COLS - x)
        maxw = COLS - x;
    if (maxw <= 0)
        return 0;
    bytes = ui_utf8_prefix(s, maxw);
    wattrset(stdscr, ui_theme_attr(tone));
    mvwaddnstr(stdscr, y, x, s, (int)bytes);
    wattrset(stdscr, A_NORMAL);
    return ui_utf8_width(s) < maxw ? ui_utf8_width(s) : maxw;
}

int ui_putf(int y, int x, int maxw, enum ui_tone tone, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    return ui_put(y, x, maxw, tone, line);
}

/* n copies of a line glyph from (y, x), cut to the screen. */
static void glyphs(int y, int x, enum ui_line l, int n)
{
    const char *g = ui_theme_line(l);
    int gl = (int)strlen(g);

    if (y < 0 || y >= LINES || x < 0 || x >= COLS)
        return;
    if (n > COLS - x)
        n = COLS - x;
    wmove(stdscr, y, x);
    for (int i = 0; i < n; i++)
        waddnstr(stdscr, g, gl);
}

void ui_rule(int y, int x, int w, enum ui_tone tone, const char *title)
{
    if (y < 0 || y >= LINES || w <= 0)
        return;
    wattrset(stdscr, ui_theme_attr(UI_TONE_DIM));
    glyphs(y, x, UI_LINE_H, w);
    wattrset(stdscr, A_NORMAL);
    if (title && title[0])
        ui_putf(y, x + 1, w - 2, tone, " %s ", title);
}

void ui_frame(struct ui_rect r, const char *title)
{
    if (r.h < 2 || r.w < 2)
        return;
    for (int i = 0; i < r.h; i++)
        mvwhline(stdscr, r.y + i, r.x, ' ', r.w);
    glyphs(r.y, r.x, UI_LINE_UL, 1);
    glyphs(r.y, r.x + 1, UI_LINE_H, r.w - 2);
    glyphs(r.y, r.x + r.w - 1, UI_LINE_UR, 1);
    for (int i = 1; i < r.h - 1; i++) {
        glyphs(r.y + i, r.x, UI_LINE_V, 1);
        glyphs(r.y + i, r.x + r.w - 1, UI_LINE_V, 1);
    }
    glyphs(r.y + r.h - 1, r.x, UI_LINE_LL, 1);
    glyphs(r.y + r.h - 1, r.x + 1, UI_LINE_H, r.w - 2);
    glyphs(r.y + r.h - 1, r.x + r.w - 1, UI_LINE_LR, 1);
    if (title && title[0])
        ui_putf(r.y, r.x + 2, r.w - 4, UI_TONE_TITLE, " %s ", title);
}
