/* ui_draw_log: the live request log, newest first, with its filter and pause state in the
 * title. Rows come from ui_fmt_log_row; the cursor row is the one Enter opens. */
#include "ui_draw.h"

#include <stdio.h>

#include "ui/ui_keys.h"

static void title(const struct ui_ctx *c, struct ui_rect r)
{
    char t[160];
    int n;

    n = snprintf(t, sizeof t, "requests (%s)",
                 c->paused ? "PAUSED"
                           : (c->log_sel > 0 ? "live, cursor held: Home follows" : "live"));
    if (c->filter[0] && n > 0 && (size_t)n < sizeof t)
        snprintf(t + n, sizeof t - (size_t)n, "  filter: %s  %d/%d", c->filter, c->n_filt,
                 c->n_log);
    ui_rule(r.y, r.x, r.w, c->focus == UI_PANE_LOG ? UI_TONE_TITLE : UI_TONE_DIM, t);
    if (c->paused)
        ui_put(r.y, r.x + 12, 6, UI_TONE_ALERT, "PAUSED");
}

static enum ui_tone row_tone(const struct ui_ctx *c, const struct request_rec *q, int i)
{
    if (i == c->log_sel && c->focus == UI_PANE_LOG)
        return UI_TONE_SELECT;
    if (q->status >= 200 && q->status < 300)
        return ui_rec_has_trail(q) ? UI_TONE_WARN : UI_TONE_NORMAL;
    return ui_status_tone(q->status);
}

void ui_draw_log(const struct ui_ctx *c, struct ui_rect r)
{
    char line[1024];

    if (r.h < 1)
        return;
    title(c, r);
    if (r.h < 2)
        return;
    ui_put(r.y + 1, r.x + 2, r.w - 2, UI_TONE_TITLE, ui_fmt_log_header(line, sizeof line, r.w - 2));
    if (c->n_filt == 0) {
        ui_put(r.y + 2, r.x + 2, r.w - 2, UI_TONE_DIM,
               c->n_log ? "no request matches the filter (Esc clears it)" : "no requests yet");
        return;
    }
    for (int row = 0; row < r.h - 2; row++) {
        int i = c->log_top + row;
        const struct request_rec *q;

        if (i >= c->n_filt)
            break;
        q = &c->log[c->filt[i]];
        ui_put(r.y + 2 + row, r.x, 2, UI_TONE_TITLE,
               i == c->log_sel ? (c->utf8 ? "\xe2\x96\xb8 " : "> ") : "  ");
        ui_put(r.y + 2 + row, r.x + 2, r.w - 2, row_tone(c, q, i),
               ui_fmt_log_row(line, sizeof line, q, c->utf8, r.w - 2));
    }
}
