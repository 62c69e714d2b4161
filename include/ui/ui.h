/* ui: the ncurses dashboard. Reads snapshots of core state and sends commands through the
 * same state_* functions the admin API calls. Only the thread running ui_run touches curses. */
#ifndef SB_UI_H
#define SB_UI_H

#include <signal.h>
#include <stdbool.h>

#include "route/state.h"

struct ui_host {
    struct state *st;
    const char *url; /* what clients should use, e.g. http://127.0.0.1:4000 */
    const char *config_path;
    const char *log_path; /* where logs go while the screen is up */
    bool master_key_set;
    bool demo;
    /* Optional hooks (NULL when unavailable). */
    int (*reload)(void *ud, char *err, size_t errlen); /* 0 or -1 with err */
    /* Sets a deployment's model in the config file and reloads (front_env.h set_model). */
    int (*set_model)(void *ud, const char *id, const char *model, char *msg, size_t len);
    void (*toggle_traffic)(void *ud); /* demo traffic generator */
    bool (*traffic_on)(void *ud);
    void *ud;
};

/* The terminal's locale for the dashboard (its character set: UTF-8 line drawing), numbers
 * kept in the "C" format so JSON, metrics, logs and config numbers never get a decimal comma.
 * Call before any thread starts: setlocale is unsafe while other threads read the locale
 * (cJSON's number parsing and printing, strtod, printf), and ui_run no longer calls it. */
void ui_locale_init(void);

/* Runs the dashboard until the user quits or *stop becomes nonzero. Returns 0, or -1 when the
 * terminal cannot be used (the caller then falls back to headless). */
int ui_run(const struct ui_host *h, volatile sig_atomic_t *stop);

#endif
