/* perfetto: a job's timeline as Chrome trace-event JSON, which ui.perfetto.dev, Perfetto's
 * trace_processor and chrome://tracing open: one process per rank ("rank N"), in it a track
 * for its steps, one per host thread (the intercepted calls, with their shapes, FLOPs,
 * bytes and call sites as args) and one per GPU stream (kernels, memcpys and memsets, by category, with an
 * arrow from the call that launched each), and two counters (GEMM TFLOP/s and NCCL GB/s of the
 * kernels running). Every slice is a complete ("X") event and slices of a track nest; each
 * track's events come in time order. Written rank by rank, so that nothing but one rank's
 * events (metrics/events.h) is ever in memory:
 *
 *     struct perfetto p;
 *     perfetto_begin(&p, out, report);
 *     for each rank: perfetto_rank(&p, &events, &report->u.ranks[i]);
 *     perfetto_end(&p, report);             // the job's metadata (device, peak, convention)
 *
 * Timestamps are microseconds from the job's first record; args keep exact integers. */
#ifndef MFU_REPORT_PERFETTO_H
#define MFU_REPORT_PERFETTO_H

#include <stdint.h>
#include <stdio.h>

#include "metrics/events.h"
#include "report.h"
#include "util/json_writer.h"

struct perfetto {
  struct jw j;
  const struct callsites *cs; /* the job's call sites, which the calls' args name */
  int next_pid;       /* one process per rank, from 1 */
  uint64_t next_flow; /* flow (arrow) ids, unique in the file */
};

void perfetto_begin(struct perfetto *p, FILE *out, const struct report *r);
/* `u`: the rank's utilization, for its steps' figures and its peak. */
void perfetto_rank(struct perfetto *p, const struct rank_events *e, const struct rank_utilization *u);
void perfetto_end(struct perfetto *p, const struct report *r);

#endif
