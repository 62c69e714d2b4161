/* ratelimit: turns provider rate-limit response headers into numbers (seconds, counts).
 * Pure string parsing; knows nothing about routing or HTTP libraries. */
#include "core/ratelimit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A reset or retry time beyond this is not believable; the router caps it further. */
#define RL_MAX_SECONDS (366.0 * 86400.0)

void ratelimit_init(struct ratelimit_info *rl)
{
    rl->retry_after_s = -1;
    rl->reset_requests_minute_s = -1;
    rl->reset_tokens_minute_s = -1;
    rl->reset_requests_day_s = -1;
    rl->reset_tokens_day_s = -1;
    rl->remaining_requests_minute = -1;
    rl->remaining_tokens_minute = -1;
    rl->remaining_requests_day = -1;
    rl->remaining_tokens_day = -1;
    rl->limit_requests_minute = -1;
    rl->limit_tokens_minute = -1;
    rl->limit_requests_day = -1;
    rl->limit_tokens_day = -1;
    rl->reset_requests_hour_s = -1;
    rl->reset_tokens_hour_s = -1;
    rl->remaining_requests_hour = -1;
    rl->remaining_tokens_hour = -1;
    rl->limit_requests_hour = -1;
    rl->limit_tokens_hour = -1;
}

/* Copies value without surrounding blanks into out (truncating); false if nothing is left. */
static bool trimmed(const char *value, char *out, size_t cap)
{
    if (!value)
        return false;
    while (*value == ' ' || *value == '\t')
        value++;
    size_t n = strlen(value);
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t' || value[n - 1] == '\r' ||
                     value[n - 1] == '\n'))
        n--;
    if (n == 0 || n >= cap)
        return false;
    memcpy(out, value, n);
    out[n] = '\0';
    return true;
}

/* A plain non-negative decimal number filling the whole string. */
static bool parse_number(const char *s, double *out)
{
    char *end = NULL;
    size_t digits = strspn(s, "0123456789.");
    if (digits == 0 || s[digits] != '\0' || strchr(s, '.') != strrchr(s, '.'))
        return false;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v) || v < 0)
        return false;
    *out = v;
    return true;
}

/* Go-style duration as OpenAI sends it: "6m0s", "1.5s", "20ms", "1h2m3s". Also a bare
 * number, read as seconds (Cerebras). */
static bool parse_duration(const char *s, double *out)
{
    if (parse_number(s, out))
        return true;
    double total = 0;
    const char *p = s;
    while (*p) {
        char num[32];
        double v;
        size_t n = strspn(p, "0123456789.");
        if (n == 0 || n >= sizeof num)
            return false;
        memcpy(num, p, n);
        num[n] = '\0';
        if (!parse_number(num, &v))
            return false;
        p += n;
        if (strncmp(p, "ms", 2) == 0) {
            total += v / 1000.0;
            p += 2;
        } else if (*p == 'h') {
            total += v * 3600.0;
            p++;
        } else if (*p == 'm') {
            total += v * 60.0;
            p++;
        } else if (*p == 's') {
            total += v;
            p++;
        } else {
            return false;
        }
    }
    if (total > RL_MAX_SECONDS)
        return false;
    *out = total;
    return true;
}

