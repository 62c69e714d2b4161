/* xstream: turns a provider's streamed answer (raw SSE bytes, in the provider's dialect) into
 * the stream the client expects (SSE in the client's dialect), as a state machine. Covers all
 * four pairs: OpenAI->Anthropic (Cerebras to Claude Code), Anthropic->OpenAI (Z.AI to OpenAI
 * clients) and the two same-dialect paths (which normalise and extract usage). Pure: no I/O.
 * Not thread-safe; one owner per stream. */
#ifndef SB_XSTREAM_H
#define SB_XSTREAM_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/api.h"
#include "core/buf.h"
#include "core/errmap.h"

struct xstream_opts {
    enum api from; /* provider dialect */
    enum api to;   /* client dialect */
    enum provider_kind provider;
    const char *model;         /* model name the client asked for; shown in the client's stream */
    bool include_usage;        /* OpenAI client asked stream_options.include_usage */
    long input_tokens_hint;    /* local estimate for message_start before real usage arrives */
    size_t max_event_bytes;    /* cap per upstream event (0 = 4 MiB) */
    const cJSON *client_tools; /* OpenAI->Anthropic: the client's tools (borrowed, outlives
                                  the stream), to give shortened names back (xlate.h) */
    bool json_tool;            /* Anthropic->OpenAI: the request carried response_format as
                                  XLATE_JSON_TOOL (xlate.h); its call streams as message text */
    bool drop_reasoning;       /* OpenAI->Anthropic: the client asked for no thinking, so the
                                  model's reasoning (gpt-oss always reasons) is not passed on */
};

struct xstream_stats {
    long tokens_in; /* whole prompt (cached parts included) from upstream usage, else the hint */
    long tokens_cached; /* of tokens_in, what the provider read from its prompt cache */
    long tokens_out;
    bool got_usage;
    bool started;              /* something was produced for the client */
    bool finished;             /* upstream ended properly (finish_reason / message_stop / [DONE]) */
    bool upstream_error;       /* the provider sent an error inside the stream */
    struct upstream_error err; /* that error, classified */
    char stop_reason[32];      /* in the client's vocabulary */
};

struct xstream;

/* NULL on OOM. opts->model is copied. */
struct xstream *xstream_new(const struct xstream_opts *opts);
void xstream_free(struct xstream *x);
/* Feeds raw upstream bytes (split anywhere); appends client-ready SSE bytes to out.
 * Returns 0, -E2BIG (event too large), -EPROTO (invalid stream), -ENOMEM. After an error the
 * caller either falls back (nothing sent yet) or calls xstream_fail. */
int xstream_feed(struct xstream *x, const char *bytes, size_t n, struct buf *out);
/* Upstream closed. Appends whatever ends the client's stream properly. Returns 0 when the
 * upstream stream was complete, -EPROTO when it was cut short (then an error event in the
 * client's format has been appended instead of a fake success, unless nothing had been sent
 * to the client yet: then nothing is appended, so the caller can still fall back).
 * Once the client's stream has ended (proper end or error event), later feed/finish calls
 * append nothing and return 0 or the error, and xstream_fail appends nothing. */
int xstream_finish(struct xstream *x, struct buf *out);
/* Ends the client's stream with an error event in its dialect (after the first byte, errors
 * can only be reported inside the stream). status picks the error type. */
int xstream_fail(struct xstream *x, int status, const char *message, struct buf *out);
void xstream_get_stats(const struct xstream *x, struct xstream_stats *st);
/* For reproducible output in tests: ids come from a generator seeded with seed instead of the
 * OS, and OpenAI `created` is fixed at 1700000000. Call right after xstream_new. */
void xstream_seed(struct xstream *x, unsigned long long seed);

#endif
