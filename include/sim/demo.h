/* demo: switchboard with no keys. Starts two simulated providers in-process on loopback (a
 * fast, rate-limited "Cerebras" and a slower "Z.AI"), a config shaped like the real setup that
 * points at them, and a traffic generator that makes fallback and recovery visible.
 * Every function accepts NULL and then does nothing. */
#ifndef SB_DEMO_H
#define SB_DEMO_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

struct demo;

/* Starts the simulated providers. NULL with err on failure. */
struct demo *demo_start(char *err, size_t len);
/* The config for the demo (one reference, caller frees with config_free). */
struct config *demo_config(struct demo *d, char *err, size_t len);
/* Starts sending a realistic mix of requests to url (the running switchboard). */
void demo_traffic_start(struct demo *d, const char *url, const char *master_key);
void demo_traffic_stop(struct demo *d);
void demo_traffic_toggle(struct demo *d);
bool demo_traffic_on(struct demo *d);
void demo_stop(struct demo *d);

#endif
