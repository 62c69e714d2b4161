/* lineup: the per-deployment record of what its provider offers (see lineup.h). Pure. */
#include "route/lineup.h"

#include <stdio.h>
#include <string.h>

bool lineup_offer_add(struct lineup_offer *o, const char *model, long context)
{
    size_t n = model ? strlen(model) : 0;
    if (n == 0 || n >= LINEUP_MODEL_LEN || o->n >= LINEUP_MAX_MODELS)
        return false;
    memcpy(o->models[o->n], model, n + 1);
    o->context[o->n] = context > 0 ? context : 0;
    o->n++;
    return true;
}

int lineup_offer_find(const struct lineup_offer *o, const char *model)
{
    for (int i = 0; model && i < o->n; i++)
        if (strcmp(o->models[i], model) == 0)
            return i;
    return -1;
}

void lineup_apply(struct dep_lineup *d, const char *model, const struct lineup_offer *o,
                  int64_t wall_ms)
{
    int at = lineup_offer_find(o, model);
    bool was_gone = lineup_is_gone(d);
    d->offer = *o;
    d->checked_wall_ms = wall_ms;
    d->error[0] = '\0';
    d->context = at >= 0 ? o->context[at] : 0;
    if (at >= 0) {
        d->verdict = LINEUP_OFFERED;
        d->refused = false; /* listed again: worth one more try */
    } else {
        d->verdict = o->complete ? LINEUP_GONE : LINEUP_NOT_LISTED;
    }
    if (!lineup_is_gone(d))
        d->gone_wall_ms = 0;
    else if (!was_gone)
        d->gone_wall_ms = wall_ms;
}

void lineup_failed(struct dep_lineup *d, const char *why)
{
    snprintf(d->error, sizeof d->error, "%s", why && *why ? why : "failed");
}

void lineup_refused(struct dep_lineup *d, int64_t wall_ms)
{
    if (!lineup_is_gone(d))
        d->gone_wall_ms = wall_ms;
    d->refused = true;
}

void lineup_forget_refusal(struct dep_lineup *d)
{
    d->refused = false;
    if (!lineup_is_gone(d))
        d->gone_wall_ms = 0;
}

bool lineup_is_gone(const struct dep_lineup *d)
{
    return d->verdict == LINEUP_GONE || d->refused;
}

void lineup_offered_text(const struct dep_lineup *d, char *out, size_t n)
{
    size_t len = 0;
    if (n == 0)
        return;
    out[0] = '\0';
    for (int i = 0; i < d->offer.n && len + 1 < n; i++) {
        int k = snprintf(out + len, n - len, "%s%s", i ? ", " : "", d->offer.models[i]);
        if (k < 0)
            break;
        len += (size_t)k;
    }
    if (len >= n)
        out[n - 1] = '\0';
}

void lineup_reason(const struct dep_lineup *d, const char *model, char *out, size_t n)
{
    char offered[LINEUP_MAX_MODELS * 24];
    if (n == 0)
        return;
    lineup_offered_text(d, offered, sizeof offered);
    const char *what =
        d->verdict == LINEUP_GONE ? "is not offered" : "no longer exists at the provider";
    if (offered[0])
        snprintf(out, n, "%s %s; offered: %s", model ? model : "the model", what, offered);
    else
        snprintf(out, n, "%s %s", model ? model : "the model", what);
}
