/* ui_draw_detail: one request opened from the log: what the client asked, who served it, the
 * timings, every attempt (deployment, status, class, note, duration) and the error message. */
#include "ui_draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/errmap.h"

#define MAX_LINES 48
#define MAX_W     100

struct lines {
    int n;
    int width; /* columns available for text */
    enum ui_tone tone[MAX_LINES];
    char text[MAX_LINES][256];
};

static void add(struct lines *l, enum ui_tone t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add(struct lines *l, enum ui_tone t, const char *fmt, ...)
{
    va_list ap;

    if (l->n >= MAX_LINES)
        return;
    va_start(ap, fmt);
    vsnprintf(l->text[l->n], sizeof l->text[0], fmt, ap);
    va_end(ap);
    l->tone[l->n++] = t;
}

/* Adds s over as many lines as it needs, each indented, breaking at spaces where it can. */
static void add_wrapped(struct lines *l, enum ui_tone t, int indent, const char *s)
{
    int w = l->width - indent;

    if (w < 10)
        w = 10;
    while (*s) {
        size_t b = ui_utf8_prefix(s, w);
        size_t cut = b;

        if (s[b]) {
            while (cut > 0 && s[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = b;
        }
        add(l, t, "%*s%.*s", indent, "", (int)cut, s);
        s += cut;
        while (*s == ' ')
            s++;
    }
}

static enum ui_tone attempt_tone(const struct attempt_rec *a)
{
    if (a->status < 0)
        return UI_TONE_DIM;
    return ui_status_tone(a->status);
}

static void attempts(struct lines *l, const struct request_rec *q)
{
    int na = q->n_attempts < REC_MAX_ATTEMPTS ? q->n_attempts : REC_MAX_ATTEMPTS;
    char st[16], ms[32];

    add(l, UI_TONE_TITLE, "Attempts");
    if (na <= 0) {
        add(l, UI_TONE_DIM, "  none (no deployment could take it)");
        return;
    }
    add(l, UI_TONE_DIM, "  #  %-20s %-6s %-12s %s", "DEPLOYMENT", "STATUS", "CLASS", "TIME");
    for (int i = 0; i < na; i++) {
        const struct attempt_rec *a = &q->attempts[i];

        if (a->status > 0)
            snprintf(st, sizeof st, "%d", a->status);
        else
            snprintf(st, sizeof st, "%s", a->status == 0 ? "-" : "skip");
        add(l, attempt_tone(a), "  %d  %-20s %-6s %-12s %s", i + 1, a->dep, st,
            a->cls == ERRC_NONE ? "-" : errmap_class_name(a->cls),
            ui_fmt_ms(ms, sizeof ms, a->status < 0 ? -1 : a->ms));
        if (a->note[0])
            add_wrapped(l, UI_TONE_DIM, 7, a->note);
    }
}

static void build(struct lines *l, const struct request_rec *q, bool utf8)
{
    char t[16], a[32], b[32], c[32], d[32], e[32], line[256];

    add(l, UI_TONE_NORMAL, "at %s  %s client  %s", ui_fmt_clock(t, sizeof t, q->wall_ms),
        ui_api_label(q->client_api), q->stream ? "streaming" : "not streaming");
    add(l, UI_TONE_NORMAL, "model %s %s group %s", q->model, utf8 ? "\xe2\x86\x92" : "->",
        q->group[0] ? q->group : "-");
    add(l, ui_status_tone(q->status), "served by %s  status %d",
        q->served_by[0] ? q->served_by : "nobody", q->status);
    snprintf(line, sizeof line, "latency %s  TTFT %s  overhead %s  tokens in %s out %s",
             ui_fmt_ms(a, sizeof a, q->latency_ms), ui_fmt_ms(b, sizeof b, q->ttft_ms),
             ui_fmt_ms(c, sizeof c, q->overhead_ms),
             ui_fmt_count(d, sizeof d, (double)q->tokens_in),
             ui_fmt_count(e, sizeof e, (double)q->tokens_out));
    add_wrapped(l, UI_TONE_NORMAL, 0, line);
    if (q->tokens_cached > 0)
        add(l, UI_TONE_NORMAL, "of the input, %s read from the provider's prompt cache",
            ui_fmt_count(a, sizeof a, (double)q->tokens_cached));
    if (q->budget_sent > 0 && q->budget_sent < q->budget_asked)
        add(l, q->budget_cut ? UI_TONE_WARN : UI_TONE_NORMAL,
            "output budget lowered %ld -> %ld to run it there now%s", q->budget_asked,
            q->budget_sent, q->budget_cut ? "; the answer stopped there (max_tokens)" : "");
    if (q->wait_ms > 0)
        add(l, UI_TONE_NORMAL, "held %s for a provider to have room",
            ui_fmt_ms(a, sizeof a, q->wait_ms));
    add(l, UI_TONE_NORMAL, "%s", "");
    attempts(l, q);
    if (q->error[0]) {
        add(l, UI_TONE_NORMAL, "%s", "");
        add(l, UI_TONE_BAD, "Error");
        add_wrapped(l, UI_TONE_BAD, 2, q->error);
    }
}

void ui_draw_detail(const struct ui_ctx *c)
{
    struct lines l = {0};
    struct ui_rect r;
    char title[64];
    int w = c->cols - 2 < MAX_W ? c->cols - 2 : MAX_W;

    l.width = w - 4;
    build(&l, &c->detail, c->utf8);
    r = ui_layout_center(c->rows, c->cols, l.n + 2, w);
    snprintf(title, sizeof title, "Request #%llu", (unsigned long long)c->detail.id);
    ui_frame(r, title);
    for (int i = 0; i < l.n && i < r.h - 2; i++)
        ui_put(r.y + 1 + i, r.x + 2, r.w - 4, l.tone[i], l.text[i]);
}
