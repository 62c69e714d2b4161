/* ui_format: the dashboard's text without curses, so every string the screen shows can be
 * unit-tested. Knows the snapshot structs, nothing about terminals. */
#include "ui/ui_format.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/errmap.h"
#include "route/router.h"

#define ARROW_UTF8  " \xe2\x86\x92 " /* " → " */
#define ARROW_ASCII " -> "

/* Appends to out at *len, keeping the terminator; silently truncates when full. */
__attribute__((format(printf, 4, 5))) static void cat(char *out, size_t n, size_t *len,
                                                      const char *fmt, ...)
{
    va_list ap;
    int w;

    if (*len + 1 >= n)
        return;
    va_start(ap, fmt);
    w = vsnprintf(out + *len, n - *len, fmt, ap);
    va_end(ap);
    if (w < 0)
        return;
    *len += (size_t)w;
    if (*len >= n)
        *len = n - 1;
}

/* Appends s padded or cut to exactly w columns (left or right aligned), then a space. */
static void col(char *out, size_t n, size_t *len, const char *s, int w, bool right)
{
    size_t b = ui_utf8_prefix(s, w);
    int pad = w - ui_utf8_width(s);

    if (pad < 0)
        pad = 0;
    if (right)
        cat(out, n, len, "%*s%.*s ", pad, "", (int)b, s);
    else
        cat(out, n, len, "%.*s%*s ", (int)b, s, pad, "");
}

static char *empty(char *out, size_t n)
{
    if (n > 0)
        out[0] = '\0';
    return out;
}

char *ui_fmt_duration(char *out, size_t n, int64_t ms)
{
    int64_t s = ms > 0 ? (ms + 999) / 1000 : 0;

    if (n == 0)
        return out;
    if (s >= 3600)
        snprintf(out, n, "%lld:%02d:%02d", (long long)(s / 3600), (int)(s / 60 % 60),
                 (int)(s % 60));
    else
        snprintf(out, n, "%02d:%02d", (int)(s / 60), (int)(s % 60));
    return out;
}

char *ui_fmt_rate(char *out, size_t n, double per_min)
{
    if (n == 0)
        return out;
    if (per_min < 0)
        snprintf(out, n, "-");
    else if (per_min == 0)
        snprintf(out, n, "0/min");
    else if (per_min < 99.95 && per_min != (double)(long)per_min)
        snprintf(out, n, "%.1f/min", per_min);
    else
        snprintf(out, n, "%.0f/min", per_min);
    return out;
}

char *ui_fmt_ms(char *out, size_t n, double ms)
{
    if (n == 0)
        return out;
    if (ms < 0)
        snprintf(out, n, "-");
    else if (ms < 999.5)
        snprintf(out, n, "%.0fms", ms);
    else if (ms < 9950)
        snprintf(out, n, "%.1fs", ms / 1000);
    else if (ms < 59500)
        snprintf(out, n, "%.0fs", ms / 1000);
    else {
        long s = (long)(ms / 1000 + 0.5);
        snprintf(out, n, "%ldm%02lds", s / 60, s % 60);
    }
    return out;
}

char *ui_fmt_count(char *out, size_t n, double v)
{
    if (n == 0)
        return out;
    if (v < 0)
        snprintf(out, n, "-");
    else if (v < 999.5)
        snprintf(out, n, "%.0f", v);
    else if (v < 9950)
        snprintf(out, n, "%.1fk", v / 1e3);
    else if (v < 999500)
        snprintf(out, n, "%.0fk", v / 1e3);
    else if (v < 9.95e6)
        snprintf(out, n, "%.1fM", v / 1e6);
    else
        snprintf(out, n, "%.0fM", v / 1e6);
    return out;
}

char *ui_fmt_tok_per_s(char *out, size_t n, double tps)
{
    if (n == 0)
        return out;
    if (tps <= 0)
        snprintf(out, n, "- tok/s");
    else if (tps < 99.95)
        snprintf(out, n, "%.1f tok/s", tps);
    else
        snprintf(out, n, "%.0f tok/s", tps);
    return out;
}

