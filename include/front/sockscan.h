/* sockscan: finds the descriptor of an accepted TCP connection from its addresses, for
 * servers (civetweb) that do not expose their sockets, so a handler can watch its client for
 * a hang-up. Knows nothing of HTTP. Thread-safe. */
#ifndef SB_SOCKSCAN_H
#define SB_SOCKSCAN_H

#include <stdbool.h>

/* The descriptor whose local end is local_port and whose peer is remote_port (and
 * remote_addr in inet_ntop form, unless NULL), or -1. A lookup costs two syscalls when the
 * connection has been seen by an earlier scan of /proc/self/fd, else one scan, which records
 * every connection of the process at once. */
int sockscan_find(int local_port, const char *remote_addr, int remote_port);

/* The peer of fd has gone: the socket reads EOF or has an error. Data waiting without EOF (a
 * pipelined request) is not a hang-up. Never blocks; fd < 0: false. */
bool sockscan_peer_gone(int fd);

#endif
