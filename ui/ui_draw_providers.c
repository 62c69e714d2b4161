/* ui_draw_providers: one card per deployment under its model group's heading. A card is up to
 * three rows (state and traffic; timings and counts; why it is out), down to one when the
 * screen is short. The pane scrolls to keep the selected card in view. */
#include "ui_draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ui/ui_keys.h"
#include "ui/ui_spark.h"

#define NAME_COL  5  /* after the marker and the 1-9 number */
#define NAME_MIN  10 /* the name column fits the longest label, within these bounds */
#define NAME_MAX  30
#define BADGE_W   19 /* "AUTH FAILED 00:59" and a gap; longer badges push the rest right */
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

static int name_width(const struct ui_ctx *c)
{
    int w = NAME_MIN;

    for (int i = 0; i < c->n_deps; i++) {
        char label[128];
        int iw = ui_utf8_width(ui_fmt_dep_label(label, sizeof label, &c->snap->deps[i])) + 2;
        if (iw > w)
            w = iw;
    }
    return w < NAME_MAX ? w : NAME_MAX;
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
    p->x += 2;
}

/* Row 1: marker, number, name, badge, requests per minute and their sparkline (as wide as
 * the rest leaves room for), local rpm window, measured output speed. */
static void head_row(const struct ui_ctx *c, const struct dep_snapshot *d, int idx, struct pen p)
{
    bool sel = idx == c->sel, focus = c->focus == UI_PANE_PROVIDERS;
    bool forced = c->snap->force_fallback;
    char badge[64], rate[32], tps[32], rpm[64] = "", label[128];
    int start = p.x, name_w = name_width(c), tail;

    text(&p, UI_TONE_TITLE, sel ? (c->utf8 ? "\xe2\x96\xb8 " : "> ") : "  ");
    if (idx < 9)
        textf(&p, UI_TONE_DIM, "%d ", idx + 1);
    column(&p, start + NAME_COL);
    text(&p, sel && focus ? UI_TONE_SELECT : (sel ? UI_TONE_TITLE : UI_TONE_NORMAL),
         ui_fmt_dep_label(label, sizeof label, d));
    column(&p, start + NAME_COL + name_w);
    text(&p, ui_badge_tone(d, forced), ui_fmt_badge(badge, sizeof badge, d, forced));
    column(&p, start + NAME_COL + name_w + BADGE_W);
    text(&p, UI_TONE_NORMAL, ui_fmt_rate(rate, sizeof rate, d->rpm_now));
    column(&p, p.x - ui_utf8_width(rate) + RATE_W);
    if (d->rpm_limit > 0)
        snprintf(rpm, sizeof rpm, "rpm %d/%ld", d->view.rpm_used, d->rpm_limit);
    ui_fmt_tok_per_s(tps, sizeof tps, d->tok_per_s);
    tail = (rpm[0] ? ui_utf8_width(rpm) + 2 : 0) + ui_utf8_width(tps);
    spark(c, &p, d, p.right - p.x - tail - 2);
    if (rpm[0]) {
        text(&p, d->view.rpm_used >= d->rpm_limit ? UI_TONE_WARN : UI_TONE_NORMAL, rpm);
        p.x += 2;
    }
    text(&p, d->tok_per_s > 0 ? UI_TONE_NORMAL : UI_TONE_DIM, tps);
}

/* Row 2: latency and TTFT p50/p95, outcome counts (this instance's since it started), while
 * the limits are shared today's requests of every instance, and the provider's own remaining
 * quota when its headers said (hidden when unknown). */
