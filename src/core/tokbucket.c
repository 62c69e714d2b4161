/* tokbucket: continuous-refill bucket arithmetic shared by the router's provider model and the
 * simulated providers. Levels are doubles so that a refill of a fraction of a unit per
 * millisecond accumulates exactly enough; times are monotonic milliseconds. */
#include "core/tokbucket.h"

#include <math.h>

/* Refill sums many tiny fractions: a level within this of n counts as n. */
#define TB_EPS 1e-6

void tb_init(struct tokbucket *b, double limit, int64_t window_ms, int64_t now)
{
    b->limit = limit > 0 ? limit : 0;
    b->window_ms = window_ms > 0 ? window_ms : TB_MINUTE_MS;
    b->level = b->limit;
    b->at = now;
}

bool tb_present(const struct tokbucket *b)
{
    return b->limit > 0;
}

/* Units per millisecond. */
static double rate(const struct tokbucket *b)
{
    return b->limit / (double)b->window_ms;
}

double tb_level(const struct tokbucket *b, int64_t now)
{
    if (!tb_present(b))
        return 0;
    double lv = b->level;
    if (now > b->at)
        lv += (double)(now - b->at) * rate(b);
    return lv < b->limit ? lv : b->limit;
}

/* Brings the stored level forward to now (a time before the last update changes nothing:
 * callers on other threads may pass slightly older clocks). */
static void advance(struct tokbucket *b, int64_t now)
{
    if (now <= b->at)
        return;
    b->level = tb_level(b, now);
    b->at = now;
}

void tb_take(struct tokbucket *b, int64_t now, double n)
{
    if (!tb_present(b) || !(n > 0))
        return;
    advance(b, now);
    b->level -= n;
    if (b->level < -b->limit)
        b->level = -b->limit; /* a runaway booking must not shut the bucket for days */
}

void tb_give(struct tokbucket *b, int64_t now, double n)
{
    if (!tb_present(b) || !(n > 0))
        return;
    advance(b, now);
    b->level += n;
    if (b->level > b->limit)
        b->level = b->limit;
}

void tb_set(struct tokbucket *b, int64_t now, double level)
{
    if (!tb_present(b) || isnan(level))
        return;
    if (level > b->limit)
        level = b->limit;
    if (level < -b->limit)
        level = -b->limit;
    b->level = level;
    b->at = now > b->at ? now : b->at;
}

void tb_set_limit(struct tokbucket *b, int64_t now, double limit)
{
    if (!(limit > 0)) {
        tb_init(b, 0, b->window_ms, now);
        return;
    }
    if (!tb_present(b)) {
        tb_init(b, limit, b->window_ms, now);
        return;
    }
    advance(b, now);
    double used = b->limit - b->level;
    b->limit = limit;
    b->level = limit - used;
    if (b->level > limit)
        b->level = limit;
}

bool tb_fits(const struct tokbucket *b, int64_t now, double n)
{
    return !tb_present(b) || tb_level(b, now) >= n - TB_EPS;
}

int64_t tb_when(const struct tokbucket *b, int64_t now, double n)
{
    if (!tb_present(b))
        return now;
    if (n > b->limit)
        return TB_NEVER;
    double lv = tb_level(b, now);
    if (lv >= n - TB_EPS)
        return now;
    double ms = floor((n - lv) / rate(b));
    if (ms > (double)(TB_NEVER - now - 2))
        return TB_NEVER;
    int64_t t = now + (int64_t)ms;
    /* the first whole millisecond at which it fits */
    while (!tb_fits(b, t, n))
        t++;
    return t;
}

double tb_reset_s(const struct tokbucket *b, int64_t now)
{
    if (!tb_present(b))
        return 0;
    double lv = tb_level(b, now);
    if (lv >= b->limit)
        return (double)b->window_ms / 1000.0;
    double next = floor(lv) + 1;
    if (next > b->limit)
        next = b->limit;
    return (next - lv) / rate(b) / 1000.0;
}
