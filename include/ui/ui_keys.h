/* ui_keys: the dashboard's key bindings as one table. The key handler, the footer and the
 * help overlay are all built from it, so they cannot disagree. Pure; no curses: special keys
 * have their own codes (UI_KEY_*), which the curses front end maps to. */
#ifndef SB_UI_KEYS_H
#define SB_UI_KEYS_H

#include <stddef.h>

/* Keys beyond any character code. */
enum {
    UI_KEY_TAB = '\t',
    UI_KEY_ESC = 27,
    UI_KEY_UP = 0x110000,
    UI_KEY_DOWN,
    UI_KEY_PGUP,
    UI_KEY_PGDN,
    UI_KEY_HOME,
    UI_KEY_END,
    UI_KEY_ENTER,
    UI_KEY_BTAB,
    UI_KEY_BACKSPACE,
    UI_KEY_RESIZE,
};

/* Panes, as bits: a binding lists the panes where it works and where the footer shows it. */
enum ui_pane {
    UI_PANE_PROVIDERS = 1u << 0,
    UI_PANE_LOG = 1u << 1,
    UI_PANE_DETAIL = 1u << 2, /* request detail overlay */
    UI_PANE_HELP = 1u << 3,   /* help overlay */
    UI_PANE_MODELS = 1u << 4, /* the model chooser overlay (m) */
};
#define UI_PANES_MAIN (UI_PANE_PROVIDERS | UI_PANE_LOG)
#define UI_PANES_ALL  (UI_PANES_MAIN | UI_PANE_DETAIL | UI_PANE_HELP | UI_PANE_MODELS)

enum ui_action {
    UI_ACT_NONE = 0,
    UI_ACT_UP,
    UI_ACT_DOWN,
    UI_ACT_PGUP,
    UI_ACT_PGDN,
    UI_ACT_TOP,
    UI_ACT_BOTTOM,
    UI_ACT_SELECT_N, /* keys '1'..'9': provider N in display order */
    UI_ACT_TOGGLE,   /* enable/disable the selected provider */
    UI_ACT_CEREBRAS, /* enable/disable every deployment named "cerebras" */
    UI_ACT_FORCE,    /* force fallback on/off */
    UI_ACT_RESET,    /* clear the selected provider's cooldown */
    UI_ACT_MODELS,   /* list the models the selected provider offers, to pick one */
    UI_ACT_CHOOSE,   /* in the model chooser: write the chosen model into the config */
    UI_ACT_PAUSE,    /* freeze the log list */
    UI_ACT_FOCUS,    /* providers <-> log */
    UI_ACT_FILTER,   /* start typing a log filter */
    UI_ACT_DETAIL,   /* open the selected request */
    UI_ACT_RELOAD,   /* reload the config file */
    UI_ACT_TRAFFIC,  /* demo traffic on/off */
    UI_ACT_HELP,
    UI_ACT_BACK, /* close an overlay, or clear the filter */
    UI_ACT_QUIT,
};

#define UI_BIND_KEYS 9

struct ui_binding {
    int keys[UI_BIND_KEYS]; /* codes that trigger it; unused slots are 0 */
    const char *label;      /* how help and footer write the keys: "up/k" */
    const char *brief;      /* footer text: "on/off" */
    const char *help;       /* help overlay text */
    unsigned panes;         /* enum ui_pane bits where it works */
    unsigned footer;        /* enum ui_pane bits whose footer shows it */
    enum ui_action action;
};

/* The whole table, in help order. Static storage; *n gets its length. */
const struct ui_binding *ui_keys_table(size_t *n);
/* The binding key triggers in pane (one enum ui_pane bit), or NULL. */
const struct ui_binding *ui_keys_lookup(int key, unsigned pane);
/* The action of key in pane; UI_ACT_NONE when unbound. */
enum ui_action ui_keys_action(int key, unsigned pane);
/* Footer text for pane: "label brief" items separated by two spaces, only as many whole items
 * as fit in width columns. Writes into out (n bytes, NUL-terminated); returns out. */
char *ui_keys_footer(char *out, size_t n, unsigned pane, int width);
/* One help overlay line for b: the label padded to a column, then the help text and the panes
 * where it works ("up/k      select previous"). Returns out. */
char *ui_keys_help_line(char *out, size_t n, const struct ui_binding *b);
/* Short name of a pane bit ("providers", "log", "detail", "help"). */
const char *ui_keys_pane_name(unsigned pane);

#endif
