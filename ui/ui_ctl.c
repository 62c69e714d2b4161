/* ui_ctl: what keys do to the view state and to the core. Curses-free: it sees snapshots and
 * calls the same state_* commands as the admin API; ui.c turns curses keys into UI_KEY_*. */
#include "ui_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ui/ui_keys.h"

void ui_ctl_msg(struct ui_ctx *c, enum ui_tone tone, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    c->msg_tone = tone;
    c->msg_until_ms = c->snap->now_ms + UI_MSG_MS;
    c->msg_fresh = true;
}

/* The file name without its directories: the status line has one row for a result and the
 * warning it raised (the header shows the whole path). */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash && slash[1] ? slash + 1 : path;
}

/* A warning raised since the last frame (a reload's config warnings, a log file that cannot
 * be opened, a refused browser request) takes the status line for UI_WARN_MS, after the
 * result of the command that caused it when there is one; when several came at once it says
 * how many more there were and where their full text went. */
static void take_notice(struct ui_ctx *c)
{
    const struct snapshot *s = c->snap;
    char more[160] = "", cmd[sizeof c->msg + 2] = "", shown[SNAP_NOTICE];
    const char *text = s->notice;
    uint64_t extra;
    size_t cl;

    if (s->notice_seq == c->notice_seen)
        return;
    extra = s->notice_seq - c->notice_seen - 1;
    c->notice_seen = s->notice_seq;
    if (extra)
        snprintf(more, sizeof more, " (+%llu more%s%s)", (unsigned long long)extra,
                 c->h->log_path && c->h->log_path[0] ? " in " : "",
                 c->h->log_path ? c->h->log_path : "");
    if (c->msg_fresh && c->msg[0])
        snprintf(cmd, sizeof cmd, "%s; ", c->msg); /* a copy: c->msg is rewritten below */
    /* Config warnings start with the config's path: its name says as much here. */
    cl = c->h->config_path ? strlen(c->h->config_path) : 0;
    if (cl && strncmp(text, c->h->config_path, cl) == 0 && text[cl] == ':')
        snprintf(shown, sizeof shown, "%s%s", base_name(c->h->config_path), text + cl);
    else
        snprintf(shown, sizeof shown, "%s", text);
    ui_ctl_msg(c, UI_TONE_WARN, "%swarning: %s%s", cmd, shown, more);
    c->msg_until_ms = s->now_ms + UI_WARN_MS;
}

unsigned ui_ctl_pane(const struct ui_ctx *c)
{
    if (c->help_open)
        return UI_PANE_HELP;
    if (c->detail_open)
        return UI_PANE_DETAIL;
    if (c->models_open)
        return UI_PANE_MODELS;
    return c->focus;
}

const struct dep_snapshot *ui_ctl_selected(const struct ui_ctx *c)
{
    if (c->n_deps <= 0 || c->sel < 0 || c->sel >= c->n_deps)
        return NULL;
    return &c->snap->deps[c->order[c->sel]];
}

bool ui_ctl_available(const struct ui_ctx *c, enum ui_action a)
{
    if (a == UI_ACT_RELOAD)
        return c->h->reload != NULL;
    if (a == UI_ACT_TRAFFIC)
        return c->h->toggle_traffic != NULL;
    if (a == UI_ACT_MODELS || a == UI_ACT_CHOOSE)
        return c->h->set_model != NULL;
    return true;
}

const struct ui_binding *ui_ctl_help_binding(const struct ui_ctx *c, int line)
{
    size_t n;
    const struct ui_binding *t = ui_keys_table(&n);
    int k = line - UI_HELP_HEAD;

    if (k < 0)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (ui_ctl_available(c, t[i].action) && k-- == 0)
            return &t[i];
    return NULL;
}

int ui_ctl_help_lines(const struct ui_ctx *c)
{
    size_t n;
    const struct ui_binding *t = ui_keys_table(&n);
    int lines = UI_HELP_HEAD;

    for (size_t i = 0; i < n; i++)
        lines += ui_ctl_available(c, t[i].action);
    return lines;
}

