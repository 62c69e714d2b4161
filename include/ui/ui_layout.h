/* ui_layout: where each pane of the dashboard goes for a terminal size, and in which order the
 * deployments are listed. Pure rectangle math; no curses. */
#ifndef SB_UI_LAYOUT_H
#define SB_UI_LAYOUT_H

#include <stdbool.h>

#include "route/state.h"

#define UI_MIN_COLS  60
#define UI_MIN_ROWS  16
#define UI_HEADER_H  2 /* identity and mode; traffic and config */
#define UI_FOOTER_H  2 /* status line (message, filter, prompt); keys */
#define UI_LOG_MIN   3 /* request rows the log keeps before cards shrink */
#define UI_CARD_FULL 3 /* name, badge, rate and sparkline; timings and counts; reason */

struct ui_rect {
    int y, x, h, w;
};

struct ui_layout {
    bool too_small;           /* below UI_MIN_COLS x UI_MIN_ROWS: show a message instead */
    int card_h;               /* rows per deployment: 3, 2 or 1 */
    struct ui_rect header;    /* UI_HEADER_H rows */
    struct ui_rect providers; /* a title row, then per group a heading and its cards */
    struct ui_rect log;       /* a title row, a column row, then log_rows requests */
    struct ui_rect footer;    /* UI_FOOTER_H rows */
    int log_rows;
};

/* Splits a rows x cols screen for n_deps deployments in n_groups groups. Cards shrink from
 * UI_CARD_FULL rows to 2, then 1, before the log drops below UI_LOG_MIN rows; if even
 * one-row cards do not fit, the providers pane is cut (the view scrolls it) and the log keeps
 * its minimum. Returns 0, or -EINVAL for negative counts (out is then zeroed). */
int ui_layout_compute(struct ui_layout *out, int rows, int cols, int n_deps, int n_groups);

/* Rows the providers pane needs for this many deployments, groups and card height. */
int ui_layout_providers_need(int n_deps, int n_groups, int card_h);

/* A box of want_h x want_w centred on the screen, cut to leave a 1-cell margin. */
struct ui_rect ui_layout_center(int rows, int cols, int want_h, int want_w);

/* Display order of deployments: grouped by model group (groups in config order, those with
 * fallbacks configured, i.e. primaries, first), config order within a group. Fills
 * order[0..n) with indices into deps and returns the number of groups. */
int ui_layout_order(const struct dep_snapshot *deps, int n, int order[]);

#endif
