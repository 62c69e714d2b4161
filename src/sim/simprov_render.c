/* simprov_render: a simprov_reply as the bytes Cerebras (OpenAI chunks, `reasoning` deltas,
 * interleaved tool-call fragments, usage chunk, [DONE]) or Z.AI's Anthropic endpoint (the
 * exact event grammar) would send. Knows nothing of HTTP or of how the reply was chosen. */
#include "sim/simprov_render.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

#define WORDS_PER_PIECE 3

static const size_t frag_lens[] = {5, 9, 3, 12, 7, 4, 15};
#define NFRAG (sizeof(frag_lens) / sizeof(frag_lens[0]))

static int push(struct simprov_frames *f, char *s, int tokens)
{
    if (!s)
        return -ENOMEM;
    if (f->n == f->cap) {
        int cap = f->cap ? f->cap * 2 : 32;
        struct simprov_frame *v = realloc(f->v, (size_t)cap * sizeof(*v));
        if (!v) {
            free(s);
            return -ENOMEM;
        }
        f->v = v;
        f->cap = cap;
    }
    f->v[f->n].data = s;
    f->v[f->n].tokens = tokens;
    f->n++;
    return 0;
}

/* One SSE frame around obj, which it consumes. event NULL gives a data-only frame. */
static char *sse(const char *event, cJSON *obj)
{
    char *json = obj ? json_print(obj) : NULL;
    cJSON_Delete(obj);
    if (!json)
        return NULL;
    size_t n = strlen(json) + (event ? strlen(event) : 0) + 32;
    char *out = malloc(n);
    if (out && event)
        snprintf(out, n, "event: %s\ndata: %s\n\n", event, json);
    else if (out)
        snprintf(out, n, "data: %s\n\n", json);
    free(json);
    return out;
}

/* The next piece of s from *off holding up to WORDS_PER_PIECE words, leading space included,
 * so that the pieces concatenate back to s. Returns its length (0 at the end). */
static size_t next_piece(const char *s, size_t off, int *words)
{
    size_t i = off;
    *words = 0;
    while (s[i] && *words < WORDS_PER_PIECE) {
        while (s[i] && isspace((unsigned char)s[i]))
            i++;
        if (!s[i])
            break;
        while (s[i] && !isspace((unsigned char)s[i]))
            i++;
        (*words)++;
    }
    if (*words == 0)
        i = strlen(s);
    return i - off;
}

/* Length of the next tool-argument fragment: an irregular size, moved off UTF-8 continuation
 * bytes so every fragment is valid text on its own. */
static size_t next_frag(const char *s, size_t off, unsigned k)
{
    size_t len = strlen(s + off), n = frag_lens[k % NFRAG];
    if (n >= len)
        return len;
    while (n < len && ((unsigned char)s[off + n] & 0xC0) == 0x80)
        n++;
    return n;
}

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static cJSON *time_info(const struct simprov_reply *r)
{
    cJSON *t = cJSON_CreateObject();
    double prompt = (double)r->prompt_tokens / 200000.0;
    double completion = (double)r->completion_tokens / 2000.0;
    cJSON_AddNumberToObject(t, "queue_time", 0.000213);
    cJSON_AddNumberToObject(t, "prompt_time", prompt);
    cJSON_AddNumberToObject(t, "completion_time", completion);
    cJSON_AddNumberToObject(t, "total_time", 0.000213 + prompt + completion);
    cJSON_AddNumberToObject(t, "created", (double)r->created);
    return t;
}

static cJSON *oai_usage(const struct simprov_reply *r)
{
    cJSON *u = cJSON_CreateObject();
    cJSON_AddNumberToObject(u, "prompt_tokens", (double)r->prompt_tokens);
    cJSON_AddNumberToObject(u, "completion_tokens", (double)r->completion_tokens);
    cJSON_AddNumberToObject(u, "total_tokens", (double)(r->prompt_tokens + r->completion_tokens));
    cJSON *d = cJSON_AddObjectToObject(u, "prompt_tokens_details");
    cJSON_AddNumberToObject(d, "cached_tokens", (double)r->cached_tokens);
    return u;
}

static const char *oai_finish(const struct simprov_reply *r)
{
    return r->ncalls ? "tool_calls" : r->truncated ? "length" : "stop";
}

static const char *ant_stop(const struct simprov_reply *r)
{
    return r->ncalls ? "tool_use" : r->truncated ? "max_tokens" : "end_turn";
}

static cJSON *oai_head(const struct simprov_reply *r, const char *object)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", r->id);
    cJSON_AddStringToObject(o, "object", object);
    cJSON_AddNumberToObject(o, "created", (double)r->created);
    cJSON_AddStringToObject(o, "model", r->model);
    cJSON_AddStringToObject(o, "system_fingerprint", "fp_simprov");
    return o;
}

