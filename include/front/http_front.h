/* http_front: the civetweb server: listening, routing paths to handlers, Origin/Host and
 * master-key checks. Responses are written through http_reply. */
#ifndef SB_HTTP_FRONT_H
#define SB_HTTP_FRONT_H

#include <stdbool.h>

struct front_env;
struct http_front;

#define HTTP_ERR_LEN 256

/* Starts listening on host:port (taking the next free port when it is in use, if allowed).
 * The bound port is stored in env->port and the URL clients use (http://host:port, IPv6 in
 * brackets) in env->url, both before the first request is served; every other field of env
 * must be set before the call. env must outlive the front. NULL with err on failure. */
struct http_front *http_front_start(struct front_env *env, const char *host, int port, int threads,
                                    bool any_port, char err[HTTP_ERR_LEN]);
/* Stops accepting and waits for the handlers to return. NULL is a no-op. */
void http_front_stop(struct http_front *f);

#endif
