/* ui_layout: pane rectangles and deployment order for the dashboard. */
#include "ui/ui_layout.h"

#include <errno.h>
#include <string.h>

static struct ui_rect rect(int y, int x, int h, int w)
{
    struct ui_rect r = {y, x, h > 0 ? h : 0, w > 0 ? w : 0};
    return r;
}

int ui_layout_providers_need(int n_deps, int n_groups, int card_h)
{
    return 1 + n_groups + n_deps * card_h;
}

int ui_layout_compute(struct ui_layout *out, int rows, int cols, int n_deps, int n_groups)
{
    int avail, prov_h, card;

    memset(out, 0, sizeof *out);
    if (rows < 0 || cols < 0 || n_deps < 0 || n_groups < 0)
        return -EINVAL;
    if (rows < UI_MIN_ROWS || cols < UI_MIN_COLS) {
        out->too_small = true;
        return 0;
    }
    avail = rows - UI_HEADER_H - UI_FOOTER_H;
    /* The log needs its title and column rows plus UI_LOG_MIN requests. */
    for (card = UI_CARD_FULL; card > 1; card--)
        if (ui_layout_providers_need(n_deps, n_groups, card) + 2 + UI_LOG_MIN <= avail)
            break;
    prov_h = ui_layout_providers_need(n_deps, n_groups, card);
    if (prov_h > avail - 2 - UI_LOG_MIN)
        prov_h = avail - 2 - UI_LOG_MIN;
    out->card_h = card;
    out->header = rect(0, 0, UI_HEADER_H, cols);
    out->providers = rect(UI_HEADER_H, 0, prov_h, cols);
    out->log = rect(UI_HEADER_H + prov_h, 0, avail - prov_h, cols);
    out->footer = rect(rows - UI_FOOTER_H, 0, UI_FOOTER_H, cols);
    out->log_rows = out->log.h - 2;
    return 0;
}

struct ui_rect ui_layout_center(int rows, int cols, int want_h, int want_w)
{
    int h = want_h < rows - 2 ? want_h : rows - 2;
    int w = want_w < cols - 2 ? want_w : cols - 2;

    if (h < 0)
        h = 0;
    if (w < 0)
        w = 0;
    return rect((rows - h) / 2, (cols - w) / 2, h, w);
}

/* Index of the first deployment of the group that deps[i] belongs to. */
static int group_head(const struct dep_snapshot *deps, int i)
{
    for (int j = 0; j < i; j++)
        if (strcmp(deps[j].group, deps[i].group) == 0)
            return j;
    return i;
}

static bool group_has_primary(const struct dep_snapshot *deps, int n, int head)
{
    for (int j = head; j < n; j++)
        if (strcmp(deps[j].group, deps[head].group) == 0 && deps[j].is_primary)
            return true;
    return false;
}

/* Appends every deployment of the group headed by head, in config order. */
static int add_group(const struct dep_snapshot *deps, int n, int head, int order[], int k)
{
    for (int j = head; j < n; j++)
        if (strcmp(deps[j].group, deps[head].group) == 0)
            order[k++] = j;
    return k;
}

int ui_layout_order(const struct dep_snapshot *deps, int n, int order[])
{
    int k = 0, groups = 0;

    /* Two passes: groups holding a primary, then the rest. */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < n; i++) {
            if (group_head(deps, i) != i || group_has_primary(deps, n, i) != (pass == 0))
                continue;
            k = add_group(deps, n, i, order, k);
            groups++;
        }
    }
    return groups;
}
