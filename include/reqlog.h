/* reqlog: the request log file, one JSON object per line with the full attempt trail. Never
 * request bodies unless asked, never keys. Thread-safe (one write per line). */
#ifndef SB_REQLOG_H
#define SB_REQLOG_H

#include <stdbool.h>

#include "state.h"

struct reqlog;

/* Opens path for appending (creating its directory). NULL with errno set on failure. */
struct reqlog *reqlog_open(const char *path);
void reqlog_close(struct reqlog *l);
/* Appends one line for a finished request. */
void reqlog_write(struct reqlog *l, const struct request_rec *rec);
/* Appends one line for an event ("cooldown started", "config reloaded"): {"ts","event","msg"}. */
void reqlog_event(struct reqlog *l, const char *event, const char *msg);
/* Formats a request as JSON (the same object reqlog_write writes). Caller frees. */
char *reqlog_format(const struct request_rec *rec);

#endif
