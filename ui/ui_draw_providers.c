/* ui_draw_providers: one card per deployment under its model group's heading. A card is up to
 * three rows (state and traffic; timings and counts; why it is out), down to one when the
 * screen is short. The pane scrolls to keep the selected card in view. */
#include "ui_draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ui_keys.h"
#include "ui_spark.h"

#define NAME_COL  4  /* after the marker and the 1-9 number */
#define NAME_W    18 /* deployment ids: "cerebras", "cerebras/glm-4.6" */
#define BADGE_W   16 /* "COOLDOWN 00:23" and a gap; longer badges push the rest right */
#define RATE_W    9
#define DETAIL_IN 6 /* indent of a card's second and third rows */

/* A cursor along one screen row, cut at right. */
struct pen {
    int y, x, right;
};

static void text(struct pen *p, enum ui_tone t, const char *s)
{
    if (p->x < p->right)
        p->x += ui_put(p->y, p->x, p->right - p->x, t, s);
}

static void textf(struct pen *p, enum ui_tone t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void textf(struct pen *p, enum ui_tone t, const char *fmt, ...)
{
    char s[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(s, sizeof s, fmt, ap);
    va_end(ap);
    text(p, t, s);
}

static void column(struct pen *p, int x)
{
    p->x = p->x + 1 > x ? p->x + 1 : x;
}

static bool is_out(const struct dep_snapshot *d)
{
    return ui_dep_status(d) != DEP_READY;
}

static void spark(const struct ui_ctx *c, struct pen *p, const struct dep_snapshot *d, int width)
{
    char s[SNAP_SPARK * 4 + 1];

    if (width < 6)
        return;
    if (width > SNAP_SPARK)
        width = SNAP_SPARK;
    ui_spark(s, sizeof s, d->spark + (SNAP_SPARK - width), width, c->utf8);
    text(p, d->enabled ? UI_TONE_TITLE : UI_TONE_DIM, s);
}

/* Row 1: marker, number, name, badge, requests per minute and their sparkline, local rpm
 * window, measured output speed. */
static void head_row(const struct ui_ctx *c, const struct dep_snapshot *d, int idx, struct pen p)
{
    bool sel = idx == c->sel, focus = c->focus == UI_PANE_PROVIDERS;
    char badge[128], rate[32], tps[32];
    int start = p.x;

    text(&p, UI_TONE_TITLE, sel ? (c->utf8 ? "\xe2\x96\xb8 " : "> ") : "  ");
    if (idx < 9)
        textf(&p, UI_TONE_DIM, "%d ", idx + 1);
    column(&p, start + NAME_COL);
    text(&p, sel && focus ? UI_TONE_SELECT : (sel ? UI_TONE_TITLE : UI_TONE_NORMAL), d->id);
    column(&p, start + NAME_COL + NAME_W);
    text(&p, ui_badge_tone(d), ui_fmt_badge(badge, sizeof badge, d));
    column(&p, start + NAME_COL + NAME_W + BADGE_W);
    text(&p, UI_TONE_NORMAL, ui_fmt_rate(rate, sizeof rate, d->rpm_now));
    column(&p, p.x - ui_utf8_width(rate) + RATE_W);
    spark(c, &p, d, p.right - p.x - 26);
    p.x += 2;
    if (d->rpm_limit > 0)
        textf(&p, d->view.rpm_used >= d->rpm_limit ? UI_TONE_WARN : UI_TONE_NORMAL, "rpm %d/%ld  ",
              d->view.rpm_used, d->rpm_limit);
    text(&p, UI_TONE_NORMAL, ui_fmt_tok_per_s(tps, sizeof tps, d->tok_per_s));
}

/* Row 2: latency and TTFT p50/p95, outcome counts, and the provider's own remaining quota
 * when its headers said (hidden when unknown). */
static void stats_row(const struct dep_snapshot *d, struct pen p)
{
    char a[32], b[32], e[32], f[32];
    const struct ratelimit_info *rl = &d->view.rl;

    p.x += DETAIL_IN;
    textf(&p, UI_TONE_NORMAL, "lat p50 %s p95 %s  ", ui_fmt_ms(a, sizeof a, d->lat_p50_ms),
          ui_fmt_ms(b, sizeof b, d->lat_p95_ms));
    textf(&p, UI_TONE_NORMAL, "TTFT p50 %s p95 %s  ", ui_fmt_ms(e, sizeof e, d->ttft_p50_ms),
          ui_fmt_ms(f, sizeof f, d->ttft_p95_ms));
    textf(&p, d->n_ok ? UI_TONE_OK : UI_TONE_NORMAL, "ok %s  ",
          ui_fmt_count(a, sizeof a, (double)d->n_ok));
    textf(&p, d->n_429 ? UI_TONE_WARN : UI_TONE_NORMAL, "429 %s  ",
          ui_fmt_count(a, sizeof a, (double)d->n_429));
    textf(&p, d->n_err ? UI_TONE_BAD : UI_TONE_NORMAL, "err %s  ",
          ui_fmt_count(a, sizeof a, (double)d->n_err));
    if (rl->remaining_tokens_minute >= 0)
        textf(&p, UI_TONE_NORMAL, "left %s tok/min  ",
              ui_fmt_count(a, sizeof a, rl->remaining_tokens_minute));
    if (rl->remaining_requests_day >= 0)
        textf(&p, UI_TONE_NORMAL, "%s req/day",
              ui_fmt_count(a, sizeof a, rl->remaining_requests_day));
}

/* Row 3: why it is out, or else what it is (upstream model, dialect, base URL). */
static void reason_row(const struct dep_snapshot *d, struct pen p)
{
    p.x += DETAIL_IN;
    if (is_out(d) && d->view.reason[0]) {
        text(&p, ui_badge_tone(d), d->view.reason);
        return;
    }
    if (!d->enabled) {
        text(&p, UI_TONE_DIM, "switched off here (space enables it)");
        return;
    }
    if (ui_dep_status(d) == DEP_NO_KEY && d->key_env[0]) {
        textf(&p, UI_TONE_DIM, "set %s in the environment or .env, then R", d->key_env);
        return;
    }
    textf(&p, UI_TONE_DIM, "%s  %s  %s", d->model, api_name(d->dialect), d->api_base);
    if (d->view.in_flight > 0)
        textf(&p, UI_TONE_NORMAL, "  %d in flight", d->view.in_flight);
}

static void card_row(const struct ui_ctx *c, const struct dep_snapshot *d, int idx, int k,
                     struct pen p)
{
    if (k == 0)
        head_row(c, d, idx, p);
    else if (c->lay.card_h == 2 && is_out(d) && d->view.reason[0])
        reason_row(d, p); /* two rows: the reason matters more than the numbers */
    else if (k == 1)
        stats_row(d, p);
    else
        reason_row(d, p);
}

static bool group_starts(const struct ui_ctx *c, int i)
{
    return i == 0 ||
           strcmp(c->snap->deps[c->order[i]].group, c->snap->deps[c->order[i - 1]].group) != 0;
}

/* Lines before the selected card ends, counting group headings: how far to scroll. */
static int selected_end(const struct ui_ctx *c)
{
    int vl = 0;

    for (int i = 0; i <= c->sel && i < c->n_deps; i++)
        vl += (group_starts(c, i) ? 1 : 0) + c->lay.card_h;
    return vl;
}

static void group_row(const struct dep_snapshot *d, struct pen p)
{
    p.x += 1;
    text(&p, UI_TONE_TITLE, d->group);
    if (d->is_primary)
        text(&p, UI_TONE_DIM, "  primary: falls back when out");
}

void ui_draw_providers(const struct ui_ctx *c, struct ui_rect r)
{
    int rows = r.h - 1, vl = 0, off;
    char title[64];

    if (r.h < 1)
        return;
    snprintf(title, sizeof title, "providers (%d)", c->n_deps);
    ui_rule(r.y, r.x, r.w, c->focus == UI_PANE_PROVIDERS ? UI_TONE_TITLE : UI_TONE_DIM, title);
    if (c->n_deps == 0)
        ui_put(r.y + 1, r.x + 2, r.w - 2, UI_TONE_DIM, "no deployments in the config");
    off = selected_end(c) - rows;
    if (off < 0)
        off = 0;
    for (int i = 0; i < c->n_deps; i++) {
        const struct dep_snapshot *d = &c->snap->deps[c->order[i]];

        for (int k = group_starts(c, i) ? -1 : 0; k < c->lay.card_h; k++, vl++) {
            struct pen p = {r.y + 1 + vl - off, r.x, r.x + r.w};

            if (vl < off || vl - off >= rows)
                continue;
            if (k < 0)
                group_row(d, p);
            else
                card_row(c, d, i, k, p);
        }
    }
}
