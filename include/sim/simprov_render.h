/* simprov_render: turns a simprov_reply into the bytes a provider would send, as one JSON body
 * or as SSE frames, in the reply's dialect (OpenAI chunks with [DONE], or the Anthropic event
 * grammar). Pure (cJSON and libc); no shared state. */
#ifndef SB_SIMPROV_RENDER_H
#define SB_SIMPROV_RENDER_H

#include "sim/simprov_reply.h"

/* One SSE frame ("data: …\n\n" or "event: …\ndata: …\n\n") and the tokens it carries, which
 * the sender uses for pacing. */
struct simprov_frame {
    char *data; /* owned */
    int tokens;
};

struct simprov_frames {
    struct simprov_frame *v;
    int n;
    int cap;
};

/* The non-streaming response body; caller frees. NULL on OOM. */
char *simprov_render_json(const struct simprov_reply *r);

/* Appends every frame of the streamed answer, in order, to out (zeroed, or holding earlier
 * frames). Returns 0 or -ENOMEM (out keeps what was appended; release it either way). */
int simprov_render_frames(const struct simprov_reply *r, struct simprov_frames *out);
/* Frames that open an endless text answer (role chunk, or message_start + an open text block)
 * for the "huge" fault; each further piece comes from simprov_render_text_frame (caller frees;
 * NULL on OOM). Same error contract as simprov_render_frames. */
int simprov_render_huge_head(const struct simprov_reply *r, struct simprov_frames *out);
char *simprov_render_text_frame(const struct simprov_reply *r, const char *text);
void simprov_render_release(struct simprov_frames *f);

#endif