/* A chunk frame carrying delta (consumed) and finish_reason (NULL → null). */
static char *oai_chunk(const struct simprov_reply *r, cJSON *delta, const char *finish)
{
    cJSON *o = oai_head(r, "chat.completion.chunk");
    cJSON *choice = cJSON_CreateObject();
    cJSON_AddNumberToObject(choice, "index", 0);
    cJSON_AddItemToObject(choice, "delta", delta);
    if (finish)
        cJSON_AddStringToObject(choice, "finish_reason", finish);
    else
        cJSON_AddNullToObject(choice, "finish_reason");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "choices"), choice);
    return sse(NULL, o);
}

static char *oai_text_chunk(const struct simprov_reply *r, const char *key, const char *s, size_t n)
{
    char *piece = dup_n(s, n);
    cJSON *delta = cJSON_CreateObject();
    cJSON_AddStringToObject(delta, key, piece ? piece : "");
    free(piece);
    return oai_chunk(r, delta, NULL);
}

static int oai_words(const struct simprov_reply *r, struct simprov_frames *f, const char *key,
                     const char *s)
{
    int words, err = 0;
    for (size_t off = 0, n; s && err == 0 && (n = next_piece(s, off, &words)) > 0; off += n)
        err = push(f, oai_text_chunk(r, key, s + off, n), words);
    return err;
}

static char *oai_call_chunk(const struct simprov_reply *r, int i, const char *args, size_t n,
                            bool first)
{
    cJSON *delta = cJSON_CreateObject();
    cJSON *call = cJSON_CreateObject();
    cJSON_AddNumberToObject(call, "index", i);
    if (first) {
        cJSON_AddStringToObject(call, "id", r->calls[i].id);
        cJSON_AddStringToObject(call, "type", "function");
    }
    cJSON *fn = cJSON_AddObjectToObject(call, "function");
    if (first)
        cJSON_AddStringToObject(fn, "name", r->calls[i].name);
    char *piece = dup_n(args, n);
    cJSON_AddStringToObject(fn, "arguments", piece ? piece : "");
    free(piece);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(delta, "tool_calls"), call);
    return oai_chunk(r, delta, NULL);
}

/* Parallel calls interleave their argument fragments, as some servers do. */
static int oai_calls(const struct simprov_reply *r, struct simprov_frames *f)
{
    size_t off[SIMPROV_REPLY_MAX_CALLS] = {0};
    int err = 0;
    bool more = true;
    for (int i = 0; i < r->ncalls && err == 0; i++)
        err = push(f, oai_call_chunk(r, i, "", 0, true), 1);
    for (unsigned k = 0; more && err == 0; k++) {
        more = false;
        for (int i = 0; i < r->ncalls && err == 0; i++) {
            const char *a = r->calls[i].args;
            size_t n = next_frag(a, off[i], k + (unsigned)i);
            if (n == 0)
                continue;
            err = push(f, oai_call_chunk(r, i, a + off[i], n, false), 1);
            off[i] += n;
            more = true;
        }
    }
    return err;
}

static int oai_frames(const struct simprov_reply *r, struct simprov_frames *f)
{
    cJSON *role = cJSON_CreateObject();
    cJSON_AddStringToObject(role, "role", "assistant");
    cJSON_AddStringToObject(role, "content", "");
    int err = push(f, oai_chunk(r, role, NULL), 0);
    if (err == 0)
        err = oai_words(r, f, "reasoning", r->reasoning);
    if (err == 0)
        err = oai_words(r, f, "content", r->text);
    if (err == 0)
        err = oai_calls(r, f);
    if (err == 0)
        err = push(f, oai_chunk(r, cJSON_CreateObject(), oai_finish(r)), 0);
    if (err == 0 && r->include_usage) {
        cJSON *o = oai_head(r, "chat.completion.chunk");
        cJSON_AddArrayToObject(o, "choices");
        cJSON_AddItemToObject(o, "usage", oai_usage(r));
        cJSON_AddItemToObject(o, "time_info", time_info(r));
        err = push(f, sse(NULL, o), 0);
    }
    if (err == 0)
        err = push(f, strdup("data: [DONE]\n\n"), 0);
    return err;
}

static void signature(const struct simprov_reply *r, char *out, size_t cap)
{
    unsigned long h = 5381;
    for (const char *p = r->reasoning ? r->reasoning : ""; *p; p++)
        h = h * 33 + (unsigned char)*p;
    snprintf(out, cap, "sig_simprov_%016lx", h);
}