struct ui_rect ui_ctl_models_box(const struct ui_ctx *c)
{
    return ui_layout_center(c->rows, c->cols, c->models.n + 6, 72);
}

struct ui_rect ui_ctl_help_box(const struct ui_ctx *c)
{
    return ui_layout_center(c->rows, c->cols, ui_ctl_help_lines(c) + 2, 78);
}

static int clamp(int v, int lo, int hi)
{
    if (v > hi)
        v = hi;
    return v < lo ? lo : v;
}

/* Finds the selected deployment again by id; keeps the position when it is gone. */
static void sync_selection(struct ui_ctx *c)
{
    for (int i = 0; i < c->n_deps; i++) {
        if (strcmp(c->snap->deps[c->order[i]].id, c->sel_id) == 0) {
            c->sel = i;
            return;
        }
    }
    c->sel = clamp(c->sel, 0, c->n_deps - 1);
    if (c->n_deps > 0)
        snprintf(c->sel_id, sizeof c->sel_id, "%s", c->snap->deps[c->order[c->sel]].id);
}

static void select_dep(struct ui_ctx *c, int i)
{
    if (c->n_deps <= 0)
        return;
    c->sel = clamp(i, 0, c->n_deps - 1);
    snprintf(c->sel_id, sizeof c->sel_id, "%s", c->snap->deps[c->order[c->sel]].id);
}

static void select_req(struct ui_ctx *c, int i)
{
    c->log_sel = clamp(i, 0, c->n_filt - 1);
    /* The top row follows the newest request; any other row sticks to its request. */
    c->log_sel_id = c->log_sel > 0 ? c->log[c->filt[c->log_sel]].id : 0;
}

static void filter_log(struct ui_ctx *c)
{
    c->n_filt = 0;
    for (int i = 0; i < c->n_log; i++)
        if (ui_rec_matches(&c->log[i], c->filter))
            c->filt[c->n_filt++] = i;
}

/* Keeps the cursor on its request as new ones arrive above it, and the view still around it. */
static void sync_log_cursor(struct ui_ctx *c)
{
    int rows = c->lay.log_rows > 0 ? c->lay.log_rows : 1;
    int old = c->log_sel;

    if (c->log_sel_id != 0) {
        for (int i = 0; i < c->n_filt; i++) {
            if (c->log[c->filt[i]].id == c->log_sel_id) {
                c->log_sel = i;
                break;
            }
        }
    }
    /* Re-anchors on the row it lands on if its request left the log. */
    select_req(c, c->log_sel);
    c->log_top += c->log_sel - old;
    if (c->log_sel < c->log_top)
        c->log_top = c->log_sel;
    if (c->log_sel >= c->log_top + rows)
        c->log_top = c->log_sel - rows + 1;
    c->log_top = clamp(c->log_top, 0, c->n_filt - rows);
}

void ui_ctl_frame(struct ui_ctx *c, int rows, int cols)
{
    const struct snapshot *s = c->snap;
    int help_max;

    c->rows = rows;
    c->cols = cols;
    c->n_deps = clamp(s->n_deps, 0, SNAP_MAX_DEPS);
    c->n_groups = ui_layout_order(s->deps, c->n_deps, c->order);
    ui_layout_compute(&c->lay, rows, cols, c->n_deps, c->n_groups);
    sync_selection(c);
    c->log = c->paused ? c->frozen : s->log;
    c->n_log = clamp(c->paused ? c->n_frozen : s->n_log, 0, SNAP_LOG);
    filter_log(c);
    sync_log_cursor(c);
    help_max = ui_ctl_help_lines(c) - (ui_ctl_help_box(c).h - 2);
    c->help_top = clamp(c->help_top, 0, help_max);
    take_notice(c);
    if (c->msg[0] && s->now_ms >= c->msg_until_ms)
        c->msg[0] = '\0';
    c->msg_fresh = false;
}

