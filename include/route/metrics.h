/* metrics: Prometheus text exposition of a snapshot. Pure. */
#ifndef SB_METRICS_H
#define SB_METRICS_H

#include "core/buf.h"
#include "route/state.h"

/* Appends every metric family for the snapshot to out. */
void metrics_format(const struct snapshot *s, struct buf *out);

#endif
