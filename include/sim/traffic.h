/* traffic: the demo's load generator. Sends a paced mix of requests like Claude Code's
 * (streaming Anthropic turns, tool calls and results, bursts of parallel sub-agents, a few
 * OpenAI clients and background haiku calls) to a running switchboard over loopback, so
 * that rate limits, fallback and recovery show up on the dashboard within a minute. */
#ifndef SB_TRAFFIC_H
#define SB_TRAFFIC_H

#include <stdbool.h>

struct traffic_stats {
    long sent;
    long ok;     /* 2xx */
    long failed; /* any other status, or a transport error */
};

struct traffic;

/* Starts the generator thread against url (copied); master_key may be NULL. Sending starts
 * at once. NULL when the thread cannot start. */
struct traffic *traffic_start(const char *url, const char *master_key);
/* Stops sending and joins every thread; requests in flight are aborted. Frees t (NULL ok). */
void traffic_stop(struct traffic *t);
/* Pauses or resumes sending; the threads stay. Thread-safe. */
void traffic_set_on(struct traffic *t, bool on);
bool traffic_is_on(const struct traffic *t);
void traffic_get_stats(const struct traffic *t, struct traffic_stats *out);

#endif
