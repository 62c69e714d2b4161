/* civet_opts: the shared civetweb server options (see civet_opts.h). */
#include "front/civet_opts.h"

#include <stdio.h>
#include <string.h>

void civet_opts_init(struct civet_opts *o, const char *host, int port, int threads,
                     bool close_at_once)
{
    snprintf(o->listen, sizeof o->listen, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
    snprintf(o->threads, sizeof o->threads, "%d", threads);
    const char *opts[] = {
        "listening_ports",
        o->listen,
        "num_threads",
        o->threads,
        "enable_keep_alive",
        "yes",
        "keep_alive_timeout_ms",
        "5000",
        "request_timeout_ms",
        "60000",
        "tcp_nodelay",
        "1",
        /* civetweb answers CORS preflights itself by default, before any handler, allowing
         * every origin and echoing the requested headers. Off: no Access-Control-* header
         * is ever sent, and OPTIONS reaches the handler (the front's guard refuses it). */
        "access_control_allow_origin",
        "",
        "access_control_allow_methods",
        "",
        "access_control_allow_headers",
        "",
    };
    size_t n = 0;
    for (; n < sizeof opts / sizeof opts[0]; n++)
        o->v[n] = opts[n];
    if (close_at_once) {
        o->v[n++] = "linger_timeout_ms";
        o->v[n++] = "0";
    }
    o->v[n] = NULL;
}