char *ui_fmt_clock(char *out, size_t n, int64_t wall_ms)
{
    time_t t = (time_t)(wall_ms / 1000);
    struct tm tm;

    if (n == 0)
        return out;
    if (!localtime_r(&t, &tm))
        return empty(out, n);
    snprintf(out, n, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    return out;
}

const char *ui_api_label(enum api a)
{
    return a == API_ANTHROPIC ? "Anthropic" : "OpenAI";
}

enum ui_tone ui_status_tone(int status)
{
    if (status >= 200 && status < 300)
        return UI_TONE_OK;
    if (status == 429)
        return UI_TONE_WARN;
    if (status == 499) /* the client left (Esc in Claude Code): nothing failed */
        return UI_TONE_DIM;
    return UI_TONE_BAD;
}

/* brief: the deployment by its provider name, the id up to its first '/'. */
static void attempt_text(char *out, size_t n, size_t *len, const struct attempt_rec *a, bool brief)
{
    size_t dl = strnlen(a->dep, sizeof a->dep);
    const char *slash = brief ? memchr(a->dep, '/', dl) : NULL;
    int dw = slash ? (int)(slash - a->dep) : (int)dl;

    if (a->status > 0)
        cat(out, n, len, "%.*s %d", dw, a->dep, a->status);
    else if (a->status == 0)
        cat(out, n, len, "%.*s %s", dw, a->dep, errmap_class_name(a->cls));
    else
        cat(out, n, len, "%.*s skip", dw, a->dep);
}

/* upto: how many attempts to write. A trail cut short ends in an arrow: what follows it is the
 * provider and status the row shows. */
static char *trail(char *out, size_t n, const struct request_rec *r, bool utf8, bool brief,
                   int upto)
{
    size_t len = 0;
    int na = r->n_attempts;

    empty(out, n);
    if (na > REC_MAX_ATTEMPTS)
        na = REC_MAX_ATTEMPTS;
    for (int i = 0; i < na; i++) {
        if (i > 0)
            cat(out, n, &len, "%s", utf8 ? ARROW_UTF8 : ARROW_ASCII);
        if (i == upto) {
            while (len > 0 && out[len - 1] == ' ')
                out[--len] = '\0';
            break;
        }
        attempt_text(out, n, &len, &r->attempts[i], brief);
    }
    return out;
}

char *ui_fmt_trail(char *out, size_t n, const struct request_rec *r, bool utf8)
{
    return trail(out, n, r, utf8, false, REC_MAX_ATTEMPTS);
}

char *ui_fmt_trail_fit(char *out, size_t n, const struct request_rec *r, bool utf8, int cols)
{
    int na = r->n_attempts < REC_MAX_ATTEMPTS ? r->n_attempts : REC_MAX_ATTEMPTS;

    trail(out, n, r, utf8, false, REC_MAX_ATTEMPTS);
    if (ui_utf8_width(out) > cols)
        trail(out, n, r, utf8, true, REC_MAX_ATTEMPTS);
    /* The last attempt served the request: the row's provider and status columns say it. */
    if (ui_utf8_width(out) > cols && na > 1 && r->served_by[0])
        trail(out, n, r, utf8, true, na - 1);
    return out;
}

bool ui_rec_has_trail(const struct request_rec *r)
{
    return r->n_attempts > 1;
}

static bool has(const char *field, const char *filter)
{
    return strcasestr(field, filter) != NULL;
}

bool ui_rec_matches(const struct request_rec *r, const char *filter)
{
    char status[16];
    int na = r->n_attempts < REC_MAX_ATTEMPTS ? r->n_attempts : REC_MAX_ATTEMPTS;

    if (!filter || !filter[0])
        return true;
    snprintf(status, sizeof status, "%d", r->status);
    if (has(r->model, filter) || has(r->group, filter) || has(r->served_by, filter) ||
        has(status, filter) || has(ui_api_label(r->client_api), filter))
        return true;
    for (int i = 0; i < na; i++)
        if (has(r->attempts[i].dep, filter))
            return true;
    return false;
}

/* Column widths of the log, shared by the header and the rows so they line up. Below
 * UI_LOG_WIDE columns the client API goes (the detail view still has it), names and numbers
 * narrow and the provider shows by name, so a fallback's trail still shows in 80 columns. */
struct log_cols {
    int api, model, prov, ms, tok;
    bool brief; /* provider by name: "zai", not "zai/glm-4.6" */
};

static struct log_cols log_cols(int width)
{
    struct log_cols wide = {9, 20, 16, 6, 6, false}, narrow = {0, 14, 9, 5, 5, true};
    return width >= UI_LOG_WIDE ? wide : narrow;
}

enum { W_TIME = 8, W_STATUS = 4 };

char *ui_fmt_log_header(char *out, size_t n, int width)
{
    struct log_cols w = log_cols(width);
    size_t len = 0;

    empty(out, n);
    col(out, n, &len, "TIME", W_TIME, false);
    if (w.api)
        col(out, n, &len, "API", w.api, false);
    col(out, n, &len, "MODEL", w.model, false);
    col(out, n, &len, "PROVIDER", w.prov, false);
    col(out, n, &len, "STAT", W_STATUS, true);
    col(out, n, &len, "LAT", w.ms, true);
    col(out, n, &len, "TTFT", w.ms, true);
    col(out, n, &len, "IN", w.tok, true);
    col(out, n, &len, "OUT", w.tok, true);
    cat(out, n, &len, " TRAIL");
    return out;
}

/* The provider that served r, by name when brief. */
static void served_by(char *out, size_t n, const struct request_rec *r, bool brief)
{
    size_t dl = strnlen(r->served_by, sizeof r->served_by);
    const char *slash = brief ? memchr(r->served_by, '/', dl) : NULL;

    snprintf(out, n, "%.*s", slash ? (int)(slash - r->served_by) : (int)dl,
             dl ? r->served_by : "-");
}

char *ui_fmt_log_row(char *out, size_t n, const struct request_rec *r, bool utf8, int width)
{
    char t[16], s[16], lat[16], ttft[16], in[16], outt[16], prov[64], tr[512];
    struct log_cols w = log_cols(width);
    size_t len = 0;

    empty(out, n);
    if (r->status > 0)
        snprintf(s, sizeof s, "%d", r->status);
    else
        snprintf(s, sizeof s, "-");
    served_by(prov, sizeof prov, r, w.brief);
    col(out, n, &len, ui_fmt_clock(t, sizeof t, r->wall_ms), W_TIME, false);
    if (w.api)
        col(out, n, &len, ui_api_label(r->client_api), w.api, false);
    col(out, n, &len, r->model, w.model, false);
    col(out, n, &len, prov, w.prov, false);
    col(out, n, &len, s, W_STATUS, true);
    col(out, n, &len, ui_fmt_ms(lat, sizeof lat, r->latency_ms), w.ms, true);
    col(out, n, &len, ui_fmt_ms(ttft, sizeof ttft, r->ttft_ms), w.ms, true);
    col(out, n, &len, ui_fmt_count(in, sizeof in, (double)r->tokens_in), w.tok, true);
    col(out, n, &len, ui_fmt_count(outt, sizeof outt, (double)r->tokens_out), w.tok, true);
    if (r->budget_sent > 0 && r->budget_sent < r->budget_asked) /* switchboard lowered it */
        cat(out, n, &len, " budget %ld/%ld%s", r->budget_sent, r->budget_asked,
            r->budget_cut ? " cut" : "");
    if (r->wait_ms >= 1000)
        cat(out, n, &len, " held %s", ui_fmt_ms(lat, sizeof lat, r->wait_ms));
    if (ui_rec_has_trail(r))
        cat(out, n, &len, " %s",
            ui_fmt_trail_fit(tr, sizeof tr, r, utf8, width - ui_utf8_width(out) - 1));
    /* Drop the trailing pad so rows do not end in spaces. */
    while (len > 0 && out[len - 1] == ' ')
        out[--len] = '\0';
    return out;
}

enum dep_status ui_dep_status(const struct dep_snapshot *d)
{
    if (!d->enabled)
        return DEP_DISABLED;
    return d->view.status;
}

static bool status_timed(enum dep_status s)
{
    return s == DEP_COOLDOWN || s == DEP_RPM_FULL || s == DEP_AUTH_FAILED || s == DEP_QUOTA ||
           s == DEP_TPM_LOW;
}

bool ui_dep_bypassed(const struct dep_snapshot *d, bool forced)
{
    return forced && d->is_primary && ui_dep_status(d) == DEP_READY;
}

char *ui_fmt_badge(char *out, size_t n, const struct dep_snapshot *d, bool forced)
{
    enum dep_status s = ui_dep_status(d);
    const char *word = router_status_name(s);
    char dur[32];

    if (n == 0)
        return out;
    if (!word)
        word = "?";
    if (ui_dep_bypassed(d, forced))
        snprintf(out, n, "BYPASSED");
    else if (status_timed(s) && d->remaining_ms > 0)
        snprintf(out, n, "%s %s", word, ui_fmt_duration(dur, sizeof dur, d->remaining_ms));
    else
        snprintf(out, n, "%s", word);
    return out;
}

enum ui_tone ui_badge_tone(const struct dep_snapshot *d, bool forced)
{
    if (ui_dep_bypassed(d, forced))
        return UI_TONE_WARN;
    switch (ui_dep_status(d)) {
    case DEP_READY:
        return UI_TONE_OK;
    case DEP_COOLDOWN:
    case DEP_PROBING:
    case DEP_RPM_FULL:
    case DEP_TPM_LOW:
    case DEP_BUSY:
        return UI_TONE_WARN;
    case DEP_AUTH_FAILED:
    case DEP_QUOTA:
    case DEP_MODEL_GONE:
        return UI_TONE_BAD;
    case DEP_DISABLED:
    case DEP_NO_KEY:
        return UI_TONE_DIM;
    }
    return UI_TONE_NORMAL;
}

char *ui_fmt_p50_p95(char *out, size_t n, const struct dep_snapshot *d, double p50, double p95)
{
    char a[32], b[32];

    if (n == 0)
        return out;
    if (d->n_ok == 0)
        snprintf(out, n, "-");
    else
        snprintf(out, n, "%s/%s", ui_fmt_ms(a, sizeof a, p50), ui_fmt_ms(b, sizeof b, p95));
    return out;
}

/* Whether snprintf's k says the whole text went into n bytes and takes at most cols columns. */
static bool fits(const char *out, int k, size_t n, int cols)
{
    return k >= 0 && (size_t)k < n && ui_utf8_width(out) <= cols;
}

char *ui_fmt_shared_today(char *out, size_t n, const struct snap_shared *sh,
                          const struct dep_snapshot *d, int cols)
{
    char count[32];

    if (n == 0)
        return out;
    out[0] = '\0';
    if (!sh->configured || !sh->up || d->shared_today < 0)
        return out;
    ui_fmt_count(count, sizeof count, (double)d->shared_today);
    if (fits(out, snprintf(out, n, "today %s (all instances)", count), n, cols))
        return out;
    if (fits(out, snprintf(out, n, "today %s (all)", count), n, cols))
        return out;
    out[0] = '\0'; /* whole or not at all: a cut "today 3" would mislead when it is 37 */
    return out;
}

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

int ui_utf8_width(const char *s)
{
    int w = 0;

    for (; *s; s++)
        if (!is_cont((unsigned char)*s))
            w++;
    return w;
}

size_t ui_utf8_prefix(const char *s, int cols)
{
    size_t i = 0;
    int w = 0;

    if (cols <= 0)
        return 0;
    while (s[i]) {
        if (!is_cont((unsigned char)s[i])) {
            if (w == cols)
                break;
            w++;
        }
        i++;
    }
    return i;
}

char *ui_fmt_dep_label(char *out, size_t n, const struct dep_snapshot *d)
{
    if (n == 0)
        return out;
    if (d->model[0])
        snprintf(out, n, "%s %s", d->name[0] ? d->name : d->id, d->model);
    else
        snprintf(out, n, "%s", d->id);
    return out;
}
