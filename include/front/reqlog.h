/* reqlog: the request log file, one JSON object per line with the full attempt trail. Never
 * request bodies unless asked, never keys. Thread-safe. Each line reaches the file in one
 * write(2), unbuffered, before the request's last bytes go to its client: a process that dies
 * loses no finished request, at most tears the line being written (the next open ends it with
 * a newline). The file is created 0600. */
#ifndef SB_REQLOG_H
#define SB_REQLOG_H

#include <stdbool.h>

#include "route/state.h"

struct reqlog;

/* Opens path for appending, creating it (and its directory, 0700) with mode 0600 whatever
 * the umask; an existing file readable by others is made 0600. note (note_len bytes) gets a
 * sentence for the user when the file's mode was changed or could not be, else "". NULL with
 * errno set on failure. Lines are JSON with every control byte escaped. */
struct reqlog *reqlog_open(const char *path, char *note, size_t note_len);
void reqlog_close(struct reqlog *l);
/* Appends one line for a finished request. */
void reqlog_write(struct reqlog *l, const struct request_rec *rec);
/* Appends one line for an event ("cooldown started", "config reloaded"): {"ts","event","msg"}. */
void reqlog_event(struct reqlog *l, const char *event, const char *msg);
/* Formats a request as JSON (the same object reqlog_write writes). Caller frees. */
char *reqlog_format(const struct request_rec *rec);

/* --log-bodies: bodies are cut to this many bytes each (at a UTF-8 boundary, invalid bytes
 * replaced), and a cut body is marked "request_body_truncated" / "response_body_truncated". */
#define REQLOG_BODY_MAX (64u << 10)
/* Like reqlog_write, with "request_body" (the client's request) and "response_body" (the last
 * provider answer, or error body, as received); either may be NULL. Headers are never logged. */
void reqlog_write_bodies(struct reqlog *l, const struct request_rec *rec, const char *request,
                         size_t request_len, const char *response, size_t response_len);

#endif