static cJSON *ant_usage(const struct simprov_reply *r, long output)
{
    cJSON *u = cJSON_CreateObject();
    /* Anthropic's input_tokens leave out what was read from the cache */
    cJSON_AddNumberToObject(u, "input_tokens", (double)(r->prompt_tokens - r->cached_tokens));
    cJSON_AddNumberToObject(u, "cache_creation_input_tokens", 0);
    cJSON_AddNumberToObject(u, "cache_read_input_tokens", (double)r->cached_tokens);
    cJSON_AddNumberToObject(u, "output_tokens", (double)output);
    return u;
}

static cJSON *ant_message(const struct simprov_reply *r, cJSON *content, const char *stop,
                          long output)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "id", r->id);
    cJSON_AddStringToObject(m, "type", "message");
    cJSON_AddStringToObject(m, "role", "assistant");
    cJSON_AddStringToObject(m, "model", r->model);
    cJSON_AddItemToObject(m, "content", content);
    if (stop)
        cJSON_AddStringToObject(m, "stop_reason", stop);
    else
        cJSON_AddNullToObject(m, "stop_reason");
    cJSON_AddNullToObject(m, "stop_sequence");
    cJSON_AddItemToObject(m, "usage", ant_usage(r, output));
    return m;
}

static char *ant_event(const char *type, int index, const char *key, cJSON *val)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", type);
    if (index >= 0)
        cJSON_AddNumberToObject(o, "index", index);
    if (key)
        cJSON_AddItemToObject(o, key, val);
    return sse(type, o);
}

static char *ant_delta(int index, const char *type, const char *key, const char *s, size_t n)
{
    char *piece = dup_n(s, n);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "type", type);
    cJSON_AddStringToObject(d, key, piece ? piece : "");
    free(piece);
    return ant_event("content_block_delta", index, "delta", d);
}

static cJSON *block(const char *type, const char *key, const char *val)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "type", type);
    if (key)
        cJSON_AddStringToObject(b, key, val);
    return b;
}

/* One text or thinking block: start, ping after the very first start, deltas, stop. */
static int ant_words(struct simprov_frames *f, int index, bool thinking, const char *s,
                     const char *sig)
{
    const char *key = thinking ? "thinking" : "text";
    cJSON *start = block(key, key, "");
    if (thinking)
        cJSON_AddStringToObject(start, "signature", "");
    int words, err = push(f, ant_event("content_block_start", index, "content_block", start), 0);
    if (err == 0 && index == 0)
        err = push(f, ant_event("ping", -1, NULL, NULL), 0);
    for (size_t off = 0, n; err == 0 && (n = next_piece(s, off, &words)) > 0; off += n)
        err = push(f, ant_delta(index, thinking ? "thinking_delta" : "text_delta", key, s + off, n),
                   words);
    if (err == 0 && sig)
        err = push(f, ant_delta(index, "signature_delta", "signature", sig, strlen(sig)), 0);
    if (err == 0)
        err = push(f, ant_event("content_block_stop", index, NULL, NULL), 0);
    return err;
}

static int ant_tool(const struct simprov_reply *r, struct simprov_frames *f, int index, int i)
{
    cJSON *start = block("tool_use", "id", r->calls[i].id);
    cJSON_AddStringToObject(start, "name", r->calls[i].name);
    cJSON_AddObjectToObject(start, "input");
    int err = push(f, ant_event("content_block_start", index, "content_block", start), 1);
    if (err == 0 && index == 0)
        err = push(f, ant_event("ping", -1, NULL, NULL), 0);
    if (err == 0)
        err = push(f, ant_delta(index, "input_json_delta", "partial_json", "", 0), 0);
    const char *a = r->calls[i].args;
    for (size_t off = 0, n; err == 0 && (n = next_frag(a, off, (unsigned)off)) > 0; off += n)
        err = push(f, ant_delta(index, "input_json_delta", "partial_json", a + off, n), 1);
    if (err == 0)
        err = push(f, ant_event("content_block_stop", index, NULL, NULL), 0);
    return err;
}

static int ant_frames(const struct simprov_reply *r, struct simprov_frames *f)
{
    char sig[48];
    int index = 0;
    cJSON *start = ant_message(r, cJSON_CreateArray(), NULL, 1);
    int err = push(f, ant_event("message_start", -1, "message", start), 0);
    signature(r, sig, sizeof(sig));
    if (err == 0 && r->reasoning)
        err = ant_words(f, index++, true, r->reasoning, sig);
    if (err == 0 && r->text)
        err = ant_words(f, index++, false, r->text, NULL);
    for (int i = 0; i < r->ncalls && err == 0; i++)
        err = ant_tool(r, f, index++, i);
    if (err == 0) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "stop_reason", ant_stop(r));
        cJSON_AddNullToObject(d, "stop_sequence");
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", "message_delta");
        cJSON_AddItemToObject(o, "delta", d);
        cJSON *u = cJSON_AddObjectToObject(o, "usage");
        cJSON_AddNumberToObject(u, "output_tokens", (double)r->completion_tokens);
        err = push(f, sse("message_delta", o), 0);
    }
    if (err == 0)
        err = push(f, ant_event("message_stop", -1, NULL, NULL), 0);
    return err;
}

