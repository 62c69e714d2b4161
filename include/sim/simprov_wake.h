/* simprov_wake: pokes a listening socket with empty connections while a server shuts down.
 * civetweb's accept loop only checks its stop flag between 2-second polls; a connection wakes
 * it at once. libc and pthreads only. */
#ifndef SB_SIMPROV_WAKE_H
#define SB_SIMPROV_WAKE_H

struct simprov_wake;

/* Starts connecting to host:port (IPv4 or IPv6 literal; a wildcard address means loopback)
 * every few milliseconds. Returns NULL if no thread could be started (stopping just takes
 * longer then). */
struct simprov_wake *simprov_wake_start(const char *host, int port);
/* Stops the poking and frees everything. NULL is a no-op. */
void simprov_wake_stop(struct simprov_wake *w);

#endif
