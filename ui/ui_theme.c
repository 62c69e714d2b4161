/* ui_theme: every colour pair and attribute of the dashboard, in one place. Colour means state:
 * green ready, yellow degraded, red failing, dim inactive. Monochrome keeps the meaning with
 * bold, dim and reverse. */
#include "ui_draw.h"

enum { PAIR_GREEN = 1, PAIR_YELLOW, PAIR_RED, PAIR_CYAN, PAIR_ALERT };

static attr_t tone_attr[UI_TONE_COUNT];
static bool line_ascii;

static void mono(void)
{
    tone_attr[UI_TONE_NORMAL] = A_NORMAL;
    tone_attr[UI_TONE_OK] = A_NORMAL;
    tone_attr[UI_TONE_WARN] = A_BOLD;
    tone_attr[UI_TONE_BAD] = A_BOLD | A_UNDERLINE;
    tone_attr[UI_TONE_DIM] = A_DIM;
    tone_attr[UI_TONE_TITLE] = A_BOLD;
    tone_attr[UI_TONE_SELECT] = A_REVERSE;
    tone_attr[UI_TONE_ALERT] = A_REVERSE | A_BOLD;
}

void ui_theme_init(bool color, bool utf8)
{
    /* Without UTF-8 the line-drawing set may not exist (and tmux or a serial console may show
     * it as letters): plain ASCII draws the same boxes everywhere. */
    line_ascii = !utf8;
    mono();
    if (!color || start_color() == ERR)
        return;
    /* -1 keeps the terminal's own background (transparent terminals stay so). */
    if (use_default_colors() == ERR) {
        init_pair(PAIR_GREEN, COLOR_GREEN, COLOR_BLACK);
        init_pair(PAIR_YELLOW, COLOR_YELLOW, COLOR_BLACK);
        init_pair(PAIR_RED, COLOR_RED, COLOR_BLACK);
        init_pair(PAIR_CYAN, COLOR_CYAN, COLOR_BLACK);
    } else {
        init_pair(PAIR_GREEN, COLOR_GREEN, -1);
        init_pair(PAIR_YELLOW, COLOR_YELLOW, -1);
        init_pair(PAIR_RED, COLOR_RED, -1);
        init_pair(PAIR_CYAN, COLOR_CYAN, -1);
    }
    init_pair(PAIR_ALERT, COLOR_BLACK, COLOR_YELLOW);
    tone_attr[UI_TONE_OK] = COLOR_PAIR(PAIR_GREEN);
    tone_attr[UI_TONE_WARN] = COLOR_PAIR(PAIR_YELLOW) | A_BOLD;
    tone_attr[UI_TONE_BAD] = COLOR_PAIR(PAIR_RED) | A_BOLD;
    tone_attr[UI_TONE_TITLE] = COLOR_PAIR(PAIR_CYAN) | A_BOLD;
    tone_attr[UI_TONE_ALERT] = COLOR_PAIR(PAIR_ALERT) | A_BOLD;
}

chtype ui_theme_line(enum ui_line l)
{
    switch (l) {
    case UI_LINE_H:
        return line_ascii ? '-' : ACS_HLINE;
    case UI_LINE_V:
        return line_ascii ? '|' : ACS_VLINE;
    case UI_LINE_UL:
        return line_ascii ? '+' : ACS_ULCORNER;
    case UI_LINE_UR:
        return line_ascii ? '+' : ACS_URCORNER;
    case UI_LINE_LL:
        return line_ascii ? '+' : ACS_LLCORNER;
    case UI_LINE_LR:
        return line_ascii ? '+' : ACS_LRCORNER;
    }
    return '+';
}

attr_t ui_theme_attr(enum ui_tone t)
{
    if ((unsigned)t >= UI_TONE_COUNT)
        return A_NORMAL;
    return tone_attr[t];
}
