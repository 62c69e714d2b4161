/* json: small typed getters over cJSON with defaults, so callers never dereference a value
 * of the wrong type. Returned pointers borrow from the tree; nothing is allocated except by
 * json_print, whose result the caller frees with free(). Thread-safe (no state). */
#ifndef SB_JSON_H
#define SB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <cJSON.h>

/* Value of key if it is a string, else NULL. */
const char *json_str(const cJSON *obj, const char *key);
/* Value of key if it is a number, else def. */
double json_num(const cJSON *obj, const char *key, double def);
/* Value of key if it is true/false, else def. */
bool json_bool(const cJSON *obj, const char *key, bool def);
/* Child if it is an object / array, else NULL. */
const cJSON *json_obj(const cJSON *obj, const char *key);
const cJSON *json_arr(const cJSON *obj, const char *key);
/* Unformatted serialisation; caller frees. NULL on OOM. */
char *json_print(const cJSON *v);
/* Deepest nesting json_parse accepts; deeper documents are refused as invalid. */
#define JSON_MAX_DEPTH 128
/* Parses exactly len bytes (need not be NUL-terminated). NULL if not valid JSON or nested
 * deeper than JSON_MAX_DEPTH. */
cJSON *json_parse(const char *p, size_t len);
/* Deep copy of obj with the keys in drop[] (NULL-terminated) left out; caller owns. */
cJSON *json_copy_without(const cJSON *obj, const char *const *drop);
/* True if the string is valid UTF-8. */
bool json_utf8_valid(const char *s, size_t n);

#endif