static void stats_row(const struct ui_ctx *c, const struct dep_snapshot *d, struct pen p)
{
    char a[64], b[64];
    const struct ratelimit_info *rl = &d->view.rl;

    p.x += DETAIL_IN;
    textf(&p, UI_TONE_NORMAL, "p50/p95 lat %s  TTFT %s  ",
          ui_fmt_p50_p95(a, sizeof a, d, d->lat_p50_ms, d->lat_p95_ms),
          ui_fmt_p50_p95(b, sizeof b, d, d->ttft_p50_ms, d->ttft_p95_ms));
    textf(&p, d->n_ok ? UI_TONE_OK : UI_TONE_NORMAL, "ok %s  ",
          ui_fmt_count(a, sizeof a, (double)d->n_ok));
    textf(&p, d->n_429 ? UI_TONE_WARN : UI_TONE_NORMAL, "429 %s  ",
          ui_fmt_count(a, sizeof a, (double)d->n_429));
    textf(&p, d->n_err ? UI_TONE_BAD : UI_TONE_NORMAL, "err %s  ",
          ui_fmt_count(a, sizeof a, (double)d->n_err));
    if (ui_fmt_shared_today(a, sizeof a, &c->snap->shared, d, p.right - p.x)[0])
        textf(&p, UI_TONE_NORMAL, "%s  ", a);
    if (d->tokens_in > 0) /* the provider's prompt cache: a 60K prompt that is 55K cached */
        textf(&p, UI_TONE_NORMAL, "cache %.0f%%  ", d->cache_hit_rate * 100.0);
    if (d->budget_lowered > 0)
        textf(&p, d->budget_cut ? UI_TONE_WARN : UI_TONE_DIM, "budget lowered %s cut %s  ",
              ui_fmt_count(a, sizeof a, (double)d->budget_lowered),
              ui_fmt_count(b, sizeof b, (double)d->budget_cut));
    if (rl->remaining_tokens_minute >= 0)
        textf(&p, UI_TONE_DIM, "left %s tok/min  ",
              ui_fmt_count(a, sizeof a, rl->remaining_tokens_minute));
    if (rl->remaining_requests_day >= 0)
        textf(&p, UI_TONE_DIM, "%s req/day", ui_fmt_count(a, sizeof a, rl->remaining_requests_day));
}

static bool resettable(enum dep_status s)
{
    return s == DEP_COOLDOWN || s == DEP_AUTH_FAILED || s == DEP_QUOTA;
}

/* Row 3: why it is out and the key that overrides it, or else what it is (upstream model,
 * dialect, base URL). */
static void reason_row(const struct ui_ctx *c, const struct dep_snapshot *d, struct pen p)
{
    enum dep_status s = ui_dep_status(d);

    p.x += DETAIL_IN;
    if (ui_dep_bypassed(d, c->snap->force_fallback)) {
        text(&p, UI_TONE_WARN, "forced fallback: requests skip it (f turns it off)");
    } else if (s == DEP_DISABLED) {
        text(&p, UI_TONE_DIM, "disabled here: requests skip it (space enables it)");
    } else if (s == DEP_NO_KEY && d->key_env[0]) {
        textf(&p, UI_TONE_DIM, "no key: set %s in the environment or .env, then R", d->key_env);
    } else if (s == DEP_MODEL_GONE) {
        static const char hint[] = "  (m picks one)";

        text(&p, UI_TONE_BAD, d->view.reason);
        if (d->lineup.offer.n > 0 && p.x + ui_utf8_width(hint) <= p.right)
            text(&p, UI_TONE_DIM, hint);
    } else if (is_out(d) && d->view.reason[0]) {
        static const char hint[] = "  (r tries it now)";

        text(&p, ui_badge_tone(d, false), d->view.reason);
        if (resettable(s) && p.x + ui_utf8_width(hint) <= p.right)
            text(&p, UI_TONE_DIM, hint);
    } else {
        textf(&p, UI_TONE_DIM, "%s  %s  %s", d->id, api_name(d->dialect), d->api_base);
    }
    if (d->view.in_flight > 0)
        textf(&p, UI_TONE_NORMAL, "  %d in flight", d->view.in_flight);
}

/* Whether a two-row card shows the reason instead of the numbers: when it says more. */
static bool reason_first(const struct ui_ctx *c, const struct dep_snapshot *d)
{
    return ui_dep_bypassed(d, c->snap->force_fallback) || (is_out(d) && d->view.reason[0]);
}

static void card_row(const struct ui_ctx *c, const struct dep_snapshot *d, int idx, int k,
                     struct pen p)
{
    if (k == 0)
        head_row(c, d, idx, p);
    else if (c->lay.card_h == 2 && reason_first(c, d))
        reason_row(c, d, p);
    else if (k == 1)
        stats_row(c, d, p);
    else
        reason_row(c, d, p);
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
