/* clock: the two clocks switchboard reads. Monotonic time measures durations and deadlines
 * (immune to the wall clock being set); wall time only stamps records people read. */
#ifndef SB_CLOCK_H
#define SB_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Milliseconds on the monotonic clock, with sub-millisecond precision. */
double clock_mono_ms(void);
/* Milliseconds since the Unix epoch. */
int64_t clock_wall_ms(void);
/* The CLOCK_MONOTONIC instant ms from now, for pthread_cond_timedwait on a condition
 * variable whose clock attribute is CLOCK_MONOTONIC. */
struct timespec clock_mono_after(long ms);

#endif