/* " for all 3 instances" while the limits are shared with others, else "". */
static const char *scope(struct ui_ctx *c)
{
    static char buf[48];
    state_command_scope(c->h->st, buf + 1, sizeof buf - 1);
    if (strcmp(buf + 1, "this instance") == 0)
        return "";
    buf[0] = ' ';
    return buf;
}

static void cmd_toggle(struct ui_ctx *c)
{
    const struct dep_snapshot *d = ui_ctl_selected(c);
    bool on;

    if (!d) {
        ui_ctl_msg(c, UI_TONE_WARN, "no provider selected");
        return;
    }
    on = !d->enabled;
    if (state_set_enabled(c->h->st, d->id, on) < 0)
        ui_ctl_msg(c, UI_TONE_BAD, "%s: no such deployment", d->id);
    else
        ui_ctl_msg(c, UI_TONE_NORMAL, "%s %s%s", d->id, on ? "enabled" : "DISABLED", scope(c));
}

static void cmd_cerebras(struct ui_ctx *c)
{
    bool was_on = false, found = false;

    for (int i = 0; i < c->n_deps && !found; i++) {
        if (strcmp(c->snap->deps[i].name, "cerebras") == 0) {
            found = true;
            was_on = c->snap->deps[i].enabled;
        }
    }
    if (state_toggle_enabled(c->h->st, "cerebras") < 0 || !found)
        ui_ctl_msg(c, UI_TONE_WARN, "no deployment named cerebras");
    else
        ui_ctl_msg(c, UI_TONE_NORMAL, "cerebras %s%s", was_on ? "DISABLED" : "enabled", scope(c));
}

static void cmd_force(struct ui_ctx *c)
{
    bool on = !state_force_fallback(c->h->st);

    state_set_force_fallback(c->h->st, on);
    if (on)
        ui_ctl_msg(c, UI_TONE_ALERT, "FORCED FALLBACK on: primaries are skipped");
    else
        ui_ctl_msg(c, UI_TONE_NORMAL, "forced fallback off: routing is AUTO");
}

static void cmd_reset(struct ui_ctx *c)
{
    const struct dep_snapshot *d = ui_ctl_selected(c);

    if (!d)
        ui_ctl_msg(c, UI_TONE_WARN, "no provider selected");
    else if (state_reset(c->h->st, d->id) < 0)
        ui_ctl_msg(c, UI_TONE_BAD, "%s: no such deployment", d->id);
    else if (!d->enabled)
        ui_ctl_msg(c, UI_TONE_WARN, "%s: cooldown cleared%s, but it is DISABLED (space enables it)",
                   d->id, scope(c));
    else
        ui_ctl_msg(c, UI_TONE_NORMAL, "%s: cooldown cleared%s, the next request tries it", d->id,
                   scope(c));
}

/* m: the models the selected deployment's provider offers, to pick one. */
static void cmd_models(struct ui_ctx *c)
{
    const struct dep_snapshot *d = ui_ctl_selected(c);

    if (!d) {
        ui_ctl_msg(c, UI_TONE_WARN, "no provider selected");
        return;
    }
    if (!c->h->set_model) {
        ui_ctl_msg(c, UI_TONE_WARN, "there is no config file to change here");
        return;
    }
    if (d->lineup.offer.n == 0) {
        ui_ctl_msg(c, UI_TONE_WARN, "%s: no model list from its provider yet%s%s", d->id,
                   d->lineup.error[0] ? ": " : "", d->lineup.error);
        return;
    }
    c->models = d->lineup.offer;
    snprintf(c->models_dep, sizeof c->models_dep, "%s", d->id);
    snprintf(c->models_current, sizeof c->models_current, "%s", d->model);
    c->models_gone = lineup_is_gone(&d->lineup);
    c->models_sel = 0;
    for (int i = 0; i < c->models.n; i++)
        if (strcmp(c->models.models[i], d->model) == 0)
            c->models_sel = i;
    c->models_open = true;
}

