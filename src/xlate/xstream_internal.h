/* xstream_internal: the stream object and the helpers shared by the four translators
 * (xstream_o2a.c, xstream_a2o.c, xstream_pass.c). Not a public interface: only
 * src/xlate/xstream*.c and xlate_pair.c (which names each pair's ops) include it. Writers
 * append to x->out and keep the first error in x->werr (sticky), so a translator can write a
 * whole frame and check once; xstream.c rolls back a failed event. */
#ifndef SB_XSTREAM_INTERNAL_H
#define SB_XSTREAM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <cJSON.h>

#include "core/sse.h"
#include "xlate/xstream.h"

enum xstream_kind { XSK_TEXT = 1, XSK_THINK, XSK_TOOL, XSK_JSON };

/* Tracks whether a tool's argument bytes form a complete JSON object or array yet. */
struct xstream_jscan {
    int depth;
    bool in_str, esc, opened, complete, other;
};

/* One Anthropic content block to be, OpenAI->Anthropic. Blocks open in slot order; the
 * bytes of a slot that cannot open yet wait in pend. */
struct xstream_slot {
    enum xstream_kind kind;
    int oa_index; /* OpenAI tool_calls[].index */
    char *raw_id; /* upstream tool call id, NULL when none came */
    char *id;     /* tool_use id shown to the client */
    char *name;
    struct buf pend;
    struct xstream_jscan js;
    bool nonblank; /* a tool got argument bytes other than whitespace */
    int block;     /* Anthropic index once opened */
};

struct xstream_o2a {
    struct xstream_slot *slots;
    size_t n, cap;
    size_t nopen; /* slots [0, nopen) have been opened */
    int cur;      /* the open slot, -1 when none */
    int next_block;
    bool msg_started, any_tool, got_finish, refusal;
    char finish[32]; /* upstream finish_reason */
};

/* Anthropic block -> what was announced to the OpenAI client for it. */
struct xstream_ablock {
    enum xstream_kind kind;
    int k; /* tool_calls index */
    bool got_args;
};

struct xstream_a2o {
    struct xstream_ablock *blocks;
    size_t n;
    int next_tool;
    bool sent_role, got_stop_reason;
    struct buf prefix; /* constant start of every chunk, up to `"delta":` */
    /* json_tool: message text is held back until it is known whether the json tool gets
     * called; if it does, its input is the whole answer and the text is dropped */
    struct buf held_text;
    bool json_called;
};

struct xstream_pass {
    struct buf held;   /* frames kept back until the first real content (keeps fallback open) */
    long open_block;   /* a2a: index of the open block, -1 when none */
    bool open_is_tool; /* a2a: that block is a tool_use */
    bool got_finish;   /* finish_reason (o2o) / message_delta (a2a) seen */
    bool saw_tools;    /* o2o: tool calls went by */
};

struct xstream;

/* One translator: a pair of dialects (chosen by the pair table, xlate_pair.h). xstream.c parses
 * each upstream event once: empty events are skipped, data that is not a JSON object ends the
 * stream with -EPROTO, and OpenAI's `data: [DONE]` goes to done. */
struct xstream_ops {
    /* one event whose data is the JSON object j (owned by the caller; may be changed) */
    int (*event)(struct xstream *x, const struct sse_event *ev, cJSON *j);
    /* upstream's `data: [DONE]` (OpenAI streams); NULL: such data is invalid here */
    void (*done)(struct xstream *x);
    /* Upstream EOF: true when the stream was complete; writes what ends the client's stream. */
    bool (*eof)(struct xstream *x);
    /* Before an error frame: closes what the client's grammar needs closed. */
    void (*close)(struct xstream *x);
    void (*release)(struct xstream *x);
};

extern const struct xstream_ops xstream_o2a_ops;
extern const struct xstream_ops xstream_a2o_ops;
extern const struct xstream_ops xstream_o2o_ops;
extern const struct xstream_ops xstream_a2a_ops;

struct xstream {
    struct xstream_opts o;
    const struct xstream_ops *ops;
    char *model;
    struct sse_parser sse;
    struct xstream_stats st;
    struct buf *out;
    int werr;   /* first write error of the current call */
    bool ended; /* no more upstream input is taken; later calls return end_rc */
    int end_rc;
    bool client_done;   /* the client's stream got its last frame (proper end or error) */
    bool broken;        /* an event failed half-way: only an error frame is safe now */
    bool upstream_done; /* upstream's own end marker ([DONE] / message_stop) seen */
    uint64_t rng;
    long created;
    char id[48]; /* message / completion id, made on first use */
    /* usage in Anthropic terms: input excludes the cached parts */
    long u_in, u_cache_read, u_cache_create, u_out;
    size_t out_chars; /* content bytes produced, for an estimate when usage never comes */
    struct xstream_o2a oa;
    struct xstream_a2o ao;
    struct xstream_pass ps;
};

/* Sticky writers: no-ops once x->werr is set. */
void xstream_put(struct xstream *x, const char *s, size_t n);
void xstream_puts(struct xstream *x, const char *s);
void xstream_printf(struct xstream *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s[0..n) as a JSON string literal, quotes included. */
void xstream_jstr(struct xstream *x, const char *s, size_t n);
int xstream_buf_jstr(struct buf *b, const char *s, size_t n);
/* SSE data bytes: every '\n' inside starts a new "data: " line. */
void xstream_data(struct xstream *x, const char *s, size_t n);
/* A whole frame; event may be NULL or "" (then no event: line). */
void xstream_frame(struct xstream *x, const char *event, const char *data, size_t n);

/* The stream's id with prefix ("msg_", "chatcmpl-"), made once. */
const char *xstream_id(struct xstream *x, const char *prefix);
/* Writes prefix + 24 random hex digits into dst (cap >= strlen(prefix) + 25). */
void xstream_rand_id(struct xstream *x, const char *prefix, char *dst, size_t cap);
/* id as Anthropic clients take it (xlate_tool_id_clean); a fresh "toolu_" id when id is NULL
 * or empty. Caller frees; NULL on OOM. */
char *xstream_tool_id(struct xstream *x, const char *id);

/* Records usage from an OpenAI usage object / an Anthropic usage object. */
void xstream_usage_openai(struct xstream *x, const cJSON *usage);
/* final: from message_delta (cumulative; zeros there mean "not reported"). */
void xstream_usage_anthropic(struct xstream *x, const cJSON *usage, bool final);

/* Whole prompt (cached parts included) and output, from usage or else estimated. */
long xstream_tokens_in(const struct xstream *x);
long xstream_tokens_out(const struct xstream *x);

/* Error frame in the client's dialect, after ops->close; ends the stream. type is the
 * upstream's Anthropic type to keep when it is a proper one; else derived from status. */
void xstream_error_frame(struct xstream *x, int status, const char *type, const char *message,
                         const char *code);
/* An error object came from upstream (body = the whole event JSON). Classifies it into stats;
 * when nothing reached the client yet writes nothing (the proxy can fall back), else an error
 * frame. Ends the stream; returns -EPROTO. */
int xstream_upstream_error(struct xstream *x, const cJSON *body);
/* Same, for a failure the provider reported only as a finish/stop reason. */
int xstream_upstream_failure(struct xstream *x, const char *message);
/* Marks the client's stream properly finished. */
void xstream_end_ok(struct xstream *x);

#endif
