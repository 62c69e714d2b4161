/* civet_opts: the civetweb options every server switchboard starts shares (the HTTP front and
 * the simulated providers): where to listen, how many workers, keep-alive and the request
 * timeout. One place, so the two servers cannot drift apart. No state; thread-safe. */
#ifndef SB_CIVET_OPTS_H
#define SB_CIVET_OPTS_H

#include <stdbool.h>

struct civet_opts {
    char listen[128]; /* "host:port", "[v6]:port" */
    char threads[16];
    const char *v[23]; /* name, value, ..., NULL: mg_init_data.configuration_options */
};

/* Fills o for host:port with threads workers. close_at_once: closing a connection drops what
 * is unsent instead of lingering (the front, whose clients have their answers by then). */
void civet_opts_init(struct civet_opts *o, const char *host, int port, int threads,
                     bool close_at_once);

#endif
