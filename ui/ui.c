/* ui: the dashboard's setup, loop and teardown. Each tick: take a snapshot (the only contact
 * with the proxy), derive the view, draw every pane on stdscr, push it with one doupdate, and
 * wait up to UI_TICK_MS for a key. Only this thread touches curses. */
#include "ui.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui_draw.h"
#include "ui_keys.h"

#include <term.h> /* last: it defines short macros such as lines and columns */

static int map_key(int ch)
{
    switch (ch) {
    case ERR:
        return 0;
    case KEY_UP:
        return UI_KEY_UP;
    case KEY_DOWN:
        return UI_KEY_DOWN;
    case KEY_PPAGE:
        return UI_KEY_PGUP;
    case KEY_NPAGE:
        return UI_KEY_PGDN;
    case KEY_HOME:
        return UI_KEY_HOME;
    case KEY_END:
        return UI_KEY_END;
    case KEY_ENTER:
    case '\n':
    case '\r':
        return UI_KEY_ENTER;
    case KEY_BTAB:
        return UI_KEY_BTAB;
    case KEY_BACKSPACE:
    case 127:
    case 8:
        return UI_KEY_BACKSPACE;
    case KEY_RESIZE:
        return UI_KEY_RESIZE;
    }
    return ch >= KEY_MIN ? 0 : ch;
}

static void draw_too_small(const struct ui_ctx *c)
{
    int y = c->rows / 2;

    ui_putf(y > 0 ? y - 1 : 0, 0, c->cols, UI_TONE_WARN, "terminal too small: %dx%d", c->cols,
            c->rows);
    ui_putf(y, 0, c->cols, UI_TONE_NORMAL, "need at least %dx%d", UI_MIN_COLS, UI_MIN_ROWS);
    ui_put(y + 1, 0, c->cols, UI_TONE_DIM, "q quits");
}

static void draw(const struct ui_ctx *c)
{
    werase(stdscr);
    if (c->lay.too_small) {
        draw_too_small(c);
    } else {
        ui_draw_header(c, c->lay.header);
        ui_draw_providers(c, c->lay.providers);
        ui_draw_log(c, c->lay.log);
        if (c->detail_open)
            ui_draw_detail(c);
        if (c->help_open)
            ui_draw_help(c);
        ui_draw_footer(c, c->lay.footer);
    }
    wnoutrefresh(stdscr);
    doupdate();
}

static struct ui_ctx *ctx_new(const struct ui_host *h)
{
    struct ui_ctx *c = calloc(1, sizeof *c);

    if (!c)
        return NULL;
    c->h = h;
    c->focus = UI_PANE_PROVIDERS;
    c->snap = calloc(1, sizeof *c->snap);
    c->frozen = calloc(SNAP_LOG, sizeof *c->frozen);
    if (!c->snap || !c->frozen) {
        free(c->snap);
        free(c->frozen);
        free(c);
        return NULL;
    }
    return c;
}

static void ctx_free(struct ui_ctx *c)
{
    if (!c)
        return;
    free(c->snap);
    free(c->frozen);
    free(c);
}

static bool want_color(void)
{
    const char *nc = getenv("NO_COLOR");

    return has_colors() && !(nc && nc[0]);
}

static void setup_screen(bool utf8)
{
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25); /* Esc must feel immediate; arrow sequences arrive far faster */
    wtimeout(stdscr, UI_TICK_MS);
    ui_theme_init(want_color(), utf8);
}

/* Whether TERM names a terminal terminfo knows. Asked before newterm because ncurses leaks a
 * little on that failure path, which the leak checker of the test builds reports. */
static bool term_known(void)
{
    int err = 0;

    if (setupterm(NULL, STDOUT_FILENO, &err) != OK)
        return false;
    del_curterm(cur_term);
    return true;
}

int ui_run(const struct ui_host *h, volatile sig_atomic_t *stop)
{
    struct ui_ctx *c;
    SCREEN *scr;

    if (!h || !h->st || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || !term_known())
        return -1;
    setlocale(LC_ALL, "");
    c = ctx_new(h);
    if (!c)
        return -1;
    c->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    /* newterm, unlike initscr, returns NULL instead of exiting when the terminal is unusable. */
    scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        ctx_free(c);
        return -1;
    }
    set_term(scr);
    setup_screen(c->utf8);
    while (!(stop && *stop) && !c->quit) {
        state_snapshot(h->st, c->snap);
        ui_ctl_frame(c, LINES, COLS);
        draw(c);
        ui_ctl_key(c, map_key(wgetch(stdscr)));
    }
    endwin();
    delscreen(scr);
    ctx_free(c);
    return 0;
}
