/* ui_int: the dashboard's view state, shared by the loop (ui.c), the controller (ui_ctl.c) and
 * the panes (ui_draw_*.c). Private to ui/. No curses here: the controller stays curses-free. */
#ifndef SB_UI_INT_H
#define SB_UI_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "route/state.h"
#include "ui/ui.h"
#include "ui/ui_format.h"
#include "ui/ui_keys.h"
#include "ui/ui_layout.h"

#define UI_MSG_MS     5000  /* how long a command's result stays in the status line */
#define UI_WARN_MS    20000 /* how long a warning from the program stays there */
#define UI_FILTER_MAX 64
#define UI_TICK_MS    200 /* redraw period: about 5 frames a second */
#define UI_HELP_HEAD  3   /* lines of the help overlay above the key table */

struct ui_ctx {
    const struct ui_host *h;
    bool utf8;                  /* the locale is UTF-8: block glyphs and arrows */
    struct snapshot *snap;      /* refreshed every frame and after every command */
    struct request_rec *frozen; /* SNAP_LOG entries: the log as it was when paused */
    int n_frozen;
    bool paused;
    unsigned focus; /* UI_PANE_PROVIDERS or UI_PANE_LOG */
    bool help_open;
    int help_top;
    bool detail_open;
    struct request_rec detail; /* a copy: the request may leave the log while it is shown */
    bool filter_edit;
    char filter[UI_FILTER_MAX];
    /* The model chooser (m): the list its provider gave for one deployment, as it was when
     * opened (discovery may replace it meanwhile). */
    bool models_open;
    char models_dep[48];
    char models_current[64]; /* the deployment's model now */
    bool models_gone;
    struct lineup_offer models;
    int models_sel;
    bool confirm_quit;
    bool quit;

    char sel_id[48]; /* selected deployment, by id so reloads and reorders keep it */
    int sel;         /* its position in order[] */
    int log_sel;     /* cursor among the filtered requests; 0 = the newest, and follows */
    uint64_t log_sel_id;
    int log_top; /* first filtered request shown */

    char msg[512];
    enum ui_tone msg_tone;
    int64_t msg_until_ms; /* monotonic, snapshot clock */
    bool msg_fresh;       /* set by the last key's command: a warning it raised joins it */
    uint64_t notice_seen; /* snap->notice_seq already shown */

    /* Derived each frame by ui_ctl_frame. */
    int rows, cols;
    struct ui_layout lay;
    int n_deps;
    int order[SNAP_MAX_DEPS];
    int n_groups;
    const struct request_rec *log; /* snap->log, or frozen while paused */
    int n_log;
    int filt[SNAP_LOG]; /* indices into log that pass the filter, newest first */
    int n_filt;
};

/* Recomputes everything derived from a new snapshot and screen size: order, layout,
 * selections, filtered log, expired message. Call after every state_snapshot. */
void ui_ctl_frame(struct ui_ctx *c, int rows, int cols);
/* Acts on one key (UI_KEY_* or a character). Commands go to the state_* functions at once;
 * the caller's next frame takes the fresh snapshot that shows them. */
void ui_ctl_key(struct ui_ctx *c, int key);
/* The pane keys go to: an open overlay, else the focused pane. */
unsigned ui_ctl_pane(const struct ui_ctx *c);
/* The selected deployment, or NULL when there is none. */
const struct dep_snapshot *ui_ctl_selected(const struct ui_ctx *c);
/* Whether an action can run here: reload needs a config file, demo traffic the demo. */
bool ui_ctl_available(const struct ui_ctx *c, enum ui_action a);
/* The box of the model chooser. */
struct ui_rect ui_ctl_models_box(const struct ui_ctx *c);
/* The box of the help overlay; how many lines it has in all (UI_HELP_HEAD, then one per
 * available binding); and the binding on help line i (NULL for the head lines and past the
 * end). */
struct ui_rect ui_ctl_help_box(const struct ui_ctx *c);
int ui_ctl_help_lines(const struct ui_ctx *c);
const struct ui_binding *ui_ctl_help_binding(const struct ui_ctx *c, int line);
/* Sets the status-line message for UI_MSG_MS. */
void ui_ctl_msg(struct ui_ctx *c, enum ui_tone tone, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
