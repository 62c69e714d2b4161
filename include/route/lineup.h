/* lineup: what switchboard knows of each deployment's model at its provider. Discovery (the
 * provider's model list, asked in the background: front/discovery.h) says whether the key may
 * use the model, which models it may use instead and how large their context is; traffic says
 * it too, when the provider answers that the model does not exist (Cerebras 404
 * model_not_found, Z.AI 1211). A deployment whose model is gone takes no traffic until a later
 * list names the model again.
 *
 * Plain data and pure functions: no clock, no I/O, no locks. The state keeps one record per
 * deployment behind its mutex (state.h) and tells the router when a model goes or comes back.
 * Errors: none; lists longer than LINEUP_MAX_MODELS keep their first LINEUP_MAX_MODELS names. */
#ifndef SB_LINEUP_H
#define SB_LINEUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINEUP_MAX_MODELS 32
#define LINEUP_MODEL_LEN  64
#define LINEUP_ERR_LEN    160

/* One provider's answer: the models a key may use. */
struct lineup_offer {
    int n;
    char models[LINEUP_MAX_MODELS][LINEUP_MODEL_LEN];
    long context[LINEUP_MAX_MODELS]; /* context length the provider published; 0 = not said */
    bool complete; /* the list names every model the key may use (Cerebras); false when it can
                      miss some (Z.AI): then a model it leaves out is only "not listed" */
};

enum lineup_verdict {
    LINEUP_UNKNOWN = 0, /* no list yet, or the provider has none */
    LINEUP_OFFERED,     /* the last list named the model */
    LINEUP_NOT_LISTED,  /* the last (incomplete) list did not name it: still routed */
    LINEUP_GONE,        /* a complete list did not name it */
};

struct dep_lineup {
    enum lineup_verdict verdict;
    bool refused;               /* traffic was answered "no such model" since the last list */
    int64_t checked_wall_ms;    /* when the last list came (Unix ms); 0 = never */
    int64_t gone_wall_ms;       /* since when it is gone (Unix ms); 0 = not gone */
    long context;               /* the model's context length from the list; 0 = not said */
    char error[LINEUP_ERR_LEN]; /* why the last attempt to get a list failed; "" = it worked */
    struct lineup_offer offer;  /* the last list (n == 0 before the first) */
};

/* Adds model (and its context length, 0 = unknown) to an offer; false when it is full or the
 * name does not fit. */
bool lineup_offer_add(struct lineup_offer *o, const char *model, long context);
/* Index of model in the offer (exact match), or -1. */
int lineup_offer_find(const struct lineup_offer *o, const char *model);

/* A list came for the deployment of `model` at wall_ms: the verdict follows it, and a model it
 * names is back (a refusal from before the list no longer counts). */
void lineup_apply(struct dep_lineup *d, const char *model, const struct lineup_offer *o,
                  int64_t wall_ms);
/* Asking for the list failed (network, 5xx, an unreadable answer): recorded, nothing else
 * changes. */
void lineup_failed(struct dep_lineup *d, const char *why);
/* Traffic was told the model does not exist. */
void lineup_refused(struct dep_lineup *d, int64_t wall_ms);
/* That refusal no longer counts (a user's reset, or another instance saw the model listed). */
void lineup_forget_refusal(struct dep_lineup *d);
/* No traffic for it: a complete list left it out, or the provider refused it since the last
 * list. */
bool lineup_is_gone(const struct dep_lineup *d);
/* "zai-glm-4.6 is not offered; offered: gpt-oss-120b, gemma-4-31b" (or "... no longer exists
 * at the provider" after a refusal), cut to n bytes. */
void lineup_reason(const struct dep_lineup *d, const char *model, char *out, size_t n);
/* The offered models as "a, b, c", cut to n bytes. */
void lineup_offered_text(const struct dep_lineup *d, char *out, size_t n);

#endif
