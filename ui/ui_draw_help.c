/* ui_draw_help: the "Keys" overlay, listing the key table itself, so it cannot drift from what
 * the keys do. Scrolls when the screen is short. */
#include "ui_draw.h"

#include <stdio.h>

#include "ui/ui_keys.h"

static const char *const head[] = {
    "Colours: green ready, yellow cooling down or limited, red failing, dim off",
    "Focus (Tab): providers or log. Commands act at once, like the admin API.",
    "",
};
_Static_assert(sizeof head / sizeof head[0] == UI_HELP_HEAD, "help head lines");

void ui_draw_help(const struct ui_ctx *c)
{
    struct ui_rect r = ui_ctl_help_box(c);
    int total = ui_ctl_help_lines(c);
    char line[256];

    ui_frame(r, "Keys");
    for (int row = 0; row < r.h - 2; row++) {
        int i = c->help_top + row;
        const struct ui_binding *b = ui_ctl_help_binding(c, i);

        if (i >= total)
            break;
        if (b)
            ui_keys_help_line(line, sizeof line, b);
        else
            snprintf(line, sizeof line, "%s", i < UI_HELP_HEAD ? head[i] : "");
        ui_put(r.y + 1 + row, r.x + 2, r.w - 4, b ? UI_TONE_NORMAL : UI_TONE_DIM, line);
    }
    if (c->help_top + r.h - 2 < total)
        ui_put(r.y + r.h - 1, r.x + r.w - 12, 10, UI_TONE_DIM, " more... ");
}
