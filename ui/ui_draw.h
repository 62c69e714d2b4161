/* ui_draw: the panes and the curses helpers they share. Only ui.c, ui_theme.c and the
 * ui_draw_*.c files include this (and so curses.h). Everything draws on stdscr; the loop
 * erases it once per frame and pushes it with wnoutrefresh + doupdate, so nothing flickers. */
#ifndef SB_UI_DRAW_H
#define SB_UI_DRAW_H

#include <curses.h>

#include "ui_int.h"

/* ui_theme.c: every colour pair, attribute and line glyph. color=false gives a monochrome
 * theme; utf8=false draws lines with - | +. A line glyph is a one-column string. */
enum ui_line { UI_LINE_H, UI_LINE_V, UI_LINE_UL, UI_LINE_UR, UI_LINE_LL, UI_LINE_LR };
void ui_theme_init(bool color, bool utf8);
attr_t ui_theme_attr(enum ui_tone t);
const char *ui_theme_line(enum ui_line l);

/* ui_draw_util.c. ui_put writes s at (y, x), cut to maxw columns and to the screen, in tone;
 * returns the columns written. */
int ui_put(int y, int x, int maxw, enum ui_tone tone, const char *s);
int ui_putf(int y, int x, int maxw, enum ui_tone tone, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A horizontal rule across r's first row with a title near its left end. */
void ui_rule(int y, int x, int w, enum ui_tone tone, const char *title);
/* Blanks r and draws a border with a title: the frame of an overlay. */
void ui_frame(struct ui_rect r, const char *title);

void ui_draw_header(const struct ui_ctx *c, struct ui_rect r);
void ui_draw_providers(const struct ui_ctx *c, struct ui_rect r);
void ui_draw_log(const struct ui_ctx *c, struct ui_rect r);
void ui_draw_footer(const struct ui_ctx *c, struct ui_rect r);
void ui_draw_detail(const struct ui_ctx *c);
void ui_draw_help(const struct ui_ctx *c);
void ui_draw_models(const struct ui_ctx *c);

#endif