/* Enter in the chooser: the model goes into the config file, which is then reloaded. */
static void cmd_choose(struct ui_ctx *c)
{
    char msg[1200];
    const char *m = c->models.models[c->models_sel];

    c->models_open = false;
    if (strcmp(m, c->models_current) == 0 && !c->models_gone) {
        ui_ctl_msg(c, UI_TONE_NORMAL, "%s already uses %s", c->models_dep, m);
        return;
    }
    const char *file = c->h->config_path ? base_name(c->h->config_path) : "the config";
    /* the status line has one row: the file by its name (the header shows the path) */
    if (c->h->set_model(c->h->ud, c->models_dep, m, msg, sizeof msg) == 0)
        ui_ctl_msg(c, UI_TONE_OK, "%s now uses %s: written into %s (backup %s.bak), reloaded",
                   c->models_dep, m, file, file);
    else
        ui_ctl_msg(c, UI_TONE_BAD, "model not changed: %s", msg);
}

static void cmd_reload(struct ui_ctx *c)
{
    char err[512] = "";

    if (!c->h->reload) {
        ui_ctl_msg(c, UI_TONE_WARN, "reload is not available here");
        return;
    }
    if (c->h->reload(c->h->ud, err, sizeof err) == 0)
        ui_ctl_msg(c, UI_TONE_OK, "config reloaded from %s",
                   c->h->config_path ? base_name(c->h->config_path) : "its file");
    else
        ui_ctl_msg(c, UI_TONE_BAD, "reload failed: %s", err[0] ? err : "unknown error");
}

static void cmd_traffic(struct ui_ctx *c)
{
    if (!c->h->toggle_traffic) {
        ui_ctl_msg(c, UI_TONE_WARN, "no demo traffic generator (demo mode only)");
        return;
    }
    c->h->toggle_traffic(c->h->ud);
    if (c->h->traffic_on)
        ui_ctl_msg(c, UI_TONE_NORMAL, "demo traffic %s", c->h->traffic_on(c->h->ud) ? "on" : "off");
    else
        ui_ctl_msg(c, UI_TONE_NORMAL, "demo traffic toggled");
}

static void toggle_pause(struct ui_ctx *c)
{
    c->paused = !c->paused;
    if (c->paused) {
        c->n_frozen = clamp(c->snap->n_log, 0, SNAP_LOG);
        memcpy(c->frozen, c->snap->log, (size_t)c->n_frozen * sizeof *c->frozen);
    }
    ui_ctl_msg(c, UI_TONE_NORMAL, "%s", c->paused ? "log frozen (p resumes)" : "log resumed");
}

static void open_detail(struct ui_ctx *c)
{
    if (c->n_filt <= 0)
        return;
    c->detail = c->log[c->filt[c->log_sel]];
    c->detail_open = true;
}

static void back(struct ui_ctx *c)
{
    if (c->help_open)
        c->help_open = false;
    else if (c->detail_open)
        c->detail_open = false;
    else if (c->models_open)
        c->models_open = false;
    else if (c->filter[0]) {
        c->filter[0] = '\0';
        select_req(c, 0);
    }
}

static void quit(struct ui_ctx *c)
{
    if (c->snap->in_flight > 0)
        c->confirm_quit = true;
    else
        c->quit = true;
}

/* Up, down and paging: the selection of the focused pane, or the help text. */
static void step(struct ui_ctx *c, int delta)
{
    unsigned pane = ui_ctl_pane(c);

    if (pane == UI_PANE_HELP)
        c->help_top += delta; /* clamped by the next frame */
    else if (pane == UI_PANE_MODELS)
        c->models_sel = clamp(c->models_sel + delta, 0, c->models.n - 1);
    else if (pane == UI_PANE_PROVIDERS)
        select_dep(c, c->sel + delta);
    else if (pane == UI_PANE_LOG && c->n_filt > 0)
        select_req(c, c->log_sel + delta);
}

static int page(const struct ui_ctx *c)
{
    if (ui_ctl_pane(c) == UI_PANE_HELP)
        return ui_ctl_help_box(c).h > 3 ? ui_ctl_help_box(c).h - 3 : 1;
    return c->lay.log_rows > 1 ? c->lay.log_rows - 1 : 1;
}

