/* xlate_internal: helpers shared by the request translators and validators. Not a public
 * interface: only src/xlate/xlate_req_*.c and src/xlate/xlate_validate.c include it. All functions
 * are pure and thread-safe; "takes" means ownership of the argument moves in, even on failure. */
#ifndef SB_XLATE_INTERNAL_H
#define SB_XLATE_INTERNAL_H

#include <stdbool.h>
#include <cJSON.h>

#include "core/buf.h"
#include "xlate/provider_rules.h"
#include "xlate/xlate.h"

/* Text used where Anthropic-shaped upstreams reject an empty message or block. */
#define XLATE_PLACEHOLDER "(empty)"
/* Default output budget when an Anthropic-bound request carries none (Anthropic requires one). */
#define XLATE_DEFAULT_MAX_TOKENS 4096

/* Formats into err (XLATE_ERR_LEN bytes) when err is not NULL. */
void xlate_errf(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds item under key / appends it; takes item (freed when it cannot be added). False on
 * failure, including item == NULL (an earlier allocation failed). */
bool xlate_add(cJSON *obj, const char *key, cJSON *item);
bool xlate_push(cJSON *arr, cJSON *item);
bool xlate_add_str(cJSON *obj, const char *key, const char *s);
/* Like xlate_add / xlate_push, but when ok is false item is freed and nothing is added. */
bool xlate_add_if(cJSON *obj, const char *key, cJSON *item, bool ok);
bool xlate_push_if(cJSON *arr, cJSON *item, bool ok);
/* A new Anthropic {type: "text", text} block; NULL on OOM. */
cJSON *xlate_text_block(const char *text);
/* Deep copy of v added under key; false on OOM or v == NULL. */
bool xlate_add_copy(cJSON *obj, const char *key, const cJSON *v);

/* Deletes every key of obj that is not in keep[] (NULL-terminated). */
void xlate_keep_only(cJSON *obj, const char *const *keep);
/* Deletes every key of obj the provider row does not take from clients (provider_rules.h);
 * nothing when keys is NULL (the provider has no list at that level). */
void xlate_keep_forwarded(cJSON *obj, const struct provider_key *keys);
/* True for a number with no fractional part in a sane range. */
bool xlate_is_int(const cJSON *v);
/* True for NULL or a string of only whitespace. */
bool xlate_is_blank(const char *s);

/* The request's output budget (xlate_max_tokens with def), then clamped to cap when cap > 0;
 * a missing budget becomes cap. 0 when there is neither. */
long xlate_out_budget(const cJSON *req, long def, long cap);

/* Copy of a JSON schema without `$schema` keys, or {type:object,properties:{}} when schema is
 * not an object. Caller frees. */
cJSON *xlate_schema_copy(const cJSON *schema);
/* Removes `ttl` from every cache_control object in the tree (strict upstreams reject it). */
void xlate_strip_ttl(cJSON *node);

/* Appends the text of content (a string, or the text blocks of an array; blank pieces are
 * skipped) to b, putting sep
 * between pieces (also before the first one when b is not empty). Returns 0 or -ENOMEM/-E2BIG. */
int xlate_append_text(struct buf *b, const cJSON *content, const char *sep);
/* Appends s to b with sep first when b is not empty. */
int xlate_append_sep(struct buf *b, const char *s, const char *sep);

/* Appends a tool_result block's content as text: "[error] " first when is_error, text blocks
 * joined by newlines, tool_reference blocks as "Tool loaded: <name>", media as a note.
 * Returns 0 or -ENOMEM/-E2BIG. */
int xlate_result_text(struct buf *b, const cJSON *block);

/* What a client asked of reasoning: nothing said (the model's default), off, or on (with an
 * effort when it named one). */
enum xlate_reason { XLATE_REASON_DEFAULT, XLATE_REASON_OFF, XLATE_REASON_ON };
/* Puts the reasoning fields the target row knows on an OpenAI-dialect request out: the effort
 * mapped to one the model takes, the value or switch that turns reasoning off (or the least
 * effort when nothing does), and the row's history_keep field false when replays_reasoning
 * (the request carries earlier turns' reasoning). A client's own reasoning_param value is
 * replaced. False on OOM. */
bool xlate_reasoning_fields(cJSON *out, const struct provider_rules *r, enum xlate_reason want,
                            const char *effort, bool replays_reasoning);
/* True for a thinking block switchboard made out of an OpenAI-dialect model's reasoning
 * (signed XLATE_THINKING_SIGNATURE): no Anthropic-dialect provider wrote it. */
bool xlate_thinking_is_ours(const cJSON *block);

/* Normalises an Anthropic messages array in place for strict Anthropic-shaped upstreams:
 * merges consecutive same-role messages, rewrites tool ids to ^[a-zA-Z0-9_-]+$ (dropping a
 * tool_use that repeats an id within its turn), moves tool_result blocks first, answers every
 * tool_use in the next user message (a placeholder result when missing), merges duplicate
 * results, turns results without a matching tool_use into text, and gives empty messages a
 * placeholder text. Assumes every message is {role: user|assistant, content: array}.
 * False on OOM. */
bool xlate_anth_fix_messages(cJSON *messages);

#endif
