/* ui_draw_header: who we are and how we route: URL, master key (set or not, never the key),
 * uptime, routing mode, config file, client request rate, demo and its traffic. */
#include "ui_draw.h"

#include <stdio.h>

/* Writes s at *x in tone followed by two spaces, whole or not at all (a cut "up 00" would
 * mislead). Items come most important first, so once one does not fit the line is full:
 * returns false then and from every later call. */
static bool item(int y, int *x, int right, enum ui_tone tone, const char *s)
{
    if (*x + ui_utf8_width(s) > right) {
        *x = right;
        return false;
    }
    *x += ui_put(y, *x, right - *x, tone, s);
    *x += ui_put(y, *x, right - *x, UI_TONE_NORMAL, "  ");
    return true;
}

/* Limits shared with other instances through Redis: SHARED and how many, or LOCAL ONLY
 * while Redis is away (only when Redis is configured). */
static void shared_item(const struct snapshot *s, int y, int *x, int right)
{
    char buf[64];
    if (!s->shared.configured)
        return;
    if (s->shared.up) {
        snprintf(buf, sizeof buf, "SHARED %d instance%s", s->shared.instances,
                 s->shared.instances == 1 ? "" : "s");
        item(y, x, right, UI_TONE_OK, buf);
    } else {
        item(y, x, right, UI_TONE_ALERT, "LOCAL ONLY (Redis unreachable)");
    }
}

/* The other instances sharing the limits: "with host:pid 4/min, ...". */
static void peers_item(const struct snapshot *s, int y, int *x, int right)
{
    char buf[320], rate[32];
    size_t n = 0;
    if (!s->shared.configured || !s->shared.up)
        return;
    for (int i = 0; i < s->shared.n_peers && n < sizeof buf; i++) {
        const struct snap_peer *p = &s->shared.peers[i];
        if (p->self)
            continue;
        int k = snprintf(buf + n, sizeof buf - n, "%s%s %s", n ? ", " : "with ", p->name,
                         ui_fmt_rate(rate, sizeof rate, p->rpm));
        n += k > 0 ? (size_t)k : 0;
    }
    if (n > 0)
        item(y, x, right, UI_TONE_NORMAL, buf);
}

/* Most important first: a narrow screen cuts from the right. */
static void line_one(const struct ui_ctx *c, struct ui_rect r)
{
    const struct snapshot *s = c->snap;
    int x = r.x, right = r.x + r.w;
    char buf[160], up[32];

    item(r.y, &x, right, UI_TONE_TITLE, "switchboard");
    x += ui_put(r.y, x, right - x, UI_TONE_NORMAL, "mode ");
    if (s->force_fallback)
        item(r.y, &x, right, UI_TONE_ALERT, "FORCED FALLBACK");
    else
        item(r.y, &x, right, UI_TONE_OK, "AUTO");
    shared_item(s, r.y, &x, right);
    if (c->h->demo) {
        item(r.y, &x, right, UI_TONE_ALERT, "DEMO");
        if (c->h->traffic_on)
            item(r.y, &x, right, UI_TONE_NORMAL,
                 c->h->traffic_on(c->h->ud) ? "traffic on (g)" : "traffic off (g)");
    }
    item(r.y, &x, right, UI_TONE_NORMAL, c->h->url ? c->h->url : "-");
    item(r.y, &x, right, c->h->master_key_set ? UI_TONE_NORMAL : UI_TONE_DIM,
         c->h->master_key_set ? "master key set" : "no master key");
    snprintf(buf, sizeof buf, "up %s", ui_fmt_duration(up, sizeof up, s->now_ms - s->started_ms));
    item(r.y, &x, right, UI_TONE_NORMAL, buf);
}

static void line_two(const struct ui_ctx *c, struct ui_rect r)
{
    const struct snapshot *s = c->snap;
    int x = r.x, right = r.x + r.w;
    char buf[320], rate[32], tot[32];

    snprintf(buf, sizeof buf, "%s request%s  %s",
             ui_fmt_count(tot, sizeof tot, (double)s->total_requests),
             s->total_requests == 1 ? "" : "s", ui_fmt_rate(rate, sizeof rate, s->rpm_total));
    item(r.y + 1, &x, right, UI_TONE_NORMAL, buf);
    snprintf(buf, sizeof buf, "%d in flight", s->in_flight);
    item(r.y + 1, &x, right, s->in_flight > 0 ? UI_TONE_NORMAL : UI_TONE_DIM, buf);
    if (c->paused)
        item(r.y + 1, &x, right, UI_TONE_ALERT, "PAUSED");
    peers_item(s, r.y + 1, &x, right);
    snprintf(buf, sizeof buf, "config %s", c->h->config_path ? c->h->config_path : "-");
    if (!item(r.y + 1, &x, right, UI_TONE_DIM, buf)) {
        ui_put(r.y + 1, x, right - x, UI_TONE_DIM, buf); /* a cut path still helps */
        return;
    }
    if (c->h->log_path) {
        snprintf(buf, sizeof buf, "log %s", c->h->log_path);
        item(r.y + 1, &x, right, UI_TONE_DIM, buf);
    }
}

void ui_draw_header(const struct ui_ctx *c, struct ui_rect r)
{
    if (r.h < 1)
        return;
    line_one(c, r);
    if (r.h >= 2)
        line_two(c, r);
}
