/* admin: the read-mostly HTTP endpoints beside the proxy: the admin API (state snapshot and
 * the same overrides the dashboard has), the model list and Prometheus metrics. */
#ifndef SB_ADMIN_H
#define SB_ADMIN_H

struct front_env;
struct mg_connection;

/* /admin/... : GET /admin/state, POST /admin/providers/{id}/enable|disable|reset,
 * POST /admin/fallback {"force":bool}, POST /admin/reload. Returns the status sent. */
int admin_serve(struct front_env *env, struct mg_connection *c, const char *path,
                const char *method);
/* GET /v1/models in OpenAI format (Anthropic format when anthropic-version is sent). */
int admin_models(struct front_env *env, struct mg_connection *c);
/* GET /metrics in Prometheus text format. */
int admin_metrics(struct front_env *env, struct mg_connection *c);

#endif
