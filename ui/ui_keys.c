/* ui_keys: the key table. Adding a binding here adds it to the handler, the footer and the help
 * overlay at once. */
#include "ui/ui_keys.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define PROV   UI_PANE_PROVIDERS
#define LOG    UI_PANE_LOG
#define DETAIL UI_PANE_DETAIL
#define HELP   UI_PANE_HELP
#define MODELS UI_PANE_MODELS

static const struct ui_binding table[] = {
    {{UI_KEY_UP, 'k'},
     "up/k",
     "up",
     "select previous (provider, request, model) / scroll",
     UI_PANES_MAIN | HELP | MODELS,
     0,
     UI_ACT_UP},
    {{UI_KEY_DOWN, 'j'},
     "down/j",
     "down",
     "select next (provider, request, model) / scroll",
     UI_PANES_MAIN | HELP | MODELS,
     0,
     UI_ACT_DOWN},
    {{'1', '2', '3', '4', '5', '6', '7', '8', '9'},
     "1-9",
     "select",
     "select provider N",
     UI_PANES_MAIN,
     0,
     UI_ACT_SELECT_N},
    {{' '},
     "space",
     "on/off",
     "enable/disable the selected provider",
     UI_PANES_MAIN,
     PROV,
     UI_ACT_TOGGLE},
    {{'c'},
     "c",
     "cerebras",
     "Cerebras on/off (every deployment named cerebras)",
     UI_PANES_MAIN,
     UI_PANES_MAIN,
     UI_ACT_CEREBRAS},
    {{'f'},
     "f",
     "fallback",
     "force fallback on/off (skip primaries)",
     UI_PANES_MAIN,
     UI_PANES_MAIN,
     UI_ACT_FORCE},
    {{'r'},
     "r",
     "reset",
     "reset the selected provider's cooldown",
     UI_PANES_MAIN,
     PROV,
     UI_ACT_RESET},
    {{'m'},
     "m",
     "model",
     "pick the selected provider's model from those it offers (MODEL GONE); written into "
     "the config, then reloaded",
     UI_PANES_MAIN,
     PROV,
     UI_ACT_MODELS},
    {{UI_KEY_ENTER},
     "Enter",
     "use it",
     "use the chosen model (in the model list)",
     MODELS,
     MODELS,
     UI_ACT_CHOOSE},
    {{UI_KEY_ENTER}, "Enter", "detail", "open the selected request", LOG, LOG, UI_ACT_DETAIL},
    {{'/'},
     "/",
     "filter",
     "filter the log (model, provider, status)",
     UI_PANES_MAIN,
     LOG,
     UI_ACT_FILTER},
    {{'p'}, "p", "pause", "pause/resume the log list", UI_PANES_MAIN, LOG, UI_ACT_PAUSE},
    {{UI_KEY_PGUP}, "PgUp", "page", "page up", LOG | HELP, 0, UI_ACT_PGUP},
    {{UI_KEY_PGDN}, "PgDn", "page", "page down", LOG | HELP, 0, UI_ACT_PGDN},
    {{UI_KEY_HOME}, "Home", "newest", "newest request (follow)", LOG | HELP, 0, UI_ACT_TOP},
    {{UI_KEY_END}, "End", "oldest", "oldest request", LOG | HELP, 0, UI_ACT_BOTTOM},
    {{UI_KEY_TAB, UI_KEY_BTAB},
     "Tab",
     "focus",
     "move focus providers <-> log",
     UI_PANES_MAIN,
     UI_PANES_MAIN,
     UI_ACT_FOCUS},
    {{'R'}, "R", "reload", "reload the config file", UI_PANES_MAIN, 0, UI_ACT_RELOAD},
    {{'g'}, "g", "traffic", "demo traffic on/off", UI_PANES_MAIN, 0, UI_ACT_TRAFFIC},
    {{'?'}, "?", "help", "this help", UI_PANES_ALL, UI_PANES_ALL, UI_ACT_HELP},
    {{UI_KEY_ESC},
     "Esc",
     "back",
     "close the overlay, or clear the filter",
     UI_PANES_ALL,
     DETAIL | HELP | MODELS,
     UI_ACT_BACK},
    {{'q'},
     "q",
     "quit",
     "quit (asks when requests are in flight)",
     UI_PANES_ALL,
     UI_PANES_ALL,
     UI_ACT_QUIT},
};

const struct ui_binding *ui_keys_table(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

static bool binds(const struct ui_binding *b, int key)
{
    for (int i = 0; i < UI_BIND_KEYS && b->keys[i]; i++)
        if (b->keys[i] == key)
            return true;
    return false;
}

const struct ui_binding *ui_keys_lookup(int key, unsigned pane)
{
    if (key == 0)
        return NULL;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if ((table[i].panes & pane) && binds(&table[i], key))
            return &table[i];
    return NULL;
}

enum ui_action ui_keys_action(int key, unsigned pane)
{
    const struct ui_binding *b = ui_keys_lookup(key, pane);
    return b ? b->action : UI_ACT_NONE;
}

/* Help, back and quit are the keys a lost user needs: the footer keeps them whatever else
 * has to go. */
static bool essential(const struct ui_binding *b)
{
    return b->action == UI_ACT_HELP || b->action == UI_ACT_BACK || b->action == UI_ACT_QUIT;
}

static int item_width(const struct ui_binding *b)
{
    return (int)(strlen(b->label) + 1 + strlen(b->brief));
}

char *ui_keys_footer(char *out, size_t n, unsigned pane, int width)
{
    size_t len = 0;
    int reserve = 0, cols = 0;

    if (n == 0)
        return out;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if ((table[i].footer & pane) && essential(&table[i]))
            reserve += item_width(&table[i]) + 2;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const struct ui_binding *b = &table[i];
        int w = item_width(b) + (cols ? 2 : 0);

        if (!(b->footer & pane))
            continue;
        if (essential(b))
            reserve -= item_width(b) + 2;
        else if (cols + w + reserve > width)
            continue;
        if (cols + w > width || len + (size_t)w + 1 > n)
            break;
        snprintf(out + len, n - len, "%s%s %s", cols ? "  " : "", b->label, b->brief);
        len += (size_t)w;
        cols += w;
    }
    return out;
}

const char *ui_keys_pane_name(unsigned pane)
{
    switch (pane) {
    case UI_PANE_PROVIDERS:
        return "providers";
    case UI_PANE_LOG:
        return "log";
    case UI_PANE_DETAIL:
        return "detail";
    case UI_PANE_HELP:
        return "help";
    case UI_PANE_MODELS:
        return "models";
    }
    return "";
}

char *ui_keys_help_line(char *out, size_t n, const struct ui_binding *b)
{
    unsigned main_panes = b->panes & UI_PANES_MAIN;

    if (n == 0)
        return out;
    /* Say where a binding works only when it is limited to one of the two main panes. */
    if (main_panes == UI_PANE_PROVIDERS || main_panes == UI_PANE_LOG)
        snprintf(out, n, "%-8s %s [%s]", b->label, b->help, ui_keys_pane_name(main_panes));
    else
        snprintf(out, n, "%-8s %s", b->label, b->help);
    return out;
}