int simprov_render_frames(const struct simprov_reply *r, struct simprov_frames *out)
{
    return r->dialect == API_ANTHROPIC ? ant_frames(r, out) : oai_frames(r, out);
}

static cJSON *oai_message(const struct simprov_reply *r)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "assistant");
    if (r->text)
        cJSON_AddStringToObject(m, "content", r->text);
    else
        cJSON_AddNullToObject(m, "content");
    if (r->reasoning)
        cJSON_AddStringToObject(m, "reasoning", r->reasoning);
    cJSON *calls = r->ncalls ? cJSON_AddArrayToObject(m, "tool_calls") : NULL;
    for (int i = 0; i < r->ncalls; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "id", r->calls[i].id);
        cJSON_AddStringToObject(c, "type", "function");
        cJSON *fn = cJSON_AddObjectToObject(c, "function");
        cJSON_AddStringToObject(fn, "name", r->calls[i].name);
        cJSON_AddStringToObject(fn, "arguments", r->calls[i].args);
        cJSON_AddItemToArray(calls, c);
    }
    return m;
}

static cJSON *oai_json(const struct simprov_reply *r)
{
    cJSON *o = oai_head(r, "chat.completion");
    cJSON *choice = cJSON_CreateObject();
    cJSON_AddNumberToObject(choice, "index", 0);
    cJSON_AddItemToObject(choice, "message", oai_message(r));
    cJSON_AddStringToObject(choice, "finish_reason", oai_finish(r));
    cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "choices"), choice);
    cJSON_AddItemToObject(o, "usage", oai_usage(r));
    cJSON_AddItemToObject(o, "time_info", time_info(r));
    return o;
}

static cJSON *ant_json(const struct simprov_reply *r)
{
    char sig[48];
    cJSON *content = cJSON_CreateArray();
    signature(r, sig, sizeof(sig));
    if (r->reasoning) {
        cJSON *b = block("thinking", "thinking", r->reasoning);
        cJSON_AddStringToObject(b, "signature", sig);
        cJSON_AddItemToArray(content, b);
    }
    if (r->text)
        cJSON_AddItemToArray(content, block("text", "text", r->text));
    for (int i = 0; i < r->ncalls; i++) {
        cJSON *b = block("tool_use", "id", r->calls[i].id);
        cJSON_AddStringToObject(b, "name", r->calls[i].name);
        cJSON *input = cJSON_Parse(r->calls[i].args);
        cJSON_AddItemToObject(b, "input", input ? input : cJSON_CreateObject());
        cJSON_AddItemToArray(content, b);
    }
    return ant_message(r, content, ant_stop(r), r->completion_tokens);
}

char *simprov_render_json(const struct simprov_reply *r)
{
    cJSON *o = r->dialect == API_ANTHROPIC ? ant_json(r) : oai_json(r);
    char *s = o ? json_print(o) : NULL;
    cJSON_Delete(o);
    return s;
}

int simprov_render_huge_head(const struct simprov_reply *r, struct simprov_frames *out)
{
    if (r->dialect == API_OPENAI) {
        cJSON *role = cJSON_CreateObject();
        cJSON_AddStringToObject(role, "role", "assistant");
        cJSON_AddStringToObject(role, "content", "");
        return push(out, oai_chunk(r, role, NULL), 0);
    }
    cJSON *start = ant_message(r, cJSON_CreateArray(), NULL, 1);
    int err = push(out, ant_event("message_start", -1, "message", start), 0);
    if (err == 0)
        err = push(out,
                   ant_event("content_block_start", 0, "content_block", block("text", "text", "")),
                   0);
    if (err == 0)
        err = push(out, ant_event("ping", -1, NULL, NULL), 0);
    return err;
}

char *simprov_render_text_frame(const struct simprov_reply *r, const char *text)
{
    if (r->dialect == API_OPENAI)
        return oai_text_chunk(r, "content", text, strlen(text));
    return ant_delta(0, "text_delta", "text", text, strlen(text));
}

void simprov_render_release(struct simprov_frames *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n; i++)
        free(f->v[i].data);
    free(f->v);
    memset(f, 0, sizeof(*f));
}
