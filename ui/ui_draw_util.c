/* ui_draw_util: clipped text, rules and overlay frames shared by the panes. Text never wraps:
 * everything is cut to its column budget and to the screen edge. */
#include "ui_draw.h"

#include <stdarg.h>
#include <stdio.h>

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

void ui_rule(int y, int x, int w, enum ui_tone tone, const char *title)
{
    if (y < 0 || y >= LINES || w <= 0)
        return;
    mvwhline(stdscr, y, x, ui_theme_line(UI_LINE_H), w);
    if (title && title[0])
        ui_putf(y, x + 1, w - 2, tone, " %s ", title);
}

void ui_frame(struct ui_rect r, const char *title)
{
    if (r.h < 2 || r.w < 2)
        return;
    for (int i = 0; i < r.h; i++)
        mvwhline(stdscr, r.y + i, r.x, ' ', r.w);
    mvwhline(stdscr, r.y, r.x + 1, ui_theme_line(UI_LINE_H), r.w - 2);
    mvwhline(stdscr, r.y + r.h - 1, r.x + 1, ui_theme_line(UI_LINE_H), r.w - 2);
    mvwvline(stdscr, r.y + 1, r.x, ui_theme_line(UI_LINE_V), r.h - 2);
    mvwvline(stdscr, r.y + 1, r.x + r.w - 1, ui_theme_line(UI_LINE_V), r.h - 2);
    mvwaddch(stdscr, r.y, r.x, ui_theme_line(UI_LINE_UL));
    mvwaddch(stdscr, r.y, r.x + r.w - 1, ui_theme_line(UI_LINE_UR));
    mvwaddch(stdscr, r.y + r.h - 1, r.x, ui_theme_line(UI_LINE_LL));
    mvwaddch(stdscr, r.y + r.h - 1, r.x + r.w - 1, ui_theme_line(UI_LINE_LR));
    if (title && title[0])
        ui_putf(r.y, r.x + 2, r.w - 4, UI_TONE_TITLE, " %s ", title);
}
