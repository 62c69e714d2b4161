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

const char *ui_theme_line(enum ui_line l)
{
    /* Box-drawing characters as text rather than the terminal's alternate character set:
     * with UTF-8 they need no ACS support (PuTTY, some tmux setups draw ACS as letters). */
    static const char *const utf8_glyph[] = {
        [UI_LINE_H] = "\xe2\x94\x80",  [UI_LINE_V] = "\xe2\x94\x82",  [UI_LINE_UL] = "\xe2\x94\x8c",
        [UI_LINE_UR] = "\xe2\x94\x90", [UI_LINE_LL] = "\xe2\x94\x94", [UI_LINE_LR] = "\xe2\x94\x98",
    };
    static const char *const ascii_glyph[] = {
        [UI_LINE_H] = "-",  [UI_LINE_V] = "|",  [UI_LINE_UL] = "+",
        [UI_LINE_UR] = "+", [UI_LINE_LL] = "+", [UI_LINE_LR] = "+",
    };

    if ((unsigned)l > UI_LINE_LR)
        return "+";
    return line_ascii ? ascii_glyph[l] : utf8_glyph[l];
}

attr_t ui_theme_attr(enum ui_tone t)
{
    if ((unsigned)t >= UI_TONE_COUNT)
        return A_NORMAL;
    return tone_attr[t];
}
