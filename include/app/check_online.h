/* check_online: `switchboard --check --online`: asks every provider of a config once which
 * models its key may use (discovery, no quota spent) and prints each deployment as offered,
 * not listed or gone, with the offered models and the line to write when gone. */
#ifndef SB_CHECK_ONLINE_H
#define SB_CHECK_ONLINE_H

#include <stdio.h>

#include "config/config.h"
#include "front/discovery_watch.h"

/* Prints the verdicts for answers (one per deployment of cfg, from discovery_round) to out.
 * Returns 1 when the model of a primary deployment (its group has fallbacks) is gone, else 0.
 * Split from check_online for tests. */
int check_online_report(const struct config *cfg, const struct discovery_answer *ans, FILE *out);
/* Runs discovery for cfg on this thread and reports. Same return value. */
int check_online(const struct config *cfg, FILE *out);

#endif
