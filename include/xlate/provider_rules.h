/* provider_rules: what each provider accepts and expects, one row per provider kind and, where
 * models of one provider differ, per model family (a model-name prefix). The one place a
 * provider quirk is written: the request translators (src/xlate) shape requests by it and the
 * simulated providers (src/sim/simprov_validate.c) refuse by it, so the two cannot drift apart.
 * Each rule in provider_rules.c names its source.
 *
 * Rows are constant data; lookups are pure and thread-safe. Not here: how a provider's error
 * bodies and codes are classified (core/errmap.c, below this layer, since errors are read
 * before any translation) and the error bodies the simulators send (sim/simprov_fault.c).
 *
 * Adding a model family (e.g. Cerebras gemma-4-31b): copy the provider's row in
 * provider_rules.c, set model_prefix, change the fields that differ, and add a test in
 * tests/unit/test_provider_rules.c. The longest matching prefix wins; "" matches every model.
 * The lineup fields (models_path, catalog_path, lineup_complete) are read from the provider's
 * "" row only: a key's model list belongs to the provider, not to one model. */
#ifndef SB_PROVIDER_RULES_H
#define SB_PROVIDER_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/api.h"

/* OpenAI's function-name rule, which every OpenAI-dialect provider here enforces. */
#define PROVIDER_TOOL_NAME_MAX 64

/* A key a provider knows, in some object of a request. */
struct provider_key {
    const char *name;
    /* switchboard passes the client's value on; false: the provider takes it, but switchboard
     * drops it (the answer it would change is not translated, or the key is not worth the
     * risk). */
    bool forwarded;
};

struct provider_name_rule {
    size_t max_len;      /* at most this many bytes, at least one */
    const char *chars;   /* every byte a name may hold */
    const char *refusal; /* how the provider words a name that breaks the rule */
};

struct provider_rules {
    /* ---- the key ---- */
    enum provider_kind kind;
    const char *model_prefix; /* "" = every model of kind; else ids starting with it (any case) */
    const char *label;        /* "Cerebras", for messages */

    /* ---- the request's shape. A list ends with a NULL name. A row whose top_keys is NULL
     * ignores what it does not know (switchboard passes requests with a light touch); a row
     * with top_keys refuses every key that is not listed, at each level that has a list. ---- */
    const struct provider_key *top_keys;
    const struct provider_key *message_keys;       /* messages[] entries */
    const struct provider_key *tool_keys;          /* tools[] entries */
    const struct provider_key *function_keys;      /* OpenAI: tools[].function */
    const struct provider_key *call_keys;          /* OpenAI: assistant tool_calls[] entries */
    const struct provider_key *call_function_keys; /* OpenAI: tool_calls[].function */
    const struct provider_name_rule *tool_names;   /* NULL = no rule known */
    bool developer_role; /* OpenAI: takes role "developer" (else it travels as "system") */
    bool reads_pdf;      /* takes PDF documents (else they travel as a text note) */

    /* ---- output budget and sampling ---- */
    /* the output budget's field name. Whether the provider books the whole budget against its
     * quota on arrival (then one is always sent) is core/limitcode.h's limitcode_booking: the
     * router, below this layer, budgets by the same fact. */
    const char *budget_field;
    long max_output_tokens;      /* largest budget it accepts; 0 = not known */
    double temperature_max;      /* temperature range is [0, this] */
    bool sampling_with_thinking; /* takes temperature/top_p while thinking is on */

    /* ---- the model ---- */
    long context_window; /* input + output tokens it takes; 0 = not known (config model_info
                            and discovery can say) */

    /* ---- reasoning ---- */
    const char *reasoning_param;         /* OpenAI: the request field asking for reasoning effort;
                                            NULL = none */
    const char *const *reasoning_values; /* the values reasoning_param takes (NULL-ended);
                                            NULL = any string */
    const char *reasoning_off;     /* the reasoning_param value that turns reasoning off; NULL =
                                      that field cannot turn it off */
    const char *reasoning_floor;   /* sent when the client wants no reasoning and nothing turns
                                      it off: the least there is */
    const char *reasoning_switch;  /* OpenAI: a boolean field that turns reasoning off when true;
                                      NULL = none */
    const char *history_keep;      /* OpenAI: a boolean field that, false, keeps the reasoning
                                      of earlier turns the request replays; NULL = none */
    const char *history_reasoning; /* OpenAI: the assistant-message field earlier reasoning is
                                      replayed in; NULL = not replayed (dropped) */
    bool foreign_thinking;    /* Anthropic: takes thinking blocks another model wrote (a signature
                                 it did not make); false = they are dropped */
    long thinking_budget_min; /* Anthropic: smallest thinking.budget_tokens; 0 = no rule */
    bool cache_ttl;           /* Anthropic: takes cache_control.ttl */

    /* ---- the lineup (provider "" rows): how to ask which models a key may use ---- */
    const char *models_path;  /* appended to api_base: GET it for the key's models; NULL =
                                 the provider offers no list */
    const char *catalog_path; /* appended to api_base's origin: a public list with context
                                 lengths (no key, no quota); NULL = none */
    bool lineup_complete;     /* the list names every model the key may use: a model missing from
                                 it is gone. false: the list can miss models the key may use, so
                                 only a refusal in traffic says a model is gone */
    bool tool_choice_checked; /* OpenAI: refuses a tool_choice outside none, auto, required and
                                 {type: function, function: {name}} */

    /* ---- tools and the rest ---- */
    bool tools_with_response_format; /* OpenAI: takes tools and response_format together */
    bool user_tag;                   /* OpenAI: switchboard sends a client's user id as `user` */
};

/* The row for a deployment: kind's row with the longest model_prefix that model starts with
 * (model may be NULL: then the kind's "" row). Never NULL: an unknown kind gets the generic
 * OpenAI row. */
const struct provider_rules *provider_rules_for(enum provider_kind kind, const char *model);
/* The same choice among rows[0..n) (NULL when none fits); provider_rules_for uses it on the
 * table, tests on rows of their own. */
const struct provider_rules *provider_rules_match(const struct provider_rules *const *rows,
                                                  size_t n, enum provider_kind kind,
                                                  const char *model);

/* True when the row refuses keys it does not list (see top_keys). */
bool provider_rules_strict(const struct provider_rules *r);
/* The entry for name in list, or NULL (also for a NULL list). */
const struct provider_key *provider_key_find(const struct provider_key *list, const char *name);
/* Whether a key at this level reaches the provider: listed and forwarded, or the level has
 * no list. */
bool provider_key_forwarded(const struct provider_key *list, const char *name);
/* Whether name passes rule (always, when rule is NULL). */
bool provider_name_ok(const struct provider_name_rule *rule, const char *name);
/* Whether value is one of the row's reasoning_values (always, when it lists none). */
bool provider_reasoning_value_ok(const struct provider_rules *r, const char *value);
/* The effort the row takes for what a client asked (low, medium, high, max, none, ...):
 * value itself when listed, else the nearest listed one ("max" and "xhigh" -> "high",
 * "minimal" -> "low"); NULL when the row takes none near it or has no reasoning_param. */
const char *provider_reasoning_effort(const struct provider_rules *r, const char *value);

#endif
