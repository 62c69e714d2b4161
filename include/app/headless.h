/* headless: the view without a screen. Prints one line per finished request and one per
 * provider state change (from snapshots), until the app stops. */
#ifndef SB_HEADLESS_H
#define SB_HEADLESS_H

#include <signal.h>
#include <stdio.h>

#include "route/state.h"

struct reqlog;

/* Prints what st's snapshots show until *stop is set (by a signal or the main thread); state
 * changes also go to log when it is not NULL. Lines go to out. */
int headless_run(struct state *st, struct reqlog *log, const volatile sig_atomic_t *stop,
                 FILE *out);
/* Formats one request line (no newline) into line. */
void headless_format_request(const struct request_rec *r, char *line, size_t len);

#endif
