/* ui_draw_footer: a status line (quit prompt, filter being typed, last command's result,
 * active filter) over the keys of the focused pane, taken from the key table. */
#include "ui_draw.h"

#include <stdio.h>

#include "ui/ui_keys.h"

static void status_line(const struct ui_ctx *c, int y, int w)
{
    int x = 0;

    if (c->confirm_quit) {
        ui_putf(y, 0, w, UI_TONE_ALERT, " %d request%s in flight %s quit anyway? y/n ",
                c->snap->in_flight, c->snap->in_flight == 1 ? "" : "s",
                c->utf8 ? "\xe2\x80\x94" : "-");
        return;
    }
    if (c->filter_edit) {
        x += ui_putf(y, 0, w, UI_TONE_TITLE, "filter: /%s_", c->filter);
        ui_put(y, x, w - x, UI_TONE_DIM, "  (Enter keeps, Esc clears)");
        return;
    }
    if (c->filter[0])
        x += ui_putf(y, 0, w, UI_TONE_TITLE, "filter: /%s  ", c->filter);
    if (c->paused)
        x += ui_put(y, x, w - x, UI_TONE_ALERT, "PAUSED") + 2;
    if (c->msg[0])
        ui_put(y, x, w - x, c->msg_tone, c->msg);
}

void ui_draw_footer(const struct ui_ctx *c, struct ui_rect r)
{
    char keys[512];
    int w = r.w - 1; /* the bottom-right cell would scroll some terminals */

    if (r.h < 2)
        return;
    status_line(c, r.y, w);
    if (c->confirm_quit)
        ui_put(r.y + 1, r.x, w, UI_TONE_DIM,
               "y quit (open requests get a grace period)  any other key stays");
    else
        ui_put(r.y + 1, r.x, w, UI_TONE_DIM, ui_keys_footer(keys, sizeof keys, ui_ctl_pane(c), w));
}
