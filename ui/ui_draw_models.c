/* ui_draw_models: the model chooser (m) over the providers pane: the models the selected
 * deployment's provider offers its key, the one in use marked, Enter writes the chosen one
 * into the config file. */
#include "ui_draw.h"

#include <stdio.h>
#include <string.h>

void ui_draw_models(const struct ui_ctx *c)
{
    struct ui_rect r = ui_ctl_models_box(c);
    char title[128], line[160];

    snprintf(title, sizeof title, "Models for %s", c->models_dep);
    ui_frame(r, title);
    snprintf(line, sizeof line, "%s %s. Its provider offers:", c->models_current,
             c->models_gone ? "is gone" : "is in use");
    ui_put(r.y + 1, r.x + 2, r.w - 4, c->models_gone ? UI_TONE_BAD : UI_TONE_DIM, line);
    for (int i = 0; i < c->models.n && 3 + i < r.h - 2; i++) {
        bool sel = i == c->models_sel, cur = strcmp(c->models.models[i], c->models_current) == 0;
        const char *mark = sel ? (c->utf8 ? "\xe2\x96\xb8 " : "> ") : "  ";
        int x = r.x + 2;
        x += ui_put(r.y + 3 + i, x, r.w - 4, UI_TONE_TITLE, mark);
        x += ui_put(r.y + 3 + i, x, r.x + r.w - 2 - x, sel ? UI_TONE_SELECT : UI_TONE_NORMAL,
                    c->models.models[i]);
        if (c->models.context[i] > 0)
            x += ui_putf(r.y + 3 + i, x, r.x + r.w - 2 - x, UI_TONE_DIM, "  %ld-token context",
                         c->models.context[i]);
        if (cur)
            ui_put(r.y + 3 + i, x, r.x + r.w - 2 - x, UI_TONE_DIM, "  (in use)");
    }
    ui_put(r.y + r.h - 2, r.x + 2, r.w - 4, UI_TONE_DIM,
           "Enter writes it into the config file (a backup first) and reloads; Esc closes");
}
