/* headless: the view without a screen. Prints one line per finished request and one per
 * provider state change (from snapshots), until the app stops. */
#ifndef SB_HEADLESS_H
#define SB_HEADLESS_H

#include <stdio.h>

#include "route/state.h"

struct app;

/* Runs until app->stop. Lines go to out. */
int headless_run(struct app *app, FILE *out);
/* Formats one request line (no newline) into line. */
void headless_format_request(const struct request_rec *r, char *line, size_t len);

#endif