/* Moves a selection or the help text; false when a is not a movement. */
static bool move(struct ui_ctx *c, enum ui_action a, int key)
{
    switch (a) {
    case UI_ACT_UP:
        step(c, -1);
        return true;
    case UI_ACT_DOWN:
        step(c, 1);
        return true;
    case UI_ACT_PGUP:
        step(c, -page(c));
        return true;
    case UI_ACT_PGDN:
        step(c, page(c));
        return true;
    case UI_ACT_TOP:
        step(c, -(SNAP_LOG + 100));
        return true;
    case UI_ACT_BOTTOM:
        step(c, SNAP_LOG + 100);
        return true;
    case UI_ACT_SELECT_N:
        if (key - '1' < c->n_deps) {
            select_dep(c, key - '1');
            c->focus = UI_PANE_PROVIDERS;
        }
        return true;
    default:
        return false;
    }
}

static void act(struct ui_ctx *c, enum ui_action a, int key)
{
    if (move(c, a, key))
        return;
    switch (a) {
    case UI_ACT_TOGGLE:
        cmd_toggle(c);
        break;
    case UI_ACT_CEREBRAS:
        cmd_cerebras(c);
        break;
    case UI_ACT_FORCE:
        cmd_force(c);
        break;
    case UI_ACT_RESET:
        cmd_reset(c);
        break;
    case UI_ACT_MODELS:
        cmd_models(c);
        break;
    case UI_ACT_CHOOSE:
        cmd_choose(c);
        break;
    case UI_ACT_PAUSE:
        toggle_pause(c);
        break;
    case UI_ACT_FOCUS:
        c->focus = c->focus == UI_PANE_LOG ? UI_PANE_PROVIDERS : UI_PANE_LOG;
        break;
    case UI_ACT_FILTER:
        c->filter_edit = true;
        break;
    case UI_ACT_DETAIL:
        open_detail(c);
        break;
    case UI_ACT_RELOAD:
        cmd_reload(c);
        break;
    case UI_ACT_TRAFFIC:
        cmd_traffic(c);
        break;
    case UI_ACT_HELP:
        c->help_open = !c->help_open;
        c->help_top = 0;
        break;
    case UI_ACT_BACK:
        back(c);
        break;
    case UI_ACT_QUIT:
        quit(c);
        break;
    default: /* UI_ACT_NONE; movements went to move() */
        break;
    }
}

/* Typing a filter: text goes into it; Enter keeps it, Esc clears it. */
static void filter_key(struct ui_ctx *c, int key)
{
    size_t len = strlen(c->filter);

    if (key == UI_KEY_ESC) {
        c->filter[0] = '\0';
        c->filter_edit = false;
    } else if (key == UI_KEY_ENTER) {
        c->filter_edit = false;
    } else if (key == UI_KEY_BACKSPACE) {
        /* Drop a whole UTF-8 character: continuation bytes, then its lead byte. */
        while (len > 0 && ((unsigned char)c->filter[len - 1] & 0xC0) == 0x80)
            len--;
        if (len > 0)
            len--;
        c->filter[len] = '\0';
    } else if (key >= 0x20 && key < 0x100 && key != 0x7f && len + 1 < sizeof c->filter) {
        c->filter[len] = (char)key;
        c->filter[len + 1] = '\0';
    } else {
        return;
    }
    select_req(c, 0);
}

void ui_ctl_key(struct ui_ctx *c, int key)
{
    const struct ui_binding *b;

    if (key == 0 || key == UI_KEY_RESIZE)
        return;
    if (c->confirm_quit) {
        c->confirm_quit = false;
        if (key == 'y' || key == 'Y')
            c->quit = true;
        return;
    }
    if (c->filter_edit) {
        filter_key(c, key);
        return;
    }
    b = ui_keys_lookup(key, ui_ctl_pane(c));
    if (b)
        act(c, b->action, key);
}
