/* ui: the dashboard's setup, loop and teardown. Each tick: take a snapshot (the only contact
 * with the proxy), derive the view, draw every pane on stdscr, push it with one doupdate, and
 * wait up to UI_TICK_MS for a key. Only this thread touches curses. */
#include "ui/ui.h"

#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ui_draw.h"
#include "ui/ui_keys.h"

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

/* One line centred on row y (left-aligned when wider than the screen). */
static void centred(int y, int width, enum ui_tone t, const char *s)
{
    int w = ui_utf8_width(s);

    ui_put(y, w < width ? (width - w) / 2 : 0, width, t, s);
}

static void draw_too_small(const struct ui_ctx *c)
{
    char line[96];
    int y = c->rows / 2 - 1;

    if (y < 0)
        y = 0;
    snprintf(line, sizeof line, "terminal too small: %dx%d", c->cols, c->rows);
    centred(y, c->cols, UI_TONE_WARN, line);
    snprintf(line, sizeof line, "need at least %dx%d", UI_MIN_COLS, UI_MIN_ROWS);
    centred(y + 1, c->cols, UI_TONE_NORMAL, line);
    centred(y + 2, c->cols, UI_TONE_DIM, "q quits");
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
        if (c->models_open)
            ui_draw_models(c);
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

/* Whether the terminal hung up (its window closed, ssh dropped): wgetch then fails at once
 * forever, and SIGHUP means "reload" to this program, so the loop must notice by itself. */
static bool terminal_gone(void)
{
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};

    return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

/* While the screen is up, stderr goes to "<log>.stderr" (or /dev/null without a log): a
 * library's or a sanitizer's message written to the terminal would scribble over the
 * dashboard. Returns the saved descriptor to restore, or -1 when nothing was redirected. */
static int stderr_away(const char *log_path, char *path, size_t len)
{
    int saved, fd;

    path[0] = '\0';
    if (log_path && log_path[0])
        snprintf(path, len, "%s.stderr", log_path);
    fd = path[0] ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : -1;
    if (fd < 0) {
        path[0] = '\0';
        fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    }
    if (fd < 0)
        return -1;
    fflush(stderr);
    saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved < 0 || dup2(fd, STDERR_FILENO) < 0) {
        if (saved >= 0)
            close(saved);
        saved = -1;
    }
    close(fd);
    return saved;
}

/* Puts stderr back; the side file stays only when something was written to it. */
static void stderr_back(int saved, const char *path)
{
    struct stat sb;

    if (saved < 0)
        return;
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    if (path[0] && stat(path, &sb) == 0 && sb.st_size == 0)
        unlink(path);
}

/* The locale rules cJSON needs under threads: https://github.com/DaveGamble/cJSON#thread-safety */
void ui_locale_init(void)
{
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");
}

int ui_run(const struct ui_host *h, volatile sig_atomic_t *stop)
{
    struct ui_ctx *c;
    SCREEN *scr;
    char err_path[1100];
    int saved_err, ch;

    if (!h || !h->st || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || !term_known())
        return -1;
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
    saved_err = stderr_away(h->log_path, err_path, sizeof err_path);
    setup_screen(c->utf8);
    /* stop is set by a signal handler on any thread: atomic, like every other reader. */
    while (!(stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE)) && !c->quit) {
        state_snapshot(h->st, c->snap);
        ui_ctl_frame(c, LINES, COLS);
        draw(c);
        ch = wgetch(stdscr);
        if (ch == ERR && terminal_gone())
            break;
        ui_ctl_key(c, map_key(ch));
    }
    endwin();
    stderr_back(saved_err, err_path);
    delscreen(scr);
    ctx_free(c);
    return 0;
}