static int month_index(const char *m)
{
    static const char names[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; i++)
        if (strncasecmp(m, names[i], 3) == 0)
            return i;
    return -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (month 0-11). */
static long days_from_civil(long y, int m, int d)
{
    y -= m < 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long mp = (m + 10) % 12; /* March = 0 */
    long doy = (153 * mp + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* IMF-fixdate, "Wed, 21 Oct 2026 07:28:00 GMT". Parsed by hand because strptime's %a/%b
 * follow the process locale, which the dashboard changes. */
static bool parse_http_date(const char *s, double *unix_s)
{
    const char *comma = strchr(s, ',');
    if (comma)
        s = comma + 1;
    int d, y, hh, mm, ss, used = 0;
    char mon[4] = {0};
    if (sscanf(s, " %2d %3s %4d %2d:%2d:%2d GMT%n", &d, mon, &y, &hh, &mm, &ss, &used) != 6 ||
        used == 0 || s[used] != '\0')
        return false;
    int m = month_index(mon);
    if (m < 0 || d < 1 || d > 31 || y < 1970 || hh > 23 || mm > 59 || ss > 60)
        return false;
    *unix_s = (double)days_from_civil(y, m, d) * 86400.0 + hh * 3600.0 + mm * 60.0 + ss;
    return true;
}

static void set_retry_after(struct ratelimit_info *rl, const char *v, double now_wall_s)
{
    double s;
    if (parse_number(v, &s)) {
        if (s <= RL_MAX_SECONDS)
            rl->retry_after_s = s;
        return;
    }
    if (parse_http_date(v, &s)) {
        double delta = s - now_wall_s;
        if (delta < 0)
            delta = 0;
        if (delta <= RL_MAX_SECONDS)
            rl->retry_after_s = delta;
    }
}

/* The three fields of one bucket: limit, remaining, reset. */
static void bucket_fields(struct ratelimit_info *rl, enum rl_kind k, enum rl_window w, double **f)
{
    double *tab[RL_NKINDS][RL_NWINDOWS][3] = {
        {{&rl->limit_requests_minute, &rl->remaining_requests_minute, &rl->reset_requests_minute_s},
         {&rl->limit_requests_hour, &rl->remaining_requests_hour, &rl->reset_requests_hour_s},
         {&rl->limit_requests_day, &rl->remaining_requests_day, &rl->reset_requests_day_s}},
        {{&rl->limit_tokens_minute, &rl->remaining_tokens_minute, &rl->reset_tokens_minute_s},
         {&rl->limit_tokens_hour, &rl->remaining_tokens_hour, &rl->reset_tokens_hour_s},
         {&rl->limit_tokens_day, &rl->remaining_tokens_day, &rl->reset_tokens_day_s}},
    };
    for (int i = 0; i < 3; i++)
        f[i] = tab[k][w][i];
}

/* Field for "{limit,remaining,reset}-{requests,tokens}[-{minute,hour,day}]", or NULL. */
static double *rl_field(struct ratelimit_info *rl, const char *rest, bool *is_reset)
{
    static const char *kinds[] = {"limit-", "remaining-", "reset-"};
    int k;
    for (k = 0; k < 3; k++)
        if (strncasecmp(rest, kinds[k], strlen(kinds[k])) == 0)
            break;
    if (k == 3)
        return NULL;
    rest += strlen(kinds[k]);
    bool tokens;
    if (strncasecmp(rest, "requests", 8) == 0)
        tokens = false;
    else if (strncasecmp(rest, "tokens", 6) == 0)
        tokens = true;
    else
        return NULL;
    rest += tokens ? 6 : 8;
    enum rl_window w;
    if (*rest == '\0' || strcasecmp(rest, "-minute") == 0)
        w = RL_MINUTE; /* OpenAI's unsuffixed names describe the minute window */
    else if (strcasecmp(rest, "-hour") == 0)
        w = RL_HOUR;
    else if (strcasecmp(rest, "-day") == 0)
        w = RL_DAY;
    else
        return NULL;
    *is_reset = k == 2;
    double *f[3];
    bucket_fields(rl, tokens ? RL_TOKENS : RL_REQUESTS, w, f);
    return f[k];
}

bool ratelimit_header(struct ratelimit_info *rl, const char *name, const char *value,
                      double now_wall_s)
{
    char v[128];
    if (!rl || !name)
        return false;
    bool have = trimmed(value, v, sizeof v);
    if (strcasecmp(name, "retry-after") == 0) {
        /* retry-after-ms is more precise; when both arrive it wins whatever the order */
        if (have && rl->retry_after_s < 0)
            set_retry_after(rl, v, now_wall_s);
        return true;
    }
    if (strcasecmp(name, "retry-after-ms") == 0) {
        double ms;
        if (have && parse_number(v, &ms) && ms / 1000.0 <= RL_MAX_SECONDS)
            rl->retry_after_s = ms / 1000.0;
        return true;
    }
    if (strncasecmp(name, "x-ratelimit-", 12) != 0)
        return false;
    bool is_reset = false;
    double *f = rl_field(rl, name + 12, &is_reset);
    if (!f)
        return false;
    double x;
    if (have && (is_reset ? parse_duration(v, &x) : parse_number(v, &x)))
        *f = x;
    return true;
}

void ratelimit_bucket(const struct ratelimit_info *rl, enum rl_kind k, enum rl_window w,
                      struct rl_bucket *out)
{
    *out = (struct rl_bucket){-1, -1, -1};
    if (!rl || (unsigned)k >= RL_NKINDS || (unsigned)w >= RL_NWINDOWS)
        return;
    struct ratelimit_info copy = *rl;
    double *f[3];
    bucket_fields(&copy, k, w, f);
    out->limit = *f[0];
    out->remaining = *f[1];
    out->reset_s = *f[2];
}

double ratelimit_window_s(enum rl_window w)
{
    static const double secs[RL_NWINDOWS] = {60.0, 3600.0, 86400.0};
    return (unsigned)w < RL_NWINDOWS ? secs[w] : 60.0;
}

const char *ratelimit_window_name(enum rl_window w)
{
    static const char *const names[RL_NWINDOWS] = {"minute", "hour", "day"};
    return (unsigned)w < RL_NWINDOWS ? names[w] : "?";
}

static bool has_word(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; p && *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

/* Source: the 429 bodies in protocol.md §4 ("Requests per minute limit exceeded - too many
 * requests sent.", "Tokens per day limit exceeded - too many tokens processed."). */
int ratelimit_window_in_text(const char *msg)
{
    if (!msg)
        return -1;
    if (has_word(msg, "per minute") || has_word(msg, "minute limit"))
        return RL_MINUTE;
    if (has_word(msg, "per hour") || has_word(msg, "hour limit") || has_word(msg, "hourly"))
        return RL_HOUR;
    if (has_word(msg, "per day") || has_word(msg, "day limit") || has_word(msg, "daily"))
        return RL_DAY;
    return -1;
}

/* Z.AI quotes the reset in Beijing time: "Usage limit reached for 5 hour. Your limit will
 * reset at 2026-09-09 05:38:28" (hugalafutro/model-hotel PR #955, 1308) and "[1310][Weekly/
 * Monthly Limit Exhausted. Your limit will reset at 2026-07-14 07:49:08]" (Yeachan-Heo/
 * gajae-code #1821); docs.z.ai/api-reference/api-code documents the wording. */
#define BEIJING_UTC_OFFSET_S (8 * 3600)

bool ratelimit_reset_at(const char *text, double *unix_s)
{
    const char *p = NULL;
    for (const char *q = text; q && *q; q++)
        if (strncasecmp(q, "reset at ", 9) == 0) {
            p = q + 9;
            break;
        }
    if (!p)
        return false;
    int y, mo, d, hh, mm, ss, used = 0;
    if (sscanf(p, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &hh, &mm, &ss, &used) != 6 || used < 19)
        return false;
    if (y < 2000 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 ||
        ss > 60 || hh < 0 || mm < 0 || ss < 0)
        return false;
    double t = (double)days_from_civil(y, mo - 1, d) * 86400.0 + hh * 3600.0 + mm * 60.0 + ss;
    *unix_s = t - BEIJING_UTC_OFFSET_S;
    return true;
}
