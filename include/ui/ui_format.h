/* ui_format: the dashboard's text, computed without curses: durations, rates, sizes, badges,
 * fallback trails and log rows. Every ui_fmt_* writes into the caller's buffer, always
 * NUL-terminates it (when n > 0), truncates instead of overflowing, and returns out.
 * Pure and thread-safe (ui_fmt_clock uses localtime_r). */
#ifndef SB_UI_FORMAT_H
#define SB_UI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "route/state.h"

/* What a piece of text means; ui_theme turns a tone into colours and attributes. */
enum ui_tone {
    UI_TONE_NORMAL = 0,
    UI_TONE_OK,     /* green: READY, 2xx */
    UI_TONE_WARN,   /* yellow: COOLDOWN, PROBING, RPM FULL, TPM LOW, 429 */
    UI_TONE_BAD,    /* red: AUTH FAILED, QUOTA, errors */
    UI_TONE_DIM,    /* DISABLED, NO KEY, secondary text */
    UI_TONE_TITLE,  /* pane titles, column headers */
    UI_TONE_SELECT, /* the selected row */
    UI_TONE_ALERT,  /* DEMO, FORCED FALLBACK, PAUSED */
    UI_TONE_COUNT
};

/* Countdown or uptime: "00:23", "12:05", "1:02:03". Rounds up to the next second so a
 * countdown only shows 00:00 once it is over; negative counts as 0. */
char *ui_fmt_duration(char *out, size_t n, int64_t ms);
/* Requests per minute: "0/min", "7/min", "7.2/min", "120/min"; "-" when negative. */
char *ui_fmt_rate(char *out, size_t n, double per_min);
/* A time in ms: "95ms", "1.2s", "42s", "3m05s"; "-" when negative (unknown). */
char *ui_fmt_ms(char *out, size_t n, double ms);
/* A count (tokens, requests): "310", "1.2k", "42k", "1.3M"; "-" when negative (unknown). */
char *ui_fmt_count(char *out, size_t n, double v);
/* Output speed: "850 tok/s", "42.5 tok/s"; "- tok/s" when not measured (<= 0). */
char *ui_fmt_tok_per_s(char *out, size_t n, double tps);
/* Local wall-clock time of a Unix ms timestamp: "14:02:41". */
char *ui_fmt_clock(char *out, size_t n, int64_t wall_ms);

/* "Anthropic" or "OpenAI". Static string. */
const char *ui_api_label(enum api a);
/* Tone of an HTTP status the client got: 2xx OK, 429 WARN, 0 or other BAD. */
enum ui_tone ui_status_tone(int status);

/* The attempts of a request: "cerebras 429 → zai 200" ("->" unless utf8). Transport errors
 * show the error class ("cerebras timeout"), skipped candidates "skip". "" with no attempts. */
char *ui_fmt_trail(char *out, size_t n, const struct request_rec *r, bool utf8);
/* The trail in at most cols columns where it can: the full one when it fits, else each
 * deployment by its provider name only (the id up to its '/': "zai/glm-4.6" is "zai"), else
 * without the attempt that served it ("cerebras 429 →": the log row names who served). The
 * caller still cuts what remains too long. */
char *ui_fmt_trail_fit(char *out, size_t n, const struct request_rec *r, bool utf8, int cols);
/* True when the request went through more than one attempt (a fallback or a retry). */
bool ui_rec_has_trail(const struct request_rec *r);
/* Case-insensitive substring filter over model, group, providers, status and client API.
 * An empty or NULL filter matches everything. */
bool ui_rec_matches(const struct request_rec *r, const char *filter);
/* One log row with fixed columns (see ui_fmt_log_header) for a pane width columns wide: time,
 * client API (only from UI_LOG_WIDE columns), model, provider (by name only when narrower),
 * status, latency, TTFT, tokens in/out, then the trail when there was a fallback, fitted to
 * what is left of width (ui_fmt_trail_fit). */
#define UI_LOG_WIDE 100
char *ui_fmt_log_row(char *out, size_t n, const struct request_rec *r, bool utf8, int width);
char *ui_fmt_log_header(char *out, size_t n, int width);

/* How a card names a deployment: its provider and the model that actually serves, "cerebras
 * gpt-oss-120b", "zai glm-5.2" (the group heading above says which name clients use). */
char *ui_fmt_dep_label(char *out, size_t n, const struct dep_snapshot *d);

/* The state badge of a deployment, words as router_status_name gives them: "READY",
 * "COOLDOWN 00:23", "DISABLED", "NO KEY", "AUTH FAILED 00:59", ... A timed state shows its
 * countdown from remaining_ms; which variable a NO KEY lacks is the card's reason line.
 * forced is the snapshot's force_fallback: a primary that would be READY is then "BYPASSED",
 * since requests skip it. */
char *ui_fmt_badge(char *out, size_t n, const struct dep_snapshot *d, bool forced);
enum ui_tone ui_badge_tone(const struct dep_snapshot *d, bool forced);
/* True when forced fallback makes requests skip d although it is otherwise ready. */
bool ui_dep_bypassed(const struct dep_snapshot *d, bool forced);
/* p50/p95 of a deployment's timings as "95ms/210ms"; "-" until it has answered (n_ok == 0),
 * since the core reports 0 for no samples. */
char *ui_fmt_p50_p95(char *out, size_t n, const struct dep_snapshot *d, double p50, double p95);
/* Today's requests to d by every instance sharing the limits through Redis (its UTC day; the
 * instances that have left since count too), for a card: "today 37 (all instances)" when that
 * fits in cols columns, else "today 37 (all)", else "". Also "" when the limits are not shared
 * now or the count is not known yet (shared_today < 0): a local count must never pass for it. */
char *ui_fmt_shared_today(char *out, size_t n, const struct snap_shared *sh,
                          const struct dep_snapshot *d, int cols);
/* The status a deployment shows: DEP_DISABLED whenever it is switched off. */
enum dep_status ui_dep_status(const struct dep_snapshot *d);

/* Display width helpers for UTF-8 text whose characters are one column wide: the number of
 * columns of s, and how many bytes of s fit in cols columns without splitting a character. */
int ui_utf8_width(const char *s);
size_t ui_utf8_prefix(const char *s, int cols);

#endif
