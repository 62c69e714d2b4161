/* check_online: discovery once, reported per deployment (see check_online.h). */
#include "app/check_online.h"

#include <stdlib.h>
#include <string.h>

#include "config/cfgedit.h"
#include "route/lineup.h"
#include "xlate/provider_rules.h"

/* The model to suggest instead: the first offered one switchboard has a row for (a family it
 * knows the quirks of), else the first offered. */
static const char *suggestion(const struct deployment_cfg *d, const struct lineup_offer *o)
{
    for (int i = 0; i < o->n; i++)
        if (provider_rules_for(d->kind, o->models[i])->model_prefix[0])
            return o->models[i];
    return o->n > 0 ? o->models[0] : NULL;
}

static void offered_list(const struct lineup_offer *o, FILE *out)
{
    fprintf(out, "      offered:");
    for (int i = 0; i < o->n; i++) {
        fprintf(out, "%s %s", i ? "," : "", o->models[i]);
        if (o->context[i] > 0)
            fprintf(out, " (%ld-token context)", o->context[i]);
    }
    fprintf(out, "%s\n", o->n ? "" : " nothing");
}

/* The gone verdict: why, what is offered, the line to write. */
static void report_gone(const struct config *cfg, const struct deployment_cfg *d,
                        const struct lineup_offer *o, bool primary, FILE *out)
{
    fprintf(out, "GONE: the provider does not offer it to this key%s\n",
            primary ? " (a primary: its requests all go to the fallback)" : "");
    offered_list(o, out);
    const char *s = suggestion(d, o);
    if (s) {
        char line[256];
        cfgedit_model_line(d, s, line, sizeof line);
        fprintf(out, "      write at %s:%d:  %s\n", cfg->path,
                d->model_line ? d->model_line : d->line, line);
    }
}

/* One deployment's verdict; true when its model is gone. */
static bool report_one(const struct config *cfg, const struct deployment_cfg *d,
                       const struct discovery_answer *a, FILE *out)
{
    fprintf(out, "  %-16s %-20s %s: ", d->group, d->id, d->model);
    if (a->res == DISCOVERY_NO_KEY) {
        fprintf(out, "not checked (no key%s%s)\n", d->api_key_env ? ": set " : "",
                d->api_key_env ? d->api_key_env : "");
        return false;
    }
    if (a->res != DISCOVERY_OK) {
        fprintf(out, "unknown (%s: %s)\n", discovery_result_name(a->res), a->err);
        return false;
    }
    struct dep_lineup l = {0};
    lineup_apply(&l, d->model, &a->offer, 1);
    if (l.verdict == LINEUP_GONE) {
        report_gone(cfg, d, &a->offer, config_group_has_fallbacks(cfg, d->group), out);
        return true;
    }
    if (l.verdict == LINEUP_NOT_LISTED) {
        fprintf(out, "not listed (this provider's list can miss models a plan grants; it "
                     "stays in use until traffic says it does not exist)\n");
        offered_list(&a->offer, out);
        return false;
    }
    fprintf(out, "offered");
    if (l.context > 0)
        fprintf(out, " (%ld-token context)", l.context);
    fputc('\n', out);
    return false;
}

int check_online_report(const struct config *cfg, const struct discovery_answer *ans, FILE *out)
{
    int rc = 0;
    fprintf(out, "online: asked each provider which models its key may use (no quota spent)\n");
    for (size_t i = 0; i < cfg->n_deps; i++)
        if (report_one(cfg, &cfg->deps[i], &ans[i], out) &&
            config_group_has_fallbacks(cfg, cfg->deps[i].group))
            rc = 1;
    if (rc)
        fprintf(out, "a primary deployment's model is gone: fix the lines above (or press m on "
                     "its card in the dashboard)\n");
    return rc;
}

int check_online(const struct config *cfg, FILE *out)
{
    struct discovery_answer *ans = calloc(cfg->n_deps ? cfg->n_deps : 1, sizeof *ans);
    if (!ans) {
        fprintf(out, "online: out of memory\n");
        return 1;
    }
    discovery_round(cfg, NULL, ans);
    int rc = check_online_report(cfg, ans, out);
    free(ans);
    return rc;
}
