/* exposure: whether switchboard may listen where it was asked to with the master key it has.
 * On loopback only this machine's processes reach it; on any other address everyone who can
 * route to it does, and then a missing or guessable master key (the example "sk-1234" every
 * LiteLLM tutorial uses, anything under 16 characters) hands them the provider keys' quota
 * and the admin API. Pure; thread-safe. */
#ifndef SB_EXPOSURE_H
#define SB_EXPOSURE_H

#include <stdbool.h>
#include <stddef.h>

#define EXPOSURE_MIN_KEY 16

/* Whether key is missing or too weak to stand between a network and the providers. */
bool exposure_weak_key(const char *key);
/* When listening on host with key would expose switchboard to other machines without real
 * protection: true, with what is wrong and how to fix it in why (len bytes). False on
 * loopback, or with a strong key. */
bool exposure_problem(const char *host, const char *key, char *why, size_t len);

#endif
